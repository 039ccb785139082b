#!/usr/bin/env python3
"""Writes a large, realistic .flow program for benchmarking `leadflow check`.

The output directory gets `shared.flow` (schema, events, stages, constants, teams, routers,
SLAs, calendars, governance, scoring models) and `workflows/wf_NNNN.flow` files of
--per-file workflows each, every one importing `../shared.flow`. The workflows mix every kind
of trigger (event with `where`, `becomes`, `crosses above/below`, `unchanged for`), enrollment
policies, exit rules, if/else chains, waits of every kind, sends, scoring, stages, routing and
SLAs, in the shapes of the playbooks' templates. The output is deterministic for a given seed
and `leadflow check` accepts it with no errors and no warnings.

Usage: bench/gen_workflows.py OUT_DIR [-n 10000] [--per-file 50] [--seed 1]
"""
import argparse
import os
import random
import shutil

FIELDS = {
    "first_name": "string", "last_name": "string", "title": "string", "company": "string",
    "industry": "string", "employees": "int", "country": "string", "language": "string",
    "phone": "string", "domain": "string", "utm_source": "string", "utm_medium": "string",
    "utm_campaign": "string", "form_id": "string", "landing_page": "string",
    "deal_amount": "decimal", "deal_stage": "string", "closed_at": "time", "lost_reason": "string",
    "named_account": "bool", "account_owner": "string", "target_account": "bool",
    "meeting_at": "time", "meeting_status": "string", "webinar_attended": "bool",
    "intent_page": "string", "intent_at": "time", "last_clicked_url": "string",
    "bant_budget": "bool", "bant_authority": "bool", "bant_need": "bool", "bant_timeline": "bool",
    "touches": "int", "follow_up_at": "time", "trial_days": "int", "arr": "decimal",
    "seats": "int", "nps": "int", "products": "list<string>", "segment": "string",
}
STRING_FIELDS = [f for f, t in FIELDS.items() if t == "string"]
INT_FIELDS = [f for f, t in FIELDS.items() if t == "int"]
BOOL_FIELDS = [f for f, t in FIELDS.items() if t == "bool"]
TIME_FIELDS = [f for f, t in FIELDS.items() if t == "time"]

# name -> (data fields, set clauses)
EVENTS = {
    "form_submitted": ({"form_id": "string", "utm_source": "string", "employees": "int",
                        "country": "string", "company": "string"},
                       ["set lead.form_id = event.form_id", "set lead.utm_source = event.utm_source"]),
    "demo_requested": ({"form_id": "string"}, []),
    "contact_form": ({"form_id": "string"}, []),
    "free_trial_signup": ({"form_id": "string", "seats": "int"}, ["set lead.seats = event.seats"]),
    "pricing_page_view": ({"url": "string"}, []),
    "product_page_view": ({"url": "string"}, []),
    "blog_view": ({"url": "string"}, []),
    "whitepaper_download": ({"asset": "string"}, []),
    "webinar_registered": ({"webinar": "string"}, []),
    "webinar_ended": ({"webinar": "string", "attended": "bool"},
                      ["set lead.webinar_attended = event.attended"]),
    "email_opened": ({"template": "string"}, []),
    "email_clicked": ({"template": "string", "url": "string"},
                      ["set lead.last_clicked_url = event.url"]),
    "replied": ({"template": "string"}, ["set lead.last_activity_at = now"]),
    "bounced": ({"template": "string"}, ["set lead.bounced = true"]),
    "unsubscribed": ({"template": "string"}, ["set lead.unsubscribed = true"]),
    "activity_logged": ({"kind": "string"}, ["set lead.last_activity_at = now"]),
    "meeting_booked": ({"meeting_at": "time"},
                       ["set lead.meeting_at = event.meeting_at", 'set lead.meeting_status = "booked"']),
    "meeting_status_changed": ({"status": "string"}, ["set lead.meeting_status = event.status"]),
    "deal_stage_changed": ({"stage": "string"}, ["set lead.deal_stage = event.stage"]),
    "deal_closed": ({"won": "bool", "reason": "string"}, ["set lead.closed_at = now"]),
    "disqualified": ({"reason": "string"},
                     ['set lead.stage = "disqualified"', "set lead.lost_reason = event.reason"]),
    "company_intent": ({"domain": "string", "page": "string"},
                       ["set lead.intent_page = event.page", "set lead.intent_at = now"]),
    "nps_submitted": ({"score": "int"}, ["set lead.nps = event.score"]),
}
TRIGGER_EVENTS = [e for e in EVENTS if e not in ("replied", "unsubscribed", "bounced")]
STOP_EVENTS = ["replied", "meeting_booked", "unsubscribed", "bounced", "disqualified"]
STAGES = ["cold", "nurture", "mql", "sql", "opportunity", "customer", "closed_won", "closed_lost",
          "disqualified", "recycled"]
TEAMS = ["sdr", "ae", "dach", "spanish", "enterprise", "smb", "partners", "nordics"]
ROUTERS = ["ae_router", "sdr_router", "partner_router", "emea_router"]
SLAS = ["hot_lead", "mql_lead", "demo_request", "trial_signup"]
CALENDARS = ["office", "us_office", "sofia_office"]
CONSTS = {
    "target_countries": '["US", "CA", "GB", "DE", "AT", "CH"]',
    "dach_countries": '["DE", "AT", "CH"]',
    "nordic_countries": '["SE", "NO", "DK", "FI", "IS"]',
    "free_mail": '["gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com"]',
    "target_industries": '["software", "fintech", "logistics", "healthcare", "manufacturing"]',
    "min_employees": "50",
    "enterprise_employees": "500",
    "follow_up_after": "2d",
    "nurture_gap": "7d",
    "vip_domain": '"acme.com"',
}
TIME_ZONES = ["Europe/Berlin", "Europe/Sofia", "America/New_York", "Europe/Madrid", "Europe/Stockholm",
              "UTC", "America/Chicago", "Europe/London"]
TEMPLATES = ["welcome", "case_study", "benchmarks", "calendar_link", "closing_the_loop", "pricing_guide",
             "webinar_recording", "trial_tips", "roi_calculator", "customer_story", "break_up",
             "product_update", "meeting_confirmation", "no_show_reschedule", "renewal_notice"]


def shared_file(rng):
    out = ["# Shared declarations of the generated benchmark program (bench/gen_workflows.py).", ""]
    out.append("schema lead {")
    for name, ty in FIELDS.items():
        out.append(f"  {name}: {ty}")
    out.append("}")
    out.append("")
    for name, (data, sets) in EVENTS.items():
        out.append(f"event {name} {{")
        for f, ty in data.items():
            out.append(f"  {f}: {ty}")
        for s in sets:
            out.append(f"  {s}")
        out.append("}")
    out.append("")
    out.append("stages lifecycle {")
    out += [f"  {s}" for s in STAGES]
    out.append("}")
    out.append("stages playbook_v1 by score {\n  cold 0..9\n  nurture 10..19\n  mql 20..29\n  sql 30..100\n}")
    out.append("")
    for name, value in CONSTS.items():
        out.append(f"const {name} = {value}")
    out.append("")
    for i, team in enumerate(TEAMS):
        members = ", ".join(f'"{team}{k}@example.com"' for k in range(rng.randint(2, 6)))
        out.append(f"team {team} {{")
        out.append(f'  manager "{team}-lead@example.com"')
        out.append(f"  members [{members}]")
        out.append(f"  capacity {rng.choice([15, 25, 40])}")
        out.append(f'  timezone "{TIME_ZONES[i % len(TIME_ZONES)]}"')
        out.append("  hours 09:00..18:00")
        out.append("}")
    out.append("")
    for r in ROUTERS:
        out.append(f"router {r} {{")
        out.append("  lead.named_account -> lead.account_owner")
        out.append("  lead.country in dach_countries -> round_robin team dach skip away, at_capacity")
        out.append("  lead.country in nordic_countries -> team nordics")
        out.append('  lead.language == "es" -> round_robin team spanish skip away')
        out.append("  lead.employees > enterprise_employees -> team enterprise")
        out.append('  lead.email_domain == vip_domain -> "vip-desk@example.com"')
        out.append(f"  otherwise -> round_robin team {rng.choice(['ae', 'sdr', 'smb'])} skip away, at_capacity")
        out.append("  fallback manager")
        out.append("}")
    out.append("")
    out.append("sla hot_lead 5m from assign until first_activity {\n  at 50% remind owner\n"
               "  at 100% alert manager\n  at 150% reassign\n}")
    out.append("sla mql_lead 2h from assign until first_activity {\n  at 50% remind owner\n"
               "  at 100% alert manager\n  at 200% reassign\n}")
    out.append("sla demo_request 15m from event demo_requested until first_activity {\n"
               "  at 50% remind owner\n  at 100% alert manager\n  at 133.34% alert team\n}")
    out.append("sla trial_signup 1h from event free_trial_signup until event activity_logged {\n"
               '  at 100% alert team\n  at 200% notify slack "#sales-managers"\n}')
    out.append("")
    for c, tz in zip(CALENDARS, ["Europe/Berlin", "America/New_York", "Europe/Sofia"]):
        out.append(f'calendar {c} {{\n  timezone "{tz}"\n  workdays mon..fri\n  hours 09:00..17:00\n'
                   f'  holidays ["2026-01-01", "2026-12-24", "2026-12-25", "2026-12-31"]\n}}')
    out.append('governance {\n  timezone "UTC"\n  cap email 75 per sender per day\n'
               "  cap linkedin 25 per sender per day\n  cap sms 100 per day\n  cap actions 500 per day\n"
               "  send window 08:00..18:00\n}")
    out.append("")
    out.append("scoring fit {")
    out.append(r'  lead.title matches /\b(ceo|cto|cfo|coo|chief)\b/i -> +25 "C-level"')
    out.append(r'  lead.title matches /\b(vp|director|head)\b/i -> +20 "VP, director or head"')
    out.append('  lead.employees >= enterprise_employees -> +20 "500+ employees"')
    out.append('  lead.employees >= 100 and lead.employees < 500 -> +15 "100-499 employees"')
    out.append('  lead.industry in target_industries -> +10 "target industry"')
    out.append('  lead.email_domain in free_mail -> -10 "free-mail address"')
    out.append("}")
    out.append("scoring engagement {")
    out.append('  on pricing_page_view -> +20 "pricing page view"')
    out.append('  on email_clicked where event.url matches "/demo" -> +5')
    out.append('  on webinar_ended where event.attended -> +10 "attended a webinar"')
    out.append('  on unsubscribed -> -20 "unsubscribed"')
    out.append('  inactive 30d -> -15 "30+ days inactive"')
    out.append("}")
    out.append("use scoring fit, engagement")
    out.append("use stages playbook_v1")
    return "\n".join(out) + "\n"


class Gen:
    def __init__(self, rng):
        self.rng = rng

    def pick(self, xs):
        return self.rng.choice(xs)

    # ---- expressions
    def condition(self, depth=0):
        r = self.rng.random()
        choices = [
            lambda: f"lead.employees > {self.pick(['min_employees', 'enterprise_employees', '10', '200', '1000'])}",
            lambda: f"lead.country in {self.pick(['target_countries', 'dach_countries', 'nordic_countries'])}",
            lambda: f'lead.country == "{self.pick(["DE", "US", "GB", "FR", "ES", "BG"])}"',
            lambda: f"lead.{self.pick(BOOL_FIELDS)}",
            lambda: f"not lead.{self.pick(BOOL_FIELDS)}",
            lambda: f"lead.email_domain not in free_mail",
            lambda: f"lead.industry in target_industries",
            lambda: f"lead.score >= {self.rng.randint(5, 80)}",
            lambda: f"days_since(lead.{self.pick(['last_activity_at', 'created_at', 'stage_changed_at'])}) > {self.rng.randint(3, 60)}",
            lambda: f"lead.deal_amount >= {self.rng.randint(1, 200)}000.0",
            lambda: f'lead.title matches /{self.pick(["vp|director", "ceo|founder", "head of", "manager"])}/i',
            lambda: f'"{self.pick(["vip", "partner", "trial", "webinar"])}" in lead.tags',
            lambda: f'lower(lead.{self.pick(STRING_FIELDS)}) == "{self.pick(["yes", "linkedin", "google", "partner"])}"',
            lambda: f"lead.meeting_at != null and lead.meeting_at > now",
            lambda: f"coalesce(lead.touches, 0) < {self.rng.randint(2, 9)}",
            lambda: f"length(lead.{self.pick(['company', 'title', 'domain'])}) > {self.rng.randint(2, 12)}",
            lambda: f'lead.{self.pick(STRING_FIELDS)} == "{self.pick(["opportunity", "booked", "linkedin", "es", "software"])}"',
        ]
        c = self.pick(choices)()
        if depth < 2 and r < 0.35:
            op = self.pick(["and", "or"])
            rhs = self.condition(depth + 1)
            c = f"{c} {op} {rhs}" if op == "and" else f"({c} or {rhs})"
        return c

    def duration(self, big=False):
        if big:
            return self.pick(["7d", "14d", "30d", "60d", "90d", "2w", "4w"])
        return self.pick(["5m", "30m", "1h", "2h", "4h", "1h30m", "1d", "2d", "3d", "follow_up_after", "nurture_gap"])

    def text(self, words):
        interp = self.pick(["{lead.first_name}", "{lead.company}", "{lead.email}", "{lead.score}", "{lead.country}"])
        return f"{self.pick(words)} {interp}"

    # ---- steps
    def simple_step(self, ctx):
        k = self.rng.random()
        if k < 0.14:
            return [f'score {self.pick(["+", "-"])}{self.rng.randint(1, 40)} "{self.pick(["engaged", "fit signal", "intent", "cold signal", "manual review"])}"']
        if k < 0.25:
            return [f'tag "{self.pick(["vip", "hot", "nurture", "partner", "trial", "enterprise", "dach", "webinar", "no_reply"])}"']
        if k < 0.36:
            due = f" due {self.duration()}"
            prio = f" priority {self.pick(['low', 'normal', 'high'])}" if self.rng.random() < 0.5 else ""
            owner = " owner lead.owner" if self.rng.random() < 0.3 else ""
            return [f'task "{self.text(["Call", "Email", "Research", "Follow up with", "Prepare a deck for"])}"{due}{owner}{prio}']
        if k < 0.46:
            ctx["sends"] += 1
            channel = self.pick(["email", "email", "email", "sms", "linkedin"])
            extra = ""
            if channel == "email" and self.rng.random() < 0.4:
                extra = f' from "{self.pick(["sales", "vp_sales", "success", "marketing"])}@example.com"'
            elif channel == "sms":
                extra = " to lead.phone"
            return [f'send {channel} "{self.pick(TEMPLATES)}_{self.rng.randint(1, 9)}"{extra}']
        if k < 0.53:
            which = self.pick(["slack", "owner", "manager"])
            if which == "slack":
                return [f'notify slack "#{self.pick(["sales-alerts", "marketing", "cs-team", "deals"])}" "{self.text(["Hot lead:", "New signup:", "Stalled:", "Won:"])}"']
            return [f'notify {which} "{self.text(["Please call", "Check", "Heads up on"])}"']
        if k < 0.62:
            f = self.pick(INT_FIELDS + STRING_FIELDS[:6] + ["follow_up_at"])
            ty = FIELDS[f]
            if ty == "int":
                v = f"coalesce(lead.{f}, 0) + 1"
            elif ty == "time":
                v = f"now + {self.duration()}"
            else:
                v = f'"{self.pick(["linkedin", "partner", "inbound", "outbound", "es"])}"'
            return [f"set lead.{f} = {v}"]
        if k < 0.68:
            return [f'stage {self.pick(STAGES)} reason "{self.pick(["qualified on a call", "no reply", "score moved", "deal closed"])}"']
        if k < 0.74:
            sla = f" with sla {self.pick(SLAS[:2])}" if self.rng.random() < 0.6 else ""
            how = self.pick([f"using {self.pick(ROUTERS)}", f"to team {self.pick(TEAMS)}", "to lead.account_owner",
                             f'to "{self.pick(["ana", "ben", "eva"])}@example.com"'])
            return [f"assign {how}{sla}"]
        if k < 0.78:
            return [self.pick(["validate email", "enrich"])]
        if k < 0.81:
            return [f'webhook "https://hooks.example.com/{self.pick(["crm", "billing", "warehouse"])}/{self.rng.randint(1, 999)}"']
        if k < 0.86 and ctx["others"]:
            return [f"enroll {self.pick(ctx['others'])}"]
        return [f"wait {self.duration()}"]

    def block(self, ctx, n, depth, indent):
        lines = []
        for _ in range(n):
            r = self.rng.random()
            if depth < 2 and r < 0.15:
                lines += self.if_step(ctx, depth + 1, indent)
            elif depth < 2 and r < 0.22:
                lines += self.wait_step(ctx, depth + 1, indent)
            else:
                lines += [indent + s for s in self.simple_step(ctx)]
        return lines

    def if_step(self, ctx, depth, indent):
        lines = [f"{indent}if {self.condition()} {{"]
        lines += self.block(ctx, self.rng.randint(1, 3), depth, indent + "  ")
        for _ in range(self.rng.choice([0, 0, 1, 2])):
            lines.append(f"{indent}}} else if {self.condition()} {{")
            lines += self.block(ctx, self.rng.randint(1, 2), depth, indent + "  ")
        if self.rng.random() < 0.5:
            lines.append(f"{indent}}} else {{")
            lines += self.block(ctx, self.rng.randint(1, 2), depth, indent + "  ")
        lines.append(f"{indent}}}")
        return lines

    def wait_step(self, ctx, depth, indent):
        r = self.rng.random()
        if r < 0.25:
            return [f"{indent}wait {self.rng.randint(1, 5)} business {self.pick(['days', 'hours'])}"
                    + (f" using {self.pick(CALENDARS)}" if self.rng.random() < 0.6 else "")]
        if r < 0.35:
            return [f"{indent}wait until {self.pick(['lead.meeting_at - 1h', 'lead.follow_up_at', 'now + 1d', 'lead.meeting_at - 10m'])}"]
        ev = self.pick(["email_clicked", "replied", "meeting_booked", "pricing_page_view", "activity_logged"])
        where = ""
        if ev == "email_clicked":
            where = f" where event.url matches /{self.pick(['pricing', 'demo', 'case-study'])}/i"
        elif ev == "pricing_page_view" and self.rng.random() < 0.5:
            where = ' where event.url matches "/enterprise"'
        lines = [f"{indent}wait up to {self.duration(big=True)} for event {ev}{where} on timeout {{"]
        lines += self.block(ctx, self.rng.randint(1, 3), depth, indent + "  ")
        if self.rng.random() < 0.3:
            lines.append(indent + "  stop")
        lines.append(f"{indent}}}")
        return lines

    def trigger(self):
        r = self.rng.random()
        if r < 0.45:
            ev = self.pick(TRIGGER_EVENTS)
            data = EVENTS[ev][0]
            if data and self.rng.random() < 0.5:
                f = self.pick(list(data))
                ty = data[f]
                if ty == "string":
                    cond = f'event.{f} == "{self.pick(["demo", "linkedin", "pricing", "de", "q1"])}"'
                elif ty == "int":
                    cond = f"event.{f} > {self.rng.randint(1, 100)}"
                elif ty == "bool":
                    cond = f"event.{f}"
                else:
                    cond = f"event.{f} > now"
                return f"{ev} where {cond}"
            return ev
        if r < 0.6:
            f = self.pick(["stage", "meeting_status", "deal_stage", "segment"])
            return f'lead.{f} becomes "{self.pick(["mql", "no_show", "held", "opportunity", "sql", "negotiation"])}"'
        if r < 0.8:
            f = self.pick(["score", "score", "employees", "nps", "touches"])
            return f"lead.{f} crosses {self.pick(['above ', 'below ', ''])}{self.rng.randint(5, 90)}"
        return f"{self.condition()} unchanged for {self.duration(big=True)}"

    def workflow(self, name, others):
        ctx = {"sends": 0, "others": others}
        lines = [f"workflow {name} {{"]
        for _ in range(1 if self.rng.random() < 0.75 else 2):
            lines.append(f"  when {self.trigger()}")
        r = self.rng.random()
        if r < 0.3:
            lines.append("  enroll once per lead")
        elif r < 0.45:
            lines.append("  enroll always")
        elif r < 0.7:
            lines.append(f"  enroll again after {self.duration(big=True)}")
        body = self.block(ctx, self.rng.randint(2, 7), 0, "  ")
        # Every workflow gets the playbooks' stop rules, so no MissingStopRule warnings.
        stops = self.rng.sample(STOP_EVENTS, self.rng.randint(2, 5))
        if "replied" not in stops:
            stops[0] = "replied"
        lines.append(f"  exit when event {', '.join(stops)}")
        if self.rng.random() < 0.5:
            lines.append('  exit when lead.unsubscribed or lead.stage == "disqualified"')
        lines += body
        lines.append("}")
        return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("-n", "--workflows", type=int, default=10000)
    ap.add_argument("--per-file", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    if os.path.isdir(args.out_dir):
        shutil.rmtree(args.out_dir)
    os.makedirs(os.path.join(args.out_dir, "workflows"))
    with open(os.path.join(args.out_dir, "shared.flow"), "w") as f:
        f.write(shared_file(rng))

    gen = Gen(rng)
    total_bytes = 0
    n_files = (args.workflows + args.per_file - 1) // args.per_file
    for k in range(n_files):
        first = k * args.per_file
        names = [f"wf_{i:05d}" for i in range(first, min(first + args.per_file, args.workflows))]
        out = [f"# Generated workflows {names[0]}..{names[-1]} (bench/gen_workflows.py, seed {args.seed}).",
               'import "../shared.flow"', ""]
        for j, name in enumerate(names):
            # `enroll` steps name workflows of the same file that come later (no cycles of enrolls
            # are needed for the benchmark, but forward references are part of the mix).
            out += gen.workflow(name, names[j + 1 : j + 4])
            out.append("")
        text = "\n".join(out)
        total_bytes += len(text)
        with open(os.path.join(args.out_dir, "workflows", f"wf_{k:04d}.flow"), "w") as f:
            f.write(text)
    print(f"gen_workflows.py: {args.workflows} workflows in {n_files} files + shared.flow, "
          f"{total_bytes / 1e6:.2f} MB, in {args.out_dir}")


if __name__ == "__main__":
    main()
