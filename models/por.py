"""Persistent sets and visibility for `GoModel` (partial-order reduction).

`persistent_set(model, w, acts)` computes a persistent set by goroutine
closure.  Starting from one runnable goroutine (each one is tried as the
seed; the smallest result wins), a set `T` of goroutines (and pending
timers) is closed under:

- a runnable member `h` contributes ``O_h``: the heap objects its next step
  may read or write: the instruction's operands (a Cond with its locker, a
  context with its done channel and its children), every object the step
  actually changes in `w`, the wait objects of goroutines it wakes, plus
  ``"stdout"`` for output and ``"alloc"`` when it allocates (heap ids are
  allocation order, so two allocating steps do not commute).  A step that
  spawns, exits main, panics, fails a test, enters a system call or works
  a pipe touches ``"world"``, which everybody conflicts with: no reduction.
- a blocked member contributes the objects it waits on (whoever touches
  them may enable it); a sleeping member brings its timer.
- a goroutine `k` joins when what it *may touch in the future* meets the
  contributions: every object reachable from its frames, defers and
  closures (through struct fields, channel buffers, closures, contexts,
  cond lockers), the package-level variables any function it may run
  references (and what they reach), ``"stdout"``/``"alloc"`` if such a
  function prints/allocates.  Objects of one multi-channel ``select`` wait
  are one unit (completing one case dequeues the waiter from all of them).
- a pending timer joins when its firing's effect meets the contributions
  (or it is a member's sleep); it then contributes that effect.
- with ``runtime.timers: ordered`` in force (`models.timeorder`), setting a
  timer (``time.Sleep``, ``time.After``, like the other timer calls) touches
  "world", and a state with a timer held back by another is not reduced
  (whoever fires or stops the holder releases it).

Reachability is computed on the current state: a goroutine only comes to
reach an object through an action of someone who already reaches it (or
who is blocked handing it over, in which case the waiter's objects are in
`T`), and fresh objects are nobody else's.  Environment events (system
calls, netpoll) are not reduced: their presence means full expansion.

`visible(model, w, a, t)` says whether a transition may change what the
checked safety properties observe (C2): live goroutines, panic, end,
failure, output, and (with ``race_free``) the race atoms: a goroutine
stepping from, to or woken at a plain Load/Store or a WaitGroup Add/Wait.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from models import datatypes, ir
from models.props import racing_accesses
from models.state import DONE, RUN, WAIT, Chan, Cond, Context, Data, Mutex, WaitGroup, World

if TYPE_CHECKING:
    from models.gomodel import GoModel

__all__ = ["persistent_set", "visible", "static_info"]

WORLD, STDOUT, ALLOC, SPAWN = "world", "stdout", "alloc", "spawn"

_WORLD_OPS = (ir.Panic, ir.Goexit, ir.Return, ir.Syscall, ir.PipeRead, ir.PipeWrite, ir.PipeClose,
              ir.TimerMake, ir.TimerStop, ir.WithDeadline, ir.Exit, ir.Choose, ir.CopySync, ir.NumGoroutine)
#: With ``runtime.timers: ordered`` (`models.timeorder`) setting a timer does not commute with
#: another: the later one may be held back by the earlier.
_TIMER_OPS = (ir.Sleep, ir.After)
_ALLOC_OPS = (ir.New, ir.MakeChan, ir.MakeCond, ir.After, ir.WithCancel, ir.PipeMake) + datatypes.ALLOC_OPS
_RACE_OPS = (ir.WgWait, ir.Send, ir.Close, ir.Select) + datatypes.RACE_OPS
#: Operand fields holding the object an instruction works on.
_OPERANDS: dict[type, tuple[str, ...]] = {
    ir.Load: ("ptr",), ir.Store: ("ptr",), ir.AtomicOp: ("ptr",), ir.Send: ("ch",), ir.Recv: ("ch",),
    ir.Close: ("ch",), ir.LenOf: ("ch",), ir.Lock: ("m",), ir.Unlock: ("m",), ir.TryLock: ("m",),
    ir.RLock: ("m",), ir.RUnlock: ("m",), ir.WgAdd: ("wg",), ir.WgWait: ("wg",), ir.OnceBegin: ("once",),
    ir.OnceEnd: ("once",), ir.CondWait: ("cond",), ir.CondRelock: ("cond",), ir.CondSignal: ("cond",),
    ir.WithCancel: ("parent",), ir.Cancel: ("ctx",), ir.CtxErr: ("ctx",),
    # slices and maps (models/datatypes.py): the arrays and maps they read or write
    ir.Append: ("s", "spread"), ir.Copy: ("to", "frm"), ir.MapIndex: ("m",), ir.MapWriting: ("m",), ir.MapStore: ("m",),
    ir.MapDelete: ("m",), ir.MapLen: ("m",), ir.MapKeys: ("m",), ir.SliceValues: ("s",),
    # sync.Map (models/syncmap.py) and a Cond's L
    ir.SyncMap: ("m",), ir.CondSetL: ("cond",),
}


# --------------------------------------------------------------------------- static facts per function


def static_info(m: Any) -> dict[str, tuple[frozenset[int], bool, bool, bool, bool, bool]]:
    """Per function: (global objects it may reference, may print, may allocate,
    may spawn a goroutine, may ``Wait`` on a WaitGroup, may ``Add`` to one),
    transitively through static calls, ``go``/``defer`` targets and closures made."""
    info = getattr(m, "_por_static", None)
    if info is not None:
        return info
    direct: dict[str, tuple[set[int], tuple[bool, ...], set[str]]] = {}
    for name, fn in m.funcs.items():
        gl: set[int] = set()
        callees: set[str] = set()
        prints = allocs = spawns = waits = adds = False
        for ins in fn.code:
            op = type(ins)
            if op is ir.Addr:
                gl.add(m.global_obj[ins.name])
            elif op in (ir.Call, ir.Go, ir.Defer) and ins.func is not None:
                callees.add(ins.func)
            elif op is ir.MakeClosure:
                callees.add(ins.func)
            elif op is ir.Print:
                prints = True
            if op in _ALLOC_OPS:
                allocs = True
            if op is ir.Go:
                spawns = True
            waits = waits or op is ir.WgWait
            adds = adds or op is ir.WgAdd
        direct[name] = (gl, (prints, allocs, spawns, waits, adds), callees)
    out: dict[str, tuple[frozenset[int], bool, bool, bool, bool, bool]] = {}
    for name in direct:
        seen, todo = {name}, [name]
        gl = set()
        flags = [False] * 5
        while todo:
            d = direct.get(todo.pop())
            if d is None:
                continue
            gl |= d[0]
            flags = [x or y for x, y in zip(flags, d[1])]
            for c in d[2] - seen:
                seen.add(c)
                todo.append(c)
        out[name] = (frozenset(gl), flags[0], flags[1], flags[2], flags[3], flags[4])
    m._por_static = out
    return out


#: Instruction fields that are never slots read: destinations, jump targets, constants.
_NOT_READ = frozenset({"dst", "dsts", "target", "then", "orelse", "dst_r", "dst_w", "dst_n", "dst_err", "value", "pos"})


def _reads(ins: ir.Instr) -> set[int]:
    """Slots an instruction may read (over-approximated: any int operand that may be a slot)."""
    out: set[int] = set()
    if type(ins) is ir.Select:
        for c in ins.cases:
            out.update(x for x in (c.ch, c.val) if isinstance(x, int))
        return out
    for name, v in ins.operands():
        if name in _NOT_READ or (name == "ok" and type(ins) is ir.Recv):
            continue
        if isinstance(v, int):
            out.add(v)
        elif isinstance(v, tuple):
            out.update(x for x in v if isinstance(x, int))
    return out


#: The instructions `_reads` and `future_reads` know the operands and jumps of.  A new
#: instruction makes `future_reads` answer "every slot is live" for its functions until
#: it is added here (dead-variable reset and the POR footprint both rely on this analysis).
_KNOWN = frozenset({
    "Const", "Move", "UnOp", "BinOp", "Jump", "Branch", "Call", "Return", "Defer", "MakeClosure", "New", "Addr",
    "FieldAddr", "FieldObj", "MakeChan", "MakeCond", "CondLocker", "CapOf", "Background", "CtxDone", "Nop",
    "Load", "Store", "AtomicOp", "Go", "Send", "Recv", "Close", "LenOf", "Select", "Lock", "Unlock", "TryLock",
    "RLock", "RUnlock", "WgAdd", "WgWait", "OnceBegin", "OnceEnd", "CondWait", "CondRelock", "CondSignal",
    "Sleep", "After", "WithCancel", "Cancel", "CtxErr", "Gosched", "Goexit", "Print", "Panic", "Syscall",
    "PipeMake", "PipeRead", "PipeWrite", "PipeClose",
    # data types (models/datatypes.py) and the library: plain operands, no jumps of their own
    "Append", "Choose", "Copy", "CopySync", "CtxValue", "Exit", "Format", "IfaceMethod", "IndexAddr", "InitStore",
    "MakeIface", "MakeMap", "MakeSlice", "MapDelete", "MapIndex", "MapKeys", "MapLen", "MapStore", "MapWriting",
    "Recover", "Reslice", "SliceLen", "SliceLit", "TimerMake", "TimerStop", "TupleGet", "TypeAssert",
    "WithDeadline", "WithValue",
    # strings, sync.Map, runtime.NumGoroutine, c.L = l (issue 12)
    "StrOp", "SliceValues", "SliceOfTuple", "SyncMap", "NumGoroutine", "CondSetL",
    # the recovery epilogue's marker: control reaches what follows it from any pc (see future_reads)
    "RecoverReturn", "RunDefers"})


def future_reads(m: Any, fname: str) -> list[frozenset[int]]:
    """Per pc of `fname`: the slots that any instruction reachable from pc may read."""
    cache = m.__dict__.setdefault("_por_reads", {})
    got = cache.get(fname)
    if got is not None:
        return got
    fn = m.funcs[fname]
    code = fn.code
    if any(type(ins).__name__ not in _KNOWN for ins in code):
        # an instruction this analysis was not written for (its reads or its jumps may be
        # unlike anything here): every slot is live everywhere in the function
        got = cache[fname] = [frozenset(range(fn.nslots))] * len(code)
        return got
    own = [_reads(ins) for ins in code]
    succ: list[tuple[int, ...]] = []
    for pc, ins in enumerate(code):
        op = type(ins)
        if op is ir.Jump:
            succ.append((ins.target,))
        elif op is ir.Branch:
            succ.append((ins.then, ins.orelse))
        elif op in (ir.Return, ir.Panic, ir.Goexit):
            succ.append(())
        else:
            succ.append((pc + 1,) if pc + 1 < len(code) else ())
    reads = [set(r) for r in own]
    changed = True
    while changed:
        changed = False
        for pc in range(len(code) - 1, -1, -1):
            r = reads[pc]
            n = len(r)
            for q in succ[pc]:
                r |= reads[q]
            if len(r) != n:
                changed = True
    marker = next((pc for pc, ins in enumerate(code) if type(ins) is ir.RecoverReturn), None)
    if marker is not None and marker + 1 < len(code):
        # a recovered panic resumes the frame at its recovery epilogue (after the marker) from
        # wherever the panic happened: what the epilogue reads is live at every pc
        epilogue = reads[marker + 1]
        for r in reads:
            r |= epilogue
    got = cache[fname] = [frozenset(r) for r in reads]
    return got


_INF = float("inf")
_WAITS = "waits"


def _succ(code: tuple[ir.Instr, ...], pc: int) -> tuple[int, ...]:
    ins = code[pc]
    if isinstance(ins, ir.Jump):
        return (ins.target,)
    if isinstance(ins, ir.Branch):
        return (ins.then, ins.orelse)
    if isinstance(ins, (ir.Return, ir.Panic, ir.Goexit)):
        return ()
    return (pc + 1,) if pc + 1 < len(code) else ()


def _region(m: Any, fname: str, starts: tuple[int, ...]) -> tuple[bool, list[str | None], bool]:
    """The code of `fname` reachable from `starts`: (has a loop, functions it calls or
    defers (None: a closure value), has a WgAdd of its own)."""
    cache = m.__dict__.setdefault("_por_region", {})
    key = (fname, starts)
    got = cache.get(key)
    if got is not None:
        return got
    code = m.funcs[fname].code
    seen: set[int] = set()
    todo = list(starts)
    loop = direct = False
    callees: list[str | None] = []
    while todo:
        pc = todo.pop()
        if pc in seen:
            continue
        seen.add(pc)
        ins = code[pc]
        op = type(ins)
        if op is ir.WgAdd:
            direct = True
        elif op in (ir.Call, ir.Defer):
            callees.append(ins.func)
        nxt = _succ(code, pc)
        if any(q <= pc for q in nxt):
            loop = True
        todo.extend(nxt)
    got = cache[key] = (loop, callees, direct)
    return got


def _func_budget(m: Any, static: dict[str, Any], f: str | None) -> tuple[float, bool]:
    """At most how much one call of `f` subtracts from WaitGroup counters, and
    whether it may add: (0, False) if it never Adds; for a ``Done``-shaped body (one
    ``Add(k)`` of a constant, no branch, call or loop) (max(0, -k), k > 0); else
    (infinity, True).  A closure value (None) is unknown: if any function of the
    program Adds, (infinity, True)."""
    if f is None:
        return (_INF, True) if any(v[5] for v in static.values()) else (0.0, False)
    info = static.get(f)
    if info is None:
        return _INF, True
    if not info[5]:
        return 0.0, False
    code = m.funcs[f].code
    adds = [ins for ins in code if type(ins) is ir.WgAdd]
    if len(adds) != 1 or any(type(ins) in (ir.Jump, ir.Branch, ir.Call, ir.Defer, ir.Go) for ins in code):
        return _INF, True
    consts = [ins for ins in code if type(ins) is ir.Const and ins.dst == adds[0].delta]
    if len(consts) != 1 or not isinstance(consts[0].value, int) or isinstance(consts[0].value, bool):
        return _INF, True
    k = consts[0].value
    return float(max(0, -k)), k > 0


# --------------------------------------------------------------------------- reachability


def _refs_of(x: Any) -> Any:
    """What `_reach` looks at inside heap object `x` (the values that may lead on to
    other objects or closures), or None for objects it does not look into."""
    if isinstance(x, Data):
        return tuple(v for _, v in x.fields if type(v) not in (int, str, float, type(None), bool))
    if isinstance(x, Chan):
        return tuple(v for v in x.buf if not isinstance(v, (int, str, float, type(None))))
    if isinstance(x, Context):
        return (x.done, x.children, x.parent)
    if isinstance(x, Cond):
        return (x.locker,)
    return None


def _reach(w: World, roots: list[Any], funcs: set[str]) -> set[Any]:
    """Objects reachable from the values `roots`; functions of closures met go into `funcs`."""
    objs: set[Any] = set()
    todo = list(roots)
    heap = w.heap
    while todo:
        v = todo.pop()
        if isinstance(v, ir.Ref):
            o = v.obj
            if o in objs:
                continue
            objs.add(o)
            x = heap[o]
            if isinstance(x, Data):
                todo.extend(fv for _, fv in x.fields)
            elif isinstance(x, Chan):
                todo.extend(x.buf)
            elif isinstance(x, Context):
                todo.append(ir.Ref(x.done))
                todo.extend(ir.Ref(c) for c in x.children)
                if x.parent is not None:
                    todo.append(ir.Ref(x.parent))
            elif isinstance(x, Cond):
                todo.append(x.locker)
            elif isinstance(x, datatypes.MapObj):
                todo.extend(x.entries)
        elif isinstance(v, ir.Slice):
            todo.append(ir.Ref(v.obj))
        elif isinstance(v, ir.Iface):
            todo.append(v.value)
        elif isinstance(v, ir.WrappedError):
            todo.append(v.wrapped)
        elif isinstance(v, ir.Closure):
            funcs.add(v.func)
            todo.extend(v.captures)
        elif isinstance(v, tuple):
            todo.extend(v)
    return objs


def _wait_objs(g: Any) -> tuple[int, ...]:
    if g.status != WAIT or len(g.wait) < 2:
        return ()
    x = g.wait[1]
    if isinstance(x, tuple):
        return tuple(o for o in x if isinstance(o, int))
    return (x,) if isinstance(x, int) else ()


class _Ctx:
    """What one state's persistent-set computation shares between seeds."""

    def __init__(self, model: GoModel, w: World):
        self.model, self.m, self.w = model, model.interp, w
        self.static = static_info(self.m)
        self.unit: dict[int, frozenset[int]] = {}  # select-wait units
        for g in w.gs:
            objs = _wait_objs(g)
            if len(objs) > 1:
                u = frozenset(objs).union(*(self.unit.get(o, ()) for o in objs))
                for o in u:
                    self.unit[o] = u
        self.succ: dict[Any, World] = {}
        self.wgs = {i for i, x in enumerate(w.heap) if type(x) is WaitGroup}
        self._budget: dict[int, tuple[float, bool]] = {}
        self._stuck: dict[int, int | None] = {}
        self._race: dict[int, bool] = {}
        self._touch: dict[int, set[Any]] = {}
        self._eff: dict[Any, set[Any]] = {}

    def expand(self, objs: set[Any]) -> set[Any]:
        out = set(objs)
        for o in objs:
            u = self.unit.get(o)
            if u:
                out |= u
        return out

    def touches(self, gid: int) -> set[Any]:
        """Everything goroutine `gid` may touch from now on (over-approximated)."""
        t = self._touch.get(gid)
        if t is not None:
            return t
        g = self.w.gs[gid - 1]
        # across states: keyed by the goroutine (frames and all) and valid while the heap
        # objects its reachability walk looked into are unchanged
        cache = self.model.__dict__.setdefault("_por_touch", {})
        hit = cache.get(g)
        heap = self.w.heap
        if hit is not None and all(heap[o] is x or _refs_of(heap[o]) == r for o, x, r in hit[0]):
            t = hit[1]
        else:
            t = self._touches(g)
            if len(cache) > 50_000:
                cache.clear()
            deps = []
            for o in t:
                if type(o) is int:
                    x = heap[o]
                    r = _refs_of(x)
                    if r is not None:
                        deps.append((o, x, r))
            cache[g] = (tuple(deps), t)
        if self.unit:
            t = self.expand(t)
        wgs = [o for o in t if type(o) is int and o in self.wgs]
        if wgs:
            if _WAITS in t or SPAWN in t or _wait_objs(g):
                t = t | {(k, o) for o in wgs for k in ("a", "w")}
            else:  # WG-1: only Add/Done from now on (see `add_only`)
                t = (t - set(wgs)) | {("a", o) for o in wgs}
        self._touch[gid] = t
        return t

    def _touches(self, g: Any) -> set[Any]:
        """`touches` computed afresh: reachability from the live slots, defers and globals."""
        funcs: set[str] = set()
        roots: list[Any] = []
        for fr in g.frames:
            funcs.add(fr.func)
            n = len(fr.slots)
            roots.extend(fr.slots[i] for i in future_reads(self.m, fr.func)[fr.pc] if 0 <= i < n)
            for fname, clo, args in fr.defers:
                if fname is not None:
                    funcs.add(fname)
                roots.append(clo)
                roots.extend(args)
        objs = _reach(self.w, roots, funcs)
        seen: set[str] = set()
        extra: set[Any] = {WORLD}
        while funcs - seen:  # globals reached by new functions may hold closures
            new = funcs - seen
            seen |= new
            groots: list[Any] = []
            for f in new:
                gl, pr, al, sp, wt, _ = self.static.get(f, (frozenset(), True, True, True, True, True))
                if wt:
                    extra.add(_WAITS)
                groots.extend(ir.Ref(o) for o in gl)
                if pr:
                    extra.add(STDOUT)
                if al:
                    extra.add(ALLOC)
                if sp:
                    extra.add(SPAWN)
            objs |= _reach(self.w, groots, funcs)
        return objs | set(_wait_objs(g)) | extra

    def racy(self, x: World) -> bool:
        """Whether `x` has two racing accesses (`models.props.racing_accesses`), cached."""
        r = self._race.get(id(x))
        if r is None:
            r = self._race[id(x)] = racing_accesses(self.m, x) is not None
        return r

    def stuck_on(self, k: int) -> int | None:
        """The locked sync.Mutex that goroutine `k` is about to Lock or is parked
        on (MU-2: it cannot get past it before someone unlocks it), or None."""
        if k in self._stuck:
            return self._stuck[k]
        o = self._stuck[k] = self._stuck_on(k)
        return o

    def _stuck_on(self, k: int) -> int | None:
        g = self.w.gs[k - 1]
        if g.status == WAIT:
            if g.wait[:1] == ("sync.Mutex.Lock",):
                o = g.wait[1]
                return o if type(self.w.heap[o]) is Mutex and self.w.heap[o].locked else None
            return None
        if g.status != RUN or g.wait or not g.frames:
            return None
        fr = g.frames[-1]
        ins = self.m.funcs[fr.func].code[fr.pc]
        if type(ins) is not ir.Lock:
            return None
        ref = fr.slots[ins.m]
        if not isinstance(ref, ir.Ref):
            return None
        x = self.w.heap[ref.obj]
        return ref.obj if type(x) is Mutex and x.locked else None

    def unlockable(self, T: set[int], live: list[int], free: set[int]) -> set[int]:
        """Mutexes assumed to stay locked that a goroutine outside `T`, not itself
        stuck on them, may touch (and so unlock: Go lets any goroutine unlock)."""
        stuck = {k: self.stuck_on(k) for k in live if k not in T}
        held = {o for o in stuck.values() if o is not None and o not in free}
        bad: set[int] = set()
        for k in live:
            if k in T or not held:
                continue
            for o in held & self.touches(k):
                if stuck[k] != o:
                    bad.add(o)
        return bad

    def joins(self, k: int, O: set[Any], free: set[int] = frozenset()) -> bool:  # type: ignore[assignment]
        """Goroutine `k` may touch what the members' steps touch.  A goroutine parked
        in WaitGroup.Wait ignores add-only steps on that WaitGroup: `add_only` admits
        them with waiters only when the steps outside the set cannot bring the
        counter to zero, so nothing outside can wake it.  A goroutine stuck on a
        locked Mutex (`stuck_on`, not in `free`) can only park on it while nobody
        outside the set unlocks it (`unlockable` checks that): it touches the mutex only."""
        o = self.stuck_on(k)
        if o is not None and o not in free:
            return o in O
        t = self.touches(k)
        g = self.w.gs[k - 1]
        if g.status == WAIT and g.wait[:1] == ("sync.WaitGroup.Wait",):
            t = t - {("w", g.wait[1])}
        return not t.isdisjoint(O)

    def full(self, objs: set[Any]) -> set[Any]:
        """Effect tokens of plain accesses: a WaitGroup access meets every toucher of it."""
        return objs | {(k, o) for o in objs if type(o) is int and o in self.wgs for k in ("a", "w")}

    def budget(self, gid: int) -> tuple[float, bool]:
        """An upper bound on what goroutine `gid` may still subtract from WaitGroup
        counters (Done = Add(-1)), or infinity when its code does not let us bound it
        (the deferred calls still pending, plus ``Done``-shaped calls on loop-free
        code), and whether it may still add a positive delta."""
        b = self._budget.get(gid)
        if b is not None:
            return b
        g = self.w.gs[gid - 1]
        m = self.m
        total, inc = 0.0, False

        def call(f: str | None, loop: bool) -> None:
            nonlocal total, inc
            dec, up = _func_budget(m, self.static, f)
            total += _INF if (dec or up) and loop else dec
            inc = inc or up

        for idx, fr in enumerate(g.frames):
            code = m.funcs[fr.func].code
            if idx == len(g.frames) - 1:
                ins = code[fr.pc]
                if type(ins) is ir.WgAdd:
                    d = fr.slots[ins.delta]
                    if not isinstance(d, int):
                        total = _INF
                    else:
                        total += max(0, -d)
                        inc = inc or d > 0
            loop, callees, direct = _region(m, fr.func, _succ(code, fr.pc))
            if direct:
                total = _INF
            for f in callees:
                call(f, loop)
            for fname, clo, _args in fr.defers:
                call(fname if fname is not None else getattr(clo, "func", None), False)
        self._budget[gid] = (total, inc)
        return total, inc

    def add_only(self, gid: int, ins: Any, slots: tuple[Any, ...], e: set[Any]) -> set[Any] | None:
        """The effect of `gid`'s WgAdd as an add-only token, when it commutes with every
        Add/Done of the goroutines outside the persistent set (WG-1): nobody waits on the
        WaitGroup (so no Add wakes anyone, and nobody who may Wait is outside: they touch
        it plainly), and the counter cannot go negative in either order: the counter, less
        this step's decrement, covers every decrement the other add-only touchers may still make."""
        ref = slots[ins.wg]
        if not isinstance(ref, ir.Ref):
            return None
        o = ref.obj
        if e - {o}:
            return None
        wg = self.w.heap[o]
        d = slots[ins.delta]
        if not isinstance(d, int) or isinstance(d, bool) or (wg.waiters and d >= 0):
            return None
        left = wg.counter + min(d, 0)
        for h in self.w.gs:
            if h.gid != gid and h.status != DONE and ("a", o) in self.touches(h.gid) and o not in self.touches(h.gid):
                dec, inc = self.budget(h.gid)
                left -= dec
                if left < 0 or (wg.waiters and inc):
                    return None
        return {("w", o)}

    def step(self, a: Any) -> World:
        t = self.succ.get(a)
        if t is None:
            t = self.succ[a] = self.model.sched.successor(self.w, a)
        return t

    def effect(self, acts: list[Any], ops: set[Any]) -> set[Any]:
        """What the transitions `acts` (one goroutine's, or one timer) touch, plus `ops`."""
        w = self.w
        out = set(ops)
        for a in acts:
            t = self.step(a)
            if t.ended != w.ended or t.panic != w.panic or t.failed != w.failed or t.main_done != w.main_done:
                out.add(WORLD)
            if len(t.gs) != len(w.gs):
                out.add(SPAWN)
            if len(t.heap) != len(w.heap):
                out.add(ALLOC)
            if t.output != w.output:
                out.add(STDOUT)
            for i, (x, y) in enumerate(zip(w.heap, t.heap)):
                if x is not y and x != y:
                    out.add(i)
            for g0, g1 in zip(w.gs, t.gs):
                if g0 is not g1 and g0.status == WAIT:
                    out.update(_wait_objs(g0))
        return self.expand(out)

    def runnable_effect(self, gid: int, acts: list[Any]) -> set[Any]:
        e = self._eff.get(gid)
        if e is None:
            g = self.w.gs[gid - 1]
            ins = self.m.instr_of(g)
            op = type(ins)
            if op in _WORLD_OPS or (op in _TIMER_OPS and self.m.timer_order):
                e = {WORLD}
            else:
                slots = g.frames[-1].slots
                vals = [slots[x] for x in (getattr(ins, f) for f in _OPERANDS.get(op, ())) if x is not None]
                if isinstance(ins, ir.Select):
                    vals = [slots[c.ch] for c in ins.cases]
                ops = _reach_operands(self.w, vals)
                if op is ir.Print:
                    ops.add(STDOUT)
                e = self.effect(acts, ops)
                a = self.add_only(gid, ins, slots, e) if op is ir.WgAdd else None
                e = a if a is not None else self.full(e)
            self._eff[gid] = e
        return e


def _reach_operands(w: World, vals: list[Any]) -> set[Any]:
    """Operand objects with what an operation on them also reads or writes:
    a Cond's locker, a context's done channel and (transitively) children."""
    out: set[Any] = set()
    todo = [v.obj for v in vals if isinstance(v, (ir.Ref, ir.Slice))]
    while todo:
        o = todo.pop()
        if o in out:
            continue
        out.add(o)
        x = w.heap[o]
        lk = x.locker.value if isinstance(x, Cond) and isinstance(x.locker, ir.Iface) else \
            x.locker if isinstance(x, Cond) else None
        if isinstance(lk, ir.Ref):
            todo.append(lk.obj)
        elif isinstance(x, Context):
            todo.append(x.done)
            todo.extend(x.children)
    return out


# --------------------------------------------------------------------------- the hooks


def persistent_set(model: GoModel, w: World, acts: list[Any]) -> list[int] | None:
    """Indices into `acts` of a persistent set of `w`, or None (expand fully)."""
    if any(a[0] == "env" for a in acts):
        return None
    if any(g.status == WAIT and g.wait[:1] in (("syscall",), ("IO wait",)) for g in w.gs):
        return None
    if any(e[4] for e in w.tinfo):
        return None  # a held-back timer may be released by steps outside any candidate set
    by_g: dict[int, list[int]] = {}
    timers: dict[tuple[str, int], int] = {}
    for k, a in enumerate(acts):
        if a[0] == "timer":
            timers[(a[1], a[2])] = k
        else:
            by_g.setdefault(a[1], []).append(k)
    if len(by_g) + len(timers) < 2:
        return None
    cx = _Ctx(model, w)
    model._por_cache = (w, cx.succ)
    model.__dict__["_por_cx"] = cx
    live = [g.gid for g in w.gs if g.status != DONE]
    # the smallest candidate whose transitions are all invisible (C2 is the engine's; checking it
    # here lets a visible seed give way to an invisible one instead of forcing full expansion)
    best: list[int] | None = None
    for seed in sorted(by_g, key=lambda x: len(by_g[x])):
        if best is not None and len(by_g[seed]) >= len(best):
            continue
        got = _closure(cx, seed, by_g, timers, live, acts)
        if got is None or len(got) >= len(acts) or (best is not None and len(got) >= len(best)):
            continue
        if not any(_visible(model, cx, w, acts[k], cx.step(acts[k])) for k in got):
            best = got
    return best


def _closure(cx: _Ctx, seed: int, by_g: dict[int, list[int]], timers: dict[tuple[str, int], int],
             live: list[int], acts: list[Any]) -> list[int] | None:
    """The persistent set grown from `seed`, first assuming that every goroutine
    stuck on a locked Mutex (`_Ctx.stuck_on`) stays stuck outside it; a mutex
    for which that fails (someone outside the set may unlock it) is dropped
    from the assumption and the closure is computed again."""
    free: set[int] = set()
    while True:
        got = _closure_once(cx, seed, by_g, timers, live, acts, free)
        if got is None:
            return None
        T, tin = got
        bad = cx.unlockable(T, live, free)
        if not bad:
            break
        free |= bad
    if len(T) == len(live):
        return None
    out = [k for h in T for k in by_g.get(h, ())] + [timers[tm] for tm in tin]
    return sorted(out)


def _closure_once(cx: _Ctx, seed: int, by_g: dict[int, list[int]], timers: dict[tuple[str, int], int],
                  live: list[int], acts: list[Any], free: set[int]) -> tuple[set[int], set[tuple[str, int]]] | None:
    T = {seed}
    todo = [seed]
    tin: set[tuple[str, int]] = set()
    O: set[Any] = set()
    w = cx.w
    while True:
        while todo:
            h = todo.pop()
            g = w.gs[h - 1]
            if g.status == RUN:
                O |= cx.runnable_effect(h, [acts[k] for k in by_g.get(h, ())])
            else:
                O |= cx.full(cx.expand(set(_wait_objs(g))))
            if WORLD in O:
                return None
        grew = False
        for k in live:
            if k not in T and cx.joins(k, O, free):
                T.add(k)
                todo.append(k)
                grew = True
        for tm, k in timers.items():
            if tm in tin:
                continue
            eff = cx.full(cx.effect([acts[k]], {tm[1]} if tm[0] == "after" else set()))
            if (tm[0] == "sleep" and tm[1] in T) or not (eff - {WORLD}).isdisjoint(O):
                tin.add(tm)
                O |= eff
                if WORLD in O:
                    return None
                grew = True
        if not grew and not todo:
            break
    return T, tin


def visible(model: GoModel, w: World, a: Any, t: World) -> bool:
    """May ``w -a-> t`` change an atomic proposition of a checked safety property?

    Always visible: the program's end, a panic, a failed test, main's
    return, output.  With ``max_goroutines``: a goroutine starting or
    exiting.  With ``race_free``: the step changes the race atom (DESIGN 7:
    two goroutines' next accesses conflict), ``races(w) != races(t)``.
    docs/reductions.md argues why this edge-wise check suffices here: the
    persistent set holds every goroutine that may ever touch an object the
    ample steps touch, so a race that a deferred path reaches is either
    already present in `w` or left untouched by the ample step.
    """
    return _visible(model, None, w, a, t)


def _visible(model: GoModel, cx: _Ctx | None, w: World, a: Any, t: World) -> bool:
    if (t.panic != w.panic or t.ended != w.ended or t.failed != w.failed or t.main_done != w.main_done
            or t.output != w.output):
        return True
    if model.por_observes_live and (len(t.gs) != len(w.gs) or sum(g.status != DONE for g in t.gs)
                                    != sum(g.status != DONE for g in w.gs)):
        return True
    if not model.por_observes_races:
        return False
    if cx is None:
        c = model.__dict__.get("_por_cx")
        cx = c if c is not None and c.w is w else None
    if cx is None:
        m = model.interp
        return (racing_accesses(m, w) is None) != (racing_accesses(m, t) is None)
    return cx.racy(w) != cx.racy(t)


__all__ += ["SPAWN"]
