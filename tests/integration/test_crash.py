#!/usr/bin/env python3
"""Crash safety of `leadflow serve`: bursts of events from several clients while the server is
killed with SIGKILL at random moments and restarted on the same database.

Each client is one tenant and sends its share of the events (single events and NDJSON batches,
every event with an idempotency key) one request at a time; a request that was not answered 2xx
(connection refused or cut by the kill) is resent with the same keys once the server is back, and
some answered requests are resent on purpose. Event times lie in the past, so the workflows'
waits are already due: they fire right after each commit, or at the catch-up after a restart.

Afterwards (the server stopped) it checks:
- PRAGMA integrity_check is ok;
- every event answered 2xx is in the event log exactly once, and nothing else is;
- resent answered requests were all duplicates;
- `leadflow replay --check`: the store equals a replay of its event log (leads, tenant state,
  pending timers), so nothing was applied twice, half or lost, and every timer fired once;
- no timer that fell due while the server ran is still pending;
- every effect in the outbox reached the delivery target at least once with its stable key.

A client waits for the next wall-clock second before its next request, so that each request of a
tenant has its own `received_at` and the replay can tell requests apart (see the replay command).

Environment: LEADFLOW_CRASH_ROUNDS (kills, default 6), LEADFLOW_CRASH_EVENTS (default 10000),
LEADFLOW_CRASH_CLIENTS (default 8), LEADFLOW_CRASH_SEED (default: random, printed),
LEADFLOW_CRASH_SIGNAL=term (restart with SIGTERM instead: a restart problem rather than a crash one),
LEADFLOW_CRASH_DELIVERY=sink (no webhook receiver).

Usage: test_crash.py [path/to/leadflow]
"""

import collections
import json
import os
import random
import sqlite3
import subprocess
import threading
import time

from serve_harness import (Server, WebhookReceiver, check, copy_workflows, db_rows, fail, integrity_check, iso, ndjson,
                           request, run_test, write_json)

ROUNDS = int(os.environ.get("LEADFLOW_CRASH_ROUNDS", "6"))
EVENTS = int(os.environ.get("LEADFLOW_CRASH_EVENTS", "10000"))
CLIENTS = int(os.environ.get("LEADFLOW_CRASH_CLIENTS", "8"))
SEED = int(os.environ.get("LEADFLOW_CRASH_SEED", str(random.randrange(1 << 30))))
# Restart with SIGTERM instead of SIGKILL: tells a restart problem (state that does not survive
# a reopen) from a crash problem when the replay differs.
GRACEFUL = os.environ.get("LEADFLOW_CRASH_SIGNAL", "kill") == "term"
FIRST_LEADS = 30  # the first request of each client creates C-1 .. C-30
WEBHOOK_KINDS = ("assign", "merge", "blocked")


def token(tenant):
    return f"{tenant}-crash-token-0123456789abcdef"


def person(i, tenant):
    return {"email": f"p{i}.{tenant}@co{i % 7}.example", "first_name": f"First{i}", "last_name": f"Last{i}",
            "country": random.choice(["DE", "US", "BG", "ES", "GB"]), "employees": random.choice([5, 40, 300, 2000]),
            "form_id": random.choice(["demo-request", "ebook-download", "contact"]), "title": random.choice(["CEO", "VP Sales", "Engineer"])}


def make_requests(tenant, count, base, rng):
    """The client's requests: lists of events with keys, times increasing from `base`."""
    step = max(60, (5 * 86400) // max(1, count))
    events = []
    for i in range(count):
        at = iso(base + i * step)
        if i < FIRST_LEADS:
            e = {"type": "form_submitted", "data": person(i, tenant)}
        else:
            r = rng.random()
            lead = f"C-{rng.randint(1, FIRST_LEADS)}"
            if r < 0.2:
                e = {"type": "form_submitted", "data": person(rng.randint(0, 2 * FIRST_LEADS), tenant)}
            elif r < 0.28:
                e = {"type": "company_intent", "data": {"domain": f"co{rng.randint(0, 6)}.example", "page": "/pricing"}}
            elif r < 0.45:
                e = {"type": "email_opened", "lead": lead, "data": {"template": "t1"}}
            elif r < 0.55:
                e = {"type": "email_clicked", "lead": lead, "data": {"template": "t1", "url": "https://x.example/p"}}
            elif r < 0.68:
                e = {"type": "pricing_page_view", "lead": lead, "data": {"url": "https://x.example/pricing"}}
            elif r < 0.75:
                e = {"type": "web_session", "lead": lead, "data": {"pages": rng.randint(1, 9)}}
            elif r < 0.82:
                e = {"type": "activity_logged", "lead": lead, "data": {"kind": "call"}}
            elif r < 0.88:
                e = {"type": "replied", "lead": lead, "data": {"template": "t1"}}
            elif r < 0.93:
                e = {"type": "meeting_booked", "lead": lead, "data": {"meeting_at": iso(base + i * step + 86400)}}
            elif r < 0.97:
                e = {"type": "demo_requested", "lead": lead, "data": {"form_id": "demo"}}
            else:
                e = {"type": "bounced", "lead": lead, "data": {"template": "t1"}}
        e["at"] = at
        e["idempotency_key"] = f"{tenant}-{i}"
        events.append(e)
    requests, i = [events[:FIRST_LEADS]], FIRST_LEADS
    while i < count:
        n = 1 if rng.random() < 0.3 else rng.randint(10, 80)
        requests.append(events[i:i + n])
        i += n
    return requests


class Cluster:
    """The one server the clients talk to, replaced after each kill."""

    def __init__(self, server):
        self.server = server
        self.lock = threading.Lock()
        self.port = server.port

    def current_port(self):
        with self.lock:
            return self.port


class Client(threading.Thread):
    def __init__(self, cluster, tenant, requests, rng):
        super().__init__(daemon=True)
        self.cluster, self.tenant, self.requests, self.rng = cluster, tenant, requests, rng
        self.answered_keys = []
        self.failures = 0      # attempts that got no 2xx answer (sent again)
        self.resent = 0        # answered requests sent again on purpose
        self.problems = []
        self.done = False

    def send(self, body):
        """Sends until answered 2xx; the answer."""
        while True:
            port = self.cluster.current_port()
            try:
                status, _, data = request(port, "POST", "/v1/events", body, token(self.tenant), timeout=60)
            except OSError:
                self.failures += 1
                time.sleep(0.05)
                continue
            if 200 <= status < 300:
                return json.loads(data)
            if status == 503:  # the store refused the batch: nothing kept, send again
                self.failures += 1
                continue
            self.problems.append(f"tenant {self.tenant}: status {status} for a valid request: {data[:300]!r}")
            return None

    def next_second(self):
        # Each request of this tenant gets its own received_at second (the replay tells them apart by it).
        t = int(time.time())
        while int(time.time()) <= t:
            time.sleep(0.02)

    def run(self):
        try:
            for events in self.requests:
                body = ndjson(events)
                answer = self.send(body)
                self.next_second()
                if answer is None:
                    continue
                if answer.get("applied", 0) + answer.get("duplicates", 0) != len(events):
                    self.problems.append(f"tenant {self.tenant}: {len(events)} events answered {answer}")
                self.answered_keys += [e["idempotency_key"] for e in events]
                if self.rng.random() < 0.05:
                    again = self.send(body)
                    self.next_second()
                    self.resent += 1
                    if again is not None and (again.get("applied") != 0 or again.get("duplicates") != len(events)):
                        self.problems.append(f"tenant {self.tenant}: an answered request sent again was applied again: {again}")
        except Exception as e:  # noqa: BLE001 - reported as a failure of the test
            self.problems.append(f"tenant {self.tenant}: client crashed: {e!r}")
        finally:
            self.done = True


def wait_outbox_delivered(db, timeout=150):
    # Rows claimed when the server was killed wait for their lease to run out, then go again.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = db_rows(db, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'claimed')")
        if rows[0][0] == 0:
            return
        time.sleep(0.2)
    fail(f"outbox rows still pending after {timeout}s: {db_rows(db, 'SELECT status, count(*) FROM outbox GROUP BY status')}")


def main(binary, tmp):
    print(f"crash test: {EVENTS} events, {CLIENTS} clients, {ROUNDS} {'SIGTERM restarts' if GRACEFUL else 'kills'}, seed {SEED}")
    rng = random.Random(SEED)
    random.seed(SEED)
    tenants = [f"t{i}" for i in range(CLIENTS)]
    receiver = WebhookReceiver(fail_every=7)
    config_value = {"tenants": {t: {"tokens": [token(t)]} for t in tenants}}
    delivery = os.environ.get("LEADFLOW_CRASH_DELIVERY", "webhook")
    sink = f"{tmp}/outbox.jsonl"
    # Every effect goes to a JSONL file in envelopes (with their keys); with webhooks, the kinds
    # that leave the company (assignments, merges, blocked sends) also go to the receiver, which
    # refuses every 7th attempt with 503 so that retries happen. Fewer kinds than all keep the run
    # short: the relay records each webhook outcome in its own commit.
    config_value["connectors"] = {"file": {"type": "jsonl", "path": sink, "format": "envelope"}}
    config_value["routes"] = {"*": ["file"]}
    if delivery == "webhook":
        config_value["connectors"]["hook"] = {"type": "webhook", "url": receiver.url(),
                                              "secrets": ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]}
        config_value["routes"].update({kind: ["hook", "file"] for kind in WEBHOOK_KINDS})
        config_value["retry"] = {"max_attempts": 50, "base_seconds": 1, "cap_seconds": 2}
        config_value["allow_private_targets"] = True
    config = write_json(f"{tmp}/serve.json", config_value)
    db = f"{tmp}/crash.db"
    # A private copy: the replay must compile exactly the set the server ran.
    workflows = copy_workflows(tmp)
    server = Server(binary, workflows, db, config=config).start()
    cluster = Cluster(server)

    base = int(time.time()) - 45 * 86400
    per_client = [EVENTS // CLIENTS + (1 if i < EVENTS % CLIENTS else 0) for i in range(CLIENTS)]
    clients = [Client(cluster, t, make_requests(t, n, base, random.Random(rng.random())), random.Random(rng.random()))
               for t, n in zip(tenants, per_client)]
    started = time.monotonic()
    for c in clients:
        c.start()

    kills = 0
    try:
        for _ in range(ROUNDS):
            time.sleep(rng.uniform(0.5, 4.0))
            if all(c.done for c in clients):
                break
            if GRACEFUL:
                server.stop()
            else:
                server.kill9()
            kills += 1
            time.sleep(rng.uniform(0.0, 0.5))  # clients see refused connections meanwhile
            server = Server(binary, workflows, db, config=config, log=server.log)
            server.starts = kills
            server.start()
            with cluster.lock:
                cluster.server, cluster.port = server, server.port
        for c in clients:
            c.join(600)
            check(not c.is_alive(), f"client {c.tenant} did not finish in 10 minutes")
        burst_seconds = time.monotonic() - started
        time.sleep(1.5)  # the timers due after the last commits fire
        wait_outbox_delivered(db)
        stopped_at = int(time.time())
        rc = server.stop()
        check(rc == 0, f"serve exited with {rc} on SIGTERM")
    finally:
        receiver.close()

    problems = [p for c in clients for p in c.problems]
    if problems:
        fail(f"{len(problems)} client problems:\n  " + "\n  ".join(problems[:20]))

    integrity_check(db)

    # Every answered event applied exactly once, and nothing that was not sent.
    sent = {e["idempotency_key"]: t for c, t in zip(clients, tenants) for r in c.requests for e in r}
    answered = collections.Counter(k for c in clients for k in c.answered_keys)
    check(len(answered) == len(sent) == EVENTS, f"{len(answered)} distinct events answered, {len(sent)} sent, {EVENTS} planned")
    logged = collections.Counter()
    for tenant, key in db_rows(db, "SELECT tenant, idempotency_key FROM events"):
        logged[key] += 1
        check(sent.get(key) == tenant, f"event log row with key `{key}` in tenant {tenant}: not sent by that tenant")
    twice = [k for k, n in logged.items() if n > 1]
    missing = [k for k in answered if logged[k] == 0]
    check(not twice, f"{len(twice)} answered events are logged more than once, e.g. {twice[:5]}")
    check(not missing, f"{len(missing)} events answered 2xx are not in the event log, e.g. {missing[:5]}")
    keys = db_rows(db, "SELECT count(*), count(DISTINCT tenant || '/' || key) FROM idempotency_keys")[0]
    check(keys == (EVENTS, EVENTS), f"idempotency_keys: {keys}, expected {EVENTS} distinct")

    # The store equals a replay of its event log.
    replay = subprocess.run([binary, "replay", "--db", db, "--workflows", workflows, "--check"],
                            capture_output=True, text=True, timeout=600)
    if replay.returncode != 0:
        fail(f"leadflow replay --check exited {replay.returncode}:\n{replay.stdout[-6000:]}\n{replay.stderr[-2000:]}")
    summary = replay.stdout.strip().splitlines()[0]
    # The check must be able to fail: a copy whose log lost its last event differs from its replay.
    tampered = f"{tmp}/tampered.db"
    source, conn = sqlite3.connect(db), sqlite3.connect(tampered)
    source.backup(conn)
    source.close()
    conn.execute("DELETE FROM events WHERE id = (SELECT max(id) FROM events)")
    conn.commit()
    conn.close()
    control = subprocess.run([binary, "replay", "--db", tampered, "--workflows", workflows, "--check"],
                             capture_output=True, text=True, timeout=600)
    check(control.returncode == 1 and "differences between the live store and the replay" in control.stdout,
          f"leadflow replay --check did not notice an event missing from the log (exit {control.returncode}):\n{control.stdout[-2000:]}")

    # No timer that fell due while a server ran is still pending (the last one ran until stopped_at).
    overdue = db_rows(db, "SELECT count(*), min(due) FROM timers WHERE due <= ?", (stopped_at - 5,))[0]
    check(overdue[0] == 0, f"{overdue[0]} timers due by {iso(stopped_at - 5)} were never fired (earliest {iso(overdue[1] or 0)})")
    timer_keys = [k for (k,) in db_rows(db, "SELECT idempotency_key FROM outbox") if "/timer/" in k]
    fired = len({k.split("/timer/")[0] + "/" + k.split("/timer/")[1].split("/")[0] for k in timer_keys})

    # Effects delivered at least once with a stable key: one outbox row per (effect, connector).
    rows = db_rows(db, "SELECT idempotency_key, connector, payload, status FROM outbox WHERE connector != ''")
    check(rows, "the outbox is empty: the workload produced no effects")
    not_delivered = [(k, c, st) for k, c, _, st in rows if st != "delivered"]
    check(not not_delivered, f"{len(not_delivered)} outbox rows not delivered, e.g. {not_delivered[:5]}")
    effects = {k: json.loads(p) for k, _, p, _ in rows}
    received = {"file": collections.defaultdict(list), "hook": collections.defaultdict(list)}
    with open(sink, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)  # the envelope: {"key", "tenant", "lead", "kind", "effect"}
            received["file"][record.get("key")].append(record.get("effect"))
    for webhook_id, body in receiver.deliveries:
        received["hook"][webhook_id].append(json.loads(body))
    report = []
    for connector, by_key in received.items():
        wanted = {k for k, c, _, _ in rows if c == connector}
        missing = sorted(wanted - set(by_key))
        check(not missing, f"{len(missing)} of {len(wanted)} effects never reached connector `{connector}`, e.g. {missing[:5]}")
        unknown = sorted(set(by_key) - wanted)
        check(not unknown, f"{len(unknown)} keys reached connector `{connector}` without an outbox row for it, e.g. {unknown[:5]}")
        for key, bodies in by_key.items():
            for body in bodies:
                # A webhook posts the effect itself; the file's envelope holds it under "effect".
                check(body == effects[key], f"connector `{connector}`: key {key} arrived with another body than the outbox's: "
                                              f"{json.dumps(body)[:300]} vs {json.dumps(effects[key])[:300]}")
        copies = sum(len(v) for v in by_key.values())
        report.append(f"{connector}: {copies} deliveries of {len(wanted)} effects")
    if delivery == "webhook":
        check(received["hook"], "the webhook receiver got nothing")
    delivered = "; ".join(report) + f"; {receiver.refused} attempts refused with 503 and retried"

    failures = sum(c.failures for c in clients)
    resent = sum(c.resent for c in clients)
    print(f"ok: {EVENTS} events from {CLIENTS} clients in {burst_seconds:.0f}s with {kills} kill -9; "
          f"{failures} failed attempts resent, {resent} answered requests resent as duplicates; "
          f"{fired} timers fired with effects; {delivered}; replay: {summary}")


if __name__ == "__main__":
    run_test(main)
