"""The one place where a spec becomes something to check.

`build(spec)` returns either a `checker.model.Model` to explore (a Go
program under the abstract or the G-M-P scheduler, or a Python model) or a
`Proof` answered by z3 (``kind: runq_proof``).  Every kind of spec and
every scheduler is dispatched here and nowhere else; which properties a
model checks comes from the registry (`models.properties`).

Python models run code, so they come only from where the user said code may
come from: the factories registered in `PYTHON_MODELS` (the project's own
example models), or any ``module:function`` when the user passes
``--allow-python-models`` (``allow_code=True``).  A spec alone never makes
the checker import an arbitrary module.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from checker import examples
from checker.errors import InputError
from checker.model import Property
from gocheck.spec import Spec
from models.gomodel import GoModel
from models.properties import needs, unsupported

__all__ = ["PYTHON_MODELS", "Proof", "build", "build_model", "register_model", "select_properties"]

#: Python model factories a spec may name without ``--allow-python-models``.
PYTHON_MODELS: dict[str, Callable[..., Any]] = {
    f"checker.examples:{name}": getattr(examples, name)
    for name in ("phil_flat", "philosophers", "peterson", "PhilFlat", "Philosophers", "Peterson", "SpinLoop",
                 "Starver")
}


def _gc_variant(*args: Any, **kwargs: Any) -> Any:
    from models.gc import variants  # imported when used: the collector models pull in networkx
    return variants.variant(*args, **kwargs)


def _gc_model(*args: Any, **kwargs: Any) -> Any:
    from models.gc import variants
    return variants.model(*args, **kwargs)


PYTHON_MODELS["models.gc.variants:variant"] = _gc_variant
PYTHON_MODELS["models.gc.variants:model"] = _gc_model


def register_model(name: str, factory: Callable[..., Any]) -> None:
    """Allow specs to name `factory` as ``model: NAME`` (a plugin's entry point)."""
    PYTHON_MODELS[name] = factory


@dataclass(frozen=True)
class Proof:
    """A spec answered by a solver, not by exploring states: ``rows()`` gives
    one table row per obligation (property, verdict, reason, expected)."""

    spec: Spec
    rows: Callable[[], list[dict[str, Any]]]


def build(spec: Spec, *, allow_code: bool = False) -> Any:
    """The model (or `Proof`) a spec describes; `InputError` when it cannot be built."""
    if spec.kind == "runq_proof":
        from models.sched import runq_proof  # z3: imported by the specs that use it
        return Proof(spec, lambda: runq_proof.rows(spec))
    if spec.kind == "gc_proof":
        from models.gc import barrier_proof
        return Proof(spec, lambda: barrier_proof.check(spec))
    if spec.kind == "model":
        return _python_model(spec, allow_code)
    return build_model(spec)


def build_model(spec: Spec) -> Any:
    """The Go program of a spec under its scheduler (``runtime.scheduler``)."""
    if spec.program is None:
        raise InputError("the spec's Go program is not compiled", spec.path, 1, 1)
    kind = "gc" if spec.gc.enabled else spec.runtime.scheduler
    bad = unsupported(kind, spec.properties)
    if bad is not None:
        raise InputError(f"property '{bad.name}' needs {needs(bad.name)}; the {kind} scheduler model checks "
                         f"only the properties the registry lists for it (docs/specs.md)",
                         spec.path, bad.line or 1, bad.col or 1)
    if kind == "gc":  # the collector beside the program, under either scheduler
        from models.gc.gomode import build_model as build_gc_model
        return build_gc_model(spec)
    if kind == "gmp":
        from models.sched.gmp import GmpModel
        return GmpModel(spec.program, spec.runtime, spec.properties)
    return GoModel(spec.program, spec.runtime, spec.properties)


def _python_model(spec: Spec, allow_code: bool) -> Any:
    factory = PYTHON_MODELS.get(spec.model)
    if factory is None:
        if not allow_code:
            close = difflib.get_close_matches(spec.model, list(PYTHON_MODELS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise InputError(f"model '{spec.model}' is not a registered model{hint}; registered: "
                             f"{', '.join(sorted(PYTHON_MODELS))}. A spec may run other Python code only when "
                             "you pass --allow-python-models", spec.path, 1, 1)
        mod_name, _, attr = spec.model.partition(":")
        try:
            factory = getattr(importlib.import_module(mod_name), attr)
        except (ImportError, AttributeError) as e:
            raise InputError(f"cannot load model '{spec.model}': {e}", spec.path, 1, 1) from None
    try:
        return factory(**spec.model_args)
    except (TypeError, ValueError) as e:
        raise InputError(f"bad args for model '{spec.model}': {e}", spec.path, 1, 1) from None


def select_properties(spec: Spec, model: Any) -> list[Property]:
    """The model's properties that the spec names (a Python model's own names are checked here)."""
    props = list(model.properties())
    if spec.kind != "model" or not spec.properties:
        return props
    by_name = {p.name: p for p in props}
    out = []
    for ps in spec.properties:
        if ps.name not in by_name:
            close = difflib.get_close_matches(ps.name, list(by_name), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise InputError(f"the model has no property '{ps.name}'{hint}; it has: {', '.join(by_name)}",
                             spec.path, ps.line, ps.col)
        out.append(by_name[ps.name])
    return out
