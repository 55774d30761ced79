"""The runtime semaphore and the sync primitives built on it, as Go builds
them (``runtime/sema.go``, ``sync/{mutex,rwmutex,waitgroup,once,cond}.go``).

Blocking operations are generators following the protocol of
`reference.objects`: yield ``("park", reason, unlockf)`` with the object
lock held; the returned value is the result.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

from .objects import PARK, YIELD_LOCAL, GoFatal, GoPanic, Sudog, _noop

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
            starving = rt.mutex_starvation and (starving or time.monotonic_ns() - wait_start > STARVATION_NS)
            old = mu.state
            if old & STARVING:
                if old & (LOCKED | WOKEN) or old >> SHIFT == 0:
                    raise GoFatal("sync: inconsistent mutex state")
                rt.sched.stats["mutex_handoffs"] += 1  # ownership handed to us in starvation mode
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
    """Add (WG-2), with Go's panics.  As in sync/waitgroup.go the 0-crossing
    is two steps: the atomic add, then (the lock released in between, so
    another Add may land there) a re-read of the state, which must be
    unchanged, before it is reset and every waiter released."""
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
    ctl = getattr(rt, "ctl", None)
    if ctl is not None:  # controlled mode: the release is a schedule entry of its own (the model's step)
        wait = ctl.before_visible(g)
        if wait is not None:
            yield from wait
    with wg.alock:
        if wg.v != v or wg.w != w:
            raise GoPanic("sync: WaitGroup misuse: Add called concurrently with Wait")
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


def cond_wait(rt: Any, g: Any, c: Cond, locker: Any, ev: Any, read: bool = False):
    """Wait, first half (COND-1): ticket before unlocking L (its read side for
    an RLocker), then park unless covered."""
    with c.lock:
        t = c.wait
        c.wait += 1
        ev()
    if read:
        yield from rw_runlock(rt, g, locker, _noop)
    else:
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


def copy_state(src: Any, dst: Any) -> None:
    """A sync object copied by value (``ir.CopySync``): the state words, not the
    semaphores (the waiters stay parked on the original's)."""
    if isinstance(src, Mutex):
        with src.alock:
            dst.state = src.state & (LOCKED | STARVING)
    elif isinstance(src, RWMutex):
        with src.alock:
            held = src.reader_count < 0
            dst.reader_count = -MAX_READERS if held else src.reader_count
            dst.reader_wait = 0
            if held:
                dst.w.state = LOCKED
    elif isinstance(src, WaitGroup):
        with src.alock:
            dst.v = src.v
    elif isinstance(src, Once):
        dst.done = src.done
        dst.m.state = src.m.state & LOCKED
    elif hasattr(src, "f"):
        with src.alock:
            dst.f = dict(src.f) if isinstance(src.f, dict) else list(src.f) if isinstance(src.f, list) else src.f
