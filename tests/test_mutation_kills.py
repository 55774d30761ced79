"""Tests written to kill mutants that survived benchmarks/mutation.py (reports/mutation.md).

Each pins a rule of Go (docs/go-semantics.md) that no other test checked closely enough for a
one-token change in the model to be noticed: wait reasons in Go's deadlock message, the case a
select reports, registrations a select leaves behind.
"""

from __future__ import annotations

from typing import Any, Literal

from checker.check import check
from gocheck.factory import build_model
from gocheck.spec import load_spec_text
from models.state import RUN, WAIT, Chan
from tests.helpers import TableModel, exit_outputs

PROPS = "[deadlock_free, leak_free, panic_free, race_free, terminates]"


def _model(src: str, runtime: str = "") -> Any:
    body = "".join("  " + line + "\n" for line in src.strip().splitlines())
    return build_model(load_spec_text(f"name: t\nsource: |\n{body}properties: {PROPS}\n{runtime}", "t.yaml"))


def _reason(model: Any, prop: str = "deadlock_free") -> str:
    return str(check(model)[prop].verdict.reason)


def _drive(model: Any, script: list[int]) -> Any:
    s = model.init_states()[0]
    for gid in script:
        a = ("step", gid)
        assert a in model.actions(s), (gid, model.actions(s))
        s = model.next_state(s, a)
    return s


# ---------------------------------------------------------------- channels: Go's wait reasons


def test_ch4_blocked_senders_wait_reasons() -> None:
    """CH-4 steps 1 and 6: a send parks as "chan send", on a nil channel as "chan send (nil chan)";
    the deadlock message names each with its line (what Go's goroutine dump shows)."""
    m = _model("""
package main

func main() {
	var n chan int
	ch := make(chan int)
	go func() {
		n <- 1
	}()
	ch <- 2
}
""")
    assert _reason(m) == ("fatal error: all goroutines are asleep - deadlock! (G1 main.go:9 chan send ch: ch <- 2; "
                          "G2 main.go:7 chan send (nil chan): n <- 1)")


def test_ch5_blocked_receiver_wait_reason() -> None:
    """CH-5 step 6: a receive with nothing to take parks as "chan receive"."""
    m = _model("""
package main

func main() {
	ch := make(chan int)
	<-ch
}
""")
    assert _reason(m) == "fatal error: all goroutines are asleep - deadlock! (G1 main.go:5 chan receive ch: <-ch)"


def test_ch6_close_panics_with_gos_messages() -> None:
    """CH-6: ``close`` of a nil or of a closed channel panics with Go's exact message; a send case
    of a select on a closed channel panics like a send (SEL-7)."""
    nil = _model("""
package main

func main() {
	var ch chan int
	close(ch)
}
""")
    assert _reason(nil, "panic_free") == "panic: close of nil channel [G1 at main.go:5]"
    twice = _model("""
package main

func main() {
	ch := make(chan int)
	close(ch)
	close(ch)
}
""")
    assert _reason(twice, "panic_free") == "panic: close of closed channel [G1 at main.go:6]"
    sel = _model("""
package main

func main() {
	ch := make(chan int, 1)
	close(ch)
	select {
	case ch <- 1:
	}
}
""")
    assert _reason(sel, "panic_free").startswith("panic: send on closed channel [G1 at main.go:")


# ---------------------------------------------------------------- select: the reported case and what is left behind

SELECT_SENDS = """
package main

import "fmt"

func main() {
	a := make(chan int)
	b := make(chan int)
	done := make(chan bool)
	go func() {
		select {
		case a <- 1:
			fmt.Println("sent a")
		case b <- 2:
			fmt.Println("sent b")
		}
		done <- true
	}()
	fmt.Println("got", <-WIN)
	<-done
	select {
	case v := <-a:
		fmt.Println("stale a", v)
	case v := <-b:
		fmt.Println("stale b", v)
	default:
		fmt.Println("nothing left")
	}
}
"""


def test_sel6_sel7_a_parked_select_send_reports_its_case_and_leaves_no_registration() -> None:
    """SEL-6/SEL-7: G2 parks in a select with two send cases; the receiver that takes one of them
    wakes it with that case's index (so the right branch prints) and removes its other
    registration: afterwards neither channel offers a value (the default runs)."""
    for win, other in (("a", "b"), ("b", "a")):
        m = _model(SELECT_SENDS.replace("WIN", win))
        s = _drive(m, [1, 2])  # spawn G2, G2 parks on both channels
        a, b, _ = (o for o in s.heap if isinstance(o, Chan))
        assert (a.sendq, b.sendq) == (((2, 0),), ((2, 1),))
        s = _drive(m, [1, 2, 1])  # main receives on WIN
        a, b, _ = (o for o in s.heap if isinstance(o, Chan))
        assert (a.sendq, b.sendq, s.gs[1].status) == ((), (), RUN)
        value = 1 if win == "a" else 2
        assert exit_outputs(m) == {(f"got {value}\nsent {win}\nnothing left\n", None),
                                   (f"sent {win}\ngot {value}\nnothing left\n", None)}, other


def test_sel7_a_parked_select_receive_woken_by_close_gets_the_zero_value() -> None:
    """SEL-6/SEL-7 with CH-6: closing a channel a select waits on wakes it with that case, the
    element type's zero value and ok == false, and removes its registration on the other channel."""
    m = _model("""
package main

import "fmt"

func main() {
	a := make(chan string)
	b := make(chan int)
	done := make(chan bool)
	go func() {
		select {
		case v, ok := <-a:
			fmt.Printf("a %q %v\\n", v, ok)
		case v, ok := <-b:
			fmt.Println("b", v, ok)
		}
		done <- true
	}()
	close(a)
	<-done
	select {
	case b <- 1:
		fmt.Println("stale")
	default:
		fmt.Println("no receiver")
	}
}
""")
    s = _drive(m, [1, 2, 1])  # spawn, G2 parks on a and b, main closes a
    a, b, _ = (o for o in s.heap if isinstance(o, Chan))
    assert (a.recvq, b.recvq, a.closed, s.gs[1].status) == ((), (), True, RUN)
    assert exit_outputs(m) == {('a "" false\nno receiver\n', None)}
    assert s.gs[0].status != WAIT


def test_sel5_a_ready_receive_case_on_a_closed_channel_yields_zero_false() -> None:
    """SEL-5 pass 1 with CH-5.3: a receive case on a closed, drained channel is ready and yields
    the element's zero value with ok == false (not a missing value)."""
    m = _model("""
package main

import "fmt"

func main() {
	a := make(chan int)
	s := make(chan string)
	close(a)
	close(s)
	select {
	case v, ok := <-a:
		fmt.Println(v, ok)
	}
	select {
	case v, ok := <-s:
		fmt.Printf("%q %v\\n", v, ok)
	}
}
""")
    assert exit_outputs(m) == {('0 false\n"" false\n', None)}


def test_sel3_sel6_a_nil_case_before_a_real_one_still_registers_the_real_one() -> None:
    """SEL-3/SEL-6: a parked select skips its nil-channel cases but registers on every other
    channel, whatever their order: the later send on b finds it."""
    m = _model("""
package main

import "fmt"

func main() {
	var n chan int
	b := make(chan int)
	done := make(chan bool)
	go func() {
		select {
		case v := <-n:
			fmt.Println("nil", v)
		case v := <-b:
			fmt.Println("b", v)
		}
		done <- true
	}()
	b <- 3
	<-done
}
""")
    s = _drive(m, [1, 2])
    b = next(o for o in s.heap if isinstance(o, Chan) and o.recvq)
    assert b.recvq == ((2, 1),)
    assert exit_outputs(m) == {("b 3\n", None)}
    assert check(m)["deadlock_free"].verdict.kind == "holds"


def test_sel5_a_plain_step_at_a_ready_select_takes_the_first_ready_case() -> None:
    """A replayed ``("step", g)`` at a select that can proceed (the action list offers
    ``("select", g, k)``) takes the first ready case, never parks (SEL-5: a ready case fires)."""
    m = _model("""
package main

import "fmt"

func main() {
	a := make(chan int, 1)
	b := make(chan int, 1)
	b <- 2
	a <- 1
	select {
	case v := <-a:
		fmt.Println("a", v)
	case v := <-b:
		fmt.Println("b", v)
	}
}
""")
    s = m.init_states()[0]
    while ("select", 1, 0) not in m.actions(s):
        s = m.next_state(s, m.actions(s)[0])
    assert m.actions(s) == [("select", 1, 0), ("select", 1, 1)]
    t = m.next_state(s, ("step", 1))
    assert t.gs[0].status == RUN and t == m.next_state(s, ("select", 1, 0))


# ---------------------------------------------------------------- sync/atomic (MM-18)


def test_mm18_atomic_operations_return_what_go_returns() -> None:
    """MM-18's operations, one per step: Add returns the new value (wrapping at 64 bits), Swap the
    old one, CompareAndSwap true only when the word holds the expected value (then stores), Load
    the current value, Store nothing."""
    m = _model("""
package main

import (
	"fmt"
	"sync/atomic"
)

func main() {
	var n int64
	fmt.Println(atomic.AddInt64(&n, 5))
	fmt.Println(atomic.SwapInt64(&n, 7))
	fmt.Println(atomic.CompareAndSwapInt64(&n, 5, 9), atomic.LoadInt64(&n))
	fmt.Println(atomic.CompareAndSwapInt64(&n, 7, 9), atomic.LoadInt64(&n))
	atomic.StoreInt64(&n, 9223372036854775807)
	fmt.Println(atomic.AddInt64(&n, 1))
}
""")
    assert exit_outputs(m) == {("5\n5\nfalse 7\ntrue 9\n-9223372036854775808\n", None)}


# ---------------------------------------------------------------- sync: wait reasons, TryLock, nil receivers


def test_sync_wait_reasons_in_the_deadlock_message() -> None:
    """Every sync wait names itself in the deadlock message, as Go's goroutine dump does
    (``sync.WaitGroup.Wait`` since Go 1.24, ``semacquire`` before; Go shows a recursive Once.Do
    as its inner ``sync.Mutex.Lock``, the model names the call): ONCE-1 (Do inside f deadlocks),
    COND-1 (Wait parks), RW-3 (a writer queues behind a writer), RW-2 (a reader parks behind one),
    WG-3 (Wait parks while the counter is positive)."""
    m = _model("""
package main

import "sync"

func main() {
	var wg sync.WaitGroup
	var once sync.Once
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	var rw sync.RWMutex
	wg.Add(1)
	go func() {
		once.Do(func() {
			once.Do(func() {})
		})
	}()
	go func() {
		mu.Lock()
		c.Wait()
	}()
	rw.Lock()
	go func() {
		rw.Lock()
	}()
	go func() {
		rw.RLock()
	}()
	wg.Wait()
}
""")
    r = check(m)
    assert r.stats.states == 113
    assert r["deadlock_free"].verdict.reason == (
        "fatal error: all goroutines are asleep - deadlock! (G1 main.go:28 sync.WaitGroup.Wait wg: wg.Wait(); "
        "G2 main.go:14 sync.Once.Do once: once.Do(func() {}); G3 main.go:19 sync.Cond.Wait c: c.Wait(); "
        "G4 main.go:23 sync.RWMutex.Lock rw: rw.Lock(); G5 main.go:26 sync.RWMutex.RLock rw: rw.RLock())")


def test_mm16_trylock_succeeds_only_on_a_free_lock() -> None:
    """MM-16: a successful TryLock is a Lock; it fails on a held Mutex, on a held RWMutex and on
    an RWMutex with an active reader."""
    m = _model("""
package main

import (
	"fmt"
	"sync"
)

func main() {
	var mu sync.Mutex
	var rw sync.RWMutex
	fmt.Println(mu.TryLock(), mu.TryLock())
	mu.Unlock()
	fmt.Println(mu.TryLock())
	fmt.Println(rw.TryLock(), rw.TryLock())
	rw.Unlock()
	rw.RLock()
	fmt.Println(rw.TryLock())
}
""")
    assert exit_outputs(m) == {("true false\ntrue\ntrue false\nfalse\n", None)}


def test_a_nil_mutex_pointer_panics_with_gos_message() -> None:
    """A method call on a nil ``*sync.Mutex`` dereferences nil: Go's runtime error."""
    m = _model("""
package main

import "sync"

func main() {
	var mu *sync.Mutex
	mu.Lock()
}
""")
    assert _reason(m, "panic_free") == (
        "panic: runtime error: invalid memory address or nil pointer dereference [G1 at main.go:7]")


RW_CYCLES = """
package main

import (
	"fmt"
	"sync"
)

func main() {
	var rw sync.RWMutex
	done := make(chan bool)
	go func() {
		for i := 0; i < 2; i++ {
			rw.Lock()
			rw.Unlock()
		}
		done <- true
	}()
	go func() {
		rw.RLock()
		rw.RUnlock()
		done <- true
	}()
	go func() {
		rw.Lock()
		rw.Unlock()
		done <- true
	}()
	<-done
	<-done
	<-done
	fmt.Println("ok")
}
"""


def test_rw3_unlock_returns_the_rwmutex_to_its_initial_state() -> None:
    """RW-3: a writer's Unlock with nobody queued leaves exactly the free RWMutex (no writer, no
    announced writer, empty queues), so states after a Lock/Unlock cycle merge with the states
    before it, and a reader or a writer arriving later parks and queues normally (RW-2, RW-4)."""
    r = check(_model(RW_CYCLES))
    assert (r.stats.states, r.stats.transitions) == (582, 1482)
    assert {k: v.verdict.kind for k, v in r.results.items()} == dict.fromkeys(
        ("deadlock_free", "leak_free", "panic_free", "race_free", "terminates"), "holds")
    # A writer cycling forever: each Unlock must give back the very state its Lock started from.
    loop = check(_model("""
package main

import (
	"fmt"
	"sync"
)

func main() {
	var rw sync.RWMutex
	go func() {
		for {
			rw.Lock()
			rw.Unlock()
		}
	}()
	rw.RLock()
	fmt.Println("read")
	rw.RUnlock()
}
"""))
    assert (loop.stats.states, loop.stats.transitions) == (17, 27)
    assert loop["deadlock_free"].verdict.kind == "holds"


def test_cond2_broadcast_wakes_every_waiter() -> None:
    """COND-2: Broadcast wakes every waiter (with Signal one of the two stays parked: see
    tests/test_rules_survivors.py), so the program ends."""
    from tests.test_rules_survivors import COND_TWO_WAITERS

    r = check(_model(COND_TWO_WAITERS.replace("c.Signal()", "c.Broadcast()")))
    assert r.stats.states == 621
    assert {k: v.verdict.kind for k, v in r.results.items()} == dict.fromkeys(
        ("deadlock_free", "leak_free", "panic_free", "race_free", "terminates"), "holds")


def test_mu2_without_starvation_mode_parked_waiters_carry_no_history() -> None:
    """MU-2 with ``runtime.mutex_starvation: false``: no waiter ever counts lost races (that is
    starvation mode's clock, MU-5), so the barging program has exactly 162 states."""
    from tests.test_rules_survivors import MUTEX_BARGE

    r = check(_model(MUTEX_BARGE, runtime="runtime: {mutex_starvation: false}\n"))
    assert (r.stats.states, r.stats.transitions) == (162, 322)


# ---------------------------------------------------------------- the engine's lasso search (checker/liveness.py)


class _UngroupedLoop:
    """0 -> 1 <-> 2, and 2 -> 3 (the goal); no action has a fairness group (the model returns
    None), so under no fairness the lasso 0, (1, 2)* never reaches 3."""

    def init_states(self) -> list[int]:
        return [0]

    def actions(self, s: int) -> list[str]:
        return {0: ["go"], 1: ["to2"], 2: ["to1", "done"], 3: []}[s]

    def next_state(self, s: int, a: str) -> int:
        return {"go": 1, "to2": 2, "to1": 1, "done": 3}[a]

    def fairness(self, s: int, a: str) -> None:
        return None

    def properties(self) -> list[Any]:
        from checker.model import Property

        return [Property.eventually("reaches 3", lambda s: s == 3, "none")]


def test_a_lasso_whose_edges_have_no_fairness_group_is_still_built() -> None:
    """The loop of a counterexample takes one edge of every fairness group of its component; when
    no edge has a group it still closes a cycle (any edge, then back to the entry)."""
    r = check(_UngroupedLoop())
    pr = r["reaches 3"]
    assert pr.verdict.kind == "violated"
    assert (pr.path, pr.loop) == ((0, 0, 0, 0), 1)


class _SecondInitLoops:
    """Two initial states: 0 -> 3 (the goal), and 10 <-> 11 with 11 -> 3.  Only the second initial
    state has an execution that never reaches 3 (no fairness), so the lasso starts there."""

    def init_states(self) -> list[int]:
        return [0, 10]

    def actions(self, s: int) -> list[str]:
        return {0: ["done"], 10: ["to11"], 11: ["to10", "done"], 3: []}[s]

    def next_state(self, s: int, a: str) -> int:
        return {"done": 3, "to11": 11, "to10": 10}[a]

    def properties(self) -> list[Any]:
        from checker.model import Property

        return [Property.eventually("reaches 3", lambda s: s == 3, "none")]


def test_a_lasso_from_the_second_initial_state_replays() -> None:
    """A counterexample path starts with the index of its initial state: here the second one
    (1), then 10 -> 11 -> 10 forever; replaying it on the model ends where the loop begins."""
    from checker.trace import replay

    m = _SecondInitLoops()
    pr = check(m)["reaches 3"]
    assert pr.verdict.kind == "violated"
    assert (pr.path, pr.loop) == ((1, 0, 0), 0)
    assert pr.path is not None
    states, _ = replay(m, list(pr.path))
    assert states == [10, 11, 10]


class _ExitOrLoop:
    """0 -> 1 -> 2; 2 offers ``exit`` (to the goal 3) first and ``to1`` second."""

    def init_states(self) -> list[int]:
        return [0]

    def actions(self, s: int) -> list[str]:
        return {0: ["start"], 1: ["to2"], 2: ["exit", "to1"], 3: []}[s]

    def next_state(self, s: int, a: str) -> int:
        return {"start": 1, "to2": 2, "exit": 3, "to1": 1}[a]

    def properties(self) -> list[Any]:
        from checker.model import Property

        return [Property.eventually("reaches 3", lambda s: s == 3, "none")]


def test_the_lasso_loop_takes_each_states_own_actions() -> None:
    """The loop's action indices index each state's own action list (the search walks only the
    current state's edges): from 2 the way back to 1 is ``to1``, index 1, never ``exit``."""
    from checker.trace import replay

    m = _ExitOrLoop()
    pr = check(m)["reaches 3"]
    assert (pr.path, pr.loop) == ((0, 0, 0, 1), 1)
    assert (pr.prop.name, pr.verdict.reason) == ("reaches 3", "the condition never becomes true")
    assert pr.path is not None
    states, actions = replay(m, list(pr.path))
    assert (states, actions) == ([0, 1, 2, 1], ["start", "to2", "to1"])


class _StuckShort:
    """0 -> 1, and 1 has no action: an execution that ends without reaching 2."""

    def init_states(self) -> list[int]:
        return [0]

    def actions(self, s: int) -> list[str]:
        return {0: ["step"], 1: []}[s]

    def next_state(self, s: int, a: str) -> int:
        return 1

    def properties(self) -> list[Any]:
        from checker.model import Property

        return [Property.eventually("reaches 2", lambda s: s == 2, "weak")]


def test_an_execution_that_ends_early_is_a_finite_counterexample() -> None:
    """A terminal state where the condition is still false violates ``eventually``: the
    counterexample is the path to it, with no loop, and the reason says the execution ends."""
    pr = check(_StuckShort())["reaches 2"]
    assert (pr.prop.name, pr.verdict.kind, pr.path, pr.loop) == ("reaches 2", "violated", (0, 0), None)
    assert pr.verdict.reason == "the condition never becomes true (the execution ends here)"


_Graph = TableModel  # an engine model from an adjacency table (tests/helpers.py)


def test_weak_fairness_rules_out_a_loop_that_ignores_the_first_group() -> None:
    """Weak fairness: a cycle is fair only if every group enabled in all its states is taken in it.
    The spin at 0 leaves ``x`` (the first group the search numbers) always enabled and never
    taken, so it is unfair and the goal is reached; without fairness it is a counterexample."""
    from checker.model import Property

    edges: dict[int, list[tuple[str, int, str | None]]] = {0: [("x", 1, "x"), ("spin", 0, "s")], 1: []}
    cases: tuple[tuple[Literal["none", "weak", "strong"], str], ...] = (
        ("weak", "holds"), ("strong", "holds"), ("none", "violated"))
    for fairness, verdict in cases:
        r = check(_Graph(edges, [Property.eventually("reaches 1", lambda s: s == 1, fairness)]))
        assert r["reaches 1"].verdict.kind == verdict, fairness


def test_strong_fairness_ignores_groups_never_enabled_in_the_loop() -> None:
    """Strong fairness: a group that is enabled nowhere in a cycle (``enter``, only at 0) does not
    make it unfair: the loop 1 <-> 2 is a counterexample."""
    from checker.model import Property

    edges: dict[int, list[tuple[str, int, str | None]]] = {
        0: [("enter", 1, "e")], 1: [("to2", 2, "p")], 2: [("to1", 1, "p")]}
    pr = check(_Graph(edges, [Property.eventually("reaches 3", lambda s: s == 3, "strong")]))["reaches 3"]
    assert (pr.verdict.kind, pr.path, pr.loop) == ("violated", (0, 0, 0, 0), 1)


def test_bottom_component_reports_only_keys_stuck_in_every_state() -> None:
    """A leak (bottom component) names the keys pending in *every* state of the final component:
    here B in both 1 and 2, not A (pending in 1 only) nor C (in 2 only)."""
    from checker.model import Property

    keys = {0: (), 1: ("A", "B"), 2: ("B", "C")}
    edges: dict[int, list[tuple[str, int, str | None]]] = {
        0: [("go", 1, None)], 1: [("to2", 2, None)], 2: [("to1", 1, None)]}
    pr = check(_Graph(edges, [Property.bottom("leak", lambda s: keys[s])]))["leak"]
    assert (pr.prop.name, pr.verdict.kind, pr.path) == ("leak", "violated", (0, 0))
    assert pr.verdict.reason == "B blocked forever: no continuation from here unblocks it"
    ok = check(_Graph({0: [("go", 1, None)], 1: []}, [Property.bottom("leak", lambda s: ())]))["leak"]
    assert (ok.prop.name, ok.verdict.kind) == ("leak", "holds")
    # two final states at the same depth: the first found (smaller index) is reported
    two: dict[int, list[tuple[str, int, str | None]]] = {0: [("a", 1, None), ("b", 2, None)], 1: [], 2: []}
    pr = check(_Graph(two, [Property.bottom("leak", lambda s: {0: (), 1: ("X",), 2: ("Y",)}[s])]))["leak"]
    assert (pr.path, pr.verdict.reason) == ((0, 0), "X blocked forever: no continuation from here unblocks it")


def test_without_fairness_the_shortest_of_several_lassos_is_reported() -> None:
    """Every fair component is a candidate and the shortest counterexample wins: the loop behind
    ``far`` (three steps in) is found too, but the self-loop behind ``near`` is reported."""
    from checker.model import Property

    edges: dict[int, list[tuple[str, int, str | None]]] = {
        0: [("far", 3, None), ("near", 1, None)], 1: [("stay", 1, None)],
        3: [("a", 4, None)], 4: [("b", 5, None)], 5: [("c", 4, None)]}
    fairnesses: tuple[Literal["none", "weak", "strong"], ...] = ("none", "weak", "strong")
    for fairness in fairnesses:
        for order in (edges, {0: list(reversed(edges[0])), **{k: v for k, v in edges.items() if k}}):
            pr = check(_Graph(order, [Property.eventually("reaches 9", lambda s: s == 9, fairness)]))["reaches 9"]
            near = [a for a, _, _ in order[0]].index("near")
            assert (pr.path, pr.loop) == ((0, near, 0), 1), fairness


# ---------------------------------------------------------------- G-M-P run queues (models/sched/gmp_queues.py)


def test_sch12_the_every_61st_tick_check_takes_exactly_one_goroutine() -> None:
    """SCH-12 with ``max = 1`` (``findRunnable``'s fairness check every 61st schedtick): one G from
    the head of the global queue, nothing moved to the local queue."""
    from models.sched.gmp_queues import PState, globrunqget

    assert globrunqget((1, 2, 3), PState(runq=(7,)), 1, 256, 1) == ((2, 3), PState(runq=(7,)), 1)
    assert globrunqget((1, 2, 3), PState(), 1, 256, 2) == ((3,), PState(runq=(2,)), 1)


# ---------------------------------------------------------------- happens-before (models/memory/hb.py)


def _ev(g: int, kind: str, obj: object = None, line: int = 0, arg: object = None) -> Any:
    from models.memory.hb import Event

    return Event(g, kind, obj, line, str(obj) if obj is not None else "", arg)


def _race_lines(events: list[Any]) -> list[tuple[int, int]]:
    from models.memory.hb import races

    return [(r.first.line, r.second.line) for r in races(events)]


def test_wg4_add_minus_one_releases_like_done_and_a_positive_add_does_not() -> None:
    """WG-4: ``wg.Add(-1)`` is a Done (it releases into the WaitGroup, so the write before it is
    visible after Wait returns); a positive Add releases nothing the Wait could acquire."""
    done = [_ev(1, "wg_add", "wg", 1, 1), _ev(1, "go", arg=2), _ev(2, "write", "a", 2),
            _ev(2, "wg_add", "wg", 3, -1), _ev(1, "wg_wait_return", "wg", 4), _ev(1, "read", "a", 5)]
    assert _race_lines(done) == []
    positive = [_ev(1, "go", arg=2), _ev(2, "write", "a", 2), _ev(2, "wg_add", "wg", 3, 1),
                _ev(1, "wg_wait_return", "wg", 4), _ev(1, "read", "a", 5)]
    assert _race_lines(positive) == [(2, 5)]


def test_mm18_an_atomic_read_modify_write_both_acquires_and_releases() -> None:
    """MM-18: an Add/Swap/CAS observes the previous atomic write (acquire) and is observed by the
    next (release): writes before G1's rmw are visible after G2's rmw, and G2's before it after
    G3's load."""
    ev = [_ev(1, "go", arg=2), _ev(1, "go", arg=3), _ev(1, "write", "a", 1), _ev(1, "atomic_rmw", "x", 2),
          _ev(2, "atomic_rmw", "x", 3), _ev(2, "read", "a", 4), _ev(2, "write", "b", 5), _ev(2, "atomic_rmw", "x", 6),
          _ev(3, "atomic_read", "x", 7), _ev(3, "read", "b", 8)]
    assert _race_lines(ev) == []


def test_mm6_a_plain_access_races_with_an_unordered_atomic_one() -> None:
    """MM-6: only two *atomic* accesses never race; an atomic store and a plain read of the same
    word, unordered, are a data race."""
    ev = [_ev(1, "go", arg=2), _ev(1, "atomic_write", "x", 1), _ev(2, "read", "x", 2)]
    assert _race_lines(ev) == [(1, 2)]
    ev = [_ev(1, "go", arg=2), _ev(1, "write", "x", 1), _ev(2, "atomic_read", "x", 2)]
    assert _race_lines(ev) == [(1, 2)]


def test_progress_reports_the_first_of_equally_short_starvations() -> None:
    """``progress``: with A and B both pending forever on the same loop, the counterexamples are
    equally short and the first key (in sorted order) is reported; with nothing pending it holds."""
    from checker.model import Property

    edges: dict[int, list[tuple[str, int, str | None]]] = {0: [("spin", 0, "s")]}
    pr = check(_Graph(edges, [Property.progress("pending", lambda s: ("B", "A"), "weak")]))["pending"]
    assert (pr.prop.name, pr.verdict.reason, pr.path, pr.loop) == ("pending", "A stays pending forever", (0, 0), 0)
    ok = check(_Graph(edges, [Property.progress("pending", lambda s: (), "weak")]))["pending"]
    assert (ok.prop.name, ok.verdict.kind) == ("pending", "holds")


def test_rw3_queued_writers_each_get_the_lock_in_turn() -> None:
    """RW-3: writers queue FIFO on the inner mutex; each Unlock hands the RWMutex to the next queued
    writer (after the readers it admitted), keeping the rest queued: with three writers queued
    behind main's Lock and a reader arriving, everybody finishes, in every order."""
    m = _model("""
package main

import (
	"fmt"
	"sync"
)

func main() {
	var rw sync.RWMutex
	var wg sync.WaitGroup
	n := 0
	rw.Lock()
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rw.Lock()
			n++
			rw.Unlock()
		}()
	}
	rw.Unlock()
	rw.RLock()
	fmt.Println(n >= 0)
	rw.RUnlock()
	wg.Wait()
	fmt.Println(n)
}
""")
    r = check(m)
    assert {k: v.verdict.kind for k, v in r.results.items()} == dict.fromkeys(
        ("deadlock_free", "leak_free", "panic_free", "race_free", "terminates"), "holds")
    assert exit_outputs(m) == {("true\n3\n", None)}


def test_leads_to_counterexample_enters_at_the_trigger() -> None:
    """``leads_to(p, q)``: 0 -> 1 (p holds, q not), then 1 <-> 2 forever without q (no fairness);
    the counterexample is the path to the trigger, then the loop; a model where q follows holds."""
    from checker.model import Property

    edges: dict[int, list[tuple[str, int, str | None]]] = {
        0: [("trigger", 1, None)], 1: [("to2", 2, None)], 2: [("to1", 1, None), ("answer", 3, None)], 3: []}
    prop = Property.leads_to("answered", lambda s: s == 1, lambda s: s == 3, "none")
    pr = check(_Graph(edges, [prop]))["answered"]
    assert (pr.prop.name, pr.verdict.reason) == ("answered", "the trigger holds but the response never follows")
    assert (pr.path, pr.loop) == ((0, 0, 0, 0), 1)
    ok = check(_Graph({0: [("trigger", 1, None)], 1: [("answer", 3, None)], 3: []}, [prop]))["answered"]
    assert (ok.prop.name, ok.verdict.kind) == ("answered", "holds")
    ev = check(_Graph({0: [("go", 1, None)], 1: []}, [Property.eventually("one", lambda s: s == 1, "none")]))["one"]
    assert (ev.prop.name, ev.verdict.kind) == ("one", "holds")


# ---------------------------------------------------------------- happens-before, the explanations


def test_an_unknown_event_kind_lists_every_allowed_kind() -> None:
    """The error for a misspelt kind lists the whole vocabulary, comma-separated."""
    import pytest

    from models.memory.hb import Event

    with pytest.raises(ValueError) as err:
        Event(1, "rd", "x")
    assert str(err.value) == ("unknown event kind 'rd'; allowed: atomic_read, atomic_rmw, atomic_write, close, "
                              "cond_signal, cond_wake, go, lock, once_done, once_return, read, recv, recv_closed, "
                              "rlock, runlock, send, start, unlock, wg_add, wg_done, wg_wait_return, write")


def test_wg4_every_done_is_acquired_not_only_the_last() -> None:
    """WG-4: Wait returns after *every* Done, so the writes of both workers are visible after it
    (the WaitGroup's clock joins each release; it is not replaced by the last one)."""
    ev = [_ev(1, "wg_add", "wg", 1, 2), _ev(1, "go", arg=2), _ev(1, "go", arg=3),
          _ev(2, "write", "a", 2), _ev(2, "wg_done", "wg", 3), _ev(3, "write", "b", 4), _ev(3, "wg_done", "wg", 5),
          _ev(1, "wg_wait_return", "wg", 6), _ev(1, "read", "a", 7), _ev(1, "read", "b", 8)]
    assert _race_lines(ev) == []


def test_mm15_a_lock_acquires_every_earlier_runlock() -> None:
    """MM-15: each RUnlock is synchronized before the next Lock; two readers' reads both happen
    before the writer's write."""
    ev = [_ev(1, "go", arg=2), _ev(1, "go", arg=3), _ev(2, "rlock", "l", 1), _ev(2, "read", "a", 2),
          _ev(3, "rlock", "l", 3), _ev(3, "read", "a", 4), _ev(2, "runlock", "l", 5), _ev(3, "runlock", "l", 6),
          _ev(1, "lock", "l", 7), _ev(1, "write", "a", 8)]
    assert _race_lines(ev) == []


def test_wg4_add_zero_releases_nothing() -> None:
    """WG-4 as sync/waitgroup.go's race annotations have it: only a negative delta releases
    (``if delta < 0 { race.ReleaseMerge }``); ``wg.Add(0)`` orders nothing."""
    ev = [_ev(1, "go", arg=2), _ev(2, "write", "a", 2), _ev(2, "wg_add", "wg", 3, 0),
          _ev(1, "wg_wait_return", "wg", 4), _ev(1, "read", "a", 5)]
    assert _race_lines(ev) == [(2, 5)]


def test_wg4_a_write_after_add_minus_two_is_not_ordered_before_wait() -> None:
    """WG-4: ``wg.Add(-2)`` releases like two Dones; what its goroutine does *after* it is not
    ordered before the Wait's return (a new epoch starts after the release)."""
    ev = [_ev(1, "go", arg=2), _ev(2, "wg_add", "wg", 2, -2), _ev(2, "write", "a", 3),
          _ev(1, "wg_wait_return", "wg", 4), _ev(1, "read", "a", 5)]
    assert _race_lines(ev) == [(3, 5)]


def test_mm13_a_full_buffered_send_before_its_receive_acquires_it_when_adjacent() -> None:
    """MM-13 with C = 1: send #2 can only complete after receive #1; listed first (adjacent), it
    still acquires the receive, so the receiver's earlier write is visible to the sender."""
    ev = [_ev(1, "go", arg=2), _ev(2, "write", "a", 1), _ev(1, "send", "c", 2, 1), _ev(1, "send", "c", 3, 1),
          _ev(2, "recv", "c", 4, 1), _ev(1, "read", "a", 5)]
    assert _race_lines(ev) == []


def test_a_receive_of_a_runtime_send_acquires_nothing() -> None:
    """``<-time.After(d)``: the timer's send is the runtime's (trace_events emits no ``send`` for
    it), so the receive has no send to acquire: the other goroutine's write still races."""
    ev = [_ev(1, "go", arg=2), _ev(2, "write", "a", 1), _ev(1, "recv", "t", 2, 1), _ev(1, "read", "a", 3)]
    assert _race_lines(ev) == [(1, 3)]


def test_happens_before_is_irreflexive_and_one_clock_per_goroutine() -> None:
    """RD-2: one vector clock per goroutine (an atomic load's acquire creates no other), and no
    event happens before itself."""
    from models.memory.hb import HappensBefore

    h = HappensBefore()
    for e in [_ev(1, "go", arg=2), _ev(1, "atomic_write", "x", 1), _ev(2, "atomic_read", "x", 2)]:
        h.step(e)
    assert h.clocks == {1: {1: 3}, 2: {1: 2, 2: 1}}
    assert [h.hb(i, i) for i in range(3)] == [False, False, False]
    assert (h.hb(0, 1), h.hb(1, 2), h.hb(0, 2)) == (True, True, True)


def test_race_explanation_names_the_variable_the_release_and_its_object() -> None:
    """The explanation names the variable (its source name, else the object), the first release of
    the earlier goroutine after its access (skipping its other events and other goroutines'
    releases), and the object to acquire by its source name; with no release there is no hint."""
    from models.memory.hb import _ACQUIRE_HINT, RELEASE_KINDS, Event, RaceExplanation, races

    w = Event(2, "write", 7, 3, "counter")
    mu = Event(2, "unlock", 9, 5, "mu")
    ev = [Event(1, "go", arg=2), Event(1, "go", arg=3), w, Event(3, "unlock", 8, 4, "other"),
          Event(2, "read", 6, 4, "z"), mu, Event(1, "read", 7, 6, "counter")]
    (r,) = races(ev)
    assert r == RaceExplanation("counter", w, ev[-1], mu, "Lock of mu")
    assert str(r) == ("data race on counter: G2's write at line 3 and G1's read at line 6 are not ordered by "
                      "happens-before;\nG2's next release after line 3 (Unlock of mu at line 5) is not acquired "
                      "by G1 before line 6: G1 needs a Lock of mu first")
    unnamed = [Event(1, "go", arg=2), Event(2, "write", "v", 1), Event(1, "read", "v", 2)]
    (r,) = races(unnamed)
    assert (r.variable, r.release, r.hint) == ("v", None, "")
    # Every release kind has a hint (the explanation never falls back to its default).
    assert set(_ACQUIRE_HINT) == RELEASE_KINDS
    # A hand-made explanation with a release and no hint ends at the line.
    plain = RaceExplanation("v", unnamed[1], unnamed[2], mu)
    assert str(plain).endswith("is not acquired by G1 before line 2")


WG_THREE_DONES = """package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	wg.Add(1)
	for i := 0; i < 3; i++ {
		go func() {
			wg.Done()
		}()
	}
	wg.Wait()
	fmt.Println("done")
}
"""


def test_wg2_a_negative_counter_stays_stored_for_the_next_done() -> None:
    """WG-2: the counter a negative Add stored is what the next Done adds to (Go's state word
    keeps -1, then -2), what the releasing Done re-reads before it releases (the misuse panic)
    and what a released waiter re-reads (WG-3's reuse panic); main may also print and return."""
    from gocheck.factory import build_model
    from gocheck.spec import load_spec_text
    from tests.helpers import exit_outputs
    body = "".join(f"  {line}\n" if line else "\n" for line in WG_THREE_DONES.splitlines())
    spec = load_spec_text(f"name: three_dones\nsource: |\n{body}properties: [panic_free]\n", "three_dones.yaml")
    got = {p.split(" [")[0] if p else p for _, p in exit_outputs(build_model(spec))}
    assert got == {None, "panic: sync: negative WaitGroup counter",
                   "panic: sync: WaitGroup is reused before previous Wait has returned",
                   "panic: sync: WaitGroup misuse: Add called concurrently with Wait"}
