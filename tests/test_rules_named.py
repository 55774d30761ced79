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
    body = "".join("  " + line + "\n" for line in src.strip().splitlines())
    return build_model(load_spec_text(f"name: t\nsource: |\n{body}properties: {props}\n{runtime}", "t.yaml"))


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
    """WG-3: Wait returns at once when the counter is zero and parks otherwise; WG-1: the step that
    brings the counter to zero releases every parked waiter together."""
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
            if before.counter == 1 and after.counter == 0:
                released.append(before.waiters)
                assert after.waiters == ()
                assert all(t.gs[g - 1].status == RUN for g in before.waiters)
            if before.counter == 0:
                assert after.waiters == ()  # nobody parks at zero
    assert sorted(released) == [(), (2,), (2, 3), (3,), (3, 2)]
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


def test_mm25_one_read_never_observes_two_values() -> None:
    """MM-25: a compiler must not reload a local from shared memory, so ``r := x; a = r; b = r``
    gives a == b even while another goroutine writes x (racy); and no write is invented (x is
    only ever 0 or 1)."""
    from models.memory import check_outcomes
    from tests.helpers import sc_finals

    spec = load_spec_text("""name: mm25
source: |
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
properties: [race_free]
outcomes:
  - {when: "a != b", expect: forbidden}
  - {when: "a == 1 && b == 1", expect: allowed}
  - {when: "a == 0 && b == 0", expect: allowed}
  - {when: "a == 2 || x == 2", expect: forbidden}
""", "mm25.yaml")
    res = check_outcomes(spec, sc_finals(spec))
    assert [r.verdict for r in res] == ["forbidden", "allowed", "allowed", "forbidden"]
    assert check(build_model(spec))["race_free"].verdict.kind == "violated"
