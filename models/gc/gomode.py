"""The collector beside a real Go program: a product of the Go model (either
scheduler) and the collector actor, without touching the interpreter.

Each goroutine step of the inner model (`models.gomodel.GoModel` or
`models.sched.gmp.GmpModel`) is taken as is; what it wrote is found by
comparing the world before and after (`World.heap`, every goroutine's
frames), and the write barrier runs on that difference (GC-6: the barrier is
pre-publication, so shading from the old world's values is exact):

- a heap object (struct, cell, channel buffer...) whose pointers changed: the
  pointers it lost are the old values, the ones it gained the new values, and
  the configured barrier shades them (GC-4); package-level variables get
  barriers too (GC-6 "Global writes");
- a new object is allocated black during marking (GC-11) and its initial
  pointers are barrier-protected stores (``&T{p: x}`` compiles to
  newobject plus stores);
- the acting goroutine's own frames: a stack write, no barrier;
- another goroutine's frames (a direct channel hand-off, ``chan.go:
  sendDirect``; a new goroutine's arguments): a cross-stack copy, shaded as
  GC-5(c) requires when ``chan_barrier`` (GC-14).  A goroutine created
  during marking is black from birth (GC-10).

Roots are the package-level variables (the first objects of the heap, one
root job) and every goroutine's frames (one job per goroutine of the mark
setup snapshot).  The collector's phases are those of `GcModel`
(`models.gc.collector`).  A freed object stays in the world (the
interpreter never learns of the collector); ``gc.no_dangling`` is violated
when a freed object is reachable, which is also the first moment the
program could dereference it.

Simplifications (documented in docs/gc.md): a goroutine's write-barrier
buffer stands for its P's; mark setup's fence is always on (V9 is a
scenario-only variant).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from checker.model import Property
from models import ir
from models.gc.collector import GcConfig, barrier_shades
from models.gc.heap import (
    BLACK,
    COLOUR_NAMES,
    DONE,
    GREY,
    MARK,
    OFF,
    PHASE_NAMES,
    RAGGED,
    STW1,
    STW2,
    WHITE,
)
from models.state import World

__all__ = ["GoGcModel", "GoGcState", "build_model", "refs"]

JOB_GLOBALS = -1


def refs(v: Any) -> Iterator[int]:
    """Every heap object a Go value points to (interior pointers keep their object)."""
    if isinstance(v, ir.Ref):
        yield v.obj
    elif isinstance(v, ir.Closure):
        for c in v.captures:
            yield from refs(c)
    elif isinstance(v, tuple | list):
        for x in v:
            yield from refs(x)
    elif isinstance(v, ir.WrappedError):  # an Errorf %w error: what it wraps
        yield from refs(v.wrapped)
    elif hasattr(v, "__dataclass_fields__") and not isinstance(v, ir.Type):
        for name in v.__dataclass_fields__:
            yield from refs(getattr(v, name))


def _obj_refs(o: Any) -> tuple[int, ...]:
    """The pointers an object holds, as a sorted multiset."""
    return tuple(sorted(refs(o)))


def _frame_refs(g: Any) -> tuple[int, ...]:
    """The pointers on a goroutine's stack: every frame's slots and deferred calls."""
    return tuple(sorted(x for f in g.frames for x in (*refs(f.slots), *refs(f.defers))))


@dataclass(frozen=True, slots=True)
class GoGcState:
    """The inner model's state and the collector's: colours by heap object
    id, freed objects, stack colours by goroutine (gid-1), phase, root jobs,
    wbBufs, the ragged-barrier cursor, cycles finished, and the notes that
    explain a lost object."""

    inner: Any
    colour: tuple[int, ...]
    freed: tuple[int, ...] = ()
    stack_black: tuple[bool, ...] = ()
    phase: int = OFF
    jobs: tuple[int, ...] = ()
    wbuf: tuple[tuple[int, ...], ...] = ()
    ragged: int = 0
    cycle: int = 0
    #: not part of the state's identity: the explanation of the first path (BFS: the shortest) to reach it
    notes: tuple[tuple[int, str], ...] = field(default=(), compare=False)

    @property
    def marking(self) -> bool:
        return self.phase in (MARK, RAGGED, STW2)


def _world(inner: Any) -> World:
    return inner if isinstance(inner, World) else inner.world


class GoGcModel:
    """`inner` (a Go model) with the collector interleaved at every safe point."""

    def __init__(self, inner: Any, config: GcConfig, global_names: tuple[str, ...],
                 prop_specs: Any = ()) -> None:
        self.prop_specs = tuple(prop_specs)
        self.inner = inner
        self.config = config
        self.global_names = global_names
        self.n_globals = len(global_names)

    # ------------------------------------------------------------------ protocol

    def init_states(self) -> list[GoGcState]:
        out = []
        for s in self.inner.init_states():
            w = _world(s)
            out.append(GoGcState(s, (WHITE,) * len(w.heap), stack_black=(False,) * len(w.gs),
                                 wbuf=((),) * len(w.gs)))
        return out

    def actions(self, s: GoGcState) -> list[tuple[Any, ...]]:
        out: list[tuple[Any, ...]] = []
        if s.phase in (OFF, MARK, RAGGED, DONE):
            out += [("go", a) for a in self.inner.actions(s.inner)]
        c = self.config
        if s.phase == OFF and s.cycle < c.cycles:
            out.append(("gc", "stw1"))
        elif s.phase == STW1:
            out.append(("gc", "setup"))
        elif s.phase in (MARK, RAGGED):
            out += [("gc", "job", j) for j in s.jobs]
            out += [("gc", "drain", o) for o, col in enumerate(s.colour) if col == GREY]
            if not s.jobs and GREY not in s.colour:
                n = len(s.wbuf)
                out.append(("gc", "flush", s.ragged) if c.wbbuf and c.flush and s.ragged < n else ("gc", "stw2"))
        elif s.phase == STW2:
            out.append(("gc", "sweep"))
        return out

    def next_state(self, s: GoGcState, a: tuple[Any, ...]) -> GoGcState:
        if a[0] == "go":
            return self._mutate(s, a[1])
        return self._collect(s, a)

    # ------------------------------------------------------------------ graph

    def _roots(self, w: World) -> dict[str, tuple[int, ...]]:
        out = {f"global {self.global_names[o]}": _obj_refs(w.heap[o]) for o in range(self.n_globals)}
        for g in w.gs:
            out[f"G{g.gid}"] = _frame_refs(g)
        return out

    def reachable(self, w: World) -> dict[int, str]:
        """Reachable object -> the root it is reached from (first found)."""
        seen: dict[int, str] = {}
        for root, objs in self._roots(w).items():
            stack = list(objs)
            while stack:
                o = stack.pop()
                if o in seen or o < self.n_globals:
                    continue
                seen[o] = root
                stack.extend(_obj_refs(w.heap[o]))
        return seen

    # ------------------------------------------------------------------ collector

    def _collect(self, s: GoGcState, a: tuple[Any, ...]) -> GoGcState:
        c = self.config
        w = _world(s.inner)
        kind = a[1]
        col = list(s.colour)

        def grey(o: int) -> None:
            if o >= self.n_globals and col[o] == WHITE and o not in s.freed:
                col[o] = GREY

        if kind == "stw1":
            return replace(s, phase=STW1)
        if kind == "setup":
            jobs = tuple(range(len(w.gs)))  # the allgs snapshot (GC-10)
            return replace(s, phase=MARK, jobs=(JOB_GLOBALS,) + jobs, ragged=0,
                           stack_black=(False,) * len(w.gs))
        if kind == "job":
            j = a[2]
            black = list(s.stack_black)
            if j == JOB_GLOBALS:
                for o in range(self.n_globals):
                    for p in _obj_refs(w.heap[o]):
                        grey(p)
            else:
                for p in _frame_refs(w.gs[j]):
                    grey(p)
                black[j] = True
            return replace(s, colour=tuple(col), jobs=tuple(x for x in s.jobs if x != j),
                           stack_black=tuple(black), ragged=0)
        if kind == "drain":
            o = a[2]
            for p in _obj_refs(w.heap[o]):
                grey(p)
            col[o] = BLACK
            return replace(s, colour=tuple(col), ragged=0)
        if kind == "flush":
            k = a[2]
            for p in s.wbuf[k]:
                grey(p)
            had = any(col[p] == GREY for p in s.wbuf[k])
            wbuf = s.wbuf[:k] + ((),) + s.wbuf[k + 1:]
            return replace(s, colour=tuple(col), wbuf=wbuf, ragged=0 if had else s.ragged + 1,
                           phase=MARK if had else RAGGED)
        if kind == "stw2":
            if c.wbbuf and c.flush and any(s.wbuf):  # #27993
                for buf in s.wbuf:
                    for p in buf:
                        grey(p)
                if GREY in col:
                    return replace(s, colour=tuple(col), wbuf=((),) * len(s.wbuf), phase=MARK, ragged=0)
            if c.stack_rescan:
                for g in w.gs:
                    for p in _frame_refs(g):
                        grey(p)
                while GREY in col:
                    o = col.index(GREY)
                    for p in _obj_refs(w.heap[o]):
                        grey(p)
                    col[o] = BLACK
            return replace(s, colour=tuple(col), phase=STW2)
        if kind == "sweep":
            freed = set(s.freed)
            for o in range(self.n_globals, len(col)):
                if col[o] == WHITE:
                    freed.add(o)
            cycle = s.cycle + 1
            return replace(s, colour=(WHITE,) * len(col), freed=tuple(sorted(freed)), cycle=cycle,
                           phase=DONE if cycle >= c.cycles else OFF, jobs=(), ragged=0,
                           wbuf=((),) * len(s.wbuf), stack_black=(False,) * len(s.stack_black))
        raise ValueError(a)

    # ------------------------------------------------------------------ mutators

    def _actor_gid(self, s: GoGcState, a: Any, w0: World, w1: World) -> int:
        m = re.fullmatch(r"G(\d+)", self.inner.actor(s.inner, a))
        if m:
            return int(m.group(1))
        changed = [g.gid for g, h in zip(w0.gs, w1.gs) if g.frames != h.frames]
        return changed[0] if changed else 0

    def _mutate(self, s: GoGcState, a: Any) -> GoGcState:
        t_inner = self.inner.next_state(s.inner, a)
        if not s.marking:
            return self._grow(s, t_inner)
        w0, w1 = _world(s.inner), _world(t_inner)
        gid = self._actor_gid(s, a, w0, w1)
        s = self._grow(s, t_inner)
        col = list(s.colour)
        wbuf = list(s.wbuf)
        notes = dict(s.notes)
        black = list(s.stack_black)
        c = self.config
        me = gid - 1 if gid else 0

        def shade(o: int) -> None:
            if o < self.n_globals or col[o] != WHITE or o in s.freed:
                return
            if c.wbbuf:
                if o not in wbuf[me]:
                    wbuf[me] = tuple(sorted(wbuf[me] + (o,)))
            else:
                col[o] = GREY

        def barrier(old: tuple[int, ...], new: tuple[int, ...], grey_stack: bool, what: str) -> None:
            lost, gained = _minus(old, new), _minus(new, old)
            why = "there is no write barrier" if c.barrier == "none" else f"the {c.barrier} barrier did not shade it"
            for o in lost:
                for x in barrier_shades(c.barrier, o, -1, grey_stack):
                    shade(x)
                if col[o] == WHITE and (not c.wbbuf or o not in wbuf[me]):
                    notes[o] = f"G{gid}: {what} dropped a pointer to it ({why})"
            for o in gained:
                for x in barrier_shades(c.barrier, -1, o, grey_stack):
                    shade(x)
                if col[o] == WHITE and (not c.wbbuf or o not in wbuf[me]):
                    notes[o] = f"G{gid}: {what} stored a pointer to it ({why})"

        my_grey = not (0 < gid <= len(black) and black[gid - 1])
        grey_any = not all(black)
        cond = grey_any if c.any_grey else my_grey
        for o in range(len(w1.heap)):
            new = _obj_refs(w1.heap[o])
            old = _obj_refs(w0.heap[o]) if o < len(w0.heap) else ()
            if o >= len(w0.heap):  # allocated in this step (GC-11)
                col[o] = BLACK if c.allocate == "black" else WHITE
                if c.allocate == "white":
                    notes[o] = f"G{gid}: allocated white during mark"
            if new != old:
                barrier(old, new, cond, f"a store into object #{o}")
        for i, g1 in enumerate(w1.gs):
            if i >= len(w0.gs):  # a goroutine started during marking: black from birth (GC-10)
                black[i] = True
                peer_grey = cond or not black[i]
                if c.chan_barrier:
                    barrier((), _frame_refs(g1), peer_grey, f"starting G{g1.gid}")
                continue
            if g1.gid == gid:
                continue  # the acting goroutine's own stack: no barrier
            old, new = _frame_refs(w0.gs[i]), _frame_refs(g1)
            if old != new:
                peer_grey = cond or not black[i]
                if c.chan_barrier:
                    barrier(old, new, peer_grey, f"a direct hand-off into G{g1.gid}'s stack")
                else:
                    for o in _minus(new, old):
                        if col[o] == WHITE:
                            notes[o] = f"G{gid}: a direct hand-off into G{g1.gid}'s stack without a barrier"
        return replace(s, colour=tuple(col), wbuf=tuple(wbuf), stack_black=tuple(black),
                       notes=tuple(sorted(notes.items())))

    def _grow(self, s: GoGcState, t_inner: Any) -> GoGcState:
        """The new inner state; colours/stacks padded for new objects and goroutines."""
        w = _world(t_inner)
        colour = s.colour + (WHITE,) * (len(w.heap) - len(s.colour))
        ng = len(w.gs) - len(s.stack_black)
        return replace(s, inner=t_inner, colour=colour, stack_black=s.stack_black + (False,) * ng,
                       wbuf=s.wbuf + ((),) * ng)

    # ------------------------------------------------------------------ properties

    def properties(self) -> list[Property]:
        """The spec's properties (registry kind ``gc``, `models.properties`), or all of them."""
        if not self.prop_specs:
            return self.gc_properties()
        from models.properties import build_properties
        return build_properties("gc", self, self.prop_specs)

    def gc_properties(self) -> list[Property]:
        return [
            Property.always("gc.no_dangling", self.no_dangling,
                            about="GC-SAFE: no object reachable from a root is ever freed"),
            Property.leads_to("gc.marking_terminates", lambda s: s.phase == MARK,
                              lambda s: s.phase in (STW2, OFF, DONE), fairness="weak",
                              about="GC-LIVE: marking terminates"),
        ]

    def no_dangling(self, s: GoGcState) -> bool | str:
        if not s.freed:
            return True
        reach = self.reachable(_world(s.inner))
        lost = [o for o in s.freed if o in reach]
        if not lost:
            return True
        o = lost[0]
        note = dict(s.notes).get(o, "no unshaded write recorded")
        return (f"object #{o} ({self.describe(_world(s.inner), o)}) was freed by the sweep of cycle "
                f"{s.cycle} (the last step) while reachable from {reach[o]}; not shaded because {note}")

    def describe(self, w: World, o: int) -> str:
        obj = w.heap[o]
        fields = getattr(obj, "fields", None)
        if fields is None:
            return type(obj).__name__
        body = ", ".join(f"{k}: " + ("nil" if v is None else repr(v)) for k, v in fields)
        return f"{getattr(obj, 'type', '') or 'object'}{{{body}}}"

    # ------------------------------------------------------------------ hooks

    def view(self, s: GoGcState) -> dict[str, Any]:
        out = dict(self.inner.view(s.inner)) if hasattr(self.inner, "view") else {}
        out["gc"] = {
            "phase": PHASE_NAMES[s.phase], "cycle": s.cycle,
            "colour": {f"#{o}": ("freed" if o in s.freed else COLOUR_NAMES[c])
                       for o, c in enumerate(s.colour) if o >= self.n_globals},
            "stacks": {f"G{i + 1}": "black" if b else "grey" for i, b in enumerate(s.stack_black)},
        }
        return out

    def format_action(self, s: GoGcState, a: tuple[Any, ...]) -> str:
        if a[0] == "go":
            fmt = getattr(self.inner, "format_action", None)
            return fmt(s.inner, a[1]) if fmt else str(a[1])
        kind = a[1]
        if kind == "job":
            return "GC: root job: globals" if a[2] == JOB_GLOBALS else f"GC: root job: scan G{a[2] + 1}'s stack"
        if kind == "drain":
            return f"GC: drain #{a[2]} (blacken)"
        if kind == "flush":
            return f"GC: ragged barrier: flush G{a[2] + 1}'s wbBuf"
        return {"stw1": "GC: STW #1, sweep termination", "setup": "GC: mark setup, barrier on, start the world",
                "stw2": "GC: STW #2, mark termination", "sweep": "GC: sweep frees every white object"}[kind]

    def actor(self, s: GoGcState, a: tuple[Any, ...]) -> str:
        return str(self.inner.actor(s.inner, a[1])) if a[0] == "go" else "GC"

    def fairness(self, s: GoGcState, a: tuple[Any, ...]) -> Any:
        if a[0] == "gc":
            return "GC"
        f = getattr(self.inner, "fairness", None)
        return f(s.inner, a[1]) if f else self.actor(s, a)

    def position(self, s: GoGcState, a: tuple[Any, ...]) -> str | None:
        p = getattr(self.inner, "position", None)
        return p(s.inner, a[1]) if p and a[0] == "go" else None


def _minus(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """Multiset difference of sorted tuples."""
    rest = list(b)
    out = []
    for x in a:
        if x in rest:
            rest.remove(x)
        else:
            out.append(x)
    return tuple(out)


def build_model(spec: Any) -> GoGcModel:
    """A program spec with a ``gc:`` section: the Go model under its scheduler, with the collector."""
    from models.errors import InputError
    g = spec.gc
    try:
        cfg = GcConfig(barrier=g.barrier, stack_rescan=g.stack_rescan, allocate=g.allocate,
                       wbbuf=g.barrier == "go", cycles=getattr(g, "cycles", 1))
    except ValueError as e:
        raise InputError(str(e), spec.path, 1, 1) from None
    if spec.program is None:
        raise InputError("the spec's Go program is not compiled", spec.path, 1, 1)
    if spec.runtime.scheduler == "gmp":
        from models.sched.gmp import GmpModel
        inner: Any = GmpModel(spec.program, spec.runtime, ())
    else:
        from models.gomodel import GoModel
        inner = GoModel(spec.program, spec.runtime, ())
        inner.collect_garbage = False  # objects are coloured by id: none may be freed or renumbered
    return GoGcModel(inner, cfg, tuple(g.name for g in spec.program.globals), spec.properties)
