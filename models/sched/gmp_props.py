"""Predicates of the G-M-P model: the scheduler's own invariants (the Go
properties of `models.props` apply to ``s.world``).

- ``gmp.no_lost_goroutine`` (SCH-INV-1, strengthened to "exactly one"):
  every runnable goroutine is in exactly one place (running on one P, in
  one runnext slot, one local-queue slot or one global-queue slot); a
  parked or exited goroutine is in none (a parked one is in its wait
  structure, which the world keeps; a goroutine in a system call is on its
  M, held by at most one ``_Psyscall`` P; one on the poller is in its
  pollDesc).  None twice, none missing.
- ``gmp.queue_bounds`` (SCH-5): no local queue holds more than
  ``runtime.runq_size`` goroutines.
- ``gmp.work_conservation`` (SCH-23, as a state invariant): a P in
  ``schedule`` that can find nothing to run (an idle P: no local work, an
  empty global queue, and no victim it may steal from) never coexists with
  a runnable goroutine waiting in some run queue.  With ``steal: half`` or
  ``one`` an idle P can reach every queue, so this holds by construction of
  ``findRunnable``; it fails when stealing is off, which is the point.
- ``starvation_free`` (progress, weak fairness per P): no fair execution
  keeps a runnable goroutine queued, never running, forever (keys: the
  queued goroutines).  Lock waiters are the abstract scheduler's business.
- ``max_latency: N``: no goroutine waits more than N transitions between
  becoming runnable and running (``lat`` in the state, capped at N+1).
- ``deadlock_free``, ``leak_free``, ``panic_free``, ``race_free``,
  ``terminates`` (weak fairness per P), ``max_goroutines``: as in
  `models.props`, on the world.

The registry (`models.properties`) turns these predicates into the
engine's properties.
"""

from __future__ import annotations

from typing import Any

from models.sched.gmp_queues import GmpState, queued
from models.state import RUN

__all__ = ["latency_ok", "lost_goroutine", "queue_bounds", "starving", "work_conservation"]


def _places(s: GmpState) -> dict[int, list[str]]:
    where: dict[int, list[str]] = {}
    for i, p in enumerate(s.ps):
        if p.cur:
            where.setdefault(p.cur, []).append(f"running on P{i}")
        if p.runnext:
            where.setdefault(p.runnext, []).append(f"P{i}.runnext")
        for g in p.runq:
            where.setdefault(g, []).append(f"P{i}.runq")
    for g in s.gq:
        where.setdefault(g, []).append("global runq")
    return where


def lost_goroutine(s: GmpState) -> bool | str:
    """``gmp.no_lost_goroutine``: True, or which goroutine is lost or duplicated.

    A goroutine in a system call is on its M (and held by at most one P in
    ``_Psyscall``, none after a retake), in no run queue; one parked on the
    poller is in its pollDesc (the world's pipe), in no run queue."""
    where = _places(s)
    for i, p in enumerate(s.ps):
        if p.sys:
            g = s.world.gs[p.sys - 1]
            if g.wait[:1] != ("syscall",) or g.status == RUN:
                return f"P{i} is _Psyscall for G{p.sys}, which is not in a system call"
    held = [p.sys for p in s.ps if p.sys]
    for g in s.world.gs:
        if held.count(g.gid) > 1:
            return f"G{g.gid} holds {held.count(g.gid)} Ps in _Psyscall (duplicated)"
        places = where.get(g.gid, [])
        if g.status == RUN and not places:
            return f"G{g.gid} is runnable but on no P and in no run queue (lost)"
        if len(places) > 1:
            return f"G{g.gid} is in {len(places)} places at once: {', '.join(places)} (duplicated)"
        if g.status != RUN and places:
            return f"G{g.gid} is {g.status} but {places[0]}"
    return True


def queue_bounds(size: int) -> Any:
    def holds(s: GmpState) -> bool | str:
        for i, p in enumerate(s.ps):
            if len(p.runq) > size:
                return f"P{i}'s local run queue holds {len(p.runq)} goroutines, more than {size}"
        return True
    return holds


def work_conservation(steal: str) -> Any:
    def holds(s: GmpState) -> bool | str:
        if s.world.ended:
            return True
        waiting = [g for g in queued(s) if s.world.gs[g - 1].status == RUN]
        if not waiting:
            return True
        for i, p in enumerate(s.ps):
            if p.cur or p.sys or p.runnext or p.runq or s.gq:
                continue
            if steal != "none" and any(q.runq or q.runnext for k, q in enumerate(s.ps) if k != i):
                continue
            return (f"P{i} is idle while runnable {', '.join(f'G{g}' for g in waiting)} "
                    f"wait{'s' if len(waiting) == 1 else ''} in another P's run queue")
        return True
    return holds


def starving(s: GmpState) -> tuple[str, ...]:
    """Runnable goroutines that are queued (not running): the keys of ``starvation_free``."""
    if s.world.ended:
        return ()
    return tuple(sorted({f"G{g}" for g in queued(s) if s.world.gs[g - 1].status == RUN}))


def latency_ok(s: GmpState, limit: int) -> bool | str:
    for k, v in enumerate(s.lat):
        if v > limit:
            return f"G{k + 1} has been runnable for more than {limit} steps without running"
    return True
