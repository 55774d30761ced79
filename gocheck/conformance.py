"""Conformance between the model and the reference runtime, both ways.

- `replay_log(model, events)`: is a runtime event log a path of the model?
- `replay_trace(trace)` (``python -m checker replay --on reference TRACE``):
  drive real threads along a model counterexample (`schedule_of` turns the
  model's actions into the runtime's controlled-mode schedule, see
  `reference.replay`) and print what Go would print: the output, the panic
  or ``fatal error: all goroutines are asleep - deadlock!`` report, and the
  goroutines still alive when the process exited (the leak).  It returns
  Go's exit code (2 for panic/deadlock, 3 when the runtime could not follow
  the schedule, 124 on timeout).

This module is the bridge between the two independent implementations, so
it lives in the application layer: `reference` never reads model states.

Log to model
============

`replay_log(model, events)` walks a `reference.run` event log and, event by
event, finds abstract-model steps (`models.gomodel.GoModel`, actions
``("step", g)``, ``("select", g, case)``, ``("timer", kind, id)``) that
produce it.  docs/design.md section 9: every log the runtime produces must be a
path of the model.

The log -> model mapping
------------------------
- ``Start`` events and the ``Return`` of a goroutine other than main have no
  model step (a goroutine's first instructions and its exit are local in the
  model) and are skipped.  Main's ``Return`` is the model's visible return of
  the start function, ``("step", 1)``; the log is read up to it and no
  further (the process exits there; anything logged later by other Ms
  concurrently with exit is ignored).
- Every other event ``{"g": g, "action": OP}`` is one model step of
  goroutine ``g`` whose current instruction is ``OP`` (``Cancel`` is the
  ``ir.Cancel`` inside the model's ``context.cancel``).  A ``Select`` event's
  ``"case"`` is the choice: ``("select", g, case)`` (``-1`` = default).  A
  ``Print`` event's ``"text"`` must equal what the model's step printed and a
  ``Go`` event's ``"child"`` the goroutine id the model gave the new
  goroutine (so the two numberings agree: main 1, the rest in creation
  order).
- The runtime logs a blocking operation when it *finishes*, i.e. after the
  event that unblocked it, while in the model the goroutine parks first and
  the partner completes it.  So before the step for event ``i`` the search
  may take *early park steps*: goroutine ``h`` whose next unconsumed event
  ``j > i`` has ``h``'s current instruction as its action may step now,
  provided the step parks ``h``; event ``j`` is then *claimed* and skipped
  when the log reaches it.  A goroutine with no later event may also take
  such a parking step (nothing claimed): its operation was completed by a
  partner but the process exited before it ran again to log it.
  (``Cond.Wait``, ``RLock`` and ``RUnlock`` are logged when they start,
  before they may park: their events are stepped in place, which may park.)
- Model wake-ups that make a parked goroutine retry its instruction
  (``sync.Mutex`` wake without hand-off) are extra model steps of ``g`` with
  no log event: *retry steps*, allowed before any event.
- The release half of a WaitGroup Add that brought the counter to zero
  (the model's ``wg release`` step) has no event of its own: a free move.
- Timers are environment actions with no event: ``("timer", "sleep", g)``
  must fire after ``g``'s Sleep step parked it and before ``g``'s next
  event (a Sleep logged in place, e.g. a non-positive duration, parks in the
  model and its timer fires at once); ``("timer", "after", c)`` may fire at
  any point.  Both are free moves of the search.
- At the end the model's printed output must equal the runtime's.

The search is a depth-first search over (model state, log position, claimed
events) with memoization; at each event it tries the direct step first, then
at most `max_free` free moves (early parks, retries, timer fires) before it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

from checker.errors import InputError
from checker.trace import read_itf, replay
from gocheck.factory import build_model
from gocheck.gotest import load_any_spec as load_spec
from models.state import DONE, RUN, WAIT
from reference.replay import TIMER, TraceSchedule, peak_goroutines, run_schedule

__all__ = ["ReplayReport", "log_skippable", "project_gmp", "replay_log", "replay_trace", "schedule_of"]


@dataclass
class ReplayReport:
    """The result of `replay_log`: ``ok``; the model actions taken; the
    model's final output; where and why it failed."""

    ok: bool
    actions: list = field(default_factory=list)
    output: str = ""
    consumed: int = 0
    events: int = 0
    failed_at: int | None = None
    reason: str = ""
    explored: int = 0

    def __bool__(self) -> bool:
        return self.ok


def log_skippable(e: dict) -> bool:
    """Events with no model step: goroutine start, a non-main goroutine's exit."""
    a = e.get("action")
    return a == "Start" or (a == "Return" and e.get("g") != 1)


def _cut(events: list[dict]) -> list[dict]:
    """The events up to and including main's Return (the process ends there)."""
    out = []
    for e in events:
        out.append(e)
        if e.get("action") == "Return" and e.get("g") == 1:
            break
    return out


def _op(m: Any, w: Any, gid: int) -> str | None:
    if gid < 1 or gid > len(w.gs):
        return None
    g = w.gs[gid - 1]
    if g.status == DONE or not g.frames:
        return None
    return type(m.instr_of(g)).__name__


def _sig(g: Any) -> Any:
    return g.frames[-1] if g.frames else None


class _Replayer:
    def __init__(self, model: Any, events: list[dict], max_free: int, max_nodes: int):
        self.model = model
        self.m = model.interp
        self.ev = [e for e in _cut(events)]
        self.max_free = max_free
        self.max_nodes = max_nodes
        # next_of[i][g]: index of g's first non-skippable event at or after i (for early parks)
        self.per_g: dict[int, list[int]] = {}
        for i, e in enumerate(self.ev):
            if not log_skippable(e):
                self.per_g.setdefault(e["g"], []).append(i)
        self.best = (0, "")

    def next_event_of(self, g: int, i: int, claimed: frozenset) -> int | None:
        for j in self.per_g.get(g, ()):
            if j >= i and j not in claimed:
                return j
        return None

    def fail(self, i: int, why: str) -> None:
        if i >= self.best[0]:
            self.best = (i, why)

    # ---- moves
    def direct(self, w: Any, i: int, parked: tuple) -> tuple[Any, Any] | None:
        """The model step for event i, or None (recording why not)."""
        e = self.ev[i]
        g = e["g"]
        action = e["action"]
        op = _op(self.m, w, g)
        if w.ended:
            self.fail(i, f"event {i} ({action} of G{g}): the model's run has ended")
            return None
        if op is None or w.gs[g - 1].status != RUN:
            st = "does not exist" if g > len(w.gs) else w.gs[g - 1].status
            self.fail(i, f"event {i} ({action} of G{g}): G{g} cannot step in the model ({st})")
            return None
        if dict(parked).get(g) == _sig(w.gs[g - 1]):
            self.fail(i, f"event {i} ({action} of G{g}): G{g} must first retry its parked instruction")
            return None
        if w.gs[g - 1].wait[:1] == ("wg release",):
            self.fail(i, f"event {i} ({action} of G{g}): G{g} must first release its WaitGroup's waiters")
            return None
        if op != action:
            self.fail(i, f"event {i} ({action} of G{g}): G{g} is at {op} in the model")
            return None
        choices = self.m.choices(w, g)
        a: tuple[Any, ...]
        if action in ("Select", "Choose"):  # a Choose event's case is the value rand gave
            case = e.get("case")
            if case in choices:
                a = ("select", g, case)
            elif choices == [None]:
                a = ("step", g)  # the model parks it; a partner completes it
            else:
                self.fail(i, f"event {i} (Select of G{g}): case {case} is not enabled in the model ({choices})")
                return None
        elif action == "NumGoroutine":  # the runtime's count: the model's choice is how many ended ones it counts
            from models.state import DONE

            live = sum(1 for x in w.gs if x.status != DONE) + (1 if self.m.program.entry != "main" else 0)
            case = e.get("value", live) - live
            if (case or None) not in choices and case not in choices:
                self.fail(i, f"event {i} (NumGoroutine of G{g}): the runtime counted {e.get('value')}, "
                             f"the model counts {live} + 0..{len(choices) - 1}")
                return None
            a = ("select", g, case) if choices != [None] else ("step", g)
        elif choices != [None]:  # a MapKeys iteration order: the event's "case"
            case = e.get("case")
            if case not in choices:
                self.fail(i, f"event {i} ({action} of G{g}): choice {case} is not enabled in the model")
                return None
            a = ("select", g, case)
        else:
            a = ("step", g)
        st = self.model.sched.next(w, a)
        nw = st.world
        if action == "Print" and "text" in e:
            got = "".join(nw.output[len(w.output):])
            if got != e["text"]:
                self.fail(i, f"event {i} (Print of G{g}): runtime printed {e['text']!r}, model {got!r}")
                return None
        if action == "Go" and "child" in e and st.events.spawned != [e["child"]]:
            self.fail(i, f"event {i} (Go of G{g}): runtime child G{e['child']}, model {st.events.spawned}")
            return None
        return a, nw

    def free_moves(self, w: Any, i: int, claimed: frozenset, parked: tuple):
        """(action, world, claim index or None, g) of every free move."""
        if w.ended:
            return
        m = self.m
        pk = dict(parked)
        for gs in w.gs:
            if gs.status != RUN:
                continue
            g = gs.gid
            if gs.wait[:1] == ("wg release",):  # the second half of a WaitGroup Add: logged as one event
                yield ("step", g), self.model.sched.next(w, ("step", g)).world, None, g
                continue
            if pk.get(g) == _sig(gs):  # a retry step
                for c in m.choices(w, g):
                    a = ("step", g) if c is None else ("select", g, c)
                    yield a, self.model.sched.next(w, a).world, None, g
                continue
            j = self.next_event_of(g, i + 1, claimed)
            if j is not None and self.ev[j]["action"] != _op(m, w, g):
                continue
            choices = m.choices(w, g)
            if choices != [None]:
                continue  # a select that could proceed does not park
            nw = self.model.sched.next(w, ("step", g)).world
            if nw.gs[g - 1].status == WAIT:
                yield ("step", g), nw, j, g
        for t in m.fireable(w):  # the timers the model lets fire (runtime.timers: ordered)
            a = ("timer",) + tuple(t)
            yield a, self.model.sched.next(w, a).world, None, None

    @staticmethod
    def note_park(parked: tuple, g: int | None, nw: Any) -> tuple:
        """Record g's parked instruction (a later runnable g there is a retry)."""
        d = dict(parked)
        if g is not None:
            gs = nw.gs[g - 1]
            if gs.status == WAIT:
                d[g] = _sig(gs)
            else:
                d.pop(g, None)
        for x, sig in list(d.items()):
            gx = nw.gs[x - 1]
            if gx.status == DONE or (gx.status == RUN and _sig(gx) != sig):
                d.pop(x)  # it moved on: no retry pending
        return tuple(sorted(d.items()))

    def run(self) -> ReplayReport:
        w0 = self.model.init_states()[0]
        n = len(self.ev)
        # stack entries: (world, i, claimed, parked, free_used, actions)
        stack: list[tuple] = [(w0, 0, frozenset(), (), 0, ())]
        seen: set = set()
        nodes = 0
        while stack:
            w, i, claimed, parked, used, acts = stack.pop()
            # skip events with no step of their own
            while i < n and (log_skippable(self.ev[i]) or i in claimed):
                i += 1
            key = (w, i, claimed, parked)
            if key in seen:
                continue
            seen.add(key)
            nodes += 1
            if nodes > self.max_nodes:
                break
            if i >= n:
                out = "".join(w.output)
                return ReplayReport(True, list(acts), out, n, n, None, "", nodes)
            succ = []
            if used < self.max_free:
                for a, nw, claim, g in self.free_moves(w, i, claimed, parked):
                    nc = claimed | {claim} if claim is not None else claimed
                    succ.append((nw, i, nc, self.note_park(parked, g, nw), used + 1, acts + (a,)))
            d = self.direct(w, i, parked)
            if d is not None:
                a, nw = d
                g = self.ev[i]["g"]
                succ.append((nw, i + 1, claimed, self.note_park(parked, g, nw), 0, acts + (a,)))
            stack.extend(succ)  # the direct step (last) is tried first
        i, why = self.best
        return ReplayReport(False, [], "", i, n, i, why or "search budget exhausted", nodes)


def replay_log(model: Any, events: list[dict], output: str | None = None, max_free: int = 8,
               max_nodes: int = 200_000) -> ReplayReport:
    """Replay the runtime event log `events` on the abstract `model`
    (`models.gomodel.GoModel`); see the module docstring for the mapping.

    With `output` (the runtime's stdout) the model's printed output along the
    replayed path must equal it too.  ``report.ok`` says whether a model path
    producing the log was found; ``report.reason`` explains the furthest
    failure otherwise."""
    events = [e for e in events if "ev" not in e]  # scheduler events (reference.observe) are no model steps
    r = _Replayer(model, events, max_free, max_nodes).run()
    if r.ok and output is not None and r.output != output:
        r.ok = False
        r.reason = f"outputs differ: runtime {output!r}, model {r.output!r}"
    return r


# --------------------------------------------------------------------------- model to runtime


def schedule_of(model: Any, states: list, actions: list, loop: int | None = None, loops: int = 0) -> TraceSchedule:
    """The controlled-mode schedule of a model path (see the module docstring)."""
    acts = list(actions)
    if loop is not None and loops > 0 and loop < len(acts):
        acts = acts + acts[loop:] * loops  # the lasso returns to states[loop]
    m = model.interp
    entries: list[int] = []
    timers: dict[int, tuple] = {}
    parked: dict[int, Any] = {}
    dropped = 0
    cut = False
    w = states[0]
    for a in acts:
        if a[0] == "timer":
            timers[len(entries)] = (a[1], a[2])
            entries.append(TIMER)
        else:
            g = a[1]
            gs = w.gs[g - 1]
            if g in parked and gs.status == RUN and gs.frames and gs.frames[-1] == parked[g]:
                dropped += 1  # a retry: the runtime retries inside the blocked operation
            elif g == 1 and len(gs.frames) == 1 and type(m.instr_of(gs)).__name__ == "Return":
                cut = True
                break  # main returns: the process exits
            else:
                entries.append(g)
        w = model.next_state(w, a)
        if a[0] != "timer" and w.gs[a[1] - 1].status == WAIT:
            parked[a[1]] = w.gs[a[1] - 1].frames[-1]
        for x, sig in list(parked.items()):
            gx = w.gs[x - 1]
            if gx.status == DONE or (gx.status == RUN and gx.frames[-1] != sig):
                del parked[x]
    return TraceSchedule(entries, timers, dropped, cut)


def project_gmp(model: Any, states: list, actions: list, loop: int | None) -> tuple[Any, list, list, int | None]:
    """A G-M-P path projected onto the abstract model it refines (tests/test_gmp_refinement.py): the
    goroutine steps and timer fires, in order, over the worlds; scheduler-only moves (run, steal,
    preempt, retake) leave the world unchanged and are dropped.  The loop index is mapped to the
    projected step it returns to."""
    worlds: list[Any] = [states[0].world]
    acts: list[Any] = []
    new_loop = None
    for i, (a, t) in enumerate(zip(actions, states[1:])):
        if loop is not None and i == loop:
            new_loop = len(acts)
        b = model._abstract(a)
        if b is not None:
            acts.append(b)
            worlds.append(t.world)
    if loop is not None and new_loop is None:
        new_loop = len(acts)
    return model.go, worlds, acts, new_loop


def replay_trace(trace_path: str, procs: int = 2, seed: int | None = 0, loops: int = 3,
                 out: TextIO | None = None, err: TextIO | None = None, timeout_s: float = 30.0) -> int:
    """Replay the counterexample in `trace_path` on the reference runtime;
    print the run's output and Go's failure report; return its exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        cx = read_itf(trace_path)
        if not cx.spec_path:
            raise InputError("the trace names no spec, so the program to run is unknown", trace_path, 1, 1)
        spec = load_spec(cx.spec_file or cx.spec_path)
        if cx.spec_digest and cx.spec_digest != spec.digest:
            raise InputError(f"the spec {cx.spec_path} changed since the trace was written (digest {cx.spec_digest} "
                             f"in the trace, {spec.digest} now): the schedule belongs to another program; check "
                             "the spec again for a fresh trace", trace_path, 1, 1)
        if spec.kind != "program":
            raise InputError(f"the spec {cx.spec_path} is a {spec.kind} spec, not a Go program: there is nothing to "
                             "run on the reference runtime", trace_path, 1, 1)
        model = build_model(spec)
        states, actions = replay(model, cx.path, cx.spec_path)
    except (InputError, OSError) as e:
        print(f"error: {e}", file=err)
        return 2
    loop = cx.loop
    gmp_note = ""
    if hasattr(model, "_abstract"):  # a G-M-P trace: its goroutine steps are an abstract path (refinement)
        model, states, actions, loop = project_gmp(model, states, actions, loop)
        gmp_note = ("; a G-M-P trace: its goroutine steps are replayed in order, its scheduler moves are left "
                    "to the runtime's own scheduler")
    sched = schedule_of(model, states, actions, loop, loops)
    res = run_schedule(spec.program, sched, procs, seed, timeout_s)
    out.write(res.output)
    out.flush()
    what = f"{cx.property} ({cx.reason})" if cx.reason else cx.property
    print(f"reference: replayed {trace_path}: {what}; {len(sched.entries)} schedule entries on {procs} P(s)"
          + (f", {sched.dropped_retries} retry steps left to the runtime" if sched.dropped_retries else "")
          + (", main's return ends the process" if sched.cut_at_exit else "") + gmp_note, file=err)
    if res.stderr:
        err.write(res.stderr)
        if not res.stderr.endswith("\n"):
            err.write("\n")
    if res.leaked and res.exit_code == 0:
        err.write("leaked goroutines at exit:\n" + "".join(f"  {x}\n" for x in res.leaked))
    err.write(f"peak live goroutines: {peak_goroutines(res.events)}\n")
    if res.exit_code:
        err.write(f"exit status {res.exit_code}\n")
    err.flush()
    return res.exit_code
