"""What Go's runtime tells an operator, for the reference runtime: scheduler
events with timestamps, ``schedtrace`` lines, ``runtime/metrics`` values and
goroutine dumps.

- Scheduler events follow the vocabulary of Go's execution tracer
  (``internal/trace``: GoCreate, GoStart, GoBlock, GoUnblock, GoPreempt,
  GoSched, GoSysCall, GoSysExit, GoEnd) plus ``Steal`` and ``PreemptRequest``;
  each carries ``ts`` (ns since the run started), ``g``, ``p``, ``m``.
  `reference.chrome` turns them, with the visible-operation log, into Chrome
  trace-event JSON.
- `Observer.schedtrace_line` prints what ``GODEBUG=schedtrace=N`` prints
  (``runtime/proc.go`` ``schedtrace``, go1.19-1.21 without the detailed
  form): ``SCHED 1000ms: gomaxprocs=2 idleprocs=1 threads=4
  spinningthreads=0 idlethreads=1 runqueue=0 [0 3]``: idle Ps, all Ms
  (``mcount``; here the Ms plus sysmon), spinning Ms, idle Ms, the global
  queue length, then each P's local queue length (``runqtail - runqhead``:
  ``runnext`` is not counted).
- `Observer.metrics` names values as ``runtime/metrics`` does
  (``/path:unit``).  Go defines ``/sched/goroutines:goroutines``,
  ``/sched/gomaxprocs:threads`` and ``/sched/latencies:seconds`` (the time
  goroutines spent runnable before running, a histogram); Go exports no
  run-queue, steal or preemption metric, so those are named in the same
  grammar under ``/sched/`` and documented as this runtime's own:
  ``/sched/runqueue/global:goroutines``, ``/sched/runqueue/local:goroutines``
  (summed over Ps), ``/sched/steals:events``, ``/sched/stolen:goroutines``,
  ``/sched/preemptions:events``.
"""

from __future__ import annotations

import threading
import time
from typing import Any

#: ``/sched/latencies:seconds`` bucket boundaries (seconds): 0, then 1 us
#: doubling up to ~8.6 s, then +Inf, like ``metrics.Float64Histogram.Buckets``
#: (one more boundary than counts).
LATENCY_BUCKETS: tuple[float, ...] = (0.0,) + tuple(1e-6 * 2 ** k for k in range(24)) + (float("inf"),)


class Observer:
    """Per-run observation state; every method is thread-safe."""

    def __init__(self, rt: Any, t0: int | None = None):
        self.rt = rt
        self.t0 = time.monotonic_ns() if t0 is None else t0
        self.lock = threading.Lock()
        self.events: list[dict[str, Any]] = []
        self.lat_counts = [0] * (len(LATENCY_BUCKETS) - 1)
        self.lat_total = 0
        self.lines: list[str] = []

    def now(self) -> int:
        return time.monotonic_ns() - self.t0

    def ev(self, kind: str, g: Any, p: Any = None, m: Any = None, **extra: Any) -> None:
        """Record a scheduler event; `g`, `p`, `m` are objects or ids (None when absent)."""
        e = {"ev": kind, "g": _id(g), "p": _id(p), "m": _id(m)}
        e.update(extra)
        with self.lock:
            e["ts"] = self.now()
            self.events.append(e)

    def latency(self, ns: int) -> None:
        """One runnable-to-running wait, into the ``/sched/latencies:seconds`` histogram."""
        s = max(ns, 0) / 1e9
        k = 0
        while k + 2 < len(LATENCY_BUCKETS) and s >= LATENCY_BUCKETS[k + 1]:
            k += 1
        with self.lock:
            self.lat_counts[k] += 1
            self.lat_total += 1

    # ------------------------------------------------------------ schedtrace and metrics

    def schedtrace_line(self) -> str:
        """One ``GODEBUG=schedtrace`` line, read under ``sched.lock``."""
        s = self.rt.sched
        with s.lock:
            ms = self.now() // 1_000_000
            runqs = " ".join(str(p.tail - p.head) for p in s.ps)
            return (f"SCHED {ms}ms: gomaxprocs={s.procs} idleprocs={len(s.pidle)} threads={len(s.ms) + 1} "
                    f"spinningthreads={s.nmspinning} idlethreads={len(s.midle)} runqueue={len(s.globq)} [{runqs}]")

    def metrics(self) -> dict[str, Any]:
        """The metrics now (see the module docstring for the names)."""
        rt = self.rt
        s = rt.sched
        with s.lock:
            goroutines = sum(1 for g in list(rt.allgs.values()) if g.status != "dead")
            glob = len(s.globq)
            local = sum(p.tail - p.head for p in s.ps)
            stats = dict(s.stats)
        with self.lock:
            counts = list(self.lat_counts)
        return {
            "/sched/goroutines:goroutines": goroutines,
            "/sched/gomaxprocs:threads": s.procs,
            "/sched/latencies:seconds": {"buckets": list(LATENCY_BUCKETS), "counts": counts},
            "/sched/runqueue/global:goroutines": glob,
            "/sched/runqueue/local:goroutines": local,
            "/sched/steals:events": stats["steals"],
            "/sched/stolen:goroutines": stats["stolen"],
            "/sched/preemptions:events": stats["preemptions"],
        }


class SchedTracer:
    """A thread printing a schedtrace line every `interval_ms` (Go's sysmon
    prints one when ``lasttrace + schedtrace*1e6 <= now``, the first at once)."""

    def __init__(self, obs: Observer, interval_ms: float, out: Any = None):
        self.obs = obs
        self.interval = interval_ms / 1000.0
        self.out = out
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="gocheck-schedtrace", daemon=True)

    def start(self) -> None:
        self.emit()
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(self.interval):
            self.emit()

    def emit(self) -> str:
        line = self.obs.schedtrace_line()
        with self.obs.lock:
            self.obs.lines.append(line)
        if self.out is not None:
            self.out.write(line + "\n")
            self.out.flush()
        return line

    def close(self) -> None:
        self.stop.set()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(timeout=1.0)


def _id(x: Any) -> int | None:
    if x is None or isinstance(x, int):
        return x
    return int(x.id)


def format_histogram(h: dict[str, Any]) -> list[str]:
    """Non-empty buckets of a Float64Histogram as ``[lo, hi) count`` lines."""
    b, c = h["buckets"], h["counts"]
    out = []
    for k, n in enumerate(c):
        if n:
            out.append(f"  [{_dur(b[k])}, {_dur(b[k + 1])}) {n}")
    return out


def _dur(s: float) -> str:
    if s == float("inf"):
        return "+Inf"
    if s == 0:
        return "0"
    if s < 1e-3:
        return f"{s * 1e6:g}us"
    if s < 1:
        return f"{s * 1e3:g}ms"
    return f"{s:g}s"


def format_metrics(m: dict[str, Any]) -> str:
    """The metrics as text, one ``name value`` line each, the histogram's buckets below it."""
    lines = []
    for k, v in m.items():
        if isinstance(v, dict):
            lines.append(f"{k} ({sum(v['counts'])} samples)")
            lines += format_histogram(v)
        else:
            lines.append(f"{k} {v}")
    return "\n".join(lines) + "\n"
