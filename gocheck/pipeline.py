"""From a spec file to its report: load, build, check, report, each once.

``check_all(paths, options)`` loads each spec (`gocheck.spec`), expands its
sweep, builds the model once per point (`gocheck.factory`), checks it once
(`checker.check`: the search, then liveness on the graph), decides litmus
outcomes from that same exploration, writes the counterexample traces, and
yields one `SpecReport` per point for `gocheck.report` to print.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from checker.check import check
from checker.errors import InputError, UsageError
from checker.minimize import minimize
from checker.model import evaluate
from checker.results import PropertyResult, Result
from checker.trace import build, replay, write_itf
from gocheck.factory import Proof, select_properties
from gocheck.factory import build as build_checkable
from gocheck.spec import Spec, apply_override, load_spec

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERNAL", "EXIT_OK", "EXIT_UNKNOWN", "EXIT_VIOLATED", "Options", "SpecReport",
           "check_all", "check_spec", "combine", "severity"]

#: Exit codes (docs/design.md section 4; 4 is a bug in the checker itself).
EXIT_OK, EXIT_VIOLATED, EXIT_BAD_INPUT, EXIT_UNKNOWN, EXIT_INTERNAL = 0, 1, 2, 3, 4


def _memory() -> Any:
    """`models.memory` (litmus outcomes, race explanations), imported by the specs that need it: it
    brings z3 in, which a plain check does not use."""
    import models.memory
    return models.memory


@dataclass(frozen=True)
class Options:
    """How to check: the command line's choices, with the CLI's defaults."""

    strategy: str = "bfs"
    max_states: int | None = None
    timeout: float | None = None
    #: no random walks after a search a bound stopped (`checker.check.check`'s hunt)
    no_hunt: bool = False
    seed: int = 0
    walks: int = 1000
    #: partial-order reduction: on by default when only safety properties are checked (where it is
    #: sound: liveness would be reported unknown under it); `por` forces it, `no_por` turns it off
    por: bool = False
    no_por: bool = False
    #: the fingerprint store (hash compaction: `checker.store`)
    fingerprints: bool = False
    #: store whole states instead of their parts' numbers (`checker.store.CompactCodec`)
    no_compact: bool = False
    #: turn off the dead-variable reset (`models.deadslots`) of Go models
    no_dead_reset: bool = False
    #: turn off the transition cache of goroutine steps (`models.memo`) of Go models
    no_memo: bool = False
    #: ``runtime.mutex_starvation`` for every spec ("auto", "true", "false"; None: the spec's own)
    mutex_starvation: str | None = None
    traces: str = os.path.join("reports", "traces")
    progress: bool = False
    allow_code: bool = False
    allow_outside: bool = False
    #: checker.parallel: partitions (worker processes or Ray actors), a Ray address, swarm size
    workers: int | None = None
    ray: str | None = None
    swarm: int | None = None
    worker_memory: float | None = None


@dataclass
class SpecReport:
    """Everything the table and the JSON line show for one spec (one sweep point)."""

    spec: Spec
    when: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    exit: int = EXIT_OK
    warnings: list[str] = field(default_factory=list)


def severity(verdict: str, expected: str | None, positive: str = "holds") -> int:
    """The exit code one verdict calls for, given what the spec expects."""
    if expected is not None:
        if verdict == expected:
            return EXIT_OK
        return EXIT_UNKNOWN if verdict == "unknown" else EXIT_VIOLATED
    if verdict == "unknown":
        return EXIT_UNKNOWN
    return EXIT_OK if verdict == positive else EXIT_VIOLATED


def combine(codes: list[int]) -> int:
    """The exit code of several results: a violation beats inconclusive beats success."""
    if EXIT_VIOLATED in codes:
        return EXIT_VIOLATED
    if EXIT_UNKNOWN in codes:
        return EXIT_UNKNOWN
    return EXIT_OK


def sweep_points(spec: Spec) -> list[dict[str, Any]]:
    if not spec.sweep:
        return [{}]
    keys = list(spec.sweep)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(spec.sweep[k] for k in keys))]


def slug(text: str) -> str:
    """A file-name-safe version of `text`."""
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", text).strip("_")[:80] or "x"


def check_all(paths: list[str], options: Options) -> Iterator[SpecReport]:
    """Check each spec once per sweep point, in order; stop after a Ctrl-C."""
    for path in paths:
        spec = load_spec(path, allow_outside=options.allow_outside)
        for point in sweep_points(spec):
            s = spec
            for k, v in point.items():
                s = apply_override(s, k, v)
            report = check_spec(s, options, ", ".join(f"{k}={v}" for k, v in point.items()))
            yield report
            if report.stats.get("stop_reason") == "interrupted":
                return


def check_spec(spec: Spec, options: Options, when: str = "") -> SpecReport:
    """Build one spec's model (one sweep point), check it once, collect its report rows."""
    for flag, key, value in (("--max-states", "bounds.max_states", options.max_states),
                             ("--timeout", "bounds.timeout_s", None if options.timeout is None else float(options.timeout))):
        if value is not None:
            try:
                spec = apply_override(spec, key, value)
            except InputError as e:  # the flag's fault, not the spec's
                raise UsageError(f"{flag}: {e.message}") from None
    if options.mutex_starvation is not None and spec.kind == "program":
        ms = {"true": True, "false": False}.get(options.mutex_starvation, "auto")
        spec = apply_override(spec, "runtime.mutex_starvation", ms)
    report = SpecReport(spec, when)
    target = build_checkable(spec, allow_code=options.allow_code)
    if isinstance(target, Proof):
        report.rows = target.rows()
        report.exit = combine([severity(r["verdict"], r["expected"]) for r in report.rows])
        return report
    model = target
    if options.no_dead_reset and hasattr(model, "dead_slots"):
        model.dead_slots = False
    if options.no_memo and hasattr(model, "memo"):
        model.memo = False
    props = select_properties(spec, model)
    reduce = options.por or (not options.no_por and not any(p.is_liveness for p in props))
    fingerprints = options.fingerprints and options.strategy != "random"
    t0 = time.monotonic()
    if options.workers or options.ray or options.swarm:
        result = _check_scaled(spec, model, props, options)  # parallel searches: no reduction
        reduce = False
        if options.swarm:
            options = replace(options, strategy="swarm")
    else:
        result = check(model, options.strategy, max_states=spec.bounds.max_states,  # type: ignore[arg-type]
                       max_depth=spec.bounds.max_depth, timeout_s=spec.bounds.timeout_s, seed=options.seed,
                       walks=options.walks, progress=options.progress, properties=props, reduce=reduce,
                       fingerprints=fingerprints, max_memory_mb=spec.bounds.max_memory_mb,
                       compact=not options.no_compact,
                       hunt=not options.no_hunt and options.strategy != "random")
    report.stats = result.stats.as_dict()
    report.stats["por"] = reduce
    codes: list[int] = []
    for name, pr in result.results.items():
        trace_path = None
        explanation = None
        if pr.verdict.kind == "violated" and pr.path is not None and options.traces != "none":
            try:
                trace_path, explanation = _write_trace(spec, model, pr, options, when,
                                                       reduced=bool(result.stats.reduced))
            except OSError as e:  # the verdict stands; only its trace file is lost
                report.warnings.append(f"cannot write the trace of {name} under {options.traces}: "
                                       f"{e.strerror or e}")
        expected = spec.expect.get(name)
        label = next((ps.label for ps in spec.properties if ps.name == name), name)
        report.rows.append({"property": label, "verdict": pr.verdict.kind, "reason": pr.verdict.reason,
                            "expected": expected, "trace": trace_path, "path": pr.path_str or None,
                            "loop": pr.loop, "length": len(pr.path) - 1 if pr.path else None,
                            "explanation": explanation})
        codes.append(severity(pr.verdict.kind, expected))
    if spec.outcomes:
        report.outcomes = _outcomes(spec, model, result)
        codes += [severity(o["verdict"], o["expected"], positive=o["verdict"]) for o in report.outcomes]
    report.stats["seconds"] = round(time.monotonic() - t0, 3)
    report.exit = combine(codes)
    return report


def _check_scaled(spec: Spec, model: Any, props: list[Any], options: Options) -> Result:
    """The search of `checker.parallel`: partitions (``--workers``, ``--ray``) or a swarm.

    Every worker builds its own model from the spec (models hold lambdas and
    are not sent), so the factory is `build` with the spec, compiled program
    included: the workers need no files."""
    from checker.parallel import check_parallel, swarm
    factory = functools.partial(build_checkable, spec, allow_code=options.allow_code)
    common: dict[str, Any] = {"properties": [p.name for p in props], "max_states": spec.bounds.max_states,
                              "max_depth": spec.bounds.max_depth, "timeout_s": spec.bounds.timeout_s,
                              "model": model}
    if options.swarm:
        return swarm(factory, options.swarm, ray=options.ray, seed=options.seed, workers=options.workers, **common)
    return check_parallel(factory, options.workers or os.cpu_count() or 2, ray=options.ray,
                          progress=options.progress, memory_limit_mb=options.worker_memory, **common)


def _outcomes(spec: Spec, model: Any, result: Result) -> list[dict[str, Any]]:
    """Litmus outcomes, their SC witnesses confirmed on this exploration's final states
    (when the search kept them: a partitioned search keeps no states unless it gathered its graph)."""
    finals = None
    if result.stats.complete and not result.stats.reduced and result.states and hasattr(model, "is_final"):
        finals = [model.globals(s) for s in result.states if model.is_final(s)]
    return [{"when": r.when, "verdict": r.verdict, "expected": r.expected, "witness": r.witness, "reason": r.reason}
            for r in _memory().check_outcomes(spec, finals)]


def _write_trace(spec: Spec, model: Any, pr: PropertyResult, options: Options,
                 when: str, reduced: bool = False) -> tuple[str, str | None]:
    """Write the counterexample's trace file; return its path and, for a race, the explanation.
    Under partial-order reduction (`reduced`) a BFS path is shortest in the reduced graph only:
    the trace says so (``found_by`` ``bfs+por``)."""
    path, loop, reason = pr.path, pr.loop, pr.verdict.reason
    assert path is not None
    if loop is None and options.strategy == "bfs":
        shorter = minimize(model, pr.prop, path)
        if shorter != path:  # the reason belongs to the path's last state
            states, _ = replay(model, shorter, spec.path)
            reason = evaluate(pr.prop.cond, states[-1]) or reason
            path = tuple(shorter)
    cx = build(model, pr.prop.name, reason, path, loop, spec_path=spec.path, spec_digest=spec.digest,
               kind=pr.prop.kind, fairness=pr.prop.fairness if pr.prop.is_liveness else "",
               found_by=options.strategy + ("+por" if reduced else ""))
    if when:
        cx.meta["when"] = when
    if options.mutex_starvation is not None and spec.kind == "program":  # replays rebuild the same model
        cx.meta["overrides"] = {"runtime.mutex_starvation": spec.runtime.mutex_starvation}
    if pr.prop.name == "race_free" and spec.kind == "program" and spec.runtime.scheduler == "abstract":
        cx.meta["explanation"] = _memory().explain_race(model, path)
    name = slug(spec.name) + (f"@{slug(when)}" if when else "") + f".{slug(pr.prop.name)}.itf.json"
    return write_itf(cx, os.path.join(options.traces, name)), cx.meta.get("explanation")
