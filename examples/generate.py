#!/usr/bin/env python3
"""Generates examples/leads.jsonl and examples/events.jsonl: realistic, messy sample data for
`leadflow dry-run`. Deterministic (fixed seed, no clock): running it again gives the same bytes.

    python3 examples/generate.py            # writes beside this script

Field and event names follow stdlib-workflows/schema.flow. The mess is on purpose: emails that
differ only in case or whitespace, junk and disposable addresses, free-mail and competitor
domains, missing fields, numbers sent as strings, unicode names, many countries and time zones.
Every line is valid input, so the dry run exits 0; bad lines are tested in tests/cli/.
"""
import json
import os
import random
from datetime import datetime, timedelta, timezone

SEED = 20260105
START = datetime(2026, 1, 5, 0, 0, tzinfo=timezone.utc)
DAYS = 60
LEADS = 560

rng = random.Random(SEED)

# (country, language, time zones, first names, last names)
REGIONS = [
    ("US", "en", ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix"],
     ["James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "David", "Linda", "Aaliyah", "DeShawn", "Emily", "Carlos"],
     ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "O'Brien", "Nguyen"]),
    ("CA", "en", ["America/Toronto", "America/Vancouver", "America/Halifax"],
     ["Liam", "Olivia", "Noah", "Emma", "Chloé", "Étienne"],
     ["Tremblay", "Gagnon", "Roy", "Côté", "Wilson", "MacDonald"]),
    ("GB", "en", ["Europe/London"],
     ["Oliver", "Amelia", "Harry", "Isla", "Siobhán", "Rhys"],
     ["Taylor", "Davies", "Evans", "Thomas", "Ó Súilleabháin", "Patel"]),
    ("DE", "de", ["Europe/Berlin"],
     ["Jürgen", "Lena", "Maximilian", "Sophie", "Jörg", "Anneliese"],
     ["Müller", "Schmidt", "Schneider", "Fischer", "Weiß", "Groß"]),
    ("AT", "de", ["Europe/Vienna"],
     ["Lukas", "Hannah", "Florian", "Katharina"],
     ["Gruber", "Huber", "Bauer", "Wagner"]),
    ("CH", "de", ["Europe/Zurich"],
     ["Luca", "Mia", "Noé", "Léa"],
     ["Meier", "Keller", "Brunner", "Zürcher"]),
    ("ES", "es", ["Europe/Madrid", "Atlantic/Canary"],
     ["José", "María", "Álvaro", "Lucía", "Iñigo", "Begoña"],
     ["García", "Fernández", "López", "Martínez", "Núñez", "Ibáñez"]),
    ("MX", "es", ["America/Mexico_City", "America/Tijuana"],
     ["Alejandro", "Ximena", "Santiago", "Valentina"],
     ["Hernández", "González", "Rodríguez", "Pérez"]),
    ("AR", "es", ["America/Argentina/Buenos_Aires"],
     ["Martín", "Sofía", "Mateo", "Camila"],
     ["Fernández", "Gómez", "Díaz", "Romero"]),
    ("BG", "bg", ["Europe/Sofia"],
     ["Иван", "Мария", "Георги", "Елена", "Petar", "Desislava"],
     ["Петров", "Иванова", "Димитров", "Georgieva", "Stoyanov"]),
    ("FR", "fr", ["Europe/Paris"],
     ["Zoé", "Théo", "Inès", "Loïc"],
     ["Dubois", "Lefèvre", "Moreau", "Laurent"]),
    ("PL", "pl", ["Europe/Warsaw"],
     ["Łukasz", "Zofia", "Michał", "Małgorzata"],
     ["Wiśniewski", "Wójcik", "Kowalczyk", "Dąbrowska"]),
    ("JP", "ja", ["Asia/Tokyo"],
     ["陽翔", "結衣", "Haruto", "Yui"],
     ["佐藤", "鈴木", "Takahashi", "Tanaka"]),
    ("IN", "en", ["Asia/Kolkata"],
     ["Aarav", "Ananya", "Vihaan", "Diya"],
     ["Sharma", "Iyer", "Reddy", "Banerjee"]),
    ("BR", "pt", ["America/Sao_Paulo", "America/Manaus"],
     ["João", "Ana", "Gonçalo", "Letícia"],
     ["Silva", "Santos", "Conceição", "Araújo"]),
    ("AU", "en", ["Australia/Sydney", "Australia/Perth", "Australia/Adelaide"],
     ["Jack", "Charlotte", "Ethan", "Matilda"],
     ["Smith", "Wilson", "Kelly", "Ryan"]),
    ("NL", "nl", ["Europe/Amsterdam"],
     ["Daan", "Sanne", "Bram", "Fleur"],
     ["de Jong", "van den Berg", "Bakker", "Visser"]),
    ("SE", "sv", ["Europe/Stockholm"],
     ["Björn", "Åsa", "Göran", "Linnéa"],
     ["Andersson", "Öberg", "Lindström", "Ekström"]),
    ("ZA", "en", ["Africa/Johannesburg"],
     ["Thabo", "Naledi", "Pieter", "Anika"],
     ["Nkosi", "van der Merwe", "Dlamini", "Botha"]),
    ("SG", "en", ["Asia/Singapore"],
     ["Wei Ling", "Arjun", "Siti", "Jun Jie"],
     ["Tan", "Lim", "Rahman", "Ng"]),
]
REGION_WEIGHTS = [22, 5, 9, 9, 3, 3, 6, 3, 2, 6, 4, 3, 2, 4, 3, 3, 3, 2, 2, 2]

COMPANY_WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent",
                 "Tyrell", "Cyberdyne", "Wonka", "Gringotts", "Oscorp", "Aperture", "Nakatomi", "Massive",
                 "Nordlicht", "Sierra", "Kestrel", "Bluefin", "Copperleaf", "Quantia", "Helix", "Lumen",
                 "Orbital", "Pinecone", "Redwood", "Saffron", "Tundra", "Vertex", "Zephyr", "Alpenblick",
                 "Balkan", "Cascadia", "Dunmore", "Everly", "Fjord", "Granite", "Harbor"]
COMPANY_SUFFIXES = [("Inc.", ".com"), ("GmbH", ".de"), ("Ltd", ".co.uk"), ("AG", ".ch"), ("S.L.", ".es"),
                    ("ООД", ".bg"), ("BV", ".nl"), ("AB", ".se"), ("Pty Ltd", ".com.au"), ("LLC", ".io"),
                    ("", ".com"), ("Labs", ".ai")]
INDUSTRIES = ["SaaS", "Manufacturing", "Fintech", "Healthcare", "Logistics", "Retail", "Education",
              "Professional Services", "Telecom", "Energy", None]
TITLES = ["CEO", "CTO", "CFO", "COO", "Chief Revenue Officer", "VP Sales", "VP Marketing", "Head of Growth",
          "Sales Director", "Marketing Manager", "RevOps Manager", "SDR", "Account Executive", "Founder & CEO",
          "Software Engineer", "Intern", "Student", "Office Manager", "Director of Operations", "Geschäftsführer",
          "Directora Comercial", "Управител", None]
FREE_MAIL = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "gmx.de", "web.de",
             "mail.ru", "abv.bg", "aol.com"]
COMPETITORS = ["hubspot.com", "salesforce.com", "pipedrive.com", "outreach.io", "salesloft.com"]
JUNK = ["test@test.com", "asdf@asdf", "a@a.com", "noreply@example.com", "ana..b@acme.com", "no email",
        "john.doe@mailinator.com", "x@yopmail.com", "qwerty@qwerty.com", "sales@localhost", "@acme.com"]
SOURCES = [("google", "cpc"), ("linkedin", "paid_social"), ("newsletter", "email"), ("g2", "referral"),
           ("facebook", "paid_social"), ("direct", None), ("partner", "referral"), (None, None)]
CAMPAIGNS = ["q1-demand-gen", "webinar-revops-2026", "pricing-retarget", "dach-launch", "latam-es", None]
FORMS = ["demo-request", "contact-us", "ebook-download", "webinar-signup", "free-trial", "newsletter"]
PAGES = ["/pricing", "/demo", "/product/routing", "/product/scoring", "/blog/speed-to-lead",
         "/case-studies/acme", "/de/preise", "/es/precios", "/webinars/revops"]
TEMPLATES = ["welcome", "nurture_1", "nurture_2", "nurture_3", "what_to_expect", "missed_you_reschedule",
             "video_recap", "permission_to_close", "case_study", "pricing_followup"]
WEBINARS = ["revops-2026-01", "speed-to-lead-2026-02"]

companies = []  # (name, domain, employees, industry, region index)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def slug(s):
    out = []
    for ch in s.lower():
        if "a" <= ch <= "z" or "0" <= ch <= "9":
            out.append(ch)
    return "".join(out)


ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "ë": "e", "ê": "e",
                       "á": "a", "à": "a", "â": "a", "ã": "a", "í": "i", "ï": "i", "ó": "o", "ô": "o", "ñ": "n",
                       "ú": "u", "ç": "c", "ł": "l", "ś": "s", "ż": "z", "ź": "z", "ą": "a", "ę": "e", "ń": "n",
                       "å": "a", "ø": "o", "ć": "c", "'": "", " ": ""})


def local_part(first, last):
    f, l = slug(first.lower().translate(ASCII)), slug(last.lower().translate(ASCII))
    if not f or not l:  # Cyrillic or Japanese names: a transliteration-free mailbox
        return "contact%d" % rng.randint(1, 999)
    return rng.choice(["%s.%s" % (f, l), "%s%s" % (f[0], l), f, "%s_%s" % (f, l)])


def make_companies():
    used = set()
    for i in range(140):
        while True:
            word = rng.choice(COMPANY_WORDS) + rng.choice(["", " Systems", " Analytics", " Cloud", " Group", " Works"])
            suffix, tld = rng.choice(COMPANY_SUFFIXES)
            domain = slug(word) + tld
            if domain not in used:
                break
        used.add(domain)
        name = (word + " " + suffix).strip()
        employees = rng.choice([3, 8, 15, 35, 60, 120, 250, 480, 900, 2500, 12000])
        region = rng.choices(range(len(REGIONS)), REGION_WEIGHTS)[0]
        companies.append((name, domain, employees, rng.choice(INDUSTRIES), region))


def messy_email(email):
    """The same address as a person would type it into another form."""
    style = rng.randrange(4)
    if style == 0:
        return email.upper()
    if style == 1:
        return "  " + email + " "
    if style == 2:
        local, _, domain = email.partition("@")
        return local.capitalize() + "@" + domain.capitalize()
    return email


def make_lead(n, created):
    name, domain, employees, industry, region = rng.choice(companies)
    if rng.random() < 0.35:  # not every lead is from a company's home region
        region = rng.choices(range(len(REGIONS)), REGION_WEIGHTS)[0]
    country, language, zones, firsts, lasts = REGIONS[region]
    first, last = rng.choice(firsts), rng.choice(lasts)
    kind = rng.random()
    if kind < 0.62:
        email = "%s@%s" % (local_part(first, last), domain)
    elif kind < 0.82:
        email = "%s%d@%s" % (local_part(first, last), rng.randint(1, 99), rng.choice(FREE_MAIL))
        domain = None
    elif kind < 0.88:
        email = "%s@%s" % (local_part(first, last), rng.choice(COMPETITORS))
        domain = email.split("@")[1]
        name = domain.split(".")[0].capitalize()
    elif kind < 0.94:
        email = rng.choice(JUNK)
        domain = None
    else:
        email = None
    lead = {"id": "L-%04d" % n}
    if email is not None:
        lead["email"] = messy_email(email) if rng.random() < 0.25 else email
    lead["first_name"] = first if rng.random() > 0.05 else first.lower()
    if rng.random() > 0.08:
        lead["last_name"] = last
    if rng.random() > 0.15:
        lead["title"] = rng.choice(TITLES)
    if domain and rng.random() > 0.1:
        lead["company"] = name if rng.random() > 0.1 else "  " + name.upper()
        lead["domain"] = domain
    if industry and rng.random() > 0.3:
        lead["industry"] = industry
    if domain and rng.random() > 0.2:
        # CRM exports sometimes quote numbers; the reader accepts an integer in a string.
        lead["employees"] = employees if rng.random() > 0.1 else str(employees)
    if rng.random() > 0.07:
        lead["country"] = country if rng.random() > 0.1 else country.lower()
    if rng.random() > 0.2:
        lead["language"] = language
    if rng.random() > 0.12:
        lead["timezone"] = rng.choice(zones)
    if rng.random() > 0.4:
        lead["phone"] = "+%d %d %d" % (rng.randint(1, 99), rng.randint(100, 999), rng.randint(100000, 9999999))
    if rng.random() > 0.05:
        lead["created_at"] = iso(created)
    src, medium = rng.choice(SOURCES)
    if src:
        lead["utm_source"] = src
    if medium:
        lead["utm_medium"] = medium
    campaign = rng.choice(CAMPAIGNS)
    if campaign:
        lead["utm_campaign"] = campaign
    if rng.random() > 0.3:
        lead["form_id"] = rng.choice(FORMS)
        lead["landing_page"] = "https://www.leadflow.example" + rng.choice(PAGES)
    if domain and employees >= 900 and rng.random() < 0.5:
        lead["named_account"] = True
        lead["account_owner"] = rng.choice(["max@example.com", "dan@example.com", "eva@example.com"])
    if rng.random() < 0.02:
        lead["unsubscribed"] = True
    return lead


def at_after(t, lo_minutes, hi_minutes):
    return t + timedelta(minutes=rng.randint(lo_minutes, hi_minutes))


def story(lead, created, events):
    """A lead's engagement: cold leads read a little, warm ones open and click, hot ones book."""
    end = START + timedelta(days=DAYS)
    temperature = rng.random()
    t = at_after(created, 5, 600)
    lid = lead["id"]

    def add(when, type_, data=None):
        if when < end:
            e = {"at": iso(when), "type": type_, "lead": lid}
            if data:
                e["data"] = data
            events.append((when, e))

    for _ in range(rng.randint(0, 3)):
        t = at_after(t, 60, 60 * 72)
        kind = rng.choice(["blog_view", "product_page_view", "case_study_download", "whitepaper_download"])
        if kind.endswith("_download"):
            data = {"asset": rng.choice(["speed-to-lead-report.pdf", "acme-case-study.pdf", "revops-playbook.pdf"])}
        else:
            data = {"url": "https://www.leadflow.example" + rng.choice(PAGES)}
        add(t, kind, data if rng.random() < 0.5 else None)
    for _ in range(rng.randint(1, 5)):
        t = at_after(t, 30, 60 * 96)
        template = rng.choice(TEMPLATES)
        add(t, "email_opened", {"template": template})
        if rng.random() < 0.3:
            add(at_after(t, 1, 30), "email_clicked",
                {"template": template, "url": "https://www.leadflow.example" + rng.choice(PAGES)})
    if rng.random() < 0.04:
        add(at_after(t, 10, 600), "bounced", {"template": rng.choice(TEMPLATES)})
        return
    if rng.random() < 0.06:
        add(at_after(t, 10, 600), "unsubscribed", {"template": rng.choice(TEMPLATES)})
        return
    if rng.random() < 0.15:
        w = rng.choice(WEBINARS)
        t = at_after(t, 60, 60 * 48)
        add(t, "webinar_registered", {"webinar": w})
        attended = rng.random() < 0.55
        if attended:
            add(at_after(t, 60 * 24, 60 * 72), "webinar_attended", {"webinar": w})
        add(at_after(t, 60 * 73, 60 * 74), "webinar_ended", {"webinar": w, "attended": attended})
    if temperature < 0.45:
        return
    for _ in range(rng.randint(1, 3)):
        t = at_after(t, 30, 60 * 48)
        add(t, "pricing_page_view", {"url": "https://www.leadflow.example" + rng.choice(["/pricing", "/de/preise", "/es/precios"])})
    if rng.random() < 0.25:
        add(at_after(t, 5, 120), "replied", {"template": rng.choice(TEMPLATES)})
    if temperature < 0.7:
        return
    t = at_after(t, 5, 60 * 24)
    add(t, rng.choice(["demo_requested", "demo_requested", "contact_form", "free_trial_signup"]),
        {"form_id": rng.choice(FORMS)})
    if rng.random() < 0.6:
        add(at_after(t, 10, 240), "activity_logged", {"kind": rng.choice(["call", "email", "meeting"])})
    if rng.random() < 0.7:
        t = at_after(t, 2, 50)
        meeting = at_after(t, 60 * 20, 60 * 24 * 6)
        add(t, "meeting_booked", {"meeting_at": iso(meeting)})
        status = rng.choices(["held", "no_show", "canceled"], [6, 3, 1])[0]
        add(at_after(meeting, 20, 90), "meeting_status_changed", {"status": status})
        t = at_after(meeting, 90, 120)
        if status == "no_show" and rng.random() < 0.4:
            t = at_after(t, 60 * 30, 60 * 24 * 3)
            add(t, "meeting_booked", {"meeting_at": iso(at_after(t, 60 * 24, 60 * 24 * 4))})
            return
        if status == "held":
            add(at_after(t, 60, 60 * 24), "bant_updated",
                {"budget": rng.random() < 0.7, "authority": rng.random() < 0.6,
                 "need": rng.random() < 0.8, "timeline": rng.random() < 0.5})
            if rng.random() < 0.5:
                t = at_after(t, 60 * 24, 60 * 24 * 7)
                add(t, "deal_stage_changed", {"stage": rng.choice(["discovery", "proposal", "negotiation"])})
                if rng.random() < 0.5:
                    t = at_after(t, 60 * 24 * 3, 60 * 24 * 20)
                    won = rng.random() < 0.4
                    add(t, "deal_closed", {"won": won, "reason": "signed" if won else rng.choice(["timing", "budget", "competitor", "no decision"])})
            elif rng.random() < 0.3:
                add(at_after(t, 60, 60 * 48), "disqualified", {"reason": rng.choice(["no budget", "student", "wrong fit"])})


def capture(when, email, first, last, company, title, region, data_extra=None):
    country, language, _, _, _ = REGIONS[region]
    data = {"email": email, "first_name": first}
    if last:
        data["last_name"] = last
    if company:
        data["company"] = company
    if title:
        data["title"] = title
    data["country"] = country
    data["language"] = language
    src, medium = rng.choice(SOURCES)
    data["form_id"] = rng.choice(FORMS)
    if src:
        data["utm_source"] = src
    if medium:
        data["utm_medium"] = medium
    campaign = rng.choice(CAMPAIGNS)
    if campaign:
        data["utm_campaign"] = campaign
    data["landing_page"] = "https://www.leadflow.example" + rng.choice(PAGES)
    if data_extra:
        data.update(data_extra)
    return (when, {"at": iso(when), "type": "form_submitted", "data": data})


def main():
    make_companies()
    leads, events = [], []
    for n in range(1, LEADS + 1):
        created = START + timedelta(minutes=rng.randint(0, (DAYS - 15) * 24 * 60))
        lead = make_lead(n, created)
        leads.append((created, lead))
    # Duplicates inside the lead file itself: a second record for the same person, typed differently.
    for k in range(12):
        created, original = rng.choice(leads[:LEADS])
        if "email" not in original:
            continue
        dup = dict(original)
        dup["id"] = "L-%04d" % (LEADS + 1 + k)
        dup["email"] = messy_email(original["email"].strip().lower())
        dup["created_at"] = iso(created + timedelta(days=rng.randint(1, 9)))
        leads.append((created + timedelta(days=1), dup))

    for created, lead in leads:
        story(lead, created, events)

    # Captures without a lead: new people, and people we already know (dedup must merge them).
    for _ in range(160):
        when = START + timedelta(minutes=rng.randint(0, DAYS * 24 * 60 - 1))
        name, domain, employees, industry, region = rng.choice(companies)
        _, _, _, firsts, lasts = REGIONS[region]
        first, last = rng.choice(firsts), rng.choice(lasts)
        if rng.random() < 0.75:
            email = "%s@%s" % (local_part(first, last), domain)
            extra = {"employees": employees} if rng.random() < 0.7 else None
            events.append(capture(when, email, first, last, name, rng.choice(TITLES), region, extra))
        else:
            email = "%s%d@%s" % (local_part(first, last), rng.randint(1, 999), rng.choice(FREE_MAIL))
            events.append(capture(when, email, first, last, None, rng.choice(TITLES), region))
    known = [lead for _, lead in leads if "email" in lead and "@" in lead["email"]]
    for _ in range(70):
        lead = rng.choice(known)
        when = START + timedelta(minutes=rng.randint(0, DAYS * 24 * 60 - 1))
        region = rng.randrange(len(REGIONS))
        if rng.random() < 0.8:  # same address, typed differently
            email = messy_email(lead["email"].strip())
            events.append(capture(when, email, lead.get("first_name", ""), lead.get("last_name"),
                                  lead.get("company"), lead.get("title"), region))
        elif "domain" in lead and "last_name" in lead:  # a new address at the same company: domain + name
            email = "%s.%s@%s" % ("x" + slug(lead["first_name"].translate(ASCII)), "new", lead["domain"])
            events.append(capture(when, email, lead["first_name"], lead["last_name"], lead.get("company"),
                                  lead.get("title"), region))

    # Account-level intent: every lead of the domain receives it.
    for _ in range(40):
        name, domain, _, _, _ = rng.choice(companies)
        when = START + timedelta(minutes=rng.randint(0, DAYS * 24 * 60 - 1))
        events.append((when, {"at": iso(when), "type": "company_intent",
                              "data": {"domain": domain, "page": rng.choice(["/pricing", "/demo", "/product/routing"])}}))
    # Job changes (template 8).
    for _ in range(10):
        _, lead = rng.choice(leads)
        name, domain, _, _, _ = rng.choice(companies)
        when = START + timedelta(minutes=rng.randint(60 * 24 * 20, DAYS * 24 * 60 - 1))
        events.append((when, {"at": iso(when), "type": "job_changed", "lead": lead["id"],
                              "data": {"company": name, "domain": domain, "title": rng.choice(TITLES[:8])}}))

    leads.sort(key=lambda p: (p[0], p[1]["id"]))
    events.sort(key=lambda p: (p[0], p[1].get("lead", ""), p[1]["type"]))
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "leads.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for _, lead in leads:
            f.write(json.dumps(lead, ensure_ascii=False) + "\n")
    with open(os.path.join(here, "events.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for _, e in events:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
    print("wrote %d leads and %d events" % (len(leads), len(events)))


if __name__ == "__main__":
    main()
