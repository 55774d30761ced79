"""``sync``: Mutex, RWMutex, WaitGroup, Once and Cond (MU-*, RW-*, WG-*, ONCE-*, COND-*).

Mutex (``sync/mutex.go``, MU-1..MU-6).  Normal mode: Unlock wakes the
head waiter (setting ``woken``), which must then compete with arriving
goroutines; a woken waiter that loses is queued again at the *head*
(LIFO, MU-2.3).  Go switches to starvation mode when a waiter has waited
more than 1 ms; time is abstracted as the number of races a woken waiter
lost: at ``runtime.starvation_after`` losses its next failed attempt sets
``starving`` (when ``runtime.mutex_starvation``).  In starvation mode
Unlock hands the lock directly to the head waiter, newcomers queue at the
tail, and the mode ends when the new owner was not starving or was the
last waiter (MU-5).  Spinning (MU-3) only delays and is not modelled.
Unlocking an unlocked mutex is a fatal error (MU-4).

RWMutex (RW-1..RW-5), abstracted from its counters: a writer takes the
inner mutex and announces itself in one step; from then on new readers
park (writer preference, RW-4), the writer waits until the active readers
leave, and its Unlock readies every parked reader and then the head writer
queued on the inner mutex, which retries its Lock (it may lose to a
barging writer and queue again at the head; until it announces itself new
readers get in, as in Go).  Hence recursive RLock with a pending
writer deadlocks (DL-O4).

WaitGroup (WG-2, WG-3): negative counter panics; reaching zero releases
every waiter in a step of its own, and a released waiter re-checks the
counter in its own step, so Go's two misuse panics are reachable.  Once
(ONCE-1): later callers park on its Mutex until f returns and are then
readied one per Unlock.  Cond
(COND-1, COND-2): Wait parks in ticket order after unlocking L; Signal
wakes the oldest waiter, and is lost when there is none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from models import ir
from models.state import RUN, WAIT, Cond, G, Mutex, Once, RWMutex, WaitGroup
from models.tx import GoPanic, ModelLimitError, Tx

__all__ = ["HANDLERS", "LOCK_OPS", "lock", "lock_site", "park_blocked", "unlock"]

#: Instructions that wait for a lock: their goroutines are starvation_free's keys.
LOCK_OPS = (ir.Lock, ir.RLock, ir.CondRelock)


def _obj(t: Tx, ref: Any) -> int:
    if not isinstance(ref, ir.Ref):
        raise GoPanic("runtime error: invalid memory address or nil pointer dereference")
    return ref.obj


# ---------------------------------------------------------------------------- Mutex


def lock(t: Tx, gid: int, o: int) -> None:
    """MU-2 (or RW-3 when `o` is a RWMutex): acquire, or park in the queue."""
    m = t.get(o)
    if isinstance(m, RWMutex):
        _rw_lock(t, gid, o, m)
        return
    g = t.g(gid)
    if not m.locked and not m.starving:
        t.put(o, Mutex(True, False, m.woken and not g.awoke, m.waiters))
        t.advance(gid, losses=0, awoke=False)
        return
    opts = t.m.opts
    if opts.mutex_guarded:  # the waiters are the goroutines parked on it (`park_blocked`)
        t.park(gid, ("sync.Mutex.Lock", o))
        return
    losses = 0
    starving = m.starving
    if opts.mutex_starvation:
        losses = min(g.losses + (1 if g.awoke else 0), opts.starvation_after)
        if m.locked and losses >= opts.starvation_after:
            starving = True
    waiters = (gid,) + m.waiters if g.awoke else m.waiters + (gid,)
    t.put(o, Mutex(m.locked, starving, m.woken and not g.awoke, waiters))
    t.park(gid, ("sync.Mutex.Lock", o), losses=losses, awoke=False)


def unlock(t: Tx, gid: int, o: int) -> None:
    """MU-4 (or RW-3's Unlock when `o` is a RWMutex)."""
    m = t.get(o)
    if isinstance(m, RWMutex):
        _rw_unlock(t, o, m)
        return
    if not m.locked:
        raise GoPanic("sync: unlock of unlocked mutex", fatal=True)
    if t.m.opts.mutex_guarded and not m.starving:  # the guarded bit: every waiter races again
        t.put(o, Mutex(False, False, False, ()))
        key = ("sync.Mutex.Lock", o)
        for w, why in t.sites(_parked_for):
            if why == key:
                t.wake_retry(w, awoke=False)
        return
    if m.starving:
        if not m.waiters:
            t.put(o, Mutex(False, False, m.woken, ()))
            return
        w, rest = m.waiters[0], m.waiters[1:]
        still = t.g(w).losses >= t.m.opts.starvation_after and bool(rest)
        t.put(o, Mutex(True, still, m.woken, rest))
        t.wake(w, losses=0, awoke=False)  # direct hand-off (SEMA-2)
        return
    if m.waiters and not m.woken:
        w, rest = m.waiters[0], m.waiters[1:]
        t.put(o, Mutex(False, False, True, rest))
        t.wake_retry(w, awoke=True)
        return
    t.put(o, replace(m, locked=False))


def park_blocked(t: Tx) -> None:
    """The guarded bit (``runtime.mutex_guarded``, MU-2 abstracted): park every
    runnable goroutine standing at Lock (or a Cond's relock) of a held
    sync.Mutex, in the step that brought it there or locked the mutex under
    it.  Its own failed attempt would change nothing but its status and the
    (unordered) waiter set, so it is not a step of its own; Unlock readies
    every waiter (`unlock`).  After every step a goroutine is parked on a
    Mutex exactly when it stands at its Lock and the mutex is held, so each
    program state has one representation, and the waiters are not stored in
    the mutex: they are the goroutines parked on it, in no order.  An arrival
    then commutes with the holder's Unlock and with another's Lock
    (docs/reductions.md, "The guarded bit").

    Every goroutine is looked at only when the step wrote a Mutex locked or
    wrote a Cond (whose locker a relock takes); otherwise only the goroutines
    the step changed or started: one it left alone that stands at a Lock of
    a held mutex stood there before the step with the mutex held (the step
    locked nothing), and was parked then.  The transition cache
    (`models.memo`) gains by it: a step then depends on the goroutines it
    touched, not on where every other one stands."""
    funcs = t.m.funcs
    site = t.m.lock_site
    if t.relock_scan:
        sites = t.sites(site)
    else:  # only a goroutine this step changed can stand at a Lock of a held mutex (see above)
        sites = [(x, at) for x in t.changed() if (at := site(t.gs[x - 1])) is not None]
    for gid, (func, pc, ref) in sites:
        try:
            if type(funcs[func].code[pc]) is ir.Lock:
                o = _obj(t, ref)
            else:  # a Cond's relock
                o, read = cond_locker(t, t.get(_obj(t, ref)).locker)
                if read:
                    continue
        except (GoPanic, ModelLimitError):  # its own step raises it
            continue
        m = t.get(o)
        if type(m) is Mutex and m.locked:
            t.park(gid, ("sync.Mutex.Lock", o))


def _parked_for(g: G) -> Any:
    """Why `g` is parked, or None: what `unlock` reads of every goroutine (`Tx.sites`)."""
    return g.wait if g.status == WAIT else None


def lock_site(funcs: Any, g: G) -> tuple[str, int, Any] | None:
    """``(func, pc, the mutex or cond operand)`` when runnable `g` stands at a Lock or a Cond's
    relock, else None: what `park_blocked` reads of every goroutine (`Tx.sites`; bound to the
    program's functions as ``Interpreter.lock_site``)."""
    if g.status != RUN or g.wait or not g.frames:
        return None
    fr = g.frames[-1]
    ins = funcs[fr.func].code[fr.pc]
    op = type(ins)
    if op is ir.Lock:
        return fr.func, fr.pc, fr.slots[ins.m]
    if op is ir.CondRelock:
        return fr.func, fr.pc, fr.slots[ins.cond]
    return None


def _trylock(t: Tx, o: int) -> bool:
    m = t.get(o)
    if isinstance(m, RWMutex):
        if m.writer or m.readers:
            return False
        t.put(o, replace(m, writer=2))
        return True
    if m.locked or m.starving:
        return False
    t.put(o, replace(m, locked=True))
    return True


# ---------------------------------------------------------------------------- RWMutex


def _rw_lock(t: Tx, gid: int, o: int, m: RWMutex) -> None:
    awoke = t.g(gid).awoke
    if m.writer:  # w.Lock blocks; a woken waiter that lost the race queues again at the head (MU-2.3)
        t.put(o, replace(m, wq=(gid,) + m.wq if awoke else m.wq + (gid,)))
        t.park(gid, ("sync.RWMutex.Lock", o), awoke=False)
    elif m.readers:
        t.put(o, replace(m, writer=1, wgid=gid))
        t.park(gid, ("sync.RWMutex.Lock (waiting for readers)", o), awoke=False)
    else:
        t.put(o, replace(m, writer=2))
        t.advance(gid, awoke=False)


def _rw_unlock(t: Tx, o: int, m: RWMutex) -> None:
    if m.writer != 2:
        raise GoPanic("sync: Unlock of unlocked RWMutex", fatal=True)
    readers = m.readers + len(m.rq)
    for r in m.rq:
        t.wake(r)
    # RW-3: Unlock readies the parked readers (semrelease on readerSem, FIFO,
    # each into runnext), then w.Unlock readies the head writer queued on the
    # inner Mutex (normal mode, MU-4): it retries Lock, and only then
    # announces itself to the readers (rwmutex.go: Unlock, Lock).
    t.put(o, RWMutex(0, 0, readers, (), m.wq[1:]))
    for w in m.wq[:1]:
        t.wake_retry(w, awoke=True)


def _rlock(t: Tx, gid: int, o: int) -> None:
    m: RWMutex = t.get(o)
    if m.writer:
        t.put(o, replace(m, rq=m.rq + (gid,)))
        t.park(gid, ("sync.RWMutex.RLock", o))
    else:
        t.put(o, replace(m, readers=m.readers + 1))
        t.advance(gid)


def _runlock(t: Tx, o: int) -> None:
    m: RWMutex = t.get(o)
    if m.readers == 0:
        raise GoPanic("sync: RUnlock of unlocked RWMutex", fatal=True)
    if m.readers == 1 and m.writer == 1:
        t.put(o, replace(m, readers=0, writer=2, wgid=0))
        t.wake(m.wgid)
    else:
        t.put(o, replace(m, readers=m.readers - 1))


# ---------------------------------------------------------------------------- WaitGroup

#: A runnable goroutine's note (``G.wait``) between the two halves of a
#: WaitGroup operation: the Done/Add that brought the counter to zero must
#: still release the waiters; a woken waiter must still re-check the state.
WG_RELEASE, WG_WOKEN = "wg release", "wg woken"


def wg_add(t: Tx, gid: int, o: int, delta: int) -> None:
    """WG-2, in Go's two steps (sync/waitgroup.go, Add).

    Step 1 adds `delta` atomically: a negative counter is stored and the
    goroutine panics at its next step (Go panics after the add, so a
    released waiter may see the negative state first), and an Add
    from zero while waiters are counted is "Add called concurrently with
    Wait".  When the counter reaches zero with waiters, the caller stays at
    its instruction with the note `WG_RELEASE`: other goroutines may run
    before step 2, which re-reads the state (a changed state is the same
    misuse panic), resets it and releases every waiter.  A released waiter
    is only made runnable (note `WG_WOKEN`): its own step re-checks the
    counter (`wg_wait`)."""
    g = t.g(gid)
    wg: WaitGroup = t.get(o)
    if g.wait[:1] == (WG_RELEASE,):
        if wg.counter != 0 or wg.waiters != g.wait[2]:
            raise GoPanic("sync: WaitGroup misuse: Add called concurrently with Wait")
        t.put(o, WaitGroup(0, ()))
        for w in wg.waiters:
            t.wake_retry(w, wait=(WG_WOKEN, o))
        t.advance(gid)
        return
    v = wg.counter + delta
    if v < 0:
        # Go adds to the state word first and panics after (sync/waitgroup.go, Add): until the
        # panic is raised at this goroutine's next step, a released waiter that re-reads the
        # state sees the negative counter and panics "reused before previous Wait has returned".
        t.put(o, WaitGroup(v, wg.waiters))
        t.setg(replace(g, wait=("panic", "sync: negative WaitGroup counter")))
        return
    if wg.waiters and delta > 0 and v == delta:
        raise GoPanic("sync: WaitGroup misuse: Add called concurrently with Wait")
    t.put(o, WaitGroup(v, wg.waiters))
    if v == 0 and wg.waiters:
        t.setg(replace(t.g(gid), wait=(WG_RELEASE, o, wg.waiters)))
        return
    t.advance(gid)


def wg_wait(t: Tx, gid: int, o: int) -> None:
    """WG-3 (sync/waitgroup.go, Wait): return at zero, else count ourselves
    a waiter and park.  A waiter released by `wg_add` re-reads the state
    when it runs: a counter already raised again by a new Add is "WaitGroup
    is reused before previous Wait has returned"."""
    g = t.g(gid)
    wg: WaitGroup = t.get(o)
    if g.wait[:1] == (WG_WOKEN,):
        if wg.counter != 0 or wg.waiters:
            raise GoPanic("sync: WaitGroup is reused before previous Wait has returned")
        t.advance(gid)
    elif wg.counter == 0:
        t.advance(gid)
    else:
        t.put(o, WaitGroup(wg.counter, wg.waiters + (gid,)))
        t.park(gid, ("sync.WaitGroup.Wait", o))


# ---------------------------------------------------------------------------- copies


def copy_sync(t: Tx, gid: int, ins: ir.CopySync, s: tuple[Any, ...]) -> None:
    """``*dst = *src`` for a sync object copied by value (a value receiver, a
    struct passed or assigned by value).  Go copies the state word: a copy
    of a locked Mutex is locked, of a WaitGroup with counter n has counter
    n, of a done Once is done; the waiters stay parked on the original's
    semaphore, so the copy has none (sync/mutex.go, waitgroup.go: the
    semaphore is keyed by the field's address).  A typed atomic copies its
    value."""
    src, dst = _obj(t, s[ins.src]), _obj(t, s[ins.dst])
    o = t.get(src)
    if isinstance(o, Mutex):
        c: Any = Mutex(o.locked, o.starving and o.locked)
    elif isinstance(o, RWMutex):
        c = RWMutex(2) if o.writer else RWMutex(0, 0, o.readers)
    elif isinstance(o, WaitGroup):
        c = WaitGroup(o.counter)
    elif isinstance(o, Once):
        c = Once(o.state)
    else:
        c = o  # a typed atomic: immutable Data
    t.put(dst, c)
    t.advance(gid)


# ---------------------------------------------------------------------------- dispatch


def _lock(t: Tx, gid: int, ins: ir.Lock, s: tuple[Any, ...]) -> None:
    lock(t, gid, _obj(t, s[ins.m]))


def _unlock(t: Tx, gid: int, ins: ir.Unlock, s: tuple[Any, ...]) -> None:
    unlock(t, gid, _obj(t, s[ins.m]))
    t.advance(gid)


def _try_lock(t: Tx, gid: int, ins: ir.TryLock, s: tuple[Any, ...]) -> None:
    t.advance(gid, ((ins.dst, _trylock(t, _obj(t, s[ins.m]))),))


def _r_lock(t: Tx, gid: int, ins: ir.RLock, s: tuple[Any, ...]) -> None:
    _rlock(t, gid, _obj(t, s[ins.m]))


def _r_unlock(t: Tx, gid: int, ins: ir.RUnlock, s: tuple[Any, ...]) -> None:
    _runlock(t, _obj(t, s[ins.m]))
    t.advance(gid)


def _wg_add(t: Tx, gid: int, ins: ir.WgAdd, s: tuple[Any, ...]) -> None:
    wg_add(t, gid, _obj(t, s[ins.wg]), s[ins.delta])


def _wg_wait(t: Tx, gid: int, ins: ir.WgWait, s: tuple[Any, ...]) -> None:
    wg_wait(t, gid, _obj(t, s[ins.wg]))


def _once_begin(t: Tx, gid: int, ins: ir.OnceBegin, s: tuple[Any, ...]) -> None:
    o = _obj(t, s[ins.once])
    once: Once = t.get(o)
    if once.state == 2:
        if once.woken == gid:  # the readied waiter's Lock, done check, Unlock: ready the next
            nxt = once.waiters[:1]
            t.put(o, Once(2, once.waiters[1:], nxt[0] if nxt else 0))
            for w in nxt:
                t.wake_retry(w)
        t.advance(gid, ((ins.dst, False),))
    elif once.state == 0:
        t.put(o, Once(1, ()))
        t.advance(gid, ((ins.dst, True),))
    else:
        t.put(o, Once(1, once.waiters + (gid,)))
        t.park(gid, ("sync.Once.Do", o))


def _once_end(t: Tx, gid: int, ins: ir.OnceEnd, s: tuple[Any, ...]) -> None:
    o = _obj(t, s[ins.once])
    once: Once = t.get(o)
    # doSlow's deferred Unlock (once.go) readies one waiter of the Mutex
    # (MU-4, into runnext, SCH-14); each readied waiter's own Unlock readies
    # the next: one per Unlock, not all at once.
    nxt = once.waiters[:1]
    t.put(o, Once(2, once.waiters[1:], nxt[0] if nxt else 0))
    for w in nxt:
        t.wake_retry(w)
    t.advance(gid)


def cond_locker(t: Tx, locker: Any) -> tuple[int, bool]:
    """(the lock object, whether its read side) of a Cond's L: a sync.Locker
    holding a *sync.Mutex or *sync.RWMutex (Lock/Unlock), or an
    ``rw.RLocker()`` (RLock/RUnlock).  Another Locker implementation would have
    Wait call the program's methods: a model limit."""
    if isinstance(locker, ir.Iface):
        if locker.type == "*sync.rlocker":
            return _obj(t, locker.value), True
        if locker.type not in ("*sync.Mutex", "*sync.RWMutex"):
            raise ModelLimitError(f"a sync.Cond whose L is a {locker.type} (its own Lock/Unlock methods) "
                                  "is outside the model")
        locker = locker.value
    return _obj(t, locker), False


def _cond_wait(t: Tx, gid: int, ins: ir.CondWait, s: tuple[Any, ...]) -> None:
    o = _obj(t, s[ins.cond])
    c: Cond = t.get(o)
    lk, read = cond_locker(t, c.locker)
    if read:
        _runlock(t, lk)
    else:
        unlock(t, gid, lk)
    c = t.get(o)
    t.put(o, Cond(c.locker, c.waiters + (gid,)))
    t.park(gid, ("sync.Cond.Wait", o))


def _cond_relock(t: Tx, gid: int, ins: ir.CondRelock, s: tuple[Any, ...]) -> None:
    c: Cond = t.get(_obj(t, s[ins.cond]))
    lk, read = cond_locker(t, c.locker)
    if read:
        _rlock(t, gid, lk)
    else:
        lock(t, gid, lk)


def _cond_signal(t: Tx, gid: int, ins: ir.CondSignal, s: tuple[Any, ...]) -> None:
    o = _obj(t, s[ins.cond])
    c: Cond = t.get(o)
    if c.waiters:
        n = len(c.waiters) if ins.broadcast else 1
        for w in c.waiters[:n]:
            t.wake(w)
        t.put(o, Cond(c.locker, c.waiters[n:]))
    t.advance(gid)


def _cond_set_l(t: Tx, gid: int, ins: ir.CondSetL, s: tuple[Any, ...]) -> None:
    """``c.L = l`` (a plain field write; a later Wait unlocks and relocks the new L)."""
    o = _obj(t, s[ins.cond])
    c: Cond = t.get(o)
    t.put(o, Cond(s[ins.src], c.waiters))
    t.advance(gid)


#: The visible instructions this module executes (`models.interp` builds its table from these).
HANDLERS: dict[type[ir.Instr], Callable[..., None]] = {
    ir.Lock: _lock, ir.Unlock: _unlock, ir.TryLock: _try_lock, ir.RLock: _r_lock, ir.RUnlock: _r_unlock,
    ir.CopySync: copy_sync, ir.WgAdd: _wg_add, ir.WgWait: _wg_wait, ir.OnceBegin: _once_begin, ir.OnceEnd: _once_end,
    ir.CondWait: _cond_wait, ir.CondRelock: _cond_relock, ir.CondSignal: _cond_signal, ir.CondSetL: _cond_set_l,
}
