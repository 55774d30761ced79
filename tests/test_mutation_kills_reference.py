"""Tests written to kill mutants of the reference runtime's sync primitives (reference/syncprims.py)
that survived benchmarks/mutation.py (reports/mutation.md).

The primitives are generators that park by yielding ``("park", reason, unlockf)`` (reference/objects.py);
here one thread drives them by hand for several goroutines, in a chosen order, with a fake runtime
(records ``ready``; ``can_spin`` as asked) and a fake clock, so every step of Go's algorithms
(runtime/sema.go, sync/mutex.go, rwmutex.go, waitgroup.go, once.go, cond.go) is checked on the exact
state words: SEMA-1/2, MU-1..5, RW-1..4, WG-1..4, ONCE-1, COND-1..3.
"""

from __future__ import annotations

from collections.abc import Generator
from types import SimpleNamespace
from typing import Any

import pytest

import reference.syncprims as sp
from reference.objects import PARK, YIELD_LOCAL, GoFatal, GoPanic


class _G:
    def __init__(self, n: int):
        self.n = n
        self.m = SimpleNamespace(p=f"P{n}")


class _RT:
    """What the primitives ask of the runtime: ready(g, p), can_spin(it, g), the starvation switch."""

    def __init__(self, spins: int = 0, starvation: bool = True, watch: Any = None, race: Any = None):
        self.readied: list[tuple[int, Any]] = []
        self.spun: list[Any] = []
        self.askers: list[int] = []
        self.spins = spins
        self.mutex_starvation = starvation
        self.sched = SimpleNamespace(stats={"mutex_handoffs": 0})
        self.watch, self.race = watch, race  # a Mutex whose state each can_spin records; a concurrent act

    def ready(self, g: _G, p: Any) -> None:
        self.readied.append((g.n, p))

    def can_spin(self, it: int, g: _G) -> bool:
        self.askers.append(g.n)
        self.spun.append(it if self.watch is None else (it, self.watch.state))
        if self.race is not None:
            self.race()
            self.race = None
        return it < self.spins


class _Op:
    """One goroutine's blocking operation, run until it parks or returns (as the M would)."""

    def __init__(self, gen: Generator[Any, Any, Any], at_park: Any = None):
        self.gen, self.yields, self.done, self.result = gen, [], False, None
        self.at_park = at_park  # called as the G parks, before unlockf
        self.resume()

    def resume(self) -> _Op:
        while True:
            try:
                y = next(self.gen)
            except StopIteration as e:
                self.done, self.result = True, e.value
                return self
            self.yields.append(tuple(y[:2]))
            if y[0] == PARK:
                if self.at_park is not None:
                    self.at_park()
                y[2]()  # gopark's unlockf: the object lock goes once the G is parked
                return self


class _Clock:
    """runtime.nanotime: never 0 (the mutex reads a wait start of 0 as "not waited yet")."""

    def __init__(self) -> None:
        self.now = 7_000_000_000

    def monotonic_ns(self) -> int:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    c = _Clock()
    monkeypatch.setattr(sp, "time", c)
    return c


def _events() -> tuple[list[str], Any]:
    log: list[str] = []
    return log, lambda name: (lambda *a: log.append(name))


def test_sema2_a_release_with_no_waiter_banks_a_unit_that_the_next_acquire_takes() -> None:
    s = sp.Sema()
    rt = _RT()
    assert _Op(sp.semrelease(rt, None, s, False)).done and (s.count, s.nwait, rt.readied) == (1, 0, [])
    a = _Op(sp.semacquire(_G(1), s, False, "x"))
    assert (a.done, a.yields, s.count, s.nwait) == (True, [], 0, 0)


def test_sema1_sema2_waiters_queue_fifo_or_lifo_and_a_handoff_gives_the_unit_directly() -> None:
    """semacquire parks at the tail (or the head, lifo) counting nwait; semrelease readies the head
    into the releaser's P; with handoff the unit goes with the ticket and the releaser yields to
    its local tail (SEMA-2)."""
    s, rt = sp.Sema(), _RT()
    a, b, c = (_Op(sp.semacquire(_G(n), s, n == 3, "sync.Mutex.Lock")) for n in (1, 2, 3))
    assert ([sd.g.n for sd in s.q], s.nwait, a.yields) == ([3, 1, 2], 3, [(PARK, "sync.Mutex.Lock")])
    r = _Op(sp.semrelease(rt, _G(9), s, False))
    assert (r.yields, rt.readied, s.count, s.nwait, [sd.g.n for sd in s.q]) == ([], [(3, "P9")], 1, 2, [1, 2])
    assert c.resume().done and s.count == 0
    h = _Op(sp.semrelease(rt, _G(8), s, True))
    assert (h.yields, rt.readied[-1], s.count, s.nwait) == ([(YIELD_LOCAL,)], (1, "P8"), 0, 1)
    assert a.resume().done and s.count == 0
    n = _Op(sp.semrelease(rt, None, s, True))  # no releasing G (a runtime release): no P, no yield
    assert (n.yields, rt.readied[-1], s.count, s.nwait) == ([], (2, None), 0, 0)
    assert b.resume().done


def test_mu2_mu4_normal_mode_a_woken_waiter_competes_and_takes_the_lock() -> None:
    """Lock/Unlock on the state word (locked 1, woken 2, starving 4, waiters << 3): G2 queues (9);
    Unlock takes a waiter off and sets woken (2), readying G2 into the unlocker's P; G2 retries and
    takes the lock, clearing woken (1)."""
    rt, mu = _RT(), sp.Mutex(1)
    log, ev = _events()
    g1 = _Op(sp.mutex_lock(rt, _G(1), mu, ev("lock1")))
    assert (g1.done, mu.state) == (True, 1)
    g2 = _Op(sp.mutex_lock(rt, _G(2), mu, ev("lock2")))
    assert (g2.done, g2.yields, mu.state, mu.sema.nwait) == (False, [(PARK, "sync.Mutex.Lock")], 9, 1)
    u = _Op(sp.mutex_unlock(rt, _G(1), mu, ev("unlock1")))
    assert (u.done, u.yields, mu.state, rt.readied, mu.sema.count) == (True, [], 2, [(2, "P1")], 1)
    assert g2.resume().done and (mu.state, mu.sema.count, rt.sched.stats["mutex_handoffs"]) == (1, 0, 0)
    assert _Op(sp.mutex_unlock(rt, _G(2), mu, ev("unlock2"))).done and mu.state == 0
    assert log == ["lock1", "unlock1", "lock2", "unlock2"]
    with pytest.raises(GoFatal, match="^sync: unlock of unlocked mutex$"):
        _Op(sp.mutex_unlock(rt, _G(2), mu, ev("x")))


def test_mu3_a_spinning_locker_sets_woken_so_unlock_wakes_nobody() -> None:
    """While the lock is held and spinning is allowed the locker spins (procyield), first setting
    woken when there are waiters (9 -> 11) so that Unlock wakes no one; when it may spin no more it
    queues with its woken bit cleared (11 -> 17: two waiters)."""
    mu = sp.Mutex(1)
    rt = _RT(spins=2, watch=mu)
    _Op(sp.mutex_lock(rt, _G(1), mu, None))
    _Op(sp.mutex_lock(_RT(), _G(2), mu, None))
    assert mu.state == 9
    g3 = _Op(sp.mutex_lock(rt, _G(3), mu, None))
    assert (g3.done, rt.spun, mu.state, [sd.g.n for sd in mu.sema.q]) == (
        False, [(0, 9), (1, 11), (2, 11)], 17, [2, 3])
    assert rt.askers == [3, 3, 3]  # canSpin is asked about the spinning G's own M and P
    mu2 = sp.Mutex(2)
    spin_free = _RT(spins=1, watch=mu2)
    _Op(sp.mutex_lock(spin_free, _G(1), mu2, None))
    g = _Op(sp.mutex_lock(spin_free, _G(2), mu2, None))  # no waiters yet: spins without setting woken
    assert (spin_free.spun, mu2.state, g.done) == ([(0, 1), (1, 1)], 9, False)
    mu3 = sp.Mutex(3)
    woken = _RT(spins=2, watch=mu3)
    _Op(sp.mutex_lock(woken, _G(1), mu3, None))
    _Op(sp.mutex_lock(woken, _G(2), mu3, None))  # spins (no waiter), then queues: 9
    mu3.state |= sp.WOKEN  # someone else is already woken: the spinner leaves it alone
    woken.spun.clear()
    _Op(sp.mutex_lock(woken, _G(3), mu3, None))
    assert (woken.spun, mu3.state) == ([(0, 11), (1, 11), (2, 11)], 19)


def test_mu2_a_cas_that_loses_a_race_rereads_the_state() -> None:
    """Between reading the state and its CAS the owner unlocks (a concurrent Unlock): the CAS fails,
    the locker re-reads the state and takes the now free lock without queueing."""
    mu = sp.Mutex(1)
    _Op(sp.mutex_lock(_RT(), _G(1), mu, None))
    rt = _RT(race=lambda: setattr(mu, "state", 0))
    g2 = _Op(sp.mutex_lock(rt, _G(2), mu, None))
    assert (g2.done, g2.yields, mu.state, mu.sema.nwait) == (True, [], 1, 0)


class _RacyMutex(sp.Mutex):
    """A Mutex whose next CAS loses to a concurrent act (run just before it)."""

    race: Any = None

    def cas(self, old: int, new: int, on_ok: Any = None) -> bool:
        if self.race is not None:
            act, self.race = self.race, None
            act()
        return super().cas(old, new, on_ok)


def test_mu4_an_unlock_that_loses_its_cas_to_a_new_locker_wakes_no_one() -> None:
    """unlockSlow: between the decrement and the CAS that would wake a waiter, a third goroutine
    takes the lock: the CAS fails, the state is re-read, and since it is locked nobody is woken
    (the new owner's Unlock will)."""
    rt, mu = _RT(), _RacyMutex(1)
    _Op(sp.mutex_lock(rt, _G(1), mu, None))
    _Op(sp.mutex_lock(rt, _G(2), mu, None))
    mu.race = lambda: setattr(mu, "state", mu.state | sp.LOCKED)
    assert _Op(sp.mutex_unlock(rt, _G(1), mu, None)).done
    assert (mu.state, rt.readied, mu.sema.count) == (9, [], 0)


def test_mu4_unlock_wakes_no_one_when_a_waiter_is_already_woken_and_a_double_unlock_is_fatal() -> None:
    mu = sp.Mutex(1)
    rt = _RT()
    _Op(sp.mutex_lock(rt, _G(1), mu, None))
    _Op(sp.mutex_lock(rt, _G(2), mu, None))
    # A spinner sets woken right as G1 unlocks (inside the atomic add): nobody is woken.
    assert _Op(sp.mutex_unlock(rt, _G(1), mu, lambda: setattr(mu, "state", mu.state | sp.WOKEN))).done
    assert (mu.state, rt.readied) == (10, [])
    mu2 = sp.Mutex(2)
    _Op(sp.mutex_lock(rt, _G(1), mu2, None))
    _Op(sp.mutex_lock(rt, _G(2), mu2, None))
    _Op(sp.mutex_unlock(rt, _G(1), mu2, None))  # G2 woken (2), not yet back
    with pytest.raises(GoFatal, match="^sync: unlock of unlocked mutex$"):
        _Op(sp.mutex_unlock(rt, _G(1), mu2, None))


def test_mu2_mu5_starvation_mode_hands_the_lock_over_and_ends_with_the_last_waiter(clock: _Clock) -> None:
    """G2 and G4 queue (17); Unlock wakes G2 (10) but G3 barges in (11).  G2, back after more than
    1 ms (starvationThresholdNs), finds the lock taken: it sets starving and requeues at the head
    (LIFO, 21).  Unlock in starvation mode hands the lock and the semaphore unit directly to the
    head and yields; the new owner takes it as handed (13: locked, starving, one waiter); the last
    waiter, starving itself, takes it and leaves starvation mode (1) (MU-5)."""
    rt, mu = _RT(), sp.Mutex(1)
    log, ev = _events()
    _Op(sp.mutex_lock(rt, _G(1), mu, ev("lock1")))
    g2 = _Op(sp.mutex_lock(rt, _G(2), mu, ev("lock2")))
    g4 = _Op(sp.mutex_lock(rt, _G(4), mu, ev("lock4")))
    assert (g2.done, g4.done, mu.state, [sd.g.n for sd in mu.sema.q]) == (False, False, 17, [2, 4])
    _Op(sp.mutex_unlock(rt, _G(1), mu, ev("unlock1")))
    assert (mu.state, rt.readied) == (10, [(2, "P1")])
    g3 = _Op(sp.mutex_lock(rt, _G(3), mu, ev("lock3")))  # barges in
    assert (g3.done, mu.state) == (True, 11)
    clock.now += 1_000_001
    rt.spun.clear()
    g2.resume()
    assert (g2.done, mu.state, [sd.g.n for sd in mu.sema.q], rt.spun) == (False, 21, [2, 4], [0])
    u = _Op(sp.mutex_unlock(rt, _G(3), mu, ev("unlock3")))
    assert (u.yields, rt.readied[-1], mu.state, mu.sema.count) == ([(YIELD_LOCAL,)], (2, "P3"), 20, 0)
    assert g2.resume().done and (mu.state, rt.sched.stats["mutex_handoffs"]) == (13, 1)
    _Op(sp.mutex_unlock(rt, _G(2), mu, ev("unlock2")))
    assert (mu.state, rt.readied[-1]) == (12, (4, "P2"))
    assert g4.resume().done and (mu.state, rt.sched.stats["mutex_handoffs"]) == (1, 2)
    assert log == ["lock1", "unlock1", "lock3", "unlock3", "lock2", "unlock2", "lock4"]


def test_mu2_a_woken_waiter_back_within_1ms_requeues_at_the_head_without_starving(clock: _Clock) -> None:
    """Back after exactly 1 ms (not more) and beaten by a barger, the waiter queues again at the
    head (LIFO) without setting starving; a late waiter that finds the lock free just takes it."""
    rt, mu = _RT(), sp.Mutex(1)
    _Op(sp.mutex_lock(rt, _G(1), mu, None))
    g2 = _Op(sp.mutex_lock(rt, _G(2), mu, None))
    _Op(sp.mutex_lock(rt, _G(4), mu, None))
    _Op(sp.mutex_unlock(rt, _G(1), mu, None))
    _Op(sp.mutex_lock(rt, _G(3), mu, None))
    clock.now += 1_000_000
    rt.spun.clear()
    g2.resume()
    assert (g2.done, mu.state, [sd.g.n for sd in mu.sema.q], rt.spun) == (False, 17, [2, 4], [0])
    mu2 = sp.Mutex(2)
    _Op(sp.mutex_lock(rt, _G(1), mu2, None))
    late = _Op(sp.mutex_lock(rt, _G(2), mu2, None))
    _Op(sp.mutex_unlock(rt, _G(1), mu2, None))
    clock.now += 5_000_000
    assert late.resume().done and mu2.state == 1


@pytest.mark.parametrize("corrupt", [12 | 1, 4])
def test_mu2_a_handoff_onto_an_inconsistent_state_is_fatal(clock: _Clock, corrupt: int) -> None:
    """sync/mutex.go throws "inconsistent mutex state" when a woken waiter finds the word
    impossible: handed over in starvation mode yet locked, or with no waiter counted; or woken
    without the woken bit."""
    rt, mu = _RT(), sp.Mutex(1)
    _Op(sp.mutex_lock(rt, _G(1), mu, None))
    g2 = _Op(sp.mutex_lock(rt, _G(2), mu, None))
    _Op(sp.mutex_unlock(rt, _G(1), mu, None))
    _Op(sp.mutex_lock(rt, _G(3), mu, None))
    clock.now += 2_000_000
    g2.resume()  # starving, requeued: 13
    _Op(sp.mutex_unlock(rt, _G(3), mu, None))  # hands off: 12
    mu.state = corrupt
    with pytest.raises(GoFatal, match="^sync: inconsistent mutex state$"):
        g2.resume()
    mu2 = sp.Mutex(2)
    _Op(sp.mutex_lock(rt, _G(1), mu2, None))
    w = _Op(sp.mutex_lock(rt, _G(2), mu2, None))
    _Op(sp.mutex_unlock(rt, _G(1), mu2, None))
    mu2.state = sp.LOCKED  # the woken bit lost
    with pytest.raises(GoFatal, match="^sync: inconsistent mutex state$"):
        w.resume()


def test_mu5_without_starvation_mode_a_late_waiter_still_competes(clock: _Clock) -> None:
    rt, mu = _RT(starvation=False), sp.Mutex(1)
    _Op(sp.mutex_lock(rt, _G(1), mu, None))
    g2 = _Op(sp.mutex_lock(rt, _G(2), mu, None))
    _Op(sp.mutex_unlock(rt, _G(1), mu, None))
    _Op(sp.mutex_lock(rt, _G(3), mu, None))
    clock.now += 5_000_000
    g2.resume()
    assert (g2.done, mu.state) == (False, 9)  # requeued, not starving


def test_mu5_trylock_and_a_copied_mutex_keeps_only_locked_and_starving() -> None:
    mu = sp.Mutex(1)
    log, ev = _events()
    assert sp.mutex_trylock(mu, ev("try")) and mu.state == 1 and not sp.mutex_trylock(mu, ev("again"))
    assert log == ["try"]
    mu.state = 4 | 2 | 1 | 3 << 3
    dst = sp.Mutex(2)
    sp.copy_state(mu, dst)
    assert dst.state == 5


def test_rw2_rw3_readers_writer_preference_and_the_last_reader_releasing_the_writer() -> None:
    """RLock counts readers; a writer takes w, announces itself (readerCount - 2^30) and waits for
    the active readers (readerWait); new readers then block; the last active reader releases the
    writer; Unlock releases every blocked reader and unlocks w."""
    rt, rw = _RT(), sp.RWMutex(1)
    log, ev = _events()
    r1 = _Op(sp.rw_rlock(rt, _G(1), rw, ev("rlock1")))
    r2 = _Op(sp.rw_rlock(rt, _G(2), rw, ev("rlock2")))
    assert (r1.done, r2.done, rw.reader_count) == (True, True, 2)
    w = _Op(sp.rw_lock(rt, _G(3), rw, ev("lock3")))
    assert (w.done, w.yields, rw.reader_count, rw.reader_wait, rw.w.state) == (
        False, [(PARK, "sync.RWMutex.Lock")], 2 - sp.MAX_READERS, 2, 1)
    r4 = _Op(sp.rw_rlock(rt, _G(4), rw, ev("rlock4")))
    assert (r4.done, r4.yields, rw.reader_count) == (False, [(PARK, "sync.RWMutex.RLock")], 3 - sp.MAX_READERS)
    r5 = _Op(sp.rw_rlock(rt, _G(5), rw, ev("rlock5")))
    assert _Op(sp.rw_runlock(rt, _G(1), rw, ev("runlock1"))).done and (rw.reader_wait, rt.readied) == (1, [])
    last = _Op(sp.rw_runlock(rt, _G(2), rw, ev("runlock2")))
    assert (last.done, last.yields, rw.reader_wait, rt.readied) == (True, [], 0, [(3, "P2")])
    assert w.resume().done
    u = _Op(sp.rw_unlock(rt, _G(3), rw, ev("unlock3")))
    assert (u.done, u.yields, rw.reader_count, rw.w.state, rt.readied[1:]) == (True, [], 2, 0, [(4, "P3"), (5, "P3")])
    assert r4.resume().done and r5.resume().done
    assert log == ["rlock1", "rlock2", "rlock4", "rlock5", "runlock1", "runlock2", "lock3", "unlock3"]
    _Op(sp.rw_runlock(rt, _G(4), rw, ev("x")))
    _Op(sp.rw_runlock(rt, _G(5), rw, ev("x")))
    with pytest.raises(GoFatal, match="^sync: RUnlock of unlocked RWMutex$"):
        _Op(sp.rw_runlock(rt, _G(4), rw, ev("x")))
    with pytest.raises(GoFatal, match="^sync: Unlock of unlocked RWMutex$"):
        _Op(sp.rw_unlock(rt, _G(1), sp.RWMutex(2), ev("x")))
    held = sp.RWMutex(3)
    _Op(sp.rw_lock(rt, _G(1), held, lambda: None))
    with pytest.raises(GoFatal, match="^sync: RUnlock of unlocked RWMutex$"):
        _Op(sp.rw_runlock(rt, _G(2), held, ev("x")))
    plain = sp.RWMutex(4)  # readers alone never touch readerWait
    _Op(sp.rw_rlock(rt, _G(1), plain, ev("r")))
    _Op(sp.rw_runlock(rt, _G(1), plain, ev("ru")))
    assert (plain.reader_count, plain.reader_wait) == (0, 0)


def test_rw3_a_writer_waits_for_the_inner_mutex_with_its_wait_reason() -> None:
    rt, rw = _RT(), sp.RWMutex(1)
    _Op(sp.lock_any(rt, _G(1), rw, None))
    w2 = _Op(sp.lock_any(rt, _G(2), rw, None))
    assert (w2.yields, rw.w.state) == ([(PARK, "sync.RWMutex.Lock")], 9)
    assert _Op(sp.unlock_any(rt, _G(1), rw, None)).done and rt.readied == [(2, "P1")]
    assert w2.resume().done and (rw.reader_count, rw.w.state) == (-sp.MAX_READERS, 1)
    held = sp.RWMutex(3)
    sp.copy_state(rw, held)
    assert (held.reader_count, held.reader_wait, held.w.state) == (-sp.MAX_READERS, 0, 1)


def test_wg2_wg3_wait_parks_until_the_counter_reaches_zero_then_every_waiter_goes() -> None:
    rt, wg = _RT(), sp.WaitGroup(1)
    log, ev = _events()
    _Op(sp.wg_add(rt, _G(1), wg, 2, ev("add2")))
    a = _Op(sp.wg_wait(rt, _G(2), wg, ev("wait2")))
    b = _Op(sp.wg_wait(rt, _G(3), wg, ev("wait3")))
    assert (a.yields, b.done, wg.v, wg.w) == ([(PARK, "sync.WaitGroup.Wait")], False, 2, 2)
    _Op(sp.wg_add(rt, _G(4), wg, -1, ev("done4")))
    assert (rt.readied, wg.v, wg.w) == ([], 1, 2)
    done5 = _Op(sp.wg_add(rt, _G(5), wg, -1, ev("done5")))
    assert (done5.yields, rt.readied, wg.v, wg.w) == ([], [(2, "P5"), (3, "P5")], 0, 0)
    assert a.resume().done and b.resume().done
    assert log == ["add2", "done4", "done5", "wait2", "wait3"]
    assert _Op(sp.wg_wait(rt, _G(6), wg, ev("wait6"))).done and log[-1] == "wait6"
    with pytest.raises(GoPanic, match="^sync: negative WaitGroup counter$"):
        _Op(sp.wg_add(rt, _G(1), wg, -1, ev("x")))


def test_wg_misuse_add_concurrent_with_wait_and_reuse_before_wait_returned() -> None:
    """WaitGroup misuse as sync/waitgroup.go detects it: a positive Add landing between the last
    Done's decrement and its release of the waiters (counter 0, a waiter counted) panics; Add(0)
    there is no misuse and itself releases the waiter; a Wait that finds the counter raised again
    before it returned panics."""
    rt = _RT()
    wg = sp.WaitGroup(1)
    wg.w = 1
    with pytest.raises(GoPanic, match="^sync: WaitGroup misuse: Add called concurrently with Wait$"):
        _Op(sp.wg_add(rt, _G(3), wg, 1, lambda: None))
    wg0 = sp.WaitGroup(2)
    _Op(sp.wg_add(rt, _G(1), wg0, 1, lambda: None))
    w0 = _Op(sp.wg_wait(rt, _G(2), wg0, lambda: None))
    wg0.v = 0  # the last Done's decrement, its release still to come
    assert _Op(sp.wg_add(rt, _G(3), wg0, 0, lambda: None)).done and rt.readied == [(2, "P3")]
    assert w0.resume().done and (wg0.v, wg0.w) == (0, 0)
    wg2 = sp.WaitGroup(3)
    _Op(sp.wg_add(rt, _G(1), wg2, 1, lambda: None))
    w = _Op(sp.wg_wait(rt, _G(2), wg2, lambda: None))
    _Op(sp.wg_add(rt, _G(1), wg2, -1, lambda: None))
    wg2.v = 1  # an Add for the next round before this Wait returned
    with pytest.raises(GoPanic, match="^sync: WaitGroup is reused before previous Wait has returned$"):
        w.resume()
    copy = sp.WaitGroup(4)
    wg2.w = 2
    sp.copy_state(wg2, copy)
    assert (copy.v, copy.w) == (1, 0)
    # In controlled mode the release is a step of its own: an Add landing there is caught.
    wg5 = sp.WaitGroup(5)
    _Op(sp.wg_add(rt, _G(1), wg5, 1, lambda: None))
    _Op(sp.wg_wait(rt, _G(2), wg5, lambda: None))

    def add_in_between() -> Generator[Any, Any, None]:
        wg5.v += 1
        yield from ()

    ctl_rt = _RT()
    ctl_rt.ctl = SimpleNamespace(before_visible=lambda g: add_in_between())  # type: ignore[attr-defined]
    with pytest.raises(GoPanic, match="^sync: WaitGroup misuse: Add called concurrently with Wait$"):
        _Op(sp.wg_add(ctl_rt, _G(3), wg5, -1, lambda: None))


def test_once1_the_first_do_runs_f_under_the_mutex_the_others_wait_then_return() -> None:
    rt, o = _RT(), sp.Once(1)
    log, ev = _events()
    first = _Op(sp.once_begin(rt, _G(1), o, ev("begin1")))
    assert (first.done, first.result, o.m.state) == (True, True, 1)
    second = _Op(sp.once_begin(rt, _G(2), o, ev("begin2")))
    assert (second.done, second.yields, o.m.state) == (False, [(PARK, "sync.Mutex.Lock")], 9)
    assert _Op(sp.once_end(rt, _G(1), o, ev("end1"))).done and (o.done, rt.readied) == (True, [(2, "P1")])
    assert second.resume().done and (second.result, o.m.state) == (False, 0)
    # A third Do that queued behind the second is woken by the second's Unlock (f already ran).
    o2 = sp.Once(4)
    _Op(sp.once_begin(rt, _G(1), o2, lambda: None))
    b = _Op(sp.once_begin(rt, _G(2), o2, lambda: None))
    c = _Op(sp.once_begin(rt, _G(3), o2, lambda: None))
    _Op(sp.once_end(rt, _G(1), o2, lambda: None))
    assert b.resume().done and (b.result, rt.readied[-1]) == (False, (3, "P2"))
    assert c.resume().done and (c.result, o2.m.state) == (False, 0)
    late = _Op(sp.once_begin(rt, _G(3), o, ev("begin3")))
    assert (late.done, late.result) == (True, False)
    assert log == ["begin1", "end1", "begin2", "begin3"]
    copy = sp.Once(2)
    o.m.state = sp.LOCKED | sp.WOKEN | 8  # copied while f runs: only the lock bit comes along
    sp.copy_state(o, copy)
    assert (copy.done, copy.m.state, sp.Once(3).done) == (True, sp.LOCKED, False)


def test_cond1_cond2_tickets_signal_wakes_the_oldest_broadcast_all_in_ticket_order() -> None:
    """Wait takes a ticket before unlocking L, then parks; Signal wakes the oldest ticket into the
    signaller's P (a signal with no waiter is lost); Broadcast wakes the rest in ticket order."""
    rt, mu = _RT(), sp.Mutex(1)
    c = sp.Cond(2, mu)
    log, ev = _events()
    waiters = []
    for n in (1, 2, 3):
        _Op(sp.mutex_lock(rt, _G(n), mu, None))
        waiters.append(_Op(sp.cond_wait(rt, _G(n), c, mu, ev(f"wait{n}"))))
    assert ([w.yields for w in waiters], c.wait, c.notify, mu.state) == ([[(PARK, "sync.Cond.Wait")]] * 3, 3, 0, 0)
    c.waiters.reverse()  # the list order is not the ticket order
    sp.cond_signal(rt, _G(9), c, False, ev("signal"))
    assert (rt.readied, c.notify, [t for t, _ in c.waiters]) == ([(1, "P9")], 1, [2, 1])
    sp.cond_signal(rt, _G(8), c, True, ev("broadcast"))
    assert (rt.readied[1:], c.notify, c.waiters) == ([(2, "P8"), (3, "P8")], 3, [])
    sp.cond_signal(rt, _G(7), c, False, ev("lost"))
    assert (len(rt.readied), c.notify) == (3, 3)
    assert log == ["wait1", "wait2", "wait3", "signal", "broadcast", "lost"]
    # A Wait whose ticket a Signal already covered does not park.
    _Op(sp.mutex_lock(rt, _G(4), mu, None))
    c.notify = c.wait + 1
    assert _Op(sp.cond_wait(rt, _G(4), c, mu, ev("wait4"))).done
    # Three waiters, three Signals: each wakes the next ticket.
    c3, m3, r3 = sp.Cond(5, sp.Mutex(6)), None, _RT()
    m3 = c3.L
    for n in (1, 2, 3):
        _Op(sp.mutex_lock(r3, _G(n), m3, None))
        _Op(sp.cond_wait(r3, _G(n), c3, m3, lambda: None))
    for _ in range(3):
        sp.cond_signal(r3, _G(9), c3, False, lambda: None)
    assert (r3.readied, c3.notify) == ([(1, "P9"), (2, "P9"), (3, "P9")], 3)


def test_cond1_wait_unlocks_l_waking_its_waiter_and_lock_any_logs_each_kind() -> None:
    """c.Wait() unlocks L as Unlock does: a goroutine waiting for L is readied into the waiter's P;
    Lock/Unlock through lock_any/unlock_any log their event on a Mutex and a RWMutex alike."""
    rt, mu = _RT(), sp.Mutex(1)
    c = sp.Cond(2, mu)
    _Op(sp.lock_any(rt, _G(1), mu, None))
    g2 = _Op(sp.lock_any(rt, _G(2), mu, None))
    w = _Op(sp.cond_wait(rt, _G(1), c, mu, lambda: None))
    assert (w.done, rt.readied, mu.state) == (False, [(2, "P1")], 2)
    assert g2.resume().done
    log, ev = _events()
    for m in (sp.Mutex(3), sp.RWMutex(4)):
        _Op(sp.lock_any(rt, _G(5), m, ev(f"lock {type(m).__name__}")))
        waiter = _Op(sp.lock_any(rt, _G(6), m, None))
        _Op(sp.unlock_any(rt, _G(5), m, ev(f"unlock {type(m).__name__}")))
        assert waiter.resume().done and rt.readied[-1] == (6, "P5")
    assert log == ["lock Mutex", "unlock Mutex", "lock RWMutex", "unlock RWMutex"]


def test_cond1_wait_on_an_rlocker_releases_the_read_side() -> None:
    """Wait on an RLocker RUnlocks: as the last reader it releases the writer waiting for it."""
    rt, rw = _RT(), sp.RWMutex(1)
    c = sp.Cond(2, rw)
    _Op(sp.rw_rlock(rt, _G(1), rw, lambda: None))
    writer = _Op(sp.rw_lock(rt, _G(2), rw, lambda: None))
    assert (writer.done, rw.reader_wait) == (False, 1)
    w = _Op(sp.cond_wait(rt, _G(1), c, rw, lambda: None, True))
    assert (w.done, rw.reader_count, rw.reader_wait, c.wait, rt.readied) == (
        False, -sp.MAX_READERS, 0, 1, [(2, "P1")])
    assert writer.resume().done


def test_a_copied_rwmutex_keeps_whether_it_is_held() -> None:
    """ir.CopySync: a read-locked RWMutex copies its reader count; a write-locked one (readers
    blocked or not) copies as write-locked with no readers; an unlocked one as unlocked."""
    rt = _RT()
    read = sp.RWMutex(1)
    for n in (1, 2):
        _Op(sp.rw_rlock(rt, _G(n), read, lambda: None))
    written = sp.RWMutex(2)
    _Op(sp.rw_lock(rt, _G(3), written, lambda: None))
    _Op(sp.rw_rlock(rt, _G(4), written, lambda: None))  # blocks behind the writer
    got = []
    for src in (read, written, sp.RWMutex(3)):
        dst = sp.RWMutex(9)
        sp.copy_state(src, dst)
        got.append((dst.reader_count, dst.reader_wait, dst.w.state))
    assert got == [(2, 0, 0), (-sp.MAX_READERS, 0, sp.LOCKED), (0, 0, 0)]


# ---------------------------------------------------------------- channels, select, contexts (reference/objects.py)

import reference.objects as ob  # noqa: E402


def _chlog() -> tuple[list[tuple[Any, ...]], Any]:
    log: list[tuple[Any, ...]] = []
    return log, lambda *a: log.append(a)


def test_ch4_ch5_an_unbuffered_channel_hands_the_value_over_both_ways() -> None:
    """A receiver parks ("chan receive"); the sender hands it the value and readies it into its own
    P without parking; the other way round the sender parks ("chan send") and the receiver takes
    the value from it.  Each completion logs the channel's id."""
    rt, c = _RT(), ob.Chan(7, 0, 0)
    log, ev = _chlog()
    r = _Op(ob.chan_recv(rt, _G(1), c, 0, ev))
    assert (r.done, r.yields, len(c.recvq)) == (False, [(PARK, "chan receive")], 1)
    s = _Op(ob.chan_send(rt, _G(2), c, 5, ev))
    assert (s.done, s.yields, rt.readied, log) == (True, [], [(1, "P2")], [(7,)])
    assert r.resume().done and (r.result, log[-1]) == ((5, True), (7,))
    s2 = _Op(ob.chan_send(rt, _G(3), c, 6, ev))
    assert (s2.done, s2.yields) == (False, [(PARK, "chan send")])
    r2 = _Op(ob.chan_recv(rt, _G(4), c, 0, ev))
    assert (r2.result, rt.readied[-1], log[-1]) == ((6, True), (3, "P4"), (7,))
    assert s2.resume().done and log == [(7,)] * 4
    nil_s, nil_r = _Op(ob.chan_send(rt, _G(5), None, 1, ev)), _Op(ob.chan_recv(rt, _G(6), None, 0, ev))
    assert (nil_s.yields, nil_r.yields) == ([(PARK, "chan send (nil chan)")], [(PARK, "chan receive (nil chan)")])


def test_ch5_a_full_buffer_with_a_parked_sender_and_close() -> None:
    """Receiving from a full buffer with a sender parked takes the head and moves the sender's
    value to the tail (CH-5.4); close wakes every receiver (zero, false) and sender (which panics),
    readied in reverse order (a LIFO gList) into the closer's P."""
    rt, c = _RT(), ob.Chan(3, 1, 0)
    log, ev = _chlog()
    _Op(ob.chan_send(rt, _G(1), c, 10, ev))
    s = _Op(ob.chan_send(rt, _G(2), c, 20, ev))
    assert (s.done, list(c.buf)) == (False, [10])
    r = _Op(ob.chan_recv(rt, _G(3), c, 0, ev))
    assert (r.result, list(c.buf), rt.readied) == ((10, True), [20], [(2, "P3")])
    assert s.resume().done and log == [(3,)] * 3
    assert _Op(ob.chan_recv(rt, _G(3), c, 0, ev)).result == (20, True) and log[-1] == (3,)  # from the buffer
    e = ob.Chan(4, 0, 0)
    r1, r2 = _Op(ob.chan_recv(rt, _G(4), e, 0, ev)), _Op(ob.chan_recv(rt, _G(5), e, 0, ev))
    w = ob.Chan(5, 0, 0)
    s1 = _Op(ob.chan_send(rt, _G(6), w, 1, ev))
    ob.chan_close(rt, _G(9), e, ev)
    ob.chan_close(rt, _G(8), w, ev)
    assert rt.readied[-3:] == [(5, "P9"), (4, "P9"), (6, "P8")] and log[-2:] == [(4,), (5,)]
    assert (r1.resume().result, r2.resume().result) == ((0, False), (0, False))
    with pytest.raises(GoPanic, match="^send on closed channel$"):
        s1.resume()
    ob.chan_close(rt, None, ob.Chan(6, 0, 0), ev)  # closed by the runtime (a context's timer): no P
    q = ob.Chan(8, 0, 0)
    _Op(ob.chan_recv(rt, _G(7), q, 0, ev))
    ob.chan_close(rt, None, q, ev)
    assert rt.readied[-1] == (7, None)


def test_ch_runtime_sends_of_a_timer_channel() -> None:
    """chan_send_nb (time.After's send): to a parked receiver (readied into the given P, the
    value delivered), into the buffer, and not at all when full or closed."""
    rt, c = _RT(), ob.Chan(1, 0, 0)
    r = _Op(ob.chan_recv(rt, _G(1), c, 0, lambda *a: None))
    assert ob.chan_send_nb(rt, c, "t", "P0") is True and rt.readied == [(1, "P0")]
    assert r.resume().result == ("t", True)
    b = ob.Chan(2, 1, 0)
    assert (ob.chan_send_nb(rt, b, "a", None), ob.chan_send_nb(rt, b, "b", None), list(b.buf)) == (True, False, ["a"])
    b.closed = True
    assert ob.chan_send_nb(rt, b, "c", None) is False


class _Rand:
    def shuffle(self, x: list[int]) -> None:  # pollorder: keep the written order
        return None


def _select(rt: _RT, g: _G, cases: list[Any], default: bool, ev: Any) -> _Op:
    rt.rand = _Rand()  # type: ignore[attr-defined]
    return _Op(ob.select(rt, g, cases, default, ev))


def test_sel5_select_pass_one_takes_the_first_ready_case_in_poll_order() -> None:
    rt = _RT()
    log, ev = _chlog()
    a, b = ob.Chan(1, 0, 0), ob.Chan(2, 1, 0)
    sender = _Op(ob.chan_send(rt, _G(9), a, 5, ev))
    assert _select(rt, _G(1), [("recv", a, None, 0), ("recv", b, None, 0)], False, ev).result == (0, 5, True)
    assert (rt.readied[-1], log[-1]) == ((9, "P1"), (1, 0)) and sender.resume().done
    b.buf.append(8)
    assert _select(rt, _G(1), [("recv", a, None, 0), ("recv", b, None, 0)], False, ev).result == (1, 8, True)
    assert log[-1] == (2, 1)
    b.closed = True
    assert _select(rt, _G(1), [("recv", a, None, 0), ("recv", b, None, -1)], False, ev).result == (1, -1, False)
    assert log[-1] == (2, 1)
    receiver = _Op(ob.chan_recv(rt, _G(8), a, 0, ev))
    assert _select(rt, _G(2), [("send", a, 3, None)], False, ev).result == (0, None, True)
    assert (rt.readied[-1], log[-1], receiver.resume().result) == ((8, "P2"), (1, 0), (3, True))
    c = ob.Chan(3, 1, 0)
    assert _select(rt, _G(2), [("send", a, 1, None), ("send", c, 4, None)], False, ev).result == (1, None, True)
    assert (list(c.buf), log[-1]) == ([4], (3, 1))
    assert _select(rt, _G(2), [("send", a, 1, None)], True, ev).result == (-1, None, False) and log[-1] == (None, -1)
    with pytest.raises(GoPanic, match="^send on closed channel$"):
        _select(rt, _G(2), [("send", b, 1, None)], False, ev)
    assert _select(rt, _G(3), [], False, ev).yields == [(PARK, "select (no cases)")]
    assert _select(rt, _G(3), [("recv", None, None, 0)], False, ev).yields == [(PARK, "select")]


def test_sel6_sel7_a_parked_select_wins_one_case_and_leaves_no_registration() -> None:
    """Pass 2 enqueues on every channel and parks ("select"); a sender on one channel wins it (the
    select's other sudogs become stale: a sender on the other channel skips them and serves the
    next receiver, SEL-6); pass 3 dequeues the losers and reports the winner."""
    rt = _RT()
    log, ev = _chlog()
    a, b = ob.Chan(1, 0, 0), ob.Chan(2, 0, 0)
    g1 = _G(1)
    rt.rand = _Rand()  # type: ignore[attr-defined]
    held: list[bool] = []  # sellock: every channel stays locked until the G has parked (SEL-4)
    sel = _Op(ob.select(rt, g1, [("recv", a, None, 0), ("send", b, 9, None)], False, ev),
              at_park=lambda: held.extend((a.lock.locked(), b.lock.locked())))
    assert (sel.yields, held, a.lock.locked(), b.lock.locked()) == ([(PARK, "select")], [True, True], False, False)
    assert (len(a.recvq), len(b.sendq)) == (1, 1)
    _Op(ob.chan_send(rt, _G(3), a, 7, ev))  # wins case 0
    assert sel.resume().result == (0, 7, True)
    assert (len(a.recvq), len(b.sendq), g1.param, log[-1]) == (0, 0, None, (1, 0))  # type: ignore[attr-defined]
    x, y = ob.Chan(6, 0, 0), ob.Chan(7, 0, 0)
    sel2 = _select(rt, _G(10), [("recv", x, None, 0), ("recv", y, None, 0)], False, ev)
    other = _Op(ob.chan_recv(rt, _G(2), y, 0, ev))  # queued behind the select's receive on y
    _Op(ob.chan_send(rt, _G(11), x, 1, ev))  # wins case 0: the sudog on y is stale
    sender_y = _Op(ob.chan_send(rt, _G(4), y, 8, ev))  # skips it and serves G2
    assert (sender_y.done, rt.readied[-2:]) == (True, [(10, "P11"), (2, "P4")]) and other.resume().result == (8, True)
    assert sel2.resume().result == (0, 1, True) and len(y.recvq) == 0
    p, q = ob.Chan(8, 0, 0), ob.Chan(9, 0, 0)
    sel3 = _select(rt, _G(12), [("recv", p, None, 0), ("recv", q, None, 0)], False, ev)
    _Op(ob.chan_send(rt, _G(13), p, 2, ev))
    assert sel3.resume().result == (0, 2, True) and (len(p.recvq), len(q.recvq)) == (0, 0)
    # A select's send case won by a receiver; its receive case woken by close; its send case by close.
    c = ob.Chan(3, 0, 0)
    s2 = _select(rt, _G(5), [("send", c, 4, None)], False, ev)
    assert _Op(ob.chan_recv(rt, _G(6), c, 0, ev)).result == (4, True)
    assert s2.resume().result == (0, None, True) and log[-1] == (3, 0)
    d = ob.Chan(4, 0, 0)
    s3 = _select(rt, _G(7), [("recv", d, None, -5)], False, ev)
    ob.chan_close(rt, _G(9), d, ev)
    assert s3.resume().result == (0, -5, False)
    e = ob.Chan(5, 0, 0)
    s4 = _select(rt, _G(8), [("send", e, 1, None)], False, ev)
    ob.chan_close(rt, _G(9), e, ev)
    with pytest.raises(GoPanic, match="^send on closed channel$"):
        s4.resume()


def test_context_cancel_closes_done_and_cancels_the_children_once() -> None:
    """cancel(): err "context canceled", Done closed (its waiters readied into the canceller's
    P), every child cancelled; a second cancel does nothing; Background (no Done) cannot be."""
    rt = _RT()
    parent = ob.Context(1, ob.Chan(10, 0, None), None)
    child = ob.Context(2, ob.Chan(11, 0, None), parent)
    parent.children.append(child)
    w1 = _Op(ob.chan_recv(rt, _G(1), parent.done, None, lambda *a: None))
    w2 = _Op(ob.chan_recv(rt, _G(2), child.done, None, lambda *a: None))
    ob.ctx_cancel(rt, _G(9), parent)
    assert (parent.err, child.err, rt.readied) == ("context canceled", "context canceled", [(1, "P9"), (2, "P9")])
    assert w1.resume().result == (None, False) and w2.resume().result == (None, False)
    ob.ctx_cancel(rt, _G(9), parent)  # idempotent: no second close (that would panic)
    bg = ob.Context(3, None, None)
    ob.ctx_cancel(rt, _G(9), bg)
    assert (bg.err, bg.done_ref) == (None, None)


def _run_go(src: str) -> Any:
    import reference
    from gocheck.spec import load_spec_text

    body = "".join("  " + line + "\n" for line in src.strip().splitlines())
    spec = load_spec_text(f"name: t\nsource: |\n{body}properties: [deadlock_free]\n", "t.yaml")
    return reference.run(spec.program, procs=1, seed=1, timeout_s=20)


@pytest.mark.slow
def test_context_values_are_found_through_a_cancel_context_and_background_has_no_done() -> None:
    """On real threads: ctx.Value walks the parents through a WithCancel context; Background's
    Done is nil."""
    r = _run_go("""
package main

import (
	"context"
	"fmt"
)

func main() {
	base := context.WithValue(context.Background(), "k", "v")
	c, cancel := context.WithCancel(base)
	defer cancel()
	fmt.Println(c.Value("k"), context.Background().Done() == nil)
}
""")
    assert (r.exit_code, r.output) == (0, "v true\n")


@pytest.mark.slow
def test_the_event_log_names_the_variable_each_access_touches() -> None:
    """The runtime's event log (what conformance replays): every Store/Load of one variable names
    the same object id."""
    r = _run_go("""
package main

import "fmt"

var x int

func main() {
	x = 1
	x = 2
	fmt.Println(x)
}
""")
    objs = {e["object"] for e in r.events if e["action"] in ("Store", "Load")}
    assert r.output == "2\n" and len(objs) == 1 and isinstance(next(iter(objs)), int)
