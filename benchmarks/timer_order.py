"""Figures for ``runtime.timers: ordered`` (models/timeorder.py): what the
order changes, per program that sets timers.

1. Every spec under specs/ whose Go code sets a timer: states and verdicts
   with the spec as written (procs 2: the order does not apply, TM-3), then
   with ``procs: 1`` under ``timers: any`` and ``timers: ordered``, for the
   abstract scheduler and for gmp.
2. The scheduling corpus programs that set timers: Go's outputs (200 runs)
   and the model's outputs, preemption off and Go's start, under ``any``
   and ``ordered``.

    PYTHONPATH=$PWD python benchmarks/timer_order.py [--specs] [--corpus]
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
                             + ("" if res.complete else " (incomplete)") + f" [{time.monotonic() - t0:.1f}s]")
        print(f"| {name} | {go} | " + " | ".join(cells) + " |", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--specs", action="store_true")
    ap.add_argument("--corpus", action="store_true")
    args = ap.parse_args(argv)
    if args.specs or not args.corpus:
        specs_table()
    if args.corpus or not args.specs:
        corpus_table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
