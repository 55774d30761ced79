"""Entry points: `run` (a library call) and `cli_run` (for ``python -m checker run``)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from typing import Any

from models import ir

from .runtime import RunResult, Runtime


def run(program: ir.Program, procs: int = 2, runq_size: int = 256, time_slice_ms: float = 10,
        seed: int | None = None, log: Any = None, schedule: list[int] | None = None,
        timeout_s: float = 60.0, natives: dict | None = None, echo: bool = False,
        record: bool = True, runnext_inherits_slice: bool = True,
        mutex_starvation: bool = True, observe: bool = False, schedtrace_ms: float | None = None,
        schedtrace_out: Any = None, quit_after_ms: float | None = None, quit_signal: bool = False) -> RunResult:
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

    `observe`: record scheduler events with timestamps, the scheduling-latency
    histogram and metrics (`reference.observe`; also timestamps the event
    log).  `schedtrace_ms`: a ``GODEBUG=schedtrace`` line every so many ms
    (kept in ``RunResult.schedtrace``, also written to `schedtrace_out`).
    `quit_after_ms`: what ``kill -QUIT`` does after that long: every
    goroutine is dumped and the run exits with status 2; `quit_signal`: a
    real SIGQUIT does the same during the run (main thread only).
    """
    if procs < 1 or runq_size < 2:
        raise ValueError("procs must be >= 1 and runq_size >= 2")
    rt = Runtime(program, procs, runq_size, time_slice_ms, seed, schedule, natives, echo, record)
    rt.sched.runnext_inherits_slice = runnext_inherits_slice
    rt.mutex_starvation = mutex_starvation
    if observe or schedtrace_ms is not None:
        from .observe import Observer
        rt.obs = Observer(rt)
    old = None
    if quit_signal and hasattr(signal, "SIGQUIT") and threading.current_thread() is threading.main_thread():
        old = signal.signal(signal.SIGQUIT, lambda *_: rt.quit())
    try:
        res = run_to_end(rt, timeout_s, schedtrace_ms, schedtrace_out, quit_after_ms)
    finally:
        if old is not None:
            signal.signal(signal.SIGQUIT, old)
    if log is not None:
        write_log(sorted(res.events + res.sched_events, key=lambda e: e.get("ts", 0)) if res.sched_events
                  else res.events, log)
    return res


def run_to_end(rt: Runtime, timeout_s: float, schedtrace_ms: float | None = None, schedtrace_out: Any = None,
               quit_after_ms: float | None = None) -> RunResult:
    """Start a prepared runtime, wait for it (or stop it at `timeout_s`, exit
    code 124), shut it down and collect what it did."""
    tracer = None
    if schedtrace_ms is not None and rt.obs is not None:
        from .observe import SchedTracer
        tracer = SchedTracer(rt.obs, schedtrace_ms, schedtrace_out)
    if rt.obs is not None:
        rt.obs.t0 = time.monotonic_ns()
    rt.start()
    if tracer is not None:
        tracer.start()
    if quit_after_ms is not None and not rt.done.wait(quit_after_ms / 1000.0):
        rt.quit()
    timed_out = not rt.done.wait(timeout_s)
    if timed_out:
        rt.die(124, f"reference: timeout after {timeout_s:g}s\n")
    if tracer is not None:
        tracer.close()
    metrics = rt.obs.metrics() if rt.obs is not None else {}
    rt.shutdown()
    with rt.loglock:
        events = list(rt.events)
        output = "".join(rt.out)
    sched_events, lines = [], []
    if rt.obs is not None:
        with rt.obs.lock:
            sched_events, lines = list(rt.obs.events), list(rt.obs.lines)
    return RunResult(rt.exit_code, output, rt.err_text, events, list(rt.leaked), dict(rt.sched.stats),
                     rt.diverged, rt.ctl.i if rt.ctl is not None else 0, timed_out, sched_events, lines, metrics)


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


def add_observe_options(p: argparse.ArgumentParser) -> None:
    """The ``run`` options that show what the runtime does (`cli_run` takes them)."""
    g = p.add_argument_group("observe the runtime")
    g.add_argument("--schedtrace", type=float, default=None, metavar="MS",
                   help="print a GODEBUG=schedtrace-style line to stderr every MS milliseconds")
    g.add_argument("--metrics", action="store_true",
                   help="print runtime/metrics-style values (goroutines, latency histogram, steals...) at exit")
    g.add_argument("--chrome", default=None, metavar="OUT.json",
                   help="write the run as Chrome trace-event JSON (Perfetto, chrome://tracing)")
    g.add_argument("--quit-after", type=float, default=None, metavar="MS",
                   help="after MS ms do what SIGQUIT does: dump every goroutine, exit 2")


def observe_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    return {"schedtrace_ms": getattr(args, "schedtrace", None), "metrics": getattr(args, "metrics", False),
            "chrome": getattr(args, "chrome", None), "quit_after_ms": getattr(args, "quit_after", None)}


def cli_run(path: str | ir.Program, procs: int | None = None, log_path: str | None = None,
            seed: int | None = None, *, schedtrace_ms: float | None = None, metrics: bool = False,
            chrome: str | None = None, quit_after_ms: float | None = None) -> int:
    """``python -m checker run PATH``: print the program's output to stdout and
    Go's fatal messages to stderr; return Go's exit code (0, 1 for a failed
    test, 2 for panics and fatal errors, 3 for a diverged replay, 124 timeout;
    2 with a message for bad input).  SIGQUIT dumps every goroutine and
    exits 2, as Go does; `schedtrace_ms`, `metrics`, `chrome` and
    `quit_after_ms` are `add_observe_options`."""
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
    observe = metrics or chrome is not None or schedtrace_ms is not None
    res = run(program, procs=n, seed=seed, log=log_path, echo=True, record=log_path is not None or chrome is not None,
              observe=observe, schedtrace_ms=schedtrace_ms, schedtrace_out=sys.stderr, quit_after_ms=quit_after_ms,
              quit_signal=True)
    if chrome is not None:
        from .chrome import to_chrome, write_chrome
        write_chrome(to_chrome(res.events, res.sched_events, file=program.file), chrome)
        print(f"wrote {chrome}  (open it in https://ui.perfetto.dev or chrome://tracing)", file=sys.stderr)
    if metrics:
        from .observe import format_metrics
        sys.stderr.write(format_metrics(res.metrics))
    if res.stderr:
        sys.stderr.write(res.stderr)
        if res.exit_code:
            sys.stderr.write(f"exit status {res.exit_code}\n")
    return res.exit_code
