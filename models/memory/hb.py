"""Happens-before along one trace, by vector clocks; data races with an explanation.

This is the dynamic half of Go's memory model (docs/go-semantics.md 4.1-4.2): the
explicit-state semantics turns each step of a trace into `Event` values and
`HappensBefore` keeps one vector clock per goroutine and per sync object,
exactly as ThreadSanitizer does for ``go run -race`` (RD-1, RD-2), but with a
full access history, so no race is lost to evicted shadow cells (RD-3).

Event vocabulary (``Event.kind``; ``obj`` is a hashable variable or object id,
``arg`` is kind-specific)
----------------------------------------------------------------------------
==================  ========================================================
``start``           first event of goroutine ``g`` (optional; ``go`` suffices)
``go``              ``g`` executes a go statement; ``arg`` = the child's id (MM-8)
``read``/``write``  plain access to variable ``obj`` (race candidates)
``atomic_read``     sync/atomic load of ``obj`` (acquire; MM-18)
``atomic_write``    sync/atomic store of ``obj`` (release; replaces the
                    location's clock: only the observed write synchronizes)
``atomic_rmw``      add/swap/successful CAS: acquire then release (a failed
                    CAS is an ``atomic_read``)
``send``            completion of a send on channel ``obj``; ``arg`` = capacity
``recv``            completion of a receive of a sent value; ``arg`` = capacity
``close``           ``close(obj)``
``recv_closed``     a receive that returned the zero value because ``obj`` is
                    closed and drained (MM-11)
``lock``/``unlock`` ``sync.Mutex`` or the write side of a ``sync.RWMutex`` (MM-14)
``rlock``/``runlock``  the read side of a ``sync.RWMutex`` (MM-15)
``wg_add``          ``wg.Add(arg)``; a negative ``arg`` releases like ``wg_done``
``wg_done``         ``wg.Done()`` (releases into the WaitGroup)
``wg_wait_return``  ``wg.Wait()`` returned (acquires every earlier Done; WG-4)
``once_done``       the single ``f()`` of ``once.Do(f)`` returned (MM-17)
``once_return``     a ``once.Do(f)`` returned (acquires ``once_done``)
``cond_signal``     ``c.Signal()``/``c.Broadcast()`` (release into ``c``)
``cond_wake``       a ``c.Wait()`` was unblocked (acquires ``c``; every
                    earlier signal, a slight over-approximation of COND-3)
==================  ========================================================

Channel events follow FIFO order: the k-th ``recv`` on a channel acquires
the k-th ``send`` (MM-10), and the (k+C)-th ``send`` acquires the k-th
``recv`` (MM-13; C = 0 is the unbuffered MM-12).  When the k-th receive
comes after the (k+C)-th send in the sequence (the rendezvous of an
unbuffered channel whose sender blocked first), the two events must be
adjacent: the receive's clock is then joined into the sender's.

Examples
--------
>>> ev = [Event(1, "write", "a", 5, "a"), Event(1, "go", arg=2, line=6),
...       Event(2, "read", "a", 9, "a"), Event(2, "write", "a", 10, "a"),
...       Event(1, "read", "a", 7, "a")]
>>> for r in races(ev): print(r)
data race on a: G2's write at line 10 and G1's read at line 7 are not ordered by happens-before;
G2 performs no synchronization after its write at line 10 (a goroutine's exit is not synchronized, MM-9)
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ACCESS_KINDS", "EVENT_KINDS", "Event", "HappensBefore", "RaceExplanation", "races"]

#: Kinds that access a variable (and may race).
ACCESS_KINDS = frozenset({"read", "write", "atomic_read", "atomic_write", "atomic_rmw"})
#: Kinds that release the goroutine's clock into a sync object.
RELEASE_KINDS = frozenset({"go", "atomic_write", "atomic_rmw", "send", "recv", "close", "unlock",
                           "runlock", "wg_done", "once_done", "cond_signal"})
EVENT_KINDS = frozenset({"start", "go", "read", "write", "atomic_read", "atomic_write", "atomic_rmw",
                         "send", "recv", "close", "recv_closed", "lock", "unlock", "rlock", "runlock",
                         "wg_add", "wg_done", "wg_wait_return", "once_done", "once_return",
                         "cond_signal", "cond_wake"})

VC = dict[int, int]


@dataclass(frozen=True, slots=True)
class Event:
    """One memory or synchronization event of goroutine `g` (see the module doc)."""

    g: int
    kind: str
    obj: Hashable = None
    line: int = 0
    name: str = ""
    arg: Any = None

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {self.kind!r}; allowed: {', '.join(sorted(EVENT_KINDS))}")

    @property
    def is_write(self) -> bool:
        return self.kind in ("write", "atomic_write", "atomic_rmw")

    @property
    def is_atomic(self) -> bool:
        return self.kind.startswith("atomic_")

    @property
    def label(self) -> str:
        """The event in the user's words: ``write``, ``unlock of mu``."""
        what = {"read": "read", "write": "write", "atomic_read": "atomic load", "atomic_write": "atomic store",
                "atomic_rmw": "atomic read-modify-write", "send": "send on", "recv": "receive from",
                "close": "close of", "recv_closed": "closed receive from", "lock": "Lock of",
                "unlock": "Unlock of", "rlock": "RLock of", "runlock": "RUnlock of", "wg_add": "Add on",
                "wg_done": "Done on", "wg_wait_return": "Wait on", "once_done": "completion of Do on",
                "once_return": "return of Do on", "cond_signal": "Signal of", "cond_wake": "wake-up from",
                "go": "go statement", "start": "start"}[self.kind]
        if self.kind in ("go", "start") or self.kind in ACCESS_KINDS:
            return what
        return f"{what} {self.name or self.obj}"


#: What the other side must do to acquire a release of each kind.
_ACQUIRE_HINT = {"unlock": "Lock of {n}", "runlock": "Lock of {n}", "send": "receive from {n}",
                 "recv": "send on {n} (capacity rule)", "close": "receive from {n}",
                 "atomic_write": "atomic load of {n}", "atomic_rmw": "atomic load of {n}",
                 "wg_done": "Wait on {n}", "once_done": "Do on {n}", "cond_signal": "Wait on {n}",
                 "go": "start of the goroutine"}


@dataclass(frozen=True, slots=True)
class Access:
    """A past access to a variable: who, when (own clock entry), where."""

    g: int
    epoch: int
    event: Event
    index: int


@dataclass(frozen=True, slots=True)
class RaceExplanation:
    """Two conflicting accesses unordered by happens-before, and the edge that
    would have ordered them: the first release of the earlier access's
    goroutine after it, which the later goroutine did not acquire in time."""

    variable: str
    first: Event
    second: Event
    release: Event | None = None
    hint: str = ""

    def __str__(self) -> str:
        a, b = self.first, self.second
        head = (f"data race on {self.variable}: G{a.g}'s {a.label} at line {a.line} and "
                f"G{b.g}'s {b.label} at line {b.line} are not ordered by happens-before;\n")
        if self.release is None:
            return head + (f"G{a.g} performs no synchronization after its {a.label} at line {a.line} "
                           f"(a goroutine's exit is not synchronized, MM-9)")
        r = self.release
        return head + (f"G{a.g}'s next release after line {a.line} ({r.label} at line {r.line}) "
                       f"is not acquired by G{b.g} before line {b.line}"
                       + (f": G{b.g} needs a {self.hint} first" if self.hint else ""))


def _join(into: VC, other: VC) -> None:
    for k, v in other.items():
        if into.get(k, 0) < v:
            into[k] = v


@dataclass
class HappensBefore:
    """Incremental vector-clock happens-before over a sequence of events.

    Feed events with `step`; it returns the races the event completes (with
    every earlier access it conflicts with).  `clock(g)` is goroutine g's
    vector clock; `hb(i, j)` says whether event i happens before event j.
    """

    events: list[Event] = field(default_factory=list)
    clocks: dict[int, VC] = field(default_factory=dict)
    stamps: list[VC] = field(default_factory=list)
    _sync: dict[Hashable, VC] = field(default_factory=dict)
    _sends: dict[Hashable, list[VC]] = field(default_factory=dict)
    _recvs: dict[Hashable, list[VC]] = field(default_factory=dict)
    _pending: dict[tuple[Hashable, int], int] = field(default_factory=dict)
    _history: dict[Hashable, list[Access]] = field(default_factory=dict)

    def clock(self, g: int) -> VC:
        c = self.clocks.get(g)
        if c is None:
            c = self.clocks[g] = {g: 1}
        return c

    def _acquire(self, g: int, key: Hashable) -> None:
        if key in self._sync:
            _join(self.clock(g), self._sync[key])

    def _release(self, g: int, key: Hashable, replace: bool = False) -> None:
        c = self.clock(g)
        if replace or key not in self._sync:
            self._sync[key] = dict(c)
        else:
            _join(self._sync[key], c)

    def step(self, e: Event) -> list[RaceExplanation]:
        """Process event `e`; return the races it completes."""
        g, k, o = e.g, e.kind, e.obj
        c = self.clock(g)
        found: list[RaceExplanation] = []
        if k == "go":
            child = self.clock(e.arg)
            _join(child, c)
        elif k in ACCESS_KINDS:
            found = self._check(e)
            if k in ("atomic_read", "atomic_rmw"):
                self._acquire(g, ("atomic", o))
                c = self.clock(g)
        elif k == "send":
            n = len(self._sends.setdefault(o, []))          # this is send number n+1
            self._sends[o].append(dict(c))
            cap = e.arg or 0
            recvs = self._recvs.get(o, [])
            if n - cap >= 0:                                  # acquire recv number n+1-cap
                if n - cap < len(recvs):
                    _join(c, recvs[n - cap])
                else:
                    self._pending[(o, n - cap)] = g
        elif k == "recv":
            n = len(self._recvs.setdefault(o, []))
            sends = self._sends.get(o, [])
            if n < len(sends):
                _join(c, sends[n])
            self._recvs[o].append(dict(c))
            waiter = self._pending.pop((o, n), None)
            if waiter is not None:
                _join(self.clock(waiter), c)
        elif k == "close":
            self._release(g, ("close", o))
        elif k == "recv_closed":
            self._acquire(g, ("close", o))
        elif k == "lock":
            self._acquire(g, ("w", o))
            self._acquire(g, ("r", o))
        elif k == "unlock":
            self._release(g, ("w", o))
        elif k == "rlock":
            self._acquire(g, ("w", o))
        elif k == "runlock":
            self._release(g, ("r", o))
        elif k == "wg_done" or (k == "wg_add" and (e.arg or 0) < 0):
            self._release(g, ("wg", o))
        elif k == "wg_wait_return":
            self._acquire(g, ("wg", o))
        elif k == "once_done":
            self._release(g, ("once", o))
        elif k == "once_return":
            self._acquire(g, ("once", o))
        elif k == "cond_signal":
            self._release(g, ("cond", o))
        elif k == "cond_wake":
            self._acquire(g, ("cond", o))
        c = self.clock(g)
        self.stamps.append(dict(c))
        self.events.append(e)
        if k in ("atomic_write", "atomic_rmw"):
            self._release(g, ("atomic", o), replace=True)
        if k in RELEASE_KINDS or k == "wg_add":
            c[g] = c.get(g, 0) + 1                          # a new epoch after every release
        return found

    def _check(self, e: Event) -> list[RaceExplanation]:
        c = self.clock(e.g)
        hist = self._history.setdefault(e.obj, [])
        out: list[RaceExplanation] = []
        for a in hist:
            if a.g == e.g or (a.event.is_atomic and e.is_atomic) or not (a.event.is_write or e.is_write):
                continue
            if a.epoch > c.get(a.g, 0):
                out.append(self._explain(a, e))
        hist.append(Access(e.g, c.get(e.g, 0), e, len(self.events)))
        return out

    def _explain(self, a: Access, e: Event) -> RaceExplanation:
        rel = next((x for x in self.events[a.index + 1:] if x.g == a.g and x.kind in RELEASE_KINDS), None)
        hint = ""
        if rel is not None:
            hint = _ACQUIRE_HINT.get(rel.kind, "").format(n=rel.name or rel.obj)
        return RaceExplanation(e.name or str(e.obj), a.event, e, rel, hint)

    def hb(self, i: int, j: int) -> bool:
        """Whether event i happens before event j (i < j, indices into `events`)."""
        if i >= j:
            return False
        gi = self.events[i].g
        return self.stamps[i].get(gi, 0) <= self.stamps[j].get(gi, 0)


def races(events: Iterable[Event]) -> list[RaceExplanation]:
    """Every race along `events`, in the order they are completed."""
    h = HappensBefore()
    out: list[RaceExplanation] = []
    for e in events:
        out.extend(h.step(e))
    return out
