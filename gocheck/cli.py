"""``python -m checker``: the command line.

``python -m checker SPEC...`` checks each spec and prints one table per spec
(``--json``: one JSON object per spec and line).  Subcommands: ``ir``
(print a Go file's IR), ``view`` (show a trace file), ``replay`` (re-run a
path on a spec's model, or ``--on reference`` on real threads), ``run``
(run a program on the threaded reference runtime), ``report`` (check every
spec and write ``reports/results.md``), ``outputs`` (every output the
program can print and how it ends, with witnesses: `gocheck.outputs`).

Exit codes (docs/design.md section 4): 0 every verdict is the expected one
(or ``holds``); 1 a property is violated and not expected to be; 2 bad
input; 3 inconclusive (a bound stopped the search before a verdict); 4 an
internal error of the checker (a bug: the traceback goes to a file, never
to the verdict).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import tempfile
import time
import traceback
from typing import Any

from rich.console import Console

from checker.errors import InputError
from checker.files import atomic_write, check_output_path, read_text
from gocheck import outputs
from gocheck.pipeline import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_UNKNOWN,
    Options,
    check_all,
    combine,
)
from gocheck.report import json_line, print_table, results_markdown, summary_mark
from gocheck.spec import MAX_SOURCE_BYTES, load_spec
from models.lang import compile_go, format_program

__all__ = ["main"]

SUBCOMMANDS = ("check", "ir", "view", "replay", "run", "report", "test", "reproduce", "outputs")


def _options(args: argparse.Namespace, **over: Any) -> Options:
    values: dict[str, Any] = dict(strategy=args.strategy, max_states=args.max_states, timeout=args.timeout, seed=args.seed,
                  walks=args.walks, por=args.por, no_por=args.no_por, fingerprints=args.fingerprints,
                  no_compact=getattr(args, "no_compact", False),
                  no_dead_reset=args.no_dead_reset, no_memo=getattr(args, "no_memo", False), mutex_starvation=getattr(args, "mutex_starvation", None),
                  no_hunt=getattr(args, "no_hunt", False), traces=args.traces,
                  progress=not args.json,
                  allow_code=args.allow_python_models, allow_outside=args.allow_outside_source,
                  workers=args.workers, ray=args.ray, swarm=args.swarm,
                  worker_memory=args.worker_memory)
    values.update(over)
    return Options(**values)


def cmd_check(args: argparse.Namespace) -> int:
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
    codes = []
    for report in check_all(args.specs, _options(args)):
        if args.json:
            print(json_line(report), flush=True)
        else:
            print_table(report, console)
        for w in report.warnings:
            print(f"warning: {w}", file=sys.stderr)
        codes.append(report.exit)
        if report.stats.get("stop_reason") == "interrupted":
            return combine(codes) or EXIT_UNKNOWN
    return combine(codes)


def cmd_report(args: argparse.Namespace) -> int:
    """Check every spec and write ``results.md`` and ``results.jsonl`` under `args.out`, atomically."""
    paths = args.specs or sorted(glob.glob(os.path.join("specs", "**", "*.yaml"), recursive=True))
    for name in ("results.jsonl", "results.md"):  # before any work: a report that cannot be written is refused
        check_output_path("--out", os.path.join(args.out, name), paths)
    options = _options(args, traces=os.path.join(args.out, "traces"), progress=False)
    reports, lines, codes = [], [], []
    for report in check_all(paths, options):
        if report.stats.get("stop_reason") == "interrupted":
            print("interrupted: the previous report is left as it was", file=sys.stderr)
            return EXIT_UNKNOWN
        reports.append(report)
        lines.append(json_line(report))
        codes.append(report.exit)
        print(f"{summary_mark(report)} {report.spec.name}" + (f" [{report.when}]" if report.when else ""),
              flush=True)
        for w in report.warnings:
            print(f"warning: {w}", file=sys.stderr)
    try:
        atomic_write(os.path.join(args.out, "results.jsonl"), "".join(line + "\n" for line in lines))
        out = atomic_write(os.path.join(args.out, "results.md"), results_markdown(reports, len(paths)))
    except OSError as e:
        print(f"error: cannot write the report under {args.out}: {e.strerror or e}"
              + (f" ({e.filename})" if e.filename else "") + "; the verdicts are the lines above", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"wrote {out}")
    return combine(codes)


def cmd_ir(args: argparse.Namespace) -> int:
    path = args.file
    if path.endswith((".yaml", ".yml")):
        program = _spec_program(load_spec(path, allow_outside=args.allow_outside_source))
    else:
        program = compile_go(_read_go(path), path, entry=args.entry)
    print(format_program(program))
    return EXIT_OK


def _spec_program(spec: Any) -> Any:
    """The Go program of a program spec; a model or proof spec has none (bad input, not a crash)."""
    if spec.program is None:
        raise InputError(f"this is a {spec.kind} spec, not a Go program: it has no IR and nothing to run",
                         spec.path, 1, 1)
    return spec.program


def _read_go(path: str) -> str:
    return read_text(path, MAX_SOURCE_BYTES, "Go file")


def cmd_run(args: argparse.Namespace) -> int:
    procs = args.procs
    if args.log is not None:
        check_output_path("--log", args.log, [args.target])
    if args.target.endswith((".yaml", ".yml")):
        spec = load_spec(args.target, allow_outside=args.allow_outside_source)
        program = _spec_program(spec)
        procs = procs if procs is not None else spec.runtime.procs
    else:
        program = compile_go(_read_go(args.target), args.target)
    import reference
    from reference.api import observe_kwargs
    return reference.cli_run(program, procs=procs, log_path=args.log, seed=args.seed, **observe_kwargs(args))


def cmd_replay_on(argv: list[str]) -> int:
    """``replay --on reference TRACE``: drive real threads along a model counterexample."""
    p = argparse.ArgumentParser(prog="python -m checker replay --on reference",
                                description="Run a counterexample's schedule on the threaded reference runtime.")
    p.add_argument("--on", choices=("reference",), required=True)
    p.add_argument("trace", metavar="TRACE.itf.json")
    p.add_argument("--procs", type=_procs, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--loops", type=_loops, default=3, help="times to unroll a lasso's loop (0..1000)")
    args = p.parse_args(argv)
    from gocheck import conformance
    return conformance.replay_trace(args.trace, procs=args.procs, seed=args.seed, loops=args.loops)


def _int_in(lo: int, hi: int | None, what: str) -> Any:
    """An argparse type: an integer in lo..hi (hi None: no upper bound)."""
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be an integer, got {text!r}") from None
        if n < lo or (hi is not None and n > hi):
            bound = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
            raise argparse.ArgumentTypeError(f"{what} must be {bound}, got {n}")
        return n
    return parse


#: GOMAXPROCS on the reference runtime: 1..256 (specs allow 1..64 for the model).
_procs = _int_in(1, 256, "--procs")
#: Unrollings of a lasso's loop on the reference runtime (each one is a copy of the loop).
_loops = _int_in(0, 1000, "--loops")
_positive = _int_in(1, None, "the value")


def _more_than_zero(unit: str, short: str) -> Any:
    """An argparse type: a number (of `unit`) greater than 0."""
    def parse(text: str) -> float:
        try:
            x = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number of {unit}, got {text!r}") from None
        if not x > 0:
            raise argparse.ArgumentTypeError(f"must be more than 0 {short}, got {text}")
        return x
    return parse


_seconds = _more_than_zero("seconds", "seconds")
_megabytes = _more_than_zero("megabytes", "MB")


def _check_scaling(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """--workers/--ray/--swarm run their own search: refuse what they cannot honour."""
    if not (args.workers or args.ray or args.swarm):
        if args.worker_memory is not None:
            parser.error("--worker-memory needs --workers or --ray")
        return
    if args.por or args.strategy != "bfs":
        parser.error("--workers, --ray and --swarm run their own search: they take neither --por nor --strategy")
    if args.ray is not None:
        try:
            import ray  # noqa: F401
        except ImportError:
            parser.error("--ray needs Ray: pip install 'gocheck[distributed]'")


def _check_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--strategy", choices=("bfs", "dfs", "random"), default="bfs")
    p.add_argument("--max-states", type=_positive, default=None)
    p.add_argument("--timeout", type=_seconds, default=None, help="seconds")
    p.add_argument("--seed", type=int, default=0, help="seed for --strategy random")
    p.add_argument("--walks", type=_positive, default=1000, help="random walks for --strategy random")
    p.add_argument("--por", action="store_true",
                   help="partial-order reduction even with liveness properties (reported unknown); "
                        "default: on when only safety properties are checked")
    p.add_argument("--no-por", action="store_true", help="no partial-order reduction")
    p.add_argument("--fingerprints", action="store_true",
                   help="store 64-bit state fingerprints and nothing else per state (hash compaction, 10-12.5 "
                        "bytes a state); 'holds' then carries the probability that a state was missed; with "
                        "--strategy dfs, SPIN's search (the stack is the path, the stack proviso for --por)")
    p.add_argument("--no-compact", action="store_true",
                   help="store whole states (default: each distinct goroutine, heap object and the rest of a "
                        "state once, and a state as the numbers of its parts: the same search, ~100 bytes a state)")
    p.add_argument("--no-dead-reset", action="store_true",
                   help="keep values of variables no later instruction reads and objects nothing reaches "
                        "(default: cleared and freed)")
    p.add_argument("--no-memo", action="store_true",
                   help="compute every goroutine step (default: a step is computed once for the goroutines and "
                        "objects it reads, and its writes are reused wherever those recur: the same search)")
    p.add_argument("--mutex-starvation", choices=("auto", "true", "false"), default=None,
                   help="model sync.Mutex starvation mode: 'true' always, 'false' never, 'auto' (the spec's "
                        "default) only when a property other than an invariant is checked; overrides the spec's "
                        "runtime.mutex_starvation")
    p.add_argument("--no-hunt", action="store_true",
                   help="when a bound stops the search, do not spend the rest of the time (30%% of --timeout, "
                        "else 30 s) on random walks that look for violations")
    p.add_argument("--allow-python-models", action="store_true",
                   help="let specs name any Python model factory (module:function): this runs their code")
    p.add_argument("--workers", type=_positive, default=None, metavar="N",
                   help="partition the state table over N worker processes (checker.parallel: a level-synchronous "
                        "BFS with the same counts, verdicts and trace lengths as one process)")
    p.add_argument("--ray", default=None, metavar="auto|local|ADDRESS",
                   help="run the partitions as Ray actors: 'auto' joins the running cluster or starts a local Ray, "
                        "'local' starts one, else a cluster address (needs pip install 'gocheck[distributed]')")
    p.add_argument("--swarm", type=_positive, default=None, metavar="N",
                   help="N diversified randomized depth-first searches with bitstate tables, for spaces too large "
                        "to finish: finds violations, never proves an invariant (unknown)")
    p.add_argument("--worker-memory", type=_megabytes, default=None, metavar="MB",
                   help="memory limit of each worker or Ray actor's state table; over it the search ends unknown")
    _outside_flag(p)


def _outside_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--allow-outside-source", action="store_true",
                   help="let a spec's source_file name a file outside the spec's folder")


def _parsers(prog: str = "python -m checker", only: str | None = None) -> dict[str, argparse.ArgumentParser]:
    """The subcommands' parsers (`only`: that one's, at least; the others may be left out, so that a
    check does not import the reference runtime for ``run``'s options)."""
    check = argparse.ArgumentParser(prog=prog, description="Check Go specs: every schedule, every property.")
    check.add_argument("specs", nargs="+", metavar="SPEC", help="spec files (YAML)")
    check.add_argument("--json", action="store_true", help="one JSON object per spec, one per line")
    _check_flags(check)
    check.add_argument("--traces", default=os.path.join("reports", "traces"),
                       help="directory for counterexample trace files ('none' to write none)")
    ir = argparse.ArgumentParser(prog=f"{prog} ir", description="Print the IR of a Go file or spec.")
    ir.add_argument("file")
    ir.add_argument("--entry", default="main")
    _outside_flag(ir)
    run = argparse.ArgumentParser(prog=f"{prog} run", description="Run a program on the threaded reference runtime.")
    run.add_argument("target", metavar="SPEC|FILE.go")
    run.add_argument("--procs", type=_procs, default=None)
    run.add_argument("--log", default=None, help="write the event log (JSON lines) here")
    run.add_argument("--seed", type=int, default=None)
    _outside_flag(run)
    if only in (None, "run"):
        from reference.api import add_observe_options
        add_observe_options(run)
    report = argparse.ArgumentParser(prog=f"{prog} report",
                                     description="Check every spec (default: specs/**/*.yaml) and write a results table.")
    report.add_argument("specs", nargs="*", metavar="SPEC")
    report.add_argument("--out", default="reports")
    _check_flags(report)
    report.set_defaults(json=True, traces=None)
    test = argparse.ArgumentParser(prog=f"{prog} test",
                                   description="Check the Test* functions of Go packages, as go test runs them.")
    test.add_argument("patterns", nargs="*", metavar="PATTERN", help="package patterns: ./..., ./internal/cache, DIR")
    test.add_argument("-run", default=None, metavar="REGEX", help="only tests whose name matches (as go test -run)")
    test.add_argument("-v", action="store_true", help="every test and the per-property table")
    test.add_argument("-json", dest="json", action="store_true", help="test2json events, one per line")
    test.add_argument("--sarif", default=None, metavar="OUT.sarif", help="write a SARIF 2.1.0 report")
    test.add_argument("--junit", default=None, metavar="OUT.xml", help="write a JUnit XML report")
    test.add_argument("--max-states", type=_positive, default=None)
    test.add_argument("--timeout", type=_seconds, default=None, help="seconds per test")
    test.add_argument("--por", action="store_true", help="partial-order reduction (safety properties only)")
    test.add_argument("--traces", default=os.path.join("reports", "traces"),
                      help="directory for counterexample trace files ('none' to write none)")
    repro = argparse.ArgumentParser(prog=f"{prog} reproduce",
                                    description="Regenerate every table and figure into reports/ and check that "
                                                "every verdict equals the published one.")
    repro.add_argument("--quick", action="store_true", help="the subset CI runs (a few minutes)")
    repro.add_argument("--out", default="reports", help="where to write (default: reports)")
    repro.add_argument("--published", default=os.path.join("reports", "verdicts.json"),
                       help="the committed verdicts to compare with")
    outs = argparse.ArgumentParser(prog=f"{prog} outputs",
                                   description="Every output the program can print by the time it ends, "
                                               "and every panic or deadlock end, each with a witness.")
    outputs.add_parser_args(outs)
    return {"check": check, "ir": ir, "run": run, "report": report, "test": test, "reproduce": repro,
            "outputs": outs}


def _internal_error(exc: BaseException) -> int:
    """A bug in the checker: one line on stderr, the traceback in a file (exit 4)."""
    fd, path = tempfile.mkstemp(prefix="gocheck-crash-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(f"gocheck {time.strftime('%Y-%m-%d %H:%M:%S')} argv={json.dumps(sys.argv)}\n")
        f.write("".join(traceback.format_exception(exc)))
    print(f"internal error: {type(exc).__name__}: {exc} -- this is a bug in the checker, not in your program; "
          f"the traceback is in {path}", file=sys.stderr)
    return EXIT_INTERNAL


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    cmd = "check"
    if argv and argv[0] in SUBCOMMANDS:
        cmd = argv.pop(0)
    try:
        if cmd == "replay" and "--on" in argv:
            return cmd_replay_on(argv)
        if cmd in ("view", "replay"):
            from gocheck import viewing
            args = viewing.parser(cmd).parse_args(argv)
            return viewing.main(args) if cmd == "view" else viewing.replay_main(args)
        parser = _parsers(only=cmd)[cmd]
        args = parser.parse_args(argv)
        if cmd in ("check", "report"):
            _check_scaling(parser, args)
        if cmd == "test":
            from gocheck import gotest
            return gotest.main_test(args)
        if cmd == "reproduce":
            from gocheck import reproduce
            return reproduce.main_reproduce(args)
        return {"check": cmd_check, "ir": cmd_ir, "run": cmd_run, "report": cmd_report,
                "outputs": outputs.main_outputs}[cmd](args)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_UNKNOWN
    except BrokenPipeError:
        return EXIT_OK
    except MemoryError:
        print("out of memory: the run needed more memory than the machine has (inconclusive)", file=sys.stderr)
        return EXIT_UNKNOWN
    except OSError as e:  # the environment refused (a read-only folder, a full disk): not a checker bug
        where = f" ({e.filename})" if e.filename else ""
        print(f"error: {e.strerror or e}{where}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001 - anything else is a defect of the checker
        return _internal_error(e)
