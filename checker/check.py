"""`check()`: explore a model, then decide its liveness properties on the graph.

This is the one entry point the application uses: a search
(:func:`checker.explore.explore`) decides the safety properties as states
are found; when it finished with the whole graph, the fair-cycle search of
:mod:`checker.liveness` decides the liveness properties.  Anything the
search could not justify stays ``unknown``.

Examples
--------
>>> from checker.model import Property
>>> class Spin:
...     def init_states(self): return [0]
...     def actions(self, s): return [0] if s == 1 else [1]
...     def next_state(self, s, a): return 1
...     def properties(self): return [Property.eventually("reaches 2", lambda s: s == 2)]
>>> r = check(Spin())
>>> r["reaches 2"].verdict.kind, r["reaches 2"].path, r["reaches 2"].loop
('violated', (0, 0, 0), 1)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from checker.explore import Strategy, explore
from checker.liveness import check_liveness
from checker.model import Property
from checker.results import Result

__all__ = ["check"]


def check(model: Any, strategy: Strategy = "bfs", *, properties: Sequence[Property] | None = None,
          **options: Any) -> Result:
    """Explore `model` (`options` as for `explore`) and decide every property.

    The result lists the properties in the order they were given (or the
    model's order)."""
    props = list(model.properties() if properties is None else properties)
    result = explore(model, strategy, properties=props, **options)
    if result.undecided:
        t0 = time.monotonic()
        for p in result.undecided:
            result.results[p.name] = check_liveness(p, result)
        result.undecided = []
        result.stats.seconds += time.monotonic() - t0
    result.results = {p.name: result.results[p.name] for p in props}
    return result
