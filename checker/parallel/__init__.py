"""Past one core and one machine: a partitioned breadth-first search, and swarms.

`check_parallel(factory, workers=N)` explores the state space of the model
``factory()`` with the state table partitioned by fingerprint across `N`
worker processes (:mod:`checker.parallel.local`) or, with ``ray="auto"`` or
a cluster address, across `N` Ray actors (:mod:`checker.parallel.ray_backend`).
It returns the same `checker.results.Result` as `checker.check.check`:
identical state and transition counts, identical verdicts, and
counterexamples of the same length (the search is a level-synchronous BFS,
:mod:`checker.parallel.driver`).  Liveness is decided on the gathered graph
(:mod:`checker.parallel.gather`) when it fits, else ``unknown``.

`swarm(factory, members=N)` runs `N` diversified randomized depth-first
searches with a bitstate table each (:mod:`checker.parallel.swarm_search`): for
spaces too large to finish; it never proves an invariant.

Models may hold lambdas, so they are not sent anywhere: the interface takes
a picklable zero-argument `factory` (a module-level function, a
`functools.partial` of one), and every worker builds its own model.

Examples
--------
>>> import functools
>>> from checker.examples import PhilFlat
>>> r = check_parallel(functools.partial(PhilFlat, 4, True), workers=2)
>>> r.stats.states, r.stats.transitions, r["deadlock_free"].verdict.kind, len(r["deadlock_free"].path) - 1
(234, 612, 'violated', 8)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from checker.model import Property
from checker.parallel.codec import codec_of
from checker.parallel.driver import PartitionError, PartitionLost, Run, search
from checker.parallel.gather import GATHER_LIMIT
from checker.parallel.partition import ModelFactory, select_properties
from checker.results import Result

__all__ = ["ModelFactory", "PartitionError", "PartitionLost", "Run", "check_parallel", "run_parallel", "swarm",
           "GATHER_LIMIT"]


def _names(properties: Sequence[Property | str] | None) -> list[str] | None:
    if properties is None:
        return None
    return [p if isinstance(p, str) else p.name for p in properties]


def run_parallel(factory: ModelFactory, workers: int = 2, *, ray: str | None = None,
                 properties: Sequence[Property | str] | None = None, max_states: int = 10_000_000,
                 max_depth: int = 1_000_000, timeout_s: float | None = None, progress: bool = False,
                 stop_early: bool = False, batch: int = 20_000, memory_limit_mb: float | None = None,
                 gather_limit: int = GATHER_LIMIT, start_method: str | None = None,
                 ray_options: dict[str, Any] | None = None, model: Any = None) -> Run:
    """`check_parallel` that also returns what each partition did (a `Run`).

    `memory_limit_mb` caps each partition's memory: the larger of its growth
    in resident memory since it started and its table's counted size
    (`Partition.table_mb`); a partition over it ends the search with
    ``unknown``.  With Ray it is also
    the actor's ``memory`` resource, so the scheduler spreads the actors
    over nodes that have that much.  `model` is the coordinator's own model
    (built with `factory` when not given): it names the properties and
    decides liveness on the gathered graph."""
    if model is None:
        model = factory()
    names = _names(properties)
    props = select_properties(model, names)
    names = [p.name for p in props]
    need_graph = any(p.is_liveness for p in props)
    backend: Any
    if ray is None:
        from checker.parallel.local import LocalBackend
        backend = LocalBackend(factory, workers, names, max_depth=max_depth, need_graph=need_graph,
                               memory_limit_mb=memory_limit_mb, start_method=start_method)
    else:
        from checker.parallel.ray_backend import RayBackend
        backend = RayBackend(factory, workers, names, address=ray, max_depth=max_depth, need_graph=need_graph,
                             memory_limit_mb=memory_limit_mb, **(ray_options or {}))
    try:
        return search(backend, props, max_states=max_states, timeout_s=timeout_s, progress=progress,
                      stop_early=stop_early, batch=batch, gather_limit=gather_limit,
                      decode=codec_of(model)[1] if need_graph else None)
    finally:
        backend.close()


def check_parallel(factory: ModelFactory, workers: int = 2, **options: Any) -> Result:
    """Explore ``factory()`` on `workers` partitions and decide every property
    (options as for `run_parallel`); the result lists the properties in the
    order given (or the model's order)."""
    return run_parallel(factory, workers, **options).result


def swarm(factory: ModelFactory, members: int = 4, **options: Any) -> Result:
    """Run a swarm of randomized searches (see `checker.parallel.swarm_search.swarm`)."""
    from checker.parallel.swarm_search import swarm as run_swarm
    return run_swarm(factory, members, **options)
