"""What a search returns: statistics, per-property results, the state graph.

These types are shared by every search (`checker.explore`, the parallel
backends) and by liveness (`checker.liveness`), so they live apart from any
one of them.
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from checker.model import Property, Verdict

__all__ = ["Graph", "PropertyResult", "Result", "Stats"]


@dataclass(slots=True)
class Stats:
    """What a search did: counts, depth, time, memory, and why it stopped."""

    states: int = 0
    transitions: int = 0
    depth: int = 0
    seconds: float = 0.0
    peak_mb: float = 0.0
    complete: bool = False
    stop_reason: str = ""
    strategy: str = "bfs"
    reduced: int = 0
    #: ``exact`` (a table of states) or ``fingerprints`` (`checker.store`: a state may be missed)
    store: str = "exact"
    #: with fingerprints: the bound on the probability that some state was missed
    omission_probability: float = 0.0
    #: what `checker.check.check(hunt=True)`'s random walks did after a bounded search (or None)
    hunt: dict[str, Any] | None = None

    @property
    def states_per_s(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"states": self.states, "transitions": self.transitions, "depth": self.depth,
                "seconds": round(self.seconds, 3), "states_per_s": round(self.states_per_s),
                "peak_mb": round(self.peak_mb, 1), "complete": self.complete,
                "stop_reason": self.stop_reason, "strategy": self.strategy, "reduced": self.reduced,
                "store": self.store, "omission_probability": self.omission_probability,
                "hunt": self.hunt}


@dataclass(slots=True)
class PropertyResult:
    """The verdict on one property and, when violated, its counterexample.

    `path` is the initial-state index followed by action indices; `loop` is,
    for a lasso, the index of the state (along the path) that the last step
    returns to.
    """

    prop: Property
    verdict: Verdict
    path: tuple[int, ...] | None = None
    loop: int | None = None

    @property
    def path_str(self) -> str:
        return "/".join(map(str, self.path)) if self.path is not None else ""


@dataclass(slots=True)
class Graph:
    """The explored state graph, kept when liveness properties need it.

    Edges of state ``i`` are ``target[estart[i]:estart[i]+ecount[i]]`` with the
    action index and fairness group of each; ``enabled[i]`` is a bit mask of
    the fairness groups enabled in state ``i``.
    """

    estart: array
    ecount: array
    target: array
    action: array
    group: array
    enabled: list[int]
    groups: list[Hashable]


@dataclass(slots=True)
class Result:
    results: dict[str, PropertyResult]
    stats: Stats
    #: the states by number (a `checker.store.PackedStates` view of a compact search's table)
    states: Sequence[Any] = field(repr=False, default_factory=list)
    parent: array = field(repr=False, default_factory=lambda: array("q"))
    taken: array = field(repr=False, default_factory=lambda: array("l"))
    graph: Graph | None = field(repr=False, default=None)
    depth: array = field(repr=False, default_factory=lambda: array("l"))
    #: liveness properties the search left to `checker.check` (the graph is complete)
    undecided: list[Property] = field(repr=False, default_factory=list)

    def __getitem__(self, name: str) -> PropertyResult:
        return self.results[name]

    def path_to(self, index: int) -> list[int]:
        """Initial-state index then action indices leading to state `index`."""
        steps: list[int] = []
        while self.parent[index] >= 0:
            steps.append(self.taken[index])
            index = self.parent[index]
        steps.append(self.taken[index])
        steps.reverse()
        return steps
