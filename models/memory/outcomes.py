"""Deciding a litmus spec's outcomes: allowed (with a witness) or forbidden (unsat).

For each outcome the candidate executions (`paths`) are encoded (`axiomatic`)
and asked whether the final values can satisfy ``when``.  Sequentially
consistent executions are tried first: a witness found there is an
interleaving, and it is confirmed against the final states of the explicit
model's exploration (`finals`, the package-level values of every final state
the checker reached: the caller passes them from its one exploration, the
state space is never explored a second time); only then are the racy
executions of MM-22 tried.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from itertools import product
from typing import Any

import z3

from checker.smt import Proved, Refuted, SmtResult, Unknown, solve
from models.errors import InputError
from models.memory.axiomatic import Execution, build
from models.memory.goexpr import GoExpr, parse
from models.memory.paths import Paths, Unsupported, torn

__all__ = ["OutcomeResult", "check_outcomes", "decide"]


@dataclass(frozen=True, slots=True)
class OutcomeResult:
    """The verdict on one ``outcomes:`` entry of a spec."""

    when: str
    verdict: str               # allowed | forbidden | unknown
    expected: str | None
    witness: str | None = None
    sc: bool = False           # the witness is a sequentially consistent execution
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.expected is None or self.verdict == self.expected

    def as_json(self) -> dict[str, Any]:
        return {"when": self.when, "verdict": self.verdict, "expected": self.expected, "witness": self.witness}


def check_outcomes(spec: Any, finals: list[dict[str, Any]] | None = None, unroll: int = 3) -> list[OutcomeResult]:
    """The verdict on every outcome `spec` lists (an empty list when none).

    `finals`: the package-level values in every final state of the explicit
    model (`models.gomodel.GoModel.globals` of the states where
    ``is_final`` holds, from a complete exploration), or None when there is
    no complete exploration to confirm sequentially consistent witnesses."""
    if not spec.outcomes:
        return []
    program = spec.program
    if program is None:
        from models.lang import compile_go
        program = compile_go(spec.source, spec.source_file, entry=spec.entry)
    exprs = [parse(o.when, spec.path, o.line, o.col) for o in spec.outcomes]
    try:
        paths = Paths(program, unroll=unroll)
    except Unsupported as err:
        return [OutcomeResult(o.when, "unknown", o.expect, reason=f"outside the axiomatic model: {err}")
                for o in spec.outcomes]
    names = sorted({n for x in exprs for n in x.names})
    for o, x in zip(spec.outcomes, exprs):
        for n in x.names:
            if n not in paths.globals:
                raise InputError(f"outcome {o.when!r} names {n!r}, which is not a package-level variable",
                                 spec.path, o.line, o.col)
    results = []
    cache: dict[bool, list[Execution | None]] = {}
    for o, e in zip(spec.outcomes, exprs):
        r, sc = decide(paths, e, names, cache)
        if isinstance(r, Refuted):
            witness, reason = r.witness, ""
            if sc and finals is not None:
                confirmed = _confirm(e, finals)
                if confirmed is False:
                    results.append(OutcomeResult(o.when, "unknown", o.expect, r.witness, sc,
                                                 "the SC witness was not reproduced by the explicit model"))
                    continue
                if confirmed:
                    witness += "\n(replayed: the explicit SC model reaches this outcome)"
            results.append(OutcomeResult(o.when, "allowed", o.expect, witness, sc, reason))
        elif isinstance(r, Proved):
            reason = "" if paths.converged and not paths.cut else (
                f"within the unrolling bound ({paths.cut} paths cut)" if paths.cut else "value domains did not converge")
            verdict = "forbidden" if not reason else "unknown"
            results.append(OutcomeResult(o.when, verdict, o.expect, None, False, reason))
        else:
            results.append(OutcomeResult(o.when, "unknown", o.expect, None, False, r.reason))
    return results


def decide(paths: Paths, expr: GoExpr, names: list[str],
           cache: dict[bool, list[Execution | None]] | None = None) -> tuple[SmtResult, bool]:
    """Is there an execution whose final values satisfy `expr`?  The racy
    executions (MM-22) decide; a sequentially consistent witness is
    preferred when one exists (it can be replayed as an interleaving)."""
    cache = {} if cache is None else cache
    relaxed, _ = _search(paths, expr, names, cache, sc=False)
    if not isinstance(relaxed, Refuted):
        return relaxed, False
    strict, _ = _search(paths, expr, names, cache, sc=True)
    return (strict, True) if isinstance(strict, Refuted) else (relaxed, False)


def _search(paths: Paths, expr: GoExpr, names: list[str], cache: dict[bool, list[Execution | None]],
            sc: bool) -> tuple[SmtResult, bool]:
    unknown: Unknown | None = None
    if sc not in cache:
        cache[sc] = [build(paths, c, names, sc=sc) for c in paths.combos]
    for ex in cache[sc]:
        if ex is None:
            continue
        goal = _goal(ex, expr)
        if goal is None:
            continue
        r = solve(ex.solver, goal, witness=functools.partial(_render_for, ex, paths))
        if isinstance(r, Refuted):
            return r, sc
        if isinstance(r, Unknown):
            unknown = r
    return (unknown or Proved()), sc


def _goal(ex: Execution, expr: GoExpr) -> Any:
    """The disjunction, over final-value assignments satisfying `expr`, of
    the reads-from choices that give them; None when none satisfies it."""
    per_var: list[list[tuple[Any, Any]]] = []
    names = sorted(expr.names)
    for name in names:
        words = []
        for k in ex.observers[name]:
            ch, cands = ex.rf[k]
            byval: dict[Any, list[Any]] = {}
            for j, w in enumerate(cands):
                v = ex.init_value[ex.events[k][2].loc] if w < 0 else ex.events[w][2].written
                byval.setdefault(v, []).append(ch == j)
            words.append([(v, z3.Or(*cs)) for v, cs in byval.items()])
        options = []
        for combo in product(*words):
            val = torn(combo[0][0], combo[1][0]) if len(combo) == 2 else combo[0][0]
            options.append((val, z3.And(*[c for _, c in combo])))
        per_var.append(options)
    disj = []
    for choice in product(*per_var):
        env = {n: v for n, (v, _) in zip(names, choice)}
        try:
            ok = expr.eval(env)
        except (TypeError, ZeroDivisionError, KeyError):
            ok = False
        if ok:
            disj.append(z3.And(*[c for _, c in choice]) if choice else z3.BoolVal(True))
    return z3.Or(*disj) if disj else None


def render(ex: Execution, m: z3.ModelRef, paths: Paths) -> str:
    """A witness execution: per goroutine, its events with the write each read saw."""
    lines = []
    where = {k: (g, e) for k, (g, _, e) in enumerate(ex.events)}
    for g in range(len(ex.gkeys)):
        parts = []
        for k, (gg, _, e) in enumerate(ex.events):
            if gg != g or e.kind in ("start", "send_ack") or (e.line == 0 and e.kind == "read"):
                continue
            txt = f"{_word(e)}@{e.line}"
            if k in ex.rf:
                ch, cands = ex.rf[k]
                w = cands[m.eval(ch, model_completion=True).as_long()]
                src = "init" if w < 0 else f"G{where[w][0] + 1}@{where[w][1].line}"
                txt = f"{_word(e)}={e.value!r}@{e.line} (from {src})"
            elif e.kind in ("write", "atomic_write", "send"):
                txt = f"{_word(e)}={e.value!r}@{e.line}"
            parts.append(txt)
        lines.append(f"G{g + 1}: " + "; ".join(parts))
    order = sorted(ex.t, key=lambda k: m.eval(ex.t[k], model_completion=True).as_long())
    sync = [f"G{ex.events[k][0] + 1}:{ex.events[k][2].kind}@{ex.events[k][2].line}" for k in order
            if ex.events[k][2].kind not in ("start", "send_ack", "go")]
    if sync:
        lines.append("sync order: " + " < ".join(sync))
    final = []
    for name, ks in ex.observers.items():
        vals = []
        for k in ks:
            ch, cands = ex.rf[k]
            w = cands[m.eval(ch, model_completion=True).as_long()]
            vals.append(ex.init_value[ex.events[k][2].loc] if w < 0 else ex.events[w][2].written)
        final.append(f"{name}={(torn(*vals) if len(vals) == 2 else vals[0])!r}")
    lines.append("final: " + ", ".join(final))
    return "\n".join(lines)


def _word(e: Any) -> str:
    kind = {"read": "read", "write": "write", "atomic_read": "load", "atomic_write": "store",
            "atomic_rmw": "rmw"}.get(e.kind, e.kind)
    loc = e.loc
    suffix = f".{loc[1]}" if isinstance(loc, tuple) and len(loc) == 2 and loc[1] in ("p", "n") and isinstance(loc[0], tuple) else ""
    return f"{kind} {e.name}{suffix}" if e.name else kind


def _confirm(expr: GoExpr, finals: list[dict[str, Any]]) -> bool:
    """Whether some final state of the explicit SC model satisfies `expr`."""
    for env in finals:
        try:
            if expr.eval(env):
                return True
        except (KeyError, TypeError):
            continue
    return False


def _render_for(ex: Execution, paths: Paths, m: z3.ModelRef) -> str:
    return render(ex, m, paths)
