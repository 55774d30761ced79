"""State-space performance: this checker against SPIN, measured in one run.

    python benchmarks/perf.py            # --quick: small N, a few seconds
    python benchmarks/perf.py --full     # issue 13's table (N up to 8; minutes)
    python benchmarks/perf.py --only fanout --n 6 [--no-por] [--no-dead-reset] [--fingerprints]

For each program of `perf_programs` and each N, the checker explores the
spec in a fresh child process (so the peak memory is that run's own): with
the default reductions, and without any (``--no-por --no-dead-reset``, the
"full" row).  SPIN verifies the Promela twin (benchmarks/promela/) with its
partial-order reduction and with ``-DNOREDUCE``; its seconds are spin -a,
gcc and pan together.  Columns: states stored, transitions, seconds, peak
resident memory (MiB), bytes per stored state (the growth of the resident
set during the search over the states stored), states per second.
The report is written to reports/perf.md (``--out``).  The machine is
shared: seconds vary by some tens of percent between runs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from perf_programs import PROGRAMS  # noqa: E402

QUICK = {"fanout": [3, 4], "phil_deadlock": [3, 4], "phil_ordered": [3, 4], "workerpool": [2],
         "pipeline": [2, 3]}
FULL = {"fanout": [3, 4, 5, 6, 7, 8], "phil_deadlock": [3, 4, 5, 6], "phil_ordered": [3, 4, 5, 6],
        "workerpool": [2, 3, 4], "pipeline": [2, 3, 5, 8]}
#: --full: the largest N the checker runs (SPIN runs every N), and the largest with the fingerprint row
FULL_CHECKER_MAX = {"fanout": 6, "phil_deadlock": 5, "phil_ordered": 5, "workerpool": 4, "pipeline": 8}
FULL_FP_MAX = {"fanout": 5, "phil_deadlock": 4, "phil_ordered": 4, "workerpool": 3, "pipeline": 8}

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[1] + "/benchmarks")
from perf_programs import spec_text
from checker.check import check
from gocheck.spec import load_spec_text
from gocheck.factory import build_model
opts = json.loads(sys.argv[2])
spec = load_spec_text(spec_text(opts["program"], opts["n"]), "perf.yaml")
model = build_model(spec)
if hasattr(model, "dead_slots"):
    model.dead_slots = opts["dead"]
if hasattr(model, "memo"):
    model.memo = opts["memo"]
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()
before = rss()
t0 = time.monotonic()
c0 = time.process_time()
r = check(model, opts["strategy"], reduce=opts["por"], fingerprints=opts["fingerprints"], max_states=opts["max_states"],
          timeout_s=opts["timeout"], compact=opts["compact"])
secs = time.monotonic() - t0
cpu = time.process_time() - c0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
out = r.stats.as_dict()
out.update(seconds=secs, cpu_seconds=cpu, peak_mb=peak / 2**20, bytes_per_state=(peak - before) / max(1, r.stats.states),
           verdicts={k: v.verdict.kind for k, v in r.results.items()})
print(json.dumps(out))
"""


def run_checker(program: str, n: int, por: bool, dead: bool, fingerprints: bool, max_states: int,
                timeout: float, strategy: str = "bfs", compact: bool = True, memo: bool = True) -> dict[str, Any]:
    opts = {"program": program, "n": n, "por": por, "dead": dead, "fingerprints": fingerprints,
            "max_states": max_states, "timeout": timeout, "strategy": strategy, "compact": compact, "memo": memo}
    env = dict(os.environ, PYTHONPATH=ROOT)
    p = subprocess.run([sys.executable, "-c", _CHILD, ROOT, json.dumps(opts)], capture_output=True, text=True,
                       env=env, timeout=timeout * 3 + 60)
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def run_command(program: str, n: int, work: str) -> dict[str, Any]:
    """The whole command a user types, `python -m checker SPEC`, timed from outside (wall): Python's
    start, the imports, the Go frontend and the search, against SPIN's whole run (spin -a, gcc, pan).
    Bytecode is cached as Python does by default (a first run writes it; PYTHONDONTWRITEBYTECODE is
    dropped), and the best of three runs is kept, as for a command run again."""
    from perf_programs import spec_text
    path = os.path.join(work, f"{program}{n}.yaml")
    with open(path, "w") as f:
        f.write(spec_text(program, n))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = ROOT
    cmd = [sys.executable, "-m", "checker", path, "--traces", "none", "--json"]
    subprocess.run(cmd, capture_output=True, env=env, cwd=work)  # writes the bytecode caches
    best, out = float("inf"), ""
    for _ in range(3):
        t0 = time.monotonic()
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=work)
        best = min(best, time.monotonic() - t0)
        out = p.stdout
    stats = json.loads(out.strip().splitlines()[-1])["stats"]
    return {"states": stats["states"], "transitions": stats["transitions"], "seconds": best, "peak_mb": float("nan")}


def run_spin(program: str, n: int, reduce: bool, work: str) -> dict[str, Any]:
    _, pml, flags, _ = PROGRAMS[program]
    src = os.path.join(HERE, "promela", pml)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run(["spin", f"-DN={n}", *flags, "-a", src], cwd=work, check=True, capture_output=True)
    cflags = ["-O2", "-DSAFETY", "-DMEMLIM=4000"] + ([] if reduce else ["-DNOREDUCE"])
    subprocess.run(["gcc", *cflags, "-o", "pan", "pan.c"], cwd=work, check=True, capture_output=True)
    t1 = time.monotonic()
    # -E: do not stop at an invalid end state (the deadlocking philosophers): count the whole space
    out = subprocess.run(["./pan", "-E", "-m1000000"], cwd=work, check=True, capture_output=True, text=True).stdout
    t2 = time.monotonic()
    r2 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r2.ru_utime + r2.ru_stime) - (r0.ru_utime + r0.ru_stime)

    def num(pat: str) -> float:
        m = re.search(pat, out)
        return float(m.group(1)) if m else float("nan")

    states = int(num(r"(\d+) states, stored"))
    return {"states": states, "transitions": int(num(r"(\d+) transitions")), "seconds": t2 - t0,
            "cpu_seconds": cpu, "pan_seconds": t2 - t1, "peak_mb": num(r"([\d.]+)\s+total actual memory usage"),
            "vector": int(num(r"State-vector (\d+) byte"))}


def fmt(x: Any, digits: int = 2) -> str:
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="issue 13's sizes (minutes)")
    ap.add_argument("--only", choices=sorted(PROGRAMS), action="append")
    ap.add_argument("--n", type=int, action="append", help="sizes (with --only)")
    ap.add_argument("--no-por", action="store_true")
    ap.add_argument("--no-dead-reset", action="store_true")
    ap.add_argument("--fingerprints", action="store_true", help="also run with the fingerprint store")
    ap.add_argument("--no-full-row", action="store_true", help="skip the unreduced checker run")
    ap.add_argument("--command", type=int, action="append", default=[],
                    help="for this N, also time the whole `python -m checker SPEC` from outside (best of 3)")
    ap.add_argument("--whole-states", action="store_true",
                    help="also the unreduced run with whole states in the table (--no-compact)")
    ap.add_argument("--no-memo", action="store_true",
                    help="also the unreduced run without the transition cache (--no-memo)")
    ap.add_argument("--full-row-max", type=int, default=5, help="unreduced checker runs only up to this N")
    ap.add_argument("--checker-max", type=int, default=None, help="checker runs only up to this N (SPIN: all)")
    ap.add_argument("--no-spin", action="store_true")
    ap.add_argument("--max-states", type=int, default=3_000_000)
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--out", default=os.path.join(ROOT, "reports", "perf.md"))
    args = ap.parse_args(argv)
    sizes = FULL if args.full else QUICK
    names = args.only or list(PROGRAMS)
    have_spin = not args.no_spin and shutil.which("spin") is not None and shutil.which("gcc") is not None
    rows: list[dict[str, Any]] = []
    cmd = "python benchmarks/perf.py " + " ".join(argv if argv is not None else sys.argv[1:])
    with tempfile.TemporaryDirectory() as work:
        for name in names:
            for n in (args.n or sizes[name]):
                cmax = args.checker_max or (FULL_CHECKER_MAX[name] if args.full else 99)
                configs = [("checker", not args.no_por, not args.no_dead_reset, False, "bfs", True, True)]
                if args.fingerprints and n <= (FULL_FP_MAX[name] if args.full else 99):
                    configs.append(("checker+fp dfs", not args.no_por, not args.no_dead_reset, True, "dfs", True, True))
                if n > cmax:
                    configs = []
                if not args.no_full_row and n <= min(args.full_row_max, cmax):
                    configs.append(("checker full", False, False, False, "bfs", True, True))
                    if args.no_memo:
                        configs.append(("checker full, no memo", False, False, False, "bfs", True, False))
                    if args.whole_states:
                        configs.append(("checker full, whole states", False, False, False, "bfs", False, True))
                    if args.fingerprints:
                        configs.append(("checker full+fp dfs", False, False, True, "dfs", True, True))
                for label, por, dead, fp, strategy, compact, memo in configs:
                    r = run_checker(name, n, por, dead, fp, args.max_states, args.timeout, strategy, compact, memo)
                    r.update(program=name, n=n, tool=label)
                    rows.append(r)
                    _print_row(r)
                if args.command and n in args.command:
                    r = run_command(name, n, work)
                    r.update(program=name, n=n, tool="checker command")
                    rows.append(r)
                    _print_row(r)
                if have_spin:
                    for red in (True, False):
                        r = run_spin(name, n, red, work)
                        r.update(program=name, n=n, tool="spin POR" if red else "spin full")
                        rows.append(r)
                        _print_row(r)
    _write_report(args.out, rows, cmd)
    print(f"wrote {args.out}")
    return 0


def _print_row(r: dict[str, Any]) -> None:
    if "error" in r:
        print(f"{r['program']:>14} N={r['n']:<2} {r['tool']:<13} ERROR {r['error']}", flush=True)
        return
    extra = ""
    if "verdicts" in r:
        extra = " " + ",".join(f"{k}={v}" for k, v in r["verdicts"].items())
        if not r.get("complete", True):
            extra += f" INCOMPLETE ({r.get('stop_reason')})"
    print(f"{r['program']:>14} N={r['n']:<2} {r['tool']:<13} {r['states']:>11,} states {r['transitions']:>12,} tr "
          f"{r['seconds']:>8.2f}s {r['peak_mb']:>8.1f}MB{extra}", flush=True)


def _write_report(path: str, rows: list[dict[str, Any]], cmd: str) -> None:
    lines = ["# Performance: states, time and memory against SPIN", "",
             f"Generated by `{cmd.strip()}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
             f"(2 cores shared with other jobs; load average at the start {os.getloadavg()[0]:.1f}: wall seconds "
             "are inflated by that load, CPU seconds (this process and its children) much less).", "",
             "`checker`: default options (reductions on); `checker+fp dfs`: with the fingerprint store, depth first (SPIN's search: the stack proviso); "
             "`checker full`: `--no-por --no-dead-reset`; `checker full, no memo`: the same with `--no-memo` (every "
             "step run by the interpreter, no transition cache); `checker full, whole states`: the same with "
             "`--no-compact` (whole states in the table instead of their parts' numbers); `checker full+fp dfs`: "
             "unreduced, fingerprint store, depth-first (SPIN's layout: the table and the stack); `checker command`: "
             "the whole `python -m checker SPEC` timed from outside, best of 3 with bytecode cached (`--command N`).  SPIN: `spin -a`, `gcc -O2 -DSAFETY` "
             "(`-DNOREDUCE` for `spin full`), `./pan -E`; its seconds include spin and gcc, its memory is "
             "pan's \"total actual memory usage\" (mostly its preallocated hash table and stack).  states/s: the checker's states per CPU second; "
             "SPIN's per second of pan alone.  bytes/state (runs of 10,000 states or more): growth of the "
             "resident set during the search over the states stored.", "",
             "| program | N | tool | states | transitions | seconds | CPU s | peak MB | bytes/state | states/s "
             "| verdicts |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['program']} | {r['n']} | {r['tool']} | error: {r['error']} | | | | | | | |")
            continue
        bps = fmt(r["bytes_per_state"], 0) if "bytes_per_state" in r and r["states"] >= 10_000 else ""
        secs = r.get("pan_seconds", r.get("cpu_seconds"))
        rate = fmt(r["states"] / secs, 0) if secs else ""
        verdicts = ", ".join(f"{k}: {v}" for k, v in r.get("verdicts", {}).items())
        if not r.get("complete", True):
            verdicts += f" (incomplete: {r.get('stop_reason')})"
        if r.get("omission_probability"):
            verdicts += f"; P(missed state) <= {r['omission_probability']:.2g}"
        lines.append(f"| {r['program']} | {r['n']} | {r['tool']} | {fmt(r['states'])} | {fmt(r['transitions'])} | "
                     f"{fmt(r['seconds'])} | {fmt(r.get('cpu_seconds', ''))} | {fmt(r['peak_mb'], 1) if r['peak_mb'] == r['peak_mb'] else ''} | "
                     f"{bps} | {rate} | "
                     f"{verdicts} |")
    lines.append("")
    lines += _ratios(rows)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def _ratios(rows: list[dict[str, Any]]) -> list[str]:
    by: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}
    for r in rows:
        if "error" not in r:
            by.setdefault((r["program"], r["n"]), {})[r["tool"]] = r
    out = ["## Ratios", "",
           "| program | N | full/reduced states (checker) | checker/SPIN-POR states | checker/SPIN-POR CPU seconds |",
           "|---|---|---|---|---|"]
    for (prog, n), t in by.items():
        c, f, s = t.get("checker"), t.get("checker full"), t.get("spin POR")
        red = fmt(f["states"] / c["states"]) + "x" if c and f and c["states"] else ""
        vs = fmt(c["states"] / s["states"]) if c and s and s["states"] else ""
        secs = fmt(c["cpu_seconds"] / s["cpu_seconds"]) if c and s and s.get("cpu_seconds") else ""
        out.append(f"| {prog} | {n} | {red} | {vs} | {secs} |")
    return out + [""]


if __name__ == "__main__":
    sys.exit(main())
