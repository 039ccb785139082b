#!/usr/bin/env python3
"""Tenant isolation in a running `leadflow serve`: two tenants with their own tokens.

- Both get a lead `C-1` (the capture counter is per tenant); each sees only its own.
- Tenant a reading b's lead gets 404 like a missing lead (not 403: that would confirm it exists).
- Tenant a posting events naming b's lead ids is refused (422 unknown lead) and b's lead is unchanged.
- The same idempotency key in both tenants is two different events.
- /metrics (no token) and /v1/workflows carry no lead id, e-mail address, tenant name or token.

Usage: test_tenants.py [path/to/leadflow]
"""

import json
import subprocess
import time

from serve_harness import Server, check, db_rows, fail, iso, json_body, ndjson, run_test, wait_quiet, write_json, STDLIB

TOKENS = {"a": "alpha-secret-token-0123456789abcdef", "b": "bravo-secret-token-0123456789abcdef"}


def capture(at, email, key, first_name, **data):
    return {"at": at, "type": "form_submitted", "idempotency_key": key,
            "data": {"email": email, "first_name": first_name, "last_name": "Isolated", **data}}


def lead(server, tenant, lead_id):
    status, _, body = server.request("GET", f"/v1/leads/{lead_id}", None, TOKENS[tenant])
    return status, (json.loads(body) if body else None)


def stored(db, tenant, lead_id):
    rows = db_rows(db, "SELECT state FROM leads WHERE tenant=? AND id=?", (tenant, lead_id))
    return rows[0][0] if rows else None


def main(binary, tmp):
    config = write_json(f"{tmp}/serve.json", {"tenants": {t: {"tokens": [tok]} for t, tok in TOKENS.items()}})
    db = f"{tmp}/tenants.db"
    server = Server(binary, STDLIB, db, config=config, sink=f"{tmp}/outbox.jsonl").start()
    past = iso(time.time() - 10 * 86400)

    # The same idempotency key in both tenants: two events, one per tenant.
    for tenant, email, name in (("a", "anna@alpha.example", "Anna"), ("b", "boris@bravo.example", "Boris")):
        status, _, body = server.request("POST", "/v1/events", ndjson([capture(past, email, "same-key", name)]), TOKENS[tenant])
        check(status == 200 and json.loads(body)["applied"] == 1,
              f"tenant {tenant}: capture with key `same-key`: {status} {body!r} (keys must be per tenant)")
    wait_quiet(db)

    status_a, lead_a = lead(server, "a", "C-1")
    status_b, lead_b = lead(server, "b", "C-1")
    check(status_a == 200 and lead_a["fields"].get("email") == "anna@alpha.example",
          f"tenant a's C-1: {status_a} {lead_a!r:.300}")
    check(status_b == 200 and lead_b["fields"].get("email") == "boris@bravo.example",
          f"tenant b's C-1 is not its own (same id in two tenants must stay separate): {status_b} {lead_b!r:.300}")

    # a's second lead: b must not see it, and a 404 must be indistinguishable from a missing lead.
    status, _, body = server.request("POST", "/v1/events", ndjson([capture(past, "carl@alpha.example", "a-2", "Carl")]), TOKENS["a"])
    check(status == 200, f"tenant a: second capture: {status} {body!r}")
    status, answer = lead(server, "b", "C-2")
    status_missing, answer_missing = lead(server, "b", "C-77")
    check(status == 404, f"tenant b reading tenant a's lead C-2: status {status}, expected 404 (docs/operations.md)")
    check(answer.get("field") == "id" and status_missing == 404 and
          answer["error"].replace("C-2", "X") == answer_missing["error"].replace("C-77", "X"),
          f"another tenant's lead must answer exactly like a missing one: {answer!r} vs {answer_missing!r}")

    # b posts events naming a's leads: refused, a's leads unchanged.
    before_c1, before_c2 = stored(db, "a", "C-1"), stored(db, "a", "C-2")
    for lead_id in ("C-2", "C-1"):
        event = {"at": past, "type": "unsubscribed", "lead": lead_id, "data": {"template": "x"}}
        status, _, body = server.request("POST", "/v1/events", ndjson([event]), TOKENS["b"])
        if lead_id == "C-2":
            check(status == 422 and json.loads(body).get("field") == "lead",
                  f"tenant b posting an event for a's lead C-2: {status} {body!r}, expected 422 field `lead`")
        else:
            # b has its own C-1: the event lands there, never on a's C-1.
            check(status == 200, f"tenant b posting to its own C-1: {status} {body!r}")
    wait_quiet(db)
    check(stored(db, "a", "C-2") == before_c2, "tenant a's C-2 changed after tenant b posted events naming it")
    check(stored(db, "a", "C-1") == before_c1, "tenant a's C-1 changed after tenant b posted an event to b's C-1")
    status, lead_b = lead(server, "b", "C-1")
    check(lead_b["fields"].get("unsubscribed") is True, f"tenant b's own C-1 did not get b's event: {lead_b!r:.300}")
    status, lead_a = lead(server, "a", "C-1")
    check(lead_a["fields"].get("unsubscribed") in (None, False), f"tenant a's C-1 got tenant b's event: {lead_a!r:.300}")

    # Account-level events reach only the posting tenant's leads of that domain.
    status, _, body = server.request("POST", "/v1/events", ndjson([{"at": past, "type": "company_intent",
                                                                  "data": {"domain": "alpha.example", "page": "/pricing"}}]), TOKENS["b"])
    check(status == 200, f"tenant b: company_intent: {status} {body!r}")
    wait_quiet(db)
    status, lead_a = lead(server, "a", "C-1")
    check(lead_a["fields"].get("intent_page") is None, f"tenant b's company_intent reached tenant a's lead: {lead_a!r:.300}")

    # Nothing in the shared endpoints names a lead, a person, a tenant or a token.
    secrets = ["anna@alpha.example", "carl@alpha.example", "boris@bravo.example", "Anna", "Boris", "C-1", "C-2",
               "alpha", "bravo"] + list(TOKENS.values())
    for path, token in (("/metrics", None), ("/v1/workflows", TOKENS["b"]), ("/v1/reload/plan", TOKENS["b"]), ("/healthz", None)):
        status, _, body = server.request("GET", path, None, token)
        check(status == 200, f"GET {path}: {status}")
        text = body.decode("utf-8", "replace")
        for s in secrets:
            check(s not in text, f"GET {path} leaks `{s}`")
    status, _, body = server.request("GET", "/v1/workflows", None, None)
    check(status == 401, f"GET /v1/workflows without a token: {status}, expected 401")
    status, _, body = server.request("POST", "/v1/reload", None, "alpha-secret-token-0123456789abcdeX")
    check(status == 401, f"POST /v1/reload with a near-miss token: {status}, expected 401")

    # The store: every row is scoped, and a's rows are exactly a's.
    emails = {t: {json.loads(s)["fields"].get("email") for (s,) in db_rows(db, "SELECT state FROM leads WHERE tenant=?", (t,))}
              for t in TOKENS}
    check(emails == {"a": {"anna@alpha.example", "carl@alpha.example"}, "b": {"boris@bravo.example"}},
          f"stored leads per tenant: {emails}")
    # One serve per store: a second one on the same database is refused before it binds.
    second = subprocess.run([binary, "serve", "--workflows", STDLIB, "--db", db, "--listen", "127.0.0.1:1"],
                            capture_output=True, text=True, timeout=60)
    check(second.returncode == 2 and "in use by another leadflow serve" in second.stderr,
          f"a second serve on the same db: exit {second.returncode}, stderr {second.stderr!r}")
    rc = server.stop()
    check(rc == 0, f"serve exited with {rc} on SIGTERM")
    print("ok: two tenants stay isolated (reads 404, writes 422, keys and ids per tenant, shared endpoints leak nothing)")


if __name__ == "__main__":
    run_test(main)
