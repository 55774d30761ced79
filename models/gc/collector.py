"""The concurrent tri-colour mark-sweep collector beside its mutators (GC-1..GC-14).

`GcModel` is a checker model: one actor ``GC`` (the collector) and one per
goroutine (``G1``, ``G2``...), each goroutine on its own P.  Every action is
atomic; a mutator action is one scenario statement including its write
barrier (the barrier is pre-publication, GC-6).

The collector's cycle (GC-9):

1. ``STW #1: sweep termination`` stops the world;
2. ``mark setup`` snapshots the goroutines (one stack root job each, GC-10),
   turns the barrier on in every P (GC-8, GC-5(d); with ``fence=False``
   only on the collector's P, the others follow by separate ``enable``
   steps, V9), records which objects are already unreachable (GC-LIVE) and
   starts the world;
3. concurrent mark: any root job (globals; one goroutine's stack, scanned
   at a safe point and black afterwards, GC-10) or any grey object drained
   (its fields shaded, itself blackened), one per step, in any order
   (``stacks_first`` instead scans every stack in the mark-setup STW, so
   all stacks are black before any object is blackened or allocated
   black: pure Yuasa, V4);
4. termination: with write-barrier buffers (``wbbuf``) and ``flush``, the
   ragged barrier flushes each P's buffer, one P per step; new work goes
   back to marking;
5. ``STW #2: mark termination``: buffers written after the ragged barrier
   restart marking (#27993); ``stack_rescan`` rescans every stack and
   drains to completion (Go 1.5-1.7, V2); the barrier goes off;
6. ``sweep`` frees every white object.  Modelled as one step before the
   world restarts: objects allocated after mark termination live in swept
   spans and are never freed by this sweep (GC-9.6).

The barrier variants (GC-4, GC-6): ``none``; ``dijkstra`` shade(new);
``yuasa`` shade(old); ``hybrid`` shade(old) and shade(new) if the writer's
stack is grey (``any_grey``: if any stack is grey, V11); ``go`` shade(old)
and shade(new) unconditionally.  Stack writes never have a barrier.  A
direct channel hand-off into another stack is barrier-protected when
``chan_barrier`` (GC-5(c), GC-14).  Allocation is black during marking
unless ``allocate="white"`` (GC-11, V7).  ``clear_marks=False`` is a
seeded completeness bug (the mark bits survive into the next cycle), which
only ``gc.no_floating_garbage_after_two_cycles`` can see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checker.model import Property
from models.gc.heap import (
    BLACK,
    COLOUR_NAMES,
    DONE,
    FREED,
    GREY,
    LIVE,
    MARK,
    NIL,
    OFF,
    PHASE_NAMES,
    RAGGED,
    STW1,
    STW2,
    UNALLOC,
    WHITE,
    GcState,
    reachable,
    root_path,
)
from models.gc.scenario import Scenario, Stmt

__all__ = ["BARRIERS", "GcConfig", "GcModel", "barrier_shades"]

BARRIERS = ("none", "dijkstra", "yuasa", "hybrid", "go")
JOB_GLOBALS = -1
_MUTATOR_PHASES = (OFF, MARK, RAGGED, DONE)


@dataclass(frozen=True, slots=True)
class GcConfig:
    """The collector's switches (the V0..V11 variants are combinations)."""

    barrier: str = "go"
    stack_rescan: bool = False
    allocate: str = "black"
    stacks_first: bool = False
    fence: bool = True
    wbbuf: bool = False
    flush: bool = True
    chan_barrier: bool = True
    any_grey: bool = False
    clear_marks: bool = True
    cycles: int = 1

    def __post_init__(self) -> None:
        if self.barrier not in BARRIERS:
            raise ValueError(f"gc barrier must be one of {', '.join(BARRIERS)}, got '{self.barrier}'")
        if self.allocate not in ("black", "white"):
            raise ValueError(f"gc allocate must be black or white, got '{self.allocate}'")
        if not isinstance(self.cycles, int) or not 1 <= self.cycles <= 4:
            raise ValueError(f"gc cycles must be an int in 1..4, got {self.cycles!r}")
        for name in ("stack_rescan", "stacks_first", "fence", "wbbuf", "flush", "chan_barrier", "any_grey",
                     "clear_marks"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"gc {name} must be true or false, got {getattr(self, name)!r}")
        if self.any_grey and self.barrier != "hybrid":
            raise ValueError("gc any_grey only applies to the hybrid barrier")


def barrier_shades(barrier: str, old: int, new: int, grey_stack: bool) -> tuple[int, ...]:
    """What a write barrier shades for a write of `new` over `old` (GC-4, GC-6):
    ``grey_stack`` is the hybrid barrier's condition (the writer's stack, or
    for a cross-stack copy either stack, is grey; V11: any stack is grey)."""
    out: list[int] = []
    if barrier in ("yuasa", "hybrid", "go"):
        out.append(old)
    if barrier in ("dijkstra", "go") or (barrier == "hybrid" and grey_stack):
        out.append(new)
    return tuple(o for o in out if o != NIL)


def _add(t: tuple[int, ...], x: int) -> tuple[int, ...]:
    return t if x in t else tuple(sorted(t + (x,)))


def _set(t: tuple[Any, ...], i: int, v: Any) -> tuple[Any, ...]:
    return t[:i] + (v,) + t[i + 1:]


@dataclass
class _Mut:
    """A state being edited by one step (lists, frozen back by `freeze`)."""

    fields: list[list[int]]
    alloc: list[int]
    colour: list[int]
    globals: list[int]
    stacks: list[list[int]]
    wbuf: list[tuple[int, ...]]
    notes: list[str]
    freed_in: list[int]
    base: GcState = field(repr=False)

    @staticmethod
    def of(s: GcState) -> _Mut:
        return _Mut([list(f) for f in s.fields], list(s.alloc), list(s.colour), list(s.globals),
                    [list(x) for x in s.stacks], list(s.wbuf), list(s.notes), list(s.freed_in), s)

    def freeze(self, **kw: Any) -> GcState:
        return self.base.with_(fields=tuple(tuple(f) for f in self.fields), alloc=tuple(self.alloc),
                               colour=tuple(self.colour), globals=tuple(self.globals),
                               stacks=tuple(tuple(x) for x in self.stacks), wbuf=tuple(self.wbuf),
                               notes=tuple(self.notes), freed_in=tuple(self.freed_in), **kw)

    def grey(self, o: int) -> None:
        """Shade: a white object turns grey (GC-1 `greyobject`)."""
        if o != NIL and self.colour[o] == WHITE:
            self.colour[o] = GREY


class GcModel:
    """The collector and a scenario's mutators as a checker model."""

    def __init__(self, scenario: Scenario, config: GcConfig, label: str = "") -> None:
        self.scenario = scenario
        self.config = config
        self.label = label or scenario.name
        self.scripts: tuple[tuple[Stmt, ...], ...] = scenario.compile()
        self.gnames = scenario.global_names
        self.snames = scenario.stack_names
        self.onames = scenario.objects
        self.n_g = len(scenario.goroutines)

    # ------------------------------------------------------------------ protocol

    def init_states(self) -> list[GcState]:
        sc = self.scenario
        n = len(sc.objects)
        fields = [[NIL] * len(sc.fields) for _ in range(n)]
        for o, f, t in sc.edges:
            fields[sc.obj(o)][sc.fields.index(f)] = sc.obj(t)
        alloc = tuple(UNALLOC if name in sc.pool else LIVE for name in sc.objects)
        globals_ = tuple(NIL if t is None else sc.obj(t) for _, t in sc.globals)
        stacks = tuple(tuple(NIL if t is None else sc.obj(t) for t in g.init) for g in sc.goroutines)
        return [GcState(fields=tuple(tuple(f) for f in fields), alloc=alloc, colour=(WHITE,) * n, globals=globals_,
                        stacks=stacks, stack_black=(False,) * self.n_g, pcs=(0,) * self.n_g,
                        barrier=(False,) * self.n_g, wbuf=((),) * self.n_g, notes=("",) * n,
                        freed_in=(0,) * n)]

    def actions(self, s: GcState) -> list[tuple[Any, ...]]:
        out: list[tuple[Any, ...]] = []
        if s.phase in _MUTATOR_PHASES:
            for g in range(self.n_g):
                if s.pcs[g] < len(self.scripts[g]):
                    out.append(("G", g))
        out.extend(self._gc_actions(s))
        return out

    def _gc_actions(self, s: GcState) -> list[tuple[Any, ...]]:
        c = self.config
        if s.phase == OFF:
            return [("gc", "stw1")] if s.cycle < c.cycles else []
        if s.phase == STW1:
            return [("gc", "setup")]
        if s.phase in (MARK, RAGGED):
            out: list[tuple[Any, ...]] = [("gc", "enable", g) for g in range(self.n_g) if not s.barrier[g]]
            out += [("gc", "job", j) for j in s.jobs]
            out += [("gc", "drain", o) for o, col in enumerate(s.colour) if col == GREY]
            if not s.jobs and GREY not in s.colour:
                if c.wbbuf and c.flush and s.ragged < self.n_g:
                    out.append(("gc", "flush", s.ragged))
                else:
                    out.append(("gc", "stw2"))
            return out
        if s.phase == STW2:
            return [("gc", "sweep")]
        return []

    def next_state(self, s: GcState, a: tuple[Any, ...]) -> GcState:
        if a[0] == "G":
            return self._mutate(s, a[1])
        return self._collect(s, a)

    # ------------------------------------------------------------------ the collector

    def _collect(self, s: GcState, a: tuple[Any, ...]) -> GcState:
        c = self.config
        kind = a[1]
        if kind == "stw1":
            return s.with_(phase=STW1)
        if kind == "setup":
            reach = reachable(s, self.gnames, self.snames)
            doomed = tuple(o for o, st in enumerate(s.alloc) if st == LIVE and o not in reach)
            stack_jobs = () if c.stacks_first else tuple(range(self.n_g))
            jobs = tuple(sorted((JOB_GLOBALS,) + stack_jobs)) if self.gnames else stack_jobs
            barrier = (True,) * self.n_g if c.fence else (False,) * self.n_g
            st = s.with_(phase=MARK, jobs=jobs, barrier=barrier, doomed=doomed, missed=(), ragged=0)
            if c.stacks_first:  # pure Yuasa: every stack snapshotted while the world is stopped (V4)
                m = _Mut.of(st)
                for slots in m.stacks:
                    for p in slots:
                        m.grey(p)
                return m.freeze(stack_black=(True,) * self.n_g)
            return st
        m = _Mut.of(s)
        if kind == "enable":
            return s.with_(barrier=_set(s.barrier, a[2], True))
        if kind == "job":
            j = a[2]
            black = list(s.stack_black)
            if j == JOB_GLOBALS:
                for p in m.globals:
                    m.grey(p)
            else:
                for p in m.stacks[j]:
                    m.grey(p)
                black[j] = True
            return m.freeze(jobs=tuple(x for x in s.jobs if x != j), stack_black=tuple(black), ragged=0)
        if kind == "drain":
            o = a[2]
            for p in m.fields[o]:
                m.grey(p)
            m.colour[o] = BLACK
            return m.freeze(ragged=0)
        if kind == "flush":
            k = a[2]
            for p in m.wbuf[k]:
                m.grey(p)
            had = bool(m.wbuf[k]) and any(m.colour[p] == GREY for p in m.wbuf[k])
            m.wbuf[k] = ()
            return m.freeze(ragged=0 if had else s.ragged + 1, phase=MARK if had else RAGGED)
        if kind == "stw2":
            if c.wbbuf and c.flush and any(s.wbuf):
                # #27993: barriers ran after the ragged barrier; flush and resume marking.
                for k in range(self.n_g):
                    for p in m.wbuf[k]:
                        m.grey(p)
                    m.wbuf[k] = ()
                if GREY in m.colour:
                    return m.freeze(phase=MARK, ragged=0)
            if c.stack_rescan:
                for g in range(self.n_g):
                    for p in m.stacks[g]:
                        m.grey(p)
                while GREY in m.colour:
                    o = m.colour.index(GREY)
                    for p in m.fields[o]:
                        m.grey(p)
                    m.colour[o] = BLACK
            return m.freeze(phase=STW2)
        if kind == "sweep":
            cycle = s.cycle + 1
            for o, a_st in enumerate(m.alloc):
                if a_st == LIVE and m.colour[o] == WHITE:
                    m.alloc[o] = FREED
                    m.freed_in[o] = cycle
            missed = tuple(o for o in s.doomed if m.alloc[o] != FREED)
            if c.clear_marks:  # the mark bits become the alloc bits; the next cycle starts white (GC-9.6)
                m.colour = [WHITE] * len(m.colour)
            m.wbuf = [()] * self.n_g
            return m.freeze(phase=DONE if cycle >= c.cycles else OFF, cycle=cycle, stack_black=(False,) * self.n_g,
                            barrier=(False,) * self.n_g, jobs=(), ragged=0, missed=missed, doomed=())
        raise ValueError(f"unknown collector action {a!r}")

    # ------------------------------------------------------------------ the mutators

    def _shade(self, m: _Mut, s: GcState, g: int, o: int) -> None:
        """The barrier's shade: into the P's wbBuf (GC-6) or straight to grey."""
        if o == NIL or m.colour[o] != WHITE:
            return
        if self.config.wbbuf:
            m.wbuf[g] = _add(m.wbuf[g], o)
        else:
            m.grey(o)

    def _barrier(self, m: _Mut, s: GcState, g: int, old: int, new: int, peer: int = -1) -> str:
        """Run the write barrier of goroutine g's P for a write of `new`
        over `old`; return how it treated the pointers (for notes)."""
        c = self.config
        if not s.barrier[g]:
            return "the barrier was still off on this P (no fence at mark start, V9)" if s.marking else ""
        b = c.barrier
        grey_stack = not s.stack_black[g] or (peer >= 0 and not s.stack_black[peer])
        if c.any_grey:
            grey_stack = not all(s.stack_black)
        for o in barrier_shades(b, old, new, grey_stack):
            self._shade(m, s, g, o)
        if b == "none":
            return "no write barrier (V0)"
        if b == "dijkstra":
            return "the Dijkstra barrier shades only the new pointer"
        if b == "yuasa":
            return "the Yuasa barrier shades only the old pointer"
        if b == "hybrid":
            return ("the hybrid barrier shaded the old pointer only: the writer's stack was already black"
                    if not grey_stack else "the hybrid barrier")
        return "the go barrier (old and new)"

    def _note(self, m: _Mut, s: GcState, g: int, text: str, why: str, *objs: int) -> None:
        if not s.marking:
            return
        for o in objs:
            if o == NIL or m.colour[o] != WHITE:
                continue
            if self.config.wbbuf and o in m.wbuf[g] and why:
                why_o = "recorded only in the P's write-barrier buffer, which was never flushed (V10)"
            else:
                why_o = why
            if why_o:
                # keep the last two unshaded moves: how it got where it is, how it lost its other path
                prev = m.notes[o].split("; then ")[-1]
                m.notes[o] = (prev + "; then " if prev else "") + f"G{g + 1}: `{text}` ({why_o})"

    def _mutate(self, s: GcState, g: int) -> GcState:
        st = self.scripts[g][s.pcs[g]]
        m = _Mut.of(s)
        pcs = _set(s.pcs, g, s.pcs[g] + 1)

        def val(ref: tuple[str, int]) -> int:
            kind, i = ref
            return NIL if kind == "nil" else m.stacks[g][i] if kind == "s" else m.globals[i]

        if st.op in ("stack", "load"):
            if st.op == "load":
                base = val(st.src)
                if base == NIL:  # nil dereference: the goroutine panics and stops here
                    return s.with_(pcs=_set(s.pcs, g, len(self.scripts[g])))
                v = m.fields[base][st.field]
            else:
                v = val(st.src)
            old = m.stacks[g][st.dst[1]]
            m.stacks[g][st.dst[1]] = v
            self._note(m, s, g, st.text, "a stack write has no barrier", v, old)
        elif st.op in ("store", "gstore"):
            new = val(st.src)
            if st.op == "store":
                base = val(st.dst)
                if base == NIL:
                    return s.with_(pcs=_set(s.pcs, g, len(self.scripts[g])))
                old = m.fields[base][st.field]
            else:
                old = m.globals[st.dst[1]]
            why = self._barrier(m, s, g, old, new) if s.marking else ""
            if st.op == "store":
                m.fields[base][st.field] = new
            else:
                m.globals[st.dst[1]] = new
            self._note(m, s, g, st.text, why, new, old)
        elif st.op == "new":
            o = st.obj
            if m.alloc[o] != UNALLOC:  # a script allocating the same pool object twice
                raise ValueError(f"scenario {self.scenario.name}: {o} allocated twice")
            m.alloc[o] = LIVE
            m.colour[o] = BLACK if s.marking and self.config.allocate == "black" else WHITE
            old = m.stacks[g][st.dst[1]]
            m.stacks[g][st.dst[1]] = o
            self._note(m, s, g, st.text, "allocated white during mark (V7)", o)
            self._note(m, s, g, st.text, "a stack write has no barrier", old)
        elif st.op == "send":
            v = val(st.src)
            peer, slot = st.peer, st.dst[1]
            old = m.stacks[peer][slot]
            why = ""
            if s.marking:
                if self.config.chan_barrier:
                    why = self._barrier(m, s, g, old, v, peer=peer)
                elif s.barrier[g]:
                    why = f"direct hand-off into G{peer + 1}'s stack without a barrier (V8)"
                else:
                    why = self._barrier(m, s, g, old, v)
            m.stacks[peer][slot] = v
            self._note(m, s, g, st.text, why, v, old)
        else:
            raise ValueError(st.op)
        return m.freeze(pcs=pcs)

    # ------------------------------------------------------------------ properties

    def properties(self) -> list[Property]:
        return [
            Property.always("gc.no_dangling", self.no_dangling,
                            about="GC-SAFE: no object reachable from a root is ever freed"),
            Property.always("gc.strong_tricolor", self.strong_tricolor,
                            about="GC-2: during marking no black heap object points to a white object"),
            Property.always("gc.weak_tricolor", self.weak_tricolor,
                            about="GC-3 (modified): a white object pointed to by a black object or black stack "
                                  "is reachable from a grey heap object through white objects"),
            Property.leads_to("gc.marking_terminates", lambda s: s.phase == MARK,
                              lambda s: s.phase in (STW2, OFF, DONE), fairness="weak",
                              about="GC-LIVE: marking terminates"),
            Property.always("gc.no_floating_garbage_after_two_cycles", self.no_floating_garbage,
                            about="GC-LIVE: an object unreachable when a cycle's marking starts is freed by "
                                  "that cycle's sweep, so garbage survives at most two cycles"),
        ]

    def _name(self, node: str | int) -> str:
        return self.onames[node] if isinstance(node, int) else node

    def no_dangling(self, s: GcState) -> bool | str:
        """GC-SAFE, with the explanation of the first lost object."""
        if FREED not in s.alloc:
            return True
        reach = reachable(s, self.gnames, self.snames)
        lost = [o for o in sorted(reach) if s.alloc[o] == FREED]
        if not lost:
            return True
        o = lost[0]
        path = root_path(s, o, self.gnames, self.snames) or []
        chain = " -> ".join(self._name(n) for n in path)
        note = s.notes[o] or "no unshaded write recorded"
        return (f"object {self.onames[o]} was freed by the sweep of cycle {s.freed_in[o]} (the last step) "
                f"while reachable from root {self._name(path[0]) if path else '?'} ({chain}); "
                f"not shaded because {note}")

    @staticmethod
    def _white(s: GcState) -> set[int]:
        """White objects, counting a pointer recorded in a wbBuf as shaded:
        the buffer is a deferred shade that the ragged barrier completes (GC-6)."""
        buffered = {p for buf in s.wbuf for p in buf}
        return {o for o, c in enumerate(s.colour) if c == WHITE and o not in buffered}

    def strong_tricolor(self, s: GcState) -> bool | str:
        if not s.marking:
            return True
        white = self._white(s)
        for o, fs in enumerate(s.fields):
            if s.alloc[o] == LIVE and s.colour[o] == BLACK:
                for f, p in enumerate(fs):
                    if p in white:
                        return (f"black {self.onames[o]}.{self.scenario.fields[f]} points to white "
                                f"{self.onames[p]} (GC-2)")
        return True

    def weak_tricolor(self, s: GcState) -> bool | str:
        """GC-3, modified for the hybrid barrier: only grey *heap* objects
        protect (pointers waiting in a wbBuf count as grey, and so do the
        globals while their root job is pending: they are data, not
        stacks); sources are black heap objects and black stacks."""
        if not s.marking:
            return True
        white = self._white(s)
        sources: list[tuple[str, int]] = []
        for o, fs in enumerate(s.fields):
            if s.alloc[o] == LIVE and s.colour[o] == BLACK:
                sources += [(f"black {self.onames[o]}.{self.scenario.fields[f]}", p) for f, p in enumerate(fs)]
        if not self.config.stack_rescan:  # Dijkstra with rescan keeps stacks permagrey (GC-4)
            for g in range(self.n_g):
                if s.stack_black[g]:
                    sources += [(f"black stack G{g + 1}.{self.snames[g][k]}", p) for k, p in enumerate(s.stacks[g])]
        if not any(p in white for _, p in sources):
            return True
        greys = [o for o, c in enumerate(s.colour) if s.alloc[o] == LIVE and (c == GREY or c == WHITE and o not in white)]
        seen: set[int] = set()
        frontier = list(greys)
        if JOB_GLOBALS in s.jobs:
            frontier += [p for p in s.globals if p in white]
            seen.update(p for p in s.globals if p in white)
        while frontier:
            o = frontier.pop()
            for p in s.fields[o]:
                if p in white and p not in seen:
                    seen.add(p)
                    frontier.append(p)
        for where, p in sources:
            if p in white and p not in seen:
                return f"{where} points to white {self.onames[p]}, which no grey heap object protects (GC-3)"
        return True

    def no_floating_garbage(self, s: GcState) -> bool | str:
        if not s.missed:
            return True
        names = ", ".join(self.onames[o] for o in s.missed)
        return f"unreachable when cycle {s.cycle}'s marking started but not freed by its sweep: {names}"

    # ------------------------------------------------------------------ hooks

    def view(self, s: GcState) -> dict[str, Any]:
        """Named variables; ``colour`` maps every allocated object to its colour,
        so the diff-based text view shows each colour change."""
        objs: dict[str, Any] = {}
        colour: dict[str, str] = {}
        for o, name in enumerate(self.onames):
            if s.alloc[o] == UNALLOC:
                continue
            fs = {f: (None if p == NIL else self.onames[p]) for f, p in zip(self.scenario.fields, s.fields[o])}
            objs[name] = fs if s.alloc[o] == LIVE else "freed"
            colour[name] = COLOUR_NAMES[s.colour[o]] if s.alloc[o] == LIVE else "freed"
        out: dict[str, Any] = {
            "phase": PHASE_NAMES[s.phase], "cycle": s.cycle, "colour": colour, "heap": objs,
            "globals": {n: (None if p == NIL else self.onames[p]) for n, p in zip(self.gnames, s.globals)},
        }
        for g in range(self.n_g):
            out[f"G{g + 1}"] = {
                "stack": {n: (None if p == NIL else self.onames[p]) for n, p in zip(self.snames[g], s.stacks[g])},
                "stack_colour": "black" if s.stack_black[g] else "grey",
                "barrier": s.barrier[g], "next": self._next_text(s, g),
                **({"wbbuf": [self.onames[p] for p in s.wbuf[g]]} if self.config.wbbuf else {}),
            }
        return out

    def _next_text(self, s: GcState, g: int) -> str:
        return self.scripts[g][s.pcs[g]].text if s.pcs[g] < len(self.scripts[g]) else "(end)"

    def format_action(self, s: GcState, a: tuple[Any, ...]) -> str:
        if a[0] == "G":
            return f"G{a[1] + 1}: {self.scripts[a[1]][s.pcs[a[1]]].text}"
        kind = a[1]
        if kind == "stw1":
            return f"GC: STW #1, sweep termination (cycle {s.cycle + 1})"
        if kind == "setup":
            return "GC: mark setup: barrier on" + (" in every P" if self.config.fence else " on the GC's P only") + \
                (", every stack scanned" if self.config.stacks_first else "") + ", root jobs queued, start the world"
        if kind == "enable":
            return f"GC: enable the write barrier on G{a[2] + 1}'s P"
        if kind == "job":
            j = a[2]
            return "GC: root job: globals" if j == JOB_GLOBALS else f"GC: root job: scan G{j + 1}'s stack"
        if kind == "drain":
            return f"GC: drain {self.onames[a[2]]} (blacken)"
        if kind == "flush":
            return f"GC: ragged barrier: flush G{a[2] + 1}'s P's wbBuf"
        if kind == "stw2":
            return "GC: STW #2, mark termination" + (" with stack rescan" if self.config.stack_rescan else "")
        if kind == "sweep":
            return "GC: sweep frees every white object"
        return str(a)

    def actor(self, s: GcState, a: tuple[Any, ...]) -> str:
        return f"G{a[1] + 1}" if a[0] == "G" else "GC"

    def fairness(self, s: GcState, a: tuple[Any, ...]) -> str:
        return self.actor(s, a)
