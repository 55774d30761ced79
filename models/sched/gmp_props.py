"""Properties of the G-M-P model: the scheduler's own invariants plus the
Go properties of `models.props`, reused by projecting ``s.world``.

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
"""

from __future__ import annotations

from typing import Any

from checker.model import Property
from models import props
from models.sched.gmp import GmpState, queued
from models.state import RUN

__all__ = ["gmp_properties", "lost_goroutine", "queue_bounds", "work_conservation", "starving"]


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
    def check(s: GmpState) -> bool | str:
        for i, p in enumerate(s.ps):
            if len(p.runq) > size:
                return f"P{i}'s local run queue holds {len(p.runq)} goroutines, more than {size}"
        return True
    return check


def work_conservation(steal: str) -> Any:
    def check(s: GmpState) -> bool | str:
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
    return check


def starving(s: GmpState) -> tuple[str, ...]:
    """Runnable goroutines that are queued (not running): the keys of ``starvation_free``."""
    if s.world.ended:
        return ()
    return tuple(sorted({f"G{g}" for g in queued(s) if s.world.gs[g - 1].status == RUN}))


def gmp_properties(model: Any, prop_specs: Any) -> list[Property]:
    m = model.machine
    out: list[Property] = []
    for ps in prop_specs:
        n = ps.name
        if n == "gmp.no_lost_goroutine":
            out.append(Property.always(n, lost_goroutine, "every runnable goroutine is in exactly one place"))
        elif n == "gmp.queue_bounds":
            out.append(Property.always(n, queue_bounds(model.size), f"local run queues hold at most {model.size}"))
        elif n == "gmp.work_conservation":
            out.append(Property.always(n, work_conservation(model.steal_mode),
                                       "no P is idle while another P's run queue holds work"))
        elif n == "starvation_free":
            out.append(Property.progress(n, starving, "weak",
                                         about="no runnable goroutine stays queued forever on a fair execution"))
        elif n == "max_latency":
            limit = int(ps.param)
            out.append(Property.always(n, lambda s, k=limit: _latency_ok(s, k),
                                       f"every runnable goroutine runs within {limit} steps"))
        elif n == "deadlock_free":
            out.append(Property.deadlock_free(n, lambda s: props.deadlock_reason(m, s.world),
                                              "no state where every goroutine is asleep (checkdead)"))
        elif n == "leak_free":
            out.append(Property.bottom(n, lambda s: props.leak_keys(m, s.world),
                                       "no goroutine stays blocked on every continuation"))
        elif n == "panic_free":
            out.append(Property.always(n, lambda s: props.panic_reason(s.world), "no panic or fatal error"))
        elif n == "race_free":
            out.append(Property.always(n, lambda s: props.races(m, s.world),
                                       "no two conflicting accesses enabled together"))
        elif n == "terminates":
            out.append(Property.eventually(n, lambda s: props.terminated(m, s.world), "weak",
                                           "every execution fair to every P ends"))
        elif n == "max_goroutines":
            limit = int(ps.param)
            out.append(Property.always(n, lambda s, k=limit: True if props.live_goroutines(s.world) <= k else
                                       f"{props.live_goroutines(s.world)} live goroutines, more than {k}",
                                       f"at most {limit} live goroutines"))
    return out


def _latency_ok(s: GmpState, limit: int) -> bool | str:
    for k, v in enumerate(s.lat):
        if v > limit:
            return f"G{k + 1} has been runnable for more than {limit} steps without running"
    return True
