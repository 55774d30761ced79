"""Helpers the tests share (one copy each): spec paths, reachability, outputs, outcomes.

These used to live in the product (models/world.py); only tests need them.
"""

from __future__ import annotations

import glob
import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from checker.check import check
from gocheck.factory import build_model
from gocheck.spec import Spec, apply_override, load_spec
from models.memory.goexpr import parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPECS = os.path.join(ROOT, "specs")
GO = os.path.join(ROOT, "tests", "go")


def spec_path(name: str) -> str:
    """specs/NAME.yaml (NAME may hold a sub-folder, like litmus/L1)."""
    return os.path.join(SPECS, name + ".yaml")


def spec(name: str, **runtime: Any) -> Spec:
    """specs/NAME.yaml loaded, with ``runtime.K = V`` overrides."""
    s = load_spec(spec_path(name))
    for k, v in runtime.items():
        s = apply_override(s, "runtime." + k, v)
    return s


def program_specs(scheduler: str = "abstract") -> list[str]:
    """Every program spec under specs/ and specs/litmus/ for `scheduler`."""
    out = []
    for path in sorted(glob.glob(os.path.join(SPECS, "*.yaml")) + glob.glob(os.path.join(SPECS, "litmus", "*.yaml"))):
        s = load_spec(path, compile=False)
        if s.kind == "program" and s.runtime.scheduler == scheduler:
            out.append(path)
    return out


def reachable(model: Any, max_states: int = 1_000_000) -> Iterator[Any]:
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
                    raise RuntimeError(f"more than {max_states} states")
                seen.add(t)
                q.append(t)


def edges(model: Any) -> Iterator[tuple[Any, Any, Any]]:
    """Every edge ``(state, action, successor)`` of the reachable graph, breadth first."""
    init = model.init_states()
    seen = set(init)
    q = deque(init)
    while q:
        s = q.popleft()
        for a in model.actions(s):
            t = model.next_state(s, a)
            yield s, a, t
            if t not in seen:
                seen.add(t)
                q.append(t)


def exit_outputs(model: Any, max_states: int = 1_000_000) -> set[tuple[str, str | None]]:
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


def sc_finals(s: Spec, max_states: int = 200_000) -> list[dict[str, Any]]:
    """Package-level values in every final state of the explicit SC model (one exploration)."""
    model = build_model(s)
    result = check(model, max_states=max_states, properties=[])
    assert result.stats.complete, result.stats.stop_reason
    return [model.globals(x) for x in result.states if model.is_final(x)]


@dataclass(frozen=True, slots=True)
class OutcomeReach:
    """Whether a litmus outcome holds in some final state under sequential consistency."""

    when: str
    reachable: bool


def outcome_results(s: Spec) -> list[OutcomeReach]:
    """For each ``s.outcomes[i].when``: is it true in some final state of the SC model?"""
    finals = sc_finals(s)
    return [OutcomeReach(o.when, any(outcome_holds(o.when, env) for env in finals)) for o in s.outcomes]


def outcome_holds(when: str, env: dict[str, Any]) -> bool:
    """Whether the Go expression `when` is true over package-level values `env`."""
    try:
        return bool(parse(when).eval(env))
    except (KeyError, TypeError):
        return False


class TableModel:
    """A model from an adjacency table: state -> [(action, target, fairness group)], with optional
    persistent sets (state -> action indices) for the partial-order reduction."""

    def __init__(self, edges: dict[int, list[tuple[str, int, str | None]]], props: list[Any] | None = None,
                 inits: tuple[int, ...] = (0,), persistent: dict[int, list[int]] | None = None):
        self.edges, self.props, self.inits = edges, props or [], inits
        if persistent is not None:
            self.persistent = persistent
            self.persistent_set = lambda s, acts: self.persistent.get(s)
            self.visible = lambda s, a, t: False

    def init_states(self) -> list[int]:
        return list(self.inits)

    def actions(self, s: int) -> list[str]:
        return [a for a, _, _ in self.edges.get(s, [])]

    def next_state(self, s: int, a: str) -> int:
        return next(t for b, t, _ in self.edges[s] if b == a)

    def fairness(self, s: int, a: str) -> Any:
        return next(g for b, _, g in self.edges[s] if b == a)

    def properties(self) -> list[Any]:
        return self.props
