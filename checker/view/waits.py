"""The waits-for graph of a deadlock or leak: found with networkx, named in a sentence.

The edges come from the model (the optional hook ``waits_for(state)``, stored
in the trace's ``#meta.waits_for`` by `checker.trace.build`): an actor waits
on an object, an object is held or would be served by actors.  What the
model cannot know from a state, which actor holds a lock, comes from the
trace: the last actor whose lock step was not followed by its unlock step
(`checker.view.analysis.analyze` reads the steps).  Then the shortest cycle
through an actor (networkx ``simple_cycles``) is the deadlock's cycle; actors
waiting off the cycle get their chain: what they wait on and who would
serve it, or that nobody would.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from checker.trace import Counterexample
from checker.view.analysis import analyze, status

#: The property kinds whose end state is a deadlock or a leak: the kinds the graph is drawn for.
KINDS = ("deadlock", "bottom")


@dataclass(slots=True)
class WaitsFor:
    """Nodes ``(name, kind)`` with kind ``actor`` or ``object``; edges
    ``(source, target, label, on_cycle)``; the cycle's nodes; the sentences."""

    nodes: list[tuple[str, str]] = field(default_factory=list)
    edges: list[tuple[str, str, str, bool]] = field(default_factory=list)
    cycle: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"nodes": [list(n) for n in self.nodes], "edges": [list(e) for e in self.edges],
                "cycle": self.cycle, "sentences": self.sentences}


def _natural(name: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name))


def holders(cx: Counterexample) -> dict[str, list[str]]:
    """Per lock object, the actors whose last lock step on it has no unlock step after it."""
    held: dict[str, list[str]] = {}
    for e in analyze(cx)[0]:
        if not e.obj:
            continue
        if e.kind == "lock" and not e.blocked:
            held.setdefault(e.obj, []).append(e.actor)
        elif e.kind == "unlock" and held.get(e.obj):
            hs = held[e.obj]
            hs.remove(e.actor) if e.actor in hs else hs.pop(0)
    return {k: v for k, v in held.items() if v}


#: Most waits-for edges read from a trace, and most cycles enumerated among them.
MAX_EDGES = 10_000
MAX_CYCLES = 1_000


def waits_graph(cx: Counterexample) -> WaitsFor | None:
    """The graph and its sentences, or None when the trace carries no waits-for edges."""
    raw = cx.meta.get("waits_for")
    if not isinstance(raw, list) or not raw:
        return None
    last = cx.steps[-1].view if cx.steps else {}
    actors = {st.actor for st in cx.steps if st.actor} | {k for k, v in last.items() if status(v)[0] != "other"}
    g = nx.DiGraph()
    for e in raw[:MAX_EDGES]:
        if isinstance(e, list) and len(e) == 3:
            g.add_edge(str(e[0]), str(e[1]), label=str(e[2]))
    for obj, hs in holders(cx).items():
        if obj in g and obj not in actors:
            for h in hs:
                if not g.has_edge(obj, h):
                    g.add_edge(obj, h, label="held by")
    # A real waits-for graph has a handful of cycles; a hostile trace can carry a complete graph
    # with astronomically many, so only the first MAX_CYCLES are looked at (the view stays finite).
    cycles = [c for c in itertools.islice(nx.simple_cycles(g), MAX_CYCLES) if any(n in actors for n in c)]
    cycle: list[str] = []
    if cycles:
        def rotated(c: list[str]) -> list[str]:
            k = min((i for i, n in enumerate(c) if n in actors), key=lambda i: _natural(c[i]))
            return c[k:] + c[:k]
        cycle = min((rotated(c) for c in cycles), key=lambda c: (len(c), [_natural(n) for n in c]))
    on = {(cycle[i], cycle[(i + 1) % len(cycle)]) for i in range(len(cycle))}
    out = WaitsFor()
    out.nodes = [(n, "actor" if n in actors else "object") for n in sorted(g.nodes, key=_natural)]
    out.edges = [(a, b, d["label"], (a, b) in on) for a, b, d in sorted(g.edges(data=True),
                                                                        key=lambda x: (_natural(x[0]), _natural(x[1])))]
    out.cycle = cycle
    if cycle:
        parts = []
        for i in range(0, len(cycle), 2):
            a, o = cycle[i], cycle[(i + 1) % len(cycle)]
            b = cycle[(i + 2) % len(cycle)]
            if a in actors and o not in actors:
                parts.append(f"{a} waits for {o} ({g.edges[a, o]['label']}) {g.edges[o, b]['label']} {b}")
            else:
                parts.append(f"{a} waits for {o}")
        out.sentences.append("Waits-for cycle: " + ", and ".join(parts) + ": none of them can proceed.")
    clauses = [_clause(g, a) for a in _chain_order(g, actors, set(cycle))]
    if clauses:
        out.sentences.append(("Waiting: " if cycle else "Waits-for chain: ") + "; ".join(clauses) + ".")
    return out


def _servers(g: Any, o: str) -> str:
    """``is held by G1 and would be served by G2 or G3``: who releases `o`, grouped by relation."""
    by: dict[str, list[str]] = {}
    for b in sorted(g.successors(o), key=_natural):
        by.setdefault(g.edges[o, b]["label"], []).append(b)
    return " and ".join(("is " if rel in ("held by", "claimed by") else "") + f"{rel} {' or '.join(bs)}"
                        for rel, bs in by.items())


def _clause(g: Any, a: str) -> str:
    objs = sorted(g.successors(a), key=_natural)
    labels = sorted({g.edges[a, o]["label"] for o in objs})
    served = [(o, _servers(g, o)) for o in objs if g.out_degree(o)]
    if not served:
        tail = "which no goroutine holds or would serve"
    elif len(objs) == 1:
        tail = "which " + served[0][1]
    else:
        tail = "; ".join(f"{o} {txt}" for o, txt in served)
    return f"{a} waits for {' or '.join(objs)} ({', '.join(labels)}), {tail}"


def _chain_order(g: Any, actors: set[str], skip: set[str]) -> list[str]:
    """Waiting actors off the cycle, each chain read from its start: an actor nobody waits for
    first, then the actors that would serve what it waits on."""
    todo = [n for n in g.nodes if n in actors and n not in skip and g.out_degree(n)]
    waited = {b for o in g.nodes if o not in actors for b in g.successors(o)}
    order: list[str] = []

    def visit(a: str) -> None:
        if a in order or a not in todo:
            return
        order.append(a)
        for o in sorted(g.successors(a), key=_natural):
            for b in sorted(g.successors(o), key=_natural):
                visit(b)

    for a in sorted(todo, key=lambda n: (n in waited, _natural(n))):
        visit(a)
    return order
