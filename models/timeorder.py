"""The order in which timers fire (``runtime.timers: ordered``, the default).

Time is abstract in the model: a pending timer may fire after any number
of steps.  Go's timers are not free, though.  This module keeps the part
of their order that Go guarantees, and nothing more, so that every firing
order the real runtime can take stays a path of the model (TM-1..TM-6,
docs/go-semantics.md section 1.11; the runtime read is go1.19.8's
``src/runtime/time.go``, unchanged in structure up to go1.22).

What Go does
------------
- TM-1: a timer's deadline is ``when = nanotime() + d`` read when it is
  set (``time.when``: ``d <= 0`` gives ``nanotime()``, an overflow
  ``maxWhen``; ``runtime.timeSleep`` for ``time.Sleep``;
  ``context.WithTimeout`` reads ``time.Now()`` on entry).
- TM-2: each P keeps its timers in a heap ordered by ``when``;
  ``checkTimers``/``runtimer`` pops the earliest while it has expired and
  runs its function (``runOneTimer``).  One M at a time holds a P, so with
  one P (``GOMAXPROCS=1``) timer functions run one after another in
  ``when`` order (equal ``when``: either order, the heap does not keep
  insertion order).
- TM-3: with several Ps there is no such order: a timer lives in the heap
  of the P that set it, each P runs its own, and ``runOneTimer`` drops the
  heap lock while the function runs, so a stealing P can overtake.
  Measured (go1.19.8, two Ps busy): a 2 ms timer set after a 1 ms one
  fired first in 100 and 140 of 200 runs (two series, `benchmarks/timer_order.py
  --two-ps 200`).  So ``ordered`` constrains nothing unless
  ``runtime.procs`` is 1; with more Ps it is ``any``.
- TM-4: where a timer is set and where its ``when`` was read differ:
  ``time.NewTimer`` (and ``After``, ``AfterFunc``, ``NewTicker``,
  ``Reset``, ``context.WithTimeout``) read the clock in package ``time``
  code that may be preempted (or allocate and assist the GC) before
  ``startTimer`` puts it in the heap; ``time.Sleep`` reads the clock and
  parks in runtime code (``timeSleep``, then ``resetForSleep`` on g0) with
  nothing else run in between.
- TM-5: a ticker's next ``when`` is set when it fires, in ``(now, now +
  period]`` (``runOneTimer`` skips missed ticks), ``now`` being the
  clock ``checkTimers`` read; ``Reset`` sets a new ``when`` (and a
  ticker's period).
- TM-6: the effect of a firing is immediate for ``time.Sleep`` (``goready``),
  ``After``/``NewTimer``/``NewTicker`` (``sendTime``: a non-blocking send)
  and ``AfterFunc`` (``goFunc`` starts the goroutine), but a
  ``context.WithTimeout`` timer's function is an ``AfterFunc`` whose
  goroutine cancels the context *later*.

The rule
--------
With one P, a pending timer Y *holds back* a timer X set after it (X may
not fire while Y is pending) when

1. both durations are known (``key`` = ``min(max(d, 0), 2**62)``: the
   value in the state, unless the program also calls ``time.Since`` or
   ``time.Until``, whose results are abstract: then nothing is known),
2. ``key(Y) < key(X)`` strictly (equal keys: both orders, TM-2),
3. Y's firing is immediate (not a context deadline, TM-6), and Y's
   deadline is bounded by its setting: a timer set by a step, or a ticker
   re-armed by its firing (``when <= fire + period``, TM-5),
4. X's clock read comes after Y was put in the heap: X is a
   ``time.Sleep`` (TM-4), or X was set by the goroutine that set Y (its
   program order).

Soundness (why every Go run is still a path of the model): place each
model step that sets a timer where Go puts the timer in the heap (a model
step is atomic; nothing else sees the timer before).  If Y holds back X,
then Y was in the heap before X's clock read r_X (4), so
``when(Y) <= i_Y + key(Y) < r_X + key(X) <= when(X)`` (1-3, nanotime is
monotonic), and when X expires, Y has expired and sits in the same heap:
``runtimer`` runs Y's function to its end first (TM-2), and that function
is Y's whole effect (3, TM-6).  Unless Y was stopped or reset first, and
then the model drops it from X's blockers too.  Everything else (a timer
set later by another goroutine, unknown durations, equal durations, a
ticker's later ticks against earlier timers, several Ps) stays free.

State
-----
``World.tinfo``: sorted ``(kind, id, key, creator, blockers)``: `key` is
the bound a later timer compares with (None: this timer holds nothing
back), `creator` the goroutine that set it (0: a ticker re-armed, or its
goroutine has exited), `blockers` the pending timers that hold it back.
Timers with nothing to say have no entry, so with ``any``, ``never`` or
several Ps the state is the same as before.
"""

from __future__ import annotations

from typing import Any

__all__ = ["HOLDERS", "MAX_KEY", "active", "key_of", "blockers_for", "freeze", "fireable", "uses_abstract_time"]

#: Timer kinds whose firing is their whole, immediate effect (TM-6): they may hold others back.
HOLDERS = frozenset({"sleep", "after", "timer", "ticker", "afterfunc"})
#: Keys at least this large compare equal: ``when`` saturates at ``maxWhen`` (TM-1) and 2**62 ns
#: (146 years) is more than any ``nanotime()`` since boot.
MAX_KEY = 1 << 62

Timer = tuple[str, int]
#: ``(kind, id) -> (key, creator, blockers)``
Info = dict[Timer, tuple[int | None, int, tuple[Timer, ...]]]


def uses_abstract_time(program: Any) -> bool:
    """Whether the program calls ``time.Since``/``time.Until``: their values
    are the model's abstract time (0 or "a lot"), so an int in the state may
    not be the duration Go computes."""
    from models import ir

    return any(type(ins) is ir.Choose and str(ins.what).startswith("time.")
               for fn in program.functions.values() for ins in fn.code)


def active(opts: Any, program: Any) -> bool:
    """Whether the order applies: ``timers: ordered``, one P (TM-3), durations in the state real."""
    return opts.timers == "ordered" and opts.procs == 1 and not uses_abstract_time(program)


def key_of(d: Any) -> int | None:
    """The comparable duration of `d` (TM-1), or None when it is not a known duration."""
    if not isinstance(d, int) or isinstance(d, bool):
        return None
    return min(max(d, 0), MAX_KEY)


def blockers_for(info: Info, key: int | None, gid: int, sleep: bool) -> tuple[Timer, ...]:
    """The pending timers that hold back a timer of duration `key` set now by
    goroutine `gid` (rule 4: any holder for a ``time.Sleep``, the goroutine's
    own holders otherwise)."""
    if key is None:
        return ()
    return tuple(sorted(y for y, (k, c, _) in info.items()
                        if k is not None and k < key and (sleep or (gid and c == gid))))


def freeze(info: Info, pending: list[Timer], live: Any) -> tuple[tuple[Any, ...], ...]:
    """``World.tinfo`` from the working dict: entries of pending timers only,
    blockers still pending, creators that may still set a timer (`live(gid)`),
    and no entry that says nothing."""
    if not info:
        return ()
    pend = set(pending)
    out = []
    for (kind, x), (k, c, b) in info.items():
        if (kind, x) not in pend:
            continue
        b = tuple(y for y in b if y in pend)
        if c and not live(c):
            c = 0
        if k is None and not b:
            continue
        out.append((kind, x, k, c, b))
    out.sort()
    return tuple(out)


def fireable(timers: tuple[Timer, ...], tinfo: tuple[tuple[Any, ...], ...]) -> list[Timer]:
    """The pending timers that may fire now: those no pending timer holds back."""
    if not tinfo:
        return list(timers)
    held = {(e[0], e[1]) for e in tinfo if e[4]}
    return [t for t in timers if t not in held]
