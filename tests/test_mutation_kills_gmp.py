"""Tests written to kill mutants of the G-M-P scheduler model (models/sched/gmp.py) that survived
benchmarks/mutation.py (reports/mutation.md).

Small programs under ``scheduler: gmp`` (``startup: fixed``: tick 1, empty queues), searched
breadth-first; each test takes the first state (in that order) where an action of interest is
enabled and pins what the trace says of it (``format_action``, the actor, the fairness group) and
the scheduler state it leads to: the rules SCH-11/12/15/16/20/21/24/25/27/28/32 and NP-3/4 of
docs/go-semantics.md as the model states them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from checker.check import check
from checker.explore import explore
from gocheck.factory import build_model
from gocheck.spec import load_spec_text
from models.sched.gmp import GmpModel
from models.sched.gmp_queues import PState

SYS = """
package main

import (
	"fmt"
	"syscall"
)

func main() {
	done := make(chan bool, 2)
	go func() { done <- true }()
	go func() { done <- true }()
	syscall.Sync()
	fmt.Println("x")
	<-done
	<-done
}
"""

PIPE = """
package main

import (
	"os"
	"time"
)

func main() {
	r, w, _ := os.Pipe()
	done := make(chan bool)
	go func() {
		buf := make([]byte, 1)
		r.Read(buf)
		done <- true
	}()
	time.Sleep(time.Millisecond)
	w.Write([]byte("x"))
	<-done
}
"""

EXIT = """
package main

import (
	"fmt"
	"syscall"
)

func main() {
	go func() { syscall.Sync() }()
	syscall.Sync()
	fmt.Println("done")
}
"""

SPAWN4 = """
package main

func main() {
	done := make(chan bool, 4)
	for i := 0; i < 4; i++ {
		go func() { done <- true }()
	}
	for i := 0; i < 4; i++ {
		<-done
	}
}
"""

SELECT = """
package main

import "fmt"

func main() {
	a := make(chan int, 1)
	b := make(chan int, 1)
	a <- 1
	b <- 2
	select {
	case v := <-a:
		fmt.Println(v)
	case v := <-b:
		fmt.Println(v)
	}
}
"""

PRINT_LAST = """
package main

import "fmt"

func main() {
	done := make(chan bool)
	go func() {
		fmt.Println("a")
		done <- true
	}()
	go func() { fmt.Println("b") }()
	<-done
}
"""

SLEEP = """
package main

import "time"

func main() {
	time.Sleep(time.Millisecond)
}
"""

PANIC = """
package main

func main() {
	var m map[string]int
	m["a"] = 1
}
"""

LATENCY = """
package main

func main() {
	done := make(chan bool)
	go func() { done <- true }()
	go func() { <-done }()
	done <- true
}
"""

Pred = Callable[[Any, Any], bool]


def _gmp(src: str, props: str = "[deadlock_free]", **runtime: Any) -> Any:
    body = "".join("  " + line + "\n" for line in src.strip().splitlines())
    rt = "".join(f"  {k}: {v}\n" for k, v in {"scheduler": "gmp", "startup": "fixed", **runtime}.items())
    return build_model(load_spec_text(f"name: t\nsource: |\n{body}runtime:\n{rt}properties: {props}\n", "t.yaml"))


def _first(model: Any, pred: Pred) -> tuple[Any, Any]:
    """The first state in breadth-first order with an enabled action satisfying `pred`, and it."""
    r = explore(model)
    return next((s, a) for s in r.states for a in model.actions(s) if pred(s, a))


def _seen(model: Any, pred: Pred) -> tuple[str, str, Any, tuple[PState, ...], tuple[int, ...]]:
    """(trace text, actor, fairness group, the Ps after, the global queue after) of the first such action."""
    s, a = _first(model, pred)
    t = model.next_state(s, a)
    return model.format_action(s, a), model.actor(s, a), model.fairness(s, a), t.ps, t.gq


def _idle(p: PState) -> bool:
    return not (p.cur or p.sys or p.runnext or p.runq)


def test_sch24_sch27_sch28_a_slow_write_loses_the_p_and_returns_to_an_idle_p_or_the_global_queue() -> None:
    """``write``: the print's write(2) outlasts a sysmon tick, sysmon retakes the P (SCH-28) and
    hands it off (SCH-24); exitsyscall takes the lowest idle P (a new slice: schedtick + 1), P0 as
    well as P1, else the global queue (SCH-27b/c)."""
    m = _gmp(SYS, procs=2)
    p0_to_p1 = _seen(m, lambda s, a: a[0] == "write" and a[1] == 0)
    assert p0_to_p1 == (
        'P0 runs G1: fmt.Println("x") (main.go:13); the write(2) is slow: sysmon retakes P0 (handoffp), G1 returns '
        "to idle P1", "G1", "P0",
        (PState(cur=0, runnext=3, runq=(2,), tick=1, slice=1), PState(cur=1, tick=1)), ())
    p1_to_p0 = _seen(m, lambda s, a: a[0] == "write" and a[1] == 1 and _idle(s.ps[0]) and not s.gq)
    assert p1_to_p0 == (
        'P1 runs G1: fmt.Println("x") (main.go:13); the write(2) is slow: sysmon retakes P1 (handoffp), G1 returns '
        "to idle P0", "G1", "P1", (PState(cur=1, tick=2), PState(runnext=3, tick=1, slice=1)), ())
    assert m.position(*_first(m, lambda s, a: a[0] == "write")) == "main.go:13"
    last = _seen(_gmp(PRINT_LAST, procs=1), lambda s, a: a[0] == "write" and a[2] == 3)
    assert last == ('P0 runs G3: go func() { fmt.Println("b") }() (main.go:11); the write(2) is slow: sysmon retakes '
                    "P0 (handoffp), G3 returns to -", "G3", "P0", (PState(runq=(2,), tick=1),), ())  # it has ended
    busy = _seen(m, lambda s, a: a[0] == "write" and not any(_idle(p) for p in s.ps))
    assert busy == (
        'P0 runs G1: fmt.Println("x") (main.go:13); the write(2) is slow: sysmon retakes P0 (handoffp), G1 returns '
        "to the global queue (exitsyscall0)", "G1", "P0",
        (PState(runnext=3, tick=1, slice=1), PState(cur=2, tick=1)), (1,))


def test_sch25_sch27_sch28_system_calls_their_returns_and_sysmons_retake() -> None:
    """A G in a system call keeps the P in _Psyscall (SCH-25); sysmon's retake frees it (SCH-28,
    actor sysmon, group ``sysmon P0``); the return (no fairness group: the environment owes a system
    call nothing) re-wires the old P, else takes an idle P, else the global queue (SCH-27a/b/c)."""
    m = _gmp(SYS, procs=2)
    ret = "G1: system call syscall.Sync returns (main.go:12); "
    assert _seen(m, lambda s, a: a[0] == "retake") == (
        "sysmon retakes P0 from G1 in a system call (_Psyscall -> handoffp)", "sysmon", "sysmon P0",
        (PState(runnext=3, runq=(2,), tick=1, slice=1), PState()), ())
    assert _seen(m, lambda s, a: a[0] == "sysret" and any(p.sys == a[1] for p in s.ps)) == (
        ret + "re-acquires P0 (still _Psyscall)", "G1", None,
        (PState(cur=1, runnext=3, runq=(2,), tick=1, slice=1), PState()), ())
    assert _seen(m, lambda s, a: a[0] == "sysret" and not any(p.sys == a[1] for p in s.ps) and not s.gq) == (
        ret + "acquires idle P1", "G1", None, (PState(runnext=3, runq=(2,), tick=1, slice=1), PState(cur=1)), ())
    assert _seen(m, lambda s, a: a[0] == "sysret" and s.gq) == (
        ret + "no idle P: to the global queue (exitsyscall0)", "G1", None, (PState(runq=(2,), tick=1), PState()),
        (3, 1))
    s, _ = _first(m, lambda s, a: a[0] == "retake")
    assert {k: v for k, v in m.view(s).items() if k in ("P0", "P1", "global runq")} == {
        "P0": "_Psyscall (G1 in a system call); runnext G3; runq [G2]; schedtick 1",
        "P1": "scheduling/idle; runnext -; runq []; schedtick 0", "global runq": "[]"}
    s, _ = _first(m, lambda s, a: a[0] == "sysret" and s.gq)
    assert (m.view(s)["P0"], m.view(s)["global runq"]) == ("scheduling/idle; runnext -; runq [G2]; schedtick 1", "[G3]")


def test_sch27_a_goroutine_that_ends_with_its_system_call_leaves_the_p_free() -> None:
    """A G whose system call is its last act exits as the call returns: its old P goes back to
    ``schedule`` (not running the dead G); without a P it just exits."""
    m = _gmp(EXIT, procs=1)
    ret = "G2: system call syscall.Sync returns (main.go:9); "
    assert _seen(m, lambda s, a: a[0] == "sysret" and a[1] == 2 and s.ps[0].sys == 2) == (
        ret + "re-acquires P0 (still _Psyscall)", "G2", None, (PState(tick=1),), (1,))
    assert _seen(m, lambda s, a: a[0] == "sysret" and a[1] == 2 and s.ps[0].sys != 2) == (
        ret + "exits", "G2", None, (PState(tick=1),), (1,))


def test_sch11_sch16_sch32_preemption_of_a_running_g_and_of_an_inheriting_runnext() -> None:
    """sysmon preempts the running G (its slice ran long) to the global tail; in ``schedule`` the
    request lands on the runnext G that would inherit the long slice (SCH-11), also to the tail."""
    m = _gmp(SYS, procs=2)
    assert _seen(m, lambda s, a: a[0] == "preempt" and s.ps[a[1]].cur) == (
        "P0: sysmon preempts G1 (its slice ran long) -> global queue", "P0", "preempt P0",
        (PState(runnext=2, tick=1, slice=1), PState()), (1,))
    assert _seen(m, lambda s, a: a[0] == "preempt" and not s.ps[a[1]].cur) == (
        "P0: sysmon preempts G2, which inherited a long slice from runnext -> global queue", "P0", "preempt P0",
        (PState(tick=1), PState()), (1, 2))


def test_timers_and_the_network_poller() -> None:
    """checkTimers readies the sleeper into this P's runnext (the old runnext kicked to the queue,
    the global queue left as it was);
    a P's netpoll runs the readied reader at once with a new slice (schedtick + 1, NP-3); a poll
    without a P injects it into the global queue (SCH-15), actor and group ``netpoll`` (NP-4).
    With ``timers: never`` no timer ever fires."""
    m = _gmp(PIPE, procs=2)
    assert _seen(m, lambda s, a: a[0] == "timer") == (
        "P0 checkTimers: time.Sleep of G1 ends", "P0", "P0", (PState(runnext=1, runq=(2,), tick=1, slice=1), PState()),
        ())
    ready = "netpoll: pipe r is readable (data), G2 is ready"
    assert _seen(m, lambda s, a: a[0] == "netpoll" and a[1] == 1) == (
        f"P1 findRunnable {ready}, runs it", "P1", "P1", (PState(cur=1, tick=1, slice=1), PState(cur=2, tick=2)), ())
    assert _seen(m, lambda s, a: a[0] == "netpoll" and a[1] == 0) == (
        f"P0 findRunnable {ready}, runs it", "P0", "P0", (PState(cur=2, tick=2), PState(cur=1, tick=2, slice=1)), ())
    assert _seen(m, lambda s, a: a[0] == "netpoll" and a[1] < 0) == (
        f"{ready} -> injectglist (no P): global queue", "netpoll", "netpoll",
        (PState(cur=1, tick=1, slice=1), PState(tick=1)), (2,))
    one = _gmp(PIPE, procs=1)
    assert _seen(one, lambda s, a: a[0] == "timer" and s.gq)[3:] == ((PState(runnext=1, tick=1),), (2,))
    assert {m.position(*_first(m, lambda s, a, k=k: a[0] == k)) for k in ("timer", "netpoll", "run", "steal")} == {None}
    never = _gmp(PIPE, procs=2, timers="never")
    r = explore(never)
    assert (r.stats.states, r.stats.transitions) == (40, 64)
    assert {a[0] for s in r.states for a in never.actions(s)} == {"run", "preempt", "step", "steal"}


def test_sch21_steal_half_one_and_the_buggy_grab() -> None:
    """runqsteal from a victim with three queued Gs: ``half`` grabs 3 - 3/2 = 2 (runs the last,
    keeps the other), ``one`` grabs the head; the buggy grab copies without advancing the victim."""
    victim = PState(cur=1, runnext=5, runq=(2, 3, 4), tick=1, slice=1)

    def steal(**rt: Any) -> Any:
        return _seen(_gmp(SPAWN4, procs=2, preempt="never", **rt),
                     lambda s, a: a[0] == "steal" and len(s.ps[a[2]].runq) >= 3)

    assert steal() == ("P1: steal from P0.runq (2 G), run G3", "P1", "P1",
                       (PState(cur=1, runnext=5, runq=(4,), tick=1, slice=1), PState(cur=3, runq=(2,), tick=1)), ())
    assert steal(steal="one") == ("P1: steal from P0.runq (1 G), run G2", "P1", "P1",
                                  (PState(cur=1, runnext=5, runq=(3, 4), tick=1, slice=1), PState(cur=2, tick=1)), ())
    assert steal(buggy_steal="true") == ("P1: steal from P0.runq (1 G), run G3", "P1", "P1",
                                         (victim, PState(cur=3, runq=(2,), tick=1)), ())
    assert _seen(_gmp(SYS, procs=2), lambda s, a: a[0] == "steal")[0] == "P1: steal from P0.runnext (1 G), run G2"


def test_sch12_sch18_where_schedule_takes_the_next_g_from() -> None:
    """findRunnable: every global_check_every-th tick one G from the global queue, and only one
    (SCH-12 with max 1); else runnext (inheriting the slice, SCH-11), else the local queue, else a
    batch from the global queue (here 2: one to run, one to the local queue); the runtime's
    finalizer goroutine parks at once; ``global_check_every: 1`` looks at the global queue first on
    every tick."""
    m = _gmp(SPAWN4, procs=1, global_check_every=2)
    assert _seen(m, lambda s, a: a[0] == "run" and len(s.gq) >= 2 and s.ps[0].tick == 0) == (
        "P0: schedule G1 from global queue (schedtick % 2 == 0)", "P0", "P0", (PState(cur=1, tick=1),), (3,))
    assert _seen(m, lambda s, a: a[0] == "run" and s.ps[0].runq and not s.ps[0].runnext and s.ps[0].tick)[:2] == (
        "P0: schedule G2 from local runq", "P0")
    assert _seen(_gmp(SYS, procs=2), lambda s, a: a[0] == "run")[0] == (
        "P0: schedule G2 from runnext (inherits the time slice)")
    fresh = _gmp(SPAWN4, procs=1, runnext_inherits_slice="false")
    assert _seen(fresh, lambda s, a: a[0] == "run" and s.ps[0].runnext)[0] == "P0: schedule G2 from runnext"
    every1 = _gmp(SPAWN4, procs=1, global_check_every=1)
    assert _seen(every1, lambda s, a: a[0] == "run" and s.gq and s.ps[0].runnext) == (
        "P0: schedule G1 from global queue (schedtick % 1 == 0)", "P0", "P0", (PState(cur=1, runnext=2),), ())
    r = explore(every1)
    assert (r.stats.states, r.stats.transitions) == (64, 85)
    batch = _gmp(SPAWN4, procs=1, global_check_every=0)
    assert _seen(batch, lambda s, a: a[0] == "run" and not (s.ps[0].runnext or s.ps[0].runq) and s.gq) == (
        "P0: schedule G1 from global queue (batch)", "P0", "P0", (PState(cur=1, runq=(2,)),), ())
    s, _ = _first(m, lambda s, a: len(s.gq) >= 2 and len(s.ps[0].runq) >= 2)
    assert (m.view(s)["P0"], m.view(s)["global runq"]) == ("scheduling/idle; runnext -; runq [G2 G3]; schedtick 1",
                                                           "[G1 G4]")
    sleeper = _gmp(SLEEP, procs=1, startup="any")
    assert _seen(sleeper, lambda s, a: a[0] == "run" and s.ps[0].runnext < 0) == (
        "P0: schedule G(fing) from runnext; it parks at once (no finalizers)", "P0", "P0", (PState(),), ())
    fing = _gmp(SPAWN4, procs=1, startup="any")
    assert _seen(fing, lambda s, a: a[0] == "run" and fing.next_state(s, a).ps[0].cur == 0) == (
        "P0: schedule G(fing) from a run queue; it parks at once (no finalizers)", "P0", "P0",
        (PState(runnext=2, runq=(-1,), tick=1),), (1,))


def test_goroutine_steps_a_select_and_a_crash_in_the_trace() -> None:
    """A plain step reads as the statement; a select with two ready cases is two actions, one per
    case, and each takes its own (the program prints 1 or 2); the dying step of a panic says so."""
    m = _gmp(SYS, procs=2)
    s, a = _first(m, lambda s, a: a[0] == "step")
    assert (m.format_action(s, a), m.actor(s, a), m.position(s, a)) == (
        "P0 runs G1: go func() { done <- true }() (main.go:10)", "G1", "main.go:10")
    p = _gmp(PANIC, procs=1)
    assert _seen(p, lambda s, a: a[0] == "step" and s.world.gs[a[2] - 1].wait[:1] == ("crash",))[:3] == (
        "P0 runs G1: panic: assignment to entry in nil map [G1 at main.go:5] (its deferred calls have run: the "
        "program dies)", "G1", "P0")
    m = _gmp(SELECT, procs=1)
    s, a = _first(m, lambda s, a: a[0] == "step" and a[3] is not None)
    assert (m.format_action(s, a), m.actor(s, a), m.position(s, a)) == (
        "P0 runs G1: select case 0: select { (main.go:10)", "G1", "main.go:10")
    r = explore(m)
    assert {"".join(s.world.output) for s in r.states if not m.actions(s)} == {"1\n", "2\n"}


def test_max_latency_counts_steps_spent_queued() -> None:
    """``max_latency: 1``: a G runnable (queued) for two transitions violates it (G2 here, spawned
    into runnext, then kicked by G3 and passed over); latencies are kept per goroutine, capped at
    N + 1, shown in the state view; without the property there are none."""
    m = _gmp(LATENCY, "[deadlock_free, {max_latency: 1}]", procs=1, preempt="any")
    r = check(m)
    pr = r["max_latency"]
    assert (r.stats.states, r.stats.transitions, str(pr.verdict), len(pr.path) - 1) == (
        104, 122, "violated (G2 has been runnable for more than 1 steps without running)", 3)
    s = m.init_states()[pr.path[0]]
    lats = [s.lat]
    for k in pr.path[1:]:
        s = m.next_state(s, m.actions(s)[k])
        lats.append(s.lat)
    assert lats == [(0,), (0, 0), (0, 1, 0), (0, 2, 1)]
    assert (m.view(m.init_states()[0])["latency"], m.view(s)["latency"]) == ({}, {"G2": 2, "G3": 1})
    plain = _gmp(LATENCY, procs=1, preempt="any")
    states = explore(plain).states
    assert {t.lat for t in states} == {()} and not any("latency" in plain.view(t) for t in states[:5])
    assert {t.lat for t in explore(_gmp(SYS, procs=2)).states} == {()}


def test_a_model_built_without_options_uses_gos_defaults_under_gmp() -> None:
    m = _gmp(SPAWN4)
    assert GmpModel(m.go.interp.program).opts.scheduler == "gmp"
