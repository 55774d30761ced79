"""One small test per rule of docs/go-semantics.md that the code cites and no other test pinned
(issue 20; tests/test_rule_coverage.py keeps the list complete).

Each test names its rule in the docstring and pins what Go does with exact values: the channel,
mutex or queue contents along a driven schedule, the verdict and its message, the output.
"""

from __future__ import annotations

from typing import Any

from checker.check import check
from gocheck.factory import build_model
from gocheck.spec import load_spec_text
from models.state import RUN, WAIT, Chan, Mutex, Once, RWMutex, WaitGroup
from tests.helpers import exit_outputs

PROPS = "[deadlock_free, leak_free, panic_free, race_free, terminates]"


def _model(src: str, props: str = PROPS, runtime: str = "") -> Any:
    """The program's model, keeping every object (these tests follow one object's fields along
    every transition, also after the program has dropped it: models/heapgc.py would free it)."""
    body = "".join("  " + line + "\n" for line in src.strip().splitlines())
    m = build_model(load_spec_text(f"name: t\nsource: |\n{body}properties: {props}\n{runtime}", "t.yaml"))
    if hasattr(m, "collect_garbage"):
        m.collect_garbage = False
    return m


def _drive(model: Any, script: list[int]) -> list[Any]:
    """The states along goroutine steps ``("step", gid)`` taken in order, each enabled."""
    s = model.init_states()[0]
    out = [s]
    for gid in script:
        a = ("step", gid)
        assert a in model.actions(s), (gid, model.actions(s))
        s = model.next_state(s, a)
        out.append(s)
    return out


def _objs(s: Any, kind: type) -> list[Any]:
    return [o for o in s.heap if isinstance(o, kind)]


def _verdicts(model: Any) -> dict[str, tuple[str, str]]:
    r = check(model)
    return {k: (v.verdict.kind, v.verdict.reason) for k, v in r.results.items()}


# ---------------------------------------------------------------- channels (CH-*)


def test_ch1_hchan_is_capacity_fifo_buffer_closed_flag_and_wait_queues() -> None:
    """CH-1: a channel is its capacity, its buffer in FIFO order, the closed flag and the two
    wait queues; the states along one goroutine's sends and close show exactly those."""
    m = _model("""
package main

func main() {
	ch := make(chan int, 2)
	ch <- 1
	ch <- 2
	close(ch)
}
""")
    states = _drive(m, [1, 1, 1, 1])
    assert [_objs(s, Chan) for s in states] == [
        [Chan(2)], [Chan(2, (1,))], [Chan(2, (1, 2))], [Chan(2, (1, 2), closed=True)], [Chan(2, (1, 2), closed=True)]]
    assert states[-1].main_done


def test_ch4_1_ch5_1_operations_on_a_nil_channel_block_forever() -> None:
    """CH-4.1, CH-5.1: a send or a receive on a nil channel parks forever: main alone on one is
    Go's deadlock; goroutines on one while main returns leak (their receive never yields)."""
    alone = _model("""
package main

func main() {
	var ch chan int
	<-ch
}
""")
    assert _verdicts(alone)["deadlock_free"] == ("violated", "fatal error: all goroutines are asleep - deadlock! "
                                                 "(G1 main.go:5 chan receive (nil chan): <-ch)")
    both = _model("""
package main

import "fmt"

func main() {
	var ch chan int
	go func() {
		ch <- 1
	}()
	go func() {
		v, ok := <-ch
		fmt.Println(v, ok)
	}()
	fmt.Println("main done")
}
""")
    v = _verdicts(both)
    assert v["deadlock_free"] == ("holds", "")
    assert v["leak_free"] == ("violated", "G2, G3 blocked forever: no continuation from here unblocks it")
    assert exit_outputs(both) == {("main done\n", None)}


def test_ch5_3_ch7_range_receives_until_closed_and_drained_and_nil_len_cap_are_zero() -> None:
    """CH-7: ``len``/``cap`` of a nil channel are 0 and ``for range`` receives until the channel
    is closed and drained; CH-5.3: after that, len is 0 and the capacity stays."""
    m = _model("""
package main

import "fmt"

func main() {
	var n chan int
	fmt.Println(len(n), cap(n))
	ch := make(chan int, 3)
	ch <- 1
	ch <- 2
	fmt.Println(len(ch), cap(ch))
	close(ch)
	for v := range ch {
		fmt.Println(v)
	}
	fmt.Println(len(ch), cap(ch))
}
""")
    assert exit_outputs(m) == {("0 0\n2 3\n1\n2\n0 3\n", None)}


# ---------------------------------------------------------------- select (SEL-*)


def test_sel1_empty_select_blocks_forever_and_one_case_with_default_does_not_block() -> None:
    """SEL-1: ``select {}`` parks forever (Go's "select (no cases)"); one case plus default is a
    non-blocking operation: the default runs when the channel is not ready, the case when it is."""
    empty = _model("""
package main

func main() {
	select {}
}
""")
    assert _verdicts(empty)["deadlock_free"] == (
        "violated", "fatal error: all goroutines are asleep - deadlock! (G1 main.go:4 select (no cases): select {})")
    nb = _model("""
package main

import "fmt"

func main() {
	ch := make(chan int, 1)
	select {
	case v := <-ch:
		fmt.Println("got", v)
	default:
		fmt.Println("empty")
	}
	ch <- 4
	select {
	case v := <-ch:
		fmt.Println("got", v)
	default:
		fmt.Println("empty")
	}
}
""")
    assert exit_outputs(nb) == {("empty\ngot 4\n", None)}
    stats = check(nb).stats
    assert (stats.states, stats.transitions) == (7, 6)  # one path: never a choice between case and default


def test_sel3_sel8_nil_channel_cases_are_never_ready() -> None:
    """SEL-3: cases on nil channels are dropped from the poll order, so only the ready case can
    fire; SEL-8: with only nil cases a select takes its default, and without one blocks forever."""
    m = _model("""
package main

import "fmt"

func main() {
	var a chan int
	b := make(chan int, 1)
	b <- 2
	select {
	case v := <-a:
		fmt.Println("a", v)
	case v := <-b:
		fmt.Println("b", v)
	}
}
""")
    assert exit_outputs(m) == {("b 2\n", None)}
    only_nil = _model("""
package main

import "fmt"

func main() {
	var a chan int
	var b chan string
	select {
	case v := <-a:
		fmt.Println(v)
	case b <- "x":
		fmt.Println("sent")
	default:
		fmt.Println("default")
	}
	select {
	case v := <-a:
		fmt.Println(v)
	case b <- "x":
		fmt.Println("sent")
	}
}
""")
    s0 = only_nil.init_states()[0]
    assert only_nil.actions(s0) == [("select", 1, -1)]  # the default, nothing else
    from tests.helpers import reachable

    assert {s.output for s in reachable(only_nil)} == {(), ("default\n",)}
    kind, why = _verdicts(only_nil)["deadlock_free"]
    assert kind == "violated" and why.startswith("fatal error: all goroutines are asleep - deadlock! (G1 main.go:16 select")


SELECT_TWO = """
package main

import "fmt"

func main() {
	a := make(chan int)
	b := make(chan int)
	done := make(chan bool)
	go func() {
		select {
		case v := <-a:
			fmt.Println("a", v)
		case v := <-b:
			fmt.Println("b", v)
		}
		done <- true
	}()
	b <- 7
	<-done
}
"""


def test_sel6_sel7_a_blocked_select_waits_on_every_channel_and_the_winner_removes_the_rest() -> None:
    """SEL-6: a select with no ready case enqueues its goroutine on every case's channel at once
    (``(gid, case)`` entries); SEL-7: the partner that completes one case (main's send on b)
    dequeues it from every other channel in the same step, so exactly one case fires."""
    m = _model(SELECT_TWO)
    states = _drive(m, [1, 2, 1])  # spawn, G2 parks in the select, main sends on b
    a, b, done = _objs(states[2], Chan)
    assert (a.recvq, b.recvq, states[2].gs[1].status) == (((2, 0),), ((2, 1),), WAIT)
    a, b, done = _objs(states[3], Chan)
    assert (a, b, states[3].gs[1].status) == (Chan(0), Chan(0), RUN)
    assert exit_outputs(m) == {("b 7\n", None)}


# ---------------------------------------------------------------- sync (MU-*, RW-*, WG-*, ONCE-*)


def test_mu1_mu6_a_mutex_has_no_owner() -> None:
    """MU-1, MU-6: the state is bits and waiters, no owner: a goroutine may unlock a mutex another
    goroutine locked, and the locker can then lock it again."""
    m = _model("""
package main

import (
	"fmt"
	"sync"
)

func main() {
	var mu sync.Mutex
	done := make(chan bool)
	mu.Lock()
	go func() {
		mu.Unlock()
		done <- true
	}()
	<-done
	mu.Lock()
	fmt.Println("relocked")
}
""")
    states = _drive(m, [1, 1, 2])  # main locks, spawns; G2 unlocks
    assert [_objs(s, Mutex)[0].locked for s in states] == [False, True, True, False]
    assert {k: v[0] for k, v in _verdicts(m).items()} == dict.fromkeys(
        ("deadlock_free", "leak_free", "panic_free", "race_free", "terminates"), "holds")
    assert exit_outputs(m) == {("relocked\n", None)}


def test_rw1_a_writer_announces_itself_waits_for_readers_and_new_readers_queue_behind_it() -> None:
    """RW-1 (the counters abstracted as writer 0/1/2, the announcing writer, active readers, parked
    readers): with main reading, G2's Lock announces (writer=1, wgid=2) and parks; G3's RLock then
    parks behind it (writer preference, RW-4); main's RUnlock hands the lock to the writer."""
    m = _model("""
package main

import "sync"

func main() {
	var mu sync.RWMutex
	done := make(chan bool)
	mu.RLock()
	go func() {
		mu.Lock()
		mu.Unlock()
		done <- true
	}()
	go func() {
		mu.RLock()
		mu.RUnlock()
		done <- true
	}()
	mu.RUnlock()
	<-done
	<-done
}
""")
    states = _drive(m, [1, 1, 1, 2, 3, 1])
    assert [_objs(s, RWMutex)[0] for s in states[3:]] == [
        RWMutex(readers=1),
        RWMutex(writer=1, wgid=2, readers=1),
        RWMutex(writer=1, wgid=2, readers=1, rq=(3,)),
        RWMutex(writer=2, rq=(3,)),
    ]
    assert [g.status for g in states[-1].gs] == [RUN, RUN, WAIT]


def test_wg1_wg3_wait_returns_at_zero_and_zero_releases_every_waiter() -> None:
    """WG-3: Wait returns at once when the counter is zero and parks otherwise; WG-1: once the
    counter is zero, one step (Add's second half) releases every parked waiter together."""
    m = _model("""
package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	wg.Add(1)
	for i := 0; i < 2; i++ {
		go func() {
			wg.Wait()
			fmt.Println("released")
		}()
	}
	wg.Done()
	wg.Wait()
}
""")
    from tests.helpers import reachable

    released = []
    for s in reachable(m):
        for a in m.actions(s):
            t = m.next_state(s, a)
            before, after = _objs(s, WaitGroup)[0], _objs(t, WaitGroup)[0]
            if before.waiters and not after.waiters:  # Go's release step (after the Add that hit zero)
                released.append(before.waiters)
                assert after.counter == 0 and all(t.gs[g - 1].status == RUN for g in before.waiters)
            if before.counter == 0 and not before.waiters:
                assert after.waiters == ()  # nobody parks at zero
    assert sorted(set(released)) == [(2,), (2, 3), (3,), (3, 2)]
    assert exit_outputs(m) == {("", None), ("released\n", None), ("released\nreleased\n", None)}


def test_once1_a_caller_parks_while_f_runs_and_returns_after_it() -> None:
    """ONCE-1: while G2 runs f (state 1), main's ``once.Do`` parks until f returns; main never
    prints "after" before f's output, and f or g runs exactly once."""
    m = _model("""
package main

import (
	"fmt"
	"sync"
)

func main() {
	var once sync.Once
	done := make(chan bool)
	go func() {
		once.Do(func() {
			fmt.Println("f")
		})
		done <- true
	}()
	once.Do(func() {
		fmt.Println("g")
	})
	fmt.Println("after")
	<-done
}
""")
    states = _drive(m, [1, 2, 2, 1])  # spawn; G2 enters Do, prints f; main calls Do
    assert [_objs(s, Once)[0] for s in states] == [
        Once(0), Once(0), Once(1), Once(1), Once(1, (1,))]
    assert states[-1].gs[0].status == WAIT
    assert exit_outputs(m) == {("f\nafter\n", None), ("g\nafter\n", None)}


# ---------------------------------------------------------------- memory model (MM-*, RD-*, COND-3)


def _ev(g: int, kind: str, obj: object = None, line: int = 0, arg: object = None) -> Any:
    from models.memory.hb import Event

    return Event(g, kind, obj, line, str(obj) if obj is not None else "", arg)


def _race_lines(events: list[Any]) -> list[tuple[int, int]]:
    from models.memory.hb import races

    return [(r.first.line, r.second.line) for r in races(events)]


def test_mm10_a_send_is_synchronized_before_the_receive_completes() -> None:
    """MM-10 (L1, any capacity): ``a = 1; c <- 0`` then ``<-c; r = a`` is ordered; the same
    read without the receive races with the write."""
    for cap in (0, 1, 3):
        ordered = [_ev(1, "go", arg=2), _ev(1, "write", "a", 1), _ev(1, "send", "c", 2, cap),
                   _ev(2, "recv", "c", 5, cap), _ev(2, "read", "a", 6)]
        assert _race_lines(ordered) == []
        assert _race_lines(ordered[:3] + ordered[4:]) == [(1, 6)]


def test_cond3_a_woken_wait_acquires_the_signal() -> None:
    """COND-3: Signal/Broadcast synchronize before the Wait they unblock: G2's write before its
    Signal is visible after G1's Wait returns; a read before the wake races."""
    ordered = [_ev(1, "go", arg=2), _ev(2, "write", "a", 1), _ev(2, "cond_signal", "c", 2),
               _ev(1, "cond_wake", "c", 3), _ev(1, "read", "a", 4)]
    assert _race_lines(ordered) == []
    early = [_ev(1, "go", arg=2), _ev(2, "write", "a", 1), _ev(1, "read", "a", 4), _ev(2, "cond_signal", "c", 2),
             _ev(1, "cond_wake", "c", 3)]
    assert _race_lines(early) == [(1, 4)]


def test_rd3_no_race_is_lost_to_a_bounded_history() -> None:
    """RD-3: ThreadSanitizer keeps 4 shadow cells per word, so a racy write can be evicted by later
    accesses and a race missed; the model's happens-before keeps every access: G2's write races
    with each of the six later reads of five goroutines, the last one included."""
    ev = [_ev(1, "go", arg=g) for g in range(2, 7)] + [_ev(2, "write", "x", 1)]
    ev += [_ev(g, "read", "x", 10 + g) for g in range(3, 7)] + [_ev(1, "read", "x", 20), _ev(1, "read", "x", 21)]
    assert _race_lines(ev) == [(1, 13), (1, 14), (1, 15), (1, 16), (1, 20), (1, 21)]


MM25 = """
package main

import "sync"

var wg sync.WaitGroup

var x, a, b int

func main() {
	wg.Add(2)
	go func() {
		x = 1
		wg.Done()
	}()
	go func() {
		r := x
		a = r
		b = r
		wg.Done()
	}()
	wg.Wait()
}
"""


def test_mm25_one_read_never_observes_two_values() -> None:
    """MM-25: a compiler must not reload a local from shared memory, so ``r := x; a = r; b = r``
    gives a == b even while another goroutine writes x (racy); and no write is invented (x is
    only ever 0 or 1)."""
    from models.memory import check_outcomes
    from tests.helpers import sc_finals

    body = "".join("  " + line + "\n" for line in MM25.strip().splitlines())
    spec = load_spec_text("name: mm25\nsource: |\n" + body + """properties: [race_free]
outcomes:
  - {when: "a != b", expect: forbidden}
  - {when: "a == 1 && b == 1", expect: allowed}
  - {when: "a == 0 && b == 0", expect: allowed}
  - {when: "a == 2 || x == 2", expect: forbidden}
""", "mm25.yaml")
    res = check_outcomes(spec, sc_finals(spec))
    assert [r.verdict for r in res] == ["forbidden", "allowed", "allowed", "forbidden"]
    assert check(build_model(spec))["race_free"].verdict.kind == "violated"


# ---------------------------------------------------------------- the G-M-P scheduler (SCH-*), model and reference

GO_SEND_BACK = """
package main

import "fmt"

func main() {
	ch := make(chan int)
	go func() {
		ch <- 1
	}()
	<-ch
	fmt.Println("ok")
}
"""


def _gmp(src: str, procs: int) -> Any:
    return _model(src, props="[deadlock_free, gmp.no_lost_goroutine]",
                  runtime=f"runtime: {{scheduler: gmp, procs: {procs}, time_slice: 3, preempt: slice, startup: fixed}}\n")


def test_sch7_sch10_sch11_sch13_sch14_sch17_one_p_runs_a_forced_schedule() -> None:
    """With one P (and ``preempt: slice, startup: fixed``: sysmon preempts after the slice, one start
    state) every step is forced.  SCH-13: ``go`` puts the new G in runnext; SCH-17: when
    main parks, ``schedule`` finds G2 (``("run", 0)``); SCH-10/SCH-11: taken from runnext it
    inherits main's slice (tick stays 1, slice 3 = used up), so sysmon preempts it at once to the
    global queue (SCH-7), from where it runs with a new slice (tick 2, slice 0); SCH-14: its send
    readies main into runnext of the waker's P."""
    from models.sched.gmp_queues import PState

    m = _gmp(GO_SEND_BACK, 1)
    s = m.init_states()[0]
    trace = []
    while m.actions(s):
        (a,) = m.actions(s)  # one P: never a choice
        trace.append((a, s.ps[0], s.gq))
        s = m.next_state(s, a)
    assert trace[:9] == [
        (("step", 0, 1, None), PState(cur=1, tick=1), ()),
        (("step", 0, 1, None), PState(cur=1, runnext=2, tick=1, slice=2), ()),
        (("run", 0), PState(runnext=2, tick=1, slice=3), ()),
        (("preempt", 0), PState(cur=2, tick=1, slice=3), ()),
        (("run", 0), PState(tick=1), (2,)),  # nothing to pass the slice on to: the P forgets it
        (("step", 0, 2, None), PState(cur=2, tick=2), ()),
        (("run", 0), PState(runnext=1, tick=2, slice=3), ()),
        (("preempt", 0), PState(cur=1, tick=2, slice=3), ()),
        (("run", 0), PState(tick=2), (1,)),
    ]
    assert "".join(s.world.output) == "ok\n" and len(trace) == 11


def test_sch1_sch3_sch20_an_idle_p_steals_runnext_and_the_woken_g_goes_to_the_wakers_p() -> None:
    """SCH-1/SCH-3: two Ps, the second idle (no G, empty queues) until work appears; SCH-20: it may
    steal G2 from P0's runnext (one ``steal`` action per victim with work); a stolen G starts a new
    slice.  SCH-14: G2's send then readies main on P1, the waker's P, not on P0 where main ran."""
    from models.sched.gmp_queues import PState

    m = _gmp(GO_SEND_BACK, 2)
    s0 = m.init_states()[0]
    assert s0.ps == (PState(cur=1, tick=1), PState())
    s1 = m.next_state(s0, ("step", 0, 1, None))
    assert m.actions(s1) == [("step", 0, 1, None), ("steal", 1, 0)]
    s2 = m.next_state(s1, ("step", 0, 1, None))  # main parks on <-ch
    s3 = m.next_state(s2, ("steal", 1, 0))
    assert s3.ps == (PState(tick=1), PState(cur=2, tick=1))
    s4 = m.next_state(s3, ("step", 1, 2, None))
    assert s4.ps == (PState(tick=1), PState(runnext=1, tick=1, slice=3))
    assert m.actions(s4) == [("steal", 0, 1), ("run", 1)]
    r = check(m)
    assert {k: v.verdict.kind for k, v in r.results.items()} == {"deadlock_free": "holds",
                                                                 "gmp.no_lost_goroutine": "holds"}
    assert max(sum(1 for p in s.ps if p.cur) for s in r.states) == 2  # SCH-1: at most GOMAXPROCS run


def _ref_sched(procs: int, size: int = 8) -> Any:
    import random
    from types import SimpleNamespace

    from reference.sched import Scheduler

    return Scheduler(SimpleNamespace(rand=random.Random(1), dead=False), procs, size, 10)


def test_sch20_reference_steal_work_skips_idle_ps_and_takes_runnext_on_the_last_pass() -> None:
    """SCH-20 on the reference runtime: ``stealWork`` visits only other, non-idle Ps; it grabs half
    of a running victim's queue (the last grabbed runs), and a victim's runnext only when nothing
    else is left (the last of the four passes)."""
    from reference.sched import RUNNING, G

    s = _ref_sched(4)
    p0, p1, p2, p3 = s.ps
    for i in range(3):
        s.runqput(p3, G(30 + i, "f", 0), False)  # p3 is idle: never a victim
    assert s.steal_work(p0) is None
    p1.status = RUNNING
    for i in range(3):
        s.runqput(p1, G(10 + i, "f", 0), False)
    g = s.steal_work(p0)
    assert g is not None and g.id == 11
    assert [p0.ring[i % 8].id for i in range(p0.head, p0.tail)] == [10]
    assert [p1.ring[i % 8].id for i in range(p1.head, p1.tail)] == [12]
    p2.status = RUNNING
    p1.head = p1.tail  # p1 empty now
    s.runqput(p2, G(20, "f", 0), True)
    g = s.steal_work(p0)
    assert g is not None and g.id == 20 and p2.runnext is None
    assert s.stats["steals"] == 2 and s.stats["stolen"] == 3


def test_sch14_sch22_reference_ready_goes_to_runnext_and_wakep_starts_one_spinning_m() -> None:
    """SCH-14: ``goready`` puts the G in the current P's runnext (the old one to the tail) and calls
    ``wakep``; SCH-22: ``wakep`` starts at most one spinning M, and only when a P is idle."""
    from reference.sched import IDLE, RUNNING, G, M

    s = _ref_sched(3)
    p0, p1, p2 = s.ps
    p0.status = RUNNING
    a, b = G(2, "f", 0), G(3, "f", 0)
    s.ready(a, p0)  # no idle P: no M started
    assert (p0.runnext, s.nmspinning, s.ms) == (a, 0, [])
    parked = M(0, s.lock)
    s.midle.append(parked)
    s.pidle.extend([p1, p2])
    p1.status = p2.status = IDLE
    s.ready(b, p0)
    assert p0.runnext is b and [p0.ring[i % 8] for i in range(p0.head, p0.tail)] == [a]
    assert (s.nmspinning, parked.nextp, parked.spinning, p2.status) == (1, p2, True, RUNNING)
    s.wakep()  # one spinner already: no second one
    assert (s.nmspinning, s.pidle, s.midle, s.ms) == (1, [p1], [], [])


def test_sema2_starvation_mode_unlock_hands_the_mutex_to_the_head_waiter() -> None:
    """SEMA-2 (``semrelease1`` with handoff) in starvation mode (MU-5): Unlock gives the mutex
    directly to the head waiter, which wakes owning it (the mutex never shows unlocked, nobody can
    barge); a goroutine arriving meanwhile queues at the tail."""
    from tests.helpers import reachable
    from tests.test_rules_survivors import MUTEX_BARGE

    m = _model(MUTEX_BARGE, runtime="runtime: {starvation_after: 1}\n")
    handoffs = tail = 0
    for s in reachable(m):
        for a in m.actions(s):
            t = m.next_state(s, a)
            b, c = _objs(s, Mutex)[0], _objs(t, Mutex)[0]
            if not (b.starving and b.locked and b.waiters) or c.waiters == b.waiters:
                continue
            if c.waiters == b.waiters[1:]:
                handoffs += 1
                assert c.locked and t.gs[b.waiters[0] - 1].status == RUN
            else:
                tail += 1
                assert c.waiters[:-1] == b.waiters and c.locked and c.starving
    assert (handoffs, tail) == (28, 4)


def test_mu3_reference_can_spin_only_on_a_multicore_with_a_busy_p_and_an_empty_queue() -> None:
    """MU-3 ``sync_runtime_canSpin`` (the model does not spin: spinning only delays): fewer than 4
    iterations, more than one P with some other P running, and the caller's local queue empty."""
    from types import SimpleNamespace

    from reference.sched import G

    s = _ref_sched(2)
    p0, p1 = s.ps
    g = G(1, "f", 0)
    g.m = SimpleNamespace(p=p0)  # type: ignore[assignment]
    assert [s.can_spin(i, g) for i in range(6)] == [True] * 4 + [False] * 2
    s.pidle.append(p1)  # the only other P is idle
    assert not s.can_spin(0, g)
    s.pidle.clear()
    s.runqput(p0, G(2, "f", 0), False)  # work queued locally
    assert not s.can_spin(0, g)
    assert not _ref_sched(1).can_spin(0, g)  # one P: never


def test_sel4_reference_select_locks_each_distinct_channel_once() -> None:
    """SEL-4: ``sellock`` takes each distinct channel's lock once, in lockorder; a select with two
    cases on the same channel (non-reentrant locks) must neither hang nor fire twice."""
    import reference
    from models.lang import compile_go

    src = """package main

import "fmt"

func main() {
	ch := make(chan int, 1)
	done := make(chan bool)
	go func() {
		select {
		case v := <-ch:
			fmt.Println("first", v)
		case v := <-ch:
			fmt.Println("second", v)
		}
		done <- true
	}()
	ch <- 5
	<-done
	select {
	case ch <- 6:
		fmt.Println("sent")
	case v := <-ch:
		fmt.Println("got", v)
	}
	fmt.Println(<-ch)
}
"""
    prog = compile_go(src, "sel4.go")
    outs = set()
    for seed in range(4):
        r = reference.run(prog, procs=2, seed=seed, timeout_s=5)
        assert (r.exit_code, r.stderr) == (0, "")
        outs.add(r.output)
    assert outs <= {"first 5\nsent\n6\n", "second 5\nsent\n6\n"} and outs
