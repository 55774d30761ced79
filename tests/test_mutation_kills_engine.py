"""Tests written to kill mutants of the search engine (checker/explore.py) that survived
benchmarks/mutation.py (reports/mutation.md).

Each pins an exact fact of a search on a small hand-made model: which states it finds and in what
order, how many transitions, its depth, where a bound, a timeout or the memory cap stops it (with a
fake clock and a fake resident size, so the stop is exact), the verdicts and their reasons, the state
graph it keeps for liveness, and what the random simulation does with a seed.  A bound, a timeout or
a reduction never becomes ``holds`` (docs/architecture.md).
"""

from __future__ import annotations

import io
import os
import sys
from typing import Any

import pytest

import checker.explore as ex
from checker.check import check
from checker.explore import explore
from checker.files import MIB
from checker.model import Property
from checker.reduce import NOT_PRESERVED
from tests.helpers import TableModel as _Table


class _Line:
    """0 -> 1 -> 2 -> ...: one action a state, up to `end` (None: forever)."""

    def __init__(self, end: int | None = None, props: list[Property] | None = None):
        self.end, self.props = end, props or []

    def init_states(self) -> list[int]:
        return [0]

    def actions(self, s: int) -> list[str]:
        return [] if self.end is not None and s >= self.end else ["next"]

    def next_state(self, s: int, a: str) -> int:
        return s + 1

    def properties(self) -> list[Property]:
        return self.props


class _Counter:
    """The module's doctest: 0..4, +1 or +2 (capped at 4); five states, eight transitions."""

    def init_states(self) -> list[int]:
        return [0]

    def actions(self, s: int) -> list[int]:
        return [1, 2] if s < 4 else []

    def next_state(self, s: int, a: int) -> int:
        return min(s + a, 4)

    def properties(self) -> list[Property]:
        return [Property.always("below 4", lambda s: s < 4)]


class _Branchy:
    """From s < 20: ``up`` (s + 1) or ``stop`` (s + 100, a proper end); 20 is a deadlock.  Random
    walks differ in length, so what a seed finds is particular to it."""

    def init_states(self) -> list[int]:
        return [0]

    def actions(self, s: int) -> list[str]:
        return ["up", "stop"] if s < 20 else []

    def next_state(self, s: int, a: str) -> int:
        return s + 1 if a == "up" else s + 100

    def properties(self) -> list[Property]:
        return [Property.deadlock_free("deadlock_free", lambda s: s >= 100),
                Property.always("small", lambda s: s < 1000), Property.sometimes("ends", lambda s: s >= 100)]


class _Clock:
    """A stand-in for the `time` module: monotonic() is 100, 100 + tick, 100 + 2 tick, ..."""

    def __init__(self, tick: float = 1.0) -> None:
        self.tick, self.now = tick, 100.0 - tick

    def monotonic(self) -> float:
        self.now += self.tick
        return self.now


#: Ample sets at 1 ({x, x2}), 2 ({u}) and 3 ({p}); see test_reduction_and_its_cycle_proviso.
_POR: dict[int, list[tuple[str, int, str | None]]] = {
    0: [("a", 1, None), ("b", 2, None)],
    1: [("x", 3, None), ("x2", 6, None), ("y", 4, None)],
    2: [("u", 3, None), ("v", 5, None)],
    3: [("p", 6, None), ("q", 7, None)],
}
_AMPLE = {1: [0, 1], 2: [0], 3: [0]}



class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


# ---------------------------------------------------------------- the search itself


def test_the_default_search_is_bfs_over_the_models_own_properties() -> None:
    """With no arguments: breadth-first (the shortest counterexample, 0 -> 2 -> 4), the model's
    properties, depth 2 (4 is two steps from 0), a complete search with no stop reason and no state
    graph (no liveness property needs one)."""
    r = explore(_Counter())
    st = r.stats
    assert (st.states, st.transitions, st.depth, st.strategy, st.complete, st.stop_reason) == (5, 8, 2, "bfs", True, "")
    assert (str(r["below 4"].verdict), r["below 4"].path, r["below 4"].prop.name) == ("violated", (0, 1, 1), "below 4")
    assert r.states == [0, 1, 2, 3, 4] and list(r.depth) == [0, 1, 1, 2, 2] and list(r.parent) == [-1, 0, 0, 1, 2]
    assert r.graph is None
    assert st.peak_mb > 1.0  # this process's peak resident size, in MiB


def test_bfs_and_dfs_frontiers_over_several_initial_states() -> None:
    """Initial states are numbered first, in order; bfs then expands 10, 20, 11 (first in, first
    out), dfs expands 10 first and follows it down to 12 before 20 (last in, first out)."""
    m = _Table({10: [("a", 11, None)], 11: [("a", 12, None)], 20: [("a", 21, None)]}, inits=(10, 20))
    assert explore(m, "bfs").states == [10, 20, 11, 21, 12]
    d = explore(m, "dfs")
    assert d.states == [10, 20, 11, 12, 21]
    assert (d.stats.states, d.stats.transitions, d.stats.depth, d.stats.strategy) == (5, 3, 2, "dfs")


def test_a_depth_bound_drops_deeper_states_but_counts_every_transition() -> None:
    """max_depth 1: 1 and 2 are kept; the edges out of them (to 3, twice, and back to 0) are taken
    and counted, 3 is not kept; nothing is proved."""
    edges: dict[int, list[tuple[str, int, str | None]]] = {
        0: [("a", 1, None), ("b", 2, None)], 1: [("a", 3, None), ("b", 0, None)], 2: [("a", 3, None)]}
    r = explore(_Table(edges, [Property.always("ok", lambda s: True)]), max_depth=1)
    assert (r.stats.states, r.stats.transitions, r.stats.complete, r.stats.stop_reason) == (3, 5, False,
                                                                                            "max_depth 1 reached")
    assert r["ok"].verdict.kind == "unknown" and r["ok"].verdict.reason == "max_depth 1 reached"
    # With a liveness property the cut edges stay in the graph as target -1; the property is unknown.
    live = Property.eventually("ends", lambda s: s == 3, "none")
    g = explore(_Table(edges, [live]), max_depth=1)
    assert g.graph is not None and list(g.graph.target) == [1, 2, -1, 0, -1]
    assert (g["ends"].verdict.kind, g["ends"].verdict.reason, g["ends"].prop.name) == (
        "unknown", "max_depth 1 reached", "ends")


def test_a_state_bound_stops_at_exactly_max_states() -> None:
    """max_states 3: the search stops once the table holds 3 states (0 and its two successors); the
    kept graph lists no edge for the states it did not expand."""
    edges: dict[int, list[tuple[str, int, str | None]]] = {
        0: [("a", 1, None), ("b", 2, None)], 1: [("a", 3, None)], 2: [("a", 3, None)]}
    live = Property.eventually("ends", lambda s: s == 3, "none")
    r = explore(_Table(edges, [live]), max_states=3)
    assert (r.stats.states, r.stats.transitions, r.stats.stop_reason) == (3, 2, "max_states 3 reached")
    assert r["ends"].verdict.reason == "max_states 3 reached"
    g = r.graph
    assert g is not None
    assert (list(g.estart), list(g.ecount), list(g.target), g.enabled) == ([0, -1, -1], [2, 0, 0], [1, 2], [0, 0, 0])


def test_the_state_graph_numbers_fairness_groups_in_order_of_discovery() -> None:
    """The graph liveness reads: edges of each state in action order, groups numbered as first seen
    (A = 0, B = 1, A again = 0), -1 for an edge in no group, and a mask of the groups enabled in each
    state.  Under weak fairness the spin at 0 (in no group) leaves B always enabled and never taken,
    so it is unfair and every fair run reaches 1: the ungrouped edge must not count as taking B."""
    edges: dict[int, list[tuple[str, int, str | None]]] = {
        0: [("a", 0, "A"), ("b", 1, "B"), ("spin", 0, None)], 1: [("a", 1, "A")]}
    prop = Property.eventually("reaches 1", lambda s: s == 1, "weak")
    r = explore(_Table(edges, [prop]))
    g = r.graph
    assert g is not None
    assert (list(g.estart), list(g.ecount), list(g.target), list(g.action), list(g.group), g.enabled, g.groups) == (
        [0, 3], [3, 1], [0, 1, 0, 1], [0, 1, 2, 0], [0, 1, -1, 0], [0b11, 0b01], ["A", "B"])
    assert check(_Table(edges, [prop]))["reaches 1"].verdict.kind == "holds"


def test_every_safety_property_is_checked_in_every_state() -> None:
    """Two invariants broken at different depths are both reported, each with its shortest path; a
    ``sometimes`` reached records its witness path, one never reached is violated; a deadlock whose
    condition gives no reason says "no action is enabled"."""
    a, b = Property.always("a", lambda s: s < 2), Property.always("b", lambda s: s < 4)
    seen, never = Property.sometimes("three", lambda s: s == 3), Property.sometimes("never", lambda s: s == 99)
    dl = Property.deadlock_free("dl", lambda s: False)
    r = explore(_Line(5, [a, b, seen, never, dl]))
    got = {n: (r[n].prop.name, str(r[n].verdict), r[n].path) for n in ("a", "b", "three", "never", "dl")}
    assert got == {"a": ("a", "violated", (0, 0, 0)), "b": ("b", "violated", (0, 0, 0, 0, 0)),
                   "three": ("three", "holds", (0, 0, 0, 0)), "never": ("never", "violated (never reached)", None),
                   "dl": ("dl", "violated (no action is enabled)", (0, 0, 0, 0, 0, 0))}
    ok = explore(_Line(2, [Property.always("fine", lambda s: True)]))
    assert (ok["fine"].prop.name, ok["fine"].verdict.kind) == ("fine", "holds")


def test_stop_early_once_every_safety_property_is_decided() -> None:
    """stop_early: the search ends right after the expansion that decides the last safety property
    (the invariant broken at 3, found while expanding 2; the deadlock at 1), not before, not after."""
    r = explore(_Line(10, [Property.always("below 3", lambda s: s < 3)]), stop_early=True)
    assert (r.stats.states, r.stats.stop_reason) == (4, "stopped early: every safety property is decided")
    edges: dict[int, list[tuple[str, int, str | None]]] = {
        0: [("a", 1, None), ("b", 2, None)], **{k: [("a", k + 1, None)] for k in range(2, 10)}}
    d = explore(_Table(edges, [Property.deadlock_free("dl", lambda s: s == 10)]), stop_early=True)
    assert (d.stats.states, d["dl"].path, d.stats.stop_reason) == (
        3, (0, 0), "stopped early: every safety property is decided")
    full = explore(_Line(10, [Property.always("below 3", lambda s: s < 3)]))
    assert (full.stats.states, full.stats.stop_reason) == (11, "")


# ---------------------------------------------------------------- timeouts and the memory cap


def test_the_deadline_is_looked_at_every_256_expansions(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a clock that ticks one second a call and a 1 s timeout (start 100, deadline 101): the
    look after 256 expansions reads 101 (not past), the one after 512 reads 102 and stops; the
    search took 103 - 100 = 3 s by that clock."""
    monkeypatch.setattr(ex, "time", _Clock())
    r = explore(_Line(), timeout_s=1.0, max_memory_mb=1 << 40)
    st = r.stats
    assert (st.states, st.transitions, st.stop_reason, st.seconds) == (513, 512, "timeout 1s reached", 3.0)


def test_random_walks_look_at_the_deadline_after_each_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same clock in random simulation: after walk 1 it reads 101 (not past), after walk 2 it
    reads 102 and stops: two walks of 3 steps."""
    monkeypatch.setattr(ex, "time", _Clock())
    r = explore(_Line(), "random", walks=5, max_depth=3, timeout_s=1.0, max_memory_mb=1 << 40)
    assert (r.stats.transitions, r.stats.states, r.stats.stop_reason, r.stats.seconds) == (6, 4, "timeout reached", 3.0)


def test_the_memory_cap_is_looked_at_every_128_expansions(monkeypatch: pytest.MonkeyPatch) -> None:
    """A resident size of 200 MiB over a 100 MiB cap stops the search at the 128th expansion; at
    exactly the cap it runs on (to the state bound).  Random walks look after each walk."""
    monkeypatch.setattr(ex, "current_rss_mb", lambda: 200.0)
    r = explore(_Line(), max_states=1000, max_memory_mb=100)
    assert (r.stats.states, r.stats.stop_reason) == (129, "max_memory_mb 100 reached")
    w = explore(_Line(), "random", walks=4, max_depth=2, max_memory_mb=100)
    assert (w.stats.transitions, w.stats.stop_reason) == (2, "max_memory_mb 100 reached")
    monkeypatch.setattr(ex, "current_rss_mb", lambda: 100.0)
    r = explore(_Line(), max_states=1000, max_memory_mb=100)
    assert (r.stats.states, r.stats.stop_reason) == (1000, "max_states 1000 reached")
    w = explore(_Line(), "random", walks=4, max_depth=2, max_memory_mb=100)
    assert (w.stats.transitions, w.stats.stop_reason) == (8, "")


def test_memory_figures_in_mib() -> None:
    """Peak: ru_maxrss is in KiB on Linux; now: /proc/self/statm's second field (resident pages);
    the default cap: three quarters of physical memory (/proc/meminfo's MemTotal)."""

    class _Usage:
        ru_maxrss = 2048

    class _Resource:
        RUSAGE_SELF = 0

        @staticmethod
        def getrusage(who: int) -> _Usage:
            return _Usage()

    mp = pytest.MonkeyPatch()
    with mp.context() as m:
        m.setattr(ex, "resource", _Resource())
        assert ex.peak_memory_mb() == 2.0
    with mp.context() as m:
        m.setattr(ex, "peak_memory_mb", lambda: -1.0)  # the fallback, were /proc not read
        with open("/proc/self/statm") as f:
            size, resident, shared = (int(x) for x in f.read().split()[:3])
        page_mb = os.sysconf("SC_PAGE_SIZE") / MIB
        assert (resident - shared) * page_mb > 4  # the fields differ enough to tell apart
        assert abs(ex.current_rss_mb() - resident * page_mb) < 2
    with open("/proc/meminfo") as f:
        total_kb = next(int(line.split()[1]) for line in f if line.startswith("MemTotal:"))
    assert ex.memory_limit_mb(None) == ex.memory_limit_mb(0) == pytest.approx(total_kb / 1024 * 0.75, rel=1e-9)
    assert ex.memory_limit_mb(512) == 512.0


# ---------------------------------------------------------------- random simulation


def test_random_walks_take_exactly_max_depth_steps() -> None:
    """On an endless line every walk takes max_depth steps and finds the same states: 4 walks of 3
    steps are 12 transitions and 4 states; the default is 1000 walks."""
    r = explore(_Line(), "random", walks=4, max_depth=3)
    assert (r.stats.transitions, r.stats.states, r.states, r.stats.strategy) == (12, 4, [0, 1, 2, 3], "random")
    assert explore(_Line(), "random", max_depth=2).stats.transitions == 2000


def test_random_simulation_is_seeded_and_never_proves() -> None:
    """Seed 0 is the default and a seed decides the walks (seed 1 finds other states); a walk ends
    at a dead end (checked for deadlock) and the next one starts; nothing is proved or refuted by
    absence: the invariant and the unreached ``sometimes`` are unknown."""
    m = _Branchy()
    r = explore(m, "random", walks=30, max_depth=6)
    again = explore(m, "random", walks=30, max_depth=6, seed=0)
    other = explore(m, "random", walks=30, max_depth=6, seed=1)
    assert (r.stats.states, r.stats.transitions) == (again.stats.states, again.stats.transitions) == (12, 56)
    assert r.states == again.states != other.states
    assert (str(r["deadlock_free"].verdict), str(r["small"].verdict)) == (
        "unknown (random simulation is not exhaustive)", "unknown (random simulation is not exhaustive)")
    assert (str(r["ends"].verdict), r["ends"].prop.name) == ("holds", "ends")
    never = explore(_Line(), "random", walks=2, max_depth=2, properties=[Property.sometimes("far", lambda s: s > 9)])
    assert str(never["far"].verdict) == "unknown (random simulation is not exhaustive)"
    walk = explore(_Line(3, [Property.deadlock_free("dl", lambda s: False)]), "random", walks=3, max_depth=5)
    assert (walk.stats.transitions, str(walk["dl"].verdict), walk["dl"].path) == (
        9, "violated (no action is enabled)", (0, 0, 0, 0))


def test_random_simulation_with_liveness_or_reduction_or_fingerprints() -> None:
    """Random simulation keeps no graph (liveness is unknown: not exhaustive, not "not preserved"
    even when reduction was asked for); the fingerprint store needs bfs or dfs."""
    live = Property.eventually("ends", lambda s: s >= 3, "none")
    m = _Table(_POR, [live], persistent=_AMPLE)
    r = explore(m, "random", walks=3, max_depth=4, reduce=True)
    assert r.graph is None and str(r["ends"].verdict) == "unknown (random simulation is not exhaustive)"
    with pytest.raises(ValueError, match="^the fingerprint store needs a bfs or dfs search$"):
        explore(_Line(3), "random", fingerprints=True)


# ---------------------------------------------------------------- reduction and fingerprints


def test_reduction_and_its_cycle_proviso() -> None:
    """Ample sets: 1 (depth 1) keeps {x, x2} (3 and 6 new, depth 2); 2 (depth 1) keeps {u}, whose
    successor 3 is known; 3 (depth 2) keeps {p}, whose successor 6 is known.  The graph has no
    cycle, so the default proviso ("acyclic": fully expand reduced states only to break cycles)
    keeps all three reductions: 5 states.  "depth" accepts a known successor found deeper than the
    state (3 from 2) and rejects one at the same depth (6 from 3: 3 is expanded fully, adding 7): 6
    states, 2 reduced; "visited" rejects any known successor (2 and 3 expand fully: 7 states, 1
    reduced); without reduction all 8.  The fingerprint store keeps no depths (nor the graph), so
    it always uses "visited"."""
    m = _Table(_POR, persistent=_AMPLE)
    got = {k: (r.stats.states, r.stats.reduced) for k, r in {
        "acyclic": explore(m, reduce=True), "depth": explore(m, reduce=True, proviso="depth"),
        "visited": explore(m, reduce=True, proviso="visited"), "full": explore(m),
        "fingerprints": explore(m, reduce=True, fingerprints=True),
        "fingerprints, depth": explore(m, reduce=True, fingerprints=True, proviso="depth")}.items()}
    assert got == {"acyclic": (5, 3), "depth": (6, 2), "visited": (7, 1), "full": (8, 0), "fingerprints": (7, 1),
                   "fingerprints, depth": (7, 1)}
    live = Property.eventually("ends", lambda s: s >= 3, "none")
    r = explore(_Table(_POR, [live], persistent=_AMPLE), reduce=True)
    assert (r.graph, r["ends"].prop.name, r["ends"].verdict.reason) == (None, "ends", NOT_PRESERVED)


class _Ring:
    """Two counters modulo 3; the ample set is always {advance the first}: reduced states close
    cycles ((0,0) -> (1,0) -> (2,0) -> (0,0), and so on)."""

    def init_states(self) -> list[tuple[int, int]]:
        return [(0, 0)]

    def actions(self, s: tuple[int, int]) -> list[int]:
        return [0, 1]

    def next_state(self, s: tuple[int, int], a: int) -> tuple[int, int]:
        return (s[0] + (a == 0)) % 3, (s[1] + (a == 1)) % 3

    def properties(self) -> list[Property]:
        return []

    def persistent_set(self, s: Any, acts: Any) -> list[int]:
        return [0]

    def visible(self, s: Any, a: Any, t: Any) -> bool:
        return False


class _Tree(_Ring):
    """A binary tree of depth 11 (ample set: the two children; a third action is left out)."""

    def actions(self, s: tuple[int, int]) -> list[int]:
        return [] if s[0] >= 11 else [0, 1, 2]

    def next_state(self, s: tuple[int, int], a: int) -> tuple[int, int]:
        return (s[0] + 1, 2 * s[1] + a) if a < 2 else (-1, 0)

    def persistent_set(self, s: Any, acts: Any) -> list[int]:
        return [0, 1]


def test_the_acyclic_proviso_expands_one_state_of_each_reduced_cycle() -> None:
    """C3 checked on the built graph ("acyclic", the default): each cycle of reduced states (three
    rings of three) gets one state expanded fully, which reaches the next ring: all 9 states, 6 left
    reduced, 9 ample transitions and 3 x 2 full ones.  The per-state provisos expand as they go (12
    transitions).  Reduced states are flagged past any index (a tree of 4095 states, 2047 reduced)."""
    got = {p: (r.stats.states, r.stats.transitions, r.stats.reduced) for p, r in (
        (p, explore(_Ring(), reduce=True, proviso=p)) for p in ("acyclic", "depth", "visited"))}
    assert got == {"acyclic": (9, 15, 6), "depth": (9, 12, 6), "visited": (9, 12, 6)}
    # A bounded search stops at the bound: a reduced cycle closed before it (0 <-> 1) is left as
    # it is (the verdicts are unknown anyway), no state is expanded again.
    edges: dict[int, list[tuple[str, int, str | None]]] = {
        0: [("a", 1, None), ("z", 99, None)], 1: [("a", 0, None), ("z", 99, None)],
        **{k: [("a", k + 1, None), ("z", 99, None)] for k in range(10, 20)}}
    b = explore(_Table(edges, inits=(0, 10), persistent=dict.fromkeys([0, 1, *range(10, 20)], [0])),
                reduce=True, max_states=5)
    assert (b.stats.states, b.stats.transitions, b.stats.reduced, b.stats.stop_reason) == (5, 4, 4, "max_states 5 reached")
    t = explore(_Tree(), reduce=True)
    assert (t.stats.states, t.stats.transitions, t.stats.reduced) == (4095, 4094, 2047)


def test_fingerprints_qualify_a_never_reached_and_a_holds() -> None:
    """With the fingerprint store a "never reached" or a "holds" is only as sure as the store: the
    reason carries the bound on the probability that a state was missed; no state, parent link or
    depth is kept (SPIN's layout)."""
    props = [Property.sometimes("far", lambda s: s > 9), Property.always("small", lambda s: s < 9)]
    r = explore(_Line(3), fingerprints=True, properties=props)
    p = r.stats.omission_probability
    assert (r.stats.states, r.stats.store, r.states, len(r.parent), len(r.depth)) == (4, "fingerprints", [], 0, 0)
    assert 0 < p < 1e-12
    why = f"hash compaction: P(a state was missed) <= {p:.2g}"
    assert (r["far"].verdict.kind, r["far"].verdict.reason) == ("violated", f"never reached ({why})")
    assert (r["small"].verdict.kind, r["small"].verdict.reason) == ("holds", why)


# ---------------------------------------------------------------- the progress line


def test_the_progress_line_only_when_asked_and_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Progress is off by default and off the terminal; asked for on a terminal, it shows the
    counts (updated every 256 expansions) and is cleared at the end."""
    tty = _Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    assert ex._Progress(False).live is None
    explore(_Line(600))
    assert tty.getvalue() == ""
    r = explore(_Line(600), progress=True)
    assert r.stats.states == 601
    assert "states" in tty.getvalue() and "transitions" in tty.getvalue() and "frontier" in tty.getvalue()


def test_the_default_bounds_are_the_parallel_searchs() -> None:
    """The sequential and the parallel search stop at the same default bounds (10 million states,
    depth 1 million), so the same call compares their results."""
    import inspect

    from checker.parallel import run_parallel

    seq, par = inspect.signature(explore).parameters, inspect.signature(run_parallel).parameters
    assert (seq["max_states"].default, seq["max_depth"].default) == (
        par["max_states"].default, par["max_depth"].default) == (10_000_000, 1_000_000)


class _Live:
    """Records what `_Progress` asks of rich's Live: how it is made and every line it shows."""

    made: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    lines: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("console")
        _Live.made.append((args, kwargs))

    def start(self) -> None:
        _Live.lines.append("start")

    def update(self, text: str) -> None:
        _Live.lines.append(text)

    def stop(self) -> None:
        _Live.lines.append("stop")


def test_the_progress_line_is_redrawn_at_most_every_quarter_second(monkeypatch: pytest.MonkeyPatch) -> None:
    """A transient rich Live line, refreshed 4 times a second, started empty; looked at every 256
    expansions and redrawn only when a quarter of a second has passed since the last redraw.  With a
    clock ticking 1/8 s a call from 100: redrawn at 256 expansions (257 states in 0.125 s: 2,056 states/s), not
    at 512 (1/8 s since), at 768 (exactly 1/4 s since: 769 states in 0.375 s), not at 1024.  A clock
    that does not move shows 0 states/s."""
    import rich.live

    monkeypatch.setattr(rich.live, "Live", _Live)
    monkeypatch.setattr(sys, "stderr", _Tty())
    monkeypatch.setattr(_Live, "made", [])
    monkeypatch.setattr(_Live, "lines", [])
    monkeypatch.setattr(ex, "time", _Clock(0.125))
    r = explore(_Line(1100), progress=True)
    assert _Live.made == [(("",), {"transient": True, "refresh_per_second": 4})]
    assert _Live.lines == ["start",
                           "[bold]257[/] states  256 transitions  depth 256  frontier 1  2,056 states/s",
                           "[bold]769[/] states  768 transitions  depth 768  frontier 1  2,051 states/s", "stop"]
    assert r.stats.seconds == 0.625
    monkeypatch.setattr(_Live, "lines", [])
    monkeypatch.setattr(ex, "time", _Clock(0.0))
    explore(_Line(300), progress=True)
    assert _Live.lines == ["start", "[bold]257[/] states  256 transitions  depth 256  frontier 1  0 states/s", "stop"]
