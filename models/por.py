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

from models import ir
from models.state import DONE, RUN, WAIT, Chan, Cond, Context, Data, World

if TYPE_CHECKING:
    from models.gomodel import GoModel

__all__ = ["persistent_set", "visible", "static_info"]

WORLD, STDOUT, ALLOC = "world", "stdout", "alloc"

_WORLD_OPS = (ir.Go, ir.Panic, ir.Goexit, ir.Return, ir.Syscall, ir.PipeRead, ir.PipeWrite, ir.PipeClose)
_ALLOC_OPS = (ir.New, ir.MakeChan, ir.MakeCond, ir.After, ir.WithCancel, ir.PipeMake)
_RACE_OPS = (ir.Load, ir.Store, ir.WgAdd, ir.WgWait, ir.Send, ir.Close, ir.Select)
#: Operand fields holding the object an instruction works on.
_OPERANDS: dict[type, tuple[str, ...]] = {
    ir.Load: ("ptr",), ir.Store: ("ptr",), ir.AtomicOp: ("ptr",), ir.Send: ("ch",), ir.Recv: ("ch",),
    ir.Close: ("ch",), ir.LenOf: ("ch",), ir.Lock: ("m",), ir.Unlock: ("m",), ir.TryLock: ("m",),
    ir.RLock: ("m",), ir.RUnlock: ("m",), ir.WgAdd: ("wg",), ir.WgWait: ("wg",), ir.OnceBegin: ("once",),
    ir.OnceEnd: ("once",), ir.CondWait: ("cond",), ir.CondRelock: ("cond",), ir.CondSignal: ("cond",),
    ir.WithCancel: ("parent",), ir.Cancel: ("ctx",), ir.CtxErr: ("ctx",),
}


# --------------------------------------------------------------------------- static facts per function


def static_info(m: Any) -> dict[str, tuple[frozenset[int], bool, bool]]:
    """Per function: (global objects it may reference, may print, may allocate),
    transitively through static calls, ``go``/``defer`` targets and closures made."""
    info = getattr(m, "_por_static", None)
    if info is not None:
        return info
    direct: dict[str, tuple[set[int], bool, bool, set[str]]] = {}
    for name, fn in m.funcs.items():
        gl: set[int] = set()
        callees: set[str] = set()
        prints = allocs = False
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
        direct[name] = (gl, prints, allocs, callees)
    out: dict[str, tuple[frozenset[int], bool, bool]] = {}
    for name in direct:
        seen, todo = {name}, [name]
        gl, pr, al = set(), False, False
        while todo:
            d = direct.get(todo.pop())
            if d is None:
                continue
            gl |= d[0]
            pr, al = pr or d[1], al or d[2]
            for c in d[3] - seen:
                seen.add(c)
                todo.append(c)
        out[name] = (frozenset(gl), pr, al)
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


def future_reads(m: Any, fname: str) -> list[frozenset[int]]:
    """Per pc of `fname`: the slots that any instruction reachable from pc may read."""
    cache = m.__dict__.setdefault("_por_reads", {})
    got = cache.get(fname)
    if got is not None:
        return got
    code = m.funcs[fname].code
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
    got = cache[fname] = [frozenset(r) for r in reads]
    return got


# --------------------------------------------------------------------------- reachability


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
        if t is None:
            g = self.w.gs[gid - 1]
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
                    gl, pr, al = self.static.get(f, (frozenset(), True, True))
                    groots.extend(ir.Ref(o) for o in gl)
                    if pr:
                        extra.add(STDOUT)
                    if al:
                        extra.add(ALLOC)
                objs |= _reach(self.w, groots, funcs)
            t = self.expand(objs | set(_wait_objs(g))) | extra
            self._touch[gid] = t
        return t

    def step(self, a: Any) -> World:
        t = self.succ.get(a)
        if t is None:
            t = self.succ[a] = self.model.sched.next(self.w, a).world
        return t

    def effect(self, acts: list[Any], ops: set[Any]) -> set[Any]:
        """What the transitions `acts` (one goroutine's, or one timer) touch, plus `ops`."""
        w = self.w
        out = set(ops)
        for a in acts:
            t = self.step(a)
            if (t.ended != w.ended or t.panic != w.panic or t.failed != w.failed or t.main_done != w.main_done
                    or len(t.gs) != len(w.gs)):
                out.add(WORLD)
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
            if op in _WORLD_OPS:
                e = {WORLD}
            else:
                slots = g.frames[-1].slots
                vals = [slots[getattr(ins, f)] for f in _OPERANDS.get(op, ())]
                if op is ir.Select:
                    vals = [slots[c.ch] for c in ins.cases]
                ops = _reach_operands(self.w, vals)
                if op is ir.Print:
                    ops.add(STDOUT)
                e = self.effect(acts, ops)
            self._eff[gid] = e
        return e


def _reach_operands(w: World, vals: list[Any]) -> set[Any]:
    """Operand objects with what an operation on them also reads or writes:
    a Cond's locker, a context's done channel and (transitively) children."""
    out: set[Any] = set()
    todo = [v.obj for v in vals if isinstance(v, ir.Ref)]
    while todo:
        o = todo.pop()
        if o in out:
            continue
        out.add(o)
        x = w.heap[o]
        if isinstance(x, Cond) and isinstance(x.locker, ir.Ref):
            todo.append(x.locker.obj)
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
    live = [g.gid for g in w.gs if g.status != DONE]
    best: list[int] | None = None
    for seed in sorted(by_g, key=lambda x: len(by_g[x])):
        if best is not None and len(by_g[seed]) >= len(best):
            continue
        got = _closure(cx, seed, by_g, timers, live, acts)
        if got is not None and len(got) < len(acts) and (best is None or len(got) < len(best)):
            best = got
    return best


def _closure(cx: _Ctx, seed: int, by_g: dict[int, list[int]], timers: dict[tuple[str, int], int],
             live: list[int], acts: list[Any]) -> list[int] | None:
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
                O |= cx.expand(set(_wait_objs(g)))
            if WORLD in O:
                return None
        grew = False
        for k in live:
            if k not in T and not cx.touches(k).isdisjoint(O):
                T.add(k)
                todo.append(k)
                grew = True
        for tm, k in timers.items():
            if tm in tin:
                continue
            eff = cx.effect([acts[k]], {tm[1]} if tm[0] == "after" else set())
            if (tm[0] == "sleep" and tm[1] in T) or not (eff - {WORLD}).isdisjoint(O):
                tin.add(tm)
                O |= eff
                if WORLD in O:
                    return None
                grew = True
        if not grew and not todo:
            break
    if len(T) == len(live):
        return None
    out = [k for h in T for k in by_g.get(h, ())] + [timers[tm] for tm in tin]
    return sorted(out)


def visible(model: GoModel, w: World, a: Any, t: World) -> bool:
    """May ``w -a-> t`` change an atomic proposition of a checked safety property?"""
    if (t.panic != w.panic or t.ended != w.ended or t.failed != w.failed or t.main_done != w.main_done
            or t.output != w.output or len(t.gs) != len(w.gs)):
        return True
    if sum(g.status != DONE for g in t.gs) != sum(g.status != DONE for g in w.gs):
        return True
    if not model.por_observes_races:
        return False
    m = model.interp
    me = a[1] if a[0] in ("step", "select") else 0
    if me and type(m.instr_of(w.gs[me - 1])) in _RACE_OPS:
        return True
    for g0, g1 in zip(w.gs, t.gs):
        if g0 is not g1 and g1.status == RUN and g1.frames and type(m.instr_of(g1)) in _RACE_OPS:
            return True
    return False

