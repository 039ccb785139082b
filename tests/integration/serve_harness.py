"""Shared helpers for the whole-process tests of `leadflow serve` (tests/integration/test_*.py).

Each test starts the built binary on a free loopback port with its own database in a temporary
folder, talks to it over HTTP, and always kills the servers it started, also when it fails.
Standard library only: the tests run wherever the build does.
"""

import atexit
import http.client
import http.server
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STDLIB = os.path.join(REPO, "stdlib-workflows")

_servers = []


class TestFailure(Exception):
    """A violated property: the message says which and where."""


def fail(message):
    raise TestFailure(message)


def check(condition, message):
    if not condition:
        fail(message)


def binary_from_argv():
    """The leadflow binary: argv[1], $LEADFLOW_BINARY or build/leadflow."""
    path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("LEADFLOW_BINARY", os.path.join(REPO, "build", "leadflow"))
    if not os.access(path, os.X_OK):
        print(f"error: leadflow binary '{path}' not found or not executable (pass it as the first argument)", file=sys.stderr)
        sys.exit(2)
    return os.path.abspath(path)


def run_test(main):
    """Runs main(binary, tmpdir); exit 0, or 1 with the violated property on stderr."""
    binary = binary_from_argv()
    tmp = tempfile.mkdtemp(prefix="leadflow-it-")
    code = 1
    try:
        main(binary, tmp)
        code = 0
    except TestFailure as e:
        print(f"FAIL: {e}", file=sys.stderr)
    finally:
        stop_all()
        if code == 0 and not os.environ.get("LEADFLOW_KEEP_TMP"):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"(files kept in {tmp})", file=sys.stderr)
    sys.exit(code)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=1)
    return path


def copy_workflows(tmp, name="workflows"):
    """A private copy of the standard workflows (hot-reload tests edit it)."""
    dest = os.path.join(tmp, name)
    shutil.copytree(STDLIB, dest)
    return dest


class Server:
    """One `leadflow serve` process on a free loopback port."""

    def __init__(self, binary, workflows, db, config=None, sink=None, extra=(), log=None):
        self.binary, self.workflows, self.db, self.config, self.sink = binary, workflows, db, config, sink
        self.extra = list(extra)
        self.port = None
        self.process = None
        self.log = log or (db + ".log")
        self.starts = 0

    def start(self, timeout=60):
        self.port = free_port()
        args = [self.binary, "serve", "--workflows", self.workflows, "--db", self.db, "--listen", f"127.0.0.1:{self.port}"]
        if self.config:
            args += ["--config", self.config]
        if self.sink:
            args += ["--sink", self.sink]
        args += self.extra
        log = open(self.log, "ab")
        log.write(f"--- start {self.starts}: {' '.join(args)}\n".encode())
        log.flush()
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        self.starts += 1
        _servers.append(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                fail(f"leadflow serve exited with status {self.process.returncode} at start; log: {self.log}\n{self.tail()}")
            try:
                status, _, _ = self.request("GET", "/healthz", timeout=2)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        fail(f"leadflow serve did not answer /healthz within {timeout}s; log: {self.log}\n{self.tail()}")

    def tail(self, lines=20):
        try:
            with open(self.log, "rb") as f:
                return b"\n".join(f.read().splitlines()[-lines:]).decode("utf-8", "replace")
        except OSError:
            return ""

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill9(self):
        if self.alive():
            self.process.kill()
        if self.process is not None:
            self.process.wait()

    def stop(self, timeout=30):
        """SIGTERM, then SIGKILL if it does not exit; returns the exit status."""
        if self.process is None:
            return None
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def request(self, method, path, body=None, token=None, headers=None, timeout=30):
        return request(self.port, method, path, body, token, headers, timeout)


def stop_all():
    for s in _servers:
        try:
            s.kill9()
        except Exception:  # noqa: BLE001 - cleanup must reach every server
            pass
    _servers.clear()


atexit.register(stop_all)


def request(port, method, path, body=None, token=None, headers=None, timeout=30):
    """(status, headers dict with lower-case names, body bytes); raises OSError on connection failures."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        if isinstance(body, str):
            body = body.encode("utf-8")
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    except http.client.HTTPException as e:
        raise OSError(f"HTTP failure: {e!r}") from e
    finally:
        conn.close()


def ndjson(events):
    return "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in events)


def iso(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def db_rows(db, query, args=()):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(query, args).fetchall()
    finally:
        conn.close()


def dump_db(db):
    """Every table's rows, sorted: equal dumps mean an unchanged store."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def dump_difference(before, after):
    lines = []
    for table in sorted(set(before) | set(after)):
        a, b = before.get(table, []), after.get(table, [])
        if a != b:
            added = [r for r in b if r not in a][:3]
            removed = [r for r in a if r not in b][:3]
            lines.append(f"table {table}: {len(a)} -> {len(b)} rows; added {added!r:.300} removed {removed!r:.300}")
    return "\n".join(lines)


def integrity_check(db):
    rows = db_rows(db, "PRAGMA integrity_check")
    check(rows == [("ok",)], f"PRAGMA integrity_check on {db}: {rows[:5]}")


def metric(text, name):
    """The value of one Prometheus sample line `name value` (name with its labels), or None."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return None


def json_body(data, what):
    try:
        return json.loads(data)
    except ValueError:
        fail(f"{what}: the answer is not JSON: {data[:300]!r}")


class WebhookReceiver:
    """An HTTP endpoint recording every POST (webhook-id header, body); answers 200, or `fail_every`-th 503."""

    def __init__(self, fail_every=0):
        self.deliveries = []  # (webhook-id, body bytes)
        self.lock = threading.Lock()
        self.count = 0
        self.refused = 0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                n = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(n)
                with receiver.lock:
                    receiver.count += 1
                    refuse = fail_every and receiver.count % fail_every == 0
                    if refuse:
                        receiver.refused += 1
                    else:
                        receiver.deliveries.append((self.headers.get("webhook-id"), body))
                self.send_response(503 if refuse else 200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def wait_quiet(db, timeout=60):
    """Waits until the server has fired every timer due by now and relayed its outbox: after that,
    nothing changes the store until the next request (timers left are days away)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        due = db_rows(db, "SELECT count(*) FROM timers WHERE due <= ?", (int(time.time()),))[0][0]
        pending = db_rows(db, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'claimed')")[0][0]
        if due == 0 and pending == 0:
            return
        time.sleep(0.1)
    fail(f"the server did not fire its due timers and relay its outbox within {timeout}s")
