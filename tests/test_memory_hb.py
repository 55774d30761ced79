"""Vector-clock happens-before (models.memory.hb) on hand-made event sequences,
and the z3 result helpers (checker.smt)."""

from __future__ import annotations

import pytest
import z3

from checker.smt import Proved, Refuted, Unknown, frame, solve, solver
from models.memory.hb import Event, HappensBefore, races


def E(g: int, kind: str, obj: object = None, line: int = 0, arg: object = None) -> Event:
    return Event(g, kind, obj, line, str(obj) if obj is not None else "", arg)


def test_capacity_rule_k_plus_c_orders_first_receive_before_second_send() -> None:
    # L4 / MM-13 with C = 1: recv #1 is synchronized before send #2 completes.
    ev = [E(1, "send", "c", 1, 1), E(1, "go", arg=2), E(2, "write", "x", 3), E(2, "recv", "c", 4, 1),
          E(1, "send", "c", 5, 1), E(1, "read", "x", 6)]
    assert races(ev) == []


def test_capacity_rule_does_not_order_recv_k_before_send_k_plus_c_minus_1() -> None:
    # C = 2: recv #1 orders only send #3; send #2 completes without it (a race on x).
    ev = [E(1, "send", "c", 1, 2), E(1, "go", arg=2), E(2, "write", "x", 3), E(2, "recv", "c", 4, 2),
          E(1, "send", "c", 5, 2), E(1, "read", "x", 6)]
    assert [(r.first.line, r.second.line) for r in races(ev)] == [(3, 6)]
    ev2 = ev[:5] + [E(1, "send", "c", 7, 2), E(1, "read", "x", 8)]
    assert [(r.first.line, r.second.line) for r in races(ev2)] == []


def test_unbuffered_rendezvous_orders_both_ways() -> None:
    """RD-1: an unbuffered channel synchronizes both ways (racesync: release and acquire on each
    side), a buffered one only send before receive."""
    # L3a: the receiver's write before <-c is visible after the send completes (MM-12),
    # even when the sender blocked first (the adjacent recv joins into it).
    ev = [E(1, "go", arg=2), E(2, "write", "a", 2), E(1, "send", "c", 3, 0), E(2, "recv", "c", 4, 0),
          E(1, "read", "a", 5)]
    assert races(ev) == []
    buffered = [E(1, "go", arg=2), E(2, "write", "a", 2), E(1, "send", "c", 3, 1), E(2, "recv", "c", 4, 1),
                E(1, "read", "a", 5)]
    assert len(races(buffered)) == 1  # L3b


def test_mutex_unlock_orders_next_lock_and_missing_unlock_is_named() -> None:
    ok = [E(1, "go", arg=2), E(2, "lock", "mu", 1), E(2, "write", "a", 2), E(2, "unlock", "mu", 3),
          E(1, "lock", "mu", 10), E(1, "read", "a", 11), E(1, "unlock", "mu", 12)]
    assert races(ok) == []
    bad = [E(1, "go", arg=2), E(2, "lock", "mu", 6), E(2, "write", "a", 7), E(2, "unlock", "mu", 8),
           E(1, "read", "a", 12), E(1, "lock", "mu", 13)]
    (r,) = races(bad)
    assert str(r) == ("data race on a: G2's write at line 7 and G1's read at line 12 are not ordered by "
                      "happens-before;\nG2's next release after line 7 (Unlock of mu at line 8) is not "
                      "acquired by G1 before line 12: G1 needs a Lock of mu first")


def test_rwmutex_runlock_orders_the_next_writer_only() -> None:
    """MM-15: RUnlock is synchronized before the next Lock, not before another RLock."""
    ev = [E(1, "go", arg=2), E(2, "rlock", "l", 1), E(2, "read", "a", 2), E(2, "runlock", "l", 3),
          E(1, "lock", "l", 4), E(1, "write", "a", 5)]
    assert races(ev) == []
    readers = [E(1, "go", arg=2), E(2, "rlock", "l", 1), E(2, "write", "a", 2), E(2, "runlock", "l", 3),
               E(1, "rlock", "l", 4), E(1, "read", "a", 5)]
    assert len(races(readers)) == 1  # RUnlock is not synchronized before another RLock


def test_waitgroup_done_orders_wait_return() -> None:
    """WG-4: a Done synchronizes before the return of the Wait it unblocks; a write after the
    Done is not ordered."""
    # L18: a = 1; wg.Done() || wg.Wait(); r = a.
    ev = [E(1, "wg_add", "wg", 1, 1), E(1, "go", arg=2), E(2, "write", "a", 2), E(2, "wg_done", "wg", 3),
          E(1, "wg_wait_return", "wg", 4), E(1, "read", "a", 5)]
    assert races(ev) == []
    late = [E(1, "wg_add", "wg", 1, 1), E(1, "go", arg=2), E(2, "wg_done", "wg", 3), E(2, "write", "a", 6),
            E(1, "wg_wait_return", "wg", 4), E(1, "read", "a", 5)]
    (r,) = races(late)
    assert str(r).endswith("G2 performs no synchronization after its write at line 6 "
                           "(a goroutine's exit is not synchronized, MM-9)")


def test_atomics_synchronize_only_with_the_observed_store() -> None:
    """MM-18: an atomic load is ordered after the store it observes, and atomics never race."""
    # L8: a = 1; Store(done) || Load(done); r = a.
    ev = [E(1, "go", arg=2), E(1, "write", "a", 1), E(1, "atomic_write", "done", 2), E(2, "atomic_read", "done", 3),
          E(2, "read", "a", 4)]
    assert races(ev) == []
    # A later store by a third goroutine replaces the clock: G2 observes G3's store, not G1's.
    ev3 = [E(1, "go", arg=2), E(1, "go", arg=3), E(1, "write", "a", 1), E(1, "atomic_write", "done", 2),
           E(3, "atomic_write", "done", 7), E(2, "atomic_read", "done", 3), E(2, "read", "a", 4)]
    (r,) = races(ev3)
    assert (r.first.g, r.first.line, r.second.g, r.second.line) == (1, 1, 2, 4)
    assert r.release is not None and r.release.kind == "atomic_write" and r.hint == "atomic load of done"
    # Atomic accesses never race with each other.
    assert races([E(1, "go", arg=2), E(1, "atomic_write", "x", 1), E(2, "atomic_rmw", "x", 2)]) == []


def test_close_once_and_go_edges() -> None:
    """MM-11 (close before the zero receive), MM-17 (Once's f before every Do return), MM-8 (go
    before the child starts, L14) and MM-9 (a goroutine's exit orders nothing, L13)."""
    assert races([E(1, "go", arg=2), E(2, "write", "a", 1), E(2, "close", "c", 2), E(1, "recv_closed", "c", 3),
                  E(1, "read", "a", 4)]) == []
    assert races([E(1, "go", arg=2), E(2, "write", "a", 1), E(2, "once_done", "o", 2), E(1, "once_return", "o", 3),
                  E(1, "read", "a", 4)]) == []
    assert races([E(1, "write", "a", 1), E(1, "go", arg=2), E(2, "read", "a", 2)]) == []   # L14
    assert len(races([E(1, "go", arg=2), E(2, "write", "a", 1), E(1, "read", "a", 2)])) == 1  # L13


def test_hb_query_and_clock_values() -> None:
    """RD-2: one vector clock per goroutine; a release stores it into the sync object, an
    acquire joins it."""
    h = HappensBefore()
    for e in [E(1, "write", "a", 1), E(1, "unlock", "m", 2), E(1, "go", arg=2), E(2, "lock", "m", 3), E(2, "read", "a", 4)]:
        h.step(e)
    assert h.hb(0, 4) and h.hb(1, 3) and not h.hb(4, 0)
    assert h.clock(2) == {1: 2, 2: 1}


def test_unknown_event_kind_is_rejected_with_the_allowed_kinds() -> None:
    with pytest.raises(ValueError, match="unknown event kind 'rd'; allowed: atomic_read"):
        Event(1, "rd", "x")


def test_smt_result_types_and_scopes() -> None:
    x = z3.Int("x")
    s = solver(timeout_ms=2000)
    s.add(x >= 0)
    assert isinstance(solve(s, x < 0), Proved)
    r = solve(s, x == 4, witness=lambda m: f"x={m.eval(x)}")
    assert isinstance(r, Refuted) and r.witness == "x=4" and not r.holds
    with frame(s):
        s.add(x > 10)
        assert isinstance(solve(s, x < 5), Proved)
    assert isinstance(solve(s, x < 5), Refuted)   # the frame was popped
    assert Unknown("timeout").holds is False
