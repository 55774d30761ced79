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

from . import objects as o
from . import syncprims as sp
from .sched import G_DEAD, G_RUNNING, G_WAITING
from .values import _binop, fmt_value, format_print, sprintf, wrap

PARKED, YIELD_GLOBAL, YIELD_LOCAL, EXITED, STOPPED, DIED = range(6)


class Frame:
    """One activation: function, pc, slots, defer stack, caller's result slots."""

    __slots__ = ("fn", "code", "pc", "s", "defers", "dsts", "returning", "retvals")

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
        if g.panicking or g.goexiting:
            caller.returning = True
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

    def i_CondWait(self, g, fr, ins):
        c = self._obj(fr.s[ins.cond])
        return sp.cond_wait(self.rt, g, c, self._obj(c.L), self._ev(g, ins))

    def i_CondRelock(self, g, fr, ins):
        c = self._obj(fr.s[ins.cond])
        return sp.lock_any(self.rt, g, self._obj(c.L), self._ev(g, ins))

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
        fr.retvals = []
        return None

    def i_Print(self, g, fr, ins):
        vals = [fr.s[a] for a in ins.args]
        self.rt.output(g, ins, format_print(ins.kind, vals))
        g.logged = True
        fr.pc += 1

    def i_Panic(self, g, fr, ins):
        raise o.GoPanic(fr.s[ins.v])


__all__ = ["Interp", "Frame", "wrap", "format_print", "sprintf", "fmt_value",
           "PARKED", "YIELD_GLOBAL", "YIELD_LOCAL", "EXITED", "STOPPED", "DIED", "G_DEAD", "G_RUNNING"]
