"""The Ray backend: each partition is a Ray actor holding its share of states.

Install with ``pip install 'gocheck[distributed]'`` (Ray).  ``address``:

- ``"auto"``: join the running cluster (``ray start --head`` on this or
  another machine, or ``RAY_ADDRESS``); when there is none, start a local
  Ray for this run (with as many logical CPUs as partitions, so 8 or 16
  actors can be simulated on a small machine) and stop it afterwards.
- ``"local"``: always start a private local Ray.
- anything else: a cluster address (``ray://host:10001``, ``host:6379``).

A round is three actor calls per partition, submitted without waiting:
``expand`` returns one object per destination (``num_returns = n + 1``);
each owner's ``receive`` takes the objects addressed to it as arguments,
so Ray moves them from actor to actor (through the object store, never
through the coordinator); when the state graph is kept, ``resolve`` takes
the owners' replies the same way.  The coordinator only waits for the
small statuses.

Each actor asks Ray for `actor_cpus` CPUs and, with `memory_limit_mb`, for
that much ``memory`` (a scheduling resource: Ray places the actors on nodes
that have it), and the partition itself stops the search (``unknown``)
when its table grows past the limit, rather than being killed by the
node's out-of-memory monitor.  The actors are spread over the nodes
(``SPREAD``), so the reachable space can exceed one machine's memory.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import ray

from checker.parallel.driver import PartitionError, PartitionLost
from checker.parallel.partition import ModelFactory, Partition

__all__ = ["RayBackend", "PartitionActor", "connect"]


@ray.remote
class PartitionActor:
    """One `Partition` in a Ray actor (see the module docstring)."""

    def __init__(self, factory: ModelFactory, me: int, n: int, names: Sequence[str] | None,
                 options: dict[str, Any]):
        self.part = Partition(factory, me, n, names, **options)

    def expand(self, batch: int, advance: bool, decided: list[str]) -> tuple[Any, ...]:
        return (*self.part.expand(batch, advance, decided), None)

    def receive(self, *boxes: Any) -> tuple[Any, ...]:
        replies, status = self.part.receive(boxes)
        return (*replies, status)

    def resolve(self, *replies: Any) -> None:
        self.part.resolve(replies)

    def call(self, method: str, *args: Any) -> Any:
        return getattr(self.part, method)(*args)


def connect(address: str, cpus: int) -> bool:
    """Connect to (or start) Ray; True when this call started or joined it
    (so the caller shuts it down), False when Ray was already initialized."""
    if ray.is_initialized():
        return False
    quiet: dict[str, Any] = {"include_dashboard": False, "logging_level": "warning",
                             "log_to_driver": False}
    if address == "auto":
        try:
            ray.init(address="auto", **quiet)
            return True
        except ConnectionError:
            address = "local"
    if address == "local":
        ray.init(num_cpus=max(cpus, os.cpu_count() or 1), **quiet)
    else:
        ray.init(address=address, **quiet)
    return True


class RayBackend:
    """`n` `PartitionActor`s on a Ray cluster."""

    def __init__(self, factory: ModelFactory, n: int, names: Sequence[str] | None, *, address: str = "auto",
                 max_depth: int = 1_000_000, need_graph: bool = False, memory_limit_mb: float | None = None,
                 actor_cpus: float = 1.0, runtime_env: dict[str, Any] | None = None):
        if n < 1:
            raise ValueError("workers must be at least 1")
        self.n = n
        self.need_graph = need_graph
        self.owned = connect(address, int(n * actor_cpus + 0.999))
        self.actors: list[Any] = []
        try:
            have = ray.cluster_resources().get("CPU", 0)
            if have < n * actor_cpus:
                raise ValueError(f"the Ray cluster has {have:g} CPUs, {n} actors of {actor_cpus:g} CPU each "
                                 f"need {n * actor_cpus:g}: lower actor_cpus or add nodes")
            opts: dict[str, Any] = {"num_cpus": actor_cpus, "scheduling_strategy": "SPREAD",
                                    "max_restarts": 0}
            if memory_limit_mb is not None:
                opts["memory"] = int(memory_limit_mb * 2**20)
            if runtime_env is not None:
                opts["runtime_env"] = runtime_env
            options = {"max_depth": max_depth, "need_graph": need_graph, "memory_limit_mb": memory_limit_mb}
            actor: Any = PartitionActor  # a Ray actor class (ray.remote)
            self.actors = [actor.options(**opts).remote(factory, k, n, names, options) for k in range(n)]
            self._get([a.call.remote("status") for a in self.actors])
        except BaseException:
            self.close()
            raise

    def _get(self, refs: Any) -> Any:
        try:
            return ray.get(refs)
        except ray.exceptions.RayActorError as e:
            raise PartitionLost(f"a partition actor died: {e}") from None
        except ray.exceptions.RayTaskError as e:
            raise PartitionError(f"a partition failed:\n{e}") from None

    def call(self, k: int, method: str, *args: Any) -> Any:
        return self._get(self.actors[k].call.remote(method, *args))

    def call_all(self, method: str, *args: Any) -> list[Any]:
        return self._get([a.call.remote(method, *args) for a in self.actors])

    def init(self) -> list[dict[str, Any]]:
        return self.call_all("init")

    def round(self, batch: int, advance: bool, decided: list[str]) -> list[dict[str, Any]]:
        n = self.n
        exp = [a.expand.options(num_returns=n + 1).remote(batch, advance, decided) for a in self.actors]
        rec = [a.receive.options(num_returns=n + 1).remote(*[exp[i][j] for i in range(n)])
               for j, a in enumerate(self.actors)]
        waits = [r[n] for r in rec]
        if self.need_graph and n > 1:
            done = [a.resolve.remote(*[rec[j][i] for j in range(n)]) for i, a in enumerate(self.actors)]
            self._get(done)
        return self._get(waits)

    def close(self) -> None:
        for a in self.actors:
            try:
                ray.kill(a)
            except Exception:  # noqa: BLE001 - already gone
                pass
        self.actors = []
        if self.owned:
            ray.shutdown()
            self.owned = False
