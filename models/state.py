"""The world state of a Go program: flat, immutable, hashable values.

A `World` is what the checker stores per state, so everything in it is a
frozen dataclass with slots, a tuple, an int, a bool, a string or ``None``:
no dicts, no sets, no object identity.  Its size is what the state space
multiplies, so it holds only what Go's semantics can observe:

- ``gs``: one `G` per goroutine ever started, indexed by ``gid - 1``
  (goroutine ids are Go's: main is 1).  An exited goroutine keeps a tiny
  `G` with no frames, so ids stay stable and traces can name it.
- ``heap``: objects by integer id (package-level variables first, in
  ``Program.globals`` order, then allocation order): `Data` (cells,
  structs, arrays, typed atomics), `Chan`, `Mutex`, `RWMutex`, `WaitGroup`,
  `Once`, `Cond`, `Context`, `Pipe` (``os.Pipe``).
- ``timers``: pending timer events, sorted: ``("sleep", gid)`` for a
  sleeping goroutine and ``("after", chan_id)`` for ``time.After``.
- ``output``: the text printed so far, one entry per print call.
- ``panic``: Go's message when the program panicked (it ends the program).
- ``main_done``: goroutine 1 returned from main; ``ended``: the process is
  over (main returned under ``main_exit: exit``, or a panic).

Waiting is explicit: a parked goroutine has ``status == "wait"`` and a
``wait`` reason, and it sits in the FIFO queue of the object it waits on
(CH-3, SEMA-1).  A runnable goroutine's ``pc`` always points at a visible
instruction: local instructions are run eagerly (see `models.goroutine`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Frame", "G", "World", "Data", "Chan", "Mutex", "RWMutex", "WaitGroup", "Once", "Cond",
           "Context", "Pipe", "RUN", "WAIT", "DONE"]

RUN, WAIT, DONE = "run", "wait", "done"


@dataclass(frozen=True, slots=True)
class Frame:
    """One activation: function name, pc, slot values, deferred calls.

    ``defers`` is a stack of ``(func, closure, args)`` (last is run first).
    While a callee runs, the caller's ``pc`` stays at its `Call` (or at the
    `Return`/`Goexit` whose deferred call is running), which is how results
    find their destination slots."""

    func: str
    pc: int
    slots: tuple[Any, ...]
    defers: tuple[tuple[Any, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class G:
    """A goroutine.

    ``status``: ``run`` (may step), ``wait`` (parked; ``wait`` says on what)
    or ``done``.  A runnable goroutine may carry a note in ``wait`` too:
    ``("panic", msg)`` when it was woken by ``close`` while sending (it
    panics when it runs, CH-4.7).  ``losses``/``awoke`` are the Mutex
    slow-path state of MU-2 (lost races stand for wait time); ``unwind`` is
    the frame depth being unwound by ``runtime.Goexit`` or a panic (0:
    none); ``panicking`` is the panic message while a panic runs the
    goroutine's deferred calls (the program dies when they are done)."""

    gid: int
    frames: tuple[Frame, ...]
    status: str = RUN
    wait: tuple[Any, ...] = ()
    losses: int = 0
    awoke: bool = False
    unwind: int = 0
    panicking: str = ""


@dataclass(frozen=True, slots=True)
class World:
    gs: tuple[G, ...]
    heap: tuple[Any, ...]
    timers: tuple[tuple[str, int], ...] = ()
    output: tuple[str, ...] = ()
    panic: str | None = None
    main_done: bool = False
    ended: bool = False
    failed: bool = False


# --------------------------------------------------------------------------- heap objects


@dataclass(frozen=True, slots=True)
class Data:
    """Plain memory: ``fields`` is ``((key, value), ...)``; a cell has key 0,
    an array keys 0..n-1, a struct its field names, a typed atomic ``"v"``."""

    fields: tuple[tuple[Any, Any], ...]
    type: str = ""


@dataclass(frozen=True, slots=True)
class Chan:
    """CH-1: capacity, FIFO buffer, closed flag and FIFO wait queues.

    Queue entries are ``(gid, case)``: ``case`` is -1 for a plain send or
    receive, else the index of the select case the goroutine waits in."""

    cap: int
    buf: tuple[Any, ...] = ()
    closed: bool = False
    recvq: tuple[tuple[int, int], ...] = ()
    sendq: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Mutex:
    """MU-1: locked, starving and woken bits; the semaphore's FIFO waiters."""

    locked: bool = False
    starving: bool = False
    woken: bool = False
    waiters: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RWMutex:
    """RW-1, abstracted: ``writer`` 0 (none), 1 (announced, waiting for the
    ``readers`` to leave; ``wgid`` is that writer) or 2 (held); ``rq`` readers
    parked behind a writer, ``wq`` writers queued on the inner mutex."""

    writer: int = 0
    wgid: int = 0
    readers: int = 0
    rq: tuple[int, ...] = ()
    wq: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class WaitGroup:
    """WG-1: the counter and the parked waiters."""

    counter: int = 0
    waiters: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Once:
    """ONCE-1: 0 not started, 1 f running, 2 done; callers parked on its
    Mutex meanwhile (FIFO); ``woken``: the waiter the last Unlock readied
    (it re-runs its Lock and Unlock, which readies the next)."""

    state: int = 0
    waiters: tuple[int, ...] = ()
    woken: int = 0


@dataclass(frozen=True, slots=True)
class Cond:
    """COND-1: the locker and the waiters in ticket order.  Because a Wait
    takes its ticket and parks in one step, every ticket in ``[notify,
    wait)`` is parked, so the queue alone is the canonical notifyList."""

    locker: Any = None
    waiters: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Context:
    """A cancellable context: parent, Done channel id, cancelled, children."""

    parent: int | None
    done: int
    cancelled: bool = False
    children: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Pipe:
    """An ``os.Pipe()`` (NP-1, abstracted): ``buf`` the bytes written and not
    yet read, the two ends' closed flags, and ``reader``: the goroutine
    parked on the read end's pollDesc (``rg``; 0 = none).  The write end
    never parks (the model's pipe buffer is unbounded).  The read end is
    *ready* (a netpoll event is pending) when a reader is parked and data or
    the write end's close is there to see."""

    buf: str = ""
    rclosed: bool = False
    wclosed: bool = False
    reader: int = 0

    @property
    def ready(self) -> bool:
        return bool(self.reader) and (bool(self.buf) or self.wclosed)
