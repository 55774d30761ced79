"""Run queues of the G-M-P scheduler: pure functions over immutable values.

A P (`PState`) is a small named tuple: the goroutine it runs (``cur``, 0
when it is in ``schedule``), its ``runnext`` slot (0 = empty), its bounded
local run queue ``runq`` (head first), ``tick`` (``p.schedtick``, kept
modulo the global-check period so equal schedules compare equal) and
``slice`` (steps of the current time slice, capped at the slice length).
The global run queue is a tuple of goroutine ids, head first.

Every function returns new values; none mutates.  They are the model's
``runqput``/``runqputslow``/``runqget``/``globrunqget``/``runqsteal`` from
``src/runtime/proc.go`` (go1.21.12), cited rule by rule from
docs/go-semantics.md section 1.

Examples
--------
>>> p = PState(cur=1)
>>> p, spill = runqput(p, 2, True, 4)      # go: the new G takes runnext (SCH-13)
>>> p, spill = runqput(p, 3, True, 4)      # the old runnext is kicked to the tail (SCH-8)
>>> (p.runnext, p.runq, spill)
(3, (2,), ())
>>> runqget(p)[1:]                          # runnext first, inheriting the slice (SCH-10)
(3, True)
"""

from __future__ import annotations

from typing import NamedTuple

from models.state import World

__all__ = ["RUNTIME_G", "gname", "GmpState", "Gids", "PState", "globrunqget", "queued", "runqget", "runqput", "runqsteal"]

Gids = tuple[int, ...]


class PState(NamedTuple):
    """One P (SCH-3, SCH-5, SCH-6, SCH-11): see the module docstring."""

    cur: int = 0
    runnext: int = 0
    runq: Gids = ()
    tick: int = 0
    slice: int = 0
    #: G121 ``_Psyscall`` (SCH-25): the goroutine in a system call this P is
    #: kept for (0: not in a syscall).  Such a P runs and schedules nothing
    #: until the call returns (SCH-27a) or sysmon retakes it (SCH-28).
    sys: int = 0


def runqput(p: PState, g: int, next: bool, size: int) -> tuple[PState, Gids]:
    """SCH-8 ``runqput``: put `g` on `p`; returns ``(p', spill)`` where `spill`
    goes to the tail of the global queue.

    With `next`, `g` takes ``runnext`` and the old runnext (if any) is the G
    that is enqueued at the tail.  A full queue (``size`` goroutines) is
    ``runqputslow`` (SCH-9): the oldest half (``size // 2``) plus the G being
    put move, in that order, to the global queue (ORACLE-2: 128 + 1 at 256).
    """
    if next:
        old = p.runnext
        p = p._replace(runnext=g)
        if old == 0:
            return p, ()
        g = old
    q = p.runq
    if len(q) < size:
        return p._replace(runq=q + (g,)), ()
    n = len(q) // 2
    return p._replace(runq=q[n:]), q[:n] + (g,)


def runqget(p: PState) -> tuple[PState, int, bool]:
    """SCH-10 ``runqget``: ``(p', g, inherit_time)``; runnext first (inherits
    the time slice), else the head of the queue; ``g == 0`` when empty."""
    if p.runnext:
        return p._replace(runnext=0), p.runnext, True
    if p.runq:
        return p._replace(runq=p.runq[1:]), p.runq[0], False
    return p, 0, False


def globrunqget(gq: Gids, p: PState, procs: int, size: int, limit: int = 0) -> tuple[Gids, PState, int]:
    """SCH-12 ``globrunqget(pp, max)``: take ``n = min(len, len/GOMAXPROCS + 1,
    max if max > 0, size/2)`` goroutines from the head of the global queue;
    return the first to run and put the rest on `p`'s local queue
    (``runqput(next=false)``).  ``size/2`` is at least 1 so that tiny
    queues (runq_size 1) still make progress.  Returns ``(gq', p', g)``."""
    if not gq:
        return gq, p, 0
    n = min(len(gq), len(gq) // procs + 1, max(1, size // 2))
    if limit > 0:
        n = min(n, limit)
    batch, gq = gq[:n], gq[n:]
    spill: Gids = ()
    for g in batch[1:]:
        p, s = runqput(p, g, False, size)
        spill += s
    return gq + spill, p, batch[0]


def runqsteal(thief: PState, victim: PState, mode: str, buggy: bool = False) -> tuple[PState, PState, int]:
    """SCH-21 ``runqsteal``/``runqgrab``: grab from the head of the victim's
    queue ``k - k/2`` goroutines (``mode == "half"``) or one (``"one"``);
    the last grabbed is returned to run, the others go on the thief's (empty)
    queue.  With the victim's queue empty, take its ``runnext`` (the last
    steal pass may, SCH-20).  Returns ``(thief', victim', g)``, ``g == 0``
    when there was nothing to take.

    `buggy` is a deliberately wrong ``runqgrab`` that copies the goroutines
    but never advances the victim's head (nor clears its runnext): every
    stolen goroutine is then in two places at once."""
    k = len(victim.runq)
    if k:
        n = k - k // 2 if mode == "half" else 1
        grabbed = victim.runq[:n]
        if not buggy:
            victim = victim._replace(runq=victim.runq[n:])
        return thief._replace(runq=thief.runq + grabbed[:-1]), victim, grabbed[-1]
    if victim.runnext:
        g = victim.runnext
        if not buggy:
            victim = victim._replace(runnext=0)
        return thief, victim, g
    return thief, victim, 0


class GmpState(NamedTuple):
    """The world plus the scheduler's own state (see the module docstring)."""

    world: World
    ps: tuple[PState, ...]
    gq: Gids = ()
    lat: tuple[int, ...] = ()


def queued(s: GmpState) -> list[int]:
    """Goroutine ids waiting in some run queue (runnext, local, global), with repeats."""
    out: list[int] = [g for g in s.gq if g > 0]  # not RUNTIME_G: it is in no World
    for p in s.ps:
        if p.runnext > 0:
            out.append(p.runnext)
        out.extend(g for g in p.runq if g > 0)
    return out


#: A runtime goroutine left on P0's queue by package initialisation (the
#: finalizer goroutine, `models.sched.gmp` init_states): it is in no
#: `World`; scheduled, it parks at once.
RUNTIME_G = -1


def gname(g: int) -> str:
    """How traces name a queued goroutine."""
    return "G(fing)" if g == RUNTIME_G else f"G{g}"
