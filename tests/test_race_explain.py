"""Race counterexamples explain themselves: the happens-before events along a
BFS path (`models.memory.trace_events.events_along`) and the explanation of
the race at its end (`explain_race`)."""

from __future__ import annotations

import glob
import os
import re
from functools import lru_cache

import pytest

from checker.check import check
from checker.model import Property
from checker.trace import replay
from gocheck.factory import build_model
from gocheck.spec import load_spec, load_spec_text
from models import props
from models.memory.hb import ACCESS_KINDS, Event, HappensBefore, races
from models.memory.trace_events import (
    INCONSISTENT,
    events_along,
    explain_events,
    explain_race,
    step_events,
)

SPECS = os.path.join(os.path.dirname(__file__), "..", "specs")
RACY_LITMUS = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(SPECS, "litmus", "*.yaml"))
                     if load_spec(p, compile=False).expected("race_free") == "violated")

MUTEX_ONE_SIDE = """\
name: mutex_one_side
about: 'Bug: the goroutine writes x under mu, main writes it without the lock.'
source: |
  package main

  import "sync"

  var mu sync.Mutex
  var x int

  func main() {
      done := make(chan bool)
      go func() {
          mu.Lock()
          x = 1
          mu.Unlock()
          done <- true
      }()
      x = 2
      <-done
  }
properties: [race_free]
expect: {race_free: violated}
"""

HANDOFF = """\
name: handoff
source: |
  package main

  import "sync"

  var mu sync.Mutex
  var x int

  func main() {
      c := make(chan int)
      d := make(chan int, 1)
      go func() {
          x = 1
          c <- 1
          mu.Lock()
          x = 3
          mu.Unlock()
          d <- 2
      }()
      <-c
      mu.Lock()
      x = 2
      mu.Unlock()
      select {
      case <-d:
      }
      x = 5
  }
properties: [race_free]
expect: {race_free: holds}
"""


@lru_cache(maxsize=None)
def _model(name: str):  # type: ignore[no-untyped-def]
    if name == "mutex_one_side":
        return build_model(load_spec_text(MUTEX_ONE_SIDE))
    if name == "handoff":
        return build_model(load_spec_text(HANDOFF))
    return build_model(load_spec(os.path.join(SPECS, name + ".yaml")))


def _race_path(name: str) -> tuple[int, ...]:
    r = check(_model(name))["race_free"]
    assert r.path is not None, f"{name}: race_free is not violated"
    return r.path


def _all_paths(name: str) -> list[list[int]]:
    """The BFS path to every reachable state (deepest first)."""
    r = check(_model(name), properties=[Property.always("any", lambda s: True)])
    order = sorted(range(len(r.states)), key=lambda i: -r.depth[i])
    return [r.path_to(i) for i in order]


# --------------------------------------------------------------------------- explanations (exact text)

RACY_COUNTER = (
    "data race on counter: G2's write at main.go:15 (counter++) and G3's read at main.go:15 (counter++) are not "
    "ordered by happens-before (both are the next steps of their goroutines at the end of the trace):\n"
    "- G2's write is not ordered before G3's read: no event of G2 happens before G3's read at line 15 (G2 is started "
    "by G1's go statement at line 13); G2 performs no synchronization with G3 before its write at line 15\n"
    "- G3's read is not ordered before G2's write: no event of G3 happens before G2's write at line 15 (G3 is started "
    "by G1's go statement at line 13); G3 performs no synchronization with G2 before its read at line 15")

L13 = (
    "data race on a: G1's read at main.go:9 (r = a) and G2's write at main.go:7 (a = 1) are not ordered by "
    "happens-before (both are the next steps of their goroutines at the end of the trace):\n"
    "- G1's read is not ordered before G2's write: G2 is started by G1's go statement at line 6, after which G1 "
    "performs no synchronization with G2 before its read at line 9\n"
    "- G2's write is not ordered before G1's read: no event of G2 happens before G1's read at line 9 (G2 is started "
    "by G1's go statement at line 6); G2 performs no synchronization with G1 before its write at line 7")

L3B = (
    "data race on a: G1's read at main.go:18 (r = a) and G2's write at main.go:13 (a = 1) are not ordered by "
    "happens-before (both are the next steps of their goroutines at the end of the trace):\n"
    "- G1's read is not ordered before G2's write: G2 is started by G1's go statement at line 12; G1's later send "
    "on c at line 17 is not acquired by G2 before line 13 (G2 would need a receive from c first)\n"
    "- G2's write is not ordered before G1's read: no event of G2 happens before G1's read at line 18 (G2 is started "
    "by G1's go statement at line 12); G2 performs no synchronization with G1 before its write at line 13")

L7 = (
    "data race on done: G1's write at main.go:19 (done = true) and G2's read at main.go:13 (for !done {) are not "
    "ordered by happens-before (both are the next steps of their goroutines at the end of the trace):\n"
    "- G1's write is not ordered before G2's read: G2 is started by G1's go statement at line 12, after which G1 "
    "performs no synchronization with G2 before its write at line 19\n"
    "- G2's read is not ordered before G1's write: no event of G2 happens before G1's write at line 19 (G2 is started "
    "by G1's go statement at line 12); G2 performs no synchronization with G1 before its read at line 13")

WG_MISUSE = (
    "data race on WaitGroup wg: G2's wg.Add at main.go:14 (wg.Add(1)) and G1's wg.Wait at main.go:21 (wg.Wait()) "
    "are not ordered by happens-before (both are the next steps of their goroutines at the end of the trace):\n"
    "- G2's wg.Add is not ordered before G1's wg.Wait: no event of G2 happens before G1's wg.Wait at line 21 (G2 is "
    "started by G1's go statement at line 13); G2 performs no synchronization with G1 before its wg.Add at line 14\n"
    "- G1's wg.Wait is not ordered before G2's wg.Add: G2 is started by G1's go statement at line 13, after which G1 "
    "performs no synchronization with G2 before its wg.Wait at line 21\n"
    "- Go's race detector treats an Add from zero as a write of the WaitGroup and Wait as a read: Add must happen "
    "before Wait (call it before the go statement)")

MUTEX = (
    "data race on x: G1's write at main.go:16 (x = 2) and G2's write at main.go:12 (x = 1) are not ordered by "
    "happens-before (both are the next steps of their goroutines at the end of the trace):\n"
    "- G1's write is not ordered before G2's write: G2 is started by G1's go statement at line 10, after which G1 "
    "performs no synchronization with G2 before its write at line 16\n"
    "- G2's write is not ordered before G1's write: no event of G2 happens before G1's write at line 16 (G2 is "
    "started by G1's go statement at line 10); G2 performs no synchronization with G1 before its write at line 12\n"
    "- G1 holds no lock and G2 holds mu (locked at line 11): a mutex orders two accesses only when both are made "
    "while holding it")


@pytest.mark.parametrize("name, text", [("racy_counter", RACY_COUNTER), ("litmus/L13", L13), ("litmus/L3b", L3B),
                                        ("litmus/L7", L7), ("mutex_one_side", MUTEX)])
def test_explanation_text(name: str, text: str) -> None:
    assert explain_race(_model(name), _race_path(name)) == text


def test_wg_misuse_explains_add_racing_wait() -> None:
    r = check(_model("wg_misuse"))["race_free"]
    if r.path is None:
        pytest.skip("wg_misuse does not report race_free violated")
    assert explain_race(_model("wg_misuse"), r.path) == WG_MISUSE


@pytest.mark.parametrize("name", RACY_LITMUS)
def test_racy_litmus_explained(name: str) -> None:
    """Every racy litmus program's BFS race: hb agrees, on the same variable and goroutines."""
    m = _model("litmus/" + name)
    path = _race_path("litmus/" + name)
    text = explain_race(m, path)
    assert not text.startswith(INCONSISTENT), text
    reason = props.races(m.interp, replay(m, path)[0][-1])
    assert isinstance(reason, str)
    head, *lines = text.splitlines()
    var = reason.split(":")[0]
    assert head.startswith(var + ": ") and head.endswith(
        "are not ordered by happens-before (both are the next steps of their goroutines at the end of the trace):")
    gs = sorted(re.findall(r"\bG(\d+) (?:reads|writes)", reason))
    assert len(gs) == 2 and sorted(re.findall(r"\bG(\d+)'s", head)) == gs
    assert len(lines) == 2 and all(ln.startswith("- ") for ln in lines)
    for g, other, ln in ((gs[0], gs[1], lines[0]), (gs[1], gs[0], lines[1])):
        assert re.search(rf"G{g}'s \w+ is not ordered before G{other}'s \w+: ", ln), ln


@pytest.mark.parametrize("name", ["racy_counter", "wg_misuse", "mutex_one_side"] + ["litmus/" + n for n in RACY_LITMUS])
def test_every_racy_state_is_explained_consistently(name: str) -> None:
    """In every reachable state where the model sees a race, hb agrees it is one."""
    m = _model(name)
    r = check(m, properties=[Property.always("any", lambda s: True)])
    seen = 0
    for i, s in enumerate(r.states):
        if props.races(m.interp, s) is not True:
            seen += 1
            text = explain_race(m, r.path_to(i))
            assert text.startswith("data race on "), text
    assert seen


def test_ordered_accesses_are_reported_as_inconsistent() -> None:
    """If hb orders the two accesses, the explanation says the model and hb disagree."""
    evs = [Event(1, "start"), Event(1, "go", line=3, arg=2), Event(2, "start", line=3)]
    text = explain_events(evs, Event(1, "write", "x", 4, "x"), Event(1, "read", "x", 5, "x"))
    assert text.startswith(INCONSISTENT)
    assert "G1's write at line 4 happens before G1's read at line 5" in text
    # two atomics never race either
    text = explain_events(evs, Event(1, "atomic_write", "x", 4, "x"), Event(2, "atomic_read", "x", 9, "x"))
    assert text.startswith(INCONSISTENT)
    # the same accesses in different goroutines do race
    text = explain_events(evs, Event(1, "write", "x", 4, "x"), Event(2, "read", "x", 9, "x"))
    assert text.startswith("data race on x: G1's write at main.go:4 and G2's read at main.go:9")


def test_non_racy_end_state() -> None:
    m = _model("counter_mutex")
    assert explain_race(m, _all_paths("counter_mutex")[0]).startswith("no race:")


# --------------------------------------------------------------------------- events along paths


def _unordered_conflicts(events: list[Event]) -> list[tuple[Event, Event]]:
    """Every pair of conflicting accesses (one a plain write) not ordered by hb."""
    h = HappensBefore()
    for e in events:
        h.step(e)
    acc = [i for i, e in enumerate(h.events) if e.kind in ACCESS_KINDS]
    out = []
    for x, i in enumerate(acc):
        for j in acc[x + 1:]:
            a, b = h.events[i], h.events[j]
            if a.obj == b.obj and a.g != b.g and (a.is_write or b.is_write) and not (a.is_atomic and b.is_atomic) \
                    and not h.hb(i, j):
                out.append((a, b))
    return out


def test_counter_mutex_deepest_paths_have_no_false_race() -> None:
    paths = _all_paths("counter_mutex")
    depth = len(paths[0])
    assert depth >= 15
    for p in paths[:10]:
        ev = events_along(_model("counter_mutex"), p)
        kinds = [e.kind for e in ev]
        assert kinds.count("write") >= 3 and "lock" in kinds
        assert _unordered_conflicts(ev) == []
        assert races(ev) == []


#: Race-free programs whose plain accesses are ordered only by synchronization
#: (dropping the sync events from their sequences exposes races): the events matter.
SYNC_ORDERED = ["counter_mutex", "handoff", "wg_fixed", "cond_fixed", "litmus/L1", "litmus/L2", "litmus/L3a",
                "litmus/L4", "litmus/L5", "litmus/L6", "litmus/L18", "litmus/L19"]
OTHER_RACE_FREE = ["ch_fifo", "once_do", "rlock_fixed", "fan_in", "worker_pool", "mutex_starvation_fixed",
                   "pipeline_backpressure", "ctx_pipeline", "select_default", "ch_close_wakes_all", "double_close_fixed",
                   "litmus/L8", "litmus/L9", "litmus/L10", "litmus/L14", "litmus/L21"]


@pytest.mark.parametrize("name", SYNC_ORDERED + OTHER_RACE_FREE)
def test_race_free_specs_have_no_false_race_on_any_path(name: str) -> None:
    unsynced = 0
    for p in _all_paths(name)[:400]:
        ev = events_along(_model(name), p)
        assert races(ev) == [], p
        bare = [e for e in ev if e.kind in ACCESS_KINDS or e.kind in ("go", "start")]
        unsynced += bool(races(bare))
    assert bool(unsynced) == (name in SYNC_ORDERED)


def test_events_of_counter_mutex_path() -> None:
    """Lock events alternate with unlocks (a lock is an event when granted),
    and Wait returns after both Dones."""
    m = _model("counter_mutex")
    for p in _all_paths("counter_mutex")[:40]:
        ev = events_along(m, p)
        held = None
        for e in ev:
            if e.kind == "lock":
                assert held is None, (p, ev)
                held = e.g
            elif e.kind == "unlock":
                assert held == e.g
                held = None
        kinds = [e.kind for e in ev]
        if "wg_wait_return" in kinds:
            assert kinds[:kinds.index("wg_wait_return")].count("wg_done") == 2
        gos = [e for e in ev if e.kind == "go"]
        for g in gos:
            assert ev[ev.index(g) + 1] == Event(g.arg, "start", None, g.line, f"G{g.arg}")


def test_unbuffered_handoff_is_adjacent() -> None:
    """Whoever blocks first, an unbuffered send is immediately followed by its recv."""
    m = _model("handoff")
    both = set()
    for p in _all_paths("handoff"):
        ev = events_along(m, p)
        for i, e in enumerate(ev):
            if e.kind == "recv" and e.arg == 0:
                assert ev[i - 1].kind == "send" and ev[i - 1].obj == e.obj and ev[i - 1].g != e.g, ev
        sends = [i for i, e in enumerate(ev) if e.kind == "send" and e.arg == 0]
        if sends:
            both.add(tuple(e.g for e in ev[sends[0]:sends[0] + 2]))
        locks = [e.kind for e in ev if e.kind in ("lock", "unlock")]
        assert locks == ["lock", "unlock", "lock", "unlock"][:len(locks)]
    assert both == {(2, 1)}


def test_handoff_events_exact() -> None:
    """The full event sequence of one complete run of the hand-off program."""
    m = _model("handoff")
    deepest = _all_paths("handoff")[0]
    ev = events_along(m, deepest)
    sync = [(e.g, e.kind, e.name, e.line) for e in ev if e.kind not in ("read", "write", "start")]
    assert sync[0] == (1, "go", "G2", 11)
    assert (2, "send", "c", 13) in sync and (1, "recv", "c", 19) in sync
    assert sync.index((2, "send", "c", 13)) + 1 == sync.index((1, "recv", "c", 19))
    assert (2, "send", "d", 17) in sync and (1, "recv", "d", 23) in sync
    assert sorted(e.line for e in ev if e.kind == "write" and e.name == "x") == [12, 15, 21, 26]


def test_handoffs_happen_at_the_completing_step() -> None:
    """A parked receiver's recv is emitted at its partner's step, right after the send,
    whether the receiver (plain or in a select) or the sender blocked first."""
    m = _model("handoff")
    actors: dict[str, set[int]] = {"c": set(), "d": set()}
    r = check(m, properties=[Property.always("any", lambda s: True)])
    for s in r.states:
        for a in m.actions(s):
            ev = step_events(m, s, a)
            for i, e in enumerate(ev):
                if e.kind == "recv":
                    actors[e.name].add(a[1])
                    if e.g != a[1]:  # completed by the partner: adjacent to its send
                        assert ev[i - 1] == Event(a[1], "send", e.obj, ev[i - 1].line, e.name, e.arg)
    assert actors == {"c": {1, 2}, "d": {1, 2}}
