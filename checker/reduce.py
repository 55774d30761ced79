"""Ample-set partial-order reduction (Clarke, Grumberg and Peled's C0-C3).

`check(..., reduce=True)` expands a state through an *ample set* of its
actions instead of all of them when the model offers two hooks:

- ``persistent_set(s, acts) -> Sequence[int] | None``: indices into `acts`
  forming a persistent set (C1: on every path of the full graph from `s`,
  no action outside the set that is dependent on an action in it occurs
  before some action of the set), or ``None`` for "expand fully".
- ``visible(s, a, t) -> bool``: the transition ``s -a-> t`` may change an
  atomic proposition some checked property observes.

The engine then applies:

- C0: the ample set is non-empty (an empty candidate means full expansion);
- C1: the model's persistent set;
- C2: if any ample transition is visible, expand fully;
- C3 (cycle proviso, Bošnački et al.'s conservative form, sound for BFS
  and DFS alike): if any ample successor is already in the state table,
  expand fully.

Ample successors keep their original action index into the full
``actions(s)`` list, so counterexamples replay on the unreduced model.
Only safety properties (``always``, ``sometimes`` whose condition the
``visible`` hook covers, ``deadlock``) are preserved; liveness properties
are reported ``unknown`` under reduction.

Examples
--------
>>> class Two:  # two independent counters: 9 states, 3 of them with one ample action
...     def init_states(self): return [(0, 0)]
...     def actions(self, s): return [i for i in (0, 1) if s[i] < 2]
...     def next_state(self, s, a): return tuple(v + (i == a) for i, v in enumerate(s))
...     def properties(self): return []
...     def persistent_set(self, s, acts): return [0] if acts[0] == 0 else None
...     def visible(self, s, a, t): return False
>>> from checker.check import check
>>> r = check(Two(), reduce=True)
>>> (r.stats.states, r.stats.reduced)
(5, 2)
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["ample_successors", "cycle_breakers", "NOT_PRESERVED", "PENDING", "supports_reduction"]

#: Placeholder for a successor not computed yet.
PENDING: Any = object()

#: The verdict reason of a liveness property under reduction.
NOT_PRESERVED = "not checked under partial-order reduction; run without --por"


def supports_reduction(model: Any) -> bool:
    """The model offers both hooks the reduction needs."""
    return callable(getattr(model, "persistent_set", None)) and callable(getattr(model, "visible", None))


def ample_successors(model: Any, s: Any, acts: Sequence[Any], step: Callable[[Any, Any], Any],
                     index: Any, depth: Sequence[int] | None = None,
                     here: int = 0, c3: bool = True) -> tuple[list[tuple[int, Any, Any]], bool]:
    """The successors of `s` to add: ``([(k, action, successor or PENDING), ...], reduced)``.

    When the reduction applies (a strict, non-empty persistent subset whose
    transitions are invisible and lead only to states not yet in `index`),
    the list holds only the ample transitions and `reduced` is True.
    Otherwise it holds every action (with successors already computed for
    the candidates, `PENDING` for the rest) and `reduced` is False.

    C3 by default rejects any ample successor already in `index`.  With
    `depth` (discovery depth per state index) and `here` (the index of `s`),
    it rejects only successors found at a depth <= that of `s`: every edge
    a reduced state keeps then goes strictly deeper, so every cycle of the
    reduced graph contains a fully expanded state (the cycle condition).
    ``c3=False`` leaves the cycle condition to the caller (`acyclic_reduced`).
    """
    full: list[tuple[int, Any, Any]] = [(k, a, PENDING) for k, a in enumerate(acts)]
    if len(acts) < 2:
        return full, False
    cand = model.persistent_set(s, acts)
    if cand is None:
        return full, False
    ks = sorted(set(cand))
    if not ks or len(ks) >= len(acts):  # C0 (non-empty) and strictness
        return full, False
    amp: list[tuple[int, Any, Any]] = []
    ok = True
    visible = model.visible
    for k in ks:
        a = acts[k]
        t = step(s, a)
        amp.append((k, a, t))
        full[k] = (k, a, t)
        if ok:
            if visible(s, a, t):  # C2
                ok = False
            elif c3:
                j = index.get(t)
                if j is not None and (depth is None or depth[j] <= depth[here]):  # C3
                    ok = False
    if not ok:
        return full, False
    return amp, True


def cycle_breakers(reduced: Sequence[int], src: Sequence[int], dst: Sequence[int],
                   depth: Sequence[int]) -> list[int]:
    """Reduced states to expand fully so that no cycle runs through reduced states only.

    `reduced[i]` is 1 when state i was expanded through an ample set; (`src[k]`,
    `dst[k]`) are the ample edges of reduced states.  That every cycle holds a
    fully expanded state is the cycle condition C3 asks for (Clarke, Grumberg
    and Peled); the proviso "acyclic" checks it on the graph the search built
    instead of on each state during it.  The states on such cycles are those
    left by a topological peel from both ends (Kahn's algorithm forwards and
    backwards); every cycle has an edge that does not go deeper in discovery
    depth, and its source is returned: expanding those fully breaks every
    cycle found.  An empty list: the condition holds."""
    # Arrays, not dicts of lists: this runs on every reduced edge of the search, and Python objects per
    # edge made its transient memory larger than the whole state table's (reports/perf.md).
    code = "i" if len(reduced) < 1 << 31 else "q"  # state numbers: 4 bytes while they fit
    es, ed = array(code), array(code)
    for a, b in zip(src, dst):
        if reduced[a] and reduced[b]:
            es.append(a)
            ed.append(b)
    if not es:
        return []
    n = max(max(es), max(ed)) + 1
    out_at, out_to = _csr(es, ed, n, code)  # out_to[out_at[x]:out_at[x + 1]]: the successors of x
    in_at, in_from = _csr(ed, es, n, code)
    alive = bytearray(n)
    for x in es:
        alive[x] = 1
    for x in ed:
        alive[x] = 1
    for at, to, back_at, back in ((out_at, out_to, in_at, in_from), (in_at, in_from, out_at, out_to)):
        # peel sources (then sinks): deg[x] counts x's alive predecessors (then successors)
        deg = array(code, bytes(array(code).itemsize * n))
        todo = []
        for x in range(n):
            if alive[x]:
                k = sum(alive[y] for y in back[back_at[x]:back_at[x + 1]])
                deg[x] = k
                if not k:
                    todo.append(x)
        while todo:
            x = todo.pop()
            alive[x] = 0
            for y in to[at[x]:at[x + 1]]:
                if alive[y]:
                    deg[y] -= 1
                    if not deg[y]:
                        todo.append(y)
    return sorted({a for a, b in zip(es, ed) if alive[a] and alive[b] and depth[b] <= depth[a]})


def _csr(frm: Sequence[int], to: Sequence[int], n: int, code: str) -> tuple[array, array]:
    """Edges (frm[k], to[k]) grouped by source: ``targets[at[x]:at[x + 1]]`` are x's targets."""
    at = array("q", bytes(8 * (n + 1)))  # edge offsets: 8 bytes (there may be more edges than states)
    for x in frm:
        at[x + 1] += 1
    for x in range(n):
        at[x + 1] += at[x]
    fill = array("q", at)
    targets = array(code, bytes(array(code).itemsize * len(frm)))
    for x, y in zip(frm, to):
        targets[fill[x]] = y
        fill[x] += 1
    return at, targets
