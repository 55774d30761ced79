"""checker.minimize: simpler shortest counterexamples and the explain pass (Hypothesis-style)."""

from __future__ import annotations

from dataclasses import dataclass

from checker.check import check
from checker.examples import PhilFlat
from checker.minimize import explain, minimize, score
from checker.model import Property
from checker.trace import replay


@dataclass(frozen=True, slots=True)
class Tally:
    """Actors A, B, C bump their own counters (at most 2 each).  Actions are listed with the
    actor that has done least first, so BFS's first shortest paths interleave actors."""

    need: str = "ab"  # "ab": a>=1 and b>=1, or b>=2;  "aabb": a>=2 and b>=2

    def init_states(self):
        return [(0, 0, 0)]

    def actions(self, s):
        return sorted((n for n in "ABC" if s["ABC".index(n)] < 2), key=lambda n: (s["ABC".index(n)], n))

    def next_state(self, s, a):
        k = "ABC".index(a)
        return s[:k] + (s[k] + 1,) + s[k + 1:]

    def properties(self):
        if self.need == "ab":
            bad = lambda s: s[0] >= 1 and s[1] >= 1 or s[1] >= 2
        else:
            bad = lambda s: s[0] >= 2 and s[1] >= 2
        return [Property.always("safe", lambda s: not bad(s))]

    def actor(self, s, a):
        return a


def actors(model, path):
    states, acts = replay(model, path)
    return [model.actor(s, a) for s, a in zip(states, acts)]


def test_minimize_prefers_fewer_actors():
    m = Tally("ab")
    pr = check(m)["safe"]
    assert pr.path == (0, 0, 0) and actors(m, pr.path) == ["A", "B"]
    best = minimize(m, pr.prop, pr.path)
    assert best == (0, 1, 2) and actors(m, best) == ["B", "B"]
    assert explain(m, pr.prop, pr.path) == [False, True, False]
    assert explain(m, pr.prop, best) == [False, False, False]
    assert score(actors(m, best)) == (1, 0)


def test_minimize_prefers_fewer_context_switches():
    m = Tally("aabb")
    pr = check(m)["safe"]
    assert actors(m, pr.path) == ["A", "B", "A", "B"] and score(actors(m, pr.path)) == (2, 3)
    best = minimize(m, pr.prop, pr.path)
    assert actors(m, best) == ["A", "A", "B", "B"] and best == (0, 0, 2, 0, 1)
    assert len(best) == len(pr.path)
    assert minimize(m, pr.prop, best) == best  # idempotent: nothing simpler exists


def test_minimize_keeps_the_path_over_budget_or_for_liveness():
    m = Tally("aabb")
    pr = check(m)["safe"]
    assert minimize(m, pr.prop, pr.path, max_layer_states=3) == pr.path
    assert minimize(m, Property.eventually("e", lambda s: False), pr.path) == pr.path


def test_explain_marks_are_exact():
    m = Tally("aabb")
    # A A B B: swapping steps 2 and 3 (A, B) keeps a>=2 and b>=2; same-action neighbours are not reorders,
    # and no step can be dropped from a shortest counterexample.
    assert explain(m, m.properties()[0], (0, 0, 2, 0, 1)) == [False, False, True, False, False]
    # A B A B: steps 1, 2, 3 can each be swapped with the next one.
    assert explain(m, m.properties()[0], (0, 0, 0, 1, 1)) == [False, True, True, True, False]
    # a longer, non-shortest path: the C step can be dropped
    long = (0, 2, 0, 1, 0, 0)  # C A A B B
    assert actors(m, long) == ["C", "A", "A", "B", "B"]
    assert explain(m, m.properties()[0], long) == [False, True, False, True, False, False]


def test_minimize_phil_flat_deadlock_is_already_minimal():
    m = PhilFlat(5, deadlock=True)
    pr = check(m)["deadlock_free"]
    assert minimize(m, pr.prop, pr.path) == pr.path == (0, 0, 1, 1, 1, 1)
    assert explain(m, pr.prop, pr.path) == [False, True, True, True, True, False]
