"""Runtime objects of the reference runtime: channels, the runtime semaphore and
the sync primitives built on it, contexts.  Every object has a real lock.

Blocking operations are Python generators run by the interpreter on behalf of
a goroutine.  A generator that must block yields ``("park", reason,
unlockf)`` *while still holding its object lock*: the M suspends the
generator, marks the G waiting and only then calls ``unlockf`` -- the
analogue of ``gopark(unlockf)`` (``runtime/proc.go: park_m``), so a waker can
never resume a goroutine that has not finished parking.  The waker readies
it with ``rt.ready(gp, p)``: ``goready`` into the waker's P's runnext
(SCH-14).  The generator's return value is the operation's result.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

# ---------------------------------------------------------------- failures


class GoPanic(Exception):
    """A Go panic in progress: deferred calls run, then the program dies (exit 2)."""

    def __init__(self, value: Any, runtime_error: bool = False, extra: str = ""):
        super().__init__(value)
        self.value = value
        self.runtime_error = runtime_error
        self.extra = extra


class GoFatal(Exception):
    """A runtime ``throw``/``fatal``: no deferred calls, the program dies (exit 2)."""

    def __init__(self, msg: str):
        super().__init__(msg)
        self.msg = msg


PARK = "park"
YIELD_LOCAL = "yield_local"


def _noop() -> None:
    return None


# ---------------------------------------------------------------- heap objects


class Obj:
    """A plain heap object: struct (dict of fields), array or scalar cell (list)."""

    __slots__ = ("id", "kind", "f", "alock")

    def __init__(self, oid: int, kind: str, f: Any):
        self.id = oid
        self.kind = kind
        self.f = f
        self.alock = threading.Lock()


class Sudog:
    """A G waiting on one channel (``runtime2.go: sudog``), CH-1."""

    __slots__ = ("g", "elem", "success", "is_select", "case", "c", "ticket")

    def __init__(self, g: Any, elem: Any = None, c: Any = None, is_select: bool = False, case: int = -1):
        self.g = g
        self.elem = elem
        self.success = False
        self.is_select = is_select
        self.case = case
        self.c = c
        self.ticket = 0


_select_done_lock = threading.Lock()


def _dequeue(q: deque) -> Sudog | None:
    """``waitq.dequeue``: skip select sudogs whose G already won another case (SEL-6)."""
    while q:
        sg = q.popleft()
        if sg.is_select:
            with _select_done_lock:
                if sg.g.select_done:
                    continue
                sg.g.select_done = True
                sg.g.param = sg
        return sg
    return None


class Chan:
    """``hchan`` (CH-1): buffer ring, sendq/recvq FIFO wait queues, one lock."""

    __slots__ = ("id", "kind", "cap", "buf", "closed", "recvq", "sendq", "lock", "zero")

    def __init__(self, oid: int, cap: int, zero: Any = None):
        self.id = oid
        self.kind = "chan"
        self.cap = cap
        self.buf: deque = deque()
        self.closed = False
        self.recvq: deque = deque()
        self.sendq: deque = deque()
        self.lock = threading.Lock()
        self.zero = zero


def chan_send(rt: Any, g: Any, c: Chan | None, v: Any, ev: Any):
    """``chansend`` with block=true (CH-4): panic if closed, hand off to a
    waiting receiver (goready into our P's runnext), buffer, or park on sendq."""
    if c is None:
        yield (PARK, "chan send (nil chan)", _noop)
        raise AssertionError("unreachable: nil channel send woke up")
    c.lock.acquire()
    if c.closed:
        c.lock.release()
        raise GoPanic("send on closed channel")
    sg = _dequeue(c.recvq)
    if sg is not None:
        sg.elem = v
        sg.success = True
        ev(c.id)
        c.lock.release()
        rt.ready(sg.g, g.m.p)
        return
    if len(c.buf) < c.cap:
        c.buf.append(v)
        ev(c.id)
        c.lock.release()
        return
    sd = Sudog(g, v, c)
    c.sendq.append(sd)
    yield (PARK, "chan send", c.lock.release)
    if not sd.success:
        raise GoPanic("send on closed channel")
    ev(c.id)


def chan_recv(rt: Any, g: Any, c: Chan | None, zero: Any, ev: Any):
    """``chanrecv`` with block=true (CH-5); returns (value, ok)."""
    if c is None:
        yield (PARK, "chan receive (nil chan)", _noop)
        raise AssertionError("unreachable: nil channel receive woke up")
    c.lock.acquire()
    if c.closed and not c.buf:
        ev(c.id)
        c.lock.release()
        return zero, False
    if not c.closed:
        sg = _dequeue(c.sendq)
        if sg is not None:
            v = _recv_from(c, sg)
            ev(c.id)
            c.lock.release()
            rt.ready(sg.g, g.m.p)
            return v, True
    if c.buf:
        v = c.buf.popleft()
        ev(c.id)
        c.lock.release()
        return v, True
    sd = Sudog(g, None, c)
    c.recvq.append(sd)
    yield (PARK, "chan receive", c.lock.release)
    ev(c.id)
    return (sd.elem, True) if sd.success else (zero, False)


def _recv_from(c: Chan, sg: Sudog) -> Any:
    """``recv()``: unbuffered takes the sender's value directly; buffered (full)
    takes the head and the sender's value becomes the tail (CH-5.4)."""
    sg.success = True
    if c.cap == 0:
        return sg.elem
    v = c.buf.popleft()
    c.buf.append(sg.elem)
    return v


def chan_close(rt: Any, g: Any, c: Chan | None, ev: Any) -> None:
    """``closechan`` (CH-6): wake every receiver (zero, ok=false) and sender (panics)."""
    if c is None:
        raise GoPanic("close of nil channel")
    with c.lock:
        if c.closed:
            raise GoPanic("close of closed channel")
        c.closed = True
        woken = []
        while (sg := _dequeue(c.recvq)) is not None:
            sg.elem = c.zero
            sg.success = False
            woken.append(sg.g)
        while (sg := _dequeue(c.sendq)) is not None:
            sg.success = False
            woken.append(sg.g)
        ev(c.id)
    p = g.m.p if g is not None else None
    for gp in reversed(woken):  # a LIFO gList: readied in reverse order (CH-6 [IMPL])
        rt.ready(gp, p)


def chan_send_nb(rt: Any, c: Chan, v: Any, p: Any) -> bool:
    """Non-blocking send from the runtime itself (a ``time.After`` timer)."""
    with c.lock:
        if c.closed:
            return False
        sg = _dequeue(c.recvq)
        if sg is None:
            if len(c.buf) < c.cap:
                c.buf.append(v)
                return True
            return False
        sg.elem = v
        sg.success = True
    rt.ready(sg.g, p)
    return True


def select(rt: Any, g: Any, cases: list, has_default: bool, ev: Any):
    """``selectgo`` (SEL-3..7).  `cases` is a list of (kind, chan, value, zero).
    Returns (index, value, ok); index -1 is default."""
    order = [i for i, cs in enumerate(cases) if cs[1] is not None]
    rt.rand.shuffle(order)  # pollorder: a uniform permutation (SEL-3)
    chans = sorted({id(cases[i][1]): cases[i][1] for i in order}.values(), key=lambda c: c.id)
    if not chans and not has_default:
        yield (PARK, "select (no cases)" if not cases else "select", _noop)
        raise AssertionError("unreachable: empty select woke up")
    for c in chans:  # sellock in lockorder (SEL-4)
        c.lock.acquire()

    def unlock_all() -> None:
        for c in reversed(chans):
            c.lock.release()

    for i in order:  # pass 1 (SEL-5)
        kind, c, v, zero = cases[i]
        if kind == "recv":
            sg = None if c.closed else _dequeue(c.sendq)
            if sg is not None:
                val = _recv_from(c, sg)
                ev(c.id, i)
                unlock_all()
                rt.ready(sg.g, g.m.p)
                return i, val, True
            if c.buf:
                val = c.buf.popleft()
                ev(c.id, i)
                unlock_all()
                return i, val, True
            if c.closed:
                ev(c.id, i)
                unlock_all()
                return i, zero, False
        else:
            if c.closed:
                unlock_all()
                raise GoPanic("send on closed channel")
            sg = _dequeue(c.recvq)
            if sg is not None:
                sg.elem = v
                sg.success = True
                ev(c.id, i)
                unlock_all()
                rt.ready(sg.g, g.m.p)
                return i, None, True
            if len(c.buf) < c.cap:
                c.buf.append(v)
                ev(c.id, i)
                unlock_all()
                return i, None, True
    if has_default:
        ev(None, -1)
        unlock_all()
        return -1, None, False
    # pass 2: enqueue on every channel and park (SEL-6)
    g.select_done = False
    sds = []
    for i, (kind, c, v, _zero) in enumerate(cases):
        if c is None:
            continue
        sd = Sudog(g, v if kind == "send" else None, c, True, i)
        (c.sendq if kind == "send" else c.recvq).append(sd)
        sds.append(sd)
    yield (PARK, "select", unlock_all)
    # pass 3: relock, dequeue the losers, report the winner (SEL-7)
    for c in chans:
        c.lock.acquire()
    win = g.param
    g.param = None
    for sd in sds:
        if sd is not win:
            q = sd.c.sendq if cases[sd.case][0] == "send" else sd.c.recvq
            try:
                q.remove(sd)  # dequeueSudoG
            except ValueError:
                pass
    assert win is not None, "select woke without a winning case"
    kind, c, _v, zero = cases[win.case]
    if kind == "send" and not win.success:
        unlock_all()
        raise GoPanic("send on closed channel")
    ev(c.id, win.case)
    unlock_all()
    if kind == "recv":
        return win.case, (win.elem if win.success else zero), win.success
    return win.case, None, True


# ---------------------------------------------------------------- runtime semaphore


class Sema:
    """One semaphore address with its FIFO waiter list (``runtime/sema.go``, SEMA-1/2)."""

    __slots__ = ("count", "nwait", "q", "lock")

    def __init__(self) -> None:
        self.count = 0
        self.nwait = 0
        self.q: deque = deque()
        self.lock = threading.Lock()


def semacquire(g: Any, s: Sema, lifo: bool, reason: str):
    """``semacquire1`` (SEMA-1): fast path, else queue (head if lifo) and park;
    done on a handed-off ticket or a successful re-try."""
    while True:
        s.lock.acquire()
        if s.count > 0:
            s.count -= 1
            s.lock.release()
            return
        s.nwait += 1
        sd = Sudog(g)
        if lifo:
            s.q.appendleft(sd)
        else:
            s.q.append(sd)
        yield (PARK, reason, s.lock.release)
        if sd.ticket:
            return


def semrelease(rt: Any, g: Any, s: Sema, handoff: bool):
    """``semrelease1`` (SEMA-2): count++, wake the first waiter; with handoff
    give it the unit directly and ``goyield`` (releaser to its local tail)."""
    with s.lock:
        s.count += 1
        if s.nwait == 0:
            return
        sd = s.q.popleft()
        s.nwait -= 1
        if handoff and s.count > 0:
            s.count -= 1
            sd.ticket = 1
    rt.ready(sd.g, g.m.p if g is not None else None)
    if sd.ticket and g is not None:
        yield (YIELD_LOCAL,)


# ---------------------------------------------------------------- sync.Mutex

LOCKED, WOKEN, STARVING, SHIFT = 1, 2, 4, 3
STARVATION_NS = 1_000_000  # starvationThresholdNs = 1 ms (MU-1)


class Mutex:
    """``sync.Mutex`` (MU-1): the state word (locked|woken|starving|waiters<<3) and a semaphore."""

    __slots__ = ("id", "kind", "state", "sema", "alock")

    def __init__(self, oid: int):
        self.id = oid
        self.kind = "sync.Mutex"
        self.state = 0
        self.sema = Sema()
        self.alock = threading.Lock()

    def cas(self, old: int, new: int, on_ok: Any = None) -> bool:
        with self.alock:
            if self.state != old:
                return False
            self.state = new
            if on_ok is not None:
                on_ok()
            return True

    def add(self, d: int, on_ok: Any = None) -> int:
        with self.alock:
            self.state += d
            if on_ok is not None:
                on_ok()
            return self.state


def mutex_lock(rt: Any, g: Any, mu: Mutex, ev: Any, reason: str = "sync.Mutex.Lock"):
    """``Mutex.Lock``/``lockSlow`` (MU-2): spin while allowed (MU-3), CAS, queue
    (LIFO after the first wait), starvation mode after waiting > 1 ms."""
    if mu.cas(0, LOCKED, ev):
        return
    wait_start = 0
    starving = awoke = False
    it = 0
    old = mu.state
    while True:
        if old & (LOCKED | STARVING) == LOCKED and rt.can_spin(it, g):
            if not awoke and old & WOKEN == 0 and old >> SHIFT != 0 and mu.cas(old, old | WOKEN):
                awoke = True
            it += 1  # doSpin: procyield(30)
            old = mu.state
            continue
        new = old
        if old & STARVING == 0:
            new |= LOCKED
        if old & (LOCKED | STARVING):
            new += 1 << SHIFT
        if starving and old & LOCKED:
            new |= STARVING
        if awoke:
            if new & WOKEN == 0:
                raise GoFatal("sync: inconsistent mutex state")
            new &= ~WOKEN
        acquired = old & (LOCKED | STARVING) == 0
        if mu.cas(old, new, ev if acquired else None):
            if acquired:
                return
            lifo = wait_start != 0
            if wait_start == 0:
                wait_start = time.monotonic_ns()
            yield from semacquire(g, mu.sema, lifo, reason)
            starving = starving or time.monotonic_ns() - wait_start > STARVATION_NS
            old = mu.state
            if old & STARVING:
                if old & (LOCKED | WOKEN) or old >> SHIFT == 0:
                    raise GoFatal("sync: inconsistent mutex state")
                delta = LOCKED - (1 << SHIFT)
                if not starving or old >> SHIFT == 1:
                    delta -= STARVING  # exit starvation mode (MU-5)
                mu.add(delta, ev)
                return
            awoke = True
            it = 0
        else:
            old = mu.state


def mutex_trylock(mu: Mutex, ev: Any) -> bool:
    """``TryLock`` (MU-5): fails if locked or starving."""
    old = mu.state
    if old & (LOCKED | STARVING):
        return False
    return mu.cas(old, old | LOCKED, ev)


def mutex_unlock(rt: Any, g: Any, mu: Mutex, ev: Any, what: str = "sync: unlock of unlocked mutex"):
    """``Unlock``/``unlockSlow`` (MU-4): fatal on an unlocked mutex; normal mode
    wakes one waiter to compete; starvation mode hands off and yields."""
    new = mu.add(-LOCKED, ev)
    if new == 0:
        return
    if (new + LOCKED) & LOCKED == 0:
        raise GoFatal(what)
    if new & STARVING == 0:
        old = new
        while True:
            if old >> SHIFT == 0 or old & (LOCKED | WOKEN | STARVING):
                return
            if mu.cas(old, (old - (1 << SHIFT)) | WOKEN):
                yield from semrelease(rt, g, mu.sema, False)
                return
            old = mu.state
    else:
        yield from semrelease(rt, g, mu.sema, True)


# ---------------------------------------------------------------- sync.RWMutex

MAX_READERS = 1 << 30


class RWMutex:
    """``sync.RWMutex`` (RW-1): writer mutex, reader/writer semaphores, counts."""

    __slots__ = ("id", "kind", "w", "writer_sem", "reader_sem", "reader_count", "reader_wait", "alock")

    def __init__(self, oid: int):
        self.id = oid
        self.kind = "sync.RWMutex"
        self.w = Mutex(oid)
        self.writer_sem = Sema()
        self.reader_sem = Sema()
        self.reader_count = 0
        self.reader_wait = 0
        self.alock = threading.Lock()

    def add_count(self, d: int, on_ok: Any = None) -> int:
        with self.alock:
            self.reader_count += d
            if on_ok is not None:
                on_ok()
            return self.reader_count

    def add_wait(self, d: int) -> int:
        with self.alock:
            self.reader_wait += d
            return self.reader_wait


def rw_rlock(rt: Any, g: Any, rw: RWMutex, ev: Any):
    """RLock (RW-2): blocks when a writer is pending or active (writer preference, RW-4)."""
    if rw.add_count(1, ev) < 0:
        yield from semacquire(g, rw.reader_sem, False, "sync.RWMutex.RLock")


def rw_runlock(rt: Any, g: Any, rw: RWMutex, ev: Any):
    """RUnlock (RW-2): the last reader leaving releases a pending writer."""
    r = rw.add_count(-1, ev)
    if r < 0:
        if r + 1 == 0 or r + 1 == -MAX_READERS:
            raise GoFatal("sync: RUnlock of unlocked RWMutex")
        if rw.add_wait(-1) == 0:
            yield from semrelease(rt, g, rw.writer_sem, False)


def rw_lock(rt: Any, g: Any, rw: RWMutex, ev: Any):
    """Lock (RW-3): take w, announce (readerCount -= max), wait for active readers."""
    yield from mutex_lock(rt, g, rw.w, None, "sync.RWMutex.Lock")
    r = rw.add_count(-MAX_READERS) + MAX_READERS
    if r != 0 and rw.add_wait(r) != 0:
        yield from semacquire(g, rw.writer_sem, False, "sync.RWMutex.Lock")
    ev()


def rw_unlock(rt: Any, g: Any, rw: RWMutex, ev: Any):
    """Unlock (RW-3): readerCount += max, release every waiting reader, unlock w."""
    r = rw.add_count(MAX_READERS, ev)
    if r >= MAX_READERS:
        raise GoFatal("sync: Unlock of unlocked RWMutex")
    for _ in range(r):
        yield from semrelease(rt, g, rw.reader_sem, False)
    yield from mutex_unlock(rt, g, rw.w, None)


def rw_trylock(rw: RWMutex, ev: Any) -> bool:
    """TryLock (RW-5)."""
    if not mutex_trylock(rw.w, None):
        return False
    with rw.alock:
        if rw.reader_count != 0:
            ok = False
        else:
            rw.reader_count = -MAX_READERS
            ok = True
            ev()
    if not ok:
        gen = mutex_unlock(None, None, rw.w, None)
        for _ in gen:
            pass
    return ok


# ---------------------------------------------------------------- WaitGroup, Once, Cond


class WaitGroup:
    """``sync.WaitGroup`` (WG-1): counter v, waiter count w, a semaphore."""

    __slots__ = ("id", "kind", "v", "w", "sema", "alock")

    def __init__(self, oid: int):
        self.id = oid
        self.kind = "sync.WaitGroup"
        self.v = 0
        self.w = 0
        self.sema = Sema()
        self.alock = threading.Lock()


def wg_add(rt: Any, g: Any, wg: WaitGroup, delta: int, ev: Any):
    """Add (WG-2), with Go's panics; the 0-crossing releases every waiter."""
    with wg.alock:
        wg.v += delta
        v, w = wg.v, wg.w
        ev()
        if v < 0:
            raise GoPanic("sync: negative WaitGroup counter")
        if w != 0 and delta > 0 and v == delta:
            raise GoPanic("sync: WaitGroup misuse: Add called concurrently with Wait")
        if v > 0 or w == 0:
            return
        wg.v = wg.w = 0
    for _ in range(w):
        yield from semrelease(rt, g, wg.sema, False)


def wg_wait(rt: Any, g: Any, wg: WaitGroup, ev: Any):
    """Wait (WG-3): return at zero, else count ourselves a waiter and park."""
    with wg.alock:
        if wg.v == 0:
            ev()
            return
        wg.w += 1
    yield from semacquire(g, wg.sema, False, "sync.WaitGroup.Wait")
    with wg.alock:
        if wg.v != 0 or wg.w != 0:
            raise GoPanic("sync: WaitGroup is reused before previous Wait has returned")
        ev()


class Once:
    """``sync.Once`` (ONCE-1): done flag plus a mutex held while f runs."""

    __slots__ = ("id", "kind", "done", "m")

    def __init__(self, oid: int):
        self.id = oid
        self.kind = "sync.Once"
        self.done = False
        self.m = Mutex(oid)


def once_begin(rt: Any, g: Any, o: Once, ev: Any):
    """First half of Do: fast path on done, else lock m; True means "run f now"."""
    if o.done:
        ev()
        return False
    yield from mutex_lock(rt, g, o.m, None)
    if o.done:
        ev()
        yield from mutex_unlock(rt, g, o.m, None)
        return False
    ev()
    return True


def once_end(rt: Any, g: Any, o: Once, ev: Any):
    """Second half: done = 1 after f returned, then unlock m (waiters see done)."""
    o.done = True
    ev()
    yield from mutex_unlock(rt, g, o.m, None)


class Cond:
    """``sync.Cond`` with its notifyList (COND-1): tickets wait/notify."""

    __slots__ = ("id", "kind", "L", "wait", "notify", "waiters", "lock", "tickets")

    def __init__(self, oid: int, locker: Any):
        self.id = oid
        self.kind = "sync.Cond"
        self.L = locker
        self.wait = 0
        self.notify = 0
        self.waiters: list = []
        self.lock = threading.Lock()
        self.tickets: dict = {}


def cond_wait(rt: Any, g: Any, c: Cond, locker: Any, ev: Any):
    """Wait, first half (COND-1): ticket before unlocking L, then park unless covered."""
    with c.lock:
        t = c.wait
        c.wait += 1
        ev()
    yield from unlock_any(rt, g, locker, None)
    c.lock.acquire()
    if t < c.notify:
        c.lock.release()
        return
    c.waiters.append((t, g))
    yield (PARK, "sync.Cond.Wait", c.lock.release)


def cond_signal(rt: Any, g: Any, c: Cond, broadcast: bool, ev: Any) -> None:
    """Signal/Broadcast (COND-2): a signal with no waiter is lost."""
    woken = []
    with c.lock:
        ev()
        if c.wait == c.notify:
            return
        if broadcast:
            c.notify = c.wait
            woken = [w for _, w in sorted(c.waiters, key=lambda x: x[0])]
            c.waiters.clear()
        else:
            t = c.notify
            c.notify += 1
            for k, (tk, w) in enumerate(c.waiters):
                if tk == t:
                    del c.waiters[k]
                    woken.append(w)
                    break
    for w in woken:
        rt.ready(w, g.m.p)


def lock_any(rt: Any, g: Any, m: Any, ev: Any):
    """Lock on a Mutex or on a RWMutex's write side."""
    if isinstance(m, RWMutex):
        yield from rw_lock(rt, g, m, ev or _noop)
    else:
        yield from mutex_lock(rt, g, m, ev)


def unlock_any(rt: Any, g: Any, m: Any, ev: Any):
    if isinstance(m, RWMutex):
        yield from rw_unlock(rt, g, m, ev)
    else:
        yield from mutex_unlock(rt, g, m, ev)


# ---------------------------------------------------------------- context


class Context:
    """A context: Background (never cancelled, nil Done) or a WithCancel child."""

    __slots__ = ("id", "kind", "done", "done_ref", "parent", "children", "err", "lock")

    def __init__(self, oid: int, done: Chan | None, parent: Context | None):
        self.id = oid
        self.kind = "context"
        self.done = done
        self.done_ref = None
        self.parent = parent
        self.children: list = []
        self.err: str | None = None
        self.lock = threading.Lock()


def ctx_cancel(rt: Any, g: Any, ctx: Context) -> None:
    """cancel(): close Done and cancel the children; idempotent."""
    with ctx.lock:
        if ctx.err is not None or ctx.done is None:
            return
        ctx.err = "context canceled"
        children = list(ctx.children)
    chan_close(rt, g, ctx.done, lambda *a: None)
    for ch in children:
        ctx_cancel(rt, g, ch)
