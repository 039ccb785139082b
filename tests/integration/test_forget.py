#!/usr/bin/env python3
"""`POST /v1/forget` on a running `leadflow serve` (the API call of issue 5 item 7).

- Erasing a person answers 200 with what was erased; their lead is gone from the server (404) and
  their address from the database file and its WAL (byte search), while another tenant's person
  and the tenant's other leads stay.
- Another tenant's token cannot erase them (404, nothing changed); erasing twice answers 404.
- Bad requests name the field: not JSON (400 body), no or non-string e-mail (422 email),
  GET (405 method), no token (401 authorization).
- The same address signing up again becomes a new lead that is unsubscribed: never emailed.

Usage: test_forget.py [path/to/leadflow]
"""

import json
import time

from serve_harness import Server, check, iso, ndjson, run_test, wait_quiet, write_json, STDLIB

TOKENS = {"a": "alpha-secret-token-0123456789abcdef", "b": "bravo-secret-token-0123456789abcdef"}
PERSON = "erin.erase@forget-me.example"


def capture(at, email, key, first_name):
    return {"at": at, "type": "form_submitted", "idempotency_key": key,
            "data": {"email": email, "first_name": first_name, "last_name": "Forgettable", "employees": 120,
                     "country": "DE"}}


def post(server, path, body, tenant):
    status, _, data = server.request("POST", path, body, TOKENS.get(tenant))
    return status, (json.loads(data) if data else None)


def bytes_on_disk(db, needle):
    found = []
    for suffix in ("", "-wal"):
        try:
            with open(db + suffix, "rb") as f:
                if needle.encode().lower() in f.read().lower():
                    found.append(db + suffix)
        except FileNotFoundError:
            pass
    return found


def main(binary, tmp):
    config = write_json(f"{tmp}/serve.json", {"tenants": {t: {"tokens": [tok]} for t, tok in TOKENS.items()}})
    db = f"{tmp}/forget.db"
    server = Server(binary, STDLIB, db, config=config, sink=f"{tmp}/outbox.jsonl").start()
    past = iso(time.time() - 3600)

    for tenant, email, key, name in (("a", "  Erin.Erase@Forget-Me.example ", "a-1", "Erin"),
                                     ("a", "olga@alpha.example", "a-2", "Olga"),
                                     ("b", "boris@bravo.example", "b-1", "Boris")):
        status, body = post(server, "/v1/events", ndjson([capture(past, email, key, name)]), tenant)
        check(status == 200 and body["applied"] == 1, f"capture {email} in {tenant}: {status} {body!r}")
    wait_quiet(db)
    check(bytes_on_disk(db, PERSON), "the person's address should be in the store before the erasure")

    # Bad requests: the documented 4xx with the field, nothing erased.
    for body, tenant, expected, field in (("not json", "a", 400, "body"), ("{}", "a", 422, "email"),
                                          ('{"email": 5}', "a", 422, "email"), ('{"email": "  "}', "a", 422, "email"),
                                          ('{"email": "' + PERSON + '"}', None, 401, "authorization")):
        status, answer = post(server, "/v1/forget", body, tenant)
        check(status == expected and answer.get("field") == field,
              f"POST /v1/forget {body!r} as {tenant}: {status} {answer!r}, expected {expected} field {field}")
    status, _, data = server.request("GET", "/v1/forget", None, TOKENS["a"])
    check(status == 405, f"GET /v1/forget: {status} {data!r}, expected 405")

    # Tenant b cannot erase tenant a's person.
    status, answer = post(server, "/v1/forget", json.dumps({"email": PERSON}), "b")
    check(status == 404 and answer.get("field") == "email", f"tenant b erasing a's person: {status} {answer!r}")
    status, _, _ = server.request("GET", "/v1/leads/C-1", None, TOKENS["a"])
    check(status == 200, f"a's C-1 after b's refused erasure: {status}, expected 200")

    status, answer = post(server, "/v1/forget", json.dumps({"email": PERSON.upper()}), "a")
    check(status == 200 and answer["leads"] == ["C-1"] and answer["events_redacted"] >= 1,
          f"POST /v1/forget as a: {status} {answer!r}")
    check(answer["wal_truncated"] is True, f"the WAL should be truncated after the erasure: {answer!r}")
    status, _, _ = server.request("GET", "/v1/leads/C-1", None, TOKENS["a"])
    check(status == 404, f"the erased lead C-1: {status}, expected 404")
    leftovers = bytes_on_disk(db, PERSON)
    check(not leftovers, f"the erased address is still in {leftovers}")
    for tenant, lead_id in (("a", "C-2"), ("b", "C-1")):
        status, _, _ = server.request("GET", f"/v1/leads/{lead_id}", None, TOKENS[tenant])
        check(status == 200, f"{tenant}'s {lead_id} must survive the erasure of another person: {status}")

    status, answer = post(server, "/v1/forget", json.dumps({"email": PERSON}), "a")
    check(status == 404 and answer.get("field") == "email", f"erasing twice: {status} {answer!r}, expected 404")

    # Signing up again: a new lead, unsubscribed, never emailed.
    status, body = post(server, "/v1/events", ndjson([capture(iso(time.time() - 60), PERSON, "a-3", "Erin")]), "a")
    check(status == 200 and body["applied"] == 1, f"the same address signing up again: {status} {body!r}")
    wait_quiet(db)
    status, _, data = server.request("GET", "/v1/leads/C-3", None, TOKENS["a"])
    lead = json.loads(data) if status == 200 else {}
    check(status == 200 and lead["fields"].get("unsubscribed") is True,
          f"the returning address must be a new, unsubscribed lead: {status} {data[:300]!r}")
    sent = [json.loads(line) for line in open(f"{tmp}/outbox.jsonl", encoding="utf-8")
            if '"C-3"' in line and '"email"' in line]
    check(not any(e.get("action") == "email" for e in sent), f"the returning address was emailed: {sent[:2]!r}")

    rc = server.stop()
    check(rc == 0, f"serve exited with {rc} on SIGTERM")
    print("ok: POST /v1/forget erases a person from the running server and its files, per tenant, and keeps them suppressed")


if __name__ == "__main__":
    run_test(main)
