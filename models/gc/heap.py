"""The heap as a graph: objects with pointer fields, roots, colours (GC-1).

A GC state is one frozen `GcState` of tuples of ints, so the checker can hash
and compare it.  Pointers are object indices; ``NIL`` (-1) is the nil pointer.
Roots are the globals (the data/BSS root job), each goroutine's stack slots
(GC-10) and nothing else: the scenarios have no finalizers or tiny-alloc
blocks, which the runtime greys at mark setup and which never hide a pointer.

Reachability and the explanation of a lost object are graph questions, so
they go through networkx: `heap_graph` turns a state into a ``DiGraph``
whose nodes are objects (ints) and roots (strings ``"global a"``,
``"G1.p"``), and `reachable` / `root_path` ask it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import networkx as nx

__all__ = ["NIL", "WHITE", "GREY", "BLACK", "UNALLOC", "LIVE", "FREED", "COLOUR_NAMES", "GcState",
           "heap_graph", "reachable", "root_path"]

NIL = -1
WHITE, GREY, BLACK = 0, 1, 2
COLOUR_NAMES = ("white", "grey", "black")
UNALLOC, LIVE, FREED = 0, 1, 2

# Collector phases (GC-8, GC-9).  OFF: _GCoff before a cycle (barrier off,
# allocate white); STW1: the world is stopped for sweep termination; MARK:
# _GCmark, concurrent; RAGGED: termination detection, the ragged barrier
# flushing per-P wbBufs one P at a time (world running); STW2: mark
# termination, world stopped, the sweep is next; DONE: the `cycles` bound
# is reached, the collector stops.
OFF, STW1, MARK, RAGGED, STW2, DONE = range(6)
PHASE_NAMES = ("off", "sweep termination (STW)", "mark", "mark done (ragged barrier)",
               "mark termination (STW)", "done")


@dataclass(frozen=True, slots=True)
class GcState:
    """One state of the collector beside its mutators.

    - ``fields[o]``: object o's pointer fields; ``alloc[o]``: UNALLOC (not yet
      allocated: a slot of the scenario's allocation pool), LIVE or FREED;
      ``colour[o]``: WHITE, GREY or BLACK (GC-1).
    - ``globals``: the package-level pointer variables; ``stacks[g]``: the
      stack slots of goroutine g; ``stack_black[g]``: g's stack was scanned
      this cycle (GC-10: a scanned stack is black until the cycle ends).
    - ``pcs[g]``: the next statement of g's script.
    - ``phase``, ``jobs`` (root jobs left: -1 globals, g a stack),
      ``barrier[g]``: the write barrier is on in the P that
      runs g (GC-8: enabled in every P at mark setup unless the fence is
      off, V9), ``wbuf[g]``: pointers recorded in that P's write-barrier
      buffer and not yet greyed (GC-6), ``ragged``: the next P the ragged
      barrier flushes, ``cycle``: cycles finished.
    - ``doomed``: objects unreachable when this cycle's marking started,
      which this cycle must free (GC-LIVE); ``missed``: those a finished
      sweep left alive (a GC-LIVE violation).
    - ``notes[o]``: the last pointer write that moved object o without the
      barrier shading it, for the dangling-object explanation.
    """

    fields: tuple[tuple[int, ...], ...]
    alloc: tuple[int, ...]
    colour: tuple[int, ...]
    globals: tuple[int, ...]
    stacks: tuple[tuple[int, ...], ...]
    stack_black: tuple[bool, ...]
    pcs: tuple[int, ...]
    phase: int = OFF
    jobs: tuple[int, ...] = ()
    barrier: tuple[bool, ...] = ()
    wbuf: tuple[tuple[int, ...], ...] = ()
    ragged: int = 0
    cycle: int = 0
    doomed: tuple[int, ...] = ()
    missed: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()
    freed_in: tuple[int, ...] = ()

    def with_(self, **kw: object) -> GcState:
        return replace(self, **kw)  # type: ignore[arg-type]

    @property
    def marking(self) -> bool:
        """In _GCmark or _GCmarktermination: the tricolour invariants apply."""
        return self.phase in (MARK, RAGGED, STW2)


def _root_name(kind: str, idx: int, names: tuple[str, ...] | None = None) -> str:
    return f"{kind}{idx}" if names is None else names[idx]


@lru_cache(maxsize=65536)
def heap_graph(s: GcState, global_names: tuple[str, ...], stack_names: tuple[tuple[str, ...], ...]) -> nx.DiGraph:
    """The pointer graph: objects are int nodes, roots are str nodes named
    ``global a`` and ``G1.p``; an edge per non-nil pointer (field index on
    the edge as ``field``)."""
    g = nx.DiGraph()
    for o, st in enumerate(s.alloc):
        if st != UNALLOC:
            g.add_node(o)
    for i, p in enumerate(s.globals):
        r = f"global {global_names[i]}"
        g.add_node(r, root=True)
        if p != NIL:
            g.add_edge(r, p, field=-1)
    for gi, slots in enumerate(s.stacks):
        for k, p in enumerate(slots):
            r = f"G{gi + 1}.{stack_names[gi][k]}"
            g.add_node(r, root=True)
            if p != NIL:
                g.add_edge(r, p, field=-1)
    for o, fs in enumerate(s.fields):
        if s.alloc[o] == UNALLOC:
            continue
        for f, p in enumerate(fs):
            if p != NIL:
                g.add_edge(o, p, field=f)
    return g


@lru_cache(maxsize=65536)
def reachable(s: GcState, global_names: tuple[str, ...], stack_names: tuple[tuple[str, ...], ...]) -> frozenset[int]:
    """Objects reachable from any root (GC-SAFE's "reachable")."""
    g = heap_graph(s, global_names, stack_names)
    roots = [n for n in g.nodes if isinstance(n, str)]
    out: set[int] = set()
    for r in roots:
        out.update(n for n in nx.descendants(g, r) if isinstance(n, int))
    return frozenset(out)


def root_path(s: GcState, obj: int, global_names: tuple[str, ...],
              stack_names: tuple[tuple[str, ...], ...]) -> list[str | int] | None:
    """The shortest path from some root to `obj` (roots first in name order), or None."""
    g = heap_graph(s, global_names, stack_names)
    best: list[str | int] | None = None
    for r in sorted(n for n in g.nodes if isinstance(n, str)):
        try:
            p = nx.shortest_path(g, r, obj)
        except nx.NetworkXNoPath:
            continue
        if best is None or len(p) < len(best):
            best = list(p)
    return best
