#!/usr/bin/env python3
"""Generates leads.jsonl and events.jsonl for the dry-run benchmark (issue 3 item 11b):
N leads (default 100,000) with about E events each (default 10) over D virtual days (default 90),
for the standard workflows in stdlib-workflows/. Deterministic (fixed seed, no clock): the same
arguments give the same bytes.

    python3 bench/gen_dry_run_data.py OUT_DIR [-n 100000] [-e 10] [--days 90] [--captures N] [--intents N]

Field and event names are those of stdlib-workflows/schema.flow; the script reads that file and
stops if a name it uses is not declared there. Every lead gets exactly E events: a form submit
(inbound_router: +30 and an AE with the 5-minute SLA, or +10 and the nurture drip), then web
visits, email opens and clicks (pricing clicks end the drip), replies, activity that stops SLAs,
meetings with no-shows (no_show_recovery), deal stages, and some unsubscribes and bounces. On top:
a few captures without a lead (deduplication) and account-level intent (fans out by domain), each
about 0.1% of the events, so those paths are part of the figure without dominating it.
"""
import argparse
import json
import os
import random
import re
import sys
from datetime import datetime, timedelta, timezone

SEED = 20260105
START = datetime(2026, 1, 5, 0, 0, tzinfo=timezone.utc)

COUNTRIES = [("US", "en", "America/New_York", 30), ("GB", "en", "Europe/London", 10),
             ("DE", "de", "Europe/Berlin", 10), ("AT", "de", "Europe/Vienna", 3),
             ("CH", "de", "Europe/Zurich", 3), ("ES", "es", "Europe/Madrid", 6),
             ("MX", "es", "America/Mexico_City", 4), ("CA", "en", "America/Toronto", 6),
             ("FR", "fr", "Europe/Paris", 6), ("BG", "bg", "Europe/Sofia", 4),
             ("IN", "en", "Asia/Kolkata", 6), ("BR", "pt", "America/Sao_Paulo", 5),
             ("JP", "ja", "Asia/Tokyo", 3), ("AU", "en", "Australia/Sydney", 4)]
FIRST = ["Ana", "Ben", "Chloé", "Dan", "Eva", "Jürgen", "María", "Noah", "Olivia", "Petar", "Yui", "Zoé"]
LAST = ["García", "Smith", "Müller", "Petrov", "Tanaka", "Dubois", "Silva", "Nguyen", "O'Brien", "Kowalski"]
TITLES = ["CEO", "CTO", "VP Sales", "Head of Growth", "Marketing Manager", "RevOps Manager", "SDR",
          "Account Executive", "Software Engineer", "Founder & CEO", "Director of Operations"]
INDUSTRIES = ["SaaS", "Manufacturing", "Fintech", "Healthcare", "Logistics", "Retail", "Education"]
SIZES = [5, 12, 30, 60, 120, 250, 480, 900, 2500, 12000]
FREE_MAIL = ["gmail.com", "yahoo.com", "outlook.com", "gmx.de"]
FORMS = ["demo-request", "contact-us", "ebook-download", "webinar-signup", "free-trial"]
PAGES = ["/pricing", "/demo", "/product/routing", "/product/scoring", "/blog/speed-to-lead", "/de/preise"]
TEMPLATES = ["nurture_1_problem_guide", "nurture_2_benchmarks", "nurture_3_case_study", "what_to_expect",
             "missed_you_reschedule", "permission_to_close"]

LEAD_FIELDS = ["id", "email", "first_name", "last_name", "title", "company", "domain", "industry", "employees",
               "country", "language", "timezone", "phone", "created_at", "utm_source", "utm_medium",
               "utm_campaign", "form_id", "landing_page"]
EVENT_FIELDS = {
    "form_submitted": ["email", "first_name", "last_name", "company", "title", "country", "language",
                       "employees", "form_id", "utm_source", "utm_medium", "utm_campaign", "landing_page"],
    "demo_requested": ["form_id"], "pricing_page_view": ["url"], "product_page_view": ["url"],
    "blog_view": ["url"], "whitepaper_download": ["asset"], "email_opened": ["template"],
    "email_clicked": ["template", "url"], "replied": ["template"], "bounced": ["template"],
    "unsubscribed": ["template"], "activity_logged": ["kind"], "meeting_booked": ["meeting_at"],
    "meeting_status_changed": ["status"], "deal_stage_changed": ["stage"], "deal_closed": ["won", "reason"],
    "company_intent": ["domain", "page"],
}


def check_names(schema_path):
    """Every name used here must be declared in schema.flow (lead fields, events, event fields)."""
    text = open(schema_path, encoding="utf-8").read()
    text = re.sub(r"#[^\n]*", "", text)
    lead = re.search(r"schema\s+lead\s*\{(.*?)\}", text, re.S)
    declared = set(re.findall(r"^\s*(\w+)\s*:", lead.group(1), re.M)) if lead else set()
    events = {}
    for m in re.finditer(r"event\s+(\w+)\s*(\{(.*?)\})?", text, re.S):
        events[m.group(1)] = set(re.findall(r"^\s*(\w+)\s*:", m.group(3) or "", re.M))
    missing = [f for f in LEAD_FIELDS if f not in declared]
    for name, fields in EVENT_FIELDS.items():
        if name not in events:
            missing.append("event " + name)
        missing += ["%s.%s" % (name, f) for f in fields if f not in events.get(name, set())]
    if missing:
        sys.exit("gen_dry_run_data.py: not declared in %s: %s" % (schema_path, ", ".join(missing)))


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="directory for leads.jsonl and events.jsonl")
    ap.add_argument("-n", "--leads", type=int, default=100_000)
    ap.add_argument("-e", "--events-per-lead", type=int, default=10)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--captures", type=int, help="form submits without a lead (default: 0.1%% of the events)")
    ap.add_argument("--intents", type=int, help="company_intent events (default: 0.1%% of the events)")
    ap.add_argument("--schema", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                     "stdlib-workflows", "schema.flow"))
    args = ap.parse_args()
    check_names(args.schema)
    rng = random.Random(SEED)
    n, per, days = args.leads, args.events_per_lead, args.days
    span = days * 86400
    weights = [c[3] for c in COUNTRIES]
    domains = ["acme%d.com" % i for i in range(max(1, n // 20))]  # about 20 leads per company
    # Gaps of up to a third of the window divided among the events: a story started in the first
    # two thirds ends inside the window, so every event is applied.
    max_gap = max(601, span // 3 // per)

    leads, events = [], []

    def add(sec, type_, lead, data):
        e = {"at": iso(START + timedelta(seconds=sec)), "type": type_}
        if lead:
            e["lead"] = lead
        if data:
            e["data"] = data
        events.append((sec, len(events), e))

    for i in range(n):
        lid = "L-%06d" % (i + 1)
        country, language, tz, _ = rng.choices(COUNTRIES, weights)[0]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        domain = rng.choice(domains)
        free = rng.random() < 0.2
        email = "%s.%s%d@%s" % (first.lower()[0], "x" if not last.isascii() else last.lower().replace("'", ""),
                                i, rng.choice(FREE_MAIL) if free else domain)
        # Created in the first two thirds of the window, so most stories finish inside it.
        created = rng.randrange(0, span * 2 // 3)
        lead = {"id": lid, "email": email, "first_name": first, "last_name": last, "title": rng.choice(TITLES),
                "company": domain.split(".")[0].capitalize() + " Inc.", "employees": rng.choice(SIZES),
                "industry": rng.choice(INDUSTRIES), "country": country, "language": language, "timezone": tz,
                "created_at": iso(START + timedelta(seconds=created)), "utm_source": "google",
                "utm_medium": "cpc", "form_id": rng.choice(FORMS)}
        if not free:
            lead["domain"] = domain
        if rng.random() < 0.5:
            lead["phone"] = "+1 555 %07d" % i
        leads.append(lead)

        # The story: exactly `per` events, every one after the lead exists.
        t = created + rng.randrange(60, 3600)
        add(t, "form_submitted", lid, {"form_id": lead["form_id"], "landing_page": "https://x.example/demo",
                                       "utm_source": "google", "utm_medium": "cpc", "utm_campaign": "q1"})
        temperature = rng.random()
        for k in range(per - 1):
            t += rng.randrange(600, max_gap)
            r = rng.random()
            if k == per - 2 and temperature < 0.03:
                add(t, rng.choice(["unsubscribed", "bounced"]), lid, {"template": rng.choice(TEMPLATES)})
            elif temperature > 0.8 and k == 2:
                add(t, "demo_requested", lid, {"form_id": "demo-request"})
            elif temperature > 0.8 and k == 3:
                add(t, "activity_logged", lid, {"kind": rng.choice(["call", "email", "meeting"])})
            elif temperature > 0.8 and k == 4:
                add(t, "meeting_booked", lid, {"meeting_at": iso(START + timedelta(seconds=t + 2 * 86400))})
            elif temperature > 0.8 and k == 5:
                status = rng.choices(["held", "no_show", "canceled"], [6, 3, 1])[0]
                add(t, "meeting_status_changed", lid, {"status": status})
            elif temperature > 0.9 and k == 6:
                add(t, "deal_stage_changed", lid, {"stage": rng.choice(["discovery", "proposal"])})
            elif r < 0.35:
                add(t, "email_opened", lid, {"template": rng.choice(TEMPLATES)})
            elif r < 0.50:
                url = "https://x.example" + rng.choice(PAGES)
                add(t, "email_clicked", lid, {"template": rng.choice(TEMPLATES), "url": url})
            elif r < 0.65:
                add(t, "blog_view", lid, {"url": "https://x.example/blog/speed-to-lead"})
            elif r < 0.75:
                add(t, "product_page_view", lid, {"url": "https://x.example/product/routing"})
            elif r < 0.85:
                add(t, "pricing_page_view", lid, {"url": "https://x.example/pricing"})
            elif r < 0.92:
                add(t, "whitepaper_download", lid, {"asset": "revops-playbook.pdf"})
            elif r < 0.97:
                add(t, "replied", lid, {"template": rng.choice(TEMPLATES)})
            else:
                add(t, "activity_logged", lid, {"kind": "call"})

    # Captures without a lead (half of them people already known: deduplication merges them) and
    # account-level intent, each about 0.1% of the events.
    extra = n * per // 1000
    captures = extra if args.captures is None else args.captures
    intents = extra if args.intents is None else args.intents
    for k in range(captures):
        sec = rng.randrange(0, span)
        if k % 2 == 0:
            email = "new%d@%s" % (k, rng.choice(domains))
        else:
            email = rng.choice(leads)["email"].upper()
        country, language, _, _ = rng.choices(COUNTRIES, weights)[0]
        add(sec, "form_submitted", None, {"email": email, "first_name": rng.choice(FIRST), "country": country,
                                          "language": language, "form_id": rng.choice(FORMS)})
    for k in range(intents):
        add(rng.randrange(0, span), "company_intent", None, {"domain": rng.choice(domains), "page": "/pricing"})

    events.sort(key=lambda e: (e[0], e[1]))
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "leads.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for lead in leads:
            f.write(json.dumps(lead, ensure_ascii=False, separators=(",", ":")) + "\n")
    with open(os.path.join(args.out, "events.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for _, _, e in events:
            f.write(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n")
    dropped = sum(1 for sec, _, _ in events if sec >= span)
    print("gen_dry_run_data.py: %d leads, %d events (%d after day %d) in %s"
          % (len(leads), len(events), dropped, days, args.out))


if __name__ == "__main__":
    main()
