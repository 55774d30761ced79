"""Tests that fail when a rule of Go is broken (issue 20): each pins an order or a value that a
plausible one-line mistake changes without changing any state count.

Each test names the rule (docs/go-semantics.md) it pins and the mutant it kills.
"""

from __future__ import annotations

from typing import Any

from checker.check import check
from checker.model import Property
from gocheck.factory import build_model
from gocheck.spec import load_spec_text
from models.state import RUN, WAIT, Chan, Cond, Mutex
from tests.helpers import exit_outputs


def _spec(src: str, props: str = "[deadlock_free, leak_free, panic_free, race_free]", runtime: str = "") -> Any:
    body = "".join("  " + line + "\n" for line in src.strip().splitlines())
    return load_spec_text(f"name: t\nsource: |\n{body}properties: {props}\n{runtime}", "t.yaml")


def _drive(model: Any, script: list[int]) -> Any:
    """Run goroutine steps ``("step", gid)`` in order from the initial state, each enabled."""
    s = model.init_states()[0]
    for gid in script:
        a = ("step", gid)
        assert a in model.actions(s), (gid, model.actions(s), model.view(s))
        s = model.next_state(s, a)
    return s


def _obj(model: Any, s: Any, kind: type) -> Any:
    found = [o for o in s.heap if isinstance(o, kind)]
    assert len(found) >= 1
    return found


TWO_RECEIVERS = """
package main

import "fmt"

func main() {
	ch := make(chan int)
	done := make(chan bool)
	go func() { v := <-ch; fmt.Println("A", v); done <- true }()
	go func() { v := <-ch; fmt.Println("B", v); done <- true }()
	ch <- 1
	ch <- 2
	<-done
	<-done
}
"""


def test_ch3_parked_receivers_are_served_fifo() -> None:
    """CH-3 (recvq is a FIFO): G2 parks first, G3 second; the first send goes to G2.
    Kills: receivers served LIFO (models/chan.py)."""
    m = build_model(_spec(TWO_RECEIVERS))
    s = _drive(m, [1, 1, 2, 3])  # spawn A, spawn B, A parks, B parks
    ch = next(o for o in s.heap if isinstance(o, Chan) and o.cap == 0 and o.recvq)
    assert [g for g, _ in ch.recvq] == [2, 3]
    s = _drive(m, [1, 1, 2, 3, 1])  # main sends 1
    assert (s.gs[1].status, s.gs[2].status) == (RUN, WAIT)
    s = _drive(m, [1, 1, 2, 3, 1, 2])  # A prints what it received
    assert s.output == ("A 1\n",)


def test_ch3_reference_runtime_serves_receivers_fifo() -> None:
    """CH-3 on real threads: driven along the model's schedule (A parks, then B), the runtime prints
    what the model prints.  Kills: the reference runtime's recvq served LIFO."""
    from checker.trace import replay
    from gocheck.conformance import schedule_of
    from reference.replay import run_schedule

    spec = _spec(TWO_RECEIVERS)
    m = build_model(spec)
    s = m.init_states()[0]
    path = [0]
    script = [1, 1, 2, 3, 1, 2, 1, 3, 2, 3, 1, 1, 1]
    for gid in script:
        acts = m.actions(s)
        k = acts.index(("step", gid))
        path.append(k)
        s = m.next_state(s, acts[k])
    assert "".join(s.output) == "A 1\nB 2\n" and s.main_done
    states, actions = replay(m, path)
    res = run_schedule(spec.program, schedule_of(m, states, actions), procs=2, seed=1)
    assert (res.exit_code, res.output) == (0, "A 1\nB 2\n")


COND_TWO_WAITERS = """
package main

import (
	"runtime"
	"sync"
)

func main() {
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	var wg sync.WaitGroup
	ready := 0
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			ready++
			c.Wait()
			mu.Unlock()
		}()
	}
	for {
		mu.Lock()
		if ready == 2 {
			mu.Unlock()
			break
		}
		mu.Unlock()
		runtime.Gosched()
	}
	mu.Lock()
	c.Signal()
	mu.Unlock()
	wg.Wait()
}
"""


def test_cond2_signal_wakes_exactly_one_waiter() -> None:
    """COND-2: with two goroutines in Wait, one Signal wakes one: the other waits forever and the
    program deadlocks in every execution (Go: "all goroutines are asleep").
    Kills: Signal waking every waiter (models/sync.py)."""
    m = build_model(_spec(COND_TWO_WAITERS, "[deadlock_free, terminates]"))
    r = check(m)
    assert (r.stats.states, r.stats.transitions) == (570, 1050)
    assert r["deadlock_free"].verdict.reason == (
        "fatal error: all goroutines are asleep - deadlock! (G1 main.go:35 sync.WaitGroup.Wait wg: wg.Wait(); "
        "G3 main.go:19 sync.Cond.Wait c: c.Wait())")
    assert len(r["deadlock_free"].path) - 1 == 25
    assert r["terminates"].verdict.kind == "violated"
    # no execution ends: every end state is a deadlock with exactly one goroutine left in Cond.Wait
    ends = [s for s in r.states if not m.actions(s)]
    assert ends and all(not s.main_done and sum(g.wait[:1] == ("sync.Cond.Wait",) for g in s.gs) == 1 for s in ends)


COND_ORDER = """
package main

import (
	"fmt"
	"sync"
)

func main() {
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	done := make(chan bool)
	waiter := func(id int) {
		mu.Lock()
		c.Wait()
		fmt.Println(id)
		mu.Unlock()
		done <- true
	}
	go waiter(0)
	go waiter(1)
	mu.Lock()
	c.Signal()
	mu.Unlock()
	mu.Lock()
	c.Signal()
	mu.Unlock()
	<-done
	<-done
}
"""


def test_cond1_waiters_are_woken_in_ticket_order() -> None:
    """COND-1 (notifyList tickets): G2 waits first, G3 second; the first Signal wakes G2.
    Kills: Cond.Wait queueing at the head instead of the tail."""
    m = build_model(_spec(COND_ORDER))
    # spawn G2, spawn G3; G2 locks, waits (unlocks); G3 locks, waits
    s = _drive(m, [1, 1, 2, 2, 3, 3])
    cond = next(o for o in s.heap if isinstance(o, Cond))
    assert cond.waiters == (2, 3)
    s = _drive(m, [1, 1, 2, 2, 3, 3, 1, 1])  # main locks, signals
    assert (s.gs[1].status, s.gs[2].status) == (RUN, WAIT)
    assert next(o for o in s.heap if isinstance(o, Cond)).waiters == (3,)


MUTEX_BARGE = """
package main

import "sync"

func main() {
	var mu sync.Mutex
	done := make(chan bool)
	mu.Lock()
	f := func() {
		mu.Lock()
		mu.Unlock()
		done <- true
	}
	go f()
	go f()
	mu.Unlock()
	mu.Lock()
	mu.Unlock()
	<-done
	<-done
}
"""


def test_mu2_woken_waiter_that_loses_requeues_at_the_head() -> None:
    """MU-2, MU-2.3: a woken waiter that loses the race to a running goroutine goes back to the head of
    the queue (LIFO, sema.go queue(lifo=true); SEMA-1: new waiters append at the tail, a lifo
    requeue goes to the head), ahead of a waiter that never woke.
    Kills: requeueing it at the tail."""
    m = build_model(_spec(MUTEX_BARGE, runtime="runtime: {mutex_starvation: false}\n"))
    s = _drive(m, [1, 1, 1, 2, 3])  # main locks, spawns G2, G3; both park on the mutex
    mu = next(o for o in s.heap if isinstance(o, Mutex))
    assert mu.waiters == (2, 3) and mu.locked
    s = _drive(m, [1, 1, 1, 2, 3, 1])  # main unlocks: G2 is woken (runnable), G3 still queued
    assert (s.gs[1].status, s.gs[2].status) == (RUN, WAIT)
    s = _drive(m, [1, 1, 1, 2, 3, 1, 1])  # main barges in and takes the lock again
    s = _drive(m, [1, 1, 1, 2, 3, 1, 1, 2])  # G2 retries, loses, requeues
    mu = next(o for o in s.heap if isinstance(o, Mutex))
    assert mu.waiters == (2, 3)


def test_context_cancelling_a_parent_cancels_its_children() -> None:
    """Cancelling a parent context closes every descendant's Done channel (context.go: propagateCancel).
    Kills: cancel not propagating to children."""
    spec = _spec("""
package main

import (
	"context"
	"fmt"
)

func main() {
	parent, cancel := context.WithCancel(context.Background())
	child, cancelChild := context.WithCancel(parent)
	grandchild, cancelGrandchild := context.WithCancel(child)
	defer cancelChild()
	defer cancelGrandchild()
	cancel()
	<-grandchild.Done()
	fmt.Println("grandchild:", grandchild.Err())
	<-child.Done()
	fmt.Println("child:", child.Err())
}
""")
    m = build_model(spec)
    assert exit_outputs(m) == {("grandchild: context canceled\nchild: context canceled\n", None)}
    assert check(m)["deadlock_free"].verdict.kind == "holds"


def test_atomic_add_returns_the_new_value() -> None:
    """sync/atomic: AddInt64 and AddInt32 return the new value (MM-14's RMW).
    Kills: Add returning the old value."""
    spec = _spec("""
package main

import (
	"fmt"
	"sync/atomic"
)

func main() {
	var n int64 = 40
	var k int32
	fmt.Println(atomic.AddInt64(&n, 2), atomic.AddInt32(&k, -3), atomic.LoadInt64(&n))
}
""")
    assert exit_outputs(build_model(spec)) == {("42 -3 42\n", None)}


class _StrongOnlyLasso:
    """Four states: 0 <-> 1 (group p), 1 <-> 2 (group p), 2 -x-> 3 (the goal).

    Under strong fairness the cycle 0 <-> 1 never visits 2, where x is enabled, so it is fair and
    never reaches 3: ``reaches 3`` is violated.  Its SCC {0, 1, 2} as a whole is unfair (x is
    enabled in 2 and never taken inside), so only re-splitting the SCC after removing state 2
    (Emerson-Lei) finds the fair cycle."""

    def init_states(self) -> list[int]:
        return [0]

    def actions(self, s: int) -> list[str]:
        return {0: ["to1"], 1: ["to0", "to2"], 2: ["to1", "x"], 3: []}[s]

    def next_state(self, s: int, a: str) -> int:
        return {"to0": 0, "to1": 1, "to2": 2, "x": 3}[a]

    def fairness(self, s: int, a: str) -> str:
        return "x" if a == "x" else "p"

    def properties(self) -> list[Property]:
        return [Property.eventually("reaches 3", lambda s: s == 3, "strong")]


def test_strong_fairness_resplits_unfair_components() -> None:
    """Emerson-Lei pruning: remove the states where an untaken group is enabled, then split again.
    Kills: dropping the re-split in checker/liveness.py (the property would then hold)."""
    r = check(_StrongOnlyLasso())
    pr = r["reaches 3"]
    assert pr.verdict.kind == "violated"
    assert (pr.path, pr.loop) == ((0, 0, 0), 0)
    assert (r.stats.states, r.stats.transitions) == (4, 5)


def test_sch27_syscall_return_without_its_p_queues_globally_when_the_global_queue_has_work() -> None:
    """SCH-27 (exitsyscall: exitsyscallfast takes an idle P only through pidleget, which a P in
    schedule with global work never is; otherwise exitsyscall0 puts the G on the global queue).
    In every reachable state of syscall_handoff (2 Ps) where main's syscall returns after its P was
    retaken and the global queue holds work, main joins the global queue's tail and no idle P runs it.
    Kills: taking an idle P although the global queue has work."""
    from tests.helpers import reachable, spec

    m = build_model(spec("syscall_handoff", procs=2))
    seen = 0
    for s in reachable(m, 200_000):
        for a in m.actions(s):
            if a[0] != "sysret" or any(p.sys == a[1] for p in s.ps) or not s.gq:
                continue
            t = m.next_state(s, a)
            assert t.gq == s.gq + (a[1],)
            assert all(p.cur != a[1] for p in t.ps)
            seen += 1
    assert seen == 45  # 20 before issue 19 (nondeterministic start, preemption as a choice)


def test_sch27b_syscall_return_takes_an_idle_p_when_the_global_queue_is_empty() -> None:
    """SCH-27(b): a goroutine returning from a system call whose P was retaken takes an idle P when
    one exists and no work waits in the global queue: it runs at once, not through the queue."""
    from tests.helpers import reachable, spec

    m = build_model(spec("syscall_handoff", procs=2))
    seen = 0
    for s in reachable(m, 300_000):
        for a in m.actions(s):
            if a[0] != "sysret" or any(p.sys == a[1] for p in s.ps) or s.gq:
                continue
            if not any(not (p.cur or p.sys or p.runnext or p.runq) for p in s.ps):
                continue
            t = m.next_state(s, a)
            if t.world.gs[a[1] - 1].status != RUN:
                continue
            assert any(p.cur == a[1] for p in t.ps) and a[1] not in t.gq
            seen += 1
    assert seen > 0
