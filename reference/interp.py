"""The IR interpreter: runs one goroutine on the current M until it parks,
yields, exits or the program dies.  Implements every instruction of
``models.ir`` as its docstring says.

A handler either completes the instruction and moves ``pc`` itself, or
returns a generator (a blocking operation, see ``reference.objects``) whose
completion advances ``pc`` by one.  Visible instructions are checked against
the controlled-mode token first and produce one event each.
"""

from __future__ import annotations

import time
from typing import Any

from models import ir

from . import library as lib
from . import objects as o
from . import syncprims as sp
from .sched import G_DEAD, G_RUNNING, G_WAITING
from .values import Shown, _binop, fmt_value, format_print, sprintf, wrap

PARKED, YIELD_GLOBAL, YIELD_LOCAL, EXITED, STOPPED, DIED = range(6)


class Frame:
    """One activation: function, pc, slots, defer stack, caller's result slots."""

    __slots__ = ("fn", "code", "pc", "s", "defers", "dsts", "returning", "retvals", "unwinding")

    def __init__(self, fn: ir.Function, values: tuple, dsts: tuple):
        self.fn = fn
        self.code = fn.code
        self.pc = 0
        s = [None] * fn.nslots
        s[: len(values)] = values
        self.s = s
        self.defers: list = []
        self.dsts = dsts
        self.returning = False
        self.retvals: list = []
        self.unwinding = False  # returning because of a panic or Goexit (not a Return)


def _nil() -> o.GoPanic:
    return o.GoPanic("invalid memory address or nil pointer dereference", True,
                     "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x0]")


class Interp:
    """Executes goroutines of one program for a `Runtime` (`rt`)."""

    def __init__(self, rt: Any):
        self.rt = rt
        self.funcs = rt.program.functions
        self.natives = rt.natives
        self.table: dict = {}
        self.map_writer: dict[int, int] = {}  # map object -> goroutine inside a write (hashWriting)
        for name, cls in ir.INSTRUCTIONS.items():
            h = getattr(self, "i_" + name)
            self.table[cls] = (h, 2 if cls is ir.Jump else int(cls.VISIBLE))

    # ------------------------------------------------------------ driving

    def run(self, g: Any) -> int:
        """Run `g` until it stops; return PARKED/YIELD_*/EXITED/STOPPED/DIED."""
        while True:
            try:
                return self._loop(g)
            except o.GoPanic as e:
                r = self._begin_unwind(g, e)
                if r is not None:
                    return r
            except o.GoFatal as e:
                self.rt.fatal(e.msg, g)
                return DIED

    def _loop(self, g: Any) -> int:
        rt = self.rt
        ctl = rt.ctl
        table = self.table
        if g.cont is not None:
            r = self._drive(g, g.cont, g.cont_fr, g.cont_ins, True)
            if r is not None:
                return r
        while True:
            if g.preempt:
                g.preempt = False
                g.preempted = True
                return DIED if rt.dead else YIELD_GLOBAL
            frames = g.frames
            if not frames:
                return EXITED
            fr = frames[-1]
            if fr.returning:
                r = self._ret(g)
                if r is not None:
                    return r
                continue
            ins = fr.code[fr.pc]
            h, vis = table[ins.__class__]
            if vis == 0 or (vis == 2 and not ins.back):
                res = h(g, fr, ins)
                if res is not None:
                    if res.__class__ is int:
                        return res
                    r = self._drive(g, res, fr, ins, False)
                    if r is not None:
                        return r
                continue
            if ctl is not None:
                wait = ctl.before_visible(g)
                if wait is not None:
                    r = self._drive(g, wait, None, None, False)
                    if r is not None:
                        return r
                    continue
            g.logged = False
            res = h(g, fr, ins)
            if res is not None:
                if res.__class__ is int:
                    return res
                r = self._drive(g, res, fr, ins, False)
                if r is not None:
                    return r
            elif not g.logged and rt.record:
                rt.ev(g, ins)

    def _drive(self, g: Any, gen: Any, fr: Any, ins: Any, resumed: bool) -> int | None:
        """Advance a blocking operation; None when it completed (pc moved on)."""
        try:
            req = gen.send(None)
        except StopIteration as stop:
            g.cont = g.cont_fr = g.cont_ins = None
            if fr is not None:
                fr.pc += 1
                res = stop.value
                if res is not None and res.__class__ is tuple and res and res[0] == "results":
                    for d, v in zip(res[1], res[2]):
                        if d is not None:
                            fr.s[d] = v
                if ins.VISIBLE and not g.logged and self.rt.record:
                    self.rt.ev(g, ins)
            return None
        except BaseException:
            g.cont = g.cont_fr = g.cont_ins = None
            raise
        g.cont, g.cont_fr, g.cont_ins = gen, fr, ins
        kind = req[0]
        if kind == o.PARK:
            g.status = G_WAITING
            g.since = time.monotonic_ns()
            g.waitreason = req[1]
            g.unlockf = req[2]
            return PARKED
        if kind == o.YIELD_LOCAL:
            return YIELD_LOCAL
        if kind == "stop":
            return STOPPED
        if kind == "yield_global":
            return YIELD_GLOBAL
        raise AssertionError(f"unknown park request {req!r}")

    # ------------------------------------------------------------ calls and returns

    def push_call(self, g: Any, name: str, captures: tuple, args: tuple, dsts: tuple) -> Any:
        """Push a frame for `name`, or start a native call; returns a generator for natives."""
        fn = self.funcs.get(name)
        if fn is None:
            nat = self.natives.get(name)
            if nat is None:
                raise o.GoFatal(f"reference: call of unknown function {name!r}")
            return self._native(g, nat, captures + args, dsts)
        g.frames.append(Frame(fn, captures + args, dsts))
        return None

    def _native(self, g: Any, nat: Any, args: tuple, dsts: tuple):
        res = yield from nat(self.rt, g, args)
        return ("results", dsts, tuple(res or ()))

    def _callee(self, fr: Frame, func: str | None, fslot: int | None) -> tuple[str, tuple]:
        if func is not None:
            return func, ()
        assert fslot is not None  # a call names a function or a closure slot
        c = fr.s[fslot]
        if c is None:
            raise _nil()
        return c.func, c.captures

    def _ret(self, g: Any) -> int | None:
        """Continue returning from the top frame: next deferred call, or pop."""
        fr = g.frames[-1]
        while fr.defers:
            name, caps, args = fr.defers.pop()
            res = self.push_call(g, name, caps, args, ())
            if res is None:
                return None
            r = self._drive(g, res, None, None, False)
            if r is not None:
                return r
        g.frames.pop()
        if not g.frames:
            g.eline = fr.code[min(fr.pc, len(fr.code) - 1)].pos[0] if fr.code else 0
            if g.panicking:
                self.rt.panic_exit(g)
                return DIED
            return EXITED
        caller = g.frames[-1]
        if caller is g.recovered:  # the deferred call that recovered returned: resume normally
            g.recovered = None
            caller.returning = caller.unwinding = False
            caller.pc = next(i + 1 for i, x in enumerate(caller.code) if x.__class__ is ir.RecoverReturn)
        elif (g.panicking or g.goexiting) and fr.unwinding:
            caller.returning = caller.unwinding = True
        elif not caller.returning:
            for d, v in zip(fr.dsts, fr.retvals):
                if d is not None:
                    caller.s[d] = v
        return None

    def _begin_unwind(self, g: Any, e: o.GoPanic) -> int | None:
        """A panic: run every frame's deferred calls, then die (exit 2)."""
        if self.rt.dead:
            return DIED
        g.panicking.append(e)
        if len(g.panicking) == 1:
            g.param = self.rt._frames(g)  # the stack at the panic, for the traceback
        if not g.frames:
            self.rt.panic_exit(g)
            return DIED
        g.frames[-1].returning = True
        g.frames[-1].unwinding = True
        return None

    # ------------------------------------------------------------ local instructions

    def i_Const(self, g, fr, ins):
        fr.s[ins.dst] = ins.value
        fr.pc += 1

    def i_Move(self, g, fr, ins):
        fr.s[ins.dst] = fr.s[ins.src]
        fr.pc += 1

    def i_UnOp(self, g, fr, ins):
        a = fr.s[ins.a]
        op = ins.operator
        fr.s[ins.dst] = wrap(-a) if op == "-" else (not a) if op == "!" else wrap(~a)
        fr.pc += 1

    def i_BinOp(self, g, fr, ins):
        s = fr.s
        s[ins.dst] = _binop(ins.operator, s[ins.a], s[ins.b])
        fr.pc += 1

    def i_Jump(self, g, fr, ins):
        fr.pc = ins.target

    def i_Branch(self, g, fr, ins):
        fr.pc = ins.then if fr.s[ins.cond] else ins.orelse

    def i_Call(self, g, fr, ins):
        name, caps = self._callee(fr, ins.func, ins.fslot)
        s = fr.s
        fr.pc += 1
        res = self.push_call(g, name, caps, tuple(s[a] for a in ins.args), ins.dsts)
        if res is not None:
            fr.pc -= 1  # a native: the generator's completion moves pc
        return res

    def i_Return(self, g, fr, ins):
        fr.retvals = [fr.s[i] for i in ins.srcs]
        fr.returning = True
        return self._ret(g)

    def i_Defer(self, g, fr, ins):
        name, caps = self._callee(fr, ins.func, ins.fslot)
        fr.defers.append((name, caps, tuple(fr.s[a] for a in ins.args)))
        fr.pc += 1

    def i_MakeClosure(self, g, fr, ins):
        fr.s[ins.dst] = ir.Closure(ins.func, tuple(fr.s[c] for c in ins.captures))
        fr.pc += 1

    def i_New(self, g, fr, ins):
        fr.s[ins.dst] = self.rt.alloc(ins.type)
        fr.pc += 1

    def i_Addr(self, g, fr, ins):
        fr.s[ins.dst] = self.rt.global_refs[ins.name]
        fr.pc += 1

    def i_FieldAddr(self, g, fr, ins):
        base = fr.s[ins.base]
        if base is None:
            raise _nil()
        f = ins.field
        if ins.index is not None:
            f = fr.s[ins.index]
            n = len(self.rt.heap[base.obj].f)
            if not 0 <= f < n:
                raise o.GoPanic(f"index out of range [{f}] with length {n}", True)
        fr.s[ins.dst] = ir.Ref(base.obj, f)
        fr.pc += 1

    def i_FieldObj(self, g, fr, ins):
        base = fr.s[ins.base]
        if base is None:
            raise _nil()
        fr.s[ins.dst] = self.rt.heap[base.obj].f[ins.field]
        fr.pc += 1

    def i_MakeChan(self, g, fr, ins):
        cap = 0 if ins.cap is None else fr.s[ins.cap]
        if cap < 0:
            raise o.GoPanic("makechan: size out of range")
        fr.s[ins.dst] = self.rt.new_chan(cap, ins.elem.zero() if not ins.elem.is_object else None)
        fr.pc += 1

    def i_MakeCond(self, g, fr, ins):
        fr.s[ins.dst] = self.rt.new_obj(lambda oid: sp.Cond(oid, fr.s[ins.locker]))
        fr.pc += 1

    def i_CondLocker(self, g, fr, ins):
        fr.s[ins.dst] = self._obj(fr.s[ins.cond]).L
        fr.pc += 1

    def i_CapOf(self, g, fr, ins):
        c = fr.s[ins.ch]
        fr.s[ins.dst] = 0 if c is None else self.rt.heap[c.obj].cap
        fr.pc += 1

    def i_Background(self, g, fr, ins):
        fr.s[ins.dst] = self.rt.background
        fr.pc += 1

    def i_CtxDone(self, g, fr, ins):
        fr.s[ins.dst] = self._ctx(fr.s[ins.ctx]).done_ref
        fr.pc += 1

    def i_Nop(self, g, fr, ins):
        fr.pc += 1

    # ------------------------------------------------------------ visible: memory

    def _cell(self, ref: Any) -> tuple:
        if ref is None:
            raise _nil()
        return self.rt.heap[ref.obj], ref.field

    def i_Load(self, g, fr, ins):
        ob, f = self._cell(fr.s[ins.ptr])
        rt = self.rt
        if rt.record:
            with rt.loglock:
                fr.s[ins.dst] = ob.f[f]
                rt.ev_locked(g, ins, ob.id)
            g.logged = True
        else:
            fr.s[ins.dst] = ob.f[f]
        fr.pc += 1

    def i_Store(self, g, fr, ins):
        ob, f = self._cell(fr.s[ins.ptr])
        rt = self.rt
        if rt.record:
            with rt.loglock:
                ob.f[f] = fr.s[ins.src]
                rt.ev_locked(g, ins, ob.id)
            g.logged = True
        else:
            ob.f[f] = fr.s[ins.src]
        fr.pc += 1

    def i_AtomicOp(self, g, fr, ins):
        ob, f = self._cell(fr.s[ins.ptr])
        s = fr.s
        op = ins.operator
        unsigned = ob.kind in ("atomic.Uint32", "atomic.Uint64")
        bits = 32 if ob.kind in ("atomic.Int32", "atomic.Uint32") else 64
        with ob.alock:  # sequentially consistent (MM-18)
            old = ob.f[f]
            if ob.kind == "atomic.Value" and op in ("store", "swap", "cas"):
                verb = {"store": "store", "swap": "swap", "cas": "compare and swap"}[op]
                new = s[ins.b] if op == "cas" else s[ins.a]
                if op == "cas" and isinstance(old, ir.Iface) and isinstance(s[ins.a], ir.Iface) \
                        and old.type != s[ins.a].type:
                    raise o.GoPanic("sync/atomic: compare and swap of inconsistently typed values")
                if new is None:
                    raise o.GoPanic(f"sync/atomic: {verb} of nil value into Value")
                if isinstance(old, ir.Iface) and isinstance(new, ir.Iface) and old.type != new.type:
                    raise o.GoPanic(f"sync/atomic: {verb} of inconsistently typed value into Value")
            if op == "load":
                res = old
            elif op == "store":
                ob.f[f] = s[ins.a]
                res = None
            elif op == "add":
                v = old + s[ins.a]
                if ob.kind != "atomic.Bool":
                    v &= (1 << bits) - 1
                    if not unsigned and v >> (bits - 1):
                        v -= 1 << bits
                ob.f[f] = res = v
            elif op == "swap":
                ob.f[f] = s[ins.a]
                res = old
            elif op == "cas":
                res = old == s[ins.a]
                if res:
                    ob.f[f] = s[ins.b]
            else:
                raise ValueError(f"unknown atomic operator {op!r}")
            if self.rt.record:
                self.rt.ev(g, ins, ob.id)
                g.logged = True
        if ins.dst is not None:
            s[ins.dst] = res
        fr.pc += 1

    # ------------------------------------------------------------ visible: goroutines, channels

    def i_Go(self, g, fr, ins):
        name, caps = self._callee(fr, ins.func, ins.fslot)
        args = tuple(fr.s[a] for a in ins.args)
        ng = self.rt.newproc(g, name, caps + args, ins.pos[0])
        if self.rt.record:
            self.rt.ev(g, ins, None, child=ng.id)
            g.logged = True
        self.rt.sched.runqput(g.m.p, ng, True)  # SCH-13: runnext, creator keeps running
        self.rt.sched.wakep()
        fr.pc += 1

    def _chan(self, ref: Any) -> Any:
        return None if ref is None else self.rt.heap[ref.obj]

    def _ev(self, g: Any, ins: Any):
        rt = self.rt
        if not rt.record:
            return lambda *a: None

        def ev(obj=None, case=None):
            g.logged = True
            if case is None:
                rt.ev(g, ins, obj)
            else:
                rt.ev(g, ins, obj, case=case)
        return ev

    def i_Send(self, g, fr, ins):
        return o.chan_send(self.rt, g, self._chan(fr.s[ins.ch]), fr.s[ins.src], self._ev(g, ins))

    def i_Recv(self, g, fr, ins):
        def gen():
            v, ok = yield from o.chan_recv(self.rt, g, self._chan(fr.s[ins.ch]), ins.zero, self._ev(g, ins))
            return ("results", (ins.dst, ins.ok), (v, ok))
        return gen()

    def i_Close(self, g, fr, ins):
        o.chan_close(self.rt, g, self._chan(fr.s[ins.ch]), self._ev(g, ins))
        fr.pc += 1

    def i_LenOf(self, g, fr, ins):
        c = self._chan(fr.s[ins.ch])
        if c is None:
            fr.s[ins.dst] = 0
        else:
            with c.lock:
                fr.s[ins.dst] = len(c.buf)
        fr.pc += 1

    def i_Select(self, g, fr, ins):
        s = fr.s
        cases = [(c.kind, self._chan(s[c.ch]), s[c.val] if c.kind == "send" and c.val is not None else None,
                  c.zero) for c in ins.cases]

        def gen():
            i, v, ok = yield from o.select(self.rt, g, cases, ins.has_default, self._ev(g, ins))
            if i >= 0 and ins.cases[i].kind == "recv":
                c = ins.cases[i]
                return ("results", (ins.dst, c.val, c.ok), (i, v, ok))
            return ("results", (ins.dst,), (i,))
        return gen()

    # ------------------------------------------------------------ visible: sync

    def _obj(self, ref: Any) -> Any:
        if ref is None:
            raise _nil()
        return self.rt.heap[ref.obj]

    def i_Lock(self, g, fr, ins):
        return sp.lock_any(self.rt, g, self._obj(fr.s[ins.m]), self._ev(g, ins))

    def i_Unlock(self, g, fr, ins):
        return sp.unlock_any(self.rt, g, self._obj(fr.s[ins.m]), self._ev(g, ins))

    def i_TryLock(self, g, fr, ins):
        m = self._obj(fr.s[ins.m])
        ev = self._ev(g, ins)
        ok = sp.rw_trylock(m, ev) if isinstance(m, sp.RWMutex) else sp.mutex_trylock(m, ev)
        fr.s[ins.dst] = ok
        fr.pc += 1

    def i_RLock(self, g, fr, ins):
        return sp.rw_rlock(self.rt, g, self._obj(fr.s[ins.m]), self._ev(g, ins))

    def i_RUnlock(self, g, fr, ins):
        return sp.rw_runlock(self.rt, g, self._obj(fr.s[ins.m]), self._ev(g, ins))

    def i_WgAdd(self, g, fr, ins):
        return sp.wg_add(self.rt, g, self._obj(fr.s[ins.wg]), fr.s[ins.delta], self._ev(g, ins))

    def i_WgWait(self, g, fr, ins):
        return sp.wg_wait(self.rt, g, self._obj(fr.s[ins.wg]), self._ev(g, ins))

    def i_OnceBegin(self, g, fr, ins):
        def gen():
            r = yield from sp.once_begin(self.rt, g, self._obj(fr.s[ins.once]), self._ev(g, ins))
            return ("results", (ins.dst,), (r,))
        return gen()

    def i_OnceEnd(self, g, fr, ins):
        return sp.once_end(self.rt, g, self._obj(fr.s[ins.once]), self._ev(g, ins))

    def _cond_lock(self, c: Any) -> tuple[Any, bool]:
        """A Cond's L: (the lock object, whether its read side: an RLocker)."""
        lk = c.L
        if isinstance(lk, ir.Iface):
            return self._obj(lk.value), lk.type == "*sync.rlocker"
        return self._obj(lk), False

    def i_CondWait(self, g, fr, ins):
        c = self._obj(fr.s[ins.cond])
        lk, read = self._cond_lock(c)
        return sp.cond_wait(self.rt, g, c, lk, self._ev(g, ins), read)

    def i_CondRelock(self, g, fr, ins):
        c = self._obj(fr.s[ins.cond])
        lk, read = self._cond_lock(c)
        if read:
            return sp.rw_rlock(self.rt, g, lk, self._ev(g, ins))
        return sp.lock_any(self.rt, g, lk, self._ev(g, ins))

    def i_CondSignal(self, g, fr, ins):
        sp.cond_signal(self.rt, g, self._obj(fr.s[ins.cond]), ins.broadcast, self._ev(g, ins))
        fr.pc += 1

    # ------------------------------------------------------------ visible: time, context, misc

    def i_Sleep(self, g, fr, ins):
        return self.rt.sleep(g, fr.s[ins.d])

    def i_After(self, g, fr, ins):
        fr.s[ins.dst] = self.rt.after(fr.s[ins.d])
        fr.pc += 1

    def _ctx(self, ref: Any) -> Any:
        if ref is None:
            raise _nil()
        return self.rt.heap[ref.obj]

    def i_WithCancel(self, g, fr, ins):
        fr.s[ins.dst] = self.rt.with_cancel(self._ctx(fr.s[ins.parent]))
        fr.pc += 1

    def i_Cancel(self, g, fr, ins):
        o.ctx_cancel(self.rt, g, self._ctx(fr.s[ins.ctx]))
        fr.pc += 1

    def i_CtxErr(self, g, fr, ins):
        fr.s[ins.dst] = self._ctx(fr.s[ins.ctx]).err
        fr.pc += 1

    # ---- system calls and os.Pipe files (reference/netpoll.py)

    def i_Syscall(self, g, fr, ins):
        from .netpoll import sync_syscall
        return sync_syscall(self.rt, g)

    def i_PipeMake(self, g, fr, ins):
        from .netpoll import pipe_make
        fr.s[ins.dst_r], fr.s[ins.dst_w] = pipe_make(self.rt)
        fr.pc += 1

    def i_PipeRead(self, g, fr, ins):
        from .netpoll import file_read

        def gen():
            n, err = yield from file_read(self.rt, g, fr.s[ins.f], fr.s[ins.buf])
            return ("results", (ins.dst_n, ins.dst_err), (n, err))
        return gen()

    def i_PipeWrite(self, g, fr, ins):
        from .netpoll import file_write

        def gen():
            n, err = yield from file_write(self.rt, g, fr.s[ins.f], fr.s[ins.data])
            return ("results", (ins.dst_n, ins.dst_err), (n, err))
        return gen()

    def i_PipeClose(self, g, fr, ins):
        from .netpoll import file_close
        err = file_close(self.rt, g, fr.s[ins.f])
        if ins.dst_err is not None:
            fr.s[ins.dst_err] = err
        fr.pc += 1

    def i_Gosched(self, g, fr, ins):
        fr.pc += 1
        if self.rt.record:
            self.rt.ev(g, ins)
            g.logged = True
        return YIELD_GLOBAL  # SCH-16: tail of the global queue

    def i_Goexit(self, g, fr, ins):
        fr.pc += 1
        if self.rt.record:
            self.rt.ev(g, ins)
            g.logged = True
        g.goexiting = True
        fr.returning = True
        fr.unwinding = True
        fr.retvals = []
        return None

    # ------------------------------------------------------------ interfaces

    def i_InitStore(self, g, fr, ins):
        ob, f = self._cell(fr.s[ins.ptr])
        ob.f[f] = fr.s[ins.src]
        fr.pc += 1

    def i_MakeIface(self, g, fr, ins):
        v = fr.s[ins.src]
        fr.s[ins.dst] = v if isinstance(v, ir.Iface) else ir.Iface(ins.type, v)
        fr.pc += 1

    @staticmethod
    def _dyn(x: Any) -> str | None:
        if isinstance(x, ir.Iface):
            return x.type
        return "*errors.errorString" if isinstance(x, str) else None

    def i_IfaceMethod(self, g, fr, ins):
        x = fr.s[ins.x]
        if x is None:
            raise _nil()
        if isinstance(x, str):  # a library error value: Error() is the string
            fr.s[ins.dst] = ir.Closure("errors.errorString.Error", (x,))
        else:
            f = ir.method_func(x.type, ins.name, self.funcs)
            if f is None:
                raise o.GoFatal(f"reference: {x.type} has no method {ins.name}")
            fr.s[ins.dst] = ir.Closure(f, (x.value,))
        fr.pc += 1

    def i_TypeAssert(self, g, fr, ins):
        x = fr.s[ins.x]
        dyn = self._dyn(x)
        if ins.target:
            ok = dyn == ins.target
            val = (x.value if isinstance(x, ir.Iface) else x) if ok else ins.zero
            if not ok and ins.ok is None:
                raise o.GoPanic(f"interface conversion: {ins.static} is {dyn or 'nil'}, not {ins.target}")
        else:
            def has(m: str, dyn: str) -> bool:
                return m == "Error" if isinstance(x, str) else ir.method_func(dyn, m, self.funcs) is not None
            missing = [m for m in ins.methods if dyn is None or not has(m, dyn)]
            ok = dyn is not None and not missing
            val = x if ok else None
            if not ok and ins.ok is None:
                if dyn is None:
                    raise o.GoPanic(f"interface conversion: interface is nil, not {ins.iface}")
                raise o.GoPanic(f"interface conversion: {dyn} is not {ins.iface}: missing method {missing[0]}")
        if ins.dst is not None:
            fr.s[ins.dst] = val
        if ins.ok is not None:
            fr.s[ins.ok] = ok
        fr.pc += 1

    def _show(self, v: Any) -> Any:
        """Slices and maps as fmt prints them (``[1 2]``, ``map[a:1]``, keys sorted)."""
        if isinstance(v, ir.Slice):
            return "[" + " ".join(fmt_value(self._show(x)) for x in self._elems(v)) + "]"
        if isinstance(v, tuple):
            return "[" + " ".join(fmt_value(self._show(x)) for x in v) + "]"
        if isinstance(v, ir.Iface):
            dyn = v.type
            if v.value is None and dyn.startswith("[]"):
                return "[]"
            if v.value is None and dyn.startswith("map["):
                return "map[]"
            ptr = dyn.startswith("*")
            base = dyn[1:] if ptr else dyn
            st = self.rt.program.types.get(base[5:] if base.startswith("main.") else base)
            if isinstance(v.value, ir.Ref) and v.value.field is None and st is not None:
                return ("&" if ptr else "") + self._show_struct(v.value, st)
            if isinstance(v.value, ir.Ref) and v.value.field is None and base.startswith("[") and not ptr:
                return "[" + " ".join(fmt_value(self._show(x)) for x in self.rt.heap[v.value.obj].f) + "]"
            return self._show(v.value)
        if isinstance(v, ir.Ref) and v.field is None and getattr(self.rt.heap.get(v.obj), "kind", "") == "map":
            d = self.rt.heap[v.obj].f
            return "map[" + " ".join(f"{fmt_value(self._show(k))}:{fmt_value(self._show(d[k]))}"
                                     for k in sorted(d, key=ir.key_order)) + "]"
        return v

    def _show_struct(self, ref: Any, st: Any) -> str:
        ob = self.rt.heap[ref.obj]
        if not isinstance(ob.f, dict):
            return "{}"
        kinds = dict(st.fields)
        parts = []
        for k, x in ob.f.items():
            ft = kinds.get(k)
            if ft is not None and ft.kind == "struct" and isinstance(x, ir.Ref):
                parts.append(self._show_struct(x, self.rt.program.types.get(ft.name, ft)))
            elif ft is not None and ft.kind == "array" and isinstance(x, ir.Ref):
                parts.append("[" + " ".join(fmt_value(self._show(y)) for y in self.rt.heap[x.obj].f) + "]")
            elif ft is not None and ft.is_object:
                parts.append("{}")
            else:
                parts.append(fmt_value(self._show(x)))
        return "{" + " ".join(parts) + "}"

    def _args(self, fr, ins) -> list:
        """The operand values of a Print/Format/Exit, with its spread tuple's values after them."""
        vals = [fr.s[a] for a in ins.args]
        if ins.spread is not None:
            vals.extend(fr.s[ins.spread])
        return vals

    def _fmt_operands(self, fr, ins) -> list:
        """`_show` of each operand; a composite's text is a `Shown` (not a Go
        string: Print and Sprint space it from a neighbouring non-string)."""
        out = []
        for v in self._args(fr, ins):
            x = self._show(v)
            string = isinstance(v, str) or (isinstance(v, ir.Iface) and isinstance(v.value, str))
            out.append(Shown(x) if isinstance(x, str) and not string else x)
        return out

    def i_Print(self, g, fr, ins):
        vals = self._fmt_operands(fr, ins)
        self.rt.output(g, ins, format_print(ins.kind, vals))
        g.logged = True
        fr.pc += 1

    def i_Panic(self, g, fr, ins):
        if self.rt.record:  # the model's Panic is a step of its own (a recovered panic goes on running)
            self.rt.ev(g, ins)
            g.logged = True
        raise o.GoPanic(fr.s[ins.v])

    # ------------------------------------------------------------ slices and maps
    # (the model's models/datatypes.py; backing arrays are Obj("array", list),
    # maps Obj("map", dict); element i of a slice is Ref(obj, off + i))

    def _array(self, vals: list) -> int:
        return self.rt.new_obj(lambda oid: o.Obj(oid, "array", vals)).obj

    def i_MakeSlice(self, g, fr, ins):
        n = fr.s[ins.len]
        c = n if ins.cap is None else fr.s[ins.cap]
        if n < 0:
            raise o.GoPanic("makeslice: len out of range", True)
        if c < n:
            raise o.GoPanic("makeslice: cap out of range", True)
        if ins.elem.is_object:
            vals = [self.rt.alloc(ins.elem) for _ in range(c)]
        else:
            vals = [ins.elem.zero()] * c
        fr.s[ins.dst] = ir.Slice(self._array(vals), 0, n, c)
        fr.pc += 1

    def i_SliceLit(self, g, fr, ins):
        vals = [fr.s[x] for x in ins.srcs]
        fr.s[ins.dst] = ir.Slice(self._array(vals), 0, len(vals), len(vals))
        fr.pc += 1

    def i_IndexAddr(self, g, fr, ins):
        sl = fr.s[ins.s]
        i = fr.s[ins.index]
        n = 0 if sl is None else sl.len
        if not 0 <= i < n:
            raise o.GoPanic(f"index out of range [{i}] with length {n}", True)
        fr.s[ins.dst] = ir.Ref(sl.obj, sl.off + i)
        fr.pc += 1

    def i_SliceLen(self, g, fr, ins):
        v = fr.s[ins.s]
        if isinstance(v, ir.Slice):
            fr.s[ins.dst] = v.cap if ins.of_cap else v.len
        elif isinstance(v, str):
            fr.s[ins.dst] = len(ir.go_bytes(v))
        else:
            fr.s[ins.dst] = 0 if v is None else len(v)
        fr.pc += 1

    def i_Reslice(self, g, fr, ins):
        sl = fr.s[ins.s]
        if isinstance(sl, ir.Ref):  # slicing an array: the array is the backing array
            n = len(self.rt.heap[sl.obj].f)
            sl = ir.Slice(sl.obj, 0, n, n)
        lo, hi, mx = (None if x is None else fr.s[x] for x in (ins.lo, ins.hi, ins.max))
        ln, cap = (0, 0) if sl is None else (sl.len, sl.cap)
        lo_ = 0 if lo is None else lo
        hi_ = ln if hi is None else hi
        mx_ = cap if mx is None else mx
        if mx is not None and not 0 <= mx_ <= cap:
            raise o.GoPanic(f"slice bounds out of range [::{mx_}] with capacity {cap}", True)
        if hi is not None and not 0 <= hi_ <= mx_:
            raise o.GoPanic(f"slice bounds out of range [:{hi_}] with capacity {cap}" if mx is None
                            else f"slice bounds out of range [:{hi_}:{mx_}]", True)
        if not 0 <= lo_ <= hi_:
            raise o.GoPanic(f"slice bounds out of range [{lo_}:{hi_}]", True)
        fr.s[ins.dst] = None if sl is None else ir.Slice(sl.obj, sl.off + lo_, hi_ - lo_, mx_ - lo_)
        fr.pc += 1

    def i_TupleGet(self, g, fr, ins):
        fr.s[ins.dst] = fr.s[ins.t][fr.s[ins.index]]
        fr.pc += 1

    def i_MakeMap(self, g, fr, ins):
        d = {}
        for k, v in zip(ins.keys, ins.vals):
            d[fr.s[k]] = fr.s[v]
        fr.s[ins.dst] = self.rt.new_obj(lambda oid: o.Obj(oid, "map", d))
        fr.pc += 1

    def _elems(self, sl: Any) -> list:
        if sl is None:
            return []
        f = self.rt.heap[sl.obj].f
        return f[sl.off:sl.off + sl.len]

    def _clone(self, ref: Any, t: Any) -> Any:
        """A deep copy of a struct element (Go copies struct values)."""
        if ref is None or t is None or not t.is_object:
            return ref
        ob = self.rt.heap[ref.obj]
        if t.kind != "struct" or not isinstance(ob.f, dict):
            return self.rt.new_obj(lambda oid: o.Obj(oid, ob.kind, type(ob.f)(ob.f)))
        kinds = dict(t.fields)
        f = {k: (self._clone(v, kinds.get(k)) if kinds.get(k) is not None and kinds[k].is_object else v)
             for k, v in ob.f.items()}
        return self.rt.new_obj(lambda oid: o.Obj(oid, ob.kind, f))

    def _copy_struct(self, dst: Any, src: Any, t: Any) -> None:
        d, s_ = self.rt.heap[dst.obj].f, self.rt.heap[src.obj].f
        kinds = dict(t.fields)
        for k, v in s_.items():
            ft = kinds.get(k)
            if ft is not None and ft.is_object:
                self._copy_struct(d[k], v, ft)
            else:
                d[k] = v

    def i_Append(self, g, fr, ins):
        s = fr.s
        sl = s[ins.s]
        vals = [s[x] for x in ins.srcs]
        if ins.spread is not None:
            vals += [self._clone(v, ins.elem) for v in self._elems(s[ins.spread])]
        if not vals:
            res = sl
        else:
            ln, cap = (0, 0) if sl is None else (sl.len, sl.cap)
            need = ln + len(vals)
            if need <= cap:
                f = self.rt.heap[sl.obj].f
                f[sl.off + ln:sl.off + need] = vals
                res = ir.Slice(sl.obj, sl.off, need, cap)
            else:
                nc = ir.grow_cap(cap, need)
                if ins.elem is not None and ins.elem.is_object:
                    old = [self._clone(v, ins.elem) for v in self._elems(sl)]
                    fill = [self.rt.alloc(ins.elem) for _ in range(nc - need)]
                else:
                    old, fill = list(self._elems(sl)), [ins.zero] * (nc - need)
                res = ir.Slice(self._array(old + vals + fill), 0, need, nc)
        s[ins.dst] = res
        fr.pc += 1

    def i_Copy(self, g, fr, ins):
        to, frm = fr.s[ins.to], fr.s[ins.frm]
        src = list(self._elems(frm))
        k = min(len(src), 0 if to is None else to.len)
        if k and ins.elem is not None and ins.elem.is_object:
            tmp = [self._clone(v, ins.elem) for v in src[:k]]
            for dv, sv in zip(self._elems(to)[:k], tmp):
                self._copy_struct(dv, sv, ins.elem)
        elif k:
            self.rt.heap[to.obj].f[to.off:to.off + k] = src[:k]
        if ins.dst is not None:
            fr.s[ins.dst] = k
        fr.pc += 1

    def _map(self, ref: Any) -> Any:
        return None if ref is None else self.rt.heap[ref.obj].f

    def i_MapWriting(self, g, fr, ins):
        """runtime/map.go hashWriting: a second writer inside the map throws."""
        ref = fr.s[ins.m]
        if ref is None:
            if ins.store:
                raise o.GoPanic("assignment to entry in nil map")
        else:
            with self.rt.loglock:
                if self.map_writer.get(ref.obj):
                    raise o.GoFatal("concurrent map writes")
                self.map_writer[ref.obj] = g.id
        fr.pc += 1

    def i_MapIndex(self, g, fr, ins):
        if fr.s[ins.m] is not None and self.map_writer.get(fr.s[ins.m].obj):
            raise o.GoFatal("concurrent map iteration and map write" if ins.iter else
                            "concurrent map read and map write")
        d = self._map(fr.s[ins.m])
        k = fr.s[ins.k]
        ok = d is not None and k in d
        if ins.dst is not None:
            fr.s[ins.dst] = d[k] if ok else ins.zero
        if ins.ok is not None:
            fr.s[ins.ok] = ok
        fr.pc += 1

    def i_MapStore(self, g, fr, ins):
        d = self._map(fr.s[ins.m])
        if d is None:
            raise o.GoPanic("assignment to entry in nil map")
        d[fr.s[ins.k]] = fr.s[ins.v]
        self.map_writer.pop(fr.s[ins.m].obj, None)
        fr.pc += 1

    def i_MapDelete(self, g, fr, ins):
        d = self._map(fr.s[ins.m])
        if d is not None:
            d.pop(fr.s[ins.k], None)
            self.map_writer.pop(fr.s[ins.m].obj, None)
        fr.pc += 1

    def i_MapLen(self, g, fr, ins):
        d = self._map(fr.s[ins.m])
        fr.s[ins.dst] = 0 if d is None else len(d)
        fr.pc += 1

    def i_MapKeys(self, g, fr, ins):
        """A random iteration order (runtime/map.go mapiterinit), logged as
        the `case` of the event: its index among the permutations of the keys
        in `ir.key_order`, the model's choice for the step."""
        d = self._map(fr.s[ins.m])
        keys = tuple(sorted(d, key=ir.key_order)) if d else ()
        order = list(keys)
        self.rt.rand.shuffle(order)
        fr.s[ins.dst] = tuple(order)
        if self.rt.record:
            idx = ir.permutation_index(tuple(order), keys) if len(keys) > 1 else None
            if idx is None:
                self.rt.ev(g, ins, fr.s[ins.m].obj if fr.s[ins.m] is not None else None)
            else:
                self.rt.ev(g, ins, fr.s[ins.m].obj, case=idx)
            g.logged = True
        fr.pc += 1

    # ---- library (time, context, fmt, errors, rand, recover)

    def i_Recover(self, g, fr, ins):
        """recover() (runtime/panic.go gorecover): the panic's value when called by a
        deferred function the panic runs (the frame right above an unwinding one);
        the model keeps panic values as their text, so the value is that text."""
        v = None
        frames = g.frames
        if g.panicking and len(frames) >= 2 and frames[-2].unwinding and frames[-2].returning \
                and g.recovered is None:
            e = g.panicking[-1]
            v = ("runtime error: " if e.runtime_error else "") + (e.value if isinstance(e.value, str)
                                                                  else fmt_value(e.value))
            g.panicking.clear()
            g.recovered = frames[-2]
        fr.s[ins.dst] = v
        fr.pc += 1

    def i_RecoverReturn(self, g, fr, ins):
        fr.pc += 1

    def i_RunDefers(self, g, fr, ins):
        """The next deferred call (its results dropped), with `fr.pc` left here so
        that this runs again when it returns; none left: go on."""
        if not fr.defers:
            fr.pc += 1
            return None
        name, caps, args = fr.defers.pop()
        res = self.push_call(g, name, caps, args, ())
        if res is None:
            return None
        return self._drive(g, res, None, None, False)

    def i_TimerMake(self, g, fr, ins):
        f = fr.s[ins.f] if ins.f is not None else None
        if ins.kind == "afterfunc" and f is None:
            raise _nil()
        fr.s[ins.dst] = lib.timer_make(self.rt, ins.kind, fr.s[ins.d], f)
        fr.pc += 1

    def i_TimerStop(self, g, fr, ins):
        t = fr.s[ins.timer]
        if t is None:
            raise _nil()
        was = lib.timer_stop(self.rt, self.rt.heap[t.obj], fr.s[ins.reset] if ins.reset is not None else None)
        if ins.dst is not None:
            fr.s[ins.dst] = was
        fr.pc += 1

    def i_Choose(self, g, fr, ins):
        n = fr.s[ins.n]
        if n <= 0:
            raise o.GoPanic(f"invalid argument to {ins.what.split('.')[-1]}")
        v = self.rt.rand.randrange(n)
        fr.s[ins.dst] = v
        if self.rt.record:
            self.rt.ev(g, ins, None, case=v)
            g.logged = True
        fr.pc += 1

    def i_Format(self, g, fr, ins):
        fr.s[ins.dst] = lib.format_values(ins.kind, self._fmt_operands(fr, ins), self._args(fr, ins))
        fr.pc += 1

    def i_WithDeadline(self, g, fr, ins):
        fr.s[ins.dst] = lib.with_deadline(self.rt, self._ctx(fr.s[ins.parent]), fr.s[ins.d])
        fr.pc += 1

    def i_WithValue(self, g, fr, ins):
        fr.s[ins.dst] = lib.with_value(self.rt, self._ctx(fr.s[ins.parent]), fr.s[ins.key], fr.s[ins.val])
        fr.pc += 1

    def i_CtxValue(self, g, fr, ins):
        fr.s[ins.dst] = lib.ctx_value(self._ctx(fr.s[ins.ctx]), fr.s[ins.key])
        fr.pc += 1

    def i_Exit(self, g, fr, ins):
        """log.Fatal: the message on stderr, then os.Exit(1)."""
        msg = lib.format_values(ins.kind if ins.kind != "fatal" else "sprint", self._fmt_operands(fr, ins),
                                self._args(fr, ins))
        if self.rt.record:
            self.rt.ev(g, ins)
            g.logged = True
        self.rt.die(1, msg.rstrip("\n") + "\n")
        return DIED

    # ---- strings, sync.Map, NumGoroutine, c.L = l (issue 12)

    def i_StrOp(self, g, fr, ins):
        try:
            res = ir.str_op(ins.operator, tuple(fr.s[a] for a in ins.args))
        except ir.GoRuntimeError as e:
            raise o.GoPanic(str(e).removeprefix("runtime error: "), True) from None
        for d, v in zip(ins.dsts, res):
            fr.s[d] = v
        fr.pc += 1

    def i_SliceOfTuple(self, g, fr, ins):
        vals = list(fr.s[ins.t])
        fr.s[ins.dst] = ir.Slice(self._array(vals), 0, len(vals), len(vals))
        fr.pc += 1

    def i_SliceValues(self, g, fr, ins):
        fr.s[ins.dst] = tuple(self._elems(fr.s[ins.s]))
        fr.pc += 1

    def i_SyncMap(self, g, fr, ins):
        """sync/map.go: every method is atomic (the map's lock); Range's key
        snapshot takes a random order, logged as the model's choice."""
        ref = fr.s[ins.m]
        if ref is None:
            raise _nil()
        ob = self.rt.heap[ref.obj]
        op = ins.operator
        with ob.alock:
            d = ob.f
            if op == "keys":
                keys = tuple(sorted(d, key=ir.key_order))
                order = list(keys)
                self.rt.rand.shuffle(order)
                fr.s[ins.dst] = tuple(order)
                if self.rt.record:
                    idx = ir.permutation_index(tuple(order), keys) if len(keys) > 1 else None
                    if idx is None:
                        self.rt.ev(g, ins, ref.obj)
                    else:
                        self.rt.ev(g, ins, ref.obj, case=idx)
                    g.logged = True
                fr.pc += 1
                return
            k = fr.s[ins.k]
            if isinstance(k, ir.Iface) and k.type.startswith(("[]", "map[", "func(")):
                raise o.GoPanic(f"hash of unhashable type {k.type}", True)
            found = k in d
            v = d.get(k)
            if op == "store":
                d[k] = fr.s[ins.v]
            elif op == "loadorstore" and not found:
                v = d[k] = fr.s[ins.v]
            elif op in ("loadanddelete", "delete") and found:
                del d[k]
            if self.rt.record:
                self.rt.ev(g, ins, ref.obj)
                g.logged = True
        if ins.dst is not None:
            fr.s[ins.dst] = v
        if ins.ok is not None:
            fr.s[ins.ok] = found
        fr.pc += 1

    def i_NumGoroutine(self, g, fr, ins):
        v = self.rt.num_goroutine() + (1 if self.rt.program.entry != "main" else 0)
        fr.s[ins.dst] = v
        if self.rt.record:
            self.rt.ev(g, ins, value=v)
            g.logged = True
        fr.pc += 1

    def i_CondSetL(self, g, fr, ins):
        self._obj(fr.s[ins.cond]).L = fr.s[ins.src]
        fr.pc += 1

    def i_CopySync(self, g, fr, ins):
        src, dst = fr.s[ins.src], fr.s[ins.dst]
        if src is None or dst is None:
            raise _nil()
        sp.copy_state(self.rt.heap[src.obj], self.rt.heap[dst.obj])
        fr.pc += 1


__all__ = ["Interp", "Frame", "wrap", "format_print", "sprintf", "fmt_value",
           "PARKED", "YIELD_GLOBAL", "YIELD_LOCAL", "EXITED", "STOPPED", "DIED", "G_DEAD", "G_RUNNING"]
