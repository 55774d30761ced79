"""Make a shortest counterexample simpler, then say which steps do not matter.

BFS gives *a* shortest counterexample: the first one found.  Like
Hypothesis's shrinker, we then prefer, among counterexamples of the same
length, the one with the fewest actors involved and then the fewest context
switches (actor changes between consecutive steps), and an explain pass marks
the steps that could be dropped or swapped with the next one without losing
the violation.

The search is bounded: states reachable in exactly ``d`` steps are collected
layer by layer up to the counterexample's length, pruned backwards to those
that can still reach a violation in the remaining steps, and a uniform-cost
search over (actors used, switches) runs on that layered graph.  Over budget,
a greedy walk is used; the result is re-verified by replay, and the original
path is returned unless the candidate is strictly simpler.

Examples
--------
>>> from checker.examples import PhilFlat
>>> m = PhilFlat(3, deadlock=True)
>>> p = m.properties()[1]
>>> minimize(m, p, (0, 0, 1, 1))
(0, 0, 1, 1)
>>> explain(m, p, (0, 0, 1, 1))
[False, True, True, False]
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

from checker.model import Property, evaluate, hook
from checker.trace import ReplayError, replay

#: Upper bound on the states kept over all layers, and on search labels popped.
MAX_LAYER_STATES = 200_000
MAX_LABELS = 100_000


def violates(model: Any, prop: Property, s: Any) -> bool:
    """Does the final state `s` of a path show `prop` violated?"""
    if prop.kind == "always":
        return evaluate(prop.cond, s) is not None
    if prop.kind == "deadlock":
        return not model.actions(s) and evaluate(prop.cond, s) is not None
    return False


def score(actors: Sequence[str]) -> tuple[int, int]:
    """(distinct actors, context switches) of a sequence of step actors."""
    return len(set(actors)), sum(1 for a, b in zip(actors, actors[1:]) if a != b)


def _actors_of(model: Any, path: Sequence[int]) -> list[str]:
    states, actions = replay(model, path)
    actor = hook(model, "actor")
    return [str(actor(s, a)) for s, a in zip(states, actions)]


def minimize(model: Any, prop: Property, path: Sequence[int], *, max_layer_states: int = MAX_LAYER_STATES,
             max_labels: int = MAX_LABELS) -> tuple[int, ...]:
    """A counterexample of the same length as `path` with fewer actors, then fewer switches.

    Only ``always`` and ``deadlock`` properties are minimized (their violation
    is a property of the last state); anything else comes back unchanged, as
    does `path` when nothing strictly simpler is found within the budget.
    """
    path = tuple(path)
    if prop.kind not in ("always", "deadlock") or len(path) < 2:
        return path
    try:
        states, _ = replay(model, path)
    except ReplayError:
        return path
    if not violates(model, prop, states[-1]):
        return path
    length = len(path) - 1
    actor = hook(model, "actor")
    inits = list(model.init_states())
    # Forward layers: layer[d] maps a state to its successors (action index, actor, target).
    layers: list[dict[Any, list[tuple[int, str, Any]]]] = [{}]
    frontier = list(dict.fromkeys(inits))
    total = 0
    for d in range(length):
        nxt: dict[Any, None] = {}
        layer: dict[Any, list[tuple[int, str, Any]]] = {}
        for s in frontier:
            succ = []
            for k, a in enumerate(model.actions(s)):
                t = model.next_state(s, a)
                succ.append((k, str(actor(s, a)), t))
                nxt[t] = None
            layer[s] = succ
        layers[d] = layer
        layers.append({})
        frontier = list(nxt)
        total += len(frontier)
        if total > max_layer_states:
            return path
    good: list[set[Any]] = [set() for _ in range(length + 1)]
    good[length] = {s for s in frontier if violates(model, prop, s)}
    for d in range(length - 1, -1, -1):
        good[d] = {s for s, succ in layers[d].items() if any(t in good[d + 1] for _, _, t in succ)}
    starts = [(k, s) for k, s in enumerate(inits) if s in good[0]]
    if not starts:
        return path
    best = _uniform_cost(layers, good, starts, length, max_labels) or _greedy(layers, good, starts, length)
    if best is None:
        return path
    try:
        cand_states, _ = replay(model, best)
    except ReplayError:
        return path
    if len(best) != len(path) or not violates(model, prop, cand_states[-1]):
        return path
    return best if score(_actors_of(model, best)) < score(_actors_of(model, path)) else path


def _uniform_cost(layers: list[dict[Any, list[tuple[int, str, Any]]]], good: list[set[Any]],
                  starts: list[tuple[int, Any]], length: int, max_labels: int) -> tuple[int, ...] | None:
    """Cheapest (actors, switches) path in the pruned layered graph; ties go to the smallest indices."""
    heap: list[tuple[int, int, tuple[int, ...], int, Any, frozenset[str], str]] = []
    for k, s in starts:
        heap.append((0, 0, (k,), 0, s, frozenset(), ""))
    heapq.heapify(heap)
    seen: dict[tuple[Any, int, frozenset[str], str], int] = {}
    pops = 0
    while heap:
        n_act, sw, p, d, s, used, last = heapq.heappop(heap)
        if d == length:
            return p
        key = (s, d, used, last)
        if key in seen and seen[key] <= sw:
            continue
        seen[key] = sw
        pops += 1
        if pops > max_labels:
            return None
        for k, who, t in layers[d][s]:
            if t not in good[d + 1]:
                continue
            u = used | {who}
            heapq.heappush(heap, (len(u), sw + (1 if last and who != last else 0), p + (k,), d + 1, t, u, who))
    return None


def _greedy(layers: list[dict[Any, list[tuple[int, str, Any]]]], good: list[set[Any]],
            starts: list[tuple[int, Any]], length: int) -> tuple[int, ...]:
    """Stay with the current actor, else one already used: always completes inside the pruned graph."""
    k, s = starts[0]
    p, used, last = [k], set(), ""
    for d in range(length):
        options = [(k, who, t) for k, who, t in layers[d][s] if t in good[d + 1]]
        k, who, t = min(options, key=lambda o: (o[1] != last, o[1] not in used, o[0]))
        p.append(k)
        used.add(who)
        s, last = t, who
    return tuple(p)


def _run(model: Any, s: Any, actions: Sequence[Any]) -> Any | None:
    """Apply actions by value; None if one is not enabled when its turn comes."""
    for a in actions:
        if a not in list(model.actions(s)):
            return None
        s = model.next_state(s, a)
    return s


def explain(model: Any, prop: Property, path: Sequence[int]) -> list[bool]:
    """For each step (index 0 is the initial state, always False): could it be
    dropped, or swapped with the next step, and the run still end in a
    violation?  Actions are matched by value, so "the same action" means the
    same action object, wherever it sits in the enabled list."""
    states, actions = replay(model, path)
    marks = [False] * len(path)
    if prop.kind not in ("always", "deadlock"):
        return marks
    s0 = states[0]
    for i in range(1, len(path)):
        j = i - 1  # index into actions
        rest = actions[:j] + actions[j + 1:]
        end = _run(model, s0, rest)
        if end is not None and violates(model, prop, end):
            marks[i] = True
            continue
        if j + 1 < len(actions) and actions[j] != actions[j + 1]:
            swapped = actions[:j] + [actions[j + 1], actions[j]] + actions[j + 2:]
            end = _run(model, s0, swapped)
            if end is not None and violates(model, prop, end):
                marks[i] = True
    return marks


__all__ = ["minimize", "explain", "score", "violates"]
