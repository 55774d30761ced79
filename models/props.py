"""The Go properties, as functions of a `World` (docs/design.md section 1).

Each function here takes the `Interpreter` (for code and names) and a world,
so a scheduler that wraps the world (gmp) reuses them by projection.

- `deadlock_reason`: Go's ``checkdead`` (DL-2): the program has not ended,
  main has not returned, no goroutine can run and no timer is pending.
  With every goroutine gone but main never returned (it called
  ``runtime.Goexit``) the message is DL-2.4's.  A goroutine in a system
  call or parked on the poller (``IO wait``) means an M is running or
  blocked in netpoll, so nothing is reported (DL-2.2, DL-O6), even if no
  write will ever come.
- `leak_keys`: goroutines parked in this state (``leak_free`` is a
  ``bottom`` property over them: parked in every state of a bottom SCC).
  Main (G1) is excluded: a main that never proceeds is a deadlock.  A
  goroutine in a system call is not parked (``_Gsyscall``): excluded; one
  parked on the poller is (it leaks if no write or close ever comes).
- `panic_reason`: the panic or fatal error message, with the Go line.
- `races`: two goroutines whose next visible instructions access one
  variable, at least one a write and at least one plain (docs/design.md 7, MM-18:
  an atomic operation racing a plain access is a race, as ``-race``
  reports it; two atomic operations never race),
  plus Go's ``-race`` model of WaitGroup misuse (an ``Add`` from zero
  racing ``Wait``, ``sync/waitgroup.go``).
- `lock_waiters`: goroutines waiting for a lock (``starvation_free`` keys).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from models import datatypes, ir
from models.chan import send_reads
from models.interp import Interpreter
from models.state import DONE, RUN, WAIT, Chan, Context, Data, World
from models.sync import LOCK_OPS
from models.tx import fmt_value

__all__ = ["deadlock_reason", "leak_keys", "panic_reason", "races", "lock_waiters", "live_goroutines",
           "terminated", "object_names", "var_name", "describe_g", "describe_obj"]


def terminated(m: Interpreter, w: World) -> bool:
    """The program is over: it ended (exit, panic) or main returned and every goroutine is done.
    A main that called ``runtime.Goexit`` never returns, so that program never ends (DL-O8)."""
    return w.ended or w.main_done and all(g.status == DONE for g in w.gs)


def deadlock_reason(m: Interpreter, w: World) -> bool | str:
    """True when `w` is a proper end; else Go's fatal error text (DL-2)."""
    if w.ended or w.main_done or w.panic:
        return True
    if any(g.status == RUN for g in w.gs) or w.timers:
        return True
    if any(g.status == WAIT and g.wait and g.wait[0] in ("syscall", "IO wait") for g in w.gs):
        return True  # DL-2.2 / DL-O6: an M is in a system call or blocked in netpoll: run > 0
    asleep = [g for g in w.gs if g.status == WAIT]
    if not asleep:
        return "fatal error: no goroutines (main called runtime.Goexit) - deadlock!"
    names = object_names(m, w)
    where = "; ".join(describe_g(m, w, g.gid, names) for g in asleep)
    return f"fatal error: all goroutines are asleep - deadlock! ({where})"


def leak_keys(m: Interpreter, w: World) -> tuple[str, ...]:
    if w.panic:
        return ()
    return tuple(f"G{g.gid}" for g in w.gs if g.status == WAIT and g.gid != 1 and g.wait[:1] != ("syscall",))


def panic_reason(w: World) -> bool | str:
    if w.panic:
        return w.panic
    if w.failed:
        return "test failed: " + "".join(w.output).strip().splitlines()[-1].strip()
    return True


def live_goroutines(w: World) -> int:
    return sum(1 for g in w.gs if g.status != DONE)


def lock_waiters(m: Interpreter, w: World) -> tuple[str, ...]:
    if w.ended:
        return ()
    return tuple(f"G{g.gid}" for g in w.gs if g.status != DONE and type(m.instr_of(g)) in LOCK_OPS)


@dataclass(frozen=True, slots=True)
class Access:
    """One side of a race: goroutine `gid` is about to make this access.

    ``kind`` is ``var`` (a plain Load/Store of `ref`), ``wg`` (a WaitGroup
    Add from zero is a write, a Wait a read, as Go's -race models them) or
    ``chan`` (a close is a write, a send a read: runtime/chan.go, RD-5).
    ``parked``: a send that already made its read and is parked; ``woken_by``:
    a send whose read the goroutine that woke it never acquired (RD-5,
    ``World.unsynced``)."""

    gid: int
    write: bool
    kind: str
    obj: int
    ins: ir.Instr
    ref: ir.Ref | None = None
    slot_name: str = ""
    atomic: bool = False
    parked: bool = False
    woken_by: int = 0


def racing_accesses(m: Interpreter, w: World) -> tuple[Access, Access] | None:
    """Two conflicting accesses of different goroutines enabled together in
    `w`, or None: plain variables first, then WaitGroup Add/Wait, then
    channel send/close.  `races` and the race explanation both use it."""
    if w.ended:
        return None
    acc: list[Access] = []
    adds: list[Access] = []
    waits: list[Access] = []
    sends: list[Access] = []
    closes: list[Access] = []
    bins = (acc, adds, waits, sends, closes)
    known = m.race_cache
    for g in w.gs:
        mine = known.get(g)
        if mine is None:
            mine, alone = _accesses_of(m, w, g)
            if alone:
                if len(known) > 100_000:
                    known.clear()
                known[g] = mine
        for k, x in mine:
            bins[k].append(x)
    if w.unsynced:  # RD-5: reads the waker (about to close the channel) never acquired
        for b in closes:
            for c, reader, waker, rins in w.unsynced:
                if c == b.obj and waker == b.gid and reader != b.gid:
                    sends.append(Access(reader, False, "chan", c, rins, woken_by=waker))
    for i, a in enumerate(acc):
        for b in acc[i + 1:]:
            if a.ref == b.ref and (a.write or b.write) and a.gid != b.gid and not (a.atomic and b.atomic):
                return a, b
    for xs, ys in ((adds, waits), (sends, closes)):
        for a in xs:
            for b in ys:
                if a.obj == b.obj and a.gid != b.gid:
                    return a, b
    return None


def _accesses_of(m: Interpreter, w: World, g: Any) -> tuple[tuple[tuple[int, Access], ...], bool]:
    """The accesses `g`'s next step makes, as ``(bin, access)`` (bins: plain variables, WaitGroup
    Adds, Waits, channel sends, closes), and whether they depend on `g` alone (then
    `racing_accesses` keeps them per goroutine, ``Interpreter.race_cache``): not for a
    compare-and-swap, a positive Add, a slice or map access, or a close, which read the heap."""
    out: list[tuple[int, Access]] = []
    if g.status != RUN or g.wait:
        if g.status == WAIT and g.wait[:1] in (("chan send",), ("select",)):
            # RD-5: a parked send (plain or select case) read the channel before parking and
            # has released nothing since: that read stays unordered with any later close.
            fr = g.frames[-1]
            ins = m.funcs[fr.func].code[fr.pc]
            for o, _ in chan_accesses(w, ins, fr.slots):
                out.append((3, Access(g.gid, False, "chan", o, ins, parked=True)))
            return tuple(out), type(ins) is not ir.Close
        return (), True
    fr = g.frames[-1]
    fn = m.funcs[fr.func]
    ins = fn.code[fr.pc]
    op = type(ins)
    alone = True
    # `op` dispatch does not narrow `ins`: each branch casts it to the class it tested.
    if op is ir.Load or op is ir.Store:
        ptr = cast("ir.Load | ir.Store", ins).ptr
        ref = fr.slots[ptr]
        if isinstance(ref, ir.Ref):
            name = fn.slot_names[ptr] if ptr < len(fn.slot_names) else ""
            out.append((0, Access(g.gid, op is ir.Store, "var", ref.obj, ins, ref, name)))
    elif op is ir.AtomicOp:
        aop = cast(ir.AtomicOp, ins)
        ref = fr.slots[aop.ptr]
        alone = aop.operator != "cas"
        if isinstance(ref, ir.Ref) and ref.field is not None:
            name = fn.slot_names[aop.ptr] if aop.ptr < len(fn.slot_names) else ""
            out.append((0, Access(g.gid, atomic_writes(w, aop, fr.slots), "var", ref.obj, ins, ref, name, True)))
    elif op is ir.WgAdd:
        add = cast(ir.WgAdd, ins)
        if isinstance(fr.slots[add.wg], ir.Ref) and fr.slots[add.delta] > 0:  # an Add from zero writes
            alone = False
            o = fr.slots[add.wg].obj
            if w.heap[o].counter == 0:
                out.append((1, Access(g.gid, True, "wg", o, ins)))
    elif op is ir.WgWait:
        if isinstance(fr.slots[cast(ir.WgWait, ins).wg], ir.Ref):
            out.append((2, Access(g.gid, False, "wg", fr.slots[cast(ir.WgWait, ins).wg].obj, ins)))
    elif op is ir.CondSetL or op is ir.CondWait:  # c.L = l writes the field Wait reads
        cref = fr.slots[cast("ir.CondSetL | ir.CondWait", ins).cond]
        if isinstance(cref, ir.Ref):
            out.append((0, Access(g.gid, op is ir.CondSetL, "var", cref.obj, ins, ir.Ref(cref.obj, "L"), "L")))
    elif op in datatypes.RACE_OPS:  # slice elements and maps (models/datatypes.py)
        alone = False
        for kind, ref, write in datatypes.accesses(w, ins, fr.slots):
            out.append((0, Access(g.gid, write, kind, ref.obj, ins, ref)))
    else:
        alone = op is not ir.Close
        for o, is_close in chan_accesses(w, ins, fr.slots):
            out.append((4 if is_close else 3, Access(g.gid, is_close, "chan", o, ins)))
    return tuple(out), alone


def atomic_writes(w: World, ins: Any, slots: tuple[Any, ...]) -> bool:
    """Does this ``sync/atomic`` operation write?  A load reads; store, add
    and swap write; a compare-and-swap writes only when it succeeds (the race
    runtime's failed CAS is an atomic load, as in `models.memory.hb`)."""
    o = ins.operator
    if o == "load":
        return False
    if o != "cas":
        return True
    ref = slots[ins.ptr]
    old = dict(w.heap[ref.obj].fields).get(ref.field)
    a = slots[ins.a] if ins.a is not None else None
    return type(old) is type(a) and old == a


def _verb(x: Access) -> str:
    if x.atomic:
        return "atomically writes" if x.write else "atomically reads"
    return "writes" if x.write else "reads"


def races(m: Interpreter, w: World) -> bool | str:
    """True, or a description of two conflicting accesses enabled together."""
    pair = racing_accesses(m, w)
    if pair is None:
        return True
    a, b = pair
    names = object_names(m, w)
    if a.kind == "var":
        assert a.ref is not None  # a var access names its Ref
        name = var_name(m, w, a.ref, names, a.slot_name)
        tail = " (a plain access racing an atomic one is a data race)" if a.atomic or b.atomic else ""
        return (f"data race on {name}: G{a.gid} {_verb(a)} at {_at(m, a.ins)} and "
                f"G{b.gid} {_verb(b)} at {_at(m, b.ins)}{tail}")
    if a.kind == "map":
        return (f"data race on map {names.get(a.obj, '?')} ({datatypes.map_race_message(a.write, b.write)}): "
                f"G{a.gid} {'writes' if a.write else 'reads'} at {_at(m, a.ins)} and "
                f"G{b.gid} {'writes' if b.write else 'reads'} at {_at(m, b.ins)}")
    if a.kind == "wg":
        return (f"data race on WaitGroup {names.get(a.obj, '?')}: G{a.gid} Add at {_at(m, a.ins)} is not "
                f"synchronized with G{b.gid} Wait at {_at(m, b.ins)} (WaitGroup misuse: Add racing Wait)")
    if a.woken_by:
        what = "a send case of its select" if type(a.ins) is ir.Select else "its send"
        return (f"data race on channel {names.get(a.obj, '?')}: G{a.gid} read it in {what} at {_at(m, a.ins)}, "
                f"then G{b.gid} woke G{a.gid} without synchronizing (a hand-off through the buffer or a close "
                f"does not order the waker after the sender) and closes it at {_at(m, b.ins)} (a close must be "
                f"synchronized with every send)")
    return (f"data race on channel {names.get(a.obj, '?')}: G{a.gid} {_send_verb(a)} at {_at(m, a.ins)} and "
            f"G{b.gid} closes it at {_at(m, b.ins)} (a close must be synchronized with every send{_send_note(a)})")


def _send_verb(a: Access) -> str:
    """How the send side of a channel race reads (RD-5)."""
    if type(a.ins) is ir.Select:
        return "is parked in a select with a send case on it" if a.parked else "selects with a send case on it"
    return "is parked sending on it" if a.parked else "sends"


def _send_note(a: Access) -> str:
    if type(a.ins) is ir.Select:
        return ", and a select reads the channel of every send case it polls, whichever case it picks"
    return ""


def chan_accesses(w: World, ins: ir.Instr, slots: tuple[Any, ...]) -> list[tuple[int, bool]]:
    """The channel accesses Go's race detector sees in the step of `ins`, as
    ``(channel object, is_close)`` (RD-5).  ``chansend`` reads the channel
    (``racereadpc(c.raceaddr())``) before it looks at anything else, so every
    send reads it: blocking or not, to a closed channel or not.  ``closechan``
    writes it only when the close succeeds (a close of a closed channel panics
    before ``racewritepc``), so a close of a closed channel is no access.  A
    select's pass 1 (``selectgo``) reads the channel of each send case it
    polls, in a random poll order, before it checks whether the case can
    proceed: any of its send cases may be polled first, so every send case on
    a non-nil channel is a read whichever case fires (nil channels are left
    out of the poll order).  Receives, ``len`` and ``cap`` are not annotated
    (``raceaddr`` is ``&c.buf`` precisely so that ``len``/``cap`` do not race
    with close; a receive only acquires), so they never race with a close."""
    if type(ins) is ir.Close:
        c = slots[ins.ch]
        return [(c.obj, True)] if isinstance(c, ir.Ref) and not w.heap[c.obj].closed else []
    return [(o, False) for o in send_reads(ins, slots)]


def _at(m: Interpreter, ins: ir.Instr) -> str:
    line = ins.pos[0]
    return f"{m.program.where(line)} ({m.program.line(line)})"


# --------------------------------------------------------------------------- names and views


def object_names(m: Interpreter, w: World) -> dict[int, str]:
    """Go names for heap objects: package-level variables, then locals by slot name."""
    names: dict[int, str] = {}
    for name, o in m.global_obj.items():
        names.setdefault(o, name)
    todo: list[tuple[Any, str]] = []
    for g in w.gs:
        for fr in reversed(g.frames):
            fn = m.funcs[fr.func]
            for i, v in enumerate(fr.slots):
                n = fn.slot_names[i] if i < len(fn.slot_names) else ""
                if n and not n.startswith(("$", "%", "_")):
                    todo.append((v, n))
                elif isinstance(v, ir.Closure):
                    todo.append((v, ""))
    while todo:
        v, n = todo.pop(0)
        if isinstance(v, ir.Closure):
            cfn = m.funcs.get(v.func)
            for i, c in enumerate(v.captures):
                cn = cfn.slot_names[i] if cfn and i < len(cfn.slot_names) else ""
                if cn:
                    todo.append((c, cn))
            continue
        if isinstance(v, ir.Slice) and v.obj not in names and n:
            names[v.obj] = n  # a slice's backing array is named after the slice
            continue
        if not isinstance(v, ir.Ref) or v.obj in names or not n:
            continue
        names[v.obj] = n
        o = w.heap[v.obj]
        if isinstance(o, Data):
            for k, fv in o.fields:
                if isinstance(fv, ir.Ref):
                    todo.append((fv, f"{n}.{k}" if isinstance(k, str) else f"{n}[{k}]"))
        elif isinstance(o, Context):
            todo.append((ir.Ref(o.done), f"{n}.Done()"))
    return names


def var_name(m: Interpreter, w: World, ref: ir.Ref, names: dict[int, str], fallback: str = "") -> str:
    base = names.get(ref.obj) or fallback or f"object {ref.obj}"
    if ref.field is None or ref.field == 0 and isinstance(w.heap[ref.obj], Data) and len(w.heap[ref.obj].fields) == 1 \
            and w.heap[ref.obj].fields[0][0] == 0:
        return base
    if isinstance(ref.field, str):
        return base if ref.field == "v" and w.heap[ref.obj].type.startswith("atomic.") else f"{base}.{ref.field}"
    return f"{base}[{ref.field}]"


def describe_g(m: Interpreter, w: World, gid: int, names: dict[int, str]) -> str:
    """One goroutine for traces: ``"G2 main.go:14 chan send ch: ch <- v"``."""
    g = w.gs[gid - 1]
    if g.status == DONE:
        return f"G{gid} exited"
    ins = m.instr_of(g)
    line = ins.pos[0]
    src = m.program.line(line)
    if g.status == WAIT:
        what = g.wait[0]
        if what == "syscall":
            return f"G{gid} {m.program.where(line)} in system call {g.wait[1]}: {src}"
        if len(g.wait) > 1:
            arg = g.wait[1]
            objs = arg if isinstance(arg, tuple) else (arg,)
            what += " " + ", ".join(names.get(o, f"object {o}") for o in objs)
        return f"G{gid} {m.program.where(line)} {what}: {src}"
    notes = {"wg release": "will release the WaitGroup's waiters", "wg woken": "woken from WaitGroup.Wait"}
    state = notes.get(g.wait[0], "woken, will panic") if g.wait else "runnable"
    return f"G{gid} {m.program.where(line)} {state}: {src}"


def describe_obj(o: Any) -> Any:
    """A heap object as a trace shows it."""
    if isinstance(o, Data):
        if len(o.fields) == 1 and o.fields[0][0] in (0, "v"):
            return _plain(o.fields[0][1])
        return {str(k): _plain(v) for k, v in o.fields}
    if isinstance(o, Chan):
        s = "[" + ", ".join(fmt_value(v) for v in o.buf) + "]"
        if o.cap:
            s += f" cap {o.cap}"
        if o.closed:
            s += " closed"
        if o.recvq:
            s += " recvq " + " ".join(f"G{g}" for g, _ in o.recvq)
        if o.sendq:
            s += " sendq " + " ".join(f"G{g}" for g, _ in o.sendq)
        return s
    d = {k: getattr(o, k) for k in o.__dataclass_fields__}
    parts = []
    for k, v in d.items():
        if isinstance(v, tuple):
            if v:
                parts.append(f"{k}=" + " ".join(f"G{x}" for x in v))
        elif v not in (False, 0, None) or k == "counter":
            parts.append(f"{k}={fmt_value(v)}")
    return f"{type(o).__name__}(" + " ".join(parts) + ")"


def _plain(v: Any) -> Any:
    if isinstance(v, (ir.Ref, ir.Closure)):
        return repr(v)
    return v
