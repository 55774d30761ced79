"""Drive the real threaded runtime along a model counterexample.

``run_schedule(program, schedule)`` runs a program on real threads along
a controlled-mode schedule (`reference.runtime.Controller`) with timer
entries.  The schedule comes from a model counterexample: turning model
actions into it is the application's job (`gocheck.conformance.schedule_of`
and ``replay_trace``, behind ``python -m checker replay --on reference
TRACE``), since this package never reads the model's states.

From model actions to a schedule
--------------------------------
- ``("step", g)`` / ``("select", g, case)``: one entry ``g`` (the actor
  ``G<g>``): goroutine ``g`` starts its next visible instruction.  A step
  that parks uses its entry; the partner's step completes it.
- A *retry* step (a goroutine woken without hand-off, e.g. a
  ``sync.Mutex`` waiter, stepping again at the instruction it parked at) has
  no entry: the runtime retries inside the blocked operation, uncontrolled.
- Main's final return ends the Go process: the schedule stops there (steps
  the model takes after it, under ``main_exit: wait``, cannot happen for
  real; the goroutines blocked then are reported as leaked).
- ``("timer", kind, x)``: when the schedule reaches it, the runtime's
  matching pending timer (the Sleep timer of goroutine ``x``, or the
  earliest ``time.After`` timer) is made due at once (the runtime fires it
  an instant later, as its own timers fire) and the schedule moves on; a
  Sleep timer not yet registered fires at its real deadline.  Goroutines
  that depend on the timer wait for it, so only the order of the timer
  against unrelated steps can differ from the model's.
- The release step of a WaitGroup Add that brought the counter to zero
  (``G.wait`` note ``wg release``) is an entry too: the runtime's Add asks
  the controller again between its two halves (`reference.syncprims.wg_add`).
- Select case choices are not forced: the runtime picks among ready cases
  at random (seeded by `seed`).
- A lasso (``loop``) is unrolled `loops` times after its first pass.
After the last entry the run continues freely.
"""

from __future__ import annotations

import heapq
import threading
from typing import Any

from .api import run_to_end
from .runtime import Controller, RunResult, Runtime

__all__ = ["TIMER", "TraceSchedule", "peak_goroutines", "run_schedule"]

TIMER = -1


class TraceSchedule:
    """Goroutine ids (``TIMER`` for a timer entry) and the timer of each timer entry."""

    def __init__(self, entries: list[int], timers: dict[int, tuple], dropped_retries: int, cut_at_exit: bool):
        self.entries = entries
        self.timers = timers
        self.dropped_retries = dropped_retries
        self.cut_at_exit = cut_at_exit


class _TraceController(Controller):
    """Controlled mode plus timer entries fired when the token reaches them."""

    def __init__(self, rt: Runtime, sched: TraceSchedule):
        super().__init__(rt, sched.entries)
        self.timer_of = sched.timers
        self.fired = 0
        self.unfired: list[threading.Event] = []

    def before_visible(self, g: Any) -> Any:
        """The next step waits until timers made due have really fired (their
        channel holds the value, their sleeper is ready), so a loaded machine
        cannot let the step overtake the timer the trace put before it."""
        while self.unfired:
            if not self.unfired[0].wait(5.0):
                break  # it never fired: the run reports the divergence
            self.unfired.pop(0)
        return super().before_visible(g)

    def _fire(self, kind: str, x: int) -> None:
        """Make the matching pending timer due now; the runtime fires it
        (an M's ``checkTimers``, sysmon or the poller).  Runs under our
        lock; takes only the timer heap's lock (no channel locks here: the
        stepper that reached the entry may still hold them)."""
        tm = self.rt.tm
        with tm.lock:
            pick = None
            for k, (when, seq, fn) in enumerate(tm.heap):
                cells = [c.cell_contents for c in (fn.__closure__ or ())]
                gs = [c for c in cells if hasattr(c, "frames") and hasattr(c, "waitreason")]
                if (kind == "sleep" and any(g.id == x for g in gs)) or (kind == "after" and not gs):
                    if pick is None or (when, seq) < tm.heap[pick][:2]:
                        pick = k
            if pick is None:
                return  # not registered yet: it fires at its real deadline
            _, seq, fn = tm.heap[pick]
            done = threading.Event()
            self.unfired.append(done)

            def fire_then_signal(p: Any, fn: Any = fn, done: threading.Event = done) -> Any:
                try:
                    return fn(p)
                finally:
                    done.set()
            tm.heap[pick] = (0, seq, fire_then_signal)
            heapq.heapify(tm.heap)
        self.fired += 1
        try:
            self.rt.poller.wakeup()
        except OSError:
            pass

    def _advance_locked(self) -> list:
        self.i += 1
        while self.i < len(self.schedule) and self.schedule[self.i] == TIMER:
            self._fire(*self.timer_of[self.i])
            self.i += 1
        self.i -= 1
        return super()._advance_locked()


def run_schedule(program: Any, sched: TraceSchedule, procs: int = 2, seed: int | None = 0,
                 timeout_s: float = 30.0) -> RunResult:
    """Run `program` on real threads along `sched` (the `reference.run` recipe
    with a controller that also fires timer entries)."""
    rt = Runtime(program, procs, 256, 10, seed, list(sched.entries), None, False, True)
    rt.ctl = _TraceController(rt, sched)
    return run_to_end(rt, timeout_s)


def peak_goroutines(events: list[dict]) -> int:
    """The most goroutines alive at once along an event log."""
    live = peak = 1
    for e in events:
        if e.get("action") == "Go":
            live += 1
        elif e.get("action") == "Return" and e.get("g") != 1:
            live -= 1
        peak = max(peak, live)
    return peak
