"""Tests written to kill mutants of models/interp.py that survived benchmarks/mutation.py
(reports/mutation.md): the interpreter's own rules (recover, contexts, zero values, the
environment's timer events, the dispatch table's build checks).

Each program's output was checked against ``go run`` (Go 1.22); the model's panic text adds the
goroutine and line (``[G1 at main.go:N]``).
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.check import check
from gocheck.factory import build_model
from gocheck.spec import load_spec_text
from models import interp, ir, sync
from tests.helpers import exit_outputs, reachable

PROPS = "[deadlock_free, leak_free, panic_free, race_free, terminates]"


def _model(src: str, runtime: str = "") -> Any:
    body = "".join("  " + line + "\n" for line in src.strip().splitlines())
    return build_model(load_spec_text(f"name: t\nsource: |\n{body}properties: {PROPS}\n{runtime}", "t.yaml"))


def _states(model: Any) -> int:
    return sum(1 for _ in reachable(model))


# ---------------------------------------------------------------- recover (Go spec "Handling panics")


RECOVER = """
package main

import (
	"fmt"
	"runtime"
)

func helper() {
	if r := recover(); r != nil {
		fmt.Println("helper recovered", r)
	}
}

func main() {
	done := make(chan bool)
	go func() {
		defer func() { done <- recover() == nil }()
		runtime.Goexit()
	}()
	fmt.Println(<-done)
	func() {
		defer func() { fmt.Println(recover()) }()
		panic("a [G1] b")
	}()
	defer func() { helper() }()
	panic("boom")
}
"""


def test_recover_is_nil_outside_a_panic_and_in_a_nested_call() -> None:
    """recover() returns nil while runtime.Goexit unwinds (no panic: the goroutine still exits), and
    when it is not called directly by the deferred function (the helper's recover does not stop the
    panic, which crashes the program); a recovered value keeps its own " [G" text (only the model's
    position suffix is cut)."""
    m = _model(RECOVER)
    assert exit_outputs(m) == {("true\na [G1] b\n", "panic: boom [G1 at main.go:26]")}
    assert _states(m) == 12


PANIC_IN_DEFER = """
package main

import "fmt"

func f() (r string) {
	defer func() { r = fmt.Sprint("recovered ", recover()) }()
	defer func() { panic("second") }()
	panic("first")
}

func main() {
	fmt.Println(f())
	defer fmt.Println("outer defer")
	defer func() { panic("second") }()
	panic("first")
}
"""


def test_a_panic_in_a_deferred_call_while_panicking_runs_the_remaining_defers() -> None:
    """Go spec "Handling panics" (runtime/panic.go gopanic): a deferred call that panics while the
    goroutine panics replaces the panic, and the remaining deferred calls still run: a later one
    recovers the new value, and without a recover the process prints "outer defer" before dying
    (`go run`: "outer defer", "panic: first", "panic: second").  The model ended the program at the
    second panic, skipping the deferred calls left (a real bug, fixed in Interpreter._panic)."""
    m = _model(PANIC_IN_DEFER)
    assert exit_outputs(m) == {("recovered second\nouter defer\n", "panic: second [G1 at main.go:14]")}
    assert _states(m) == 10


# ---------------------------------------------------------------- contexts


CTX_VALUE = """
package main

import (
	"context"
	"fmt"
)

type key string

func main() {
	base := context.WithValue(context.Background(), key("k"), "v")
	ctx, cancel := context.WithCancel(base)
	defer cancel()
	fmt.Println(ctx.Value(key("k")), ctx.Err())
	inner, cancel2 := context.WithCancel(ctx)
	defer cancel2()
	v2 := context.WithValue(inner, key("j"), "w")
	fmt.Println(v2.Value(key("k")), v2.Value(key("j")))
}
"""


def test_value_is_found_through_cancel_contexts() -> None:
    """context.go cancelCtx.Value: a key is looked up through every ancestor, a WithCancel context
    included (it was lost: the model linked a cancel context to its nearest cancellable ancestor
    only, skipping the value contexts between; `go run` prints "v <nil>" and "v w")."""
    m = _model(CTX_VALUE)
    assert exit_outputs(m) == {("v <nil>\nv w\n", None)}
    assert _states(m) == 9


CTX_REASON = """
package main

import (
	"context"
	"fmt"
	"time"
)

func main() {
	parent, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	child, cancel2 := context.WithCancel(parent)
	defer cancel2()
	<-child.Done()
	fmt.Println(child.Err(), parent.Err())
}
"""


def test_a_deadline_reaches_the_children_with_its_reason() -> None:
    """context.go cancelCtx.cancel: the parent's deadline cancels the child with the parent's error
    (DeadlineExceeded), not Canceled."""
    m = _model(CTX_REASON)
    assert exit_outputs(m) == {("context deadline exceeded context deadline exceeded\n", None)}
    assert _states(m) == 13


CTX_STOP = """
package main

import (
	"context"
	"fmt"
	"time"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	cancel()
	<-ctx.Done()
	fmt.Println(ctx.Err())
}
"""


def test_cancel_stops_the_deadline_timer() -> None:
    """context.go timerCtx.cancel stops its timer: once cancelled, no deadline event is pending, so
    no state after main's exit still has the deadline pending."""
    m = _model(CTX_STOP)
    states = list(reachable(m))
    assert {s.timers for s in states if s.main_done} == {()}
    # durations are abstract (any pending timer may fire at any step): the deadline may still win
    assert exit_outputs(m) == {("context canceled\n", None), ("context deadline exceeded\n", None)}
    assert len(states) == 13


# ---------------------------------------------------------------- zero values and capacities


ZERO = """
package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fmt.Println(cap(ctx.Done()), cap(time.After(time.Hour)))
	var m sync.Map
	m.Store("a", 1)
	v, ok := m.Load("a")
	fmt.Println(v, ok)
	var ai atomic.Int64
	var ab atomic.Bool
	var av atomic.Value
	fmt.Println(ai.Load(), ab.Load(), av.Load())
	var a [3]int
	a[1] = 5
	fmt.Println(a, len(a))
	var c sync.Cond
	c.Signal()
	c.Broadcast()
	fmt.Println("ok")
}
"""


def test_zero_values_and_runtime_channel_capacities() -> None:
    """A context's Done channel is unbuffered and time.After's has one slot (time/sleep.go
    NewTimer: make(chan Time, 1)); the zero sync.Map, typed atomics, arrays and sync.Cond are usable
    as declared (Signal/Broadcast with no waiter do nothing)."""
    m = _model(ZERO)
    assert exit_outputs(m) == {("0 1\n1 true\n0 false <nil>\n[0 5 0] 3\nok\n", None)}
    assert _states(m) == 40


# ---------------------------------------------------------------- the dispatch table's build checks


def test_the_dispatch_table_rejects_a_handler_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two primitives' modules handling one visible instruction is a build error, named."""
    monkeypatch.setitem(sync.HANDLERS, ir.Send, sync.HANDLERS[next(iter(sync.HANDLERS))])
    with pytest.raises(ImportError, match="^two handlers for the visible instruction Send$"):
        interp._build_table()


def test_the_dispatch_table_rejects_a_visible_instruction_without_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    """A visible instruction nothing executes is a build error (never a Go panic at run time)."""

    class Orphan(ir.Instr):
        VISIBLE = True

    monkeypatch.setitem(ir.INSTRUCTIONS, "Orphan", Orphan)
    with pytest.raises(ImportError, match="^models.interp: the visible instruction Orphan has no handler$"):
        interp._build_table()


def test_the_dispatch_table_rejects_a_local_instruction_with_a_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    """A local instruction must not have a visible handler (it would never be dispatched)."""
    monkeypatch.setitem(sync.HANDLERS, ir.Const, sync.HANDLERS[next(iter(sync.HANDLERS))])
    with pytest.raises(ImportError, match="^models.interp: Const is local but has a visible handler$"):
        interp._build_table()


def test_the_dispatch_table_rejects_handlers_of_unknown_instructions(monkeypatch: pytest.MonkeyPatch) -> None:
    """A handler for a class ir.INSTRUCTIONS does not list is a build error."""
    monkeypatch.delitem(ir.INSTRUCTIONS, "Send")
    with pytest.raises(ImportError, match="handlers for instructions not in ir.INSTRUCTIONS"):
        interp._build_table()


def test_the_dispatch_table_is_built_from_every_module() -> None:
    """Every module's handlers are in the table, the choice-free ones wrapped to the table's shape."""
    from models import atomic, chan, datatypes, library, pipe, select, syncmap

    table = interp._build_table()
    for mod in (select, datatypes, library, syncmap):
        for cls, h in mod.HANDLERS.items():
            assert table[cls] is h, cls
    for mod in (chan, sync, atomic, pipe):
        for cls in mod.HANDLERS:
            assert table[cls] is not mod.HANDLERS[cls] and callable(table[cls]), cls
    assert table[ir.Return] is interp._return and table[ir.NumGoroutine] is interp._num_goroutine
    assert set(table) <= set(ir.INSTRUCTIONS.values())


# ---------------------------------------------------------------- environment events under gmp


GMP_SLEEP = """
package main

import (
	"fmt"
	"time"
)

func main() {
	go fmt.Println("g")
	time.Sleep(time.Millisecond)
	fmt.Println("main")
}
"""


def test_gmp_requeues_main_woken_by_its_sleep_timer() -> None:
    """SCH-8/TM-4: a timer firing readies the sleeper (goready puts it in a run queue): Interpreter.fire
    reports main (G1) as woken, so gmp queues it and the program ends (no goroutine lost)."""
    m = _model(GMP_SLEEP, "runtime:\n  scheduler: gmp\n  procs: 1\n")
    r = check(m)
    assert {k: v.verdict.kind for k, v in r.results.items()} == {
        "deadlock_free": "holds", "leak_free": "holds", "panic_free": "holds", "race_free": "holds",
        "terminates": "holds"}
    assert (r.stats.states, r.stats.transitions, r.stats.complete) == (7961, 11843, True)


# ---------------------------------------------------------------- printing


PRINT = """
package main

import "fmt"

type P struct{ X int }

type Q struct {
	In P
	N  int
}

func main() {
	xs := []any{1, "a"}
	fmt.Println(xs...)
	p := &P{1}
	fmt.Println(p, *p, Q{P{2}, 3})
	fmt.Printf("%v %s\\n", xs...)
	fmt.Print(1, 2, "a", 3, "b", "c", 4, 5, "\\n")
}
"""


def test_print_spreads_derefs_and_spaces_like_fmt() -> None:
    """fmt.Println(xs...) prints the slice's elements; a pointer to a struct prints as &{..}, nested
    structs by value (the program's struct types); fmt.Print puts a space between two operands
    only when neither is a string (fmt/print.go doPrint)."""
    m = _model(PRINT)
    assert exit_outputs(m) == {("1 a\n&{1} {1} {{2} 3}\n1 a\n1 2a3bc4 5\n", None)}
    assert _states(m) == 9


SLEEP_GC = """
package main

import (
	"fmt"
	"time"
)

func main() {
	go func() {
		time.Sleep(time.Millisecond)
	}()
	for i := 0; i < 2; i++ {
		ch := make(chan int, 1)
		ch <- i
		fmt.Println(<-ch)
	}
}
"""


def test_a_sleeper_survives_the_heap_collection() -> None:
    """TM-4: time.Sleep parks with the wait reason "sleep" (no object id), which the heap collection
    (models/heapgc.py, dropping each iteration's channel) keeps as it is while G2 sleeps."""
    m = _model(SLEEP_GC)
    r = check(m)
    assert {k: v.verdict.kind for k, v in r.results.items()} == {
        "deadlock_free": "holds", "leak_free": "holds", "panic_free": "holds", "race_free": "holds",
        "terminates": "holds"}
    assert (r.stats.states, r.stats.transitions) == (31, 48)
    assert exit_outputs(m) == {("0\n1\n", None)}


RACE_FIELD_V = """
package main

type S struct{ v int }

var s S

func main() {
	done := make(chan bool)
	go func() {
		s.v = 1
		done <- true
	}()
	s.v = 2
	<-done
}
"""


def test_a_race_on_a_struct_field_named_v_names_the_field() -> None:
    """MM-1 (a data race): the report names the variable s.v; a struct object keeps its type name
    (only a typed atomic's own cell, also keyed "v", is named without the field)."""
    m = _model(RACE_FIELD_V)
    r = check(m)
    assert r.results["race_free"].verdict.reason == (
        "data race on s.v: G1 writes at main.go:13 (s.v = 2) and G2 writes at main.go:10 (s.v = 1)")
    assert r.stats.states == 16



# ---------------------------------------------------------------- operators, globals, Background


OPS = r"""
package main

import (
	"context"
	"fmt"
)

type S struct{ X, Y int }

var g S
var arr [2]int

type key int

func main() {
	a, b := -7, 2
	fmt.Println(a/b, a%b, 7/-b, 7%-b, a/-b, a%-b, -a/b, -a%b)
	m, n := 6, 3
	fmt.Println(m&n, m|n, m^n, m&^n)
	var x any = 1
	var y any = "1"
	var z any = 2
	fmt.Println(x != y, x != z, x != 1, x == 1, x != nil)
	s, e := "\x80", "é"
	fmt.Println(s < e, s <= e, s > e, s >= e, e < s, e <= s, e > s, e >= s)
	p := &g
	p.Y = 3
	q := &arr
	q[1] = 4
	fmt.Println(g, arr, p, p == &g)
	bg := context.Background()
	v := context.WithValue(bg, key(1), "one")
	fmt.Println(bg.Done() == nil, v.Done() == nil, v.Err(), bg.Err(), bg)
	t := "x"
	for i := 0; i < 20; i++ {
		t += t
	}
	fmt.Println(len(t))
}
"""


def test_operators_globals_and_background_as_go() -> None:
    """Go spec "Arithmetic operators": integer division truncates toward zero and x%y has the sign
    of x; &, |, ^, &^; comparisons of interface values compare dynamic types then values; strings
    compare bytewise ("\\x80" sorts before "é", whose first byte is 0xC3); &global of a struct or
    array points at the whole object; context.Background() and a value context under it have a nil
    Done channel and a nil Err; a 2^20-byte string is still allowed (the model's MAX_STRING)."""
    m = _model(OPS)
    assert exit_outputs(m) == {("-3 -1 -3 1 3 -1 3 1\n2 7 5 4\ntrue true false true true\n"
                                "true true false false false false true true\n{0 3} [0 4] &{0 3} true\n"
                                "true true <nil> <nil> context.Background\n1048576\n", None)}
    assert _states(m) == 37


def test_a_string_past_the_models_limit_is_a_bound_not_a_verdict() -> None:
    """Past MAX_STRING (2^20 bytes) building a string raises ModelLimitError: a bound the search
    reports (unknown, incomplete), never a silent cut."""
    m = _model("""
package main

import "fmt"

func main() {
	t := "x"
	for i := 0; i < 21; i++ {
		t += t
	}
	fmt.Println(len(t))
}
""")
    r = check(m)
    assert str(r.results["deadlock_free"].verdict) == (
        "unknown (the model hit a bound: a string longer than 1048576 characters (the model's limit))")
    assert (r.stats.states, r.stats.complete) == (20, False)


UNSYNCED_SELECT = """
package main

func main() {
	c := make(chan int, 1)
	d := make(chan int, 1)
	c <- 0
	go func() {
		c <- 1
		d <- 2
	}()
	<-c
	select {
	case <-d:
	}
	close(c)
}
"""


def test_a_select_case_acquires_what_a_wakeup_left_unordered() -> None:
    """RD-5: G1's receive moves parked G2's value into the buffer without acquiring G2's clock (G2's
    send read of c stays unordered with G1), but G1's select then receives from d, which G2 sent on
    after c: the close of c is ordered after G2's send, no race (`go run -race` agrees).  The
    select's step forgets the unordered records of its goroutine, also once G2 has exited."""
    m = _model(UNSYNCED_SELECT)
    r = check(m)
    assert r.results["race_free"].verdict.kind == "holds"
    assert (r.stats.states, r.stats.transitions) == (14, 17)


CHOICES = """
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	m := map[int]int{1: 1, 2: 2}
	for k := range m {
		fmt.Print(k)
	}
	var sm sync.Map
	sm.Store(3, 3)
	sm.Store(4, 4)
	sm.Range(func(k, v any) bool {
		fmt.Print(k)
		return true
	})
	done := make(chan bool)
	go func() { done <- true }()
	<-done
	fmt.Println("", runtime.NumGoroutine())
}
"""


def test_map_and_sync_map_orders_and_num_goroutine_are_choices() -> None:
    """Go spec "For statements": a map's iteration order is unspecified, and sync.Map.Range's too
    (each order a choice); runtime.NumGoroutine may still count a goroutine that has sent its last
    value but not yet exited (1 or 2)."""
    m = _model(CHOICES)
    assert exit_outputs(m) == {(f"{a}{b} {n}\n", None) for a in ("12", "21") for b in ("34", "43") for n in (1, 2)}
    assert _states(m) == 87


SELECT_CLOSE = """
package main

import "fmt"

func main() {
	ch := make(chan int)
	other := make(chan int, 1)
	done := make(chan bool)
	go func() {
		defer func() {
			fmt.Println(recover())
			done <- true
		}()
		select {
		case <-other:
			fmt.Println("other")
		case ch <- 1:
		}
	}()
	close(ch)
	other <- 1
	<-done
}
"""


def test_a_select_parked_on_a_send_panics_when_the_channel_closes() -> None:
    """CH-5/SEL-4 (runtime/select.go selectgo: a send case woken by closechan panics "send on closed
    channel"): the parked select does not poll its cases again, so it cannot take <-other once
    woken by the close; it reaches "other" only when main's send comes first."""
    m = _model(SELECT_CLOSE)
    assert exit_outputs(m) == {("other\n<nil>\n", None), ("send on closed channel\n", None)}
    assert _states(m) == 28


CRASH = """
package main

import "fmt"

func main() {
	done := make(chan bool)
	go func() {
		defer fmt.Println("deferred")
		panic("boom")
	}()
	<-done
}
"""


def test_a_panicking_goroutine_crashes_after_its_defers_also_under_gmp() -> None:
    """runtime/panic.go gopanic then fatalpanic: G2 runs its deferred call, then its crash is a step of
    its own that ends the program (under gmp too, where the step's events drive the queues)."""
    assert exit_outputs(_model(CRASH)) == {("deferred\n", "panic: boom [G2 at main.go:9]")}
    r = check(_model(CRASH, "runtime:\n  scheduler: gmp\n  procs: 1\n"))
    assert {k: v.verdict.kind for k, v in r.results.items()} == {
        "deadlock_free": "holds", "leak_free": "holds", "panic_free": "violated", "race_free": "holds",
        "terminates": "holds"}
    assert r.results["panic_free"].verdict.reason == "panic: boom [G2 at main.go:9]"
    assert (r.stats.states, r.stats.transitions) == (5102, 7034)


GOSCHED = """
package main

import (
	"fmt"
	"runtime"
)

func main() {
	done := make(chan bool, 1)
	go func() {
		fmt.Println("g")
		done <- true
	}()
	runtime.Gosched()
	fmt.Println("main")
	<-done
}
"""


def test_gosched_yields_to_the_global_queue_under_gmp() -> None:
    """SCH-16 (runtime/proc.go goschedImpl): runtime.Gosched puts the goroutine on the global run
    queue; Interpreter.step reports the yield so gmp can (the state count is that graph's)."""
    r = check(_model(GOSCHED, "runtime:\n  scheduler: gmp\n  procs: 1\n"))
    assert all(v.verdict.kind == "holds" for v in r.results.values())
    assert (r.stats.states, r.stats.transitions) == (6375, 8876)


CANCEL_VALUE = """
package main

import (
	"context"
	"fmt"
)

func run(f func()) {
	f()
}

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	run(cancel)
	<-ctx.Done()
	defer cancel()
	fmt.Println(ctx.Err())
}
"""


def test_a_cancel_func_passed_as_a_value_cancels() -> None:
    """context.CancelFunc is a func value (context.go WithCancel returns func() { c.cancel(...) }):
    called through a parameter it runs the model's context.cancel function on its captured
    context; a second call (deferred) does nothing."""
    m = _model(CANCEL_VALUE)
    assert exit_outputs(m) == {("context canceled\n", None)}
    assert _states(m) == 8



# ---------------------------------------------------------------- bounds, Goexit, t.Fatal


def _rec(n: int) -> str:
    return f"""
package main

import "fmt"

func rec(n int) int {{
	if n == 0 {{
		return 0
	}}
	return rec(n-1) + 1
}}

func main() {{
	fmt.Println(rec({n}))
}}
"""


def test_the_call_depth_bound_is_exactly_2000_frames() -> None:
    """DEPTH_LIMIT (2000 frames: init$, main and rec's) is a bound reported as unknown, never a cut:
    rec(1997) needs 2000 frames and runs, rec(1998) needs 2001."""
    r = check(_model(_rec(1997)))
    assert str(r.results["deadlock_free"].verdict) == "holds" and r.stats.states == 3
    r = check(_model(_rec(1998)))
    assert str(r.results["deadlock_free"].verdict) == (
        "unknown (the model hit a bound: main.go:9: goroutine 1 exceeded 2000 nested calls (unbounded recursion?))")


GOEXIT_COUNT = """
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		runtime.Goexit()
	}()
	wg.Wait()
	fmt.Println(runtime.NumGoroutine())
}
"""


def test_a_goroutine_ended_by_goexit_is_done() -> None:
    """runtime.Goexit runs the deferred calls, then the goroutine ends (goexit0: _Gdead): it no
    longer counts in runtime.NumGoroutine once gone (1), though it may still be counted right after
    its last deferred call (2, as for any exiting goroutine)."""
    m = _model(GOEXIT_COUNT)
    assert exit_outputs(m) == {("1\n", None), ("2\n", None)}
    assert _states(m) == 16


FATAL_TEST = """
package foo

import "testing"

func TestA(t *testing.T) {
	done := make(chan bool)
	go func() {
		<-done
	}()
	t.Fatal("stop")
	done <- true
}
"""


def test_t_fatal_ends_the_test_function_not_the_binary() -> None:
    """testing.T.Fatal calls runtime.Goexit: the test's goroutine ends (tRunner returns, the test
    fails), main is done, and G2, parked on a channel nobody will send on, is left blocked."""
    body = "".join("  " + ln + "\n" if ln else "\n" for ln in FATAL_TEST.strip().splitlines())
    m = build_model(load_spec_text(f"name: t\nentry: TestA\nsource: |\n{body}properties: {PROPS}\n", "t.yaml"))
    r = check(m)
    assert {k: (v.verdict.kind, v.verdict.reason) for k, v in r.results.items()} == {
        "deadlock_free": ("holds", ""), "panic_free": ("violated", "test failed: main.go:10: stop"),
        "race_free": ("holds", ""),
        "terminates": ("violated", "the condition never becomes true (the execution ends here)"),
        "leak_free": ("violated", "G2 blocked forever: no continuation from here unblocks it")}
    assert (r.stats.states, r.stats.transitions) == (7, 8)


