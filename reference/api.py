"""Entry points: `run` (a library call) and `cli_run` (for ``python -m checker run``)."""

from __future__ import annotations

import json
import sys
from typing import Any

from models import ir

from .runtime import RunResult, Runtime


def run(program: ir.Program, procs: int = 2, runq_size: int = 256, time_slice_ms: float = 10,
        seed: int | None = None, log: Any = None, schedule: list[int] | None = None,
        timeout_s: float = 60.0, natives: dict | None = None, echo: bool = False,
        record: bool = True, runnext_inherits_slice: bool = True,
        mutex_starvation: bool = True) -> RunResult:
    """Run `program` on `procs` Ps with real threads as Ms.

    `log`: a path or a text file to write the event log to, one JSON object a
    line.  `schedule`: goroutine ids for controlled mode (see `Controller`).
    `timeout_s`: wall-clock limit; a run that hits it is stopped and reported
    with ``timed_out`` and exit code 124.  `natives`: extra functions callable
    from IR by name (generator functions ``f(rt, g, args)`` returning results).
    `echo`: also write program output to ``sys.stdout``.  `record`: keep the
    event log (off for benchmarks).  `runnext_inherits_slice` and
    `mutex_starvation` switch off Go's two fairness mechanisms (a goroutine
    taken from ``runnext`` inherits the time slice, SCH-6/11; sync.Mutex
    starvation mode, MU-5), to show on real threads what they prevent.
    """
    if procs < 1 or runq_size < 2:
        raise ValueError("procs must be >= 1 and runq_size >= 2")
    rt = Runtime(program, procs, runq_size, time_slice_ms, seed, schedule, natives, echo, record)
    rt.sched.runnext_inherits_slice = runnext_inherits_slice
    rt.mutex_starvation = mutex_starvation
    res = run_to_end(rt, timeout_s)
    if log is not None:
        write_log(res.events, log)
    return res


def run_to_end(rt: Runtime, timeout_s: float) -> RunResult:
    """Start a prepared runtime, wait for it (or stop it at `timeout_s`, exit
    code 124), shut it down and collect what it did."""
    rt.start()
    timed_out = not rt.done.wait(timeout_s)
    if timed_out:
        rt.die(124, f"reference: timeout after {timeout_s:g}s\n")
    rt.shutdown()
    with rt.loglock:
        events = list(rt.events)
        output = "".join(rt.out)
    return RunResult(rt.exit_code, output, rt.err_text, events, list(rt.leaked), dict(rt.sched.stats),
                     rt.diverged, rt.ctl.i if rt.ctl is not None else 0, timed_out)


def write_log(events: list, log: Any) -> None:
    """Write the events as JSON lines to a path or an open text file."""
    if isinstance(log, str):
        with open(log, "w") as f:
            write_log(events, f)
        return
    for e in events:
        log.write(json.dumps(e) + "\n")


def load_program(path: str) -> ir.Program:
    """A Go file through the frontend (a spec's program is the application's to load)."""
    from models.lang import compile_go

    with open(path, encoding="utf-8") as f:
        src = f.read()
    return compile_go(src, path)


def cli_run(path: str | ir.Program, procs: int | None = None, log_path: str | None = None,
            seed: int | None = None) -> int:
    """``python -m checker run PATH``: print the program's output to stdout and
    Go's fatal messages to stderr; return Go's exit code (0, 1 for a failed
    test, 2 for panics and fatal errors, 3 for a diverged replay, 124 timeout;
    2 with a message for bad input)."""
    from checker.errors import InputError

    if isinstance(path, ir.Program):
        program = path
    else:
        try:
            program = load_program(path)
        except InputError as e:
            print(str(e), file=sys.stderr)
            return 2
        except (OSError, UnicodeDecodeError) as e:
            print(f"error: cannot read {path}: {e}", file=sys.stderr)
            return 2
    n = procs if procs is not None else 2
    res = run(program, procs=n, seed=seed, log=log_path, echo=True, record=log_path is not None)
    if res.stderr:
        sys.stderr.write(res.stderr)
        if res.exit_code:
            sys.stderr.write(f"exit status {res.exit_code}\n")
    return res.exit_code
