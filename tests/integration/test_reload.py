#!/usr/bin/env python3
"""Hot reload of a running `leadflow serve` with a broken file.

Serves a private copy of stdlib-workflows, then:
1. breaks a .flow file: the inotify reload fails, the old set keeps serving (a new capture runs on
   the old version), GET /v1/workflows and /metrics report the failure with its diagnostics, and
   POST /v1/reload answers 422 with them;
2. fixes it (with a change, so the version differs): the new version goes live for new enrollments
   while the runs started before stay pinned to the old one.

Usage: test_reload.py [path/to/leadflow]
"""

import json
import os
import time

from serve_harness import Server, check, copy_workflows, fail, iso, json_body, metric, ndjson, run_test

BROKEN_FILE = "inbound_router.flow"


def workflows(server):
    status, _, body = server.request("GET", "/v1/workflows")
    check(status == 200, f"GET /v1/workflows: {status} {body!r}")
    return json_body(body, "GET /v1/workflows")


def metrics(server):
    status, _, body = server.request("GET", "/metrics")
    check(status == 200, f"GET /metrics: {status}")
    return body.decode()


def wait_for(what, predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    fail(f"timed out after {timeout}s waiting for {what}")


def capture(server, email):
    event = {"at": iso(time.time()), "type": "form_submitted",
             "data": {"email": email, "first_name": email.split("@")[0].title(), "last_name": "Reload", "country": "DE", "employees": 300,
                      "form_id": "demo-request"}}
    status, _, body = server.request("POST", "/v1/events", ndjson([event]))
    check(status == 200 and json.loads(body)["applied"] == 1, f"capture {email}: {status} {body!r}")


def lead_versions(server, lead_id):
    status, _, body = server.request("GET", f"/v1/leads/{lead_id}")
    check(status == 200, f"GET /v1/leads/{lead_id}: {status} {body!r}")
    runs = json_body(body, lead_id)["runs"]
    check(runs, f"{lead_id} has no active runs to show the version it runs on")
    return {r["version"] for r in runs}


def main(binary, tmp):
    folder = copy_workflows(tmp)
    # No tenants configured: every request is tenant `default` (local use).
    server = Server(binary, folder, f"{tmp}/reload.db", sink=f"{tmp}/outbox.jsonl").start()
    first = workflows(server)
    v1 = first["version"]
    check(first["last_reload"]["attempts"] == 0, f"fresh server reports reload attempts: {first['last_reload']}")
    capture(server, "before@before.example")
    check(lead_versions(server, "C-1") == {v1}, f"C-1 does not run on the live version {v1}")

    path = os.path.join(folder, BROKEN_FILE)
    with open(path, encoding="utf-8") as f:
        original = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(original + "\nworkflow broken_on_purpose {\n  when form_submitted\n  this is not a step\n")

    state = wait_for("the failed reload in /v1/workflows", lambda: (lambda w: w if w["last_reload"]["failures"] >= 1 else None)(workflows(server)))
    reload = state["last_reload"]
    check(reload["ok"] is False, f"last_reload.ok after a broken file: {reload}")
    check(BROKEN_FILE in reload["diagnostics"], f"the diagnostics do not name {BROKEN_FILE}: {reload['diagnostics']!r:.500}")
    check(state["version"] == v1, f"the live version changed to {state['version']} although the reload failed")
    text = metrics(server)
    check(metric(text, 'leadflow_reloads_total{result="failed"}') >= 1, "leadflow_reloads_total{result=\"failed\"} not counted:\n" + text[:2000])
    check(metric(text, "leadflow_reload_last_ok") == 0, "leadflow_reload_last_ok is not 0 after the failed reload")

    # The old set keeps serving.
    capture(server, "during@during.example")
    check(lead_versions(server, "C-2") == {v1}, f"a capture during the broken state did not run on the old version {v1}")
    status, _, body = server.request("POST", "/v1/reload")
    answer = json_body(body, "POST /v1/reload")
    check(status == 422 and answer["ok"] is False and BROKEN_FILE in answer["diagnostics"],
          f"POST /v1/reload with the broken file: {status} {answer!r:.500}, expected 422 with the diagnostics")
    check(workflows(server)["version"] == v1, "POST /v1/reload swapped in a broken set")

    # Fixed, with a real change: the new version goes live.
    with open(path, "w", encoding="utf-8") as f:
        f.write("# reloaded by tests/integration/test_reload.py\n" + original)
    state = wait_for("the fixed set to go live", lambda: (lambda w: w if w["version"] != v1 else None)(workflows(server)))
    v2 = state["version"]
    check(state["last_reload"]["ok"] is True and state["last_reload"]["diagnostics"] == "",
          f"last_reload after the fix: {state['last_reload']}")
    text = metrics(server)
    check(metric(text, "leadflow_reload_last_ok") == 1, "leadflow_reload_last_ok is not 1 after the fix")
    check(metric(text, 'leadflow_reloads_total{result="ok"}') >= 1, "leadflow_reloads_total{result=\"ok\"} not counted")
    capture(server, "after@after.example")
    check(lead_versions(server, "C-3") == {v2}, f"a capture after the fix did not run on the new version {v2}")
    check(lead_versions(server, "C-1") == {v1}, f"runs started before the reload are no longer pinned to {v1}")
    in_flight = {(e["version"], e["workflow"]) for e in state["runs_in_flight"]}
    check(any(v == v1 for v, _ in in_flight), f"/v1/workflows lists no runs in flight on the old version: {in_flight}")
    rc = server.stop()
    check(rc == 0, f"serve exited with {rc} on SIGTERM")
    print(f"ok: a broken {BROKEN_FILE} left {v1} serving and was reported; the fix went live as {v2}")


if __name__ == "__main__":
    run_test(main)
