"""The flat instruction set that the frontend emits and that the semantics,
the gmp scheduler, the GC model and the reference runtime all interpret.

This module is the contract between them.  Keep it the single source of
truth: an interpreter implements every instruction below exactly as its
docstring says, and the frontend emits nothing else.

Frames
------
A function's frame is a tuple of ``nslots`` values.  Slots ``0 ..
ncaptures-1`` hold a closure's captured values, the next ``nparams`` slots
hold the arguments, the rest are locals and temporaries (zeroed to ``None``
when the frame is pushed; the frontend emits a `Const` for every Go zero
value it relies on).  Every operand of an instruction is a slot index;
constants enter a frame through `Const`.

Values
------
``int`` (Go's ``int``, 64-bit two's complement: arithmetic wraps), ``bool``,
``str``, ``None`` (nil: a nil channel, pointer, func, context), `Ref` (a heap
object or a field of one) and `Closure` (a func value).  Values are immutable
and hashable.

Heap
----
Every shared thing is a heap object with an integer id: package-level
variables (one object each, allocated before the program starts, in
``Program.globals`` order), variables captured by closures or whose
address is taken (the frontend boxes them with `New` and accesses them
through `Load`/`Store`), structs, channels and sync objects.  A struct field
whose type is a struct or a sync/atomic type is *boxed*: the field holds a
`Ref` to its own object, allocated with the struct and never changed, read
with `FieldObj`.

Steps
-----
Each instruction is *local* (touches only the goroutine's own frame stack or
objects nobody else can reach yet) or *visible* (shared memory, channels,
sync, ``go``, output, timers, preemption points).  A model step runs one
visible instruction and then the local instructions that follow it, up to
the next visible one; local work never multiplies the state space.  A
backward `Jump` is visible (a preemption point), so every loop passes a
scheduling point and a step always ends.

Positions
---------
Every instruction carries ``pos = (line, col)`` (1-based) in
``Program.file``; traces name the Go line through it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeVar, dataclass_transform

Pos = tuple[int, int]
NOPOS: Pos = (0, 0)

#: ``time.Time`` values are abstract instants (docs/go-subset.md): an int, 0 for the zero Time
#: (year 1); a value below `TIME_READING` in absolute value is the zero Time plus a duration, and
#: every clock reading (``time.Now()``, a timer's tick) is `TIME_NOW` (plus what ``Add`` added).
#: Two readings may be any distance apart, so what compares two of them is a choice; a reading
#: against a zero-based value, or two zero-based values, compare exactly.  `TIME_APART` (2^50 ns,
#: about 13 days) stands for "a lot of time" between two readings.
TIME_NOW = 1 << 62
TIME_READING = 1 << 61
TIME_APART = 1 << 50
#: Go's ``minDuration``/``maxDuration`` (time/time.go): what ``Sub`` saturates to.
DURATION_MIN = -(1 << 63)
DURATION_MAX = (1 << 63) - 1


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True, order=True)
class Ref:
    """A reference to heap object `obj`, or to field `field` of it.

    ``Ref(7)`` is a pointer to a whole object (a struct, a channel, a mutex);
    ``Ref(7, "n")`` points at field ``n`` of struct 7; ``Ref(7, 0)`` at the
    value of a boxed scalar variable (a cell), or element 0 of an array.
    """

    obj: int
    field: str | int | None = None

    def __repr__(self) -> str:
        return f"&{self.obj}" if self.field is None else f"&{self.obj}.{self.field}"


@dataclass(frozen=True, slots=True, order=True)
class Closure:
    """A func value: a function of the program and the values it captured."""

    func: str
    captures: tuple[Any, ...] = ()

    def __repr__(self) -> str:
        return f"func {self.func}" + (f"{list(self.captures)}" if self.captures else "")


# --------------------------------------------------------------------------- types


@dataclass(frozen=True, slots=True)
class Type:
    """A Go type, as much of it as zero values and allocation need.

    kind is one of ``int bool string chan ptr func struct array context
    iface`` or a sync/atomic object kind: ``sync.Mutex sync.RWMutex
    sync.WaitGroup sync.Once sync.Cond sync.Map atomic.Int32 atomic.Int64
    atomic.Uint32 atomic.Uint64 atomic.Bool atomic.Value``.

    Zero values: ``int`` 0, ``bool`` False, ``string`` "", ``chan ptr func
    context iface`` None.  ``struct``/``array``/sync/atomic kinds are objects:
    `New` allocates them; as fields they are boxed (see the module doc).
    A typed atomic is an object with one field ``"v"``.
    """

    kind: str
    name: str = ""
    elem: Type | None = None
    fields: tuple[tuple[str, Type], ...] = ()
    length: int = 0

    SCALAR: ClassVar[frozenset[str]] = frozenset({"int", "bool", "string", "chan", "ptr", "func", "context", "iface",
                                                  "slice", "map"})

    @property
    def is_object(self) -> bool:
        """True when values of this type live in their own heap object."""
        return self.kind not in Type.SCALAR

    def zero(self) -> Any:
        """The zero value of a scalar type (objects have none: allocate them)."""
        if self.kind == "int":
            return 0
        if self.kind == "bool":
            return False
        if self.kind == "string":
            return ""
        return None

    def __str__(self) -> str:
        if self.kind == "chan":
            return f"chan {self.elem}"
        if self.kind == "ptr":
            return f"*{self.elem}"
        if self.kind == "array":
            return f"[{self.length}]{self.elem}"
        if self.kind == "slice":
            return f"[]{self.elem}"
        return self.name or self.kind


INT = Type("int")
BOOL = Type("bool")
STRING = Type("string")


# --------------------------------------------------------------------------- instructions


@dataclass(frozen=True, slots=True)
class Instr:
    """Base of every instruction.  `VISIBLE` says whether it is a scheduling point."""

    VISIBLE: ClassVar[bool] = False
    #: Operand fields that only some instances use: left out of `operands` (and so of the
    #: IR dump) when None, so adding one to a class leaves existing programs' IR unchanged.
    OPTIONAL: ClassVar[frozenset[str]] = frozenset()

    @property
    def visible(self) -> bool:
        return self.VISIBLE

    @property
    def op(self) -> str:
        return type(self).__name__

    @property
    def pos(self) -> Pos:
        """The Go source position; every instruction class declares it as its last field."""
        raise NotImplementedError(type(self).__name__)

    def operands(self) -> Iterator[tuple[str, Any]]:
        for f in fields(self):
            if f.name != "pos":
                v = getattr(self, f.name)
                if v is None and f.name in self.OPTIONAL:
                    continue
                yield f.name, v


_T = TypeVar("_T")


@dataclass_transform(frozen_default=True)
def _instr(cls: type[_T]) -> type[_T]:
    """A frozen, slotted dataclass (typed as such for mypy by `dataclass_transform`)."""
    return dataclass(frozen=True, slots=True)(cls)


# ---- local: frame-only data flow and control flow


@_instr
class Const(Instr):
    """``dst = value`` (an int, bool, str or None)."""

    dst: int
    value: Any
    pos: Pos = NOPOS


@_instr
class Move(Instr):
    """``dst = src``."""

    dst: int
    src: int
    pos: Pos = NOPOS


@_instr
class UnOp(Instr):
    """``dst = op a`` for op in ``- ! ^``."""

    dst: int
    operator: str
    a: int
    pos: Pos = NOPOS


@_instr
class BinOp(Instr):
    """``dst = a op b``.  op: ``+ - * / % & | ^ &^ << >> == != < <= > >=``.

    ``+`` concatenates strings.  Integer results wrap to 64 bits; ``/`` and
    ``%`` truncate toward zero like Go and panic with "integer divide by
    zero" (a runtime error panic) on a zero divisor.  ``&&``/``||`` never
    appear: the frontend lowers them to branches (short-circuit).
    ``==``/``!=`` compare any two values (Refs by identity, like pointers).
    """

    dst: int
    operator: str
    a: int
    b: int
    pos: Pos = NOPOS


@_instr
class Jump(Instr):
    """Go to instruction `target`.  A backward jump (``back=True``, the
    target is at or before this instruction) is visible: a preemption point
    where loops meet the scheduler and state matching closes their cycles."""

    target: int
    back: bool = False
    pos: Pos = NOPOS

    @property
    def visible(self) -> bool:
        return self.back


@_instr
class Branch(Instr):
    """If ``cond`` is true go to `then`, else to `orelse`."""

    cond: int
    then: int
    orelse: int
    pos: Pos = NOPOS


@_instr
class Call(Instr):
    """Call `func` (a function of the program) or, when `func` is None, the
    `Closure` in slot `fslot`; push a frame with the closure's captures and
    `args`.  On return, the results go into `dsts` (may be shorter than the
    results: extra results are dropped).  Calling a nil func panics."""

    dsts: tuple[int, ...]
    func: str | None
    fslot: int | None
    args: tuple[int, ...]
    pos: Pos = NOPOS


@_instr
class Return(Instr):
    """Return `srcs` from the current function.  First the frame's deferred
    calls run, last deferred first (each is an ordinary call whose results
    are dropped); then the frame is popped.  Returning from a goroutine's
    bottom frame ends the goroutine; goroutine 1 returning from
    ``Program.start`` is main returning."""

    srcs: tuple[int, ...] = ()
    pos: Pos = NOPOS


@_instr
class Defer(Instr):
    """Push a deferred call of `func` (or of the closure in `fslot`) with the
    current values of `args` onto the current frame's defer stack."""

    func: str | None
    fslot: int | None
    args: tuple[int, ...]
    pos: Pos = NOPOS


@_instr
class MakeClosure(Instr):
    """``dst = Closure(func, values of captures)``.  Variables captured by
    reference are boxed by the frontend, so what is captured is their Ref."""

    dst: int
    func: str
    captures: tuple[int, ...]
    pos: Pos = NOPOS


@_instr
class New(Instr):
    """Allocate a zero value of `type` on the heap.  ``dst`` is ``Ref(obj)``
    for object kinds (struct, array, sync, atomic) and ``Ref(obj, 0)`` for a
    scalar cell.  Boxed fields get their own objects at the same time.
    Local: nobody else can reach the object yet."""

    dst: int
    type: Type
    pos: Pos = NOPOS


@_instr
class Addr(Instr):
    """``dst`` = the address of package-level variable `name`: ``Ref(obj,
    0)`` for a scalar, ``Ref(obj)`` for an object kind."""

    dst: int
    name: str
    pos: Pos = NOPOS


@_instr
class FieldAddr(Instr):
    """``dst = Ref(base.obj, field)`` (``&base.field``; an int `field` with
    `index` None is a constant array index).  When `index` is a slot, the
    field is the int in it, bounds-checked against the array's length (panic
    "index out of range").  A nil base panics ("invalid memory address or
    nil pointer dereference")."""

    dst: int
    base: int
    field: str | int
    index: int | None = None
    pos: Pos = NOPOS


@_instr
class FieldObj(Instr):
    """``dst`` = the Ref held in boxed field `field` of struct `base` (a
    nested struct or a sync/atomic object).  The field never changes after
    allocation, so reading it is local.  A nil base panics."""

    dst: int
    base: int
    field: str
    pos: Pos = NOPOS


@_instr
class MakeChan(Instr):
    """``dst`` = a new channel of element type `elem` and capacity taken from
    slot `cap` (None: unbuffered).  A negative capacity panics."""

    dst: int
    elem: Type
    cap: int | None
    pos: Pos = NOPOS


@_instr
class MakeCond(Instr):
    """``dst = sync.NewCond(locker)``: a new Cond whose L is the Mutex or
    RWMutex Ref in slot `locker`."""

    dst: int
    locker: int
    pos: Pos = NOPOS


@_instr
class CapOf(Instr):
    """``dst = cap(ch)`` (0 for nil).  Capacity never changes: local."""

    dst: int
    ch: int
    pos: Pos = NOPOS


@_instr
class Background(Instr):
    """``dst = context.Background()`` (or ``TODO()``): a context that is
    never cancelled; its Done channel is nil."""

    dst: int
    pos: Pos = NOPOS


@_instr
class CtxDone(Instr):
    """``dst = ctx.Done()``: the context's done channel (immutable: local)."""

    dst: int
    ctx: int
    pos: Pos = NOPOS


@_instr
class CondLocker(Instr):
    """``dst = c.L``: the Locker Ref (a Mutex or RWMutex) that Cond `cond`
    was made with by `MakeCond` (immutable: local).  ``c.L.Lock()`` lowers to
    CondLocker then `Lock` on the result."""

    dst: int
    cond: int
    pos: Pos = NOPOS


@_instr
class Nop(Instr):
    """Does nothing; a jump target or a marker for a source line."""

    pos: Pos = NOPOS


# ---- visible: shared memory


@_instr
class Load(Instr):
    """``dst = *ptr`` (a plain, non-atomic read: a race candidate)."""

    VISIBLE = True
    dst: int
    ptr: int
    pos: Pos = NOPOS


@_instr
class Store(Instr):
    """``*ptr = src`` (a plain, non-atomic write: a race candidate)."""

    VISIBLE = True
    ptr: int
    src: int
    pos: Pos = NOPOS


@_instr
class AtomicOp(Instr):
    """A sync/atomic operation on the word at `ptr`, sequentially consistent
    and synchronizing (MM-18).  operator:

    - ``load``:  ``dst = *ptr``
    - ``store``: ``*ptr = a``
    - ``add``:   ``*ptr += a; dst = new value``
    - ``swap``:  ``dst = old; *ptr = a``
    - ``cas``:   ``if *ptr == a { *ptr = b; dst = true } else { dst = false }``
    """

    VISIBLE = True
    operator: str
    dst: int | None
    ptr: int
    a: int | None = None
    b: int | None = None
    pos: Pos = NOPOS


# ---- visible: goroutines, channels, select


@_instr
class Go(Instr):
    """Start a goroutine running `func` (or the closure in `fslot`) with the
    current values of `args` (MM-8: the go statement is synchronized before
    the goroutine starts)."""

    VISIBLE = True
    func: str | None
    fslot: int | None
    args: tuple[int, ...]
    pos: Pos = NOPOS


@_instr
class Send(Instr):
    """``ch <- src`` (CH-4).  Blocks on a nil channel forever; panics "send on
    closed channel"."""

    VISIBLE = True
    ch: int
    src: int
    pos: Pos = NOPOS


@_instr
class Recv(Instr):
    """``dst, ok = <-ch`` (CH-5).  `dst` and `ok` may be None (value or flag
    discarded).  On a closed, drained channel: zero value (`zero`), false."""

    VISIBLE = True
    dst: int | None
    ok: int | None
    ch: int
    zero: Any = None
    pos: Pos = NOPOS


@_instr
class Close(Instr):
    """``close(ch)`` (CH-6).  Panics "close of nil channel" / "close of
    closed channel"; wakes every waiting receiver and sender."""

    VISIBLE = True
    ch: int
    pos: Pos = NOPOS


@_instr
class LenOf(Instr):
    """``dst = len(ch)``: elements in the buffer (0 for nil)."""

    VISIBLE = True
    dst: int
    ch: int
    pos: Pos = NOPOS


@dataclass(frozen=True, slots=True)
class SelectCase:
    """One case of a select.  ``kind`` is ``send`` or ``recv``; `ch` is the
    slot with the channel; for a send `val` is the value's slot; for a recv
    `val` and `ok` are the destination slots (either may be None) and
    `zero` the element type's zero value.  Channel and value operands are
    evaluated by the frontend before the Select, in source order (SEL-2)."""

    kind: str
    ch: int
    val: int | None = None
    ok: int | None = None
    zero: Any = None


@_instr
class Select(Instr):
    """``select`` (SEL-*): writes the index of the case that fired into `dst`
    (-1 when `default` ran).  Every ready case is a separate choice; default
    only when none is ready; nil channels are never ready; a send case on a
    closed channel is ready and panics; without cases and default it blocks
    forever.  The frontend follows it with branches on `dst`."""

    VISIBLE = True
    dst: int
    cases: tuple[SelectCase, ...]
    has_default: bool
    pos: Pos = NOPOS


# ---- visible: sync


@_instr
class Lock(Instr):
    """``m.Lock()`` on a sync.Mutex, or on a RWMutex's write side (MU-2, RW-3)."""

    VISIBLE = True
    m: int
    pos: Pos = NOPOS


@_instr
class Unlock(Instr):
    """``m.Unlock()`` (MU-4, RW-3).  Unlocking an unlocked mutex is a fatal
    error ("sync: unlock of unlocked mutex"), reported as a panic."""

    VISIBLE = True
    m: int
    pos: Pos = NOPOS


@_instr
class TryLock(Instr):
    """``dst = m.TryLock()`` (MU-5, RW-5)."""

    VISIBLE = True
    dst: int
    m: int
    pos: Pos = NOPOS


@_instr
class RLock(Instr):
    """``rw.RLock()``: blocks while a writer holds or waits for the lock (RW-2, RW-4)."""

    VISIBLE = True
    m: int
    pos: Pos = NOPOS


@_instr
class RUnlock(Instr):
    """``rw.RUnlock()``; fatal "sync: RUnlock of unlocked RWMutex" without readers."""

    VISIBLE = True
    m: int
    pos: Pos = NOPOS


@_instr
class WgAdd(Instr):
    """``wg.Add(delta)`` (``Done`` is Add(-1)): WG-2, with its panics."""

    VISIBLE = True
    wg: int
    delta: int
    pos: Pos = NOPOS


@_instr
class WgWait(Instr):
    """``wg.Wait()``: blocks until the counter is zero (WG-3)."""

    VISIBLE = True
    wg: int
    pos: Pos = NOPOS


@_instr
class OnceBegin(Instr):
    """First half of ``once.Do(f)`` (ONCE-1): if f already ran, ``dst =
    false``; if nobody started it, mark it running and ``dst = true`` (the
    frontend then calls f and emits `OnceEnd`); if another goroutine is
    running f, block until it finishes, then ``dst = false``."""

    VISIBLE = True
    dst: int
    once: int
    pos: Pos = NOPOS


@_instr
class OnceEnd(Instr):
    """Second half of ``once.Do(f)``: f returned; mark done, wake waiters (MM-17)."""

    VISIBLE = True
    once: int
    pos: Pos = NOPOS


@_instr
class CondWait(Instr):
    """First half of ``c.Wait()`` (COND-1): take a ticket, unlock ``c.L``,
    park until a Signal/Broadcast covers the ticket.  The frontend follows
    it with `CondRelock`."""

    VISIBLE = True
    cond: int
    pos: Pos = NOPOS


@_instr
class CondRelock(Instr):
    """Second half of ``c.Wait()``: lock ``c.L`` again (blocking like Lock)."""

    VISIBLE = True
    cond: int
    pos: Pos = NOPOS


@_instr
class CondSignal(Instr):
    """``c.Signal()`` (``broadcast=False``) or ``c.Broadcast()`` (COND-2); a
    signal with no waiter is lost."""

    VISIBLE = True
    cond: int
    broadcast: bool = False
    pos: Pos = NOPOS


# ---- visible: time, context, runtime, output, failure


@_instr
class Sleep(Instr):
    """``time.Sleep(d)``: the goroutine waits for a timer event; the timer
    may fire after any number of other steps (or never, when the spec says
    timers never fire).  Durations are compared only where Go's order is
    certain (``runtime.timers: ordered``, `models.timeorder`)."""

    VISIBLE = True
    d: int
    pos: Pos = NOPOS


@_instr
class After(Instr):
    """``dst = time.After(d)``: a new channel of capacity 1 that receives one
    value when its timer fires (an environment event)."""

    VISIBLE = True
    dst: int
    d: int
    pos: Pos = NOPOS


@_instr
class WithCancel(Instr):
    """``dst = context.WithCancel(parent)`` (the context half; the frontend
    makes the cancel func as ``MakeClosure(dst, "context.cancel", (ctx,))``).
    The new context is cancelled when its parent is."""

    VISIBLE = True
    dst: int
    parent: int
    pos: Pos = NOPOS


@_instr
class Cancel(Instr):
    """``cancel()``: cancel the context and its children: close their Done
    channels; idempotent."""

    VISIBLE = True
    ctx: int
    pos: Pos = NOPOS


@_instr
class CtxErr(Instr):
    """``dst = ctx.Err()``: None, or the string "context canceled"."""

    VISIBLE = True
    dst: int
    ctx: int
    pos: Pos = NOPOS


@_instr
class Gosched(Instr):
    """``runtime.Gosched()``: yield (SCH-16)."""

    VISIBLE = True
    pos: Pos = NOPOS


@_instr
class Goexit(Instr):
    """``runtime.Goexit()`` (and what ``t.Fatal`` does after logging): run
    the goroutine's deferred calls, then end it."""

    VISIBLE = True
    pos: Pos = NOPOS


@_instr
class Print(Instr):
    """Observable output.  kind ``println`` (``fmt.Println``: operands
    separated by spaces, newline), ``print`` (``fmt.Print``), ``printf``
    (``fmt.Printf``; args[0] is the format: ``%d %v %s %t %q %%``), or a
    testing event ``log``/``error``/``fatal`` (``t.Log``, ``t.Error``,
    ``t.Fatal``; `t.Errorf` and friends use the printf convention with kind
    ``errorf``/``fatalf``/``logf``).  An ``error`` event marks the test
    failed; ``fatal`` is followed by a `Goexit` from the frontend.  When
    `spread` is a slot, it holds a tuple (`SliceValues`) whose values follow
    `args` (``fmt.Println(xs...)``)."""

    VISIBLE = True
    OPTIONAL = frozenset({"spread"})
    kind: str
    args: tuple[int, ...]
    pos: Pos = NOPOS
    spread: int | None = None


@_instr
class Panic(Instr):
    """``panic(v)``: the program panics with the value in slot `v` (recover is
    outside the subset, so a panic ends the program)."""

    VISIBLE = True
    v: int
    pos: Pos = NOPOS


# ---- visible: system calls and the network poller (docs/go-semantics.md 1.7, 6)


@_instr
class Syscall(Instr):
    """A blocking system call (``syscall.Sync()``; `name` is the Go call).

    The goroutine enters the call (G -> ``_Gsyscall``, SCH-25): it parks with
    wait reason ``("syscall", name)`` and is not runnable until the
    environment event "the system call returns" (``("syscall", gid)``), which
    moves it past this instruction.  The model bounds no system call: the
    return may come after any number of other steps, and the environment is
    under no fairness obligation to deliver it (a call may block for as long
    as the OS likes; sysmon's retake, SCH-28, is what keeps the program going
    meanwhile).  A goroutine in a system call is never reported as deadlocked
    or leaked (an M is running it: DL-2.2)."""

    VISIBLE = True
    name: str
    pos: Pos = NOPOS


@_instr
class PipeMake(Instr):
    """``r, w, _ := os.Pipe()``: ``dst_r``/``dst_w`` get the read and write
    ends (``*os.File`` values, named ``|0`` and ``|1`` in errors) of a new
    pipe whose fds are registered with the network poller (NP-1).  The error
    result is always nil.  Local: nobody else can reach the pipe yet."""

    dst_r: int
    dst_w: int
    pos: Pos = NOPOS


@_instr
class PipeRead(Instr):
    """``n, err := f.Read(buf)`` where slot `buf` holds the buffer's length
    (``buf := make([]byte, K)``, K >= 1 constant; its contents are not
    observable).  On the read end: if the pipe holds data, take up to K bytes:
    ``n`` = bytes taken, err nil; if it is empty and the write end is closed:
    ``0, "EOF"``; if it is empty and the write end is open, the goroutine
    parks on the poller (``("IO wait", pipe)``, NP-2) and becomes runnable
    again, at this same instruction (it retries the read), only through the
    environment event "netpoll returns" (``("netpoll", pipe)``, NP-3/4),
    enabled once data or a close of the write end is pending.  Errors: on a
    closed read end ``0, "read |0: file already closed"``; on the write end
    ``0, "read |1: bad file descriptor"``.  Closing the read end wakes a
    parked reader at once with the closed-file error (``netpollunblock``).
    `dst_n`/`dst_err` may be None (discarded)."""

    VISIBLE = True
    dst_n: int | None
    dst_err: int | None
    f: int
    buf: int
    pos: Pos = NOPOS


@_instr
class PipeWrite(Instr):
    """``n, err := f.Write([]byte(s))``, `data` the slot holding string s.
    The pipe buffer is unbounded in the model (Linux: 64 KiB; the subset's
    programs write a few bytes), so a write never blocks: ``len(s), nil``.
    Errors: read end closed ``0, "write |1: broken pipe"`` (EPIPE; Go raises
    SIGPIPE only for fds 1 and 2); own end closed ``0, "write |1: file
    already closed"``; on the read end ``0, "write |0: bad file
    descriptor"``."""

    VISIBLE = True
    dst_n: int | None
    dst_err: int | None
    f: int
    data: int
    pos: Pos = NOPOS


@_instr
class PipeClose(Instr):
    """``err := f.Close()``: close one end (err nil), or ``"close |N: file
    already closed"`` when it already is.  Closing the write end makes a
    parked reader's fd ready (EOF pending: a netpoll event); closing the
    read end wakes its parked reader at once (see `PipeRead`)."""

    VISIBLE = True
    dst_err: int | None
    f: int
    pos: Pos = NOPOS


# --------------------------------------------------------------------------- program


@dataclass(frozen=True, slots=True)
class Function:
    """One function: its frame layout and its flat code.

    ``slot_names[i]`` names slot i for dumps and traces (``""`` for a
    temporary).  Methods are named ``Type.Method``, closures ``outer$1``.
    """

    name: str
    ncaptures: int
    nparams: int
    nresults: int
    nslots: int
    slot_names: tuple[str, ...]
    code: tuple[Instr, ...]
    pos: Pos = NOPOS


@dataclass(frozen=True, slots=True)
class Global:
    """A package-level variable: one heap object, zero-initialized by type
    before the program starts; initializers run in ``Program.start``."""

    name: str
    type: Type
    pos: Pos = NOPOS


@dataclass(frozen=True)
class Program:
    """A lowered Go program.  Goroutine 1 runs function `start`, which
    initializes the package-level variables and then calls `entry` (main, or
    a ``Test*`` function given a nil ``*testing.T``)."""

    file: str
    source: str
    functions: dict[str, Function]
    globals: tuple[Global, ...]
    start: str
    entry: str
    types: dict[str, Type] = field(default_factory=dict)
    #: for a program merged from several files (`models.lang.packages`): the file and line of
    #: each merged line (an object with ``where(line) -> (path, line)``); None for one file
    file_map: Any = None
    #: functions that call ``t.Helper()``: a test's log line names the first caller that is
    #: neither one of them nor the testing package's (testing.go decorate, `test_log_line`)
    helpers: frozenset[str] = frozenset()

    def test_log_line(self, frames: Any) -> int:
        """The Go line a ``t.Log``/``t.Error``/... reports, given the goroutine's
        frames (objects with ``func`` and ``pc``, innermost last): the frame
        running the call, or its callers' call sites past helpers."""
        for fr in reversed(frames):
            if fr.func in self.helpers or fr.func.startswith(("testing.", "test.")):  # test.*@L:C: a wrapper
                continue
            return self.functions[fr.func].code[fr.pc].pos[0]
        fr = frames[-1]
        return self.functions[fr.func].code[fr.pc].pos[0]

    @functools.cached_property
    def _lines(self) -> list[str]:
        return self.source.splitlines()

    def line(self, n: int) -> str:
        """Source line `n` (1-based), stripped and cut at 200 characters; "" when out of range.
        (The lines are split once: dumps and views ask for every instruction's line.)"""
        lines = self._lines
        text = lines[n - 1].strip() if 0 < n <= len(lines) else ""
        return text if len(text) <= 200 else text[:200] + " ..."

    def where(self, n: int) -> str:
        """``file:line`` of source line `n`, as traces and messages name it: an inline spec source is
        main.go, as under ``go run``; a merged package names the original file."""
        if self.file_map is not None:
            path, line = self.file_map.where(n)
            return f"{path}:{line}"
        name = self.file.replace("\\", "/").rsplit("/", 1)[-1]
        return f"{name if name.endswith('.go') else 'main.go'}:{n}"


#: Every instruction class, by name.
INSTRUCTIONS: dict[str, type[Instr]] = {
    c.__name__: c
    for c in (Const, Move, UnOp, BinOp, Jump, Branch, Call, Return, Defer, MakeClosure, New, Addr,
              FieldAddr, FieldObj, MakeChan, MakeCond, CondLocker, CapOf, Background, CtxDone, Nop, Load, Store,
              AtomicOp, Go, Send, Recv, Close, LenOf, Select, Lock, Unlock, TryLock, RLock, RUnlock,
              WgAdd, WgWait, OnceBegin, OnceEnd, CondWait, CondRelock, CondSignal, Sleep, After,
              WithCancel, Cancel, CtxErr, Gosched, Goexit, Print, Panic, Syscall, PipeMake, PipeRead,
              PipeWrite, PipeClose)
}


# ---- data types (slices, maps, interfaces, func values)
#
# A slice value is a `Slice` header (immutable, in frames like any scalar);
# its elements live in a backing array: a heap `Data` object whose fields
# are ``0 .. cap-1`` (runtime/slice.go: ``slice{array, len, cap}``).  Element
# ``i`` of a slice is the memory ``Ref(s.obj, s.off + i)``, so a race on
# ``s[i]`` is a race on that element alone, and two slices sharing a backing
# array alias exactly as in Go.  The nil slice is ``None``.
#
# A map value is ``Ref(obj)`` of a map object (`models.maps.MapObj` in the
# model); the nil map is ``None``.  Its entries are kept sorted by
# `key_order`, so equal maps are equal states; iteration order is a choice
# (see `MapKeys`).


@dataclass(frozen=True, slots=True, order=True)
class Slice:
    """A slice header: backing array `obj`, offset `off` into it, `len`, `cap`."""

    obj: int
    off: int
    len: int
    cap: int

    def __repr__(self) -> str:
        return f"[]&{self.obj}[{self.off}:{self.off + self.len}:{self.off + self.cap}]"


def key_order(k: Any) -> tuple[str, Any]:
    """A total order on map keys of any comparable type (for canonical maps
    and for numbering iteration orders the same way in model and runtime)."""
    return (type(k).__name__, k)


def grow_cap(old_cap: int, needed: int) -> int:
    """The capacity `append` gives a grown slice (runtime/slice.go growslice,
    Go 1.19, before rounding up to a malloc size class): double while small
    (< 256), then grow by (cap + 3*256)/4 until large enough; when doubling
    is not enough, exactly what is needed.  Size-class rounding is not
    modelled: it only ever makes cap larger, so a program whose aliasing
    depends on it is out of reach (documented in docs/go-subset.md)."""
    new = old_cap
    double = new + new
    if needed > double:
        return needed
    if old_cap < 256:
        return double
    while 0 < new < needed:
        new += (new + 3 * 256) // 4
    return new if new > 0 else needed


@_instr
class MakeSlice(Instr):
    """``dst = make([]elem, len, cap)`` (`cap` None: cap = len): a new zeroed
    backing array.  Panics "makeslice: len out of range" / "makeslice: cap
    out of range" like runtime.makeslice.  Local (fresh memory)."""

    dst: int
    elem: Type
    len: int
    cap: int | None
    pos: Pos = NOPOS


@_instr
class SliceLit(Instr):
    """``dst = []elem{srcs...}``: a new backing array holding the values (len = cap)."""

    dst: int
    elem: Type
    srcs: tuple[int, ...]
    pos: Pos = NOPOS


@_instr
class IndexAddr(Instr):
    """``dst = &s[i]``: ``Ref(s.obj, s.off + i)``; panics "index out of range
    [i] with length n" (the header is in the frame: local)."""

    dst: int
    s: int
    index: int
    pos: Pos = NOPOS


@_instr
class SliceLen(Instr):
    """``dst = len(x)`` for a slice (0 for nil), a string (bytes) or a key
    snapshot of `MapKeys` (local: the header is in the frame); with
    ``of_cap=True``, ``cap(x)`` of a slice."""

    dst: int
    s: int
    of_cap: bool = False
    pos: Pos = NOPOS


@_instr
class Reslice(Instr):
    """``dst = s[lo:hi:max]`` (None: the defaults 0, len(s), cap(s)).  Panics
    "slice bounds out of range" like runtime.panicSlice*.  Local."""

    dst: int
    s: int
    lo: int | None
    hi: int | None
    max: int | None = None
    pos: Pos = NOPOS


@_instr
class TupleGet(Instr):
    """``dst = t[i]`` for the key snapshot `t` of `MapKeys` (local)."""

    dst: int
    t: int
    index: int
    pos: Pos = NOPOS


@_instr
class MakeMap(Instr):
    """``dst = make(map[K]V)`` or a literal ``map[K]V{keys[i]: vals[i]}``.  Local."""

    dst: int
    keys: tuple[int, ...] = ()
    vals: tuple[int, ...] = ()
    pos: Pos = NOPOS


@_instr
class Append(Instr):
    """``dst = append(s, srcs...)`` or, with `spread`, ``append(s, spread...)``.

    When the result fits (len + n <= cap) the values are written into the
    shared backing array (elements s.off+len .. : plain writes, race
    candidates) and the result aliases `s`; else a new array of
    `grow_cap` elements is allocated, s's elements are read and copied into
    it, and the values are written there (runtime/slice.go growslice).  A
    spread source's elements are read.  `zero` is the element type's zero
    value (the grown array's spare capacity).  For elements of a struct type
    `elem` (an object kind: each element is a boxed struct) a grown array
    holds copies of the old elements and zeroed new structs (Go copies the
    values).  Visible: shared memory."""

    VISIBLE = True
    dst: int
    s: int
    srcs: tuple[int, ...] = ()
    spread: int | None = None
    zero: Any = None
    elem: Type | None = None
    pos: Pos = NOPOS


@_instr
class Copy(Instr):
    """``dst = copy(to, frm)``: min(len) elements read from `frm` and written to `to`
    (overlap-safe, like memmove; struct elements, of type `elem`, are copied
    field by field into the destination's structs).  `dst` may be None.  Visible."""

    VISIBLE = True
    dst: int | None
    to: int
    frm: int
    elem: Type | None = None
    pos: Pos = NOPOS


@_instr
class MapIndex(Instr):
    """``dst, ok = m[k]``: the value or `zero`, and whether the key is there
    (nil map: zero, false).  A read of the map (a race candidate); during
    another goroutine's write (see `MapWriting`) Go's fatal error
    "concurrent map read and map write" ("concurrent map iteration and map
    write" for the read of a ``range`` step, `iter`).  Visible."""

    VISIBLE = True
    dst: int | None
    ok: int | None
    m: int
    k: int
    zero: Any = None
    iter: bool = False
    pos: Pos = NOPOS


@_instr
class MapWriting(Instr):
    """The start of a map write (``m[k] = v`` when `store`, else ``delete``):
    runtime/map.go mapassign/mapdelete throw "concurrent map writes" when
    another write is inside the map (its ``hashWriting`` flag is set), then
    set the flag; the `MapStore`/`MapDelete` that follows does the write and
    clears it.  A write is thus two steps, and another goroutine's access in
    between is Go's fatal error (a read: "concurrent map read and map
    write").  A store to a nil map panics "assignment to entry in nil map";
    a delete on a nil map does nothing.  Visible."""

    VISIBLE = True
    m: int
    store: bool = True
    pos: Pos = NOPOS


@_instr
class MapStore(Instr):
    """``m[k] = v`` after `MapWriting`: the write; clears the writing flag.  Visible."""

    VISIBLE = True
    m: int
    k: int
    v: int
    pos: Pos = NOPOS


@_instr
class MapDelete(Instr):
    """``delete(m, k)`` after `MapWriting` (a no-op on a nil map or a missing
    key; still a write); clears the writing flag.  Visible."""

    VISIBLE = True
    m: int
    k: int
    pos: Pos = NOPOS


@_instr
class MapLen(Instr):
    """``dst = len(m)`` (0 for nil): a read of the map.  Visible."""

    VISIBLE = True
    dst: int
    m: int
    pos: Pos = NOPOS


@_instr
class MapKeys(Instr):
    """The start of ``for k, v := range m``: ``dst`` = a tuple of the keys in
    an iteration order.  Go randomizes the order (runtime/map.go mapiterinit
    picks a random start bucket and offset), so every order is a separate
    choice of the step (numbered by `permutation_index` over the keys in
    `key_order`); ``runtime.map_order: canonical`` keeps only the sorted
    order.  Each iteration then reads the value with `MapIndex` and skips a
    key deleted meanwhile (Go: "If a map entry that has not yet been
    reached is removed during iteration, the corresponding iteration value
    will not be produced"); entries added during the loop are not produced
    (Go may or may not produce them: the model takes one of Go's choices).
    A read of the map.  Visible."""

    VISIBLE = True
    dst: int
    m: int
    pos: Pos = NOPOS


def permutation(items: tuple[Any, ...], index: int) -> tuple[Any, ...]:
    """The `index`-th permutation of `items` in lexicographic order of positions."""
    pool = list(items)
    out = []
    n = len(pool)
    fact = 1
    for i in range(2, n + 1):
        fact *= i
    for k in range(n, 0, -1):
        fact //= k
        j, index = divmod(index, fact)
        out.append(pool.pop(j))
    return tuple(out)


def permutation_index(order: tuple[Any, ...], items: tuple[Any, ...]) -> int:
    """Inverse of `permutation`: the index of `order` among the permutations of `items`."""
    pool = list(items)
    index = 0
    n = len(pool)
    fact = 1
    for i in range(2, n + 1):
        fact *= i
    for k in range(n, 0, -1):
        fact //= k
        j = pool.index(order[n - k])
        index += j * fact
        pool.pop(j)
    return index


DATA_INSTRUCTIONS: tuple[type[Instr], ...] = (MakeSlice, SliceLit, IndexAddr, SliceLen, Reslice, TupleGet, MakeMap,
                                              Append, Copy, MapIndex, MapWriting, MapStore, MapDelete, MapLen,
                                              MapKeys)
INSTRUCTIONS.update({c.__name__: c for c in DATA_INSTRUCTIONS})


# ---- interfaces
#
# An interface value is `Iface`: its dynamic type, as Go names it
# (``*main.T``, ``main.T``, ``int``, ``string``), and the dynamic value (a
# struct held by value is a Ref to the interface's own copy).  The nil
# interface is ``None``.  A method of dynamic type ``*main.T`` or ``main.T``
# is the program function ``T.M$pbound`` (pointer receiver: only in the
# method set of ``*T``) or ``T.M$bound`` (value receiver: in both), taking
# the receiver as its one capture (see `IfaceMethod`).


@dataclass(frozen=True, slots=True, order=True)
class Iface:
    """A non-nil interface value: dynamic type name and value."""

    type: str
    value: Any

    def __repr__(self) -> str:
        return f"{self.type}({self.value!r})"


def method_func(dyn: str, name: str, funcs: Any) -> str | None:
    """The bound-method function implementing method `name` of dynamic type
    `dyn`, or None when `dyn`'s method set lacks it (Go spec, "Method sets":
    ``*T`` has the methods of ``T`` and ``*T``; ``T`` only its value-receiver ones)."""
    ptr = dyn.startswith("*")
    base = dyn[1:] if ptr else dyn
    base = base[5:] if base.startswith("main.") else base
    f = f"{base}.{name}$bound"
    if f in funcs:
        return f
    f = f"{base}.{name}$pbound"
    if ptr and f in funcs:
        return f
    return None


@_instr
class MakeIface(Instr):
    """``dst = I(src)``: wrap a concrete value with its dynamic type `type`
    (a Go type name).  Local."""

    dst: int
    src: int
    type: str
    pos: Pos = NOPOS


@_instr
class IfaceMethod(Instr):
    """``dst = x.name`` for an interface value `x` (dynamic dispatch): a
    `Closure` of the dynamic type's bound-method function over the dynamic
    value.  A nil interface panics (nil pointer dereference).  Local."""

    dst: int
    x: int
    name: str
    pos: Pos = NOPOS


@_instr
class TypeAssert(Instr):
    """``dst, ok = x.(T)``: for a concrete `target` (a Go type name), ok when
    x's dynamic type is it, dst the dynamic value; for an interface target
    (`target` ""), ok when x is non-nil and its method set has `methods`,
    dst x itself.  Failing: dst `zero`, ok false; with `ok` None the
    assertion panics like runtime.panicdottype ("interface conversion:
    <static> is <dynamic>, not <target>"; a missing method: "... is not
    <iface>: missing method M"; nil: "... is nil, not ...").  `static` names
    x's static type, `iface` the target interface.  Local."""

    dst: int | None
    ok: int | None
    x: int
    target: str
    methods: tuple[str, ...] = ()
    zero: Any = None
    static: str = "interface {}"
    iface: str = ""
    pos: Pos = NOPOS


@_instr
class InitStore(Instr):
    """``*ptr = src`` into a field or element of an object this goroutine
    allocated in the same statement and has not published yet (a struct
    literal being filled, a struct copy being made): no other goroutine can
    reach the object, so the write is local, not a scheduling point."""

    ptr: int
    src: int
    pos: Pos = NOPOS


IFACE_INSTRUCTIONS: tuple[type[Instr], ...] = (MakeIface, IfaceMethod, TypeAssert, InitStore)
INSTRUCTIONS.update({c.__name__: c for c in IFACE_INSTRUCTIONS})


# ---- library (time, context, fmt, errors, rand, recover)


@_instr
class CopySync(Instr):
    """``*dst = *src`` for a sync object (a Mutex, RWMutex, WaitGroup or Once
    copied by value: a value receiver, a struct passed or assigned by value).
    The copy is a different lock: it starts with the state word the original
    had (locked, readers, counter) and no waiters, which stay parked on the
    original's semaphore (``go vet``'s copylocks case).  Visible: it reads the
    original's shared state."""

    VISIBLE = True
    dst: int
    src: int
    pos: Pos = NOPOS


@_instr
class Recover(Instr):
    """``dst = recover()``: the panic value (its message) when called directly
    by a deferred function while its goroutine panics, which stops the panic
    (the function that deferred it returns normally); else nil.  Local: it
    reads only the goroutine's own state."""

    dst: int
    pos: Pos = NOPOS


@_instr
class RecoverReturn(Instr):
    """Marks a function's recovery epilogue (after its last instruction): a
    frame whose panic was recovered resumes after this marker, where its
    results (named results, or zero values) are returned.  Never executed."""

    pos: Pos = NOPOS


@_instr
class RunDefers(Instr):
    """Run the current frame's deferred calls now, last deferred first (each
    an ordinary call whose results are dropped), then go on with the next
    instruction.  How a function whose named results a deferred closure may
    read or set (they are boxed: captured or addressed) finishes: ``return
    X`` stores X into the results, `RunDefers`, then `Load` the results and
    `Return` them with no deferred call left (Go spec, "Return statements":
    the result parameters are set before the deferred functions run;
    "Defer statements": a deferred function may modify them).  While a
    deferred call runs, the frame's ``pc`` stays here.  Local: the calls it
    starts are ordinary frames whose own instructions are the steps."""

    pos: Pos = NOPOS


INSTRUCTIONS.update({c.__name__: c for c in (CopySync, Recover, RecoverReturn, RunDefers)})


@_instr
class TimerMake(Instr):
    """``time.NewTimer(d)`` / ``time.NewTicker(d)`` / ``time.Tick(d)`` /
    ``time.AfterFunc(d, f)``: `kind` ``timer``, ``ticker`` or ``afterfunc``.
    `dst` gets a ``*time.Timer``/``*time.Ticker`` object whose field ``C`` is
    a channel of capacity 1 (nil for AfterFunc) and the timer is pending
    (an environment event that may fire at any time, as for `After`, but
    for the order `models.timeorder` keeps).  `f` is the AfterFunc's func slot."""

    VISIBLE = True
    dst: int
    d: int
    kind: str
    f: int | None = None
    pos: Pos = NOPOS


@_instr
class TimerStop(Instr):
    """``t.Stop()`` (`reset` None) or ``t.Reset(d)`` (`reset` the duration
    slot): `dst` (may be None) gets whether the timer was pending; Stop
    removes it, Reset makes it pending again (time/sleep.go)."""

    VISIBLE = True
    dst: int | None
    timer: int
    reset: int | None = None
    pos: Pos = NOPOS


@_instr
class Choose(Instr):
    """``dst`` = a value in ``0 .. n-1`` chosen by the environment (each
    value a separate successor): ``math/rand``'s ``Intn(n)`` and friends.
    More than ``runtime.rand_values`` values is a bound: the model stops
    with `ModelLimitError` (the verdicts are unknown), never a cut."""

    VISIBLE = True
    dst: int
    n: int
    what: str = "rand.Intn"
    pos: Pos = NOPOS


@_instr
class Format(Instr):
    """``dst = fmt.Sprintf(args[0], args[1:]...)`` (`kind` ``sprintf``), or
    ``Sprint``/``Sprintln``/``Errorf``/``errors.New``/``strconv.Itoa`` (kinds
    ``sprint``, ``sprintln``, ``errorf``, ``new``, ``itoa``).  Errors are
    their message strings.  Local: it reads only its operands.  `spread` as
    for `Print`."""

    OPTIONAL = frozenset({"spread"})
    dst: int
    kind: str
    args: tuple[int, ...]
    pos: Pos = NOPOS
    spread: int | None = None


@_instr
class WithDeadline(Instr):
    """``context.WithTimeout``/``WithDeadline(parent, d)``: a cancellable
    child of `parent` plus a pending timer that cancels it with "context
    deadline exceeded" (context.go timerCtx); its cancel func stops the timer.
    `timeout`: ``WithTimeout`` (`d` is a duration; ``WithDeadline``'s is a
    ``time.Time``, abstract in the model)."""

    VISIBLE = True
    dst: int
    parent: int
    d: int
    timeout: bool = False
    pos: Pos = NOPOS


@_instr
class WithValue(Instr):
    """``context.WithValue(parent, key, val)``: a context carrying one
    key/value pair; Done and Err are its parent's (context.go valueCtx).
    Local: it allocates an immutable node."""

    dst: int
    parent: int
    key: int
    val: int
    pos: Pos = NOPOS


@_instr
class CtxValue(Instr):
    """``dst = ctx.Value(key)``: the nearest value for `key` up the chain, or nil."""

    dst: int
    ctx: int
    key: int
    pos: Pos = NOPOS


@_instr
class Exit(Instr):
    """``log.Fatal*``: the message is logged (stderr) and the process exits
    with status 1 (os.Exit: deferred calls do not run).  `args` as for
    Print with `kind` ``fatal``/``fatalf``/``fatalln`` (and `spread`)."""

    VISIBLE = True
    OPTIONAL = frozenset({"spread"})
    kind: str
    args: tuple[int, ...]
    pos: Pos = NOPOS
    spread: int | None = None


INSTRUCTIONS.update({c.__name__: c for c in (TimerMake, TimerStop, Choose, Format, WithDeadline, WithValue,
                                             CtxValue, Exit)})


# --------------------------------------------------------------------------- strings, sync.Map, runtime and testing (issue 12)
#
# A Go string is a Python ``str`` whose UTF-8 encoding is the Go string's
# bytes; a byte sequence that is not valid UTF-8 keeps each bad byte as a lone
# surrogate (Python's ``surrogateescape``), so `go_bytes` and `go_string`
# convert both ways without loss and every operation below is on Go's bytes.


def go_bytes(s: str) -> bytes:
    """The bytes of Go string `s`."""
    return s.encode("utf-8", "surrogateescape")


def go_string(b: bytes) -> str:
    """The Go string of bytes `b` (invalid UTF-8 kept byte for byte)."""
    return b.decode("utf-8", "surrogateescape")


class GoRuntimeError(Exception):
    """A Go run-time panic raised by `str_op` (``runtime error: ...``): each
    interpreter turns it into its own panic with this message."""


def go_quote(s: str) -> str:
    """strconv.Quote (and fmt's ``%q``): ASCII printable runes as themselves,
    ``\\"`` and ``\\\\``, the C escapes, other control bytes as ``\\xHH``, bytes
    of invalid UTF-8 as ``\\xHH``, non-printable runes as ``\\uXXXX`` or
    ``\\UXXXXXXXX``; printable non-ASCII runes as themselves (strconv/quote.go
    appendQuotedWith; printability here is Python's, Unicode's L M N P S and
    the ASCII space, as Go's unicode.IsPrint)."""
    esc = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
           '"': '\\"', "\\": "\\\\"}
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch in esc:
            out.append(esc[ch])
        elif 0xDC80 <= c <= 0xDCFF:  # a byte of invalid UTF-8 (see `go_string`)
            out.append(f"\\x{c - 0xDC00:02x}")
        elif c < 0x20 or c == 0x7F:
            out.append(f"\\x{c:02x}")
        elif c < 0x7F or ch.isprintable():
            out.append(ch)
        elif c < 0x10000:
            out.append(f"\\u{c:04x}")
        else:
            out.append(f"\\U{c:08x}")
    out.append('"')
    return "".join(out)


def _decode_rune(b: bytes, i: int) -> tuple[int, int]:
    """(rune, width) of the UTF-8 sequence at byte `i` of `b` (unicode/utf8
    DecodeRune): an invalid or short sequence is (U+FFFD, 1)."""
    c = b[i]
    if c < 0x80:
        return c, 1
    for n, lo_first in ((2, 0xC2), (3, 0xE0), (4, 0xF0)):
        if (n == 2 and 0xC2 <= c <= 0xDF) or (n == 3 and 0xE0 <= c <= 0xEF) or (n == 4 and 0xF0 <= c <= 0xF4):
            chunk = b[i:i + n]
            try:
                r = chunk.decode("utf-8")
            except UnicodeDecodeError:
                return 0xFFFD, 1
            return (ord(r), n) if len(r) == 1 else (0xFFFD, 1)
        del lo_first
    return 0xFFFD, 1


def _rune_string(r: int) -> str:
    """``string(rune(r))``: the UTF-8 of `r`, or of U+FFFD for a surrogate or
    an out-of-range value (unicode/utf8 EncodeRune)."""
    if not 0 <= r <= 0x10FFFF or 0xD800 <= r <= 0xDFFF:
        r = 0xFFFD
    return chr(r)


_MAX_INT = (1 << 63) - 1


def _atoi(s: str) -> tuple[int, str | None]:
    """strconv.Atoi (atoi.go): an optional sign and decimal digits; the
    error text is the *NumError's ("strconv.Atoi: parsing "s": invalid
    syntax" / "value out of range", the value then clamped)."""
    body = s[1:] if s[:1] in ("+", "-") else s
    if not body or any(not ("0" <= ch <= "9") for ch in body):
        return 0, f"strconv.Atoi: parsing {go_quote(s)}: invalid syntax"
    v = int(body)
    if s[:1] == "-":
        v = -v
    if v > _MAX_INT or v < -_MAX_INT - 1:
        return (_MAX_INT if v > 0 else -_MAX_INT - 1), f"strconv.Atoi: parsing {go_quote(s)}: value out of range"
    return v, None


class WrappedError(str):
    """An error made by ``fmt.Errorf`` with a ``%w`` operand: its message (the
    model keeps errors as their text) and the error it wraps (fmt's
    *wrapError, errors.Unwrap).  Equal only to a WrappedError with the same
    text wrapping an equal error, never to a plain error text (Go compares
    the pointers: a wrapped error is a new value)."""

    wrapped: Any

    def __new__(cls, text: str, wrapped: Any) -> WrappedError:
        self = super().__new__(cls, text)
        self.wrapped = wrapped
        return self

    def __eq__(self, other: object) -> bool:
        return type(other) is WrappedError and str.__eq__(self, other) and self.wrapped == other.wrapped

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash((str.__str__(self), self.wrapped))

    def __reduce__(self) -> Any:
        return (WrappedError, (str.__str__(self), self.wrapped))


def wrap_error(fmt: Any, args: list[Any], text: str) -> Any:
    """``fmt.Errorf(fmt, args...)``'s value: `text`, wrapping the operand of
    its ``%w`` verb when there is exactly one and it is not nil (fmt/errors.go)."""
    if not isinstance(fmt, str):
        return text
    verbs = format_verbs(fmt)
    ws = [i for i, v in enumerate(verbs) if v == "w"]
    if len(ws) != 1 or ws[0] >= len(args) or args[ws[0]] is None:
        return text
    return WrappedError(text, args[ws[0]])


def format_verbs(fmt: str) -> list[str]:
    """The verb of each operand of a format string (``%%`` takes none)."""
    out: list[str] = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "%":
            j = i + 1
            while j < len(fmt) and fmt[j] in "+-# 0123456789.":
                j += 1
            if j < len(fmt) and fmt[j] != "%":
                out.append(fmt[j])
            i = j + 1
        else:
            i += 1
    return out


#: The fmt verbs the model formats exactly (with the flags ``-``, ``+``, ``0``, space and a width).
PRINTF_VERBS = "vsdtqwcxX"
_PRINTF_FLAGS = "-+0 "


def printf_spec_ok(fmt: str) -> str | None:
    """None when every directive of format `fmt` is one `go_printf` formats
    exactly, else the first one it does not (``%5.2f``, ``%#v``, ``%*d``...)."""
    i = 0
    while i < len(fmt):
        if fmt[i] != "%":
            i += 1
            continue
        j = i + 1
        while j < len(fmt) and fmt[j] in "-+# 0123456789.*[]":
            j += 1
        spec = fmt[i:j + 1]
        width = fmt[i + 1:j].lstrip(_PRINTF_FLAGS)
        if spec != "%%" and not (j < len(fmt) and fmt[j] in PRINTF_VERBS and (width == "" or width.isdigit())):
            return spec
        i = j + 1
    return None


def go_printf(fmt: str, args: list[Any], text: Any) -> str:
    """fmt.Sprintf for the verbs of `PRINTF_VERBS` (fmt/print.go, format.go):
    ``%v %s %w`` are ``text(v)`` (the interpreter's %v of a value), ``%d``
    decimal, ``%t`` a bool, ``%q`` a quoted string (`go_quote`) or rune,
    ``%c`` a rune's UTF-8, ``%x``/``%X`` hex of an int or of a string's
    bytes; flags ``-`` (pad right), ``0`` (pad numbers with zeros), ``+``
    and space (sign of %d); a width pads to that many runes.  A missing
    operand is ``%!v(MISSING)``; a directive outside this set is
    ``%!?(...)`` and operands left over are ``%!(EXTRA ...)`` without Go's
    type names (the frontend refuses constant formats with either)."""
    out: list[str] = []
    k = 0
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        j = i + 1
        flags = ""
        while j < len(fmt) and fmt[j] in _PRINTF_FLAGS:
            flags += fmt[j]
            j += 1
        w0 = j
        while j < len(fmt) and fmt[j].isdigit():
            j += 1
        width = int(fmt[w0:j]) if j > w0 else 0
        if j >= len(fmt):
            out.append("%!(NOVERB)")
            break
        verb = fmt[j]
        i = j + 1
        if verb == "%":
            out.append("%")
            continue
        if k >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        v = args[k]
        k += 1
        num = isinstance(v, int) and not isinstance(v, bool)
        if verb in "vsw":
            body = text(v)
        elif verb == "d" and num:
            body = str(v)
            if v >= 0 and "+" in flags:
                body = "+" + body
            elif v >= 0 and " " in flags:
                body = " " + body
        elif verb == "t" and isinstance(v, bool):
            body = "true" if v else "false"
        elif verb == "q" and isinstance(v, str):
            body = go_quote(v)
        elif verb == "q" and num:
            body = "'" + go_quote(_rune_string(v))[1:-1].replace("\\\"", '"').replace("'", "\\'") + "'"
        elif verb == "c" and num:
            body = _rune_string(v)
        elif verb in "xX" and (num or isinstance(v, str)):
            body = (format(v, "x") if num else go_bytes(v).hex())
            if verb == "X":
                body = body.upper()
        else:
            body = f"%!{verb}({text(v)})"
        pad = width - len(body)
        if pad > 0:
            if "-" in flags:
                body += " " * pad
            elif "0" in flags and verb not in "vsqwtc" and num:
                sign = body[0] if body[:1] in "+- " else ""
                body = sign + "0" * pad + body[len(sign):]
            elif "0" in flags:
                body = "0" * pad + body
            else:
                body = " " * pad + body
        out.append(body)
    if k < len(args):
        out.append("%!(EXTRA " + ", ".join(text(x) for x in args[k:]) + ")")
    return "".join(out)


def errors_is(err: Any, target: Any) -> bool:
    """``errors.Is``: err or an error it wraps equals target (errors/wrap.go;
    equality as Go's ==: of the same type and value)."""
    while err is not None:
        if type(err) is type(target) and err == target:
            return True
        err = err.wrapped if isinstance(err, WrappedError) else None
    return False


def str_op(op: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """The results of `StrOp` operator `op` on the operand values `args` (see its doc);
    raises `GoRuntimeError` for Go's run-time panics."""
    if op == "index":  # s[i]
        s, i = args
        b = go_bytes(s)
        if not 0 <= i < len(b):
            raise GoRuntimeError(f"runtime error: index out of range [{i}] with length {len(b)}")
        return (b[i],)
    if op == "slice":  # s[lo:hi]
        s, lo, hi = args
        b = go_bytes(s)
        if not 0 <= hi <= len(b):
            raise GoRuntimeError(f"runtime error: slice bounds out of range [:{hi}] with length {len(b)}")
        if not 0 <= lo <= hi:
            raise GoRuntimeError(f"runtime error: slice bounds out of range [{lo}:{hi}]")
        return (go_string(b[lo:hi]),)
    if op == "rune":  # for i, r := range s: the rune at byte i and its width
        s, i = args
        return _decode_rune(go_bytes(s), i)
    if op == "fromrune":  # string(r)
        return (_rune_string(args[0]),)
    if op == "frombytes":  # string(b), from the tuple of b's elements
        return (go_string(bytes(x & 0xFF for x in args[0])),)
    if op == "tobytes":  # []byte(s): the tuple of bytes
        return (tuple(go_bytes(args[0])),)
    if op == "atoi":
        return _atoi(args[0])
    if op == "contains":
        return (go_bytes(args[1]) in go_bytes(args[0]),)
    if op == "hasprefix":
        return (go_bytes(args[0]).startswith(go_bytes(args[1])),)
    if op == "hassuffix":
        return (go_bytes(args[0]).endswith(go_bytes(args[1])),)
    if op == "strindex":  # strings.Index: byte offset or -1
        return (go_bytes(args[0]).find(go_bytes(args[1])),)
    if op == "join":  # strings.Join(elems, sep), elems a tuple
        return (go_string(go_bytes(args[1]).join(go_bytes(x) for x in args[0])),)
    if op == "less":  # s < t compares bytes
        return (go_bytes(args[0]) < go_bytes(args[1]),)
    if op == "errorsis":
        return (errors_is(args[0], args[1]),)
    if op == "unwrap":  # errors.Unwrap
        return (args[0].wrapped if isinstance(args[0], WrappedError) else None,)
    raise ValueError(f"unknown string operation {op!r}")


STR_OPS = ("index", "slice", "rune", "fromrune", "frombytes", "tobytes", "atoi", "contains", "hasprefix",
           "hassuffix", "strindex", "join", "less", "errorsis", "unwrap")


@_instr
class StrOp(Instr):
    """``dsts = operator(args)``: a computation on immutable values (strings,
    ints, tuples), defined by `str_op`.  Operators: ``index`` ``s[i]`` (a byte; Go's index
    panic), ``slice`` ``s[lo:hi]`` (Go's slice-bounds panics), ``rune`` the
    (rune, width) at byte i for ``range s`` (invalid UTF-8: U+FFFD, width 1),
    ``fromrune`` ``string(r)``, ``frombytes`` ``string(b)`` from the tuple of
    b's elements (`SliceValues`), ``tobytes`` the tuple of s's bytes (for
    `SliceOfTuple`), ``atoi`` ``strconv.Atoi`` (value, error text or nil),
    ``contains``/``hasprefix``/``hassuffix``/``strindex``/``join`` (the
    ``strings`` functions), ``errorsis``/``unwrap`` (``errors.Is``, ``errors.Unwrap``
    through `WrappedError`). Local."""

    operator: str
    dsts: tuple[int, ...]
    args: tuple[int, ...]
    pos: Pos = NOPOS


@_instr
class SliceValues(Instr):
    """``dst`` = the tuple of the values ``s[0:len(s)]`` (nil: ``()``): a read
    of every element (a race candidate each, like `Copy`'s source), for
    ``string(b)`` and ``f(xs...)`` into fmt.  Visible."""

    VISIBLE = True
    dst: int
    s: int
    pos: Pos = NOPOS


@_instr
class SliceOfTuple(Instr):
    """``dst`` = a new slice (len = cap) holding the values of tuple `t` (from
    `StrOp` ``tobytes``: ``[]byte(s)`` has capacity len(s) here, where Go's may
    be rounded up to a size class).  Local: the array is new."""

    dst: int
    elem: Type
    t: int
    pos: Pos = NOPOS


@_instr
class SyncMap(Instr):
    """One ``sync.Map`` method on the map `m` (a `Ref`), atomic and
    synchronizing: the map is internally locked (sync/map.go), so sync.Map
    operations never race with each other, and a call that observes a
    Store synchronizes after it (the memory model's sync.Map rule, as a
    lock/unlock of the map).  operator:

    - ``load``: ``dst, ok = m.Load(k)`` (nil, false when absent)
    - ``store``: ``m.Store(k, v)``
    - ``loadorstore``: ``dst, ok = m.LoadOrStore(k, v)`` (the existing value
      and true, or v stored and false)
    - ``loadanddelete``: ``dst, ok = m.LoadAndDelete(k)``
    - ``delete``: ``m.Delete(k)``
    - ``keys``: the start of ``m.Range(f)``: ``dst`` = a tuple of the keys in
      one of their orders (each order a choice, as `MapKeys`); the frontend
      then Loads each key and calls f with the keys still present, stopping
      when f returns false (sync/map.go Range: the key set is a snapshot,
      each value is loaded when its turn comes).

    A key whose dynamic type is not comparable panics (``hash of unhashable
    type``).  Visible."""

    VISIBLE = True
    operator: str
    dst: int | None
    ok: int | None
    m: int
    k: int | None = None
    v: int | None = None
    pos: Pos = NOPOS


@_instr
class NumGoroutine(Instr):
    """``dst = runtime.NumGoroutine()``: the goroutines that have not ended,
    plus any number of those that have (a choice of the step, each count a
    successor): a goroutine's exit (runtime goexit) is ordered with nothing,
    so Go may still count a goroutine whose last statement ran, even one the
    caller synchronized with.  Plus one for a ``Test*`` entry (in ``go test``
    the test runs in a goroutine of its own while the test binary's main
    goroutine waits for it).  Visible: it observes every goroutine."""

    VISIBLE = True
    dst: int
    pos: Pos = NOPOS


@_instr
class CondSetL(Instr):
    """``c.L = l``: a plain write of the Cond's Locker field (the Cond's later
    Wait and ``c.L.Lock()`` use it).  Visible."""

    VISIBLE = True
    cond: int
    src: int
    pos: Pos = NOPOS


#: The hidden package-level variable holding GOMAXPROCS when a program reads
#: runtime.GOMAXPROCS's result: an interpreter starts it at its number of Ps.
GOMAXPROCS_VAR = "runtime.gomaxprocs"

INSTRUCTIONS.update({c.__name__: c for c in (StrOp, SliceValues, SliceOfTuple, SyncMap, NumGoroutine, CondSetL)})
