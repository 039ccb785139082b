#!/usr/bin/env python3
"""Bad input against a running `leadflow serve`: each request gets the 4xx that docs/operations.md
documents, with a JSON error naming the field, and the database is byte-for-byte the same
(every table dumped before and after). The server must still answer afterwards.

Usage: test_malformed.py [path/to/leadflow]
"""

import json
import socket
import time

from serve_harness import (Server, check, dump_db, dump_difference, fail, iso, json_body, ndjson, run_test,
                           wait_quiet, write_json, STDLIB)

TOKEN_A = "tenant-a-token-0123456789abcdef"
TOKEN_B = "tenant-b-token-0123456789abcdef"
MAX_BODY = 65536
# The NDJSON line an error names, where the request has several.
LINES = {"NDJSON batch with one bad line (line 3)": 3, "NDJSON batch with one unknown lead (line 2)": 2}


def capture(at, email, key=None, **data):
    event = {"at": at, "type": "form_submitted", "data": {"email": email, "first_name": "Ana", **data}}
    if key:
        event["idempotency_key"] = key
    return event


def raw_http(port, payload):
    """Sends raw bytes (malformed HTTP) and returns the status line's code."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(payload)
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    parts = data.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def main(binary, tmp):
    config = write_json(f"{tmp}/serve.json", {
        "tenants": {"a": {"tokens": [TOKEN_A]}, "b": {"tokens": [TOKEN_B]}},
        "limits": {"max_body_bytes": MAX_BODY, "max_json_depth": 16},
    })
    db = f"{tmp}/malformed.db"
    server = Server(binary, STDLIB, db, config=config, sink=f"{tmp}/outbox.jsonl").start()

    # A lead to aim at (C-1 of tenant a), created 40 days ago so its waits are all behind us:
    # nothing comes due while the bad requests run, and the store must not move at all.
    past = iso(time.time() - 40 * 86400)
    status, _, body = server.request("POST", "/v1/events", ndjson([capture(past, "ana@acme.example", "seed-1")]), TOKEN_A)
    check(status == 200, f"seed capture: {status} {body!r}")
    status, _, body = server.request("POST", "/v1/events", ndjson([capture(past, "bo@beta.example", "seed-b")]), TOKEN_B)
    check(status == 200, f"seed capture of tenant b: {status} {body!r}")
    wait_quiet(db)

    valid = capture(past, "new@acme.example")
    deep = {"at": past, "type": "form_submitted", "data": {"email": "d@acme.example"}}
    node = deep["data"]
    for _ in range(40):
        node["x"] = {}
        node = node["x"]
    cases = [
        # (name, method, path, body, token, expected status, expected field)
        ("invalid JSON", "POST", "/v1/events", '{"at": "2026-01-01T00:00:00Z", "type": ', TOKEN_A, 400, "body"),
        ("a JSON array, not an event", "POST", "/v1/events", "[1, 2, 3]", TOKEN_A, 400, "body"),
        ("`type` of the wrong type", "POST", "/v1/events", json.dumps({"at": past, "type": 5, "data": {}}), TOKEN_A, 400, "type"),
        ("`data` field of the wrong type", "POST", "/v1/events",
         json.dumps(capture(past, "x@acme.example", employees="many")), TOKEN_A, 400, "data.employees"),
        ("`data` not an object", "POST", "/v1/events", json.dumps({"at": past, "type": "form_submitted", "data": 7}), TOKEN_A, 400, "data"),
        ("missing `type`", "POST", "/v1/events", json.dumps({"at": past, "data": {"email": "x@acme.example"}}), TOKEN_A, 400, "type"),
        ("unknown event type", "POST", "/v1/events", json.dumps({"at": past, "type": "teleported", "data": {}}), TOKEN_A, 400, "type"),
        ("missing lead (a lead-level event without `lead`)", "POST", "/v1/events",
         json.dumps({"at": past, "type": "email_opened", "data": {"template": "t"}}), TOKEN_A, 400, "lead"),
        ("capture without `data.email`", "POST", "/v1/events",
         json.dumps({"at": past, "type": "form_submitted", "data": {"first_name": "Ana"}}), TOKEN_A, 400, "data.email"),
        ("unknown lead", "POST", "/v1/events",
         json.dumps({"at": past, "type": "email_opened", "lead": "C-999", "data": {"template": "t"}}), TOKEN_A, 422, "lead"),
        ("another tenant's lead id (b has no C-2)", "POST", "/v1/events",
         json.dumps({"at": past, "type": "email_opened", "lead": "C-2", "data": {"template": "t"}}), TOKEN_B, 422, "lead"),
        ("bad time stamp", "POST", "/v1/events", json.dumps({**valid, "at": "yesterday at noon"}), TOKEN_A, 400, "at"),
        ("time stamp of the wrong type", "POST", "/v1/events", json.dumps({**valid, "at": 1700000000}), TOKEN_A, 400, "at"),
        ("non-UTF-8 bytes in a string", "POST", "/v1/events",
         json.dumps(capture(past, "PLACEHOLDER@acme.example")).encode().replace(b"PLACEHOLDER", b"\xff\xfe"), TOKEN_A, 400, "body"),
        ("empty body", "POST", "/v1/events", "", TOKEN_A, 400, "body"),
        ("whitespace-only body", "POST", "/v1/events", "\n\n  \n", TOKEN_A, 400, "body"),
        ("oversized body", "POST", "/v1/events", ndjson([valid]) + " " * MAX_BODY, TOKEN_A, 413, "body"),
        ("JSON nested deeper than the limit", "POST", "/v1/events", json.dumps(deep), TOKEN_A, 413, "body"),
        ("huge number", "POST", "/v1/events", json.dumps(capture(past, "h@acme.example")).replace('"first_name"', '"employees": 1e999, "first_name"'),
         TOKEN_A, 400, "body"),
        ("integer beyond 64 bits for an int field", "POST", "/v1/events",
         json.dumps(capture(past, "h@acme.example")).replace('"first_name"', '"employees": 123456789012345678901234567890, "first_name"'),
         TOKEN_A, 400, "data.employees"),
        ("`idempotency_key` of the wrong type", "POST", "/v1/events", json.dumps({**valid, "idempotency_key": 42}), TOKEN_A, 400, "idempotency_key"),
        ("NDJSON batch with one bad line (line 3)", "POST", "/v1/events",
         ndjson([capture(past, "n1@acme.example"), capture(past, "n2@acme.example")]) + '{"at": "' + past + '", "type": "nope"}\n' +
         ndjson([capture(past, "n4@acme.example")]), TOKEN_A, 400, "type"),
        ("NDJSON batch with one unknown lead (line 2)", "POST", "/v1/events",
         ndjson([capture(past, "m1@acme.example"), {"at": past, "type": "email_opened", "lead": "C-404", "data": {"template": "t"}}]),
         TOKEN_A, 422, "lead"),
        ("bad token", "POST", "/v1/events", ndjson([valid]), "not-a-known-token-0123456789", 401, "authorization"),
        ("no token", "POST", "/v1/events", ndjson([valid]), None, 401, "authorization"),
        ("a token without the Bearer scheme", "POST", "/v1/events", ndjson([valid]), "RAW", 401, "authorization"),
        ("wrong method on /v1/events", "GET", "/v1/events", None, TOKEN_A, 405, "method"),
        ("wrong method on a lead", "DELETE", "/v1/leads/C-1", None, TOKEN_A, 405, "method"),
        ("unknown path", "GET", "/v1/nothing-here", None, TOKEN_A, 404, "path"),
        ("unknown path outside /v1", "GET", "/admin", None, TOKEN_A, 404, "path"),
        ("wrong tenant reading a lead (b reads a's C-2)", "GET", "/v1/leads/C-2", None, TOKEN_B, 404, "id"),
        ("unknown lead read", "GET", "/v1/leads/C-999", None, TOKEN_A, 404, "id"),
    ]
    before = dump_db(db)
    problems = []
    for name, method, path, body, token, want_status, want_field in cases:
        headers = {}
        if token == "RAW":
            headers["Authorization"] = TOKEN_A
            token = None
        status, _, answer = server.request(method, path, body, token, headers)
        if status != want_status:
            problems.append(f"{name}: status {status}, documented {want_status}; answer {answer[:300]!r}")
            continue
        try:
            error = json.loads(answer)
        except ValueError:
            problems.append(f"{name}: the {status} answer is not JSON: {answer[:300]!r}")
            continue
        if not isinstance(error, dict) or not isinstance(error.get("error"), str) or not error["error"]:
            problems.append(f"{name}: no `error` message in {error!r}")
        elif error.get("field") != want_field:
            problems.append(f"{name}: field {error.get('field')!r}, expected {want_field!r} ({error['error']})")
        elif name in LINES and error.get("line") != LINES[name]:
            problems.append(f"{name}: line {error.get('line')!r}, expected {LINES[name]}")
        if not server.alive():
            fail(f"{name}: the server died; log:\n{server.tail()}")

    # HTTP that is not HTTP: Beast refuses it before any routing.
    code = raw_http(server.port, b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n")
    if code != 400:
        problems.append(f"malformed HTTP (Content-Length: nope): status {code}, documented 400")

    # A retried idempotency key with a different body: the key wins; the second body is not
    # applied (200, counted as a duplicate) and nothing is stored.
    status, _, answer = server.request("POST", "/v1/events", ndjson([capture(past, "other@acme.example", "seed-1")]), TOKEN_A)
    if status != 200 or json.loads(answer).get("duplicates") != 1 or json.loads(answer).get("applied") != 0:
        problems.append(f"idempotency key reused with a different body: {status} {answer!r}, expected 200 duplicates 1 applied 0")

    after = dump_db(db)
    if before != after:
        problems.append("the store changed:\n" + dump_difference(before, after))
    status, _, answer = server.request("GET", "/v1/leads/C-1", None, TOKEN_A)
    check(status == 200 and json_body(answer, "GET C-1")["fields"].get("email") == "ana@acme.example",
          f"the server no longer serves the seed lead: {status} {answer[:300]!r}")
    rc = server.stop()
    if rc != 0:
        problems.append(f"serve exited with {rc} on SIGTERM")
    if problems:
        fail(f"{len(problems)} of {len(cases) + 2} malformed-input checks failed:\n  " + "\n  ".join(problems))
    print(f"ok: {len(cases) + 2} malformed inputs answered as documented; the store is unchanged")


if __name__ == "__main__":
    run_test(main)
