"""Liveness on a large graph: dining philosophers (phil_flat) with a
progress property under weak fairness, N=10 has 838,861 states.

    python benchmarks/liveness_scale.py [N]

Prints the exploration and the fair-cycle search separately (seconds,
states/s, peak memory).
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from checker.check import check  # noqa: E402
from checker.examples import PhilFlat  # noqa: E402
from checker.model import Property  # noqa: E402


def main(n: int) -> None:
    m = PhilFlat(n)
    hungry = Property.progress("every hungry philosopher eats", lambda s: [k for k, pc in enumerate(s[0]) if pc == 1],
                               fairness="strong")
    t0 = time.perf_counter()
    r = check(m, properties=[hungry])
    total = time.perf_counter() - t0
    st = r.stats
    print(f"N={n}: {st.states:,} states, {st.transitions:,} transitions, {total:.1f}s in all "
          f"({st.states / total:,.0f} states/s with the liveness pass), peak {st.peak_mb:.0f} MB")
    print(f"verdict: {r['every hungry philosopher eats'].verdict}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
