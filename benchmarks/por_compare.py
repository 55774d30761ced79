"""Partial-order reduction on five dining philosophers (resource ordering).

Each philosopher is a goroutine that takes its lower-numbered fork (a struct
holding a sync.Mutex) first, then the other, `--meals` times; main waits on a
WaitGroup.  The program is deadlock-free; the script explores it with and
without ``reduce=True`` and prints states, time and the ratio.

    python benchmarks/por_compare.py [--meals 1] [--max-states N] [--strategy bfs] [--proviso visited]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from checker.check import check  # noqa: E402
from gocheck.factory import build_model
from gocheck.spec import load_spec_text  # noqa: E402

PROPS = "[deadlock_free, panic_free, race_free]"


def philosophers_spec(meals: int = 2, n: int = 5) -> str:
    """The spec text: `n` philosophers, fork i and i+1 (the last one: 0 and n-1)."""
    forks = "".join(f"\tf{i} := &Fork{{}}\n" for i in range(n))
    gos = "".join(f"\tgo phil(f{min(i, (i + 1) % n)}, f{max(i, (i + 1) % n)}, &wg)\n" for i in range(n))
    src = ("package main\n\nimport \"sync\"\n\ntype Fork struct {\n\tmu sync.Mutex\n}\n\n"
           "func phil(first *Fork, second *Fork, wg *sync.WaitGroup) {\n"
           f"\tfor i := 0; i < {meals}; i++ {{\n\t\tfirst.mu.Lock()\n\t\tsecond.mu.Lock()\n"
           "\t\tsecond.mu.Unlock()\n\t\tfirst.mu.Unlock()\n\t}\n\twg.Done()\n}\n\n"
           f"func main() {{\n{forks}\tvar wg sync.WaitGroup\n\twg.Add({n})\n{gos}\twg.Wait()\n}}\n")
    return (f"name: philosophers\nabout: {n} dining philosophers with resource ordering, {meals} meal(s) each\n"
            "source: |\n" + "".join(f"  {line}\n" for line in src.splitlines()) + f"properties: {PROPS}\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--meals", type=int, default=1)
    ap.add_argument("--n", type=int, default=5)
    ap.add_argument("--max-states", type=int, default=5_000_000)
    ap.add_argument("--strategy", default="bfs", choices=("bfs", "dfs"))
    ap.add_argument("--proviso", default="visited", choices=("visited", "depth"))
    args = ap.parse_args()
    spec = load_spec_text(philosophers_spec(args.meals, args.n), "philosophers.yaml")
    rows = []
    for reduce in (False, True):
        t0 = time.monotonic()
        r = check(build_model(spec), args.strategy, reduce=reduce, proviso=args.proviso,
                    max_states=args.max_states)
        secs = time.monotonic() - t0
        verdicts = {k: v.verdict.kind for k, v in r.results.items()}
        rows.append((r.stats.states, secs))
        print(f"{'POR ' if reduce else 'full'}: {r.stats.states:,} states, {r.stats.transitions:,} transitions, "
              f"{secs:.1f}s, reduced {r.stats.reduced:,}, complete {r.stats.complete}, {verdicts}", flush=True)
    (fs, ft), (rs, rt) = rows
    print(f"ratio: states {fs / rs:.2f}x fewer, time {ft / rt if rt else 0:.2f}x")


if __name__ == "__main__":
    main()
