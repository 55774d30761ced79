"""A Go program under the abstract scheduler, as a `checker.model.Model`.

`GoModel` composes the shared step function (`models.interp.Interpreter`),
the abstract scheduler (`models.sched.abstract`) and the Go properties
(`models.props`).  Actions are ``("step", gid)``, ``("select", gid,
case)``, ``("timer", kind, id)`` and ``("env", kind, id)`` (a system
call returns, netpoll readies a pipe reader: `models.pipe`); the hooks
speak Go:

- ``view(s)``: ``{"G1": "G1 main.go:12 chan receive ch: v := <-ch",
  "ch": "[1, 2] cap 2 closed", "x": 3, "output": [...], ...}``
- ``format_action(s, a)``: ``"G2: ch <- v (main.go:14)"``
- ``actor(s, a)``: ``"G2"`` or ``"timer"``; ``position(s, a)``:
  ``"main.go:14"``; ``fairness(s, a)``: the goroutine (``"G2"``), so weak
  and strong fairness are per goroutine; each timer is its own group, so
  is each pipe's netpoll event; a system call's return has no group (the
  environment owes it nothing: a call may block for ever).

Examples
--------
>>> from models import ir
>>> prog = ir.Program("main.go", "package main\\nfunc main() {}\\n", {
...     "init": ir.Function("init", 0, 0, 0, 0, (), (ir.Return(),))}, (), "init", "main")
>>> m = GoModel(prog)
>>> w = m.init_states()[0]
>>> m.actions(w)
[('step', 1)]
>>> w = m.next_state(w, ("step", 1))      # main's return is a visible step
>>> (w.main_done, m.actions(w), m.view(w)["G1"])
(True, [], 'G1 exited')
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from checker.model import Property
from models import ir, props
from models.interp import Interpreter
from models.options import RuntimeOptions
from models.properties import build_properties
from models.sched.abstract import AbstractScheduler, Action
from models.state import DONE, Data, World

__all__ = ["GoModel", "INVARIANTS", "resolve_runtime"]


#: Properties that are state invariants (``always``): with only these checked, `resolve_runtime`
#: leaves Mutex starvation mode out.
INVARIANTS = frozenset({"deadlock_free", "panic_free", "race_free", "max_goroutines"})


def resolve_runtime(runtime: Any, prop_specs: tuple[Any, ...]) -> Any:
    """`runtime` with ``mutex_starvation: auto`` decided for the abstract scheduler and the
    checked properties `prop_specs` (models/options.py): off when every one is an invariant
    (MU-5 only restricts which goroutine gets a contended lock, docs/reductions.md), on
    otherwise, and on when no property is named (a model built for tests or replays)."""
    opts = runtime or RuntimeOptions()
    if opts.mutex_starvation != "auto":
        return opts
    off = opts.scheduler == "abstract" and bool(prop_specs) and all(p.name in INVARIANTS for p in prop_specs)
    return replace(opts, mutex_starvation=not off, mutex_guarded=off)


class GoModel:
    """The checker's view of a Go program under the abstract scheduler."""

    def __init__(self, program: ir.Program, runtime: Any = None, prop_specs: Any = ()):
        self.prop_specs = tuple(prop_specs)
        self.interp = Interpreter(program, resolve_runtime(runtime, self.prop_specs))
        self.sched = AbstractScheduler(self.interp)
        #: computed on first use, inside the search: a model limit reached by main's first
        #: step (unbounded recursion) is then the search's ``unknown``, not a crash
        self._init: World | None = None
        #: partial-order reduction (`models.por`): successors computed while choosing a persistent set
        self._por_cache: tuple[World, dict[Action, World]] | None = None
        #: whether race atoms are visible (C2): the spec checks race_free, or names no property
        self.por_observes_races = not self.prop_specs or any(p.name == "race_free" for p in self.prop_specs)
        #: dead-data reset: slots no later instruction reads are cleared (`models.deadslots`) and
        #: objects nothing reaches are freed (`models.heapgc`); ``--no-dead-reset`` turns both off
        self.dead_slots = True
        #: with `dead_slots`: free what nothing reaches (off in the G-M-P and collector models)
        self.collect_garbage = True
        self._dead_cache: dict[Any, Any] = {}
        #: whether starting or ending a goroutine is visible (C2): the spec checks max_goroutines
        self.por_observes_live = not self.prop_specs or any(p.name == "max_goroutines" for p in self.prop_specs)
        #: the partitioned search's codec of this process (`state_codec`), made on first use
        self._wire_codec: Any = None
        self.memo = True

    @property
    def memo(self) -> bool:
        """Whether goroutine steps go through the transition cache (`models.memo`; ``--no-memo``)."""
        return self.sched.memo is not None

    @memo.setter
    def memo(self, on: bool) -> None:
        from models.memo import StepMemo
        if on != (self.sched.memo is not None):
            self.sched.memo = StepMemo(self.interp) if on else None

    # ---- the Model protocol
    def init_states(self) -> list[World]:
        if self._init is None:
            self._init = self.interp.initial()
        return [self._clear(self._tidy(None, self._init))]

    def _clear(self, w: World, parent: World | None = None) -> World:
        """`w` after the dead-slot reset; `parent` (a state this model returned, `w`'s predecessor)
        lets the goroutines `w` shares with it be skipped."""
        if not self.dead_slots:
            return w
        from models.deadslots import clear_dead
        return clear_dead(self.interp, w, self._dead_cache, parent)

    def actions(self, s: World) -> list[Action]:
        return self.sched.actions(s)

    # ---- the compact state table (checker.store.CompactCodec)
    def state_parts(self, s: World) -> tuple[Any, ...]:
        """`s` cut into the parts the search numbers once each: the goroutine count, each
        goroutine, each heap object, and the rest of the world as one tuple.  A step changes one
        or two of them; the others are the parent's objects."""
        return (len(s.gs), *s.gs, *s.heap, s.scalars())

    @staticmethod
    def state_from_parts(parts: list[Any]) -> World:
        n = parts[0]
        return World(tuple(parts[1:n + 1]), tuple(parts[n + 1:-1]), *parts[-1])

    def next_state(self, s: World, a: Action) -> World:
        c = self._por_cache
        if c is not None and c[0] is s:
            t = c[1].get(a)
            if t is not None:
                return self._clear(self._tidy(s, t), s)
        return self._clear(self._tidy(s, self.sched.successor(s, a)), s)

    def packed_next(self, codec: Any, s: World, key: bytes, a: Action) -> bytes:
        """``codec.pack(next_state(s, a))`` for the state `s` packed as `key` (the
        `checker.model` hook of the compact table): a goroutine's step whose writes the
        transition cache knows as part numbers is applied to `key`'s numbers, without building
        the successor (`models.memo.StepMemo.packed`)."""
        memo = self.sched.memo
        if memo is None or a[0] == "timer" or a[0] == "env":
            return codec.pack(self.next_state(s, a))
        choice = a[2] if a[0] == "select" else None
        out = memo.packed(codec, key, a[1], choice)
        if out is None:
            t = self.next_state(s, a)
            out = codec.pack(t)
            memo.learn(codec, s, key, a[1], choice, t, out, self.dead_slots and self.collect_garbage)
        return out

    def _tidy(self, s: World | None, t: World) -> World:
        """`t` without the objects nothing reaches any more (`models.heapgc`; `s` is its garbage-free
        predecessor, None for the initial state)."""
        if not (self.dead_slots and self.collect_garbage):
            return t
        from models import heapgc
        if s is not None and not heapgc.may_free(s, t):
            return t
        return heapgc.collect(self.interp.global_obj.values(), t)

    def for_walks(self) -> GoModel:
        """This model without the dead-data reset (`checker.check`'s random walks): clearing dead
        slots and freeing garbage change no enabled action nor their order, so a walk's path
        replays on this model; a step costs about half."""
        import copy

        m = copy.copy(self)
        m.dead_slots = False
        m._por_cache = None
        return m

    # ---- partial-order reduction hooks (checker.reduce; the logic is models.por)
    def persistent_set(self, s: World, acts: list[Action]) -> list[int] | None:
        from models import por
        return por.persistent_set(self, s, acts)

    def visible(self, s: World, a: Action, t: World) -> bool:
        from models import por
        return por.visible(self, s, a, t)

    def properties(self) -> list[Property]:
        return build_properties("abstract", self, self.prop_specs)

    @staticmethod
    def world_of(s: World) -> World:
        """A state is the Go world itself (properties of `models.props` read it)."""
        return s

    # ---- what the application asks of a finished exploration
    @staticmethod
    def is_final(s: World) -> bool:
        """Every goroutine has exited (or the process ended at main's return), without a panic:
        the states where a litmus outcome is read."""
        return not s.panic and (all(g.status == DONE for g in s.gs) or (s.ended and s.main_done))

    def globals(self, s: World) -> dict[str, Any]:
        """Package-level scalar variables (and typed atomics) by name, in state `s`."""
        out: dict[str, Any] = {}
        for name, o in self.interp.global_obj.items():
            d = s.heap[o]
            if isinstance(d, Data) and len(d.fields) == 1 and d.fields[0][0] in (0, "v"):
                out[name] = d.fields[0][1]
        return out

    # ---- hooks
    def state_codec(self) -> tuple[Any, Any]:
        """Canonical bytes of a `World` and back, for the partitioned search (`models.wire`): the
        bytes of every goroutine and heap object are cached on it, so a successor costs the parts
        its step changed; one codec (and its caches) per process."""
        return self._wire().encode, self._wire().decode

    def _wire(self) -> Any:
        if self._wire_codec is None:
            from models.wire import WorldCodec
            self._wire_codec = WorldCodec()
        return self._wire_codec

    def fairness(self, s: World, a: Action) -> str | None:
        if a[0] == "env":
            # a system call's return is owed nothing (unbounded); netpoll always polls eventually
            return None if a[1] == "syscall" else f"netpoll {a[2]}"
        return f"G{a[1]}" if a[0] != "timer" else f"timer {a[1]} {a[2]}"

    def actor(self, s: World, a: Action) -> str:
        if a[0] == "env":
            return f"G{a[2]}" if a[1] == "syscall" else "netpoll"
        return f"G{a[1]}" if a[0] != "timer" else "timer"

    def _instr(self, s: World, a: Action) -> ir.Instr | None:
        if a[0] == "timer" or a[0] == "env":
            return None
        g = s.gs[a[1] - 1]
        return self.interp.instr_of(g) if g.frames else None

    def position(self, s: World, a: Action) -> str | None:
        ins = self._instr(s, a)
        return f"{self.interp.program.where(ins.pos[0])}" if ins is not None else None

    def format_action(self, s: World, a: Action) -> str:
        m = self.interp
        if a[0] == "timer":
            what = {"sleep": f"time.Sleep of G{a[2]} ends", "after": "time.After fires",
                    "timer": "a time.Timer fires", "ticker": "a time.Ticker ticks",
                    "afterfunc": "a time.AfterFunc timer fires (its func starts)",
                    "deadline": "a context deadline passes (the context is cancelled)"}.get(a[1], a[1])
            return f"timer: {what}"
        if a[0] == "env":
            if a[1] == "syscall":
                g = s.gs[a[2] - 1]
                ins = m.instr_of(g)
                return f"G{a[2]}: system call {g.wait[1]} returns ({m.program.where(ins.pos[0])})"
            p = s.heap[a[2]]
            names = props.object_names(m, s)
            what = "data" if p.buf else "EOF"
            return f"netpoll: pipe {names.get(a[2], a[2])} is readable ({what}), G{p.reader} is ready"
        if a[0] == "step" and s.gs[a[1] - 1].wait[:1] == ("crash",):
            return f"G{a[1]}: {s.gs[a[1] - 1].wait[1]} (its deferred calls have run: the program dies)"
        instr = self._instr(s, a)
        assert instr is not None
        src = m.program.line(instr.pos[0]) or instr.op
        note = s.gs[a[1] - 1].wait[:1]
        if note == ("wg release",):
            return f"G{a[1]}: releases the WaitGroup's waiters: {src} ({m.program.where(instr.pos[0])})"
        if note == ("wg woken",):
            return (f"G{a[1]}: Wait returns from the semaphore and re-checks the counter: {src} "
                    f"({m.program.where(instr.pos[0])})")
        if a[0] == "select" and type(instr) is ir.Choose:
            return f"G{a[1]}: {instr.what} gives {a[2]}: {src} ({m.program.where(instr.pos[0])})"
        if a[0] == "select" and type(instr) is ir.MapKeys:
            return f"G{a[1]}: range over a map in iteration order {a[2]}: {src} ({m.program.where(instr.pos[0])})"
        if a[0] == "select":
            case = "default" if a[2] == -1 else f"case {a[2]}"
            return f"G{a[1]}: select {case}: {src} ({m.program.where(instr.pos[0])})"
        return f"G{a[1]}: {src} ({m.program.where(instr.pos[0])})"

    def waits_for(self, s: World) -> list[tuple[str, str, str]]:
        """Waits-for edges of `s` for the deadlock and leak pictures (`models.waits`)."""
        from models.waits import waits_for
        return waits_for(self.interp, s)

    def sources(self) -> dict[str, str]:
        """The program's source text by file name, shown beside a trace's steps."""
        return {self.interp.file: self.interp.program.source}

    def view(self, s: World) -> dict[str, Any]:
        m = self.interp
        names = props.object_names(m, s)
        out: dict[str, Any] = {}
        for g in s.gs:
            out[f"G{g.gid}"] = props.describe_g(m, s, g.gid, names)
        shown = set()
        for o, n in sorted(names.items(), key=lambda kv: kv[0]):
            if n in out or o >= len(s.heap):
                continue
            out[n] = props.describe_obj(s.heap[o])
            shown.add(o)
        if s.timers:
            def name(k: str, x: int) -> str:
                return f"{k} {'G' if k == 'sleep' else 'chan ' if k == 'after' else 'object '}{x}"
            held = {(e[0], e[1]): e[4] for e in s.tinfo if e[4]}  # runtime.timers: ordered (models/timeorder.py)
            out["timers"] = [name(k, x) + (" (after " + ", ".join(name(*y) for y in held[(k, x)]) + ")"
                                           if (k, x) in held else "") for k, x in s.timers]
        out["output"] = "".join(s.output).splitlines()
        if s.panic:
            out["panic"] = s.panic
        if s.main_done:
            out["main"] = "returned"
        return out
