#!/usr/bin/env python3
"""Runs a command several times and reports its wall time and peak RSS (no /usr/bin/time needed).

Peak RSS is the child's ru_maxrss from os.wait4, i.e. the high-water mark of its resident set.
Output: one line per run, then the best and median of each figure; exit status is the command's
when it is not 0 on any run.

Usage: bench/measure.py [--repeat N] [--warmup N] [--quiet-output] -- COMMAND [ARGS...]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time


def run_once(cmd, quiet):
    out = subprocess.DEVNULL if quiet else None
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    # Linux reports ru_maxrss in KiB.
    return wall, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime, proc.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1, help="runs first, not counted (page cache)")
    ap.add_argument("--quiet-output", action="store_true", help="send the command's stdout to /dev/null")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not cmd:
        ap.error("no command given")

    for _ in range(args.warmup):
        run_once(cmd, True)
    walls, rsss, cpus, worst = [], [], [], 0
    for i in range(args.repeat):
        wall, rss, cpu, rc = run_once(cmd, args.quiet_output)
        walls.append(wall)
        rsss.append(rss)
        cpus.append(cpu)
        worst = worst or rc
        print(f"run {i + 1}: wall {wall:.3f} s, cpu {cpu:.3f} s, peak rss {rss:.1f} MiB, exit {rc}",
              file=sys.stderr)
    print(f"wall: best {min(walls):.3f} s, median {statistics.median(walls):.3f} s; "
          f"cpu (user+sys): best {min(cpus):.3f} s, median {statistics.median(cpus):.3f} s; "
          f"peak rss: max {max(rsss):.1f} MiB (of {args.repeat} runs)")
    sys.exit(worst if 0 < worst < 256 else (1 if worst else 0))


if __name__ == "__main__":
    main()
