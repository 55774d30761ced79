"""Figures for ``runtime.timers: ordered`` (models/timeorder.py): what the
order changes, per program that sets timers.

1. Every spec under specs/ whose Go code sets a timer: states and verdicts
   with the spec as written (procs 2: the order does not apply, TM-3), then
   with ``procs: 1`` under ``timers: any`` and ``timers: ordered``, for the
   abstract scheduler and for gmp.
2. The scheduling corpus programs that set timers: Go's outputs (200 runs)
   and the model's outputs, preemption off and Go's start, under ``any``
   and ``ordered``.
3. ``--two-ps N``: the TM-3 oracle: `TWO_PS` built with ``go build`` and run
   N times: how often a later, longer timer on one P fires before an
   earlier, shorter one on the other (both Ps busy).

    PYTHONPATH=$PWD python benchmarks/timer_order.py [--specs] [--corpus] [--two-ps 200]
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import sys
import time
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

#: TM-3: timers live in per-P heaps; a busy P runs none of its timers.
TWO_PS = """package main

import (
	"fmt"
	"runtime"
	"time"
)

func spin(d time.Duration) {
	t0 := time.Now()
	for time.Since(t0) < d {
	}
}

func main() {
	runtime.GOMAXPROCS(2)
	a := time.NewTimer(1 * time.Millisecond)
	res := make(chan string, 1)
	go func() {
		b := time.NewTimer(2 * time.Millisecond)
		spin(4 * time.Millisecond)
		<-b.C
		select {
		case <-a.C:
			res <- "A fired first"
		default:
			res <- "B fired, A not yet"
		}
	}()
	spin(8 * time.Millisecond)
	fmt.Println(<-res)
}
"""

TIMER_CALL = re.compile(r"time\.(Sleep|After|NewTimer|NewTicker|Tick|AfterFunc)\b|context\.With(Timeout|Deadline)\b")


def timer_specs() -> list[str]:
    from gocheck.spec import load_spec

    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "specs", "**", "*.yaml"), recursive=True)):
        s = load_spec(path, compile=False)
        if s.kind != "program":
            continue
        src = s.source if hasattr(s, "source") else ""
        text = open(path, encoding="utf-8").read()
        m = re.search(r"source_file:\s*(\S+)", text)
        if m:
            with open(os.path.join(os.path.dirname(path), m.group(1)), encoding="utf-8") as f:
                src = f.read()
        else:
            src = text
        if TIMER_CALL.search(src):
            out.append(path)
    return out


def row(path: str, overrides: dict[str, Any]) -> str:
    from checker.check import check
    from gocheck.factory import build_model
    from gocheck.spec import load_spec

    spec = load_spec(path, overrides=overrides or None)
    res = check(build_model(spec), "bfs")
    v = ",".join(f"{k}={r.verdict.kind}" for k, r in sorted(res.results.items()))
    return f"{res.stats.states} [{v}]"


def specs_table() -> None:
    print("| spec | as written | abstract procs 1 any | abstract procs 1 ordered | gmp procs 1 any | gmp procs 1 ordered |")
    print("|---|---|---|---|---|---|")
    for path in timer_specs():
        name = os.path.relpath(path, os.path.join(ROOT, "specs"))[:-5]
        cells = [row(path, {})]
        for sched in ("abstract", "gmp"):
            for order in ("any", "ordered"):
                o = {"runtime.procs": 1, "runtime.timers": order}
                if sched == "gmp":
                    o["runtime.scheduler"] = "gmp"
                try:
                    cells.append(row(path, o))
                except Exception as e:  # a property of another scheduler, say
                    cells.append(f"({type(e).__name__})")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


def corpus_table() -> None:
    from gocheck.factory import build_model
    from models.outputs import outputs
    from tests.sched_corpus import CORPUS, corpus_spec, names, recorded

    print("| program | Go (200 runs) | gmp, preempt never, any | same, ordered | gmp defaults, any | same, ordered |")
    print("|---|---|---|---|---|---|")
    for name in names():
        with open(os.path.join(CORPUS, name + ".go"), encoding="utf-8") as f:
            if not TIMER_CALL.search(f.read()):
                continue
        go = "; ".join(f"{r['output']!r} x{r['count']}" for r in recorded(name))
        cells = []
        for base in ({"runtime.preempt": "never", "runtime.startup": "fixed"}, {}):
            for order in ("any", "ordered"):
                t0 = time.monotonic()
                res = outputs(build_model(corpus_spec(name, {**base, "runtime.timers": order})), 200_000)
                outs = sorted(e.output for e in res.endings)
                cells.append(f"{len(outs)}: " + ", ".join(repr(o) for o in outs)
                             + ("" if res.complete else " (incomplete)")
                             + f" [{res.states} states, {time.monotonic() - t0:.1f}s]")
        print(f"| {name} | {go} | " + " | ".join(cells) + " |", flush=True)


def two_ps(runs: int) -> None:
    import collections
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "go.mod"), "w", encoding="utf-8") as f:
            f.write("module twops\n\ngo 1.19\n")
        with open(os.path.join(d, "main.go"), "w", encoding="utf-8") as f:
            f.write(TWO_PS)
        subprocess.run(["go", "build", "-o", "twops", "."], cwd=d, check=True, capture_output=True, timeout=600)
        got = collections.Counter(subprocess.run([os.path.join(d, "twops")], capture_output=True, text=True,
                                                 timeout=60).stdout.strip() for _ in range(runs))
    version = subprocess.run(["go", "version"], capture_output=True, text=True).stdout.strip()
    print(f"{version}, {os.cpu_count()} CPUs, {runs} runs: " + ", ".join(f"{k!r} x{v}" for k, v in got.most_common()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--specs", action="store_true")
    ap.add_argument("--corpus", action="store_true")
    ap.add_argument("--two-ps", type=int, default=0, metavar="N")
    args = ap.parse_args(argv)
    if args.two_ps:
        two_ps(args.two_ps)
    elif args.specs or not args.corpus:
        specs_table()
    if args.corpus or not (args.specs or args.two_ps):
        corpus_table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
