"""The composition root: spec -> model -> engine -> report.

``python -m checker SPEC...`` checks each spec and prints one table per spec
(``--json``: one JSON object per spec and line).  Subcommands: ``ir``
(print a Go file's IR), ``view`` (show a trace file), ``replay`` (re-run a
path on a spec's model), ``run`` (run a program on the threaded reference
runtime).

Exit codes (DESIGN section 4): 0 every verdict is the expected one (or
``holds``); 1 a property is violated and not expected to be; 2 bad input;
3 inconclusive (a bound stopped the search before a verdict).
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from checker.check import check
from checker.errors import InputError
from checker.model import evaluate
from checker.results import PropertyResult, Result
from checker.trace import build, replay, write_itf

EXIT_OK, EXIT_VIOLATED, EXIT_BAD_INPUT, EXIT_UNKNOWN = 0, 1, 2, 3
SUBCOMMANDS = ("check", "ir", "view", "replay", "run", "report")


@dataclass
class SpecReport:
    """Everything the table and the JSON line show for one spec (one sweep point)."""

    spec: Any
    when: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    exit: int = EXIT_OK


# --------------------------------------------------------------------------- model building


def build_model(spec: Any) -> Any:
    """The checker.Model a spec describes."""
    if spec.kind == "model":
        mod_name, _, attr = spec.model.partition(":")
        try:
            factory = getattr(importlib.import_module(mod_name), attr)
        except (ImportError, AttributeError) as e:
            raise InputError(f"cannot load model '{spec.model}': {e}", spec.path, 1, 1) from None
        try:
            return factory(**spec.model_args)
        except TypeError as e:
            raise InputError(f"bad args for model '{spec.model}': {e}", spec.path, 1, 1) from None
    try:
        world = importlib.import_module("models.world")
    except ImportError as e:
        raise InputError(f"Go semantics are not available in this build ({e}); only 'model:' specs can be checked",
                         spec.path, 1, 1) from None
    return world.build_model(spec)


def _select_properties(spec: Any, model: Any) -> list[Any]:
    props = list(model.properties())
    if spec.kind != "model" or not spec.properties:
        return props
    by_name = {p.name: p for p in props}
    out = []
    for ps in spec.properties:
        if ps.name not in by_name:
            import difflib
            close = difflib.get_close_matches(ps.name, list(by_name), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise InputError(f"the model has no property '{ps.name}'{hint}; it has: {', '.join(by_name)}",
                             spec.path, ps.line, ps.col)
        out.append(by_name[ps.name])
    return out


# --------------------------------------------------------------------------- checking


def _sweep_points(spec: Any) -> list[dict[str, Any]]:
    if not spec.sweep:
        return [{}]
    keys = list(spec.sweep)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(spec.sweep[k] for k in keys))]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", text).strip("_") or "x"


def _severity(verdict: str, expected: str | None, positive: str = "holds") -> int:
    if expected is not None:
        if verdict == expected:
            return EXIT_OK
        return EXIT_UNKNOWN if verdict == "unknown" else EXIT_VIOLATED
    if verdict == "unknown":
        return EXIT_UNKNOWN
    return EXIT_OK if verdict == positive else EXIT_VIOLATED


def _combine(codes: list[int]) -> int:
    if EXIT_VIOLATED in codes:
        return EXIT_VIOLATED
    if EXIT_UNKNOWN in codes:
        return EXIT_UNKNOWN
    return EXIT_OK


def check_spec(spec: Any, args: argparse.Namespace, when: str = "") -> SpecReport:
    """Explore one spec (one sweep point) and collect its report rows."""
    from models.spec import apply_override
    if args.max_states is not None:
        spec = apply_override(spec, "bounds.max_states", args.max_states)
    if args.timeout is not None:
        spec = apply_override(spec, "bounds.timeout_s", float(args.timeout))
    report = SpecReport(spec, when)
    codes: list[int] = []
    if spec.kind == "runq_proof":
        from models.sched import runq_proof  # type: ignore[attr-defined]
        rows = runq_proof.check(spec)
        report.rows = rows
        codes = [_severity(r["verdict"], r["expected"]) for r in rows]
        report.exit = _combine(codes)
        return report
    model = build_model(spec)
    props = _select_properties(spec, model)
    # partial-order reduction is on by default where it is sound: when no liveness property is
    # checked (under reduction those are unknown, docs/reductions.md); --por forces it, --no-por stops it
    liveness = any(p.is_liveness for p in props)
    reduce = bool(getattr(args, "por", False)) or (not getattr(args, "no_por", False) and not liveness)
    fingerprints = bool(getattr(args, "fingerprints", False)) and args.strategy != "random"
    t0 = time.monotonic()
    result: Result = check(model, args.strategy, max_states=spec.bounds.max_states,
                             max_depth=spec.bounds.max_depth, timeout_s=spec.bounds.timeout_s,
                             seed=args.seed, walks=args.walks, progress=not args.json, properties=props,
                             reduce=reduce, fingerprints=fingerprints)
    report.stats = result.stats.as_dict()
    report.stats["por"] = reduce
    for name, pr in result.results.items():
        trace_path = None
        explanation = None
        if pr.verdict.kind == "violated" and pr.path is not None and args.traces != "none":
            trace_path, explanation = _write_trace(spec, model, pr, args, when)
        expected = spec.expect.get(name)
        label = next((ps.label for ps in spec.properties if ps.name == name), name)
        report.rows.append({"property": label, "verdict": pr.verdict.kind, "reason": pr.verdict.reason,
                            "expected": expected, "trace": trace_path, "path": pr.path_str or None,
                            "loop": pr.loop, "length": len(pr.path) - 1 if pr.path else None,
                            "explanation": explanation})
        codes.append(_severity(pr.verdict.kind, expected))
    if spec.outcomes:
        report.outcomes = _outcomes(spec, model, result)
        codes += [_severity(o["verdict"], o["expected"], positive=o["verdict"]) for o in report.outcomes]
    report.stats["seconds"] = round(time.monotonic() - t0, 3)
    report.exit = _combine(codes)
    return report


def _outcomes(spec: Any, model: Any, result: Result) -> list[dict[str, Any]]:
    try:
        memory = importlib.import_module("models.memory")
        check_outcomes = memory.check_outcomes
    except (ImportError, AttributeError):
        return [{"when": o.when, "verdict": "unknown", "expected": o.expect, "witness": None,
                 "reason": "the memory-model engine is not available"} for o in spec.outcomes]
    out = []
    for r in check_outcomes(spec):
        out.append({"when": r.when, "verdict": r.verdict, "expected": r.expected, "witness": r.witness,
                    "reason": getattr(r, "reason", "")})
    return out


def _write_trace(spec: Any, model: Any, pr: PropertyResult, args: argparse.Namespace,
                 when: str) -> tuple[str, str | None]:
    """Write the counterexample's trace file; return its path and, for a race, the explanation."""
    minimize = None
    try:
        minimize = importlib.import_module("checker.minimize").minimize
    except (ImportError, AttributeError):
        pass
    path, loop, reason = pr.path, pr.loop, pr.verdict.reason
    if minimize is not None and loop is None and args.strategy == "bfs":
        path = minimize(model, pr.prop, path)
        if path != pr.path:  # the reason belongs to the path's last state
            states, _ = replay(model, path, spec.path)
            reason = evaluate(pr.prop.cond, states[-1]) or reason
    cx = build(model, pr.prop.name, reason, path, loop, spec_path=spec.path, spec_digest=spec.digest,
               kind=pr.prop.kind, fairness=pr.prop.fairness if pr.prop.is_liveness else "",
               found_by=args.strategy)
    if when:
        cx.meta["when"] = when
    if pr.prop.name == "race_free" and spec.runtime.scheduler == "abstract":
        from models.memory import explain_race
        cx.meta["explanation"] = explain_race(model, path)
    name = _slug(spec.name) + (f"@{_slug(when)}" if when else "") + f".{_slug(pr.prop.name)}.itf.json"
    return write_itf(cx, os.path.join(args.traces, name)), cx.meta.get("explanation")


# --------------------------------------------------------------------------- output


def _print_table(report: SpecReport, console: Any) -> None:
    from rich.table import Table
    spec = report.spec
    title = f"{spec.name}" + (f"  [{report.when}]" if report.when else "")
    table = Table(title=title, title_justify="left", show_lines=False)
    for col in ("property", "verdict", "expected", "states", "transitions", "seconds", "trace"):
        table.add_column(col, justify="right" if col in ("states", "transitions", "seconds") else "left")
    st = report.stats
    colors = {"holds": "green", "violated": "red", "unknown": "yellow", "allowed": "green", "forbidden": "red"}
    for r in report.rows:
        v = r["verdict"]
        ok = r["expected"] is None or r["expected"] == v
        mark = "" if ok else " ✗"
        table.add_row(r["property"], f"[{colors.get(v, 'white')}]{v}[/]{mark}", r["expected"] or "-",
                      f"{st.get('states', '-'):,}" if st else "-", f"{st.get('transitions', '-'):,}" if st else "-",
                      f"{st.get('seconds', 0):.2f}" if st else "-",
                      f"{r['length']} steps" if r.get("length") is not None and v != "holds" else "")
    for o in report.outcomes:
        v = o["verdict"]
        table.add_row(f"outcome {o['when']}", f"[{colors.get(v, 'white')}]{v}[/]", o["expected"] or "-", "", "", "",
                      "witness" if o.get("witness") else "")
    console.print(table)
    if st:
        console.print(f"  {st['states']:,} states, {st['transitions']:,} transitions, depth {st['depth']}, "
                      f"{st['seconds']:.2f}s, {st['states_per_s']:,} states/s, peak {st['peak_mb']:.0f} MB"
                      + (f" (POR: {st['reduced']:,} states reduced)" if st.get("por") else "")
                      + ("" if st.get("complete", True) else f"  [yellow]incomplete: {st['stop_reason']}[/]"),
                      highlight=False)
    for o in report.outcomes:
        if o.get("witness"):
            console.print(f"  [bold]outcome {o['when']}[/]: {o['verdict']}, witness: {o['witness']}", highlight=False)
        elif o.get("reason"):
            console.print(f"  [bold]outcome {o['when']}[/]: {o['verdict']} ({o['reason']})", highlight=False)
    for r in report.rows:
        if r["verdict"] != "holds" and (r["reason"] or r["trace"]):
            console.print(f"  [bold]{r['property']}[/]: {r['reason']}", highlight=False)
            if r.get("explanation"):
                for line in r["explanation"].splitlines()[1:]:
                    console.print(f"    {line}", highlight=False)
            if r["trace"]:
                console.print(f"    trace: {r['trace']}  (python -m checker view {r['trace']})", highlight=False)


def _json_line(report: SpecReport) -> str:
    props = {r["property"]: {"verdict": r["verdict"], "expected": r["expected"], "trace": r["trace"],
                             "reason": r["reason"] or None, "path": r["path"], "loop": r["loop"],
                             **({"explanation": r["explanation"]} if r.get("explanation") else {})}
             for r in report.rows}
    st = report.stats
    obj = {"spec": report.spec.path, "name": report.spec.name, "properties": props,
           "outcomes": [{k: o.get(k) for k in ("when", "verdict", "expected", "witness")} for o in report.outcomes],
           "stats": {k: st.get(k) for k in ("states", "transitions", "seconds", "depth")} if st else {}}
    if report.when:
        obj["when"] = report.when
    return json.dumps(obj)


# --------------------------------------------------------------------------- commands


def check_all(paths: list[str], args: argparse.Namespace) -> Iterator[SpecReport]:
    """Check each spec once per sweep point, in order; stop after a Ctrl-C."""
    from models.spec import apply_override, load_spec
    for path in paths:
        spec = load_spec(path)
        for point in _sweep_points(spec):
            s = spec
            for k, v in point.items():
                s = apply_override(s, k, v)
            report = check_spec(s, args, ", ".join(f"{k}={v}" for k, v in point.items()))
            yield report
            if report.stats.get("stop_reason") == "interrupted":
                return


def cmd_check(args: argparse.Namespace) -> int:
    from rich.console import Console
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
    codes = []
    for report in check_all(args.specs, args):
        if args.json:
            print(_json_line(report), flush=True)
        else:
            _print_table(report, console)
        codes.append(report.exit)
        if report.stats.get("stop_reason") == "interrupted":
            return _combine(codes) or EXIT_UNKNOWN
    return _combine(codes)


def cmd_report(args: argparse.Namespace) -> int:
    """Check every spec and write ``results.md`` and ``results.jsonl`` under `args.out`."""
    import glob
    paths = args.specs or sorted(glob.glob(os.path.join("specs", "**", "*.yaml"), recursive=True))
    os.makedirs(args.out, exist_ok=True)
    args.traces = os.path.join(args.out, "traces")
    lines = ["# Results", "", f"`python -m checker report` over {len(paths)} specs.", "",
             "| spec | property | verdict | expected | states | transitions | seconds |",
             "|---|---|---|---|---|---|---|"]
    codes = []
    with open(os.path.join(args.out, "results.jsonl"), "w", encoding="utf-8") as jf:
        for report in check_all(paths, args):
            codes.append(report.exit)
            jf.write(_json_line(report) + "\n")
            st = report.stats
            name = report.spec.name + (f" [{report.when}]" if report.when else "")
            for r in report.rows:
                lines.append(f"| {name} | {r['property']} | {r['verdict']} | {r['expected'] or '-'} | "
                             f"{st.get('states', '-')} | {st.get('transitions', '-')} | {st.get('seconds', '-')} |")
            for o in report.outcomes:
                lines.append(f"| {name} | outcome `{o['when']}` | {o['verdict']} | {o['expected'] or '-'} | | | |")
            print(f"{_combine([report.exit]) and 'FAIL' or 'ok  '} {name}", flush=True)
    with open(os.path.join(args.out, "results.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {os.path.join(args.out, 'results.md')}")
    return _combine(codes)


def cmd_ir(args: argparse.Namespace) -> int:
    from models.lang import compile_go, format_program
    path = args.file
    if path.endswith((".yaml", ".yml")):
        from models.spec import load_spec
        program = load_spec(path).program
    else:
        try:
            with open(path, encoding="utf-8") as f:
                source = f.read()
        except OSError as e:
            raise InputError(f"cannot read Go file: {e.strerror}", path, 1, 1) from None
        program = compile_go(source, path, entry=args.entry)
    print(format_program(program))
    return EXIT_OK


def cmd_view(args: argparse.Namespace) -> int:
    from checker import view
    return view.main(args)


def cmd_replay(args: argparse.Namespace) -> int:
    from checker import view
    return view.replay_main(args)


def cmd_replay_on(argv: list[str]) -> int:
    """``replay --on reference TRACE``: drive real threads along a model counterexample."""
    p = argparse.ArgumentParser(prog="python -m checker replay --on reference",
                                description="Run a counterexample's schedule on the threaded reference runtime.")
    p.add_argument("--on", choices=("reference",), required=True)
    p.add_argument("trace", metavar="TRACE.itf.json")
    p.add_argument("--procs", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--loops", type=int, default=3, help="times to unroll a lasso's loop")
    args = p.parse_args(argv)
    from reference.replay import replay_trace
    return replay_trace(args.trace, procs=args.procs, seed=args.seed, loops=args.loops)


def cmd_run(args: argparse.Namespace) -> int:
    import reference
    return reference.cli_run(args.target, procs=args.procs, log_path=args.log, seed=args.seed)


def _parser(prog: str = "python -m checker") -> dict[str, argparse.ArgumentParser]:
    check = argparse.ArgumentParser(prog=prog, description="Check Go specs: every schedule, every property.")
    check.add_argument("specs", nargs="+", metavar="SPEC", help="spec files (YAML)")
    check.add_argument("--json", action="store_true", help="one JSON object per spec, one per line")
    check.add_argument("--strategy", choices=("bfs", "dfs", "random"), default="bfs")
    check.add_argument("--max-states", type=int, default=None)
    check.add_argument("--timeout", type=float, default=None, help="seconds")
    check.add_argument("--seed", type=int, default=0, help="seed for --strategy random")
    check.add_argument("--walks", type=int, default=1000, help="random walks for --strategy random")
    check.add_argument("--por", action="store_true",
                       help="partial-order reduction even with liveness properties (reported unknown); "
                            "default: on when only safety properties are checked")
    check.add_argument("--no-por", action="store_true", help="no partial-order reduction")
    check.add_argument("--fingerprints", action="store_true",
                       help="store 64-bit state fingerprints (hash compaction): 8-16 bytes a state; "
                            "'holds' then carries the probability that a state was missed")
    check.add_argument("--traces", default=os.path.join("reports", "traces"),
                       help="directory for counterexample trace files ('none' to write none)")
    ir = argparse.ArgumentParser(prog=f"{prog} ir", description="Print the IR of a Go file or spec.")
    ir.add_argument("file")
    ir.add_argument("--entry", default="main")
    run = argparse.ArgumentParser(prog=f"{prog} run", description="Run a program on the threaded reference runtime.")
    run.add_argument("target", metavar="SPEC|FILE.go")
    run.add_argument("--procs", type=int, default=None)
    run.add_argument("--log", default=None, help="write the event log (JSON lines) here")
    run.add_argument("--seed", type=int, default=None)
    report = argparse.ArgumentParser(prog=f"{prog} report",
                                     description="Check every spec (default: specs/**/*.yaml) and write a results table.")
    report.add_argument("specs", nargs="*", metavar="SPEC")
    report.add_argument("--out", default="reports")
    report.set_defaults(json=True, strategy="bfs", max_states=None, timeout=None, seed=0, walks=1000)
    return {"check": check, "ir": ir, "run": run, "report": report}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    cmd = "check"
    if argv and argv[0] in SUBCOMMANDS:
        cmd = argv.pop(0)
    try:
        if cmd == "replay" and "--on" in argv:
            return cmd_replay_on(argv)
        if cmd in ("view", "replay"):
            from checker import view
            parser = view.parser(cmd)
            args = parser.parse_args(argv)
            return cmd_view(args) if cmd == "view" else cmd_replay(args)
        parser = _parser()[cmd]
        args = parser.parse_args(argv)
        return {"check": cmd_check, "ir": cmd_ir, "run": cmd_run, "report": cmd_report}[cmd](args)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_UNKNOWN
    except BrokenPipeError:
        return EXIT_OK


__all__ = ["main", "check_all", "check_spec", "build_model"]
