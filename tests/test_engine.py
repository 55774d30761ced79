"""The engine pinned on hand-written models with known exact state spaces."""

from __future__ import annotations

import pytest

from checker.check import check
from checker.examples import Peterson, PhilFlat, Philosophers, SpinLoop, Starver
from checker.model import Property
from checker.trace import replay

# (n, ordered) -> (states, transitions, deadlock verdict, shortest deadlock path)
PHILOSOPHERS = {
    (3, False): (14, 27, "violated", "0/0/1/1"),
    (3, True): (12, 22, "holds", ""),
    (4, False): (34, 88, "violated", "0/0/1/1/1"),
    (4, True): (29, 72, "holds", ""),
    (5, False): (82, 265, "violated", "0/0/1/1/1/1"),
    (5, True): (70, 219, "holds", ""),
}


@pytest.mark.parametrize("n,ordered", sorted(PHILOSOPHERS))
def test_philosophers_exact_state_space(n: int, ordered: bool) -> None:
    states, transitions, verdict, path = PHILOSOPHERS[n, ordered]
    r = check(Philosophers(n, ordered))
    assert (r.stats.states, r.stats.transitions) == (states, transitions)
    assert r["deadlock_free"].verdict.kind == verdict
    assert r["deadlock_free"].path_str == path
    assert r["fork exclusion"].verdict.kind == "holds"
    assert r.stats.complete


@pytest.mark.parametrize("n", [3, 4, 5])
def test_bfs_deadlock_trace_is_shortest(n: int) -> None:
    """Every philosopher takes its first fork: n steps, and no shorter path deadlocks."""
    r = check(Philosophers(n))
    path = r["deadlock_free"].path
    assert len(path) - 1 == n
    states, _ = replay(Philosophers(n), path)
    assert Philosophers(n).actions(states[-1]) == []
    # DFS finds a deadlock too, never a shorter one
    d = check(Philosophers(n), "dfs")
    assert d["deadlock_free"].verdict.kind == "violated"
    assert len(d["deadlock_free"].path) >= len(path)


@pytest.mark.parametrize("n,states,transitions", [(5, 819, 2517), (8, 52429, 263324)])
def test_phil_flat_matches_spin_no_reduction(n: int, states: int, transitions: int) -> None:
    """SPIN 6.5.2 -DNOREDUCE on phil_flat.pml: N=5 820 states / 2,519 transitions,
    N=8 52,430 / 263,326.  SPIN counts its atomic `init` step as one more state
    and two more transitions than the philosophers' own system."""
    r = check(PhilFlat(n))
    assert (r.stats.states + 1, r.stats.transitions + 2) == {5: (820, 2519), 8: (52430, 263326)}[n]
    assert (r.stats.states, r.stats.transitions) == (states, transitions)
    assert [r[p].verdict.kind for p in ("assertion", "deadlock_free", "someone eats")] == ["holds"] * 3


def test_phil_flat_deadlock_variant() -> None:
    r = check(PhilFlat(5, deadlock=True))
    assert (r.stats.states, r.stats.transitions) == (1022, 3320)
    assert r["deadlock_free"].path_str == "0/0/1/1/1/1"
    assert r["assertion"].verdict.kind == "holds"


def test_peterson_and_broken_peterson() -> None:
    ok = check(Peterson())
    assert (ok.stats.states, ok.stats.transitions) == (26, 44)
    assert ok["mutex"].verdict.kind == "holds"
    assert ok["p0 enters"].verdict.kind == "holds"
    bad = check(Peterson(buggy=True))
    assert (bad.stats.states, bad.stats.transitions) == (50, 94)
    assert bad["mutex"].verdict.kind == "violated"
    assert bad["mutex"].path_str == "0/0/1/1/1/0/0"
    states, _ = replay(Peterson(True), bad["mutex"].path)
    assert states[-1][0] == (3, 3)


def _check_lasso(model, res) -> None:
    """The loop of a lasso follows real edges and returns to its start state."""
    states, _ = replay(model, res.path)
    assert res.loop is not None
    assert states[-1] == states[res.loop]


def test_weak_fairness_needed_to_rule_out_spinning() -> None:
    m = SpinLoop()
    r = check(m)
    assert r.stats.states == 3
    assert r["A finishes (weak)"].verdict.kind == "holds"
    unfair = r["A finishes (unfair)"]
    assert unfair.verdict.kind == "violated"
    assert unfair.path_str == "0/0" and unfair.loop == 0
    _check_lasso(m, unfair)


def test_starvation_that_weak_fairness_does_not_prevent() -> None:
    m = Starver()
    r = check(m)
    assert (r.stats.states, r.stats.transitions) == (7, 10)
    weak = r["victim (weak)"]
    assert weak.verdict.kind == "violated"
    assert weak.path_str == "0/0/0/1/0" and weak.loop == 0
    _check_lasso(m, weak)
    assert r["victim (strong)"].verdict.kind == "holds"


def test_bounds_give_unknown_never_holds() -> None:
    r = check(PhilFlat(5), max_states=100)
    assert not r.stats.complete
    assert {p.verdict.kind for p in r.results.values()} <= {"unknown", "holds"}
    assert r["assertion"].verdict.kind == "unknown"
    assert r["deadlock_free"].verdict.kind == "unknown"
    assert "max_states 100" in r["assertion"].verdict.reason
    # a sometimes property reached before the bound is decided
    assert r["someone eats"].verdict.kind == "holds"
    d = check(PhilFlat(5), max_depth=3)
    assert d["assertion"].verdict.kind == "unknown"
    t = check(PhilFlat(8), timeout_s=0.001)
    assert t["assertion"].verdict.kind == "unknown"


def test_liveness_unknown_when_search_is_bounded() -> None:
    r = check(Starver(), max_states=3)
    assert r["victim (strong)"].verdict.kind == "unknown"


def test_random_simulation_never_proves() -> None:
    r = check(PhilFlat(5, deadlock=True), "random", walks=50, max_depth=200, seed=1)
    assert r["assertion"].verdict.kind == "unknown"
    dl = r["deadlock_free"]
    assert dl.verdict.kind == "violated"
    states, _ = replay(PhilFlat(5, True), dl.path)
    assert PhilFlat(5, True).actions(states[-1]) == []


def test_sometimes_never_reached_is_a_failure() -> None:
    class Stuck:
        def init_states(self):
            return [0]

        def actions(self, s):
            return [0] if s < 2 else []

        def next_state(self, s, a):
            return s + 1

        def properties(self):
            return [Property.sometimes("reaches 5", lambda s: s == 5),
                    Property.deadlock_free("ends at 2", lambda s: s == 2)]

    r = check(Stuck())
    assert str(r["reaches 5"].verdict) == "violated (never reached)"
    assert r["ends at 2"].verdict.kind == "holds"


def test_bottom_scc_finds_stuck_keys() -> None:
    """A key stuck in every state of a bottom component is reported (leaks)."""

    class Leaky:
        # state: (phase, worker_blocked); phase cycles 1 <-> 2 forever after start
        def init_states(self):
            return [(0, False)]

        def actions(self, s):
            return ["a", "b"] if s[0] == 0 else ["tick"]

        def next_state(self, s, a):
            if s[0] == 0:
                return (1, a == "b")
            return (3 - s[0], s[1])

        def properties(self):
            return [Property.bottom("leak_free", lambda s: ["worker"] if s[1] else [])]

    r = check(Leaky())
    res = r["leak_free"]
    assert res.verdict.kind == "violated"
    assert res.path_str == "0/1"
    assert "worker blocked forever" in res.verdict.reason


def test_peterson_has_bounded_bypass_even_without_fairness() -> None:
    """Once P0 raised its flag, P1 can enter at most once before P0: no fairness needed."""
    prop = Property.leads_to("p0 enters (unfair)", lambda s: s[0][0] == 1, lambda s: s[0][0] == 3, fairness="none")
    assert check(Peterson(), properties=[prop])["p0 enters (unfair)"].verdict.kind == "holds"


def test_leads_to_counterexample_under_no_fairness() -> None:
    m = SpinLoop()
    prop = Property.leads_to("spin ends", lambda s: not s[0], lambda s: s[1], fairness="none")
    res = check(m, properties=[prop])["spin ends"]
    assert res.verdict.kind == "violated"
    assert res.path_str == "0/0" and res.loop == 0
    _check_lasso(m, res)
    weak = Property.leads_to("spin ends", lambda s: not s[0], lambda s: s[1], fairness="weak")
    assert check(m, properties=[weak])["spin ends"].verdict.kind == "holds"


def test_million_state_graph_liveness() -> None:
    """Tarjan is iterative: a long chain of 200,000 states does not hit recursion limits."""

    class Chain:
        def init_states(self):
            return [0]

        def actions(self, s):
            return [0]

        def next_state(self, s, a):
            return (s + 1) % 200_000

        def properties(self):
            return [Property.eventually("reaches end", lambda s: s == 199_999, fairness="none")]

    r = check(Chain())
    assert r.stats.states == 200_000
    assert r["reaches end"].verdict.kind == "holds"
