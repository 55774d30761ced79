"""Fair-cycle (lasso) search on an explored state graph.

A liveness property fails when some execution stays forever in a region of
"bad" states: for ``eventually(c)`` the states where ``c`` is false, reached
from an initial state through such states; for ``leads_to(p, q)`` the states
where ``q`` is false, entered at a ``p``-state; for ``progress`` the states
where one key stays pending.  The execution must also be *fair*:

- weak fairness: every group enabled in all states of the cycle is taken in it;
- strong fairness: every group enabled anywhere in the cycle is taken in it.

Strongly connected components come from an iterative Tarjan over the compact
edge arrays of :class:`checker.explore.Graph`, so a million states is fine.
Inside a component a cycle through all its states and edges exists, so
weak fairness is a test on the component; strong fairness prunes the states
where an untaken group is enabled and splits again (Emerson-Lei).  The
counterexample is a prefix plus a loop that takes every group the component
takes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Iterator
from typing import Any

from checker.model import HOLDS, Property, evaluate, unknown, violated
from checker.results import PropertyResult


def sccs(result: Any, allowed: bytearray, roots: Iterable[int] | None = None) -> list[list[int]]:
    """Strongly connected components of the subgraph on states with
    ``allowed[i]`` set (all of them when `roots` is None, else those reachable
    from `roots` inside the subgraph).  Iterative Tarjan."""
    g = result.graph
    estart, ecount, target = g.estart, g.ecount, g.target
    n = len(allowed)
    idx = [-1] * n
    low = [0] * n
    on = bytearray(n)
    stack: list[int] = []
    out: list[list[int]] = []
    counter = 0
    starts = range(n) if roots is None else roots
    for root in starts:
        if not allowed[root] or idx[root] >= 0:
            continue
        idx[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on[root] = 1
        work = [(root, estart[root])]
        while work:
            v, e = work[-1]
            end = estart[v] + ecount[v]
            advanced = False
            while e < end:
                w = target[e]
                e += 1
                if not allowed[w]:
                    continue
                if idx[w] < 0:
                    work[-1] = (v, e)
                    idx[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on[w] = 1
                    work.append((w, estart[w]))
                    advanced = True
                    break
                if on[w] and idx[w] < low[v]:
                    low[v] = idx[w]
            if advanced:
                continue
            work.pop()
            if work:
                u = work[-1][0]
                if low[v] < low[u]:
                    low[u] = low[v]
            if low[v] == idx[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on[w] = 0
                    comp.append(w)
                    if w == v:
                        break
                out.append(comp)
    return out


def _inside_edges(result: Any, comp: set[int], v: int) -> Iterator[tuple[int, int, int]]:
    """The edges (index, target, fairness group) from `v` that stay inside `comp`."""
    g = result.graph
    for e in range(g.estart[v], g.estart[v] + g.ecount[v]):
        w = g.target[e]
        if w in comp:
            yield e, w, g.group[e]


def fair_components(result: Any, allowed: bytearray, fairness: str,
                    roots: Iterable[int] | None = None) -> list[list[int]]:
    """Components of the allowed subgraph that contain a fair cycle."""
    g = result.graph
    fair: list[list[int]] = []
    todo = sccs(result, allowed, roots)
    while todo:
        comp = todo.pop()
        cset = set(comp)
        taken = 0
        has_edge = False
        for v in comp:
            for _, _, grp in _inside_edges(result, cset, v):
                has_edge = True
                if grp >= 0:
                    taken |= 1 << grp
        if not has_edge:
            continue
        if fairness == "none":
            fair.append(comp)
            continue
        if fairness == "weak":
            always_on = -1
            for v in comp:
                always_on &= g.enabled[v]
            if always_on & ~taken == 0:
                fair.append(comp)
            continue
        anywhere = 0
        for v in comp:
            anywhere |= g.enabled[v]
        bad = anywhere & ~taken
        if bad == 0:
            fair.append(comp)
            continue
        keep = bytearray(len(allowed))
        left = False
        for v in comp:
            if g.enabled[v] & bad == 0:
                keep[v] = 1
                left = True
        if left:
            todo.extend(sccs(result, keep))
    return fair


def _bfs_within(result: Any, sources: Iterable[int], goal: set[int], allowed: bytearray) -> list[tuple[int, int]] | None:
    """Shortest path (as (state, action index) steps) from any source to a goal state, inside `allowed`."""
    g = result.graph
    prev: dict[int, tuple[int, int]] = {}
    q: deque[int] = deque()
    for s in sources:
        if s in goal:
            return [(s, -1)]
        prev[s] = (-1, -1)
        q.append(s)
    while q:
        v = q.popleft()
        for e in range(g.estart[v], g.estart[v] + g.ecount[v]):
            w = g.target[e]
            if w in prev or not allowed[w]:
                continue
            prev[w] = (v, g.action[e])
            if w in goal:
                steps = [(w, -1)]
                while prev[w][0] >= 0:
                    p, a = prev[w]
                    steps.append((p, a))
                    w = p
                steps.reverse()
                return steps
            q.append(w)
    return None


def _cycle(result: Any, comp: list[int], start: int) -> list[int]:
    """Action indices of a cycle from `start` inside `comp` that takes one
    edge of every fairness group taken anywhere in `comp` (so it is fair)."""
    g = result.graph
    cset = set(comp)
    inside = bytearray(len(g.enabled))
    for v in comp:
        inside[v] = 1
    need: dict[int, list[tuple[int, int, int]]] = {}
    for v in comp:
        for e, w, grp in _inside_edges(result, cset, v):
            need.setdefault(grp, []).append((v, e, w))
    cover = sorted(k for k in need if k >= 0) or [next(iter(need))]
    actions: list[int] = []
    cur = start
    for grp in cover:
        edges = need[grp]
        path = _bfs_within(result, [cur], {v for v, _, _ in edges}, inside)
        assert path is not None, "a component is strongly connected"
        actions.extend(a for _, a in path[:-1])
        v = path[-1][0]
        e, w = next((e, w) for (u, e, w) in edges if u == v)
        actions.append(g.action[e])
        cur = w
    back = _bfs_within(result, [cur], {start}, inside)
    assert back is not None, "a component is strongly connected"
    actions.extend(a for _, a in back[:-1])
    return actions


def end_state(result: Any, path: list[int]) -> int:
    """The index of the state a path (initial index, then actions) reaches."""
    g = result.graph
    v = next(i for i in range(len(result.states)) if result.parent[i] < 0 and result.taken[i] == path[0])
    for a in path[1:]:
        v = g.target[g.estart[v] + a]
    return v


def check_liveness(prop: Property, result: Any) -> Any:
    """Decide one liveness property on a complete exploration."""
    g = result.graph
    n = len(result.states)
    states = result.states
    if g is None:
        return PropertyResult(prop, unknown("no state graph"))
    if prop.kind == "bottom":
        return _check_bottom(prop, result)
    if prop.kind == "progress":
        assert prop.keys is not None
        keys_of = [frozenset(prop.keys(s)) for s in states]
        all_keys: set[Hashable] = set().union(*keys_of) if keys_of else set()
        best = None
        for key in sorted(all_keys, key=repr):
            allowed = bytearray(1 if key in keys_of[i] else 0 for i in range(n))
            comps = fair_components(result, allowed, prop.fairness)
            if prop.include_terminal:
                for i in range(n):
                    if allowed[i] and g.ecount[i] == 0:
                        comps.append([i])
            for comp in comps:
                cand = _finish(result, prop, comp, list(result.path_to(min(comp, key=result.depth.__getitem__))),
                               f"{key} stays pending forever")
                if best is None or len(cand.path) < len(best.path):
                    best = cand
        return best or PropertyResult(prop, HOLDS)
    # eventually / leads_to
    bad = bytearray(n)
    if prop.kind == "eventually":
        for i in range(n):
            bad[i] = 1 if evaluate(prop.cond, states[i]) is not None else 0
        roots = [i for i in range(n) if result.parent[i] < 0 and bad[i]]
        why = "the condition never becomes true"
    else:
        roots = []
        for i in range(n):
            bad[i] = 1 if evaluate(prop.response, states[i]) is not None else 0
            if bad[i] and evaluate(prop.cond, states[i]) is None:
                roots.append(i)
        why = "the trigger holds but the response never follows"
    reach = bytearray(n)
    q = deque(roots)
    for r in roots:
        reach[r] = 1
    while q:
        v = q.popleft()
        for e in range(g.estart[v], g.estart[v] + g.ecount[v]):
            w = g.target[e]
            if bad[w] and not reach[w]:
                reach[w] = 1
                q.append(w)
    comps = fair_components(result, reach, prop.fairness)
    comps += [[i] for i in range(n) if reach[i] and g.ecount[i] == 0]
    if not comps:
        return PropertyResult(prop, HOLDS)
    best = None
    for comp in comps:
        goal = set(comp)
        if prop.kind == "eventually":
            path = _bfs_within(result, roots, goal, reach)
            assert path is not None, "a component reachable from the roots has a path from them"
            prefix = [result.taken[path[0][0]]] + [a for _, a in path[:-1]]
        else:
            # shortest: any path to a trigger state, then inside the bad region to comp
            path = None
            prefix = None
            for r in sorted(roots, key=result.depth.__getitem__):
                inner = _bfs_within(result, [r], goal, reach)
                if inner is not None:
                    prefix = result.path_to(r) + [a for _, a in inner[:-1]]
                    break
        cand = _finish(result, prop, comp, prefix, why)
        if best is None or len(cand.path) < len(best.path):
            best = cand
    return best


def _finish(result: Any, prop: Property, comp: list[int], prefix: list[int] | None, reason: str) -> Any:
    assert prefix is not None, "a fair component found without a path to it"
    entry = end_state(result, prefix)
    if result.graph.ecount[entry] == 0 or (len(comp) == 1 and next(_inside_edges(result, {entry}, entry), None) is None):
        return PropertyResult(prop, violated(reason + " (the execution ends here)"), tuple(prefix), None)
    loop_actions = _cycle(result, comp, entry)
    return PropertyResult(prop, violated(reason), tuple(prefix + loop_actions), len(prefix) - 1)


def key_list(keys: Any, most: int = 12) -> str:
    """Keys for a message, in natural order (G2 before G10); past `most`, a count of the rest."""
    import re

    ks = sorted(map(str, keys), key=lambda k: [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", k)])
    return ", ".join(ks[:most]) + (f" and {len(ks) - most} more" if len(ks) > most else "")


def _check_bottom(prop: Property, result: Any) -> Any:
    g = result.graph
    n = len(result.states)
    comps = sccs(result, bytearray([1]) * n)
    comp_of = [0] * n
    for c, comp in enumerate(comps):
        for v in comp:
            comp_of[v] = c
    best = None
    for c, comp in enumerate(comps):
        if any(comp_of[g.target[e]] != c for v in comp for e in range(g.estart[v], g.estart[v] + g.ecount[v])):
            continue
        stuck: set[Hashable] | None = None
        assert prop.keys is not None
        for v in comp:
            ks = set(prop.keys(result.states[v]))
            stuck = ks if stuck is None else stuck & ks
            if not stuck:
                break
        if not stuck:
            continue
        entry = min(comp, key=result.depth.__getitem__)
        path = tuple(result.path_to(entry))
        cand = PropertyResult(prop, violated(f"{key_list(stuck)} blocked forever: no continuation from here unblocks it"),
                              path)
        if best is None or len(path) < len(best.path or ()):
            best = cand
    return best or PropertyResult(prop, HOLDS)
