"""Our engine against SPIN on the same transition system, measured in one run.

    python benchmarks/spin_compare.py [N ...]        (default: 5 8 10)

For each N it builds SPIN's verifier for benchmarks/promela/phil_flat.pml
(Debian's `spin` and gcc; -DSAFETY -DNOREDUCE, so no partial-order
reduction), runs it, explores checker.examples.PhilFlat(N), and prints both
state/transition counts (SPIN counts its atomic init as one more state and
two more transitions) and states per second with the ratio.  The machine is
shared and noisy: compare the ratio, not the seconds.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from checker.check import check  # noqa: E402
from checker.examples import PhilFlat  # noqa: E402


def spin(n: int, work: str) -> tuple[int, int, float]:
    src = os.path.join(HERE, "promela", "phil_flat.pml")
    subprocess.run(["spin", f"-DN={n}", "-a", src], cwd=work, check=True, capture_output=True)
    subprocess.run(["gcc", "-O2", "-DSAFETY", "-DNOREDUCE", "-DMEMLIM=8000", "-o", "pan", "pan.c"], cwd=work,
                   check=True, capture_output=True)
    t0 = time.perf_counter()
    out = subprocess.run(["./pan", "-m10000000"], cwd=work, check=True, capture_output=True, text=True).stdout
    secs = time.perf_counter() - t0
    states = int(re.search(r"(\d+) states, stored", out).group(1))
    transitions = int(re.search(r"(\d+) transitions", out).group(1))
    return states, transitions, secs


def main(ns: list[int]) -> int:
    if not shutil.which("spin") or not shutil.which("gcc"):
        print("spin and gcc are needed: apt-get install spin gcc", file=sys.stderr)
        return 2
    print(f"{'N':>3} {'spin states':>12} {'our states':>11} {'spin trans':>11} {'our trans':>10} "
          f"{'spin st/s':>11} {'our st/s':>10} {'ratio':>7}")
    with tempfile.TemporaryDirectory() as work:
        for n in ns:
            s_states, s_trans, s_secs = spin(n, work)
            r = check(PhilFlat(n))
            o_rate = r.stats.states / r.stats.seconds
            s_rate = s_states / s_secs
            same = (s_states, s_trans) == (r.stats.states + 1, r.stats.transitions + 2)
            print(f"{n:>3} {s_states:>12,} {r.stats.states:>11,} {s_trans:>11,} {r.stats.transitions:>10,} "
                  f"{s_rate:>11,.0f} {o_rate:>10,.0f} {s_rate / o_rate:>6.1f}x"
                  + ("" if same else "  COUNTS DIFFER"))
    print("ratio = SPIN states/s over ours (SPIN's wall time includes process start-up)")
    return 0


if __name__ == "__main__":
    sys.exit(main([int(a) for a in sys.argv[1:]] or [5, 8, 10]))
