"""The G-M-P scheduler of the reference runtime: Ms are OS threads.

Follows ``runtime/proc.go`` (go1.21): bounded local run queues with
``runnext`` (SCH-5..10), a locked global queue (SCH-7, SCH-12), the
``findRunnable`` search order (SCH-18), work stealing (SCH-20/21), spinning Ms
and ``wakep`` (SCH-22/23), ``handoffp`` (SCH-24), system calls (SCH-25..28),
sysmon with time-slice preemption (SCH-30/31) and ``checkdead`` (DL-2).
"""

from __future__ import annotations

import heapq
import math
import threading
import time
from collections import deque
from typing import Any

IDLE, RUNNING, SYSCALL = "idle", "running", "syscall"  # P states (SCH-3)
G_RUNNABLE, G_RUNNING, G_WAITING, G_SYSCALL, G_DEAD = "runnable", "running", "waiting", "syscall", "dead"


class G:
    """A goroutine: an interpreter frame stack plus scheduling state (SCH-2)."""

    __slots__ = ("id", "frames", "status", "waitreason", "cont", "cont_fr", "cont_ins", "preempt", "m",
                 "panicking", "goexiting", "select_done", "param", "unlockf", "fn", "line", "logged", "eline", "started",
                 "since", "parent", "preempted", "creator", "recovered")

    def __init__(self, gid: int, fn: str, line: int):
        self.id = gid
        self.frames: list = []
        self.status = G_RUNNABLE
        self.waitreason = ""
        self.cont = None
        self.cont_fr = None
        self.cont_ins = None
        self.preempt = False
        self.m: M | None = None
        self.panicking: list = []
        self.goexiting = False
        self.recovered = None  # the frame whose panic a deferred call recovered (it resumes when that call returns)
        self.select_done = False
        self.param = None
        self.unlockf = None
        self.fn = fn
        self.line = line
        self.eline = 0
        self.logged = False
        self.started = False
        self.since = time.monotonic_ns()  # when it entered its status: runnable (latency) or waiting (dumps)
        self.parent = 0  # the goroutine whose go statement created it (0: none)
        self.preempted = False  # its last stop was a preemption (for the scheduler event log)
        self.creator = ""  # the function whose go statement created it (for "created by" in dumps)


class P:
    """A processor: bounded ring run queue, runnext, schedtick (SCH-5, 6, 11)."""

    def __init__(self, idx: int, size: int):
        self.id = idx
        self.size = size
        self.ring: list = [None] * size
        self.head = 0
        self.tail = 0
        self.runnext: G | None = None
        self.lock = threading.Lock()
        self.status = IDLE
        self.m: M | None = None
        self.curg: G | None = None
        self.schedtick = 0
        self.syscalltick = 0
        self.mon_tick = -1  # sysmon's last observation (SCH-28/31)
        self.mon_when = 0

    def empty(self) -> bool:
        return self.head == self.tail and self.runnext is None


class M:
    """A machine: one OS thread running ``schedule`` (SCH-1, SCH-17)."""

    def __init__(self, idx: int, lock: threading.Lock):
        self.id = idx
        self.p: P | None = None
        self.nextp: P | None = None
        self.oldp: P | None = None
        self.spinning = False
        self.curg: G | None = None
        self.cond = threading.Condition(lock)
        self.thread: threading.Thread | None = None


class Scheduler:
    """Run queues, idle lists and the M loop.  `rt` supplies the interpreter,
    timers, the poller and ``die``; everything here uses ``self.lock``
    (``sched.lock``) for the global queue and the idle P/M lists."""

    def __init__(self, rt: Any, procs: int, runq_size: int, time_slice_ms: float):
        self.rt = rt
        self.lock = threading.Lock()
        self.globq: deque = deque()
        self.ps = [P(i, runq_size) for i in range(procs)]
        self.procs = procs
        self.pidle: list[P] = []
        self.ms: list[M] = []
        self.midle: list[M] = []
        self.nmspinning = 0
        self.polling = False
        self.last_poll = time.monotonic_ns()
        self.slice_ns = int(time_slice_ms * 1e6)
        self.runnext_inherits_slice = True  # SCH-6/11; off only to show why Go does it
        self.coprimes = [c for c in range(1, procs + 1) if math.gcd(c, procs) == 1]
        self.stats = {"steals": 0, "stolen": 0, "preemptions": 0, "retakes": 0, "global_puts": 0,
                      "runq_overflows": 0, "ms": 0, "parks": 0, "handoffs": 0, "mutex_handoffs": 0}

    # ------------------------------------------------------------ run queues

    def runqput(self, p: P, g: G, nxt: bool) -> None:
        """SCH-8: runnext kicks the old runnext to the tail; a full ring spills (SCH-9)."""
        with p.lock:
            if nxt:
                old, p.runnext = p.runnext, g
                if old is None:
                    return
                g = old
            if p.tail - p.head < p.size:
                p.ring[p.tail % p.size] = g
                p.tail += 1
                return
            # runqputslow: oldest half plus g to the global tail
            n = (p.tail - p.head) // 2
            batch = [p.ring[(p.head + i) % p.size] for i in range(n)]
            p.head += n
        batch.append(g)
        with self.lock:
            self.globq.extend(batch)
            self.stats["runq_overflows"] += 1

    def runqget(self, p: P) -> tuple[G | None, bool]:
        """SCH-10: runnext first (inherits the time slice), else the head."""
        with p.lock:
            g = p.runnext
            if g is not None:
                p.runnext = None
                return g, self.runnext_inherits_slice
            if p.head == p.tail:
                return None, False
            g = p.ring[p.head % p.size]
            p.head += 1
            return g, False

    def globrunqput(self, g: G) -> None:
        with self.lock:
            self.globq.append(g)
            self.stats["global_puts"] += 1

    def _globrunqget_locked(self, p: P, mx: int) -> G | None:
        """SCH-12: n = min(len, len/procs+1, max, size/2); first runs, rest to local."""
        q = self.globq
        if not q:
            return None
        n = min(len(q), len(q) // self.procs + 1, p.size // 2)
        if mx > 0:
            n = min(n, mx)
        g = q.popleft()
        rest = [q.popleft() for _ in range(n - 1)]
        for gp in rest:
            with p.lock:  # runqput(next=false) without the spill path: n-1 < size/2 always fits
                if p.tail - p.head < p.size:
                    p.ring[p.tail % p.size] = gp
                    p.tail += 1
                else:
                    q.append(gp)
        return g

    def runqsteal(self, p: P, victim: P, steal_next: bool) -> G | None:
        """SCH-21: grab ceil(half) of the victim's queue; on the last pass its runnext."""
        with victim.lock:
            n = victim.tail - victim.head
            n -= n // 2
            if n == 0:
                if not steal_next or victim.runnext is None:
                    return None
                got = None
            else:
                got = [victim.ring[(victim.head + i) % victim.size] for i in range(n)]
                victim.head += n
        if got is None:
            if victim.status == RUNNING:
                time.sleep(3e-6)  # let the victim schedule its runnext first (usleep(3))
            with victim.lock:
                g, victim.runnext = victim.runnext, None
            if g is None:
                return None
            got = [g]
        with p.lock:
            for gp in got[:-1]:
                p.ring[p.tail % p.size] = gp
                p.tail += 1
        with self.lock:
            self.stats["steals"] += 1
            self.stats["stolen"] += len(got)
        obs = getattr(self.rt, "obs", None)
        if obs is not None:
            obs.ev("Steal", got[-1], p, p.m, victim=victim.id, n=len(got))
        return got[-1]

    def steal_work(self, p: P) -> G | None:
        """SCH-20: 4 passes over the other Ps in a random coprime-stride order."""
        rand = self.rt.rand
        for i in range(4):
            last = i == 3
            start = rand.randrange(self.procs)
            stride = rand.choice(self.coprimes)
            for k in range(self.procs):
                victim = self.ps[(start + k * stride) % self.procs]
                if victim is p or victim.status == IDLE:
                    continue
                g = self.runqsteal(p, victim, last)
                if g is not None:
                    return g
        return None

    # ------------------------------------------------------------ readying

    def ready(self, g: G, p: P | None) -> None:
        """``goready`` (SCH-14): runnable, into the current P's runnext, ``wakep``."""
        g.status = G_RUNNABLE
        if p is None:
            self.inject([g], None)
            return
        g.since = time.monotonic_ns()
        obs = getattr(self.rt, "obs", None)
        if obs is not None:
            obs.ev("GoUnblock", g, p, p.m, by=p.curg.id if p.curg is not None else None)
        self.runqput(p, g, True)
        self.wakep()

    def inject(self, glist: list[G], p: P | None) -> None:
        """``injectglist`` (SCH-15): without a P all go global and idle Ps start;
        with one, one G per idle P goes global, the rest to the local queue."""
        if not glist:
            return
        obs = getattr(self.rt, "obs", None)
        for g in glist:
            g.status = G_RUNNABLE
            g.since = time.monotonic_ns()
            if obs is not None:
                obs.ev("GoUnblock", g, p, None, by=None)
        with self.lock:
            n = len(glist) if p is None else min(len(self.pidle), len(glist))
            self.globq.extend(glist[:n])
            for _ in range(min(n, len(self.pidle))):
                self._startm_locked(None, False)
        for g in glist[n:]:
            self.runqput(p, g, False)

    def wakep(self) -> None:
        """SCH-22: start at most one spinning M, only if a P is idle."""
        if self.nmspinning != 0 or not self.pidle:
            return
        with self.lock:
            if self.nmspinning != 0 or not self.pidle:
                return
            self.nmspinning += 1
            if not self._startm_locked(None, True):
                self.nmspinning -= 1

    def _startm_locked(self, p: P | None, spinning: bool) -> bool:
        """``startm``: hand `p` (or an idle P) to an idle or new M."""
        if p is None:
            if not self.pidle:
                return False
            p = self.pidle.pop()
        p.status = RUNNING
        if self.midle:
            m = self.midle.pop()
            m.nextp = p
            m.spinning = spinning
            m.cond.notify()
            return True
        m = M(len(self.ms), self.lock)
        m.nextp = p
        m.spinning = spinning
        self.ms.append(m)
        self.stats["ms"] = len(self.ms)
        m.thread = threading.Thread(target=self.mstart, args=(m,), name=f"gocheck-M{m.id}", daemon=True)
        m.thread.start()
        return True

    def handoffp_locked(self, p: P) -> None:
        """SCH-24: start an M for a P given up in a syscall if it is needed, else idle it."""
        self.stats["handoffs"] += 1
        if not p.empty() or self.globq:
            self._startm_locked(p, False)
        elif self.nmspinning + len(self.pidle) == 0:
            self.nmspinning += 1
            self._startm_locked(p, True)
        elif len(self.pidle) == self.procs - 1 and not self.polling:
            self._startm_locked(p, False)
        else:
            p.status = IDLE
            p.m = None
            self.pidle.append(p)

    # ------------------------------------------------------------ the M loop

    def mstart(self, m: M) -> None:
        rt = self.rt
        with self.lock:
            while m.nextp is None and not rt.dead:
                m.cond.wait()
            m.p, m.nextp = m.nextp, None
        if m.p is not None:
            m.p.m = m
        try:
            while not rt.dead:
                g, inherit = self.findrunnable(m)
                if g is None:
                    break
                if m.spinning:  # resetspinning
                    m.spinning = False
                    with self.lock:
                        self.nmspinning -= 1
                    self.wakep()
                rt.execute(m, g, inherit)
        except BaseException as e:  # an interpreter bug must not hang the run
            rt.internal_error(e)

    def findrunnable(self, m: M) -> tuple[G | None, bool]:
        """SCH-18 steps 2, 5, 7, 8, 9, 10, 12-15."""
        rt = self.rt
        while True:
            if rt.dead:
                return None, False
            p = m.p
            if p is None:
                self.stopm(m)
                continue
            rt.run_timers(p)
            if p.schedtick % 61 == 0 and self.globq:  # step 5: fairness
                with self.lock:
                    g = self._globrunqget_locked(p, 1)
                if g is not None:
                    return g, False
            g, inherit = self.runqget(p)  # step 7
            if g is not None:
                return g, inherit
            if self.globq:  # step 8
                with self.lock:
                    g = self._globrunqget_locked(p, 0)
                if g is not None:
                    return g, False
            if rt.poller.nwaiters and not self.polling:  # step 9: non-blocking netpoll
                gl = self.netpoll(0)
                if gl:
                    self.inject(gl[1:], p)
                    return gl[0], False
            if m.spinning or 2 * self.nmspinning < self.procs - len(self.pidle):  # step 10
                if not m.spinning:
                    with self.lock:
                        self.nmspinning += 1
                    m.spinning = True
                g = self.steal_work(p)
                if g is not None:
                    return g, False
            with self.lock:  # step 12
                if rt.dead:
                    return None, False
                if self.globq:
                    return self._globrunqget_locked(p, 0), False
                p.status = IDLE
                p.m = None
                p.curg = None
                self.pidle.append(p)
                m.p = None
                was_spinning = m.spinning
                if was_spinning:
                    m.spinning = False
                    self.nmspinning -= 1
            if was_spinning and (self.globq or any(not pp.empty() for pp in self.ps)):  # step 13
                with self.lock:
                    if self.pidle:
                        self._acquirep_locked(m, self.pidle.pop())
                        m.spinning = True
                        self.nmspinning += 1
                        continue
            if (rt.poller.nwaiters or rt.timers) and self._claim_poll():  # step 14
                gl = self.netpoll(rt.next_timer_delay())
                gl += rt.run_timers(None)
                with self.lock:
                    pp = self.pidle.pop() if self.pidle else None
                    if pp is not None:
                        self._acquirep_locked(m, pp)
                if pp is not None:
                    if gl:
                        self.inject(gl[1:], pp)
                        return gl[0], False
                    continue
                self.inject(gl, None)
            self.stopm(m)

    def _claim_poll(self) -> bool:
        with self.lock:
            if self.polling:
                return False
            self.polling = True
            return True

    def netpoll(self, delay: float | None) -> list[G]:
        """Poll the network poller; ``delay`` None blocks, 0 does not."""
        if delay == 0 and not self._claim_poll():
            return []
        try:
            gl = self.rt.poller.poll(delay)
        finally:
            self.last_poll = time.monotonic_ns()
            with self.lock:
                self.polling = False
        return gl

    def _acquirep_locked(self, m: M, p: P) -> None:
        p.status = RUNNING
        p.m = m
        m.p = p

    def stopm(self, m: M) -> None:
        """``stopm``: park the M on the idle list; ``checkdead`` first (DL-1)."""
        rt = self.rt
        with self.lock:
            if rt.dead:
                return
            self.midle.append(m)
            self.stats["parks"] += 1
            rt.checkdead_locked()
            while m.nextp is None and not rt.dead:
                m.cond.wait()
            if m in self.midle:
                self.midle.remove(m)
            if m.nextp is not None:
                m.p, m.nextp = m.nextp, None
                m.p.m = m

    def wake_all_locked(self) -> None:
        for m in self.midle:
            m.cond.notify()

    # ------------------------------------------------------------ system calls

    def entersyscall(self, m: M, g: G, block: bool) -> None:
        """SCH-25 (P -> _Psyscall, kept for a fast exit) or SCH-26 (hand off now)."""
        p = m.p
        g.status = G_SYSCALL
        obs = getattr(self.rt, "obs", None)
        if obs is not None:
            obs.ev("GoSysCall", g, p, m, block=block)
        with self.lock:
            m.oldp = p
            m.p = None
            p.m = None
            p.curg = None
            p.syscalltick += 1
            if block:
                self.handoffp_locked(p)
            else:
                p.status = SYSCALL

    def exitsyscall(self, m: M, g: G) -> bool:
        """SCH-27: take back the old P if still in _Psyscall, else any idle P; False
        means no P: the G goes to the global queue and this M stops (exitsyscall0)."""
        with self.lock:
            p = m.oldp
            m.oldp = None
            if p is not None and p.status == SYSCALL:
                self._acquirep_locked(m, p)
            elif self.pidle:
                self._acquirep_locked(m, self.pidle.pop())
            else:
                return False  # the caller queues g globally once it is suspended
        g.status = G_RUNNING
        m.p.curg = g
        obs = getattr(self.rt, "obs", None)
        if obs is not None:
            obs.ev("GoSysExit", g, m.p, m)
        return True

    # ------------------------------------------------------------ sysmon

    def sysmon(self) -> None:
        """SCH-30: a P-less thread: timers, netpoll after 10 ms, retake (SCH-28, 31)."""
        rt = self.rt
        delay, idle = 20e-6, 0
        while not rt.dead:
            time.sleep(max(delay, 1e-4))
            now = time.monotonic_ns()
            acted = False
            if rt.timers and rt.timers[0][0] <= now and not self.polling:
                gl = rt.run_timers(None)
                self.inject(gl, None)
                acted = bool(gl)
            if rt.poller.nwaiters and now - self.last_poll > 10_000_000 and not self.polling:
                gl = self.netpoll(0)
                self.inject(gl, None)
                acted = acted or bool(gl)
            acted = self.retake(now) or acted
            idle = 0 if acted else idle + 1
            delay = 20e-6 if idle < 50 else min(delay * 2, 0.01)

    def retake(self, now: int) -> bool:
        acted = False
        for p in self.ps:
            if p.status == RUNNING:
                t = p.schedtick
                if p.mon_tick != t:
                    p.mon_tick, p.mon_when = t, now
                elif now - p.mon_when >= self.slice_ns:
                    g = p.curg
                    if g is not None and not g.preempt:
                        g.preempt = True  # preemptone: checked at the next instruction (SCH-32/33)
                        self.stats["preemptions"] += 1
                        obs = getattr(self.rt, "obs", None)
                        if obs is not None:
                            obs.ev("PreemptRequest", g, p, p.m)
                        acted = True
                    p.mon_when = now
            elif p.status == SYSCALL:
                t = p.syscalltick
                if p.mon_tick != -t - 2:  # first sight of this syscall: skip one tick
                    p.mon_tick, p.mon_when = -t - 2, now
                    continue
                if p.empty() and self.nmspinning + len(self.pidle) > 0 and now - p.mon_when < 10_000_000:
                    continue
                with self.lock:
                    if p.status == SYSCALL and p.syscalltick == t:
                        p.syscalltick += 1
                        self.stats["retakes"] += 1
                        self.handoffp_locked(p)
                        acted = True
        return acted

    def can_spin(self, it: int, g: G) -> bool:
        """MU-3 ``sync_runtime_canSpin``."""
        if it >= 4 or self.procs <= len(self.pidle) + self.nmspinning + 1:
            return False
        p = g.m.p if g.m is not None else None
        return p is not None and p.head == p.tail


class Timers:
    """A global timer heap (when_ns, seq, fn); fired by the scheduler or sysmon."""

    def __init__(self) -> None:
        self.heap: list = []
        self.lock = threading.Lock()
        self.seq = 0

    def add(self, when: int, fn: Any) -> None:
        with self.lock:
            self.seq += 1
            heapq.heappush(self.heap, (when, self.seq, fn))

    def expired(self) -> list:
        now = time.monotonic_ns()
        out = []
        with self.lock:
            while self.heap and self.heap[0][0] <= now:
                out.append(heapq.heappop(self.heap)[2])
        return out
