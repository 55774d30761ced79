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
import glob
import json
import os
import re
import sys
import time
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "tests", "sched_corpus")


def corpus_spec(name: str, overrides: dict[str, Any] | None = None) -> Any:
    """The spec of corpus program `name` under gmp (spec defaults, procs from GOMAXPROCS)."""
    from gocheck.spec import apply_override, load_spec_text

    with open(os.path.join(CORPUS, name + ".go"), encoding="utf-8") as f:
        src = f.read()
    with open(os.path.join(CORPUS, name + ".json"), encoding="utf-8") as f:
        rec = json.load(f)
    m = re.search(r"runtime\.GOMAXPROCS\((\d+)\)", src)
    procs = int(m.group(1)) if m else int(rec["cpus"])
    body = "".join("  " + line + "\n" if line.strip() else "\n" for line in src.splitlines())
    text = f"name: {name}\nsource: |\n{body}runtime: {{scheduler: gmp, procs: {procs}}}\n"
    spec = load_spec_text(text, os.path.join(CORPUS, name + ".yaml"))
    for k, v in (overrides or {}).items():
        spec = apply_override(spec, k, v)
    return spec


def recorded(name: str) -> list[dict[str, Any]]:
    with open(os.path.join(CORPUS, name + ".json"), encoding="utf-8") as f:
        return list(json.load(f)["outputs"])


def names() -> list[str]:
    return sorted(os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(CORPUS, "*.go")))


def _value(v: str) -> Any:
    if v in ("true", "false"):
        return v == "true"
    try:
        return int(v)
    except ValueError:
        return v


def main(argv: list[str] | None = None) -> int:
    from models.outputs import find_output
    from gocheck.factory import build_model

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
