"""Semantics of single instructions and of the step function, on small programs.

Hand-built IR pins the step structure (one visible instruction plus the
local ones after it); small Go sources pin the rest.
"""

from __future__ import annotations

import pytest

from checker.check import check
from gocheck.factory import build_model
from gocheck.spec import load_spec_text
from models import ir
from models.gomodel import GoModel
from models.interp import Interpreter
from models.properties import PropertySpec
from models.state import Chan
from models.tx import LOCAL_LIMIT, ModelLimitError
from tests.helpers import exit_outputs, reachable

ALL = [PropertySpec(n) for n in ("deadlock_free", "leak_free", "panic_free", "race_free", "terminates")]


def handoff_program() -> ir.Program:
    """main: ch := make(chan int); go worker(ch); ch <- 42.  worker: println(<-ch)."""
    return ir.Program("main.go", "package main\n", {
        "init": ir.Function("init", 0, 0, 0, 0, (), (ir.Call((), "main", None, ()), ir.Return())),
        "main": ir.Function("main", 0, 0, 0, 2, ("ch", "v"), (
            ir.MakeChan(0, ir.INT, None), ir.Go("worker", None, (0,)), ir.Const(1, 42),
            ir.Send(0, 1, pos=(3, 1)), ir.Return())),
        "worker": ir.Function("worker", 0, 1, 0, 2, ("ch", "v"), (
            ir.Recv(1, None, 0, 0, pos=(5, 1)), ir.Print("println", (1,)), ir.Return())),
    }, (), "init", "main")


def go_model(src: str, **runtime) -> GoModel:
    text = "name: t\nsource: |\n" + "".join("  " + line + "\n" for line in src.strip().splitlines())
    if runtime:
        text += "runtime:\n" + "".join(f"  {k}: {v}\n" for k, v in runtime.items())
    text += "properties: [deadlock_free, leak_free, panic_free, race_free, terminates]\n"
    return build_model(load_spec_text(text, "t.yaml"))


def test_unbuffered_handoff_has_eight_states_and_every_property_holds():
    m = GoModel(handoff_program(), None, ALL)
    r = check(m)
    assert r.stats.states == 8 and r.stats.transitions == 9
    assert {k: v.verdict.kind for k, v in r.results.items()} == dict.fromkeys(
        ("deadlock_free", "leak_free", "panic_free", "race_free", "terminates"), "holds")


def test_step_runs_one_visible_instruction_then_the_locals():
    m = GoModel(handoff_program())
    w = m.init_states()[0]
    assert m.actions(w) == [("step", 1)]          # G1 stands at the go statement
    w = m.next_state(w, ("step", 1))              # go worker(ch); Const is local and runs too
    g1 = w.gs[0]
    assert type(m.interp.instr_of(g1)) is ir.Send and g1.frames[-1].slots[1] == 42
    assert m.actions(w) == [("step", 1), ("step", 2)]


def test_hand_off_goes_straight_to_a_waiting_receiver():
    """CH-4.4: the receiver parks first; the sender writes into its slot and wakes it."""
    m = GoModel(handoff_program())
    w = m.next_state(m.init_states()[0], ("step", 1))
    w = m.next_state(w, ("step", 2))              # worker parks in recvq
    assert w.gs[1].status == "wait" and w.heap[0] == Chan(0, recvq=((2, -1),))
    step = m.sched.next(w, ("step", 1))           # main sends: direct hand-off
    assert step.events.woken == [2] and not step.events.blocked
    assert step.world.gs[1].frames[-1].slots[1] == 42
    assert step.world.heap[0] == Chan(0)


def test_events_report_spawn_block_and_exit():
    m = GoModel(handoff_program())
    step = m.sched.next(m.init_states()[0], ("step", 1))
    assert step.events.spawned == [2]
    step = m.sched.next(step.world, ("step", 1))  # main blocks on the send
    assert step.events.blocked
    # the worker takes the value from sendq (and stops at its println); main is woken
    step = m.sched.next(step.world, ("step", 2))
    assert step.events.woken == [1] and step.events.exited == []
    step = m.sched.next(step.world, ("step", 1))  # main's final return is a visible step
    assert step.events.exited == [1] and step.world.main_done


def test_unbounded_recursion_is_unknown_never_a_verdict():
    src = """
package main

func f(n int) int {
	return f(n + 1)
}

func main() {
	f(0)
}
"""
    # The limit is hit by main's first step, while the initial state is built: inside the search,
    # so it is `unknown` (exit 3) like a limit hit later, never a crash (issue 15, defect 4).
    r = check(go_model(src))
    assert {pr.verdict.kind for pr in r.results.values()} == {"unknown"}
    assert r.stats.stop_reason == "the model hit a bound: main.go:4: goroutine 1 exceeded 2000 nested calls " \
                                  "(unbounded recursion?)"
    with pytest.raises(ModelLimitError, match="main.go:4: goroutine 1 exceeded 2000 nested calls"):
        go_model(src).init_states()
    assert LOCAL_LIMIT == 100_000


def test_goexit_runs_deferred_calls_of_every_frame():
    m = go_model("""
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func inner() {
	defer fmt.Println("inner deferred")
	runtime.Goexit()
	fmt.Println("not reached")
}

func main() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer fmt.Println("outer deferred")
		inner()
	}()
	wg.Wait()
}
""")
    assert exit_outputs(m) == {("inner deferred\nouter deferred\n", None)}


def test_integer_division_by_zero_panics_like_go():
    m = go_model("""
package main

import "fmt"

func main() {
	x := 0
	fmt.Println(1 / x)
}
""")
    r = check(m)
    assert r["panic_free"].verdict.reason == "panic: runtime error: integer divide by zero [G1 at main.go:7]"


def test_main_exit_wait_keeps_running_goroutines_exit_ends_the_process():
    src = """
package main

import "fmt"

func main() {
	go func() {
		fmt.Println("late")
	}()
}
"""
    assert exit_outputs(go_model(src)) == {("", None), ("late\n", None)}
    m = go_model(src, main_exit="exit")
    assert exit_outputs(m) == {("", None), ("late\n", None)}
    # under exit, the state after main returned has no actions: G2 never prints afterwards
    ends = [s for s in reachable(m) if s.ended]
    assert {"".join(s.output) for s in ends} == {"", "late\n"}
    assert all(m.actions(s) == [] for s in ends)


def test_select_offers_every_ready_case_and_default_only_when_none_is():
    m = go_model("""
package main

func main() {
	a := make(chan int, 1)
	b := make(chan int, 1)
	a <- 1
	b <- 2
	select {
	case <-a:
	case <-b:
	default:
	}
}
""")
    states = list(reachable(m))
    selects = {a for s in states for a in m.actions(s) if a[0] == "select"}
    assert selects == {("select", 1, 0), ("select", 1, 1)}


def test_atomic_counter_is_race_free_and_exact():
    m = go_model("""
package main

import (
	"fmt"
	"sync"
	"sync/atomic"
)

func main() {
	var n int64
	var wg sync.WaitGroup
	wg.Add(2)
	for i := 0; i < 2; i++ {
		go func() {
			defer wg.Done()
			atomic.AddInt64(&n, 1)
		}()
	}
	wg.Wait()
	fmt.Println(atomic.LoadInt64(&n))
}
""")
    r = check(m)
    assert r["race_free"].verdict.kind == "holds"
    assert exit_outputs(m) == {("2\n", None)}


def test_rwmutex_readers_share_and_a_writer_excludes():
    m = go_model("""
package main

import (
	"fmt"
	"sync"
)

var mu sync.RWMutex
var x int

func main() {
	var wg sync.WaitGroup
	wg.Add(3)
	for i := 0; i < 2; i++ {
		go func() {
			defer wg.Done()
			mu.RLock()
			_ = x
			mu.RUnlock()
		}()
	}
	go func() {
		defer wg.Done()
		mu.Lock()
		x = 1
		mu.Unlock()
	}()
	wg.Wait()
	fmt.Println(x)
}
""")
    r = check(m)
    assert {k: v.verdict.kind for k, v in r.results.items()} == dict.fromkeys(
        ("deadlock_free", "leak_free", "panic_free", "race_free", "terminates"), "holds")
    # two readers can hold the lock at once
    assert any(o.readers == 2 for s in reachable(m) for o in s.heap if type(o).__name__ == "RWMutex")


def test_machine_initial_world_is_canonical():
    a = Interpreter(handoff_program()).initial()
    b = Interpreter(handoff_program()).initial()
    assert a == b and hash(a) == hash(b)


# ---------------------------------------------------------------- named results and deferred calls


def test_named_results_corpus_program_prints_what_go_run_prints():
    """tests/go/62_named_results.go: ``return X`` sets the named results before the deferred
    calls run (Go spec, "Return statements"); a deferred closure reads and modifies them and
    the caller gets the final values ("Defer statements"); a panic in a deferred call after
    ``return 5``, recovered by another, returns 5.  The expected text is ``go run``'s."""
    from tests.helpers import GO

    with open(f"{GO}/62_named_results.go") as f:
        m = go_model(f.read())
    assert exit_outputs(m) == {("0 recovered: runtime error: integer divide by zero\nwrapped: inner\n"
                                "in defer 2 1\n2 1\n5\n107\nx 42\n2\n42\n", None)}


def test_return_writes_a_named_result_a_goroutine_reads():
    """``return 5`` is a write of the shared cell n: it races with the goroutine that reads n
    (``go run -race`` reports it), and the goroutine may print either value."""
    src = """
package main

import (
	"fmt"
	"sync"
)

func compute(wg *sync.WaitGroup) (n int) {
	go func() {
		defer wg.Done()
		fmt.Println(n)
	}()
	return 5
}

func main() {
	var wg sync.WaitGroup
	wg.Add(1)
	_ = compute(&wg)
	wg.Wait()
}
"""
    r = check(go_model(src))
    assert r["race_free"].verdict.reason == ("data race on n: G1 writes at main.go:13 (return 5) and G2 reads at "
                                            "main.go:11 (fmt.Println(n))")
    assert r.stats.states == 33
    assert exit_outputs(go_model(src)) == {("0\n", None), ("5\n", None)}


def test_deferred_unlock_on_error_then_the_callers_unlock_is_fatal():
    """MU-4: lockFor's deferred closure releases the mutex when the error ``return`` set is
    non-nil, and the caller releases it again: "fatal error: sync: unlock of unlocked mutex".
    Before named results were set by return, the deferred closure saw nil and this held."""
    src = """
package main

import (
	"errors"
	"fmt"
	"sync"
)

type cache struct {
	mu sync.Mutex
}

func (c *cache) lockFor(key int) (err error) {
	c.mu.Lock()
	defer func() {
		if err != nil {
			c.mu.Unlock()
		}
	}()
	if key < 0 {
		return errors.New("bad key")
	}
	return nil
}

func main() {
	c := &cache{}
	if err := c.lockFor(-1); err != nil {
		c.mu.Unlock()
		fmt.Println(err)
	}
}
"""
    r = check(go_model(src))
    assert r["panic_free"].verdict.reason == "fatal error: sync: unlock of unlocked mutex [G1 at main.go:29]"


def test_goexit_in_a_deferred_call_runs_the_rest_with_the_named_result_set():
    """runtime.Goexit from a deferred call (run by `ir.RunDefers` after ``return 3`` set n)
    runs the remaining deferred calls, which see n == 3, and ends the goroutine."""
    src = """
package main

import (
	"fmt"
	"runtime"
)

func exiter(done chan int) (n int) {
	defer func() { done <- n }()
	defer func() { runtime.Goexit() }()
	return 3
}

func main() {
	done := make(chan int, 1)
	go func() {
		fmt.Println("never", exiter(done))
	}()
	fmt.Println(<-done)
}
"""
    assert exit_outputs(go_model(src)) == {("3\n", None)}


def test_axiomatic_model_runs_deferred_calls_before_the_named_result_is_read():
    """The memory model's path enumeration (models/memory/paths.py) runs `ir.RunDefers`:
    r == 7 (what the deferred closure stored after ``return 1``) is the only outcome (MM-5)."""
    from models.memory import check_outcomes
    from tests.helpers import sc_finals

    text = """name: t
source: |
  package main

  var r int

  func get() (n int) {
      defer func() { n = 7 }()
      return 1
  }

  func main() {
      r = get()
  }
properties: [race_free]
outcomes:
  - {when: "r == 1", expect: forbidden}
  - {when: "r == 7", expect: allowed}
"""
    spec = load_spec_text(text, "t.yaml")
    res = check_outcomes(spec, sc_finals(spec))
    assert [(x.verdict, x.reason) for x in res] == [("forbidden", ""), ("allowed", "")]


def test_anonymous_struct_with_an_embedded_mutex_guards_its_map():
    """tests/go/63_anon_embedded.go: ``struct{ sync.Mutex; plugins map[string]int }`` promotes
    Lock/Unlock (Go spec, "Struct types"); an embedded *T and sync.WaitGroup promote their
    fields and methods.  Without the lock, the two registrations race on the map."""
    from tests.helpers import GO

    with open(f"{GO}/63_anon_embedded.go") as f:
        src = f.read()
    r = check(go_model(src))
    assert {k: v.verdict.kind for k, v in r.results.items()} == dict.fromkeys(
        ("deadlock_free", "leak_free", "panic_free", "race_free", "terminates"), "holds")
    assert r.stats.states == 147
    assert exit_outputs(go_model(src)) == {("2\nc 1 1\n", None)}
    racy = src.replace("\tstorage.Lock()\n\tdefer storage.Unlock()\n", "")
    assert racy != src
    assert check(go_model(racy))["race_free"].verdict.reason == (
        "data race on map ? (concurrent map read and map write): G2 writes at main.go:22 "
        "(storage.plugins[name]++) and G3 reads at main.go:22 (storage.plugins[name]++)")


def test_fmt_prints_every_result_of_a_multi_valued_call():
    """``fmt.Println(two())``: every result of the call is an operand (Go spec, "Calls":
    f(g()) passes g's results as f's parameters); the model used to print only the first."""
    src = """
package main

import "fmt"

func two() (int, string) { return 1, "two" }

func main() {
	fmt.Println(two())
	fmt.Print(two())
	fmt.Println()
	fmt.Println((two()))
}
"""
    assert exit_outputs(go_model(src)) == {("1 two\n1two\n1 two\n", None)}
