"""z3 result types and small solver helpers, model-agnostic.

Every z3 question in the project answers with one of three values, never
``None``: `Proved` (the negated goal is unsat), `Refuted` (a
satisfying model, with a witness rendered by the caller) or `Unknown`
(z3 gave up, or a bound was hit; the reason says which).  Solver scopes are
context managers, as in mypyvy (``with frame(s): ...``).

Examples
--------
>>> import z3
>>> x = z3.Int("x")
>>> s = solver(timeout_ms=1000)
>>> with frame(s):
...     s.add(x > 2, x < 2)
...     solve(s)
Proved()
>>> r = solve(s, x == 3, witness=lambda m: f"x={m.eval(x)}")
>>> (r.holds, r.witness)
(False, 'x=3')
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import z3

__all__ = ["Proved", "Refuted", "SmtResult", "Unknown", "distinct_ints", "frame", "solve", "solver"]


@dataclass(frozen=True, slots=True)
class Proved:
    """The query is unsatisfiable: the property holds for every value."""

    holds: bool = field(default=True, init=False)

    def __repr__(self) -> str:
        return "Proved()"


@dataclass(frozen=True, slots=True)
class Refuted:
    """The query is satisfiable; `model` is z3's model, `witness` its rendering."""

    model: Any
    witness: str = ""
    holds: bool = field(default=False, init=False)

    def __repr__(self) -> str:
        return f"Refuted({self.witness!r})"


@dataclass(frozen=True, slots=True)
class Unknown:
    """z3 could not decide (timeout, incompleteness) or a bound was hit."""

    reason: str
    holds: bool = field(default=False, init=False)


SmtResult = Proved | Refuted | Unknown


def solver(timeout_ms: int = 30_000) -> z3.Solver:
    """A fresh solver with a per-check timeout."""
    s = z3.Solver()
    s.set("timeout", timeout_ms)
    return s


@contextmanager
def frame(s: z3.Solver) -> Iterator[z3.Solver]:
    """A solver scope: assertions added inside are dropped on exit."""
    s.push()
    try:
        yield s
    finally:
        s.pop()


def solve(s: z3.Solver, *assumptions: Any, witness: Callable[[z3.ModelRef], str] | None = None) -> SmtResult:
    """Check `s` (plus `assumptions`, in a scope): sat gives a `Refuted`
    whose witness is ``witness(model)``; unsat gives `Proved`."""
    with frame(s):
        if assumptions:
            s.add(*assumptions)
        r = s.check()
        if r == z3.unsat:
            return Proved()
        if r == z3.sat:
            m = s.model()
            return Refuted(m, witness(m) if witness else str(m))
        return Unknown(f"z3: {s.reason_unknown()}")


def distinct_ints(s: z3.Solver, xs: list[z3.ArithRef]) -> None:
    """Assert that the integer terms `xs` are pairwise distinct (a total order)."""
    if len(xs) > 1:
        s.add(z3.Distinct(*xs))
