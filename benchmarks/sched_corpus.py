"""How many of Go's recorded outputs the gmp model can reach, per corpus program.

For every program in ``tests/sched_corpus`` (``NAME.go`` + ``NAME.json``,
recorded by ``tests/sched_corpus/record.py``): build a spec with
``runtime.scheduler: gmp``, ``runtime.procs`` from the program's
``runtime.GOMAXPROCS(n)`` call (else the recording machine's CPU count) and
every other runtime option at its default (plus ``--set KEY=VALUE``
overrides), then search for each output Go printed (`models.outputs.find_output`).

    PYTHONPATH=$PWD python benchmarks/sched_corpus.py [--set runtime.preempt=off] [NAME ...]

Prints one line per program and the number of programs whose every Go
output is reachable.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.sched_corpus import corpus_spec, names, recorded  # noqa: E402


def _value(v: str) -> Any:
    if v in ("true", "false"):
        return v == "true"
    try:
        return int(v)
    except ValueError:
        return v


def main(argv: list[str] | None = None) -> int:
    from gocheck.factory import build_model
    from models.outputs import find_output

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--max-states", type=int, default=200_000)
    args = ap.parse_args(argv)
    overrides = {k: _value(v) for k, v in (s.split("=", 1) for s in args.set)}
    todo = args.names or names()
    full = 0
    for name in todo:
        t0 = time.monotonic()
        model = build_model(corpus_spec(name, overrides))
        outs = recorded(name)
        hit, undecided = 0, 0
        for o in outs:
            try:
                hit += find_output(model, o["output"], o["end"], args.max_states) is not None
            except RuntimeError:
                undecided += 1
        ok = hit == len(outs)
        full += ok
        print(f"{'ok  ' if ok else 'MISS'} {name}: {hit}/{len(outs)} Go outputs reachable"
              + (f" ({undecided} undecided at {args.max_states} states)" if undecided else "")
              + f"  [{time.monotonic() - t0:.1f}s]", flush=True)
    print(f"{full}/{len(todo)} programs: every Go output reachable")
    return 0


if __name__ == "__main__":
    sys.exit(main())
