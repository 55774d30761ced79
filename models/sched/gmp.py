"""Go's G-M-P runtime scheduler as an exact state machine (``runtime.scheduler: gmp``).

The goroutines' semantics are the shared step function of
`models.interp.Interpreter` (the contract is `models.sched.abstract`'s
docstring); this module decides *who* runs, the way ``src/runtime/proc.go``
(go1.21.12) does, rule by rule from docs/go-semantics.md section 1.

Start
-----
``runtime.startup: any`` (default): ``p.schedtick`` at ``main.main`` is
any value modulo ``global_check_every`` (package initialisation ran an
unknown number of slices), and the finalizer goroutine started by ``os``
init (`RUNTIME_G`) is in P0's runnext or already gone, and a runtime
background worker that yielded may wait in the global queue.  ``fixed``:
tick 1, empty queues.

State
-----
``GmpState(world, ps, gq, lat)``: the `World`; one `PState` per P
(``runtime.procs``, SCH-1/SCH-3): the G it runs, ``runnext``, the bounded
local queue (``runtime.runq_size``), ``schedtick`` modulo
``runtime.global_check_every`` and the slice counter (0/1 under
``preempt: any``: whether the slice has taken a step; forgotten when the P
has nothing to pass it on to); the global queue
``gq`` (SCH-7); ``lat`` per-goroutine scheduling latencies, capped at N+1
(empty unless ``max_latency: N`` is checked).  A P with ``cur == 0`` is in
``schedule``; it is *idle* (parked, SCH-3 ``_Pidle``) when it can find
nothing to run, and it leaves that state as soon as work appears anywhere
it may look (``wakep``, SCH-22, is not modelled as a separate step).

Actions (all small tuples, stable order: by P, then by goroutine choice)
---------------------------------------------------------------------
- ``("step", p, gid, choice)``: the goroutine running on P ``p`` takes one
  step (``choice`` as in ``Interpreter.choices``).  Its events drive the queues:
  ``spawned`` and ``woken`` go to this P's runnext, the old one kicked to the
  tail (SCH-8/13/14), a full queue spilling half plus one to the global
  queue (SCH-9); ``blocked``/``exited`` free the P; ``yielded``
  (``runtime.Gosched``) puts the G at the global tail (SCH-16).  The step
  costs ``1 + events.locals`` of the time slice.  Readying follows the
  runtime's order (``Events.woken``): ``closechan`` from a gList stack,
  a Once or Mutex waiter one per Unlock, RWMutex readers then the writer.
- ``("write", p, gid)``: the same goroutine step when it prints
  (``fmt.Print*``/``println``: a ``write(2)`` on fd 1 or 2) and P ``p``
  has local work: the write outlasted a sysmon tick, sysmon retook the P
  (SCH-28: a P with an empty queue is left alone for 10 ms, so only one
  with work is retaken) and ``handoffp`` gave it to another M (SCH-24),
  which schedules from it; the writer's ``exitsyscall`` finds its P gone
  and takes an idle P, else goes to the global queue (SCH-27b/c).  The
  world moves exactly as in the plain step.
- ``("preempt", p)``: sysmon preempts (SCH-31/32, ``gopreempt_m``: the G
  goes to the global tail, SCH-16).  How long a step takes is not
  modelled, so whether a slice has lasted 10 ms is the environment's
  choice: the action is offered after any step of the running G's slice
  (``runtime.preempt: any``), and also when the P is in ``schedule``
  about to run a runnext G that inherits a slice that has taken a step
  (SCH-11: sysmon sees one long slice; the request lands on that G).  It
  is weakly fair per P (group ``"preempt P<i>"``): a G that never yields,
  or a runnext chain that keeps inheriting the slice, is preempted
  eventually (SCH-ORACLE-3), while a chain that starts new slices (no
  inheritance) is not, so ``starvation_free`` and ``max_latency`` keep
  their meaning.  ``preempt: slice`` is the bounded alternative (forced
  after ``time_slice`` steps, the P's only action); ``never`` turns it off.
- ``("run", p)``: ``findRunnable`` (SCH-18) steps 5, 7 and 8, which are
  deterministic: every ``global_check_every``-th tick one G from the global
  queue first, then the local queue (runnext first, inheriting the slice,
  SCH-10/11/19), then a global batch (SCH-12); ``execute`` (SCH-11) bumps
  ``schedtick`` and starts a new slice unless the slice is inherited.
  With ``runnext_inherits_slice: false`` a runnext G gets a fresh slice
  and tick like any other (the pre-Go-1.5 behaviour).
- ``("steal", p, v)``: step 10, only when steps 5-8 found nothing: steal
  from victim ``v`` (one action per victim with work: the random victim
  order is nondeterminism, SCH-20); ``runtime.steal`` half|one|none; the
  victim's runnext is taken when its queue is empty (the last pass).
- ``("timer", p, kind, id)``: step 2, ``checkTimers``: a P in
  ``schedule`` runs an expired timer (``time.Sleep`` ends, ``time.After``
  fires); the readied G goes to this P's runnext (``goready``).  Whether a
  timer has expired is nondeterminism, so firing is optional.  Timer
  ownership per P is not tracked: any scheduling P may run any timer
  (Go runs other Ps' timers when stealing, SCH-20).  With one P
  (``procs: 1``) and ``runtime.timers: ordered`` the P runs them in
  deadline order where that order is certain (``Interpreter.fireable``,
  TM-2: ``checkTimers`` pops its heap by ``when``); with more Ps, each P
  has its own heap and no order holds (TM-3).

System calls and the network poller (docs/go-semantics.md 1.7, 6)
--------------------------------------------------------
Go calls: ``syscall.Sync()`` is a blocking system call (IR `Syscall`);
``os.Pipe()`` files are pollable fds: ``r.Read(buf)`` on an empty pipe
parks the G on the poller (IR `PipeRead`), ``w.Write([]byte(s))`` /
``w.Close()`` make it ready (`models.pipe`).

- Entering a system call (a ``step`` whose G parks with wait
  ``("syscall", name)``): ``reentersyscall`` (SCH-25): the G keeps its M,
  the P goes to ``_Psyscall`` with affinity to it (``PState.sys = gid``,
  ``cur = 0``); it neither runs nor schedules, but other Ps may steal its
  queue (SCH-20 skips only idle Ps).
- ``("sysret", gid)``: the environment: the call returns (``exitsyscall``,
  SCH-27): (a) the P still in ``_Psyscall`` for it is re-wired and the G
  continues its slice; (b) else the lowest-numbered idle P (in ``schedule``,
  no local work, global queue empty) runs it with a new slice; (c) else
  ``exitsyscall0``: the G goes to the global queue tail and its M stops.
  No fairness group: the model bounds no system call.
- ``("retake", p)``: sysmon (actor ``sysmon``) takes P ``p`` out of
  ``_Psyscall`` and ``handoffp``s it (SCH-28, SCH-24): the P is in
  ``schedule`` again (it runs its queue if it has work, else it is idle);
  the G stays in its call without a P.  Whether 20 us / 10 ms have passed
  is time, hence nondeterminism: a retake may happen any time the P is in
  ``_Psyscall``; weakly fair per P (``"sysmon P<i>"``: sysmon keeps
  ticking).  Off with ``runtime.sysmon_retake: false``.
- ``("netpoll", p, pipe)``: P ``p`` in ``schedule`` that found no work in
  steps 5-8 polls (SCH-18 step 9/14) and runs the readied reader at once
  with a new slice (the first G of the list; there is one reader per fd).
  ``("netpoll", -1, pipe)``: a poll by an M without a P (sysmon's 10 ms
  poll, SCH-30, or the M blocked in netpoll): ``injectglist`` with no P
  (SCH-15): the G goes to the global queue tail.  Weakly fair (group
  ``"netpoll"``): some M always polls eventually (NP-4).  Netpoll-readied Gs
  never go to runnext (SCH-15).  Closing the read end readies a parked
  reader through ``goready`` (runnext of the closer's P, NP-3).

Not modelled (see `models.sched.gmp_props` for what is checked): Ms as
separate entities (an M is implicit in every P that runs or schedules, and
in every G in a system call), spinning-M accounting, ``entersyscallblock``
(SCH-26), the sysmon retake thresholds (time), the ``netpollWaiters``
count, STW and GC workers, the free-G list.

Fairness: every action of a P, and every step of the goroutine it runs, is
in the fairness group ``"P<i>"``, so weak fairness means "no P that can act
is ignored forever"; ``starvation_free`` then asks whether a runnable
goroutine can wait forever while every P keeps running.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from models import ir
from models.gomodel import GoModel
from models.interp import Interpreter
from models.options import RuntimeOptions
from models.properties import build_properties
from models.sched.gmp_queues import (
    RUNTIME_G,
    GmpState,
    PState,
    globrunqget,
    gname,
    queued,
    runqget,
    runqput,
    runqsteal,
)
from models.state import RUN, World

__all__ = ["RUNTIME_G", "GmpAction", "GmpModel", "GmpState", "PState", "queued"]

GmpAction = tuple[Any, ...]


class GmpModel:
    """The G-M-P scheduler over a compiled Go program (a `checker.model.Model`)."""

    def __init__(self, program: ir.Program, runtime: Any = None, prop_specs: Any = ()):
        self.opts = runtime or RuntimeOptions(scheduler="gmp")
        self.go = GoModel(program, self.opts, ())
        self.interp: Interpreter = self.go.interp
        self.go.collect_garbage = False  # every object is kept here (models/heapgc.py)
        self.prop_specs = tuple(prop_specs)
        o = self.opts
        self.procs = o.procs
        self.size = o.runq_size
        self.every = o.global_check_every
        self.slice_len = o.time_slice
        self.inherit = o.runnext_inherits_slice
        self.steal_mode = o.steal
        self.buggy = o.buggy_steal
        self.timers = o.timers != "never"
        self.retake = o.sysmon_retake
        #: ``any``: preemption is an environment choice after any step of a
        #: slice; ``slice``: forced when the slice reaches ``time_slice`` steps
        #: (a bounded model of sysmon); ``never``.
        self.preempt_mode = o.preempt
        self.preempt = o.preempt == "any"
        #: under ``any`` only whether the slice has taken a step matters
        self.slice_cap = self.slice_len if o.preempt == "slice" else 1
        self.startup = o.startup
        self.latency_cap = next((int(p.param) + 1 for p in self.prop_specs if p.name == "max_latency"), 0)

    # ------------------------------------------------------------------ the Model protocol
    def init_states(self) -> list[GmpState]:
        """G1 (runtime.main) runs on P0, which executed it with a new slice.

        With ``runtime.startup: any`` (the default) the start is Go's, not
        a fixed one: ``p.schedtick`` at ``main.main`` depends on what
        package initialisation did (every value modulo
        ``global_check_every``), and ``os`` init's ``SetFinalizer`` started
        the finalizer goroutine (``createfing``: ``go runfinq()``,
        ``runtime/mfinal.go``), which sits in P0's runnext unless another P
        already ran it (SCH-13).  It is `RUNTIME_G`: when scheduled it runs
        and parks at once (``runfinq`` finds no finalizers), taking a
        schedtick and, while queued, a local-queue slot.  A background
        worker of the runtime (``bgscavenge`` yields with ``Gosched``,
        ``runtime/mgcscavenge.go``) may also sit in the global queue
        (SCH-16): a second `RUNTIME_G` there, taken by a 1-in-61 check or
        a global batch like any G (corpus program ``spawn300``: Go's first
        global check sometimes prints nothing)."""
        w = self.go.init_states()[0]
        lat = (0,) * len(w.gs) if self.latency_cap else ()
        extras: list[tuple[int, tuple[int, ...]]]
        if self.startup == "fixed":
            ticks, extras = [self._tick(1)], [(0, ())]
        else:
            ticks = list(range(self.every)) if self.every > 0 else [0]
            extras = [(RUNTIME_G, ()), (0, ()), (RUNTIME_G, (RUNTIME_G,)), (0, (RUNTIME_G,))]
        out = []
        for fing, gq in extras:
            for tick in ticks:
                ps = [PState()] * self.procs
                ps[0] = PState(cur=1, tick=tick, runnext=fing)
                out.append(GmpState(w, tuple(ps), gq, lat))
        return out

    # ------------------------------------------------------------------ the compact table (checker.store)
    def state_parts(self, s: GmpState) -> tuple[Any, ...]:
        """The global queue, the latencies, each P, then the world's parts (`GoModel.state_parts`)."""
        return (s.gq, s.lat, *s.ps, *self.go.state_parts(s.world))

    def state_from_parts(self, parts: list[Any]) -> GmpState:
        n = self.procs
        return GmpState(self.go.state_from_parts(parts[n + 2:]), tuple(parts[2:n + 2]), parts[0], parts[1])

    def actions(self, s: GmpState) -> list[GmpAction]:
        w = s.world
        if w.ended:
            return []
        acts: list[GmpAction] = []
        env = self.interp.env_events(w)
        for i, p in enumerate(s.ps):
            if p.sys:
                if self.retake:
                    acts.append(("retake", i))
                continue
            if p.cur:
                g = w.gs[p.cur - 1]
                if self.preempt_mode == "slice" and p.slice >= self.slice_len:
                    acts.append(("preempt", i))  # forced: the P's only action
                    continue
                if g.status == RUN:
                    for c in self.interp.choices(w, p.cur):
                        acts.append(("step", i, p.cur, c))
                    if (self.retake and (p.runnext or p.runq) and g.frames
                            and type(self.interp.instr_of(g)) is ir.Print):
                        acts.append(("write", i, p.cur))
                    if self.preempt and p.slice >= 1:
                        acts.append(("preempt", i))
                continue
            if self.timers:
                acts.extend(("timer", i) + t for t in self.interp.fireable(w))
            if p.runnext or p.runq or s.gq:
                acts.append(("run", i))
                if (self.preempt and self.inherit and p.runnext and p.slice >= 1
                        and not (self.every > 0 and p.tick == 0 and s.gq)):
                    acts.append(("preempt", i))
            else:
                acts.extend(("netpoll", i, x) for k, x in env if k == "netpoll")
                if self.steal_mode != "none":
                    for v, q in enumerate(s.ps):
                        if v != i and (q.runq or q.runnext):
                            acts.append(("steal", i, v))
        for k, x in env:
            acts.append(("sysret", x) if k == "syscall" else ("netpoll", -1, x))
        return acts

    def next_state(self, s: GmpState, a: GmpAction) -> GmpState:
        t = self._next(s, a)
        if any(p.slice and not p.cur and not (p.runnext and self.inherit) for p in t.ps):
            # A P in schedule with nothing to pass its slice on to has no slice:
            # forget the count so equal schedules compare equal.
            t = t._replace(ps=tuple(p._replace(slice=0) if p.slice and not p.cur and not (p.runnext and self.inherit)
                                    else p for p in t.ps))
        if self.latency_cap:
            t = t._replace(lat=self._latency(s, t))
        return t

    def properties(self) -> list[Any]:
        return build_properties("gmp", self, self.prop_specs)

    @staticmethod
    def world_of(s: GmpState) -> World:
        """The Go world of a gmp state (properties of `models.props` read it)."""
        return s.world

    # ------------------------------------------------------------------ transitions
    def _tick(self, t: int) -> int:
        return t % self.every if self.every > 0 else 0

    def _idle_p(self, ps: list[PState], gq: tuple[int, ...]) -> int:
        """``pidleget``: the lowest-numbered idle P (in ``schedule``, no local
        work, global queue empty), or -1."""
        if gq:
            return -1
        for k, q in enumerate(ps):
            if not (q.cur or q.sys or q.runnext or q.runq):
                return k
        return -1

    def _env(self, s: GmpState, a: GmpAction) -> GmpState:
        """System call returns, sysmon retakes, netpoll readies (see the module docstring)."""
        kind = a[0]
        ps = list(s.ps)
        gq = s.gq
        w = s.world
        if kind == "retake":  # SCH-28: _Psyscall -> _Pidle, handoffp (SCH-24)
            ps[a[1]] = ps[a[1]]._replace(sys=0)
            return GmpState(w, tuple(ps), gq, s.lat)
        if kind == "sysret":  # SCH-27
            gid = a[1]
            st = self.interp.fire(w, ("syscall", gid))
            w = st.world
            alive = w.gs[gid - 1].status == RUN
            old = next((k for k, q in enumerate(ps) if q.sys == gid), -1)
            if old >= 0:  # (a) exitsyscallfast: the old P is still _Psyscall
                ps[old] = ps[old]._replace(sys=0, cur=gid if alive else 0)
            elif alive:
                k = self._idle_p(ps, gq)
                if k >= 0:  # (b) an idle P
                    ps[k] = ps[k]._replace(cur=gid, slice=0)
                else:  # (c) exitsyscall0: global queue, the M stops
                    gq += (gid,)
            return GmpState(w, tuple(ps), gq, s.lat)
        # netpoll: ("netpoll", p, pipe); p == -1: no P (sysmon / blocked M): injectglist -> global queue
        i, pipe = a[1], a[2]
        st = self.interp.fire(w, ("netpoll", pipe))
        w = st.world
        for g in st.events.woken:
            if w.gs[g - 1].status != RUN:
                continue
            if i >= 0:  # findRunnable step 9/14: run the first readied G
                ps[i] = self._execute(ps[i], g, False)
            else:  # SCH-15 injectglist without a P
                gq += (g,)
        return GmpState(w, tuple(ps), gq, s.lat)

    def _next(self, s: GmpState, a: GmpAction) -> GmpState:
        kind, i = a[0], a[1]
        if kind in ("retake", "sysret", "netpoll"):
            return self._env(s, a)
        ps = list(s.ps)
        p = ps[i]
        gq = s.gq
        w = s.world
        if kind == "step" or kind == "write":
            gid = a[2]
            st = self.interp.step(w, gid, a[3] if kind == "step" else None)
            ev = st.events
            w = st.world
            p = p._replace(slice=min(p.slice + 1 + ev.locals, self.slice_cap))
            gs = w.gs
            for g in ev.spawned + ev.woken:
                if gs[g - 1].status == RUN:  # a woken/spawned G may have run to its end already
                    p, spill = runqput(p, g, True, self.size)
                    gq += spill
            if ev.blocked and w.gs[gid - 1].wait[:1] == ("syscall",):
                p = p._replace(cur=0, sys=gid)  # reentersyscall: P -> _Psyscall (SCH-25)
            elif gid in ev.exited or ev.blocked:
                p = p._replace(cur=0)
            elif ev.yielded:
                p = p._replace(cur=0)
                gq += (gid,)
            elif kind == "write":
                # The write(2) behind the print outlasted a sysmon tick: sysmon
                # retook the P (SCH-28) and handoffp gave it, local work and
                # all, to another M (SCH-24), which schedules from it.  The
                # writer's exitsyscall finds its P gone: an idle P, else the
                # global queue (SCH-27b/c).
                p = p._replace(cur=0)
                ps[i] = p
                k = self._idle_p(ps, gq)
                if k >= 0:
                    ps[k] = self._execute(ps[k], gid, False)
                    p = ps[i]
                else:
                    gq += (gid,)
        elif kind == "preempt":
            if p.cur:  # sysmon's preemptone: gopreempt_m puts it at the global tail (SCH-16/32)
                gq += (p.cur,)
                p = p._replace(cur=0)
            else:  # the request lands on the runnext G that inherits the long slice (SCH-11)
                p, g, _ = runqget(p)
                if g > 0:
                    gq += (g,)
        elif kind == "timer":
            st = self.interp.fire(w, (a[2], a[3]))
            w = st.world
            for g in st.events.woken:
                if w.gs[g - 1].status == RUN:
                    p, spill = runqput(p, g, True, self.size)
                gq += spill
        elif kind == "run":
            g, inherit = 0, False
            if self.every > 0 and p.tick == 0 and gq:
                gq, p, g = globrunqget(gq, p, self.procs, self.size, 1)
            if not g:
                p, g, inherit = runqget(p)
            if not g:
                gq, p, g = globrunqget(gq, p, self.procs, self.size)
            p = self._execute(p, g, inherit)
        elif kind == "steal":
            v = a[2]
            p, ps[v], g = runqsteal(p, ps[v], self.steal_mode, self.buggy)
            p = self._execute(p, g, False)
        else:
            raise ValueError(f"unknown gmp action {a!r}")
        ps[i] = p
        return GmpState(w, tuple(ps), gq, s.lat)

    def _execute(self, p: PState, g: int, inherit: bool) -> PState:
        """SCH-11 ``execute``: a new slice and ``schedtick++`` unless inherited.
        `RUNTIME_G` runs and parks at once: the P is back in ``schedule``."""
        if inherit and self.inherit:
            p = p._replace(cur=g)
        else:
            p = p._replace(cur=g, tick=self._tick(p.tick + 1), slice=0)
        return p._replace(cur=0) if g < 0 else p

    def _latency(self, s: GmpState, t: GmpState) -> tuple[int, ...]:
        """Per goroutine: transitions it has spent queued since it became runnable."""
        before = set(queued(s))
        now = set(queued(t))
        old = s.lat + (0,) * (len(t.world.gs) - len(s.lat))
        cap = self.latency_cap
        return tuple(min(old[k] + 1, cap) if (k + 1) in now and (k + 1) in before else 0
                     for k in range(len(t.world.gs)))

    # ------------------------------------------------------------------ hooks
    def search_cost(self, s: GmpState, a: GmpAction) -> int:
        """`models.outputs.find_output`'s price: the environment's rare
        perturbations (a preemption, a write long enough to lose the P)."""
        return 1 if a[0] in ("preempt", "write") else 0

    def fairness(self, s: GmpState, a: GmpAction) -> Hashable:
        if a[0] == "sysret":
            return None  # the environment owes a system call nothing
        if a[0] == "retake":
            return f"sysmon P{a[1]}"
        if a[0] == "preempt":
            return f"preempt P{a[1]}"
        if a[0] == "netpoll" and a[1] < 0:
            return "netpoll"
        return f"P{a[1]}"

    def actor(self, s: GmpState, a: GmpAction) -> str:
        if a[0] == "sysret":
            return f"G{a[1]}"
        if a[0] == "retake":
            return "sysmon"
        if a[0] == "netpoll" and a[1] < 0:
            return "netpoll"
        return f"G{a[2]}" if a[0] in ("step", "write") else f"P{a[1]}"

    def _abstract(self, a: GmpAction) -> tuple[Any, ...] | None:
        """The abstract scheduler's action for a goroutine step, timer or
        environment event (None: scheduler-only)."""
        if a[0] == "step":
            return ("step", a[2]) if a[3] is None else ("select", a[2], a[3])
        if a[0] == "write":
            return ("step", a[2])
        if a[0] == "timer":
            return ("timer", a[2], a[3])
        if a[0] == "sysret":
            return ("env", "syscall", a[1])
        if a[0] == "netpoll":
            return ("env", "netpoll", a[2])
        return None

    def position(self, s: GmpState, a: GmpAction) -> str | None:
        b = self._abstract(a)
        return self.go.position(s.world, b) if b is not None and b[0] != "timer" else None

    def format_action(self, s: GmpState, a: GmpAction) -> str:
        kind, i = a[0], a[1]
        b = self._abstract(a)
        if kind == "step":
            assert b is not None
            return f"P{i} runs " + self.go.format_action(s.world, b)
        if kind == "write":
            assert b is not None
            t = self._next(s, a)
            back = ("the global queue (exitsyscall0)" if a[2] in t.gq else
                    next((f"idle P{k}" for k, q in enumerate(t.ps) if q.cur == a[2]), "-"))
            return (f"P{i} runs " + self.go.format_action(s.world, b)
                    + f"; the write(2) is slow: sysmon retakes P{i} (handoffp), G{a[2]} returns to {back}")
        if kind == "timer":
            assert b is not None
            return f"P{i} checkTimers: " + self.go.format_action(s.world, b).removeprefix("timer: ")
        if kind == "sysret":
            t = self._next(s, a)
            old = next((k for k, q in enumerate(s.ps) if q.sys == i), -1)
            if old >= 0:
                how = f"re-acquires P{old} (still _Psyscall)"
            elif a[1] in t.gq and a[1] not in s.gq:
                how = "no idle P: to the global queue (exitsyscall0)"
            else:
                how = next((f"acquires idle P{k}" for k, q in enumerate(t.ps) if q.cur == i and s.ps[k].cur != i),
                           "exits")
            assert b is not None
            return self.go.format_action(s.world, b) + f"; {how}"
        if kind == "retake":
            return f"sysmon retakes P{i} from G{s.ps[i].sys} in a system call (_Psyscall -> handoffp)"
        if kind == "netpoll":
            assert b is not None
            text = self.go.format_action(s.world, b)
            if i < 0:
                return text + " -> injectglist (no P): global queue"
            return f"P{i} findRunnable " + text + ", runs it"
        p = s.ps[i]
        if kind == "preempt":
            if p.cur:
                return f"P{i}: sysmon preempts G{p.cur} (its slice ran long) -> global queue"
            return (f"P{i}: sysmon preempts {gname(p.runnext)}, which inherited a long slice from runnext "
                    "-> global queue")
        t = self._next(s, a)
        g = t.ps[i].cur
        if g == 0:  # the runtime goroutine ran and parked
            src = "runnext" if p.runnext == RUNTIME_G else "a run queue"
            return f"P{i}: schedule {gname(RUNTIME_G)} from {src}; it parks at once (no finalizers)"
        if kind == "steal":
            v = a[2]
            took = len(s.ps[v].runq) - len(t.ps[v].runq) if not self.buggy else 0
            src = f"P{v}.runnext" if not s.ps[v].runq else f"P{v}.runq"
            return f"P{i}: steal from {src} ({max(took, 1)} G), run G{g}"
        if self.every > 0 and p.tick == 0 and s.gq and s.gq[0] == g:
            src = f"global queue (schedtick % {self.every} == 0)"
        elif p.runnext == g:
            src = "runnext" + (" (inherits the time slice)" if self.inherit else "")
        elif p.runq and p.runq[0] == g:
            src = "local runq"
        else:
            src = "global queue (batch)"
        return f"P{i}: schedule G{g} from {src}"

    def waits_for(self, s: GmpState) -> list[tuple[str, str, str]]:
        return self.go.waits_for(s.world)

    def sources(self) -> dict[str, str]:
        return self.go.sources()

    def view(self, s: GmpState) -> dict[str, Any]:
        out = self.go.view(s.world)
        for i, p in enumerate(s.ps):
            what = (f"running G{p.cur}, slice {p.slice}/{self.slice_len}" if p.cur else
                    f"_Psyscall (G{p.sys} in a system call)" if p.sys else "scheduling/idle")
            q = " ".join(gname(g) for g in p.runq)
            out[f"P{i}"] = (f"{what}; runnext {gname(p.runnext) if p.runnext else '-'}; runq [{q}]; "
                            f"schedtick {p.tick}")
        out["global runq"] = "[" + " ".join(gname(g) for g in s.gq) + "]"
        if s.lat:
            out["latency"] = {f"G{k + 1}": v for k, v in enumerate(s.lat) if v}
        return out
