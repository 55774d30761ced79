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


#: At most this many seconds of random walks after an exhaustive search a bound stopped.
HUNT_SECONDS = 30.0
#: With a timeout, at most this share of it goes to the walks (the search has the rest).
HUNT_SHARE = 0.3


def check(model: Any, strategy: Strategy = "bfs", *, properties: Sequence[Property] | None = None,
          hunt: bool = False, **options: Any) -> Result:
    """Explore `model` (`options` as for `explore`) and decide every property.

    With `hunt`, a breadth- or depth-first search that a bound stops
    (states, time, memory) before every property is decided is followed by
    seeded random walks to final states (`explore(strategy="random")`),
    which can still find violations: a panic, a race, a deadlock, a
    goroutine blocked in a final state (every one is a real path of the
    model, so a violation found is a verdict; nothing the walks do not
    find becomes ``holds``).  The walks get at most `HUNT_SECONDS`, and with
    a timeout at most `HUNT_SHARE` of it, which the search leaves them.
    ``stats.hunt`` says what they did.

    The result lists the properties in the order they were given (or the
    model's order)."""
    props = list(model.properties() if properties is None else properties)
    timeout = options.get("timeout_s")
    hunt_s = min(HUNT_SECONDS, HUNT_SHARE * timeout) if timeout else HUNT_SECONDS
    if hunt and timeout and strategy != "random":
        options = dict(options, timeout_s=timeout - hunt_s)
    t_start = time.monotonic()
    result = explore(model, strategy, properties=props, **options)
    if result.undecided:
        t0 = time.monotonic()
        for p in result.undecided:
            result.results[p.name] = check_liveness(p, result)
        result.undecided = []
        result.stats.seconds += time.monotonic() - t0
    if hunt and strategy != "random" and not result.stats.complete:
        open_props = [p for p in props if result.results[p.name].verdict.kind == "unknown"]
        if open_props:
            budget = min(hunt_s, timeout - (time.monotonic() - t_start)) if timeout else hunt_s
            if budget > 0:
                _hunt(model, result, open_props, budget, options)
    result.results = {p.name: result.results[p.name] for p in props}
    return result


def _hunt(model: Any, result: Result, open_props: list[Property], budget: float, options: dict[str, Any]) -> None:
    """Random walks for `budget` seconds on the properties the search left open; a violation
    they find replaces the ``unknown`` (its path replays on the model like any other).  A model
    may offer ``for_walks()``: a model with the same actions in the same order from every state
    it reaches, cheaper per step (walks merge few states, so canonical states matter little)."""
    walker = getattr(model, "for_walks", None)  # a cheaper model with the same paths, if it has one
    walks = explore(walker() if callable(walker) else model, "random", properties=open_props, timeout_s=budget, walks=1_000_000, stop_early=True,
                    max_depth=options.get("max_depth", 1_000_000), seed=options.get("seed", 0),
                    max_memory_mb=options.get("max_memory_mb"))
    found = []
    for p in open_props:
        got = walks.results.get(p.name)
        if got is not None and got.verdict.kind == "violated":
            result.results[p.name] = got
            found.append(p.name)
    result.stats.hunt = {"seconds": round(walks.stats.seconds, 1), "states": walks.stats.states,
                         "transitions": walks.stats.transitions, "found": found}
