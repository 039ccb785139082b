#!/bin/sh
# Feeds `leadflow check` every stdlib file truncated and corrupted, 200 ways each (seeded), and
# fails when any run ends in a signal, a sanitizer report or takes over 5 s: bad input must give
# exit 0 or 1, never a crash or a hang. The inputs that fail are kept in fuzz-out/corrupt_stdlib/.
# Usage: [LEADFLOW=path/to/leadflow] [CASES=200] [SEED=1] fuzz/corrupt_stdlib.sh
set -eu
cd "$(dirname "$0")/.."
leadflow="${LEADFLOW:-build/leadflow}"
[ -x "$leadflow" ] || { echo "corrupt_stdlib.sh: no leadflow binary at $leadflow (set LEADFLOW)" >&2; exit 2; }
# An ASan/UBSan build of leadflow (build-fuzz) would exit 1 on a finding, like an input error:
# give sanitizer reports exit codes of their own.
ASAN_OPTIONS="${ASAN_OPTIONS:-exitcode=86}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-exitcode=87:print_stacktrace=1}" \
  exec python3 - "$leadflow" "${CASES:-200}" "${SEED:-1}" <<'PY'
import os, random, shutil, subprocess, sys, tempfile, time

leadflow, cases, seed = os.path.abspath(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
stdlib = "stdlib-workflows"
keep = os.path.join("fuzz-out", "corrupt_stdlib")
rng = random.Random(seed)

def corrupt(data):
    """One random damage: a truncation, or 1-8 byte flips, insertions, deletions or repeats."""
    if not data:
        return bytes([rng.randrange(256)])
    if rng.random() < 0.5:
        return data[: rng.randrange(len(data))]
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(b)) if b else 0
        op = rng.randrange(5)
        if op == 0 and b:
            b[i] ^= 1 << rng.randrange(8)                       # one bit
        elif op == 1 and b:
            b[i] = rng.choice(b'{}()[]"\\/#*:;.,-+<>=%\n\t\x00\xff\xc3')  # a syntax-heavy byte
        elif op == 2:
            b[i:i] = bytes([rng.randrange(256)])                 # insert
        elif op == 3 and b:
            del b[i : i + rng.randint(1, 16)]                    # delete a run
        else:
            j = rng.randrange(len(b)) if b else 0                # repeat a chunk elsewhere
            b[i:i] = b[j : j + rng.randint(1, 64)]
    return bytes(b)

files = sorted(f for f in os.listdir(stdlib) if f.endswith(".flow"))
failures, runs, slowest, start = 0, 0, 0.0, time.monotonic()
work = tempfile.mkdtemp(prefix="leadflow-corrupt-")
try:
    tree = os.path.join(work, "stdlib")
    shutil.copytree(stdlib, tree)
    for name in files:
        path = os.path.join(tree, name)
        original = open(os.path.join(stdlib, name), "rb").read()
        for case in range(cases):
            data = corrupt(original)
            with open(path, "wb") as f:
                f.write(data)
            # The whole tree: a damaged schema.flow also reaches every file importing it.
            t0 = time.monotonic()
            try:
                p = subprocess.run([leadflow, "check", tree], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, timeout=5)
                rc, why = p.returncode, None
                if rc not in (0, 1):
                    why = (f"killed by signal {-rc}" if rc < 0 else f"exit status {rc}")
            except subprocess.TimeoutExpired as e:
                rc, why, p = None, "no answer within 5 s", e
            slowest = max(slowest, time.monotonic() - t0)
            runs += 1
            if why:
                failures += 1
                os.makedirs(keep, exist_ok=True)
                saved = os.path.join(keep, f"{name}.{case}")
                with open(saved, "wb") as f:
                    f.write(data)
                err = (p.stderr or b"").decode("utf-8", "replace")
                print(f"corrupt_stdlib.sh: {name} case {case}: {why}; input kept in {saved}\n{err[-3000:]}",
                      file=sys.stderr)
        with open(path, "wb") as f:
            f.write(original)
finally:
    shutil.rmtree(work, ignore_errors=True)
print(f"corrupt_stdlib.sh: {runs} runs over {len(files)} files in {time.monotonic() - start:.1f} s, "
      f"slowest {slowest:.2f} s, {failures} failures")
sys.exit(1 if failures else 0)
PY
