"""The coordinator of a partitioned search: rounds, levels, bounds, verdicts.

The coordinator holds no states.  It tells every partition to expand a
batch of its current BFS level, routes the outboxes to their owners (the
backend does the moving), and collects a small status from each.  When
every partition has expanded its whole level, the next round moves all of
them to the next level together (a level-synchronous BFS, as in Stern and
Dill's parallel Murphi): a state first found at depth d is stored at depth
d, so counterexamples have the length the single-process BFS finds.

Between rounds it checks the bounds: `max_states` (over all partitions),
`timeout_s`, a partition's memory limit, Ctrl-C (the first one stops after
the round in progress, cleanly; a second one aborts).  Any of them makes the
undecided properties ``unknown``: a bound never becomes ``holds``.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from checker.explore import _Progress, peak_memory_mb
from checker.liveness import check_liveness
from checker.model import HOLDS, Property, unknown, violated
from checker.parallel.gather import GATHER_LIMIT, merge
from checker.results import PropertyResult, Result, Stats

__all__ = ["Backend", "PartitionError", "PartitionLost", "Run", "search"]


class PartitionLost(RuntimeError):
    """A partition's process or actor died (killed, out of memory): the search ends ``unknown``."""


class PartitionError(RuntimeError):
    """The model's code raised an exception in a partition (carries the remote traceback)."""


class Backend(Protocol):
    """How the coordinator reaches its `n` partitions (see `checker.parallel.partition`)."""

    n: int

    def init(self) -> list[dict[str, Any]]: ...

    def round(self, batch: int, advance: bool, decided: list[str]) -> list[dict[str, Any]]:
        """Expand, exchange outboxes, store (and resolve edges); the statuses."""
        ...

    def call(self, k: int, method: str, *args: Any) -> Any: ...

    def call_all(self, method: str, *args: Any) -> list[Any]: ...

    def close(self) -> None: ...


@dataclass
class Run:
    """A partitioned search's result plus what each partition did."""

    result: Result
    partitions: list[dict[str, Any]] = field(default_factory=list)
    rounds: int = 0
    levels: int = 0
    coordinator_mb: float = 0.0
    coordinator_cpu: float = 0.0
    gather_seconds: float = 0.0


@contextmanager
def _interrupt_flag() -> Iterator[list[bool]]:
    """``flag[0]`` turns true on the first Ctrl-C; a second one raises KeyboardInterrupt."""
    flag = [False]
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def handler(signum: int, frame: Any) -> None:
        if flag[0]:
            raise KeyboardInterrupt
        flag[0] = True

    old = signal.signal(signal.SIGINT, handler)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, old)


def _path(backend: Backend, k: int, local: int) -> tuple[int, ...]:
    """The initial-state index then the action indices leading to state (k, local)."""
    n = backend.n
    steps: list[int] = []
    gid = local * n + k
    while True:
        par, act = backend.call(gid % n, "lineage", gid // n)
        steps.append(act)
        if par < 0:
            break
        gid = par
    steps.reverse()
    return tuple(steps)


def search(backend: Backend, props: Sequence[Property], *, max_states: int = 10_000_000,
           timeout_s: float | None = None, progress: bool = False, stop_early: bool = False,
           batch: int = 20_000, gather_limit: int = GATHER_LIMIT,
           decode: Callable[[bytes], Any] | None = None) -> Run:
    """Run the level-synchronous search on `backend` and decide `props`.

    `props` are the coordinator's own `Property` values (it evaluates the
    liveness properties on the gathered graph); the partitions check the
    safety properties of the same names on their own models.  `decode` turns
    the partitions' bytes back into states for liveness (the model's codec,
    `checker.parallel.codec.codec_of`; default: `pickle.loads`)."""
    always = [p for p in props if p.kind == "always"]
    sometimes = [p for p in props if p.kind == "sometimes"]
    deadlock = [p for p in props if p.kind == "deadlock"]
    liveness = [p for p in props if p.is_liveness]
    by_name = {p.name: p for p in props}
    safety = {p.name for p in always + deadlock + sometimes}

    stats = Stats(strategy="bfs")
    cpu0 = time.process_time()
    start = time.monotonic()
    deadline = start + timeout_s if timeout_s else None
    display = _Progress(progress)
    found: dict[str, tuple[int, int, str]] = {}
    statuses: list[dict[str, Any]] = []
    stop = ""
    cut = ""
    broken = False
    run = Run(Result({}, stats))

    def absorb(sts: list[dict[str, Any]]) -> None:
        nonlocal stop, cut
        for k, st in enumerate(sts):
            for name, reason, local in st["found"]:
                if name not in found:
                    found[name] = (k, local, reason)
            if st["stop"] and not stop:
                stop = st["stop"]
            if st["cut"] and not cut:
                cut = st["cut"]
        stats.states = sum(st["states"] for st in sts)
        stats.transitions = sum(st["transitions"] for st in sts)
        stats.depth = max(st["depth"] for st in sts)

    try:
        with _interrupt_flag() as interrupted:
            statuses = backend.init()
            absorb(statuses)
            advance = False
            while not stop:
                left = sum(st["left"] for st in statuses)
                waiting = sum(st["next"] for st in statuses)
                if left == 0:
                    if waiting == 0:
                        break
                    advance = True
                    run.levels += 1
                if stats.states >= max_states:
                    stop = f"max_states {max_states} reached"
                    break
                if stop_early and safety <= found.keys():
                    stop = "stopped early: every safety property is decided"
                    break
                if deadline is not None and time.monotonic() > deadline:
                    stop = f"timeout {timeout_s:g}s reached"
                    break
                if interrupted[0]:
                    stop = "interrupted"
                    break
                room = max(1, (max_states - stats.states) // backend.n + 1)
                statuses = backend.round(min(batch, room), advance, sorted(found))
                advance = False
                run.rounds += 1
                absorb(statuses)
                display.update(stats, sum(st["left"] + st["next"] for st in statuses), start)
    except KeyboardInterrupt:
        stop = "interrupted"
        broken = True
    except PartitionLost as e:  # a dead worker: what it held is gone, so nothing is decided
        stop = str(e)
        broken = True
    finally:
        display.close()

    stats.seconds = time.monotonic() - start
    stats.complete = not stop and not cut
    stats.stop_reason = stop or cut
    run.partitions = statuses
    results: dict[str, PropertyResult] = {}
    for name, (k, local, reason) in found.items():
        p = by_name[name]
        path = None
        if not broken:
            try:
                path = _path(backend, k, local)
            except PartitionLost:
                pass
        if path is None and p.kind == "sometimes":
            continue  # a witness that cannot be shown is not a proof
        results[name] = PropertyResult(p, HOLDS if p.kind == "sometimes" else violated(reason), path)

    exhaustive = stats.complete
    why = stats.stop_reason
    for p in always + deadlock:
        if p.name not in results:
            results[p.name] = PropertyResult(p, HOLDS if exhaustive else unknown(why))
    for p in sometimes:
        if p.name not in results:
            results[p.name] = PropertyResult(p, violated("never reached") if exhaustive else unknown(why))
    if liveness:
        if not exhaustive:
            for p in liveness:
                results[p.name] = PropertyResult(p, unknown(why))
        elif stats.states > gather_limit:
            reason = (f"liveness needs the whole state graph on one machine: {stats.states:,} states exceed "
                      f"the gather limit of {gather_limit:,}")
            for p in liveness:
                results[p.name] = PropertyResult(p, unknown(reason))
        else:
            t0 = time.monotonic()
            merged = merge(backend.call_all("export"), stats, *(() if decode is None else (decode,)))
            for p in liveness:
                results[p.name] = check_liveness(p, merged)
            run.result = merged
            run.gather_seconds = time.monotonic() - t0
            stats.seconds += run.gather_seconds
    run.coordinator_mb = peak_memory_mb()
    run.coordinator_cpu = time.process_time() - cpu0
    stats.peak_mb = run.coordinator_mb + sum(st["peak_mb"] for st in statuses)
    run.result.results = {p.name: results[p.name] for p in props}
    run.result.stats = stats
    return run
