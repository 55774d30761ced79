"""The reference runtime: runs a `models.ir.Program` for real, with Ms as OS
threads, and reports what Go would print and exit with.

Failure behaviour follows Go: a panic prints ``panic: V`` and the panicking
goroutine's stack, exit 2; a runtime throw prints ``fatal error: MSG`` and
every goroutine's stack, exit 2; ``checkdead`` (DL-2) reports "all
goroutines are asleep - deadlock!" when every M is idle, no timer is
pending and no goroutine waits on the poller.  When main returns the
program exits 0 and the other goroutines are abandoned (reported as
`RunResult.leaked`).
"""

from __future__ import annotations

import itertools
import os
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from models import ir

from . import objects as o
from . import syncprims as sp
from .interp import (
    DIED,
    EXITED,
    PARKED,
    STOPPED,
    YIELD_GLOBAL,
    YIELD_LOCAL,
    Frame,
    Interp,
    fmt_value,
)
from .netpoll import NATIVES, Poller
from .sched import G_DEAD, G_RUNNABLE, G_RUNNING, G_SYSCALL, G_WAITING, G, M, Scheduler, Timers


class _FramePos:
    """A frame as `ir.Program.test_log_line` reads it: its function's name and pc."""

    __slots__ = ("func", "pc")

    def __init__(self, func: str, pc: int):
        self.func = func
        self.pc = pc


_SYNC = {"sync.Mutex": sp.Mutex, "sync.RWMutex": sp.RWMutex, "sync.WaitGroup": sp.WaitGroup, "sync.Once": sp.Once}


@dataclass
class RunResult:
    """What a run did: Go's exit code, stdout and stderr text, the event log,
    the goroutines still alive at exit, scheduler statistics."""

    exit_code: int
    output: str
    stderr: str
    events: list = field(default_factory=list)
    leaked: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    diverged: str | None = None
    steps: int = 0
    timed_out: bool = False
    #: with ``observe``: scheduler events (`reference.observe`), schedtrace lines, metrics at the end
    sched_events: list = field(default_factory=list)
    schedtrace: list = field(default_factory=list)
    metrics: dict = field(default_factory=dict)


class Controller:
    """Controlled mode: a token lets only ``schedule[i]`` start its next
    visible instruction.  A step is one visible instruction plus the local
    ones after it; it ends when the goroutine reaches its next visible
    instruction, parks, or exits.  Goroutines whose turn it is not park here
    ("controlled") and are readied when the token reaches them.  An
    instruction that parks has used its entry; finishing it after the wake-up
    needs none.  After the last entry the run continues freely."""

    def __init__(self, rt: Runtime, schedule: list[int]):
        self.rt = rt
        self.schedule = list(schedule)
        self.i = 0
        self.active: G | None = None
        self.waiting: dict[int, G] = {}
        self.lock = threading.Lock()

    def _advance_locked(self) -> list[G]:
        self.i += 1
        self.active = None
        if self.i >= len(self.schedule):
            out = list(self.waiting.values())
            self.waiting.clear()
            return out
        nxt = self.waiting.pop(self.schedule[self.i], None)
        return [nxt] if nxt is not None else []

    def before_visible(self, g: G) -> Any:
        """None: go ahead; else a generator that parks `g` until its turn."""
        self.lock.acquire()
        wake = self._advance_locked() if self.active is g else []
        if self.i >= len(self.schedule):
            self.lock.release()
            self._wake(wake, g)
            return None
        if self.schedule[self.i] == g.id and self.active is None:
            self.active = g
            self.lock.release()
            self._wake(wake, g)
            return None
        self.waiting[g.id] = g
        lock = self.lock
        self._wake(wake, g)  # readying takes other locks only; ours is released by gopark

        def park():
            yield (o.PARK, "controlled", lock.release)
        return park()

    def step_end(self, g: G) -> None:
        """`g` parked or exited: its step is over."""
        with self.lock:
            wake = self._advance_locked() if self.active is g else []
        self._wake(wake, g)

    def _wake(self, gs: list[G], g: G) -> None:
        p = g.m.p if g.m is not None else None
        for w in gs:
            self.rt.sched.ready(w, p)


class Runtime:
    """One run of one program."""

    def __init__(self, program: ir.Program, procs: int, runq_size: int, time_slice_ms: float, seed: int | None,
                 schedule: list[int] | None, natives: dict | None, echo: bool, record: bool):
        self.program = program
        self.natives = dict(NATIVES)
        self.natives["context.cancel"] = _native_cancel
        self.natives.update(natives or {})
        self.echo = echo
        self.record = record
        self.rand = random.Random(seed)
        self.dead = False
        self.exit_lock = threading.Lock()
        self.done = threading.Event()
        self.exit_code = 0
        self.err_text = ""
        self.diverged: str | None = None
        self.leaked: list[str] = []
        self.out: list[str] = []
        self.events: list[dict] = []
        self.loglock = threading.Lock()
        self.test_failed = False
        self.heap: dict[int, Any] = {}
        self._oids = itertools.count()
        self._gids = itertools.count(1)
        self.allgs: dict[int, G] = {}
        self.tm = Timers()
        self.timers = self.tm.heap
        self.poller = Poller()
        self.sched = Scheduler(self, procs, runq_size, time_slice_ms)
        self.mutex_starvation = True  # sync.Mutex starvation mode (Go >= 1.9, MU-5)
        self.ctl = Controller(self, schedule) if schedule is not None else None
        self.interp = Interp(self)
        self.global_refs: dict[str, ir.Ref] = {}
        self._bg: ir.Ref | None = None
        self._bg_lock = threading.Lock()
        #: scheduler events, schedtrace and metrics (`reference.observe`), when asked for
        self.obs: Any = None
        #: what a "minute" of waiting is in goroutine dumps (Go: 60 s, runtime/traceback.go)
        self.minute_ns = 60_000_000_000

    # ------------------------------------------------------------ heap

    def new_obj(self, make: Any) -> ir.Ref:
        oid = next(self._oids)
        self.heap[oid] = make(oid)
        return ir.Ref(oid)

    def new_chan(self, cap: int, zero: Any) -> ir.Ref:
        return self.new_obj(lambda oid: o.Chan(oid, cap, zero))

    def alloc(self, t: ir.Type, oid: int | None = None) -> ir.Ref:
        """`New`: objects get a Ref(obj); scalars a cell, Ref(obj, 0); boxed fields too."""
        if oid is None:
            oid = next(self._oids)
        k = t.kind
        if k == "struct":
            self.heap[oid] = ob = o.Obj(oid, k, {})
            ob.f.update({n: (self.alloc(ft) if ft.is_object else ft.zero()) for n, ft in t.fields})
            return ir.Ref(oid)
        if k == "array":
            self.heap[oid] = ob = o.Obj(oid, k, [])
            e = t.elem
            assert e is not None  # an array type has an element type
            ob.f.extend(self.alloc(e) if e.is_object else e.zero() for _ in range(t.length))
            return ir.Ref(oid)
        if k in _SYNC:
            self.heap[oid] = _SYNC[k](oid)
            return ir.Ref(oid)
        if k == "sync.Cond":
            self.heap[oid] = sp.Cond(oid, None)
            return ir.Ref(oid)
        if k == "sync.Map":
            self.heap[oid] = o.Obj(oid, k, {})
            return ir.Ref(oid)
        if k.startswith("atomic."):
            self.heap[oid] = o.Obj(oid, k, {"v": False if k == "atomic.Bool" else None if k == "atomic.Value" else 0})
            return ir.Ref(oid)
        if t.is_object:
            self.heap[oid] = o.Obj(oid, k, {})
            return ir.Ref(oid)
        self.heap[oid] = o.Obj(oid, "cell", [t.zero()])
        return ir.Ref(oid, 0)

    @property
    def background(self) -> ir.Ref:
        """context.Background(): one never-cancelled context, allocated on first use."""
        with self._bg_lock:
            if self._bg is None:
                self._bg = self.new_obj(lambda oid: o.Context(oid, None, None))
            return self._bg

    def with_cancel(self, parent: o.Context) -> ir.Ref:
        done = self.new_chan(0, None)
        ref = self.new_obj(lambda oid: o.Context(oid, self.heap[done.obj], parent))
        ctx = self.heap[ref.obj]
        ctx.done_ref = done
        cancel_now = False
        if parent.done is not None:
            with parent.lock:
                if parent.err is not None:
                    cancel_now = True
                else:
                    parent.children.append(ctx)
        if cancel_now:
            o.ctx_cancel(self, None, ctx)
        return ref

    # ------------------------------------------------------------ goroutines

    def newproc(self, parent: G | None, name: str, values: tuple, line: int) -> G:
        fn = self.program.functions.get(name)
        if fn is None:
            raise o.GoFatal(f"reference: go statement of unknown function {name!r}")
        g = G(next(self._gids), name, line)
        g.frames.append(Frame(fn, values, ()))
        g.parent = parent.id if parent is not None else 0
        if parent is not None and parent.frames:
            g.creator = parent.frames[-1].fn.name
        self.allgs[g.id] = g
        if self.obs is not None:
            m = parent.m if parent is not None else None
            self.obs.ev("GoCreate", g, m.p if m is not None else None, m, parent=g.parent, line=line)
        return g

    def ready(self, g: G, p: Any) -> None:
        self.sched.ready(g, p)

    def can_spin(self, it: int, g: G) -> bool:
        return self.sched.can_spin(it, g)

    def execute(self, m: M, g: G, inherit: bool) -> None:
        """``execute`` (SCH-11): a new slice unless inherited; run; act on why it stopped."""
        p = m.p
        assert p is not None  # execute runs on an M that holds a P (SCH-11)
        if not inherit:
            p.schedtick += 1
        g.status = G_RUNNING
        g.m = m
        m.curg = g
        p.curg = g
        g.preempt = False
        if self.dead:
            return
        obs = self.obs
        if obs is not None:
            obs.latency(time.monotonic_ns() - g.since)
            obs.ev("GoStart", g, p, m, inherit=inherit)
        if not g.started:
            g.started = True
            if self.record:
                self.ev(g, None, action="Start", line=g.line)
        r = self.interp.run(g)
        m.curg = None
        if m.p is not None:
            m.p.curg = None
        if r != PARKED and r != EXITED and r != DIED:
            g.since = time.monotonic_ns()
        if obs is not None and r != EXITED:
            kind = {PARKED: "GoBlock", YIELD_LOCAL: "GoSched", STOPPED: "GoStop", DIED: "GoStop"}.get(r)
            if r == YIELD_GLOBAL:
                kind = "GoPreempt" if g.preempted else "GoSched"
            obs.ev(kind or "GoStop", g, m.p, m, reason=g.waitreason if r == PARKED else "")
        g.preempted = False
        if r == PARKED:
            uf, g.unlockf = g.unlockf, None
            assert uf is not None  # every park names its unlock function
            if self.ctl is not None and g.waitreason != "controlled":
                self.ctl.step_end(g)
            uf()
        elif r == YIELD_GLOBAL:
            g.status = G_RUNNABLE
            self.sched.globrunqput(g)
        elif r == YIELD_LOCAL:
            g.status = G_RUNNABLE
            assert m.p is not None  # a local yield keeps the P
            self.sched.runqput(m.p, g, False)
        elif r == STOPPED:
            g.status = G_RUNNABLE
            self.sched.globrunqput(g)
        elif r == EXITED:
            self.goexit(g)

    def num_goroutine(self) -> int:
        """runtime.NumGoroutine: the goroutines that exist (created, not yet ended)."""
        with self.loglock:
            return len(self.allgs)

    def goexit(self, g: G) -> None:
        g.status = G_DEAD
        self.allgs.pop(g.id, None)
        if self.obs is not None:
            self.obs.ev("GoEnd", g, g.m.p if g.m is not None else None, g.m)
        if self.record:
            self.ev(g, None, action="Return", line=g.eline)
        if self.ctl is not None:
            self.ctl.step_end(g)
        test = self.program.entry.startswith("Test")
        if g.id == 1 and (not g.goexiting or test):  # t.Fatal/SkipNow (Goexit) end the test, not the binary
            if test:
                if self.test_failed:
                    self.output(None, None, f"--- FAIL: {self.program.entry}\nFAIL\n")
                    self.die(1, "")
                    return
                self.output(None, None, "PASS\n")
            self.die(0, "")

    # ------------------------------------------------------------ events and output

    def ev(self, g: G, ins: Any, obj: Any = None, **extra: Any) -> None:
        with self.loglock:
            self.ev_locked(g, ins, obj, **extra)

    def ev_locked(self, g: G, ins: Any, obj: Any = None, action: str | None = None, line: int | None = None,
                  **extra: Any) -> None:
        m = g.m
        p = m.p if m is not None else None
        e = {"g": g.id, "p": p.id if p is not None else None, "m": m.id if m is not None else None,
             "action": action or ins.op, "object": obj, "line": line if line is not None else ins.pos[0]}
        if extra:
            e.update(extra)
        if self.obs is not None:
            e["ts"] = self.obs.now()
        self.events.append(e)

    def output(self, g: G | None, ins: Any, text: str) -> None:
        if ins is not None and ins.kind not in ("println", "print", "printf"):
            if ins.kind.startswith(("error", "fatal")):
                self.test_failed = True
            line = self.program.test_log_line([_FramePos(f.fn.name, f.pc) for f in g.frames]) \
                if g is not None and g.frames else ins.pos[0]
            text = f"    {os.path.basename(self.program.file)}:{line}: {text.rstrip(chr(10))}\n"
        with self.loglock:
            if self.dead:
                return
            self.out.append(text)
            if self.echo:
                sys.stdout.write(text)
                sys.stdout.flush()
            if self.record and g is not None:
                self.ev_locked(g, ins, None, text=text)

    # ------------------------------------------------------------ time

    def add_timer(self, when: int, fn: Any) -> None:
        self.tm.add(when, fn)
        if self.sched.polling:
            self.poller.wakeup()

    def sleep(self, g: G, d: int):
        def gen():
            if d <= 0:
                return
            when = time.monotonic_ns() + d
            yield (o.PARK, "sleep", lambda: self.add_timer(when, lambda p: [g]))
        return gen()

    def after(self, d: int) -> ir.Ref:
        ref = self.new_chan(1, 0)
        c = self.heap[ref.obj]
        self.add_timer(time.monotonic_ns() + max(d, 0), lambda p: (o.chan_send_nb(self, c, ir.TIME_NOW, p), [])[1])  # a clock reading
        return ref

    def run_timers(self, p: Any) -> list[G]:
        """``checkTimers``: run expired timers; with a P readied Gs go to its runnext."""
        if not self.timers:
            return []
        gl: list[G] = []
        for fn in self.tm.expired():
            gl += fn(p)
        if p is not None:
            for g in gl:
                self.sched.ready(g, p)
            return []
        return gl

    def next_timer_delay(self) -> float | None:
        h = self.timers
        if not h:
            return None
        return max(0.0, (h[0][0] - time.monotonic_ns()) / 1e9)

    # ------------------------------------------------------------ dying

    def checkdead_locked(self) -> None:
        """DL-2, under sched.lock: only when every M is idle."""
        s = self.sched
        if self.dead or len(s.ms) - len(s.midle) > 0:
            return
        gs = sorted(self.allgs.values(), key=lambda g: g.id)
        if any(g.status in (G_RUNNABLE, G_RUNNING, G_SYSCALL) for g in gs):
            self.die(2, "fatal error: checkdead: runnable g\n" + self.dump(gs), locked=True)
            return
        if self.ctl is not None and gs and (self.timers or self.poller.nwaiters):
            return  # a pending timer (or poller waiter) will ready someone: not stuck yet
        if self.ctl is not None and self.ctl.waiting:
            want = self.ctl.schedule[self.ctl.i]
            g = self.allgs.get(want)
            state = f"[{g.waitreason}]" if g is not None else "does not exist or has exited"
            self.diverged = f"schedule diverged at step {self.ctl.i}: goroutine {want} cannot move: {state}"
            self.die(3, "reference: " + self.diverged + "\n\n" + self.dump(gs), locked=True)
            return
        if not gs:
            self.die(2, "fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n", locked=True)
            return
        if self.timers or self.poller.nwaiters:
            return
        self.die(2, "fatal error: all goroutines are asleep - deadlock!\n\n" + self.dump(gs), locked=True)

    def fatal(self, msg: str, g: G) -> None:
        gs = sorted(self.allgs.values(), key=lambda x: x.id)
        self.die(2, f"fatal error: {msg}\n\n" + self.dump(gs, running=g))

    def panic_exit(self, g: G) -> None:
        if self.obs is not None:
            self.obs.ev("GoPanic", g, g.m.p if g.m is not None else None, g.m)
        lines = []
        for i, e in enumerate(g.panicking):
            v = e.value if isinstance(e.value, str) else fmt_value(e.value)
            text = ("runtime error: " if e.runtime_error else "") + v
            lines.append(("panic: " if i == 0 else "\tpanic: ") + text + ("\n" + e.extra if e.extra else ""))
        self.die(2, "\n".join(lines) + "\n\n" + self.dump([g], running=g))

    def internal_error(self, e: BaseException) -> None:
        import traceback

        self.die(70, "reference: internal error: " + "".join(traceback.format_exception(e)))

    def die(self, code: int, text: str, locked: bool = False) -> None:
        with self.exit_lock:
            if self.dead:
                return
            self.dead = True
            self.exit_code = code
            self.err_text = text
            self.leaked = [self.describe(g) for g in sorted(self.allgs.values(), key=lambda g: g.id)
                           if g.status != G_DEAD and not (g.id == 1 and code == 0)]
            for g in list(self.allgs.values()):
                g.preempt = True
        self.done.set()
        self.poller.wakeup()
        if locked:
            self.sched.wake_all_locked()
        else:
            with self.sched.lock:
                self.sched.wake_all_locked()

    # ------------------------------------------------------------ goroutine dumps

    def _func_name(self, name: str) -> str:
        parts = name.split("$")
        return "main." + parts[0] + "".join(f".func{p}" for p in parts[1:])

    def _frames(self, g: G) -> list[tuple[str, int]]:
        if g.panicking and isinstance(g.param, list):
            return g.param
        out = []
        for i, fr in enumerate(reversed(g.frames)):
            pc = fr.pc if i == 0 else max(fr.pc - 1, 0)
            line = fr.code[min(pc, len(fr.code) - 1)].pos[0] if fr.code else 0
            if fr.fn.name == self.program.start and len(g.frames) > 1:
                continue
            out.append((fr.fn.name, line))
        return out

    def _state(self, g: G, running: G | None) -> str:
        if g is running or g.status == G_RUNNING:
            return "running"
        if g.status == G_WAITING:
            return g.waitreason
        return g.status

    def dump(self, gs: list[G], running: G | None = None) -> str:
        """Go's traceback (``runtime/traceback.go`` goroutineheader, traceback,
        printcreatedby): ``goroutine N [state]:`` (with ``, K minutes`` once a
        goroutine has waited a minute or more), func() and file:line per
        frame, then ``created by F in goroutine P`` and the go statement's
        line for every goroutine but main's (go1.21 wording)."""
        out = []
        now = time.monotonic_ns()
        for g in gs:
            state = self._state(g, running)
            waited = (now - g.since) // self.minute_ns if g.status == G_WAITING else 0
            if waited >= 1:
                state += f", {waited} minutes"
            lines = [f"goroutine {g.id} [{state}]:"]
            for name, line in self._frames(g):
                lines.append(f"{self._func_name(name)}()\n\t{self.program.file}:{line}")
            if g.parent and g.creator:
                lines.append(f"created by {self._func_name(g.creator)} in goroutine {g.parent}\n"
                             f"\t{self.program.file}:{g.line}")
            out.append("\n".join(lines) + "\n")
        return "\n".join(out)

    def goroutines(self) -> list[dict[str, Any]]:
        """Every live goroutine as data: id, state, wait reason, seconds in that
        state, source line (innermost frame), frames, creator."""
        now = time.monotonic_ns()
        with self.sched.lock:
            gs = sorted(self.allgs.values(), key=lambda g: g.id)
        out = []
        for g in gs:
            fr = self._frames(g)
            out.append({"id": g.id, "state": g.status, "wait_reason": g.waitreason if g.status == G_WAITING else "",
                        "waited_s": (now - g.since) / 1e9, "line": fr[0][1] if fr else g.line,
                        "frames": [[self._func_name(n), ln] for n, ln in fr],
                        "created_by": g.parent or None})
        return out

    def quit(self, header: str = "SIGQUIT: quit") -> None:
        """What Go does on SIGQUIT: dump every goroutine and exit with status 2."""
        with self.sched.lock:
            gs = sorted(self.allgs.values(), key=lambda g: g.id)
        self.die(2, f"{header}\n\n" + self.dump(gs))

    def describe(self, g: G) -> str:
        fr = self._frames(g)
        where = f"{self._func_name(fr[0][0])} at {os.path.basename(self.program.file)}:{fr[0][1]}" if fr else g.fn
        return f"goroutine {g.id} [{self._state(g, None)}]: {where}"

    # ------------------------------------------------------------ start and stop

    def start(self) -> None:
        prog = self.program
        oids = [next(self._oids) for _ in prog.globals]
        for gl, oid in zip(prog.globals, oids):
            self.global_refs[gl.name] = self.alloc(gl.type, oid)
            if gl.name == ir.GOMAXPROCS_VAR:  # runtime.GOMAXPROCS starts at the number of Ps
                self.heap[oid].f[0] = len(self.sched.ps)
        main = self.newproc(None, prog.start, (), prog.functions[prog.start].pos[0])
        s = self.sched
        with s.lock:
            for p in s.ps[1:]:
                s.pidle.append(p)
            p0 = s.ps[0]
            p0.runnext = main
            s._startm_locked(p0, False)
        self.sysmon = threading.Thread(target=s.sysmon, name="gocheck-sysmon", daemon=True)
        self.sysmon.start()

    def shutdown(self) -> None:
        self.die(self.exit_code, self.err_text)
        for m in list(self.sched.ms):
            if m.thread is not None and m.thread is not threading.current_thread():
                m.thread.join(timeout=1.0)
        self.sysmon.join(timeout=1.0)
        try:
            self.poller.shutdown()
        except OSError:
            pass


def _native_cancel(rt: Runtime, g: G, args: tuple):
    """The cancel func of ``context.WithCancel`` (a `Cancel` step)."""
    ctx = rt.heap[args[0].obj]
    o.ctx_cancel(rt, g, ctx)
    if rt.record:
        fr = g.frames[-1]
        rt.ev(g, None, ctx.id, action="Cancel", line=fr.code[fr.pc].pos[0])
    return ()
    yield
