"""Channel races as Go's race detector sees them (RD-5, docs/go-semantics.md 4.6).

``chansend`` reads the channel before anything else, ``closechan`` writes it when the close
succeeds, and ``selectgo`` reads the channel of every send case it polls, whichever case it
picks; receives, ``len`` and ``cap`` are no accesses; a waker that did not acquire the sender's
clock (a buffered hand-off, a close) keeps racing its read after the send is over.  Each program below was built with
``go build -race`` (Go 1.19.8) and run 50 times; the comment on each says how many runs
printed "WARNING: DATA RACE".  The model must give the same ``race_free`` verdict, with and
without partial-order reduction (race atoms are visible, `models.por`), and
`test_go_race_detector_agrees` re-runs the programs under ``-race`` (slow).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections import deque

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.check import check
from gocheck.factory import build_model
from gocheck.spec import load_spec_text
from models import ir
from models.memory.trace_events import INCONSISTENT, explain_race
from models.props import racing_accesses
from models.state import WAIT

sys.path.insert(0, os.path.dirname(__file__))
from test_por import differential  # noqa: E402

PROGRAMS: dict[str, str] = {
    # 50/50 runs race (and the sender panics): a parked plain send read the channel before parking
    "plain_send_close": """package main

import "time"

func main() {
	ch := make(chan int)
	go func() { ch <- 1 }()
	time.Sleep(20 * time.Millisecond)
	close(ch)
	time.Sleep(20 * time.Millisecond)
}
""",
    # 50/50: a select with default polls its send case (default taken) and reads the channel
    "select_default_send_close": """package main

import "time"

func main() {
	ch := make(chan int)
	go func() {
		select {
		case ch <- 1:
		default:
		}
	}()
	time.Sleep(20 * time.Millisecond)
	close(ch)
}
""",
    # 50/50: the send case fires into the buffer; nothing orders it before main's close
    "select_chosen_send_close": """package main

import "time"

func main() {
	ch := make(chan int, 1)
	done := make(chan struct{})
	go func() {
		select {
		case ch <- 1:
		case <-done:
		}
	}()
	time.Sleep(20 * time.Millisecond)
	close(ch)
}
""",
    # 50/50: the close comes first; a select that polls the send case first reads the channel
    # before anything could acquire the close (then panics, recovered)
    "close_then_select": """package main

import "time"

func try(ch chan int, done chan struct{}) {
	defer func() { recover() }()
	select {
	case ch <- 1:
	case <-done:
	}
}

func main() {
	ch := make(chan int)
	done := make(chan struct{})
	close(done)
	go func() { close(ch) }()
	time.Sleep(20 * time.Millisecond)
	for i := 0; i < 8; i++ {
		try(ch, done)
	}
}
""",
    # 0/50: the unbuffered rendezvous (racesync) orders the select's read before main's close
    "select_rendezvous_then_close": """package main

func main() {
	ch := make(chan int)
	done := make(chan struct{})
	go func() {
		select {
		case ch <- 1:
		case <-done:
		}
	}()
	<-ch
	close(ch)
	close(done)
}
""",
    # 0/50: len and cap do not touch raceaddr
    "len_cap_close": """package main

import "time"

func main() {
	ch := make(chan int, 2)
	go func() { _ = len(ch) + cap(ch) }()
	go func() { close(ch) }()
	time.Sleep(20 * time.Millisecond)
}
""",
    # 0/50: receives (plain and select cases) are no accesses
    "recv_close": """package main

import "time"

func main() {
	ch := make(chan int)
	done := make(chan struct{})
	go func() {
		select {
		case <-ch:
		case <-done:
		}
	}()
	go func() { <-ch }()
	time.Sleep(20 * time.Millisecond)
	close(done)
	close(ch)
	time.Sleep(20 * time.Millisecond)
}
""",
    # 0/50: the send is ordered after the first close (go statement); the second close panics
    # before its racewritepc, so it writes nothing
    "close_of_closed_is_no_write": """package main

func main() {
	ch := make(chan int)
	close(ch)
	fin := make(chan bool)
	go func() {
		defer func() { recover(); fin <- true }()
		ch <- 1
	}()
	go func() {
		defer func() { recover(); fin <- true }()
		close(ch)
	}()
	<-fin
	<-fin
}
""",
    # 50/50: main's receive moves the parked sender's value into the full buffer (racenotify: main
    # acquires the slot before the sender releases into it), so main is not ordered after the send's
    # read; main closes because len(ch) saw the moved value (World.unsynced: no schedule has the
    # sender still at its send when main closes)
    "buffered_handoff_then_close": """package main

import "time"

func main() {
	ch := make(chan int, 1)
	ch <- 0
	fin := make(chan bool)
	go func() {
		defer func() { recover(); fin <- true }()
		ch <- 1
	}()
	time.Sleep(20 * time.Millisecond)
	<-ch
	if len(ch) == 1 {
		close(ch)
	}
	<-fin
}
""",
    # 50/50: as above, but main learns the buffer is full from a select that takes its default
    # (selectgo's pass 1 reads the send case and acquires nothing)
    "buffered_handoff_try_send_else_close": """package main

import "time"

func main() {
	ch := make(chan int, 1)
	ch <- 0
	fin := make(chan bool)
	go func() {
		defer func() { recover(); fin <- true }()
		ch <- 1
	}()
	time.Sleep(20 * time.Millisecond)
	<-ch
	select {
	case ch <- 2:
	default:
		close(ch)
	}
	<-fin
}
""",
    # 50/50: a buffered send to the parked select's receive case wakes it without racesync
    "buffered_wake_of_select_then_close": """package main

import "time"

func main() {
	ch := make(chan int)
	done := make(chan bool, 1)
	fin := make(chan bool)
	go func() {
		defer func() { recover(); fin <- true }()
		select {
		case ch <- 1:
		case <-done:
		}
	}()
	time.Sleep(20 * time.Millisecond)
	done <- true
	close(ch)
	<-fin
}
""",
    # 0/50: main's second receive takes the moved value, acquiring the slot the sender released
    # into: main is then ordered after the send's read
    "buffered_handoff_then_receive_then_close": """package main

import "time"

func main() {
	ch := make(chan int, 1)
	ch <- 0
	fin := make(chan bool)
	go func() {
		defer func() { recover(); fin <- true }()
		ch <- 1
	}()
	time.Sleep(20 * time.Millisecond)
	<-ch
	<-ch
	close(ch)
	<-fin
}
""",
}

#: name -> (race_free verdict, its trace, full states, states under reduction)
EXPECTED = {
    "plain_send_close": ("violated", (0, 0, 0, 1), 23, 18),
    "select_default_send_close": ("violated", (0, 0, 0, 1), 15, 13),
    "select_chosen_send_close": ("violated", (0, 0, 0, 1), 15, 13),
    "close_then_select": ("violated", (0, 0, 0, 0, 1), 42, 40),
    "select_rendezvous_then_close": ("holds", None, 8, 8),
    "len_cap_close": ("holds", None, 19, 9),
    "recv_close": ("holds", None, 38, 27),
    "close_of_closed_is_no_write": ("holds", None, 31, 29),
    "buffered_handoff_then_close": ("violated", (0, 0, 0, 0, 0, 0, 0, 0), 27, 24),
    "buffered_handoff_try_send_else_close": ("violated", (0, 0, 0, 0, 0, 0, 0, 0), 26, 23),
    "buffered_wake_of_select_then_close": ("violated", (0, 0, 0, 1, 0), 22, 20),
    "buffered_handoff_then_receive_then_close": ("holds", None, 19, 16),
}


def _spec(name: str, src: str):
    text = f"name: {name}\nsource: |\n" + "".join(f"  {line}\n" if line else "\n" for line in src.splitlines()) + \
        "properties: [deadlock_free, panic_free, race_free]\n"
    return load_spec_text(text, name + ".yaml")


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_rd5_race_verdicts_match_go_with_and_without_reduction(name: str) -> None:
    """RD-5: the verdicts Go's race detector gives, found under reduction too (C2 keeps the race atoms)."""
    full, red = differential(_spec(name, PROGRAMS[name]))
    verdict, path, states, reduced = EXPECTED[name]
    assert full["race_free"].verdict.kind == red["race_free"].verdict.kind == verdict
    assert full["race_free"].path == path
    assert (full.stats.states, red.stats.states) == (states, reduced)


def test_rd5_a_waker_that_never_synchronized_races_the_woken_sender() -> None:
    """RD-5: after a receive moved the parked sender's value into the buffer, the sender has moved
    on, but the receiver never acquired its clock: its close races the send's read.  The record
    (``World.unsynced``) names the send, and the explanation's happens-before agrees."""
    spec = _spec("buffered_handoff_then_close", PROGRAMS["buffered_handoff_then_close"])
    model = build_model(spec)
    r = check(model, "bfs")
    assert r["race_free"].verdict.reason == (
        "data race on channel ch: G2 read it in its send at main.go:11 (ch <- 1), then G1 woke G2 without "
        "synchronizing (a hand-off through the buffer or a close does not order the waker after the sender) "
        "and closes it at main.go:16 (close(ch)) (a close must be synchronized with every send)")
    text = explain_race(model, r["race_free"].path)
    assert not text.startswith(INCONSISTENT)
    assert "G1 woke it without acquiring its clock and has not synchronized since" in text


def _path_to(model, pred) -> tuple[int, ...]:
    """The breadth-first path (initial index, then action indices) to the first state satisfying `pred`."""
    init = model.init_states()
    q = deque((s, (i,)) for i, s in enumerate(init))
    seen = set(init)
    while q:
        s, p = q.popleft()
        if pred(s):
            return p
        for k, a in enumerate(model.actions(s)):
            t = model.next_state(s, a)
            if t not in seen:
                seen.add(t)
                q.append((t, p + (k,)))
    raise AssertionError("no such state")


def test_rd5_a_parked_send_still_races_a_close() -> None:
    """RD-5: a sender parked on the channel made its read before parking and has released nothing
    since, so an unordered close races it; the explanation says the read was made when it parked."""
    model = build_model(_spec("plain_send_close", PROGRAMS["plain_send_close"]))
    m = model.interp

    def parked_and_closing(w) -> bool:
        return any(g.status == WAIT and g.wait[:1] == ("chan send",) for g in w.gs) and \
            any(g.frames and type(m.instr_of(g)) is ir.Close for g in w.gs if g.status != WAIT)

    path = _path_to(model, parked_and_closing)
    s = model.init_states()[path[0]]
    for k in path[1:]:
        s = model.next_state(s, model.actions(s)[k])
    a, b = racing_accesses(m, s)
    assert (a.gid, a.parked, a.write, b.gid, b.write) == (2, True, False, 1, True)
    text = explain_race(model, path)
    assert not text.startswith(INCONSISTENT)
    assert "G2 made its read when it parked in the send and has done nothing since" in text
    from models.props import races
    assert races(m, s) == ("data race on channel ch: G2 is parked sending on it at main.go:7 "
                           "(go func() { ch <- 1 }()) and G1 closes it at main.go:9 (close(ch)) "
                           "(a close must be synchronized with every send)")


# ---------------------------------------------------------------- random programs: reduced vs full

_OPS = ["ch <- 1", "close(ch)", "close(ch)", "<-ch", "_ = len(ch)", "close(done)", "<-done",
        "select {{\n\t\tcase ch <- {k}:\n\t\tcase <-done:\n\t\t}}",
        "select {{\n\t\tcase ch <- {k}:\n\t\tdefault:\n\t\t}}",
        "select {{\n\t\tcase v := <-ch:\n\t\t\t_ = v\n\t\tcase <-done:\n\t\t}}"]


@st.composite
def chan_programs(draw: st.DrawFn) -> str:
    gos = []
    for _ in range(2):
        body = ["defer func() { recover() }()"]
        for _ in range(draw(st.integers(1, 3))):
            body.append(draw(st.sampled_from(_OPS)).format(k=draw(st.integers(1, 2))))
        gos.append("\tgo func() {\n" + "".join(f"\t\t{s}\n" for s in body) + "\t}()\n")
    tail = draw(st.sampled_from(["", "\tclose(ch)\n", "\t<-ch\n", "\tclose(done)\n\tclose(ch)\n",
                                 "\tclose(done)\n\t<-ch\n\tclose(ch)\n"]))
    cap = draw(st.sampled_from([0, 1]))
    return ("package main\n\nfunc main() {\n"
            f"\tch := make(chan int, {cap})\n\tdone := make(chan struct{{}})\n\t_ = done\n"
            f"{''.join(gos)}{tail}}}\n")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chan_programs())
def test_random_channel_programs_reduce_without_losing_races(src: str) -> None:
    """Sends, selects with send cases, closes, receives and len: reduction and full exploration agree
    on race_free (and the other safety verdicts), and a race found under reduction replays."""
    differential(_spec("random_chan", src))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("go") is None, reason="the go toolchain is not on PATH")
def test_go_race_detector_agrees() -> None:
    """RD-5 against the toolchain: each program built with -race and run 4 times; a program the model
    proves race-free is never reported, a racy one is reported in some run (these are racy in
    every schedule the sleeps produce: 50 of 50 runs when measured)."""
    env = dict(os.environ, GOFLAGS="-mod=mod", GORACE="halt_on_error=0",
               GOCACHE=os.environ.get("GOCACHE", os.path.join(tempfile.gettempdir(), "gocheck-gocache")))
    got = {}
    with tempfile.TemporaryDirectory() as root:
        for name, src in PROGRAMS.items():
            d = os.path.join(root, name)
            os.makedirs(d)
            with open(os.path.join(d, "go.mod"), "w") as f:
                f.write(f"module {name}\n\ngo 1.19\n")
            with open(os.path.join(d, "main.go"), "w") as f:
                f.write(src)
            b = subprocess.run(["go", "build", "-race", "-o", "prog", "."], cwd=d, env=env, capture_output=True,
                               text=True, timeout=300)
            if b.returncode != 0 and "-race requires cgo" in b.stderr:
                pytest.skip("the race detector needs cgo")
            assert b.returncode == 0, b.stderr
            runs = [subprocess.run(["./prog"], cwd=d, env=env, capture_output=True, text=True, timeout=60)
                    for _ in range(4)]
            got[name] = "violated" if any("WARNING: DATA RACE" in r.stderr for r in runs) else "holds"
    assert got == {n: e[0] for n, e in EXPECTED.items()}


def test_check_finds_the_select_race_by_default() -> None:
    """The default check (reduction on: only safety properties) reports the select race."""
    r = check(build_model(_spec("select_default_send_close", PROGRAMS["select_default_send_close"])), reduce=True)
    assert r["race_free"].verdict.kind == "violated"
    assert r["race_free"].verdict.reason.startswith(
        "data race on channel ch: G2 selects with a send case on it at main.go:8 (select {) and G1 closes it "
        "at main.go:14 (close(ch))")


def test_rd5_heap_collection_renumbers_unsynced_records() -> None:
    """`models.heapgc.collect` keeps `World.unsynced` in step with the renumbered heap, and drops a
    record of a channel nobody reaches (nobody can close it any more)."""
    from models.heapgc import collect
    from models.state import Chan, Data, Frame, G, World

    w = World((G(1, (Frame("main", 0, (ir.Ref(2),), ()),)),), (Data(((0, 0),)), Chan(0, ()), Chan(0, ())),
              unsynced=((2, 2, 1, None), (1, 2, 1, None)))
    got = collect((), w)
    assert got.heap == (Chan(0, ()),) and got.unsynced == ((0, 2, 1, None),)
