"""Per-goroutine straight-line event lists from an IR program, for the axiomatic model.

Each goroutine's code is executed on its own, with loops unrolled to a bound
and every shared read *forked* over the values it could possibly see: the
least fixpoint of "initial values, and every value some path writes".
Starting from the zero values is what rules out out-of-thin-air values
(MM-22, L12): a value enters a read's domain only when some write computes
it from values already justified.  Each event also records the reads its
value and its control flow depend on, for the causality check.

A goroutine's path is a tuple of `MEvent`; a *combination* chooses one path
per goroutine (the children a path spawns depend on the path).  Paths that
panic, block forever or exceed the unrolling bound do not reach a final
state and are dropped (the latter counted in ``Paths.cut``); a loop
iteration that only re-read the values of the previous one is a stutter,
dropped without loss (removing a read-only iteration keeps an execution
consistent and its final values).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from itertools import product
from typing import Any, cast

from models import ir

__all__ = ["Combination", "MEvent", "Paths", "Unsupported", "torn"]

SYNC_KINDS = frozenset({"start", "go", "atomic_read", "atomic_write", "atomic_rmw", "send", "send_ack", "recv",
                        "close", "recv_closed", "lock", "unlock", "rlock", "runlock", "wg_add",
                        "wg_wait_return", "once_first", "once_done", "once_return"})


class Unsupported(Exception):
    """The program uses a construct the axiomatic model does not encode."""


@dataclass(frozen=True, slots=True)
class MEvent:
    """One event of a goroutine path: kind (the `hb` vocabulary, plus
    ``send_ack`` for the completion of a send and ``once_first`` for the
    Do that runs f), location or object, concrete value, Go line, name,
    the indices of this goroutine's reads it depends on, and ``arg``
    (channel capacity, Add delta, child key, or an rmw's written value)."""

    kind: str
    loc: Hashable
    value: Any = None
    line: int = 0
    name: str = ""
    deps: frozenset[int] = frozenset()
    arg: Any = None

    @property
    def sync(self) -> bool:
        return self.kind in SYNC_KINDS

    @property
    def reads(self) -> bool:
        return self.kind in ("read", "atomic_read", "atomic_rmw")

    @property
    def writes(self) -> bool:
        return self.kind in ("write", "atomic_write", "atomic_rmw")

    @property
    def written(self) -> Any:
        return self.arg if self.kind == "atomic_rmw" else self.value


def torn(p: str, n: int) -> str:
    """A string read whose pointer word came from string `p` and length word
    from a string of length `n` (MM-23); bytes past `p` read as ``?``."""
    return p[:n] if n <= len(p) else p + "?" * (n - len(p))


@dataclass(frozen=True, slots=True)
class GPath:
    key: tuple[int, ...]
    events: tuple[MEvent, ...]
    spawns: tuple[tuple[tuple[int, ...], str, tuple[Any, ...], tuple[Any, ...]], ...]


#: One candidate execution's goroutines: (key, events) with main first.
Combination = tuple[tuple[tuple[int, ...], tuple[MEvent, ...]], ...]


@dataclass
class _Frame:
    func: ir.Function
    pc: int
    slots: list[Any]
    taint: list[frozenset[int]]
    defers: list[tuple[str, tuple[Any, ...], tuple[Any, ...]]] = field(default_factory=list)
    is_defer: bool = False

    def copy(self) -> _Frame:
        return _Frame(self.func, self.pc, list(self.slots), list(self.taint), list(self.defers), self.is_defer)


@dataclass
class _Thread:
    key: tuple[int, ...]
    frames: list[_Frame]
    events: list[MEvent] = field(default_factory=list)
    control: frozenset[int] = frozenset()
    spawns: list[Any] = field(default_factory=list)
    loops: dict[Any, tuple[Any, int, int]] = field(default_factory=dict)
    allocs: int = 0

    def copy(self) -> _Thread:
        return _Thread(self.key, [f.copy() for f in self.frames], list(self.events), self.control,
                       list(self.spawns), dict(self.loops), self.allocs)


_NOPS = (ir.Nop, ir.Print, ir.Gosched, ir.Sleep)


class Paths:
    """The goroutine paths of `program`, with value domains at their fixpoint."""

    def __init__(self, program: ir.Program, unroll: int = 3, max_rounds: int = 8, max_paths: int = 20_000):
        self.program = program
        self.unroll = unroll
        self.max_paths = max_paths
        self.globals = {g.name: i for i, g in enumerate(program.globals)}
        self.zero: dict[Hashable, Any] = {}
        self.boxes: dict[tuple[int, Any], ir.Ref] = {}
        self.chan_cap: dict[int, int] = {}
        self.names: dict[int, str] = {}
        self.domain: dict[Hashable, set[Any]] = {}
        self.closable: set[int] = set()
        self.cut = 0
        self.converged = False
        self._next_obj = len(program.globals)
        self._objs: dict[tuple[tuple[int, ...], int], int] = {}
        for i, g in enumerate(program.globals):
            self.names[i] = g.name
            self._init_object(i, g.type)
        for _ in range(max_rounds):
            before = {k: set(v) for k, v in self.domain.items()}, set(self.closable)
            self._memo: dict[Any, list[GPath]] = {}
            self._dropped: list[Any] = []
            self.cut = 0
            self.combos: list[Combination] = list(self._combos((1,), program.start, (), ()))
            while self._dropped:  # children of dropped paths still contribute values
                self._thread_paths(*self._dropped.pop())
            if ({k: set(v) for k, v in self.domain.items()}, set(self.closable)) == before:
                self.converged = True
                break

    # ------------------------------------------------------------------ memory layout

    def _init_object(self, obj: int, t: ir.Type) -> None:
        if not t.is_object:
            self._set_zero((obj, 0), t.zero())
        elif t.kind == "struct":
            for fname, ft in t.fields:
                if ft.is_object:
                    sub = self._fresh_obj(None)
                    self.names[sub] = f"{self.names.get(obj, f'obj{obj}')}.{fname}"
                    self.boxes[(obj, fname)] = ir.Ref(sub)
                    self._init_object(sub, ft)
                else:
                    self._set_zero((obj, fname), ft.zero())
        elif t.kind == "array" and t.elem is not None:
            for i in range(t.length):
                if t.elem.is_object:
                    raise Unsupported("arrays of objects")
                self._set_zero((obj, i), t.elem.zero())
        elif t.kind.startswith("atomic."):
            z: Any = False if t.kind == "atomic.Bool" else (None if t.kind == "atomic.Value" else 0)
            for f in ("v", 0, None):
                self._set_zero((obj, f), z)

    def _set_zero(self, loc: Hashable, z: Any) -> None:
        self.zero[loc] = z
        if isinstance(z, str):
            self.domain.setdefault((loc, "p"), set()).add(z)
            self.domain.setdefault((loc, "n"), set()).add(len(z))
        else:
            self.domain.setdefault(loc, set()).add(z)

    def _fresh_obj(self, site: tuple[tuple[int, ...], int] | None) -> int:
        if site is not None and site in self._objs:
            return self._objs[site]
        obj = self._next_obj
        self._next_obj += 1
        if site is not None:
            self._objs[site] = obj
        return obj

    def name_of(self, loc: Hashable) -> str:
        obj, f = cast(tuple[int, Any], loc)
        base = self.names.get(obj, f"obj{obj}")
        return base if f in (0, None) else f"{base}.{f}" if isinstance(f, str) else f"{base}[{f}]"

    def is_string(self, loc: Hashable) -> bool:
        return isinstance(self.zero.get(loc), str)

    def words(self, loc: Hashable) -> tuple[Hashable, ...]:
        """The machine words of a location: two for a string (MM-23), else one."""
        return ((loc, "p"), (loc, "n")) if self.is_string(loc) else (loc,)

    # ------------------------------------------------------------------ combinations

    def _combos(self, key: tuple[int, ...], func: str, caps: tuple[Any, ...], args: tuple[Any, ...]) -> Iterator[Combination]:
        for path in self._thread_paths(key, func, caps, args):
            kids = [list(self._combos(k, f, c, a)) for (k, f, c, a) in path.spawns]
            for sub in product(*kids):
                yield ((key, path.events),) + tuple(x for s in sub for x in s)

    def _thread_paths(self, key: tuple[int, ...], func: str, caps: tuple[Any, ...], args: tuple[Any, ...]) -> list[GPath]:
        mk = (key, func, caps, args)
        if mk not in self._memo:
            self._memo[mk] = []
            fn = self._func(func)
            t = _Thread(key, [self._frame(fn, caps, args)])
            if key != (1,):
                t.events.append(MEvent("start", None, line=fn.pos[0]))
            out: list[GPath] = []
            self._run(t, out)
            self._memo[mk] = out
        return self._memo[mk]

    def _func(self, name: str) -> ir.Function:
        if name not in self.program.functions:
            raise Unsupported(f"call of {name}")
        return self.program.functions[name]

    def _frame(self, fn: ir.Function, caps: tuple[Any, ...], args: tuple[Any, ...]) -> _Frame:
        slots: list[Any] = [None] * fn.nslots
        slots[:len(caps)] = caps
        slots[fn.ncaptures:fn.ncaptures + len(args)] = args
        return _Frame(fn, 0, slots, [frozenset()] * fn.nslots)

    # ------------------------------------------------------------------ execution

    def _run(self, t: _Thread, out: list[GPath]) -> None:
        """Run `t` to the end, forking at reads; append finished paths to `out`."""
        while True:
            if len(out) > self.max_paths:
                raise Unsupported(f"more than {self.max_paths} paths in one goroutine")
            f = t.frames[-1]
            ins = f.func.code[f.pc]
            forks = self._step(t, f, ins)
            if forks is None:
                continue
            if forks == "done":
                out.append(GPath(t.key, tuple(t.events), tuple(t.spawns)))
                return
            if not forks:
                self._dropped.extend(t.spawns)
            for apply in forks:
                t2 = t.copy()
                if apply(t2, t2.frames[-1]):
                    self._run(t2, out)
            return

    def _step(self, t: _Thread, f: _Frame, ins: ir.Instr) -> Any:
        s, tt = f.slots, f.taint
        line = ins.pos[0]
        if isinstance(ins, ir.Const):
            s[ins.dst], tt[ins.dst] = ins.value, frozenset()
        elif isinstance(ins, ir.Move):
            s[ins.dst], tt[ins.dst] = s[ins.src], tt[ins.src]
        elif isinstance(ins, ir.UnOp):
            a = s[ins.a]
            s[ins.dst] = (not a) if ins.operator == "!" else _wrap(-a if ins.operator == "-" else ~a)
            tt[ins.dst] = tt[ins.a]
        elif isinstance(ins, ir.BinOp):
            s[ins.dst], tt[ins.dst] = _binop(ins.operator, s[ins.a], s[ins.b]), tt[ins.a] | tt[ins.b]
        elif isinstance(ins, ir.Jump):
            if ins.back and not self._loop(t, f):
                return []
            f.pc = ins.target
            return None
        elif isinstance(ins, ir.Branch):
            t.control = t.control | tt[ins.cond]
            f.pc = ins.then if s[ins.cond] else ins.orelse
            return None
        elif isinstance(ins, ir.Call):
            func, caps = self._callee(ins.func, ins.fslot, s)
            t.frames.append(self._frame(self._func(func), caps, tuple(s[a] for a in ins.args)))
            t.frames[-1].taint[:] = [frozenset()] * len(t.frames[-1].slots)
            for i, a in enumerate(ins.args):
                t.frames[-1].taint[t.frames[-1].func.ncaptures + i] = tt[a]
            return None
        elif isinstance(ins, ir.Return):
            return self._return(t, f, ins)
        elif isinstance(ins, ir.RunDefers):
            if f.defers:  # the deferred call returns here (is_defer: pc stays)
                self._run_deferred(t, f)
                return None
        elif isinstance(ins, ir.Defer):
            func, caps = self._callee(ins.func, ins.fslot, s)
            f.defers.append((func, caps, tuple(s[a] for a in ins.args)))
        elif isinstance(ins, ir.MakeClosure):
            s[ins.dst] = ir.Closure(ins.func, tuple(s[c] for c in ins.captures))
        elif isinstance(ins, ir.New):
            obj = self._fresh_obj((t.key, t.allocs))
            t.allocs += 1
            self.names.setdefault(obj, f"new({ins.type})@{line}")
            self._init_object(obj, ins.type)
            s[ins.dst] = ir.Ref(obj) if ins.type.is_object else ir.Ref(obj, 0)
        elif isinstance(ins, ir.Addr):
            i = self.globals[ins.name]
            s[ins.dst] = ir.Ref(i) if self.program.globals[i].type.is_object else ir.Ref(i, 0)
        elif isinstance(ins, ir.FieldAddr):
            base = s[ins.base]
            if base is None:
                return []  # nil dereference: panics
            s[ins.dst] = ir.Ref(base.obj, ins.field if ins.index is None else s[ins.index])
            tt[ins.dst] = tt[ins.base] | (tt[ins.index] if ins.index is not None else frozenset())
        elif isinstance(ins, ir.FieldObj):
            if s[ins.base] is None:
                return []
            s[ins.dst] = self.boxes[(s[ins.base].obj, ins.field)]
        elif isinstance(ins, ir.MakeChan):
            obj = self._fresh_obj((t.key, t.allocs))
            t.allocs += 1
            self.chan_cap[obj] = s[ins.cap] if ins.cap is not None else 0
            self.names.setdefault(obj, f"chan@{line}")
            s[ins.dst] = ir.Ref(obj)
        elif isinstance(ins, ir.CapOf):
            s[ins.dst] = self.chan_cap.get(s[ins.ch].obj, 0) if s[ins.ch] is not None else 0
        elif isinstance(ins, _NOPS):
            pass
        elif isinstance(ins, ir.Panic):
            return []
        elif isinstance(ins, ir.Go):
            func, caps = self._callee(ins.func, ins.fslot, s)
            child = t.key + (len(t.spawns),)
            t.spawns.append((child, func, caps, tuple(s[a] for a in ins.args)))
            t.events.append(MEvent("go", None, line=line, arg=child))
        else:
            return self._visible(t, f, ins, line)
        f.pc += 1
        return None

    def _callee(self, func: str | None, fslot: int | None, s: list[Any]) -> tuple[str, tuple[Any, ...]]:
        if func is not None:
            return func, ()
        c = s[fslot] if fslot is not None else None
        if not isinstance(c, ir.Closure):
            raise Unsupported("call of a nil or non-closure func value")
        return c.func, c.captures

    def _run_deferred(self, t: _Thread, f: _Frame) -> None:
        """Start `f`'s last deferred call (its caller's pc stays where it is)."""
        func, caps, args = f.defers.pop()
        fr = self._frame(self._func(func), caps, args)
        fr.is_defer = True
        t.frames.append(fr)

    def _return(self, t: _Thread, f: _Frame, ins: ir.Return) -> Any:
        if f.defers:
            self._run_deferred(t, f)
            return None
        t.frames.pop()
        if not t.frames:
            return "done"
        caller = t.frames[-1]
        if not f.is_defer:
            call = caller.func.code[caller.pc]
            assert isinstance(call, ir.Call)
            for d, src in zip(call.dsts, ins.srcs):
                caller.slots[d], caller.taint[d] = f.slots[src], f.taint[src]
            caller.pc += 1
        return None

    def _loop(self, t: _Thread, f: _Frame) -> bool:
        """At a backward jump: False to drop the path (stutter, or the bound)."""
        key = (len(t.frames), f.func.name, f.pc)
        snap = tuple(tuple(fr.slots) for fr in t.frames)
        prev = t.loops.get(key)
        if prev is not None:
            psnap, pn, count = prev
            if psnap == snap and all(e.kind in ("read", "atomic_read") for e in t.events[pn:]):
                return False
            if count >= self.unroll:
                self.cut += 1
                return False
        t.loops[key] = (snap, len(t.events), (prev[2] if prev else 0) + 1)
        return True

    def _dom(self, loc: Hashable) -> list[Any]:
        return sorted(self.domain.setdefault(loc, set()), key=repr)

    def _visible(self, t: _Thread, f: _Frame, ins: ir.Instr, line: int) -> Any:
        s, tt = f.slots, f.taint
        dep = t.control

        def ev(kind: str, loc: Hashable, value: Any = None, deps: frozenset[int] = frozenset(), arg: Any = None,
               name: str | None = None) -> int:
            t.events.append(MEvent(kind, loc, value, line, self.name_of(loc) if name is None else name, deps, arg))
            return len(t.events) - 1

        def then(fn: Any) -> Any:
            def apply(t2: _Thread, f2: _Frame) -> bool:
                ok = fn(t2, f2)
                f2.pc += 1
                return ok is not False
            return apply

        if isinstance(ins, (ir.Load, ir.Store, ir.InitStore, ir.AtomicOp)):
            ref = s[ins.ptr]
            if ref is None:
                return []
            loc = (ref.obj, ref.field)
            adep = tt[ins.ptr]
        if isinstance(ins, (ir.Store, ir.InitStore)):  # an InitStore (a private object's init) is a write too
            v, d = s[ins.src], tt[ins.src] | dep | adep
            for w, wv in zip(self.words(loc), (v, len(v)) if self.is_string(loc) else (v,)):
                self.domain.setdefault(w, set()).add(wv)
                ev("write", w, wv, d, name=self.name_of(loc))
            f.pc += 1
            return None
        if isinstance(ins, ir.Load):
            words = self.words(loc)

            def load(vals: tuple[Any, ...]) -> Any:
                def fn(t2: _Thread, f2: _Frame) -> None:
                    idx = frozenset(ev_on(t2, "read", w, v, adep) for w, v in zip(words, vals))
                    f2.slots[ins.dst] = torn(*vals) if len(vals) == 2 else vals[0]
                    f2.taint[ins.dst] = idx | adep
                return then(fn)

            def ev_on(t2: _Thread, kind: str, w: Hashable, v: Any, d: frozenset[int]) -> int:
                t2.events.append(MEvent(kind, w, v, line, self.name_of(loc), d | t2.control))
                return len(t2.events) - 1
            return [load(vals) for vals in product(*(self._dom(w) for w in words))]
        if isinstance(ins, ir.AtomicOp):
            op = ins.operator
            if self.is_string(loc):
                raise Unsupported("atomic.Value of strings")
            if op == "store":
                assert ins.a is not None  # a store has an operand (ir.AtomicOp)
                v = s[ins.a]
                self.domain.setdefault(loc, set()).add(v)
                ev("atomic_write", loc, v, tt[ins.a] | dep | adep)
                f.pc += 1
                return None

            def atomic(old: Any) -> Any:
                def fn(t2: _Thread, f2: _Frame) -> None:
                    a = f2.slots[ins.a] if ins.a is not None else None
                    b = f2.slots[ins.b] if ins.b is not None else None
                    da = (f2.taint[ins.a] if ins.a is not None else frozenset()) | (f2.taint[ins.b] if ins.b is not None else frozenset())
                    i = len(t2.events)
                    dd = frozenset({i}) | t2.control | adep
                    if op == "load" or (op == "cas" and old != a):
                        t2.events.append(MEvent("atomic_read", loc, old, line, self.name_of(loc), t2.control | adep))
                        res = old if op == "load" else False
                    else:
                        new = {"add": lambda: _wrap(old + a), "swap": lambda: a, "cas": lambda: b}[op]()
                        self.domain.setdefault(loc, set()).add(new)
                        t2.events.append(MEvent("atomic_rmw", loc, old, line, self.name_of(loc), dd | da, new))
                        res = {"add": new, "swap": old, "cas": True}[op]
                    if ins.dst is not None:
                        f2.slots[ins.dst], f2.taint[ins.dst] = res, dd | da
                return then(fn)
            if op not in ("load", "add", "swap", "cas"):
                raise Unsupported(f"atomic {op}")
            return [atomic(old) for old in self._dom(loc)]
        if isinstance(ins, ir.Send):
            ch = s[ins.ch]
            if ch is None:
                return []
            cap, key = self.chan_cap[ch.obj], ("chan", ch.obj)
            self.domain.setdefault(key, set()).add(s[ins.src])
            ev("send", ch.obj, s[ins.src], tt[ins.src] | dep, cap, self.names[ch.obj])
            ev("send_ack", ch.obj, None, dep, cap, self.names[ch.obj])
            f.pc += 1
            return None
        if isinstance(ins, ir.Recv):
            ch = s[ins.ch]
            if ch is None:
                return []
            cap, nm = self.chan_cap[ch.obj], self.names[ch.obj]

            def recv(v: Any, ok: bool) -> Any:
                def fn(t2: _Thread, f2: _Frame) -> None:
                    i = len(t2.events)
                    t2.events.append(MEvent("recv" if ok else "recv_closed", ch.obj, v, line, nm, t2.control, cap))
                    for d, val in ((ins.dst, v), (ins.ok, ok)):
                        if d is not None:
                            f2.slots[d], f2.taint[d] = val, frozenset({i})
                return then(fn)
            forks = [recv(v, True) for v in self._dom(("chan", ch.obj))]
            if ch.obj in self.closable:
                forks.append(recv(ins.zero, False))
            return forks
        if isinstance(ins, ir.Close):
            ch = s[ins.ch]
            if ch is None:
                return []
            self.closable.add(ch.obj)
            ev("close", ch.obj, None, dep, name=self.names[ch.obj])
        elif isinstance(ins, (ir.Lock, ir.Unlock, ir.RLock, ir.RUnlock)):
            m = s[ins.m]
            ev(type(ins).__name__.lower(), m.obj, None, dep, name=self.names.get(m.obj, ""))
        elif isinstance(ins, ir.TryLock):
            m = s[ins.m]

            def trylock(ok: bool) -> Any:
                def fn(t2: _Thread, f2: _Frame) -> None:
                    if ok:
                        t2.events.append(MEvent("lock", m.obj, None, line, self.names.get(m.obj, ""), t2.control))
                    f2.slots[ins.dst] = ok
                return then(fn)
            return [trylock(True), trylock(False)]
        elif isinstance(ins, ir.WgAdd):
            delta = s[ins.delta]  # the frontend passes the delta in a slot
            ev("wg_add", s[ins.wg].obj, None, dep, delta, self.names.get(s[ins.wg].obj, ""))
        elif isinstance(ins, ir.WgWait):
            ev("wg_wait_return", s[ins.wg].obj, None, dep, name=self.names.get(s[ins.wg].obj, ""))
        elif isinstance(ins, ir.OnceBegin):
            o = s[ins.once]

            def once(first: bool) -> Any:
                def fn(t2: _Thread, f2: _Frame) -> None:
                    t2.events.append(MEvent("once_first" if first else "once_return", o.obj, None, line,
                                            self.names.get(o.obj, ""), t2.control))
                    f2.slots[ins.dst] = first
                return then(fn)
            return [once(True), once(False)]
        elif isinstance(ins, ir.OnceEnd):
            ev("once_done", s[ins.once].obj, None, dep, name=self.names.get(s[ins.once].obj, ""))
        else:
            raise Unsupported(f"{ins.op} at line {line}")
        f.pc += 1
        return None


def _wrap(v: int) -> int:
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >= 1 << 63 else v


def _binop(op: str, a: Any, b: Any) -> Any:
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op in ("<", "<=", ">", ">="):
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    if isinstance(a, str):
        return a + b
    if op in ("/", "%"):
        if b == 0:
            raise Unsupported("integer divide by zero")
        q = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
        return _wrap(q if op == "/" else a - b * q)
    return _wrap({"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "&": lambda: a & b,
                  "|": lambda: a | b, "^": lambda: a ^ b, "&^": lambda: a & ~b, "<<": lambda: a << b,
                  ">>": lambda: a >> b}[op]())
