"""The scheduling corpus: Go programs whose output depends on the schedule,
each with the output distribution of 200 ``go run``-style runs beside it
(``NAME.json``, written by ``record.py``; ``GO_VERSION`` says which Go and
how many CPUs).  `corpus_spec` turns a program into a gmp spec the way the
corpus test and ``benchmarks/sched_corpus.py`` check it."""

from __future__ import annotations

import glob
import json
import os
import re
from typing import Any

__all__ = ["CORPUS", "corpus_spec", "recorded", "names"]

CORPUS = os.path.dirname(os.path.abspath(__file__))


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
