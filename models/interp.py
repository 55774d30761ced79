"""Steps of one goroutine: the interpreter of the IR over a `World`.

`Interpreter` is the program plus runtime options; its step function is what
every scheduler shares (see `models.sched.abstract` for the contract):

- ``machine.initial()`` -> the initial `World` (globals allocated,
  goroutine 1 at its first visible instruction).
- ``machine.choices(w, gid)`` -> how goroutine `gid` may step: ``[None]``
  for an ordinary step, or for a `Select` the ready case indices (each a
  separate choice, SEL-2), ``[-1]`` for its default, ``[None]`` to block.
- ``machine.step(w, gid, choice)`` -> `Step` (new world + `Events`).
- ``machine.fire(w, timer)`` -> `Step` for an environment timer event, or
  for one of ``machine.env_events(w)`` (a system call returns, netpoll
  readies a reader: `models.pipe`).

A step executes the visible instruction at the goroutine's ``pc`` (a
channel operation, a lock, a shared load, ...) and then every local
instruction after it, up to the next visible one.  Goroutines woken or
spawned by the step also run their local instructions at once (they touch
only their own frames, so this changes no interleaving Go can observe),
which keeps the invariant that a runnable goroutine stands at a visible
instruction.  Local runs are bounded: exceeding `LOCAL_LIMIT` instructions
or `DEPTH_LIMIT` frames raises `ModelLimitError`; it is never cut silently.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from typing import Any, cast

from models import atomic, chan, datatypes, ir, library, pipe, select, sync, syncmap, timeorder
from models.options import RuntimeOptions
from models.state import DONE, RUN, WAIT, Chan, Context, Data, Frame, G, World
from models.tx import (
    BACKGROUND,
    DEPTH_LIMIT,
    LOCAL_LIMIT,
    Events,
    GoPanic,
    InternalError,
    ModelLimitError,
    Step,
    Tx,
    fmt_value,
    printf,
    wrap,
)

__all__ = ["Interpreter"]

#: The longest string the model builds (a bound like the call depth: past it the step ends the search
#: with ``unknown`` instead of allocating without limit).
MAX_STRING = 1 << 20

class Interpreter:
    """A compiled program plus runtime options: the shared step function."""

    def __init__(self, program: ir.Program, runtime: Any = None):
        self.program = program
        self.opts = runtime or RuntimeOptions()
        cancel = ir.Function("context.cancel", 1, 0, 0, 1, ("ctx",), (ir.Cancel(0), ir.Return()))
        self.funcs: dict[str, ir.Function] = {"context.cancel": cancel, **program.functions}
        self.global_obj: dict[str, int] = {}
        self.global_scalar: dict[str, bool] = {}
        #: ``runtime.timers: ordered`` applies (one P, real durations): `models.timeorder`
        self.timer_order = timeorder.active(self.opts, program)
        #: `models.sync.lock_site` of this program (one function object: the transition cache
        #: keys its reads by it)
        self.lock_site = functools.partial(sync.lock_site, self.funcs)
        #: `models.props.racing_accesses`: a goroutine's accesses, where they depend on it alone
        self.race_cache: dict[Any, Any] = {}
        #: whether a goroutine can wait for the environment (a system call, a pipe read): only
        #: then does `env_events` look at the goroutines
        self.env_possible = any(type(ins) in (ir.Syscall, ir.PipeRead) for fn in self.funcs.values() for ins in fn.code)

    # ---- construction
    def initial(self) -> World:
        t = Tx(self, World((), ()))
        for gl in self.program.globals:
            obj = self.new_object(t, gl.type)
            self.global_obj[gl.name] = obj.obj
            self.global_scalar[gl.name] = obj.field is not None
            if gl.name == ir.GOMAXPROCS_VAR:  # runtime.GOMAXPROCS starts at the number of Ps
                t.store(obj, self.opts.procs)
        fn = self.funcs[self.program.start]
        t.gs.append(G(1, (self.frame(fn, (), ()),)))
        self.settle(t, [1])  # a panic in main's first local run unwinds (its defers may recover)
        return t.freeze()

    def frame(self, fn: ir.Function, captures: tuple[Any, ...], args: tuple[Any, ...]) -> Frame:
        n = len(captures) + len(args)
        return Frame(fn.name, 0, tuple(captures) + tuple(args) + (None,) * (fn.nslots - n))

    def new_object(self, t: Tx, typ: ir.Type) -> ir.Ref:
        """Allocate a zero value of `typ` (IR `New`); boxed fields get their own objects."""
        from models.state import Cond, Mutex, Once, RWMutex, WaitGroup

        k = typ.kind
        if not typ.is_object:
            return ir.Ref(t.alloc(Data(((0, typ.zero()),), k)), 0)
        simple = {"sync.Mutex": Mutex, "sync.RWMutex": RWMutex, "sync.WaitGroup": WaitGroup,
                  "sync.Once": Once, "sync.Cond": Cond}
        if k in simple:
            return ir.Ref(t.alloc(simple[k]()))
        if k == "sync.Map":
            return ir.Ref(t.alloc(datatypes.MapObj()))
        if k.startswith("atomic."):
            zero: Any = False if k == "atomic.Bool" else None if k == "atomic.Value" else 0
            return ir.Ref(t.alloc(Data((("v", zero),), k)))

        def val(ft: ir.Type) -> Any:
            return self.new_object(t, ft) if ft.is_object else ft.zero()

        fields: tuple[tuple[int | str, Any], ...]
        if k == "array":
            assert typ.elem is not None
            fields = tuple((i, val(typ.elem)) for i in range(typ.length))
        elif k == "struct":
            fields = tuple((name, val(ft)) for name, ft in typ.fields)
        else:
            raise GoPanic(f"internal: cannot allocate a {k}")
        return ir.Ref(t.alloc(Data(fields, typ.name or k)))

    # ---- the step function
    def runnable(self, w: World) -> list[int]:
        return [g.gid for g in w.gs if g.status == RUN] if not w.ended else []

    def instr_of(self, g: G) -> ir.Instr:
        fr = g.frames[-1]
        return self.funcs[fr.func].code[fr.pc]

    def choices_of_g(self, g: G) -> bool:
        """Whether `choices` of runnable `g` depend on `g` alone (not on the rest of the world):
        every instruction but a select (before it parks), a range over a map, a sync.Map
        operation and runtime.NumGoroutine."""
        ins = self.instr_of(g)
        op = type(ins)
        return not ((op is ir.Select and not g.wait) or op is ir.MapKeys or op is ir.SyncMap or op is ir.NumGoroutine)

    def choices(self, w: World, gid: int) -> list[int | None]:

        g = w.gs[gid - 1]
        if g.status != RUN or w.ended:
            return []
        ins = self.instr_of(g)
        if type(ins) is ir.Select and not g.wait:
            return select.select_choices(w.heap, ins, g.frames[-1].slots)
        if type(ins) is ir.MapKeys:
            return datatypes.choices(self, w, ins, g.frames[-1].slots)
        if type(ins) is ir.Choose:
            return library.choices(self, ins, g.frames[-1].slots)
        if type(ins) is ir.SyncMap:
            return syncmap.choices(self, w, ins, g.frames[-1].slots)
        if type(ins) is ir.NumGoroutine:  # how many ended goroutines Go still counts
            ended = sum(1 for x in w.gs if x.status == DONE)
            return list(range(ended + 1)) if ended else [None]
        return [None]

    def step(self, w: World, gid: int, choice: int | None = None) -> Step:
        t = Tx(self, w)
        crashed, blocked = self._step(t, gid, choice)
        ev = Events()
        self._events(w, t, ev, gid)
        if crashed:
            ev.ended = True
            return Step(t.freeze(), ev)
        ev.blocked = blocked
        ev.yielded = type(self.instr_of(w.gs[gid - 1])) is ir.Gosched
        ev.locals = t.locals
        ev.ended = t.ended
        return Step(t.freeze(), ev)

    def step_tracked(self, w: World, gid: int, choice: int | None, gs: Any, heap: Any) -> World:
        """``step(w, gid, choice).world`` on the recording views `gs` and `heap` of ``w.gs`` and
        ``w.heap`` (`models.memo.Tracked`), without the events (which read every goroutine)."""
        t = Tx(self, w, gs, heap)
        self._step(t, gid, choice)
        gs.rec.on = False
        return t.freeze()

    def _step(self, t: Tx, gid: int, choice: int | None) -> tuple[bool, bool]:
        """`gid`'s visible instruction and what follows it, on `t`: (whether the goroutine's
        deferred calls were done after a panic, so the program died; whether the instruction
        parked it)."""
        t.actor = gid
        g = t.g(gid)
        if t.unsynced and g.frames:
            ins = self.instr_of(g)
            if type(ins) is ir.Select:
                select.forget_unsynced(t, gid, ins, choice)
        blocked = False
        try:
            g = t.g(gid)
            if g.wait and g.wait[0] == "crash":  # the panic's deferred calls are done: the program dies
                t.panic, t.ended = g.wait[1], True
                t.setg(G(gid, (), DONE))
                return True, False
            if g.wait and g.wait[0] == "panic":
                t.setg(replace(g, wait=()))
                raise GoPanic(g.wait[1])
            self.exec_visible(t, gid, choice)
            blocked = t.g(gid).status == WAIT
        except GoPanic as p:
            self._panic(t, p, gid)
        self._after_step(t, [gid])
        return False, blocked

    def env_events(self, w: World) -> list[tuple[str, int]]:
        """Enabled environment events other than timers: ``("syscall", gid)``
        (a system call returns) and ``("netpoll", pipe)`` (netpoll readies the
        reader parked on `pipe`); see `models.pipe`.  Not affected by
        ``runtime.timers``."""

        return pipe.env_events(w) if self.env_possible else []

    def fireable(self, w: World) -> list[tuple[str, int]]:
        """The pending timers that may fire now: all of them, except those an
        earlier, shorter timer holds back (``runtime.timers: ordered``, TM-2:
        `models.timeorder`).  Schedulers offer only these."""
        return timeorder.fireable(w.timers, w.tinfo)

    def fire(self, w: World, timer: tuple[str, int]) -> Step:
        """An environment event: the pending `timer` fires, or one of
        `env_events` (``("syscall", gid)``, ``("netpoll", pipe)``) happens."""

        t = Tx(self, w)
        key = None
        if timer[0] not in pipe.ENV_KINDS:
            key = t.unset_timer(timer)
        try:
            kind, x = timer
            if kind in pipe.ENV_KINDS:
                pipe.fire_env(t, timer)
            elif kind == "sleep":
                t.wake(x)
            elif kind in library.TIMER_KINDS:
                library.fire(self, t, kind, x, key)
            else:
                chan.try_send(t, x, ir.TIME_NOW)  # a clock reading (time.After)
        except GoPanic as p:
            self._panicked(t, p, 0)
        self._after_step(t, [])
        ev = Events(locals=t.locals, ended=t.ended)
        self._events(w, t, ev, 0)
        return Step(t.freeze(), ev)

    @staticmethod
    def _events(w: World, t: Tx, ev: Events, gid: int) -> None:
        ev.spawned = list(range(t.base + 1, len(t.gs) + 1))
        ev.woken = [x for x in dict.fromkeys(t.woken) if x != gid and t.g(x).status == RUN]
        ev.exited = [g.gid for g in t.gs if g.status == DONE and (g.gid > t.base or w.gs[g.gid - 1].status != DONE)]

    def _after_step(self, t: Tx, first: list[int]) -> None:
        """What follows every step and environment event: the local instructions
        (`settle`), the unsynchronized channel reads it ends, and under the guarded
        bit the parking of goroutines at a held Mutex (`models.sync.park_blocked`)."""
        self.settle(t, first)
        if t.unsynced:
            chan.settle_unsynced(t)
        if self.opts.mutex_guarded and not t.ended:
            sync.park_blocked(t)

    def settle(self, t: Tx, first: list[int]) -> None:
        """Run the local instructions of the stepping, spawned and woken goroutines."""
        spawned = range(t.base + 1, len(t.gs) + 1)
        for x in dict.fromkeys([*first, *spawned, *t.woken]):
            try:
                self.run_locals(t, x)
            except GoPanic as p:
                self._panic(t, p, x)
                try:
                    self.run_locals(t, x)
                except GoPanic as p2:
                    self._panicked(t, p2, x)

    def _panic(self, t: Tx, p: GoPanic, gid: int) -> None:
        """A panic: the goroutine runs its deferred calls (other goroutines
        keep running meanwhile), then the program dies.  Fatal errors end the
        program at once.  A panic in a deferred call while panicking replaces
        the first one and the remaining deferred calls still run (Go spec,
        "Handling panics"; runtime/panic.go gopanic: the new panic runs the
        rest of the defer chain; Go prints both, the model keeps the last)."""
        g = t.g(p.gid or gid)
        if p.fatal or not g.frames or t.ended:
            self._panicked(t, p, gid)
            return
        self._panicked(t, p, gid)
        msg, t.panic, t.ended = t.panic, None, False
        t.setg(replace(g, status=RUN, wait=(), unwind=len(g.frames), panicking=msg or ""))

    def _panicked(self, t: Tx, p: GoPanic, gid: int) -> None:
        g = p.gid or gid
        pos = p.pos
        if pos == ir.NOPOS and g and t.g(g).frames:
            pos = t.instr(g).pos
        where = f" [G{g} at {self.program.where(pos[0])}]" if g else ""
        t.panic = ("fatal error: " if p.fatal else "panic: ") + p.msg + where
        t.ended = True

    @property
    def file(self) -> str:
        """The Go file name traces use: an inline ``source:`` is main.go, as under ``go run``."""
        import os

        name = os.path.basename(self.program.file)
        return name if name.endswith(".go") else "main.go"

    # ---- visible instructions
    def exec_visible(self, t: Tx, gid: int, choice: int | None) -> None:
        """Execute `gid`'s visible instruction through the dispatch table `VISIBLE`."""
        fr = t.g(gid).frames[-1]
        ins = self.funcs[fr.func].code[fr.pc]
        handler = VISIBLE.get(type(ins))
        if handler is None:
            raise InternalError(f"instruction {ins.op} at {ins.pos} is not visible: nothing executes it here")
        handler(t, gid, ins, fr.slots, choice)

    def panic_text(self, t: Tx, v: Any) -> str:
        if isinstance(v, str):
            return v
        return fmt_value(v)

    def exec_go(self, t: Tx, ins: ir.Go, s: tuple[Any, ...]) -> None:
        if ins.func is not None:
            fn, caps = self.funcs[ins.func], ()
        else:
            c = s[ins.fslot]  # type: ignore[index]
            if not isinstance(c, ir.Closure):
                raise GoPanic("go of nil func value")
            fn, caps = self.funcs[c.func], c.captures
        gid = len(t.gs) + 1
        t.gs.append(G(gid, (self.frame(fn, caps, tuple(s[a] for a in ins.args)),)))

    def exec_print(self, t: Tx, ins: ir.Print, s: tuple[Any, ...], gid: int = 0) -> None:
        vals = [s[a] for a in ins.args] + (datatypes.spread_values(self.funcs, s[ins.spread])
                                          if ins.spread is not None else [])
        args = datatypes.fmt_operands(t.heap, vals, self.program.types)
        k = ins.kind
        if k == "println":
            text = " ".join(fmt_value(a) for a in args) + "\n"
        elif k == "print":
            parts: list[str] = []
            for i, a in enumerate(args):
                if i and not isinstance(a, str) and not isinstance(args[i - 1], str):
                    parts.append(" ")
                parts.append(fmt_value(a))
            text = "".join(parts)
        elif k == "printf":
            text = printf(str(args[0]), args[1:]) if args else ""
        else:
            msg = printf(str(args[0]), args[1:]) if k.endswith("f") and args else " ".join(map(fmt_value, args))
            line = self.program.test_log_line(t.g(gid).frames) if gid else ins.pos[0]
            text = f"    {self.program.where(line)}: {msg}\n"
            if k.startswith(("error", "fatal")):
                t.failed = True
        t.emit(text)

    def with_cancel(self, t: Tx, parent: Any) -> ir.Ref:
        done = t.alloc(Chan(0))
        pobj = up = parent.obj if isinstance(parent, ir.Ref) else None
        while pobj is not None and t.get(pobj).kv:  # propagateCancel: the nearest cancellable ancestor
            pobj = t.get(pobj).parent
        # The new context's parent is `parent` itself, value contexts included: Value looks a key up
        # through every ancestor (context.go cancelCtx.Value -> value(c.Context, key)).
        me = t.alloc(Context(up, done))
        if pobj is not None:
            p = t.get(pobj)
            t.put(pobj, replace(p, children=p.children + (me,)))
            if p.cancelled:
                self.cancel(t, ir.Ref(me), p.reason)
        return ir.Ref(me)

    def cancel(self, t: Tx, ctx: Any, reason: str = "context canceled") -> None:
        """Cancel a context and its children: close their Done channels (idempotent).
        A deadline context's pending timer is stopped (context.go timerCtx.cancel)."""

        if not isinstance(ctx, ir.Ref):
            return
        c = t.get(ctx.obj)
        if c.cancelled or c.kv:
            return
        t.put(ctx.obj, replace(c, cancelled=True, reason=reason))
        if ("deadline", ctx.obj) in t.timers:
            t.unset_timer(("deadline", ctx.obj))
        chan.close_chan(t, c.done)
        for ch in c.children:
            self.cancel(t, ir.Ref(ch), reason)

    # ---- local instructions
    def run_locals(self, t: Tx, gid: int) -> None:
        """Run `gid`'s local instructions up to its next visible one (or its end)."""
        g = t.g(gid)
        if g.status != RUN or t.ended:
            return
        frames = list(g.frames)
        unwind = g.unwind
        fr = frames[-1]
        fn = self.funcs[fr.func]
        code, pc, slots = fn.code, fr.pc, list(fr.slots)
        defers = fr.defers
        n = 0
        I = ir  # noqa: N806
        try:
            while True:
                if unwind and len(frames) <= unwind:
                    if t.g(gid).recovering:  # the deferred call that recovered has returned
                        t.setg(replace(t.g(gid), recovering=False))
                        unwind = 0
                        pc = self.recover_pc(fn)
                        continue
                    if defers:
                        frames[-1] = Frame(fn.name, pc, tuple(slots), defers[:-1])
                        fname, clo, args = defers[-1]
                        frames.append(self._callee_frame(fname, clo, args))
                    else:
                        msg = t.g(gid).panicking
                        if msg and len(frames) == 1:
                            # Every deferred call has run: the crash itself is a step of its own,
                            # so another goroutine (main returning, say) may still win the race
                            # to end the process first, as in Go (runtime/panic.go: gopanic
                            # runs the defers, then fatalpanic).
                            frames[-1] = Frame(fn.name, pc, tuple(slots), ())
                            t.setg(replace(t.g(gid), frames=tuple(frames), unwind=0, wait=("crash", msg)))
                            return
                        frames.pop()
                        unwind = len(frames)
                        if not frames:
                            t.setg(G(gid, (), DONE))
                            if gid == 1 and fn.name == self.program.start and self.program.entry != "main":
                                # t.Fatal/t.SkipNow (runtime.Goexit) end the test, not the test
                                # binary: testing's tRunner returns and the binary's main goes on
                                t.main_done = True
                                if self.opts.main_exit == "exit":
                                    t.ended = True
                            return
                    fr = frames[-1]
                    fn = self.funcs[fr.func]
                    code, pc, slots, defers = fn.code, fr.pc, list(fr.slots), fr.defers
                    continue
                # `op is I.X` does not narrow `ins` for mypy (and isinstance or cast
                # would cost a call per instruction): `ins` is typed Any and each
                # case below binds it to a local annotated with the class it tested.
                ins: Any = code[pc]
                op = type(ins)
                if ins.VISIBLE or (op is I.Jump and ins.back):
                    break
                if op is I.Return and gid == 1 and len(frames) == 1 and not defers and not unwind:
                    break  # main returning ends the process (or starts the leak hunt): visible
                n += 1
                if n > LOCAL_LIMIT:
                    raise ModelLimitError(f"{self.program.where(ins.pos[0])}: goroutine {gid} ran {LOCAL_LIMIT} local "
                                          "instructions without reaching a scheduling point")
                if op is I.Const:
                    const: ir.Const = ins
                    slots[const.dst] = const.value
                elif op is I.Move:
                    move: ir.Move = ins
                    slots[move.dst] = slots[move.src]
                elif op is I.BinOp:
                    bop: ir.BinOp = ins
                    slots[bop.dst] = self.binop(bop.operator, slots[bop.a], slots[bop.b])
                elif op is I.Branch:
                    br: ir.Branch = ins
                    pc = br.then if slots[br.cond] else br.orelse
                    continue
                elif op is I.Jump:
                    jump: ir.Jump = ins
                    pc = jump.target
                    continue
                elif op is I.UnOp:
                    uop: ir.UnOp = ins
                    a = slots[uop.a]
                    slots[uop.dst] = wrap(-a) if uop.operator == "-" else (not a) if uop.operator == "!" else wrap(~a)
                elif op is I.Nop:
                    pass
                elif op is I.Recover:
                    rec: ir.Recover = ins
                    slots[rec.dst] = self.recover(t, gid, unwind, len(frames))
                elif op is I.Call or op is I.Return or op is I.Defer or op is I.RunDefers:
                    if op is I.RunDefers:
                        if not defers:
                            pc += 1
                            continue
                        # the deferred call returns here (the frame's pc stays at RunDefers)
                        frames[-1] = Frame(fn.name, pc, tuple(slots), defers[:-1])
                        fname, clo, args = defers[-1]
                        frames.append(self._callee_frame(fname, clo, args))
                    elif op is I.Defer:
                        dfr: ir.Defer = ins
                        clo = None if dfr.func is not None else slots[cast(int, dfr.fslot)]  # ir.Defer: one of the two
                        if dfr.func is None and not isinstance(clo, I.Closure):
                            raise GoPanic("runtime error: invalid memory address or nil pointer dereference")
                        defers = defers + ((dfr.func, clo, tuple(slots[a] for a in dfr.args)),)
                        pc += 1
                        continue
                    elif op is I.Call:
                        call: ir.Call = ins
                        clo = None if call.func is not None else slots[cast(int, call.fslot)]  # ir.Call: one of the two
                        if call.func is None and not isinstance(clo, I.Closure):
                            raise GoPanic("runtime error: invalid memory address or nil pointer dereference")
                        frames[-1] = Frame(fn.name, pc, tuple(slots), defers)
                        if len(frames) >= DEPTH_LIMIT:
                            raise ModelLimitError(f"{self.program.where(call.pos[0])}: goroutine {gid} exceeded "
                                                  f"{DEPTH_LIMIT} nested calls (unbounded recursion?)")
                        frames.append(self._callee_frame(call.func, clo, tuple(slots[a] for a in call.args)))
                    else:  # Return
                        if defers:
                            frames[-1] = Frame(fn.name, pc, tuple(slots), defers[:-1])
                            fname, clo, args = defers[-1]
                            frames.append(self._callee_frame(fname, clo, args))
                        else:
                            ret: ir.Return = ins
                            results = [slots[x] for x in ret.srcs]
                            frames.pop()
                            if not frames:
                                t.setg(G(gid, (), DONE))
                                if gid == 1 and fn.name == self.program.start:
                                    t.main_done = True
                                    if self.opts.main_exit == "exit":
                                        t.ended = True
                                return
                            fr = frames[-1]
                            fn = self.funcs[fr.func]
                            code, pc, slots, defers = fn.code, fr.pc, list(fr.slots), fr.defers
                            caller = code[pc]
                            if type(caller) is I.Call and not (unwind and len(frames) <= unwind):
                                for d, v in zip(caller.dsts, results):
                                    slots[d] = v
                                pc += 1
                            continue
                    fr = frames[-1]
                    fn = self.funcs[fr.func]
                    code, pc, slots, defers = fn.code, fr.pc, list(fr.slots), fr.defers
                    continue
                else:
                    self.local_heap_op(t, ins, slots)
                pc += 1
        except GoPanic as p:
            p.gid, p.pos = gid, code[pc].pos
            # the frames entered during this local run unwind too (their deferred calls run)
            frames[-1] = Frame(fn.name, pc, tuple(slots), defers)
            t.setg(replace(t.g(gid), frames=tuple(frames), unwind=unwind))
            raise
        finally:
            t.locals += n
        frames[-1] = Frame(fn.name, pc, tuple(slots), defers)
        g = t.g(gid)
        t.setg(g.moved(tuple(frames), g.status, g.wait, unwind))

    def recover(self, t: Tx, gid: int, unwind: int, depth: int) -> Any:
        """``recover()`` (Go spec, "Handling panics"; runtime/panic.go gorecover):
        the panic's value when called by a deferred function run by the panic
        (the frame right above the one being unwound), else nil.  The value
        is the panic's message (the model keeps panic values as their text).
        It stops the panic: the goroutine is no longer panicking and, once
        the deferred call returns, its frame returns normally."""
        g = t.g(gid)
        if not g.panicking or not unwind or depth != unwind + 1:
            return None
        msg = g.panicking.removeprefix("panic: ")
        if " [G" in msg:
            msg = msg[:msg.rindex(" [G")]
        t.setg(replace(g, panicking="", recovering=True))
        return msg

    def recover_pc(self, fn: ir.Function) -> int:
        """The pc after `fn`'s `ir.RecoverReturn` marker (its recovery epilogue)."""
        for i, ins in enumerate(fn.code):
            if type(ins) is ir.RecoverReturn:
                return i + 1
        raise InternalError(f"{fn.name} has no recovery epilogue")

    def _callee_frame(self, fname: str | None, clo: Any, args: tuple[Any, ...]) -> Frame:
        if fname is not None:
            return self.frame(self.funcs[fname], (), args)
        return self.frame(self.funcs[clo.func], clo.captures, args)

    def local_heap_op(self, t: Tx, ins: ir.Instr, slots: list[Any]) -> None:
        op = type(ins)
        if op is ir.MakeClosure:
            mc = cast(ir.MakeClosure, ins)
            slots[mc.dst] = ir.Closure(mc.func, tuple(slots[c] for c in mc.captures))
        elif op is ir.New:
            nw = cast(ir.New, ins)
            slots[nw.dst] = self.new_object(t, nw.type)
        elif op is ir.Addr:
            ad = cast(ir.Addr, ins)
            o = self.global_obj[ad.name]
            slots[ad.dst] = ir.Ref(o, 0) if self.global_scalar[ad.name] else ir.Ref(o)
        elif op is ir.FieldAddr:
            fa = cast(ir.FieldAddr, ins)
            base = slots[fa.base]
            if not isinstance(base, ir.Ref):
                raise GoPanic("runtime error: invalid memory address or nil pointer dereference")
            f = fa.field
            if fa.index is not None:
                f = slots[fa.index]
                n = len(t.get(base.obj).fields)
                if not 0 <= f < n:
                    raise GoPanic(f"runtime error: index out of range [{f}] with length {n}")
            slots[fa.dst] = ir.Ref(base.obj, f)
        elif op is ir.FieldObj:
            fo = cast(ir.FieldObj, ins)
            base = slots[fo.base]
            if not isinstance(base, ir.Ref):
                raise GoPanic("runtime error: invalid memory address or nil pointer dereference")
            slots[fo.dst] = t.load(ir.Ref(base.obj, fo.field))
        elif op is ir.MakeChan:
            mch = cast(ir.MakeChan, ins)
            cap = 0 if mch.cap is None else slots[mch.cap]
            if cap < 0:
                raise GoPanic("makechan: size out of range")
            slots[mch.dst] = ir.Ref(t.alloc(Chan(cap)))
        elif op is ir.MakeCond:
            mco = cast(ir.MakeCond, ins)
            from models.state import Cond

            slots[mco.dst] = ir.Ref(t.alloc(Cond(slots[mco.locker])))
        elif op is ir.CondLocker:
            cl = cast(ir.CondLocker, ins)
            c = slots[cl.cond]
            if not isinstance(c, ir.Ref):
                raise GoPanic("runtime error: invalid memory address or nil pointer dereference")
            slots[cl.dst] = t.get(c.obj).locker  # c.L never changes after NewCond: local
        elif op is ir.CapOf:
            co = cast(ir.CapOf, ins)
            c = slots[co.ch]
            slots[co.dst] = t.get(c.obj).cap if c is not None else 0
        elif op is ir.PipeMake:
            pm = cast(ir.PipeMake, ins)
            from models.state import Pipe

            o = t.alloc(Pipe())
            slots[pm.dst_r], slots[pm.dst_w] = ir.Ref(o, "r"), ir.Ref(o, "w")
        elif op is ir.Background:
            bg = cast(ir.Background, ins)
            slots[bg.dst] = BACKGROUND
        elif op is ir.CtxDone:
            cd = cast(ir.CtxDone, ins)
            c = slots[cd.ctx]
            done = t.get(c.obj).done if isinstance(c, ir.Ref) else -1
            slots[cd.dst] = ir.Ref(done) if done >= 0 else None  # -1: a value context under Background
        elif op in library.LOCAL:
            library.LOCAL[op](t, ins, slots)
        elif op in datatypes.LOCAL_OPS:
            datatypes.exec_local(t, ins, slots)
        else:
            raise ModelLimitError(f"internal: unknown local instruction {ins.op}")

    @staticmethod
    def binop(o: str, a: Any, b: Any) -> Any:
        if o == "+":
            if isinstance(a, str):
                if len(a) + len(b) > MAX_STRING:  # doubling a string 40 times must not exhaust the machine
                    raise ModelLimitError(f"a string longer than {MAX_STRING} characters (the model's limit)")
                return a + b
            return wrap(a + b)
        if o == "-":
            return wrap(a - b)
        if o == "*":
            return wrap(a * b)
        if o in ("/", "%"):
            if b == 0:
                raise GoPanic("runtime error: integer divide by zero")
            q = abs(a) // abs(b)
            q = q if (a >= 0) == (b >= 0) else -q
            return wrap(q) if o == "/" else wrap(a - b * q)
        if o == "==":
            return type(a) is type(b) and a == b
        if o == "!=":
            return not (type(a) is type(b) and a == b)
        if isinstance(a, str) and o in ("<", "<=", ">", ">="):  # Go compares strings bytewise
            a, b = ir.go_bytes(a), ir.go_bytes(b)
        if o == "<":
            return a < b
        if o == "<=":
            return a <= b
        if o == ">":
            return a > b
        if o == ">=":
            return a >= b
        if o == "&":
            return wrap(a & b)
        if o == "|":
            return wrap(a | b)
        if o == "^":
            return wrap(a ^ b)
        if o == "&^":
            return wrap(a & ~b)
        if o in ("<<", ">>"):
            if b < 0:
                raise GoPanic("runtime error: negative shift amount")
            return wrap(a << min(b, 64)) if o == "<<" else a >> b  # 1 << 1e12 is 0 in 64 bits, not 125 GB
        raise ModelLimitError(f"internal: unknown operator {o}")


# --------------------------------------------------------------------------- the dispatch table
#
# Each visible instruction has one handler ``(tx, gid, ins, slots, choice)``.
# The primitives' modules (`models.chan`, `models.select`, `models.sync`,
# `models.atomic`, `models.pipe`) each export ``HANDLERS``; the instructions
# below are the interpreter's own.  The table is checked against
# `ir.INSTRUCTIONS` at import: a visible instruction with no handler (or a
# local one with a visible handler) is a build error, never a Go panic.


def _return(t: Tx, gid: int, ins: ir.Return, s: tuple[Any, ...], choice: int | None) -> None:
    """main returns from the program's start function (a visible Return)."""
    t.setg(G(gid, (), DONE))
    t.main_done = True
    t.ended = t.m.opts.main_exit == "exit"


def _load(t: Tx, gid: int, ins: ir.Load, s: tuple[Any, ...], choice: int | None) -> None:
    t.advance(gid, ((ins.dst, t.load(s[ins.ptr])),))


def _store(t: Tx, gid: int, ins: ir.Store, s: tuple[Any, ...], choice: int | None) -> None:
    t.store(s[ins.ptr], s[ins.src])
    t.advance(gid)


def _jump(t: Tx, gid: int, ins: ir.Jump, s: tuple[Any, ...], choice: int | None) -> None:
    t.advance(gid, target=ins.target)


def _len_of(t: Tx, gid: int, ins: ir.LenOf, s: tuple[Any, ...], choice: int | None) -> None:
    c = s[ins.ch]
    t.advance(gid, ((ins.dst, len(t.get(c.obj).buf) if c is not None else 0),))


def _go(t: Tx, gid: int, ins: ir.Go, s: tuple[Any, ...], choice: int | None) -> None:
    t.m.exec_go(t, ins, s)
    t.advance(gid)


def _print(t: Tx, gid: int, ins: ir.Print, s: tuple[Any, ...], choice: int | None) -> None:
    t.m.exec_print(t, ins, s, gid)
    t.advance(gid)


def _panic(t: Tx, gid: int, ins: ir.Panic, s: tuple[Any, ...], choice: int | None) -> None:
    raise GoPanic(t.m.panic_text(t, s[ins.v]))


def _gosched(t: Tx, gid: int, ins: ir.Gosched, s: tuple[Any, ...], choice: int | None) -> None:
    t.advance(gid)


def _goexit(t: Tx, gid: int, ins: ir.Goexit, s: tuple[Any, ...], choice: int | None) -> None:
    g = t.g(gid)
    t.setg(replace(g, unwind=len(g.frames)))


def _sleep(t: Tx, gid: int, ins: ir.Sleep, s: tuple[Any, ...], choice: int | None) -> None:
    """``time.Sleep``: ``timeSleep`` reads the clock and parks with no other
    goroutine run in between (TM-4), so a sleep is held back by every
    earlier, shorter timer (`models.timeorder`)."""
    t.set_timer("sleep", gid, s[ins.d], gid, sleep=True)
    t.park(gid, ("sleep",))


def _after(t: Tx, gid: int, ins: ir.After, s: tuple[Any, ...], choice: int | None) -> None:
    c = t.alloc(Chan(1))
    t.set_timer("after", c, s[ins.d], gid)
    t.advance(gid, ((ins.dst, ir.Ref(c)),))


def _with_cancel(t: Tx, gid: int, ins: ir.WithCancel, s: tuple[Any, ...], choice: int | None) -> None:
    t.advance(gid, ((ins.dst, t.m.with_cancel(t, s[ins.parent])),))


def _cancel(t: Tx, gid: int, ins: ir.Cancel, s: tuple[Any, ...], choice: int | None) -> None:
    t.m.cancel(t, s[ins.ctx])
    t.advance(gid)


def _syscall(t: Tx, gid: int, ins: ir.Syscall, s: tuple[Any, ...], choice: int | None) -> None:
    t.park(gid, ("syscall", ins.name))  # entersyscall (SCH-25): returns on an environment event


def _ctx_err(t: Tx, gid: int, ins: ir.CtxErr, s: tuple[Any, ...], choice: int | None) -> None:
    c = s[ins.ctx]
    while isinstance(c, ir.Ref) and t.get(c.obj).kv:  # a value context: its cancellable ancestor's Err
        p = t.get(c.obj).parent
        c = ir.Ref(p) if p is not None else None
    err = None
    if isinstance(c, ir.Ref) and t.get(c.obj).cancelled:
        err = t.get(c.obj).reason or "context canceled"
    t.advance(gid, ((ins.dst, err),))


def _num_goroutine(t: Tx, gid: int, ins: ir.NumGoroutine, s: tuple[Any, ...], choice: int | None) -> None:
    n = sum(1 for g in t.gs if g.status != DONE) + (choice or 0)
    if t.m.program.entry != "main":
        n += 1  # go test: the test binary's main goroutine waits in t.Run for the test's goroutine
    t.advance(gid, ((ins.dst, n),))


def _no_choice(h: Callable[..., None]) -> Callable[..., None]:
    """A primitive's handler ``(tx, gid, ins, slots)`` in the table's shape."""
    return lambda t, gid, ins, s, choice: h(t, gid, ins, s)


def _build_table() -> dict[type[ir.Instr], Callable[..., None]]:
    own: dict[type[ir.Instr], Callable[..., None]] = {
        ir.Return: _return, ir.Load: _load, ir.Store: _store, ir.Jump: _jump, ir.LenOf: _len_of, ir.Go: _go,
        ir.Print: _print, ir.Panic: _panic, ir.Gosched: _gosched, ir.Goexit: _goexit, ir.Sleep: _sleep,
        ir.After: _after, ir.WithCancel: _with_cancel, ir.Cancel: _cancel, ir.Syscall: _syscall,
        ir.CtxErr: _ctx_err, ir.NumGoroutine: _num_goroutine,
    }
    table = dict(own)
    for mod in (chan, sync, atomic, pipe):
        for cls, h in mod.HANDLERS.items():
            if cls in table:
                raise ImportError(f"two handlers for the visible instruction {cls.__name__}")
            table[cls] = _no_choice(h)
    for cls, h in select.HANDLERS.items():
        table[cls] = h
    for cls, h in datatypes.HANDLERS.items():  # slices and maps: (tx, gid, ins, slots, choice)
        table[cls] = h
    for cls, h in library.HANDLERS.items():  # timers, rand, context deadlines, log.Fatal
        table[cls] = h
    for cls, h in syncmap.HANDLERS.items():  # sync.Map: (tx, gid, ins, slots, choice)
        table[cls] = h
    for name, cls in ir.INSTRUCTIONS.items():
        if cls.VISIBLE and cls not in table and cls not in _SOMETIMES_VISIBLE:
            raise ImportError(f"models.interp: the visible instruction {name} has no handler")
        if not cls.VISIBLE and cls in table and cls not in _SOMETIMES_VISIBLE:
            raise ImportError(f"models.interp: {name} is local but has a visible handler")
    unknown = set(table) - set(ir.INSTRUCTIONS.values())
    if unknown:
        raise ImportError(f"models.interp: handlers for instructions not in ir.INSTRUCTIONS: {unknown}")
    return table


#: Instructions whose visibility depends on the instance (a backward Jump is
#: a preemption point; main's Return ends the program): both paths exist.
_SOMETIMES_VISIBLE = (ir.Jump, ir.Return)

VISIBLE: dict[type[ir.Instr], Callable[..., None]] = _build_table()
