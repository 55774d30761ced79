"""The property registry: every property a Go spec may name, in one place.

Each entry gives the name, the type of its parameter (``max_goroutines:
8``), a one-line meaning (docs/specs.md's table is checked against it), and
for each kind of model that checks it (``abstract``: the language's
scheduler, ``gmp``: the runtime's G-M-P scheduler, ``gc``: the collector)
the function that builds the engine's `checker.model.Property`.  Spec
validation, the models and the documentation all read this table, so adding
a property is one entry here.

A builder is ``build(model, param) -> Property``; ``model.interp`` is the
`models.interp.Interpreter` and ``model.world_of(s)`` projects a model
state onto the Go `World` (the identity for the abstract scheduler).

Examples
--------
>>> REGISTRY["max_goroutines"].param, sorted(REGISTRY["max_latency"].models)
(<class 'int'>, ['gmp'])
>>> unsupported("abstract", [PropertySpec("gmp.queue_bounds")]).name
'gmp.queue_bounds'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.model import Property
from models import props
from models.sched import gmp_props

__all__ = ["PropertyDef", "PropertySpec", "REGISTRY", "DEFAULT_PROPERTIES", "build_properties", "unsupported",
           "needs"]

Builder = Callable[[Any, Any], Property]


@dataclass(frozen=True, slots=True)
class PropertySpec:
    """A property named in a spec, with its parameter (``max_goroutines: 8``) and position."""

    name: str
    param: Any = None
    line: int = 0
    col: int = 0

    @property
    def label(self) -> str:
        return self.name if self.param is None else f"{self.name}: {self.param}"


@dataclass(frozen=True, slots=True)
class PropertyDef:
    """One registered property (see the module docstring)."""

    name: str
    param: type | None
    doc: str
    builders: Mapping[str, Builder] = field(default_factory=dict)

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(self.builders)


# --------------------------------------------------------------------------- builders (Go properties on the world)


def _deadlock(m: Any, _: Any) -> Property:
    it, w = m.interp, m.world_of
    return Property.deadlock_free("deadlock_free", lambda s: props.deadlock_reason(it, w(s)),
                                  "no state where every goroutine is asleep (checkdead)")


def _leak(m: Any, _: Any) -> Property:
    it, w = m.interp, m.world_of
    return Property.bottom("leak_free", lambda s: props.leak_keys(it, w(s)),
                           "no goroutine stays blocked on every continuation")


def _panic(m: Any, _: Any) -> Property:
    w = m.world_of
    return Property.always("panic_free", lambda s: props.panic_reason(w(s)), "no panic or fatal error")


def _race(m: Any, _: Any) -> Property:
    it, w = m.interp, m.world_of
    return Property.always("race_free", lambda s: props.races(it, w(s)), "no two conflicting accesses enabled together")


def _terminates(about: str) -> Builder:
    def build(m: Any, _: Any) -> Property:
        it, w = m.interp, m.world_of
        return Property.eventually("terminates", lambda s: props.terminated(it, w(s)), "weak", about)
    return build


def _max_goroutines(m: Any, param: Any) -> Property:
    w, k = m.world_of, int(param)

    def cond(s: Any) -> bool | str:
        n = props.live_goroutines(w(s))
        return True if n <= k else f"{n} live goroutines, more than {k}"
    return Property.always("max_goroutines", cond, f"at most {k} live goroutines")


def _lock_starvation(m: Any, _: Any) -> Property:
    it = m.interp
    return Property.progress("starvation_free", lambda s: props.lock_waiters(it, s), "strong",
                             about="every lock waiter eventually acquires (strong fairness)")


def _queue_starvation(m: Any, _: Any) -> Property:
    return Property.progress("starvation_free", gmp_props.starving, "weak",
                             about="no runnable goroutine stays queued forever on a fair execution")


def _max_latency(m: Any, param: Any) -> Property:
    k = int(param)
    return Property.always("max_latency", lambda s: gmp_props.latency_ok(s, k),
                           f"every runnable goroutine runs within {k} steps")


def _lost(m: Any, _: Any) -> Property:
    return Property.always("gmp.no_lost_goroutine", gmp_props.lost_goroutine,
                           "every runnable goroutine is in exactly one place")


def _queue_bounds(m: Any, _: Any) -> Property:
    return Property.always("gmp.queue_bounds", gmp_props.queue_bounds(m.size),
                           f"local run queues hold at most {m.size}")


def _work_conservation(m: Any, _: Any) -> Property:
    return Property.always("gmp.work_conservation", gmp_props.work_conservation(m.steal_mode),
                           "no P is idle while another P's run queue holds work")


def _gc(name: str) -> Builder:
    """A property of the collector beside a Go program (`models.gc.gomode`), built by that model."""
    def build(m: Any, _: Any) -> Property:
        return next(p for p in m.gc_properties() if p.name == name)
    return build


def _both(b: Builder) -> dict[str, Builder]:
    return {"abstract": b, "gmp": b}


_DEFS = [
    PropertyDef("deadlock_free", None,
                "never: main has not returned and no goroutine can move (goroutines sleeping on a pending timer, "
                "or waiting on a syscall or the network poller, are not deadlocked: Go's `checkdead` agrees)",
                _both(_deadlock)),
    PropertyDef("leak_free", None,
                "no goroutine other than main stays blocked on every continuation (found as a bottom strongly "
                "connected component of the state graph in which it is blocked throughout)", _both(_leak)),
    PropertyDef("panic_free", None,
                "no panic or fatal error: send on closed channel, close of nil/closed channel, negative WaitGroup "
                "counter, unlock of unlocked mutex, nil dereference, division by zero, explicit `panic`, a failed "
                "test", _both(_panic)),
    PropertyDef("race_free", None,
                "no reachable state has two goroutines about to make conflicting plain accesses (one a write) to "
                "the same variable, a send (a select's send case included) and a close of the same channel, or a "
                "WaitGroup Add from zero and a Wait (what Go's race detector reports); the counterexample "
                "explains which synchronization is missing", _both(_race)),
    PropertyDef("terminates", None, "every weakly fair execution ends",
                {"abstract": _terminates("every weakly fair execution ends"),
                 "gmp": _terminates("every execution fair to every P ends")}),
    PropertyDef("starvation_free", None,
                "no lock waiter (abstract) or runnable goroutine (gmp) waits forever on a fair execution",
                {"abstract": _lock_starvation, "gmp": _queue_starvation}),
    PropertyDef("max_goroutines", int, "never more than N live goroutines", _both(_max_goroutines)),
    PropertyDef("max_latency", int, "(gmp) a runnable goroutine runs within N scheduler transitions",
                {"gmp": _max_latency}),
    PropertyDef("gmp.no_lost_goroutine", None,
                "(gmp) every live goroutine is in exactly one place: running on one P, one queue slot, a wait "
                "structure", {"gmp": _lost}),
    PropertyDef("gmp.queue_bounds", None, "(gmp) no local run queue holds more than `runq_size`",
                {"gmp": _queue_bounds}),
    PropertyDef("gmp.work_conservation", None,
                "(gmp) no P finds nothing to run while another P's queue holds a runnable goroutine",
                {"gmp": _work_conservation}),
    PropertyDef("gc.no_dangling", None, "(gc) no object reachable from a root is ever freed (GC-SAFE)",
                {"gc": _gc("gc.no_dangling")}),
    PropertyDef("gc.strong_tricolor", None, "(gc) no black object points to a white one (GC-2)"),
    PropertyDef("gc.weak_tricolor", None,
                "(gc) every white object pointed to by a black one is grey-protected (GC-3)"),
    PropertyDef("gc.marking_terminates", None, "(gc) every mark phase reaches mark termination (GC-LIVE)",
                {"gc": _gc("gc.marking_terminates")}),
    PropertyDef("gc.no_floating_garbage_after_two_cycles", None,
                "(gc) an object unreachable when a cycle's marking starts is freed by that cycle (GC-LIVE)"),
]

#: Every property a Go spec may name, by name.
REGISTRY: dict[str, PropertyDef] = {d.name: d for d in _DEFS}

#: What a program spec checks when it names no property.
DEFAULT_PROPERTIES = ("deadlock_free", "leak_free", "panic_free", "race_free")

_NEEDS = {"gmp": "runtime.scheduler: gmp", "gc": "a gc: section", "abstract": "runtime.scheduler: abstract"}


def needs(name: str) -> str:
    """What a spec must say for `name` to be checked (for error messages)."""
    kinds = REGISTRY[name].models
    if not kinds:
        return "the GC model, which does not check Go programs in this build"
    return " or ".join(_NEEDS.get(k, k) for k in kinds)


def unsupported(kind: str, specs: Iterable[PropertySpec]) -> PropertySpec | None:
    """The first of `specs` that a model of `kind` does not check (or None)."""
    return next((p for p in specs if kind not in REGISTRY[p.name].builders), None)


def build_properties(kind: str, model: Any, specs: Iterable[PropertySpec]) -> list[Property]:
    """The engine properties for `specs` on `model` (a model of `kind`)."""
    return [REGISTRY[p.name].builders[kind](model, p.param) for p in specs]
