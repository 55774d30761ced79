"""A Go program as a `checker.model.Model`: build_model(spec), outcomes.

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

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from checker.model import Property
from models import ir, props
from models.errors import InputError
from models.interp import Interpreter
from models.sched.abstract import AbstractScheduler, Action
from models.state import DONE, Data, World

__all__ = ["GoModel", "build_model", "outcome_results", "OutcomeResult", "eval_go_expr", "final_states", "exit_outputs",
           "reachable"]

_OWN = ("deadlock_free", "leak_free", "panic_free", "race_free", "terminates", "max_goroutines",
        "starvation_free")


class GoModel:
    """The checker's view of a Go program under the abstract scheduler."""

    def __init__(self, program: ir.Program, runtime: Any = None, prop_specs: Any = ()):
        self.machine = Interpreter(program, runtime)
        self.sched = AbstractScheduler(self.machine)
        self.prop_specs = tuple(prop_specs)
        self._init = self.machine.initial()
        #: partial-order reduction (`models.por`): successors computed while choosing a persistent set
        self._por_cache: tuple[World, dict[Action, World]] | None = None
        #: whether race atoms are visible (C2): the spec checks race_free, or names no property
        self.por_observes_races = not self.prop_specs or any(p.name == "race_free" for p in self.prop_specs)

    # ---- the Model protocol
    def init_states(self) -> list[World]:
        return [self._init]

    def actions(self, s: World) -> list[Action]:
        return self.sched.actions(s)

    def next_state(self, s: World, a: Action) -> World:
        c = self._por_cache
        if c is not None and c[0] is s:
            t = c[1].get(a)
            if t is not None:
                return t
        return self.sched.next(s, a).world

    # ---- partial-order reduction hooks (checker.reduce; the logic is models.por)
    def persistent_set(self, s: World, acts: list[Action]) -> list[int] | None:
        from models import por
        return por.persistent_set(self, s, acts)

    def visible(self, s: World, a: Action, t: World) -> bool:
        from models import por
        return por.visible(self, s, a, t)

    def properties(self) -> list[Property]:
        m = self.machine
        out: list[Property] = []
        for p in self.prop_specs:
            n = p.name
            if n == "deadlock_free":
                out.append(Property.deadlock_free(n, lambda s: props.deadlock_reason(m, s),
                                                  "no state where every goroutine is asleep (checkdead)"))
            elif n == "leak_free":
                out.append(Property.bottom(n, lambda s: props.leak_keys(m, s),
                                           "no goroutine stays blocked on every continuation"))
            elif n == "panic_free":
                out.append(Property.always(n, props.panic_reason, "no panic or fatal error"))
            elif n == "race_free":
                out.append(Property.always(n, lambda s: props.races(m, s), "no two conflicting accesses enabled together"))
            elif n == "terminates":
                out.append(Property.eventually(n, lambda s: props.terminated(m, s), "weak",
                                               "every weakly fair execution ends"))
            elif n == "max_goroutines":
                limit = int(p.param)
                out.append(Property.always(n, lambda s, k=limit: True if props.live_goroutines(s) <= k else
                                           f"{props.live_goroutines(s)} live goroutines, more than {k}",
                                           f"at most {limit} live goroutines"))
            elif n == "starvation_free":
                out.append(Property.progress(n, lambda s: props.lock_waiters(m, s), "strong",
                                             about="every lock waiter eventually acquires (strong fairness)"))
        return out

    # ---- hooks
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
        return self.machine.instr_of(g) if g.frames else None

    def position(self, s: World, a: Action) -> str | None:
        ins = self._instr(s, a)
        return f"{self.machine.file}:{ins.pos[0]}" if ins is not None else None

    def format_action(self, s: World, a: Action) -> str:
        m = self.machine
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
                return f"G{a[2]}: system call {g.wait[1]} returns ({m.file}:{ins.pos[0]})"
            p = s.heap[a[2]]
            names = props.object_names(m, s)
            what = "data" if p.buf else "EOF"
            return f"netpoll: pipe {names.get(a[2], a[2])} is readable ({what}), G{p.reader} is ready"
        if a[0] == "step" and s.gs[a[1] - 1].wait[:1] == ("crash",):
            return f"G{a[1]}: {s.gs[a[1] - 1].wait[1]} (its deferred calls have run: the program dies)"
        ins = self._instr(s, a)
        assert ins is not None
        src = m.program.line(ins.pos[0]) or ins.op
        note = s.gs[a[1] - 1].wait[:1]
        if note == ("wg release",):
            return f"G{a[1]}: releases the WaitGroup's waiters: {src} ({m.file}:{ins.pos[0]})"
        if note == ("wg woken",):
            return f"G{a[1]}: Wait returns from the semaphore and re-checks the counter: {src} ({m.file}:{ins.pos[0]})"
        if a[0] == "select" and type(ins) is ir.Choose:
            return f"G{a[1]}: {ins.what} gives {a[2]}: {src} ({m.file}:{ins.pos[0]})"
        if a[0] == "select":
            case = "default" if a[2] == -1 else f"case {a[2]}"
            return f"G{a[1]}: select {case}: {src} ({m.file}:{ins.pos[0]})"
        return f"G{a[1]}: {src} ({m.file}:{ins.pos[0]})"

    def view(self, s: World) -> dict[str, Any]:
        m = self.machine
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
            out["timers"] = [f"{k} {'G' if k == 'sleep' else 'chan '}{x}" for k, x in s.timers]
        out["output"] = "".join(s.output).splitlines()
        if s.panic:
            out["panic"] = s.panic
        if s.main_done:
            out["main"] = "returned"
        return out


def build_model(spec: Any) -> Any:
    """The model of `spec` (its `program` compiled): the abstract scheduler,
    or the G-M-P runtime scheduler (`models.sched.gmp`) with ``runtime.scheduler: gmp``.

    Properties named by the spec that need another scheduler or option
    (``gmp.*``, ``gc.*``, ``max_latency``) raise `InputError`."""
    if spec.program is None:
        raise InputError("the spec's Go program is not compiled", spec.path, 1, 1)
    if spec.runtime.scheduler == "gmp":
        from models.sched.gmp import build_model as build_gmp_model
        return build_gmp_model(spec)
    other = [p for p in spec.properties if p.name not in _OWN]
    if other:
        p = other[0]
        need = ("runtime.scheduler: gmp" if p.name.startswith("gmp.") or p.name == "max_latency"
                else "a gc: section (the GC model)")
        raise InputError(f"property '{p.name}' needs {need}; the abstract scheduler checks only "
                         f"{', '.join(_OWN)}", spec.path, p.line or 1, p.col or 1)
    return GoModel(spec.program, spec.runtime, spec.properties)


# --------------------------------------------------------------------------- reachability and outcomes


def reachable(model: GoModel, max_states: int = 1_000_000) -> Iterator[World]:
    """Every reachable state, breadth first (raises if `max_states` is exceeded)."""
    seen = set(model.init_states())
    q = deque(seen)
    while q:
        s = q.popleft()
        yield s
        for a in model.actions(s):
            t = model.next_state(s, a)
            if t not in seen:
                if len(seen) >= max_states:
                    raise RuntimeError(f"more than {max_states} states: outcomes are undecided")
                seen.add(t)
                q.append(t)


def final_states(model: GoModel, max_states: int = 1_000_000) -> list[World]:
    """States where every goroutine has exited (or the process ended at main's return)."""
    return [s for s in reachable(model, max_states) if not s.panic and
            (all(g.status == DONE for g in s.gs) or s.ended and s.main_done)]


def exit_outputs(model: GoModel, max_states: int = 1_000_000) -> set[tuple[str, str | None]]:
    """What the process can print before it exits, as ``(stdout, panic)`` pairs.

    Go's process ends when main returns (or at a panic), whatever other
    goroutines are doing, so this collects the output of the states where
    main has just returned or the program panicked: what ``go run`` can show."""
    out: set[tuple[str, str | None]] = set()
    inits = model.init_states()
    seen = set(inits)
    q = deque(inits)
    for s in inits:
        if s.main_done or s.panic:
            out.add(("".join(s.output), s.panic))
    while q:
        s = q.popleft()
        for a in model.actions(s):
            t = model.next_state(s, a)
            if (t.main_done and not s.main_done) or (t.panic and not s.panic):
                out.add(("".join(t.output), t.panic))
            if t not in seen:
                if len(seen) >= max_states:
                    raise RuntimeError(f"more than {max_states} states")
                seen.add(t)
                q.append(t)
    return out


@dataclass(frozen=True, slots=True)
class OutcomeResult:
    """Whether a litmus outcome is reachable under sequential consistency.

    ``reachable`` is True when some final state satisfies ``when``;
    ``witness`` is one such state (None otherwise)."""

    when: str
    reachable: bool
    witness: World | None = None


def outcome_results(spec: Any, model: GoModel | None = None, max_states: int = 1_000_000) -> list[OutcomeResult]:
    """For each ``spec.outcomes[i].when``: is it true in some final state?

    A final state is one where every goroutine has exited (a litmus program
    waits for its goroutines).  The expression is Go over package-level
    variables (`eval_go_expr`).  This is the sequentially consistent answer:
    reachable here means ``allowed``; the memory-model layer decides what
    racy programs may observe beyond SC."""
    model = model or build_model(spec)
    finals = final_states(model, max_states)
    out = []
    for oc in spec.outcomes:
        witness = next((s for s in finals if eval_go_expr(oc.when, global_values(model, s))), None)
        out.append(OutcomeResult(oc.when, witness is not None, witness))
    return out


def global_values(model: GoModel, s: World) -> dict[str, Any]:
    """Package-level scalar variables (and typed atomics) by name."""
    m = model.machine
    out: dict[str, Any] = {}
    for name, o in m.global_obj.items():
        d = s.heap[o]
        if isinstance(d, Data) and len(d.fields) == 1 and d.fields[0][0] in (0, "v"):
            out[name] = d.fields[0][1]
    return out


_TOKEN = re.compile(r'\s*(?:(\d+)|("(?:[^"\\]|\\.)*")|(true|false|nil)\b|([A-Za-z_]\w*)|(==|!=|<=|>=|&&|\|\||[-+*/%<>!()]))')


def eval_go_expr(text: str, env: dict[str, Any]) -> Any:
    """Evaluate a small Go expression: ints, strings, bools, variables, ``== !=
    < <= > >= + - * / % && || !`` and parentheses.

    >>> eval_go_expr("r1 == 0 && !(r2 > 1 || s != \\"a\\")", {"r1": 0, "r2": 1, "s": "a"})
    True
    """
    toks: list[tuple[str, Any]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        mt = _TOKEN.match(text, pos)
        if not mt or mt.end() == pos:
            raise InputError(f"cannot parse outcome expression at {text[pos:]!r}", "<outcome>", 1, pos + 1)
        pos = mt.end()
        num, st, lit, ident, op = mt.groups()
        if num:
            toks.append(("v", int(num)))
        elif st:
            toks.append(("v", st[1:-1].encode().decode("unicode_escape")))
        elif lit:
            toks.append(("v", {"true": True, "false": False, "nil": None}[lit]))
        elif ident:
            if ident not in env:
                raise InputError(f"outcome names '{ident}', which is not a package-level variable "
                                 f"(known: {', '.join(sorted(env))})", "<outcome>", 1, mt.start(4) + 1)
            toks.append(("v", env[ident]))
        elif op:
            toks.append(("o", op))
    levels = [("||",), ("&&",), ("==", "!=", "<", "<=", ">", ">="), ("+", "-"), ("*", "/", "%")]
    i = 0

    def unary() -> Any:
        nonlocal i
        kind, v = toks[i]
        i += 1
        if kind == "v":
            return v
        if v == "!":
            return not unary()
        if v == "-":
            return -unary()
        if v == "(":
            r = binary(0)
            i += 1
            return r
        raise InputError(f"unexpected '{v}' in outcome expression {text!r}", "<outcome>", 1, 1)

    def binary(level: int) -> Any:
        nonlocal i
        if level == len(levels):
            return unary()
        left = binary(level + 1)
        while i < len(toks) and toks[i][0] == "o" and toks[i][1] in levels[level]:
            o = toks[i][1]
            i += 1
            right = binary(level + 1)
            left = _apply(o, left, right)
        return left

    r = binary(0)
    if i != len(toks):
        raise InputError(f"trailing tokens in outcome expression {text!r}", "<outcome>", 1, 1)
    return r


def _apply(o: str, a: Any, b: Any) -> Any:
    if o == "&&":
        return bool(a) and bool(b)
    if o == "||":
        return bool(a) or bool(b)
    if o in ("==", "!="):
        return (type(a) is type(b) and a == b) == (o == "==")
    return Interpreter.binop(o, a, b)


