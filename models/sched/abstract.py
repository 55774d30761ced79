"""The abstract scheduler: Go's spec semantics, any runnable goroutine may step.

This module decides *who* steps; *what* a step does lives in
`models.interp.Interpreter`, which every scheduler shares.  The contract,
for the author of another scheduler (``models/sched/gmp.py``):

World and step function
-----------------------
``m = Interpreter(program, spec.runtime)``; ``w0 = m.initial()`` is a
`models.state.World` (immutable, hashable).  Then:

- ``m.runnable(w) -> list[gid]``: goroutines with ``status == "run"``
  (empty once ``w.ended``).  A runnable goroutine's ``pc`` stands at a
  visible instruction (local work is run eagerly).
- ``m.choices(w, gid) -> list``: how `gid` may step: ``[None]`` for an
  ordinary step; for a ``select``, the indices of its ready cases (each a
  separate nondeterministic choice, SEL-2), or ``[-1]`` (default), or
  ``[None]`` (no case ready: the step parks it on every channel).
- ``m.step(w, gid, choice) -> Step(world, events)``: one visible
  instruction of `gid` plus the local ones after it.  ``events``
  (`models.tx.Events`) tells a scheduler what changed in its terms:
  ``spawned`` (new gids: a ``go`` statement), ``woken`` (gids made
  runnable: put them on ``runnext``/a run queue), ``blocked`` (the stepper
  parked: take it off its P), ``exited``, ``yielded`` (``runtime.Gosched``:
  to the global queue), ``locals`` (local instructions run: count them
  toward the time slice), ``ended`` (program over: main returned under
  ``main_exit: exit``, or a panic).
- ``w.timers`` lists pending timer events (``("sleep", gid)``,
  ``("after", chan_id)``); ``m.fireable(w)`` those that may fire now (with
  ``runtime.timers: ordered`` and one P an earlier, shorter timer may hold
  a later one back: `models.timeorder`); ``m.fire(w, timer) -> Step`` fires
  one (an environment action; its ``events.woken`` are the goroutines it
  readies).  ``runtime.timers: never`` means: offer no timer actions.
- ``m.env_events(w)`` lists the other environment events (`models.pipe`):
  ``("syscall", gid)`` (a goroutine parked with wait ``("syscall", name)``
  returns from its system call) and ``("netpoll", pipe)`` (the reader
  parked with ``("IO wait", pipe)`` is readied); ``m.fire(w, event)``
  delivers one (``events.woken`` = the goroutine).

A G-M-P model wraps the `World` with its own P/run-queue state, say
``GmpState(world, ps, global_q, ...)``, and only lets a goroutine that
holds a P step; the projection of its executions onto ``("step", gid,
choice)`` must be an execution of this scheduler (docs/design.md section 6).
Properties in `models.props` take a `World`, so a wrapper reuses them by
projecting its state (``lambda s: f(s.world)``).

Actions of this scheduler
-------------------------
``("step", gid)``, ``("select", gid, case)`` (``case`` -1 = default),
``("timer", kind, id)`` and ``("env", kind, id)`` (``machine.env_events``:
``("env", "syscall", gid)`` a system call returns, ``("env", "netpoll",
pipe)`` netpoll readies the reader parked on an ``os.Pipe``; fired with
``m.fire``, whatever ``runtime.timers`` says): small tuples, stable in
order (by gid, then timers sorted, then environment events sorted).
"""

from __future__ import annotations

from typing import Any

from models.interp import Interpreter
from models.state import World
from models.tx import Step

__all__ = ["AbstractScheduler", "Action"]

Action = tuple[Any, ...]


class AbstractScheduler:
    """Every runnable goroutine may take the next step; timers may fire any time."""

    def __init__(self, machine: Interpreter):
        self.m = machine
        self.timers_fire = machine.opts.timers != "never"
        #: the transition cache of goroutine steps (`models.memo`), or None
        self.memo: Any = None
        #: a runnable goroutine's actions, where they depend on the goroutine alone
        #: (`Interpreter.choices_of_g`)
        self._acts: dict[Any, tuple[Action, ...]] = {}

    def actions(self, w: World) -> list[Action]:
        if w.ended:
            return []
        acts: list[Action] = []
        m = self.m
        known = self._acts
        for g in w.gs:
            if g.status != "run":
                continue
            mine = known.get(g)
            if mine is None:
                mine = tuple(("step", g.gid) if c is None else ("select", g.gid, c) for c in m.choices(w, g.gid))
                if m.choices_of_g(g):
                    if len(known) > 100_000:
                        known.clear()
                    known[g] = mine
            acts.extend(mine)
        if self.timers_fire:
            acts.extend(("timer",) + t for t in m.fireable(w))
        acts.extend(("env",) + e for e in m.env_events(w))
        return acts

    def successor(self, w: World, a: Action) -> World:
        """``next(w, a).world``, a goroutine's step through the transition cache `memo`
        (`models.memo.StepMemo`) when there is one."""
        memo = self.memo
        if memo is None or a[0] == "timer" or a[0] == "env":
            return self.next(w, a).world
        return memo.successor(w, a[1], a[2] if a[0] == "select" else None)

    def next(self, w: World, a: Action) -> Step:
        if a[0] == "timer" or a[0] == "env":
            return self.m.fire(w, (a[1], a[2]))
        return self.m.step(w, a[1], a[2] if a[0] == "select" else None)
