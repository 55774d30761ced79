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
- ``tinfo``: what orders the pending timers (``runtime.timers: ordered``
  with one P, `models.timeorder`): sorted ``(kind, id, key, creator,
  blockers)`` for the pending timers that may hold back a later one (a
  known duration) or are held back; empty otherwise.
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

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Frame", "G", "World", "Data", "Chan", "Mutex", "RWMutex", "WaitGroup", "Once", "Cond",
           "Context", "Pipe", "RUN", "WAIT", "DONE"]

RUN, WAIT, DONE = "run", "wait", "done"


@dataclass(frozen=True, slots=True)
class Frame:
    """One activation: function name, pc, slot values, deferred calls.

    ``defers`` is a stack of ``(func, closure, args)`` (last is run first).
    While a callee runs, the caller's ``pc`` stays at its `Call` (or at the
    `Return`/`RunDefers`/`Goexit` whose deferred call is running), which is how results
    find their destination slots."""

    func: str
    pc: int
    slots: tuple[Any, ...]
    defers: tuple[tuple[Any, ...], ...] = ()

    #: the hash, computed once (0: not yet): a successor shares most goroutines and frames with its
    #: parent, so caching makes hashing a state cost its changed parts only.  Not compared, not
    #: pickled (string hashes differ between processes).
    _hash: int = field(default=0, init=False, repr=False, compare=False)
    #: the canonical bytes of the parallel search (`models.wire`), computed once (b"": not yet);
    #: not compared, not pickled
    _enc: bytes = field(default=b"", init=False, repr=False, compare=False)

    def __hash__(self) -> int:
        h = self._hash
        if not h:
            h = hash((self.func, self.pc, self.slots, self.defers)) or 1
            object.__setattr__(self, "_hash", h)
        return h

    def _pickled(self) -> tuple[Any, ...]:
        return (self.func, self.pc, self.slots, self.defers,)

    def _unpickled(self, st: tuple[Any, ...]) -> None:
        for k, v in zip(("func", "pc", "slots", "defers",), st):
            object.__setattr__(self, k, v)
        object.__setattr__(self, "_hash", 0)
        object.__setattr__(self, "_enc", b"")


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
    goroutine's deferred calls (the program dies when they are done);
    ``recovering``: a deferred call (at depth ``unwind + 1``) called
    ``recover()``: when it returns, the frame being unwound resumes at its
    recovery epilogue and returns normally (``ir.RecoverReturn``)."""

    gid: int
    frames: tuple[Frame, ...]
    status: str = RUN
    wait: tuple[Any, ...] = ()
    losses: int = 0
    awoke: bool = False
    unwind: int = 0
    panicking: str = ""
    recovering: bool = False

    def moved(self, frames: tuple[Frame, ...], status: str, wait: tuple[Any, ...], unwind: int | None = None) -> G:
        """A copy with new frames, status and wait (and unwind), every other field kept:
        what a step does to its goroutine, without `dataclasses.replace`'s generic cost
        (it was the interpreter's second cost per state).  A new field of `G` must be
        passed on here too (`tests/test_reductions.py` checks it against replace)."""
        return G(self.gid, frames, status, wait, self.losses, self.awoke, self.unwind if unwind is None else unwind,
                 self.panicking, self.recovering)

    #: the hash, computed once (0: not yet): a successor shares most goroutines and frames with its
    #: parent, so caching makes hashing a state cost its changed parts only.  Not compared, not
    #: pickled (string hashes differ between processes).
    _hash: int = field(default=0, init=False, repr=False, compare=False)
    #: the canonical bytes of the parallel search (`models.wire`), as `Frame`'s
    _enc: bytes = field(default=b"", init=False, repr=False, compare=False)

    def __hash__(self) -> int:
        h = self._hash
        if not h:
            h = hash((self.gid, self.frames, self.status, self.wait, self.losses, self.awoke, self.unwind, self.panicking,
                      self.recovering)) or 1
            object.__setattr__(self, "_hash", h)
        return h

    def _pickled(self) -> tuple[Any, ...]:
        return (self.gid, self.frames, self.status, self.wait, self.losses, self.awoke, self.unwind, self.panicking,
                self.recovering)

    def _unpickled(self, st: tuple[Any, ...]) -> None:
        for k, v in zip(_G_STATE, st):
            object.__setattr__(self, k, v)
        object.__setattr__(self, "_hash", 0)
        object.__setattr__(self, "_enc", b"")


@dataclass(frozen=True, slots=True)
class World:
    """The program's state: goroutines, heap, pending timers, output, end flags.

    ``unsynced`` (RD-5) holds ``(channel, reader, waker, instr)``: goroutine
    ``reader`` read ``channel`` in the send (a ``Send``, or a ``Select``'s
    send case, `instr`) it was parked in, and ``waker`` completed or
    ended that wait without acquiring the reader's clock (a receive that
    moved the value into a full buffer, a buffered send or a close that woke
    its select): until ``waker`` next synchronizes, a close of ``channel``
    by ``waker`` races that read, although the reader has moved on."""

    gs: tuple[G, ...]
    heap: tuple[Any, ...]
    timers: tuple[tuple[str, int], ...] = ()
    output: tuple[str, ...] = ()
    panic: str | None = None
    main_done: bool = False
    ended: bool = False
    failed: bool = False
    tinfo: tuple[tuple[Any, ...], ...] = ()
    unsynced: tuple[tuple[int, int, int, Any], ...] = ()

    #: the hash, computed once (0: not yet): a successor shares most goroutines and frames with its
    #: parent, so caching makes hashing a state cost its changed parts only.  Not compared, not
    #: pickled (string hashes differ between processes).
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __hash__(self) -> int:
        h = self._hash
        if not h:
            h = hash((self.gs, self.heap, self.timers, self.output, self.panic, self.main_done, self.ended, self.failed,
                      self.tinfo, self.unsynced)) or 1
            object.__setattr__(self, "_hash", h)
        return h

    def scalars(self) -> tuple[Any, ...]:
        """Every field but the goroutines and the heap, in field order, so that
        ``World(gs, heap, *w.scalars())`` is `w` with other goroutines and heap."""
        return (self.timers, self.output, self.panic, self.main_done, self.ended, self.failed, self.tinfo,
                self.unsynced)

    def _pickled(self) -> tuple[Any, ...]:
        return (self.gs, self.heap, *self.scalars())

    def _unpickled(self, st: tuple[Any, ...]) -> None:
        for k, v in zip(_WORLD_STATE, st):
            object.__setattr__(self, k, v)
        object.__setattr__(self, "_hash", 0)


# --------------------------------------------------------------------------- heap objects


@dataclass(frozen=True, slots=True)
class Data:
    """Plain memory: ``fields`` is ``((key, value), ...)``; a cell has key 0,
    an array keys 0..n-1, a struct its field names, a typed atomic ``"v"``."""

    fields: tuple[tuple[Any, Any], ...]
    type: str = ""

    #: cached hash, as `Frame`'s: an object a step leaves alone is shared with the parent state, so
    #: hashing a state rehashes only the objects the step replaced
    _hash: int = field(default=0, init=False, repr=False, compare=False)
    _enc: bytes = field(default=b"", init=False, repr=False, compare=False)  # as `Frame`'s

    def __hash__(self) -> int:
        h = self._hash
        if not h:
            h = hash((self.fields, self.type)) or 1
            object.__setattr__(self, "_hash", h)
        return h

    def _pickled(self) -> tuple[Any, ...]:
        return (self.fields, self.type)

    def _unpickled(self, st: tuple[Any, ...]) -> None:
        object.__setattr__(self, "fields", st[0])
        object.__setattr__(self, "type", st[1])
        object.__setattr__(self, "_hash", 0)
        object.__setattr__(self, "_enc", b"")


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

    _hash: int = field(default=0, init=False, repr=False, compare=False)  # cached, as Data's
    _enc: bytes = field(default=b"", init=False, repr=False, compare=False)  # as `Frame`'s

    def __hash__(self) -> int:
        h = self._hash
        if not h:
            h = hash((self.cap, self.buf, self.closed, self.recvq, self.sendq)) or 1
            object.__setattr__(self, "_hash", h)
        return h

    def _pickled(self) -> tuple[Any, ...]:
        return (self.cap, self.buf, self.closed, self.recvq, self.sendq)

    def _unpickled(self, st: tuple[Any, ...]) -> None:
        for k, v in zip(_CHAN_STATE, st):
            object.__setattr__(self, k, v)
        object.__setattr__(self, "_hash", 0)
        object.__setattr__(self, "_enc", b"")


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
    """A cancellable context: parent, Done channel id, cancelled, children;
    ``reason`` is Err's text once cancelled ("context canceled" or "context
    deadline exceeded").  A value context (``context.WithValue``) has ``kv``
    = (key, value) and shares its nearest cancellable ancestor's Done channel
    (``done`` -1: none, under Background); its Err is that ancestor's."""

    parent: int | None
    done: int
    cancelled: bool = False
    children: tuple[int, ...] = ()
    reason: str = ""
    kv: tuple[Any, ...] = ()


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


#: The fields each state class hashes and pickles, written out for speed: checked here against the
#: dataclass fields, so that a new field cannot be silently left out of hashing or pickling (the
#: parallel search pickles states) or of `G.moved`.
_WORLD_STATE = ("gs", "heap", "timers", "output", "panic", "main_done", "ended", "failed", "tinfo", "unsynced")
_G_STATE = ("gid", "frames", "status", "wait", "losses", "awoke", "unwind", "panicking", "recovering")
_CHAN_STATE = ("cap", "buf", "closed", "recvq", "sendq")


def _install_pickling() -> None:
    """Pickle `Frame`, `G`, `World`, `Data` and `Chan` by their fields only (`_pickled`,
    `_unpickled`), never their cached hash or bytes.  Installed after the classes are made:
    before CPython's fix of gh-104035 (3.11.2, this project's CI interpreter, predates it),
    ``dataclass(frozen=True, slots=True)`` replaces a class's own ``__getstate__`` and
    ``__setstate__`` with its own, which pickle every slot, so a state pickled in one process
    carried its cached hash, salted there, into another."""
    for cls in (Frame, G, World, Data, Chan):
        setattr(cls, "__getstate__", cls._pickled)  # noqa: B010 - replacing a method, which mypy refuses
        setattr(cls, "__setstate__", cls._unpickled)  # noqa: B010


_install_pickling()


def _check_state_fields() -> None:
    import dataclasses

    for cls, listed in ((G, _G_STATE), (Frame, ("func", "pc", "slots", "defers")),
                        (World, _WORLD_STATE), (Data, ("fields", "type")), (Chan, _CHAN_STATE)):
        names = tuple(f.name for f in dataclasses.fields(cls) if f.name not in ("_hash", "_enc"))
        if names != listed:
            raise ImportError(f"models.state: {cls.__name__}'s fields {names} are not the hashed and pickled "
                              f"fields {listed}: update __hash__, __getstate__ and G.moved")
    probe = G(1, (), RUN, (), 1, True, 2, "p", True)
    if probe.moved((), RUN, ()) != probe:
        raise ImportError("models.state: G.moved drops a field")
    if len(World((), ()).scalars()) != len(_WORLD_STATE) - 2 or World.__getstate__ is not World._pickled:
        raise ImportError("models.state: World pickles more than its fields")


_check_state_fields()
