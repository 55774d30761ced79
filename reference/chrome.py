"""The reference runtime's event log as Chrome trace-event JSON (Perfetto, ``chrome://tracing``).

The same format as ``python -m checker view TRACE --chrome`` (the Trace Event
Format's JSON object form), from a run with ``observe=True``: the scheduler
events of `reference.observe` (GoCreate, GoStart, GoBlock, GoUnblock,
GoPreempt, GoSched, GoSysCall, GoSysExit, GoEnd, Steal, PreemptRequest,
GoPanic) and the timestamped visible operations of the event log.

Tracks: process 1 holds one thread per goroutine, process 2 one per P,
process 3 one per M (an OS thread).  A goroutine's track has ``running``
slices (GoStart or GoSysExit to its next stop), ``blocked`` slices named by
the wait reason (GoBlock to GoUnblock), ``syscall`` slices and ``runnable``
slices (created, unblocked or preempted, to GoStart).  A P's and an M's
tracks have one slice per goroutine they ran.  Flow arrows join the
goroutine that readied another (a channel or lock hand-off: the wait
reason says which) to the readied goroutine's next running slice, and a
steal's victim P to the thief P.  Instants: each visible operation on its
goroutine (``Send main.go:12``), preemption requests (on the P and the G),
panics.

This module is stdlib-only: the reference runtime imports nothing of the
checker (see `reference`'s package docstring).
"""

from __future__ import annotations

import json
import os
from typing import Any

_STOP = {"GoBlock", "GoPreempt", "GoSched", "GoStop", "GoEnd", "GoSysCall"}
_LOCKS = ("sync.Mutex", "sync.RWMutex")


def _us(ns: int) -> float:
    return round(ns / 1000.0, 3)


class _Doc:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.tids: dict[tuple[int, int], str] = {}
        self.flow = 0

    def tid(self, pid: int, n: int, name: str) -> int:
        self.tids[(pid, n)] = name
        return n

    def slice(self, pid: int, tid: int, name: str, cat: str, a: int, b: int, args: dict[str, Any] | None = None) -> None:
        e: dict[str, Any] = {"name": name, "cat": cat, "ph": "X", "ts": _us(a), "dur": _us(max(b - a, 0)),
                             "pid": pid, "tid": tid}
        if args:
            e["args"] = args
        self.events.append(e)

    def instant(self, pid: int, tid: int, name: str, cat: str, ts: int, args: dict[str, Any] | None = None) -> None:
        e: dict[str, Any] = {"name": name, "cat": cat, "ph": "i", "s": "t", "ts": _us(ts), "pid": pid, "tid": tid}
        if args:
            e["args"] = args
        self.events.append(e)


def to_chrome(events: list[dict[str, Any]], sched_events: list[dict[str, Any]], *, file: str = "",
              title: str = "gocheck reference run") -> dict[str, Any]:
    """The Chrome trace-event document of one observed run."""
    d = _Doc()
    evs = sorted(sched_events, key=lambda e: e["ts"])
    end = max([e["ts"] for e in evs] + [e.get("ts", 0) for e in events] + [0]) + 1000
    running: dict[int, tuple[int, int | None, int | None]] = {}  # g -> (since, p, m)
    waiting: dict[int, tuple[str, int, str]] = {}  # g -> (cat, since, name)
    handoff: dict[int, tuple[int, int, str, str]] = {}  # readied g -> (by g, ts, cat, reason)
    reason: dict[int, str] = {}
    seen: set[int] = set()
    #: (src pid, src tid, src ts, dst pid, dst tid, dst ts (-1: the next GoStart), cat, name)
    flows: list[tuple[int, int, int, int, int, int, str, str]] = []
    created: dict[int, int] = {}  # g -> index of its creation flow, waiting for its first GoStart

    def gtid(g: int) -> int:
        seen.add(g)
        return d.tid(1, g, f"G{g}")

    def stop_running(g: int, ts: int) -> None:
        r = running.pop(g, None)
        if r is None:
            return
        since, p, m = r
        d.slice(1, gtid(g), "running" + (f" on P{p}" if p is not None else ""), "running", since, ts,
                {"p": p, "m": m})
        if p is not None:
            d.slice(2, d.tid(2, p, f"P{p}"), f"G{g}", "running", since, ts, {"m": m})
        if m is not None:
            d.slice(3, d.tid(3, m, f"M{m}"), f"G{g}", "running", since, ts, {"p": p})

    def stop_waiting(g: int, ts: int) -> None:
        w = waiting.pop(g, None)
        if w is not None:
            d.slice(1, gtid(g), w[2], w[0], w[1], ts)

    for e in evs:
        kind, g, ts = e["ev"], e.get("g"), e["ts"]
        if kind == "Steal":
            thief, victim = e.get("p"), e.get("victim")
            if thief is not None and victim is not None:
                d.instant(2, d.tid(2, thief, f"P{thief}"), f"steal {e.get('n')} G from P{victim}", "steal", ts)
                d.tid(2, victim, f"P{victim}")
                flows.append((2, victim, ts, 2, thief, ts, "steal", f"steal P{victim} -> P{thief}"))
            continue
        if g is None:
            continue
        if kind == "GoCreate":
            gtid(g)
            waiting[g] = ("runnable", ts, "runnable")
            par = e.get("parent")
            if par:
                created[g] = len(flows)
                flows.append((1, par, ts, 1, g, -1, "go", f"go G{g}"))
        elif kind in ("GoStart", "GoSysExit"):
            stop_waiting(g, ts)
            running[g] = (ts, e.get("p"), e.get("m"))
            h = handoff.pop(g, None)
            if h is not None and kind == "GoStart":
                flows.append((1, h[0], h[1], 1, g, ts, h[2], f"{h[2]} hand-off ({h[3]})"))
            k = created.pop(g, None)
            if k is not None:
                f = flows[k]
                flows[k] = (f[0], f[1], f[2], f[3], f[4], ts, f[6], f[7])
        elif kind in _STOP:
            stop_running(g, ts)
            if kind == "GoBlock":
                reason[g] = e.get("reason") or "waiting"
                waiting[g] = ("blocked", ts, f"blocked: {reason[g]}")
            elif kind == "GoSysCall":
                waiting[g] = ("syscall", ts, "syscall")
            elif kind != "GoEnd":
                waiting[g] = ("runnable", ts, "runnable" if kind != "GoPreempt" else "runnable (preempted)")
            if kind == "GoPreempt":
                d.instant(1, gtid(g), "preempted", "preempt", ts)
        elif kind == "GoUnblock":
            cur = waiting.get(g)
            if cur is not None and cur[0] == "blocked":
                stop_waiting(g, ts)
                waiting[g] = ("runnable", ts, "runnable")
            by = e.get("by")
            why = reason.pop(g, "")
            if by is not None and by != g and why and why != "controlled":  # controlled mode's token is no hand-off
                cat = "lock" if why.startswith(_LOCKS) else "chan" if "chan" in why or "select" in why else "wake"
                handoff[g] = (by, ts, cat, why)
        elif kind == "PreemptRequest":
            p = e.get("p")
            if p is not None:
                d.instant(2, d.tid(2, p, f"P{p}"), f"preempt G{g}", "preempt", ts)
            d.instant(1, gtid(g), "preempt requested", "preempt", ts)
        elif kind == "GoPanic":
            d.instant(1, gtid(g), "panic", "panic", ts)
    for g in list(running):
        stop_running(g, end)
    for g in list(waiting):
        stop_waiting(g, end)
    base = os.path.basename(file) if file else ""
    for e in events:
        g = e.get("g")
        if g is None or "ts" not in e:
            continue
        where = f" {base}:{e.get('line')}" if base else f" line {e.get('line')}"
        d.instant(1, gtid(g), f"{e.get('action')}{where}", "op", e["ts"],
                  {k: v for k, v in e.items() if k in ("object", "child", "case", "text")})
    fid = 0
    for sp, st, sts, dp, dt, dts, cat, name in sorted(flows, key=lambda f: (f[2], f[1], f[4])):
        if dts < 0 or (sp == 1 and st not in seen):
            continue  # the readied goroutine never ran again, or an unknown source
        fid += 1
        d.events.append({"name": name, "cat": cat, "ph": "s", "id": fid, "ts": _us(sts), "pid": sp, "tid": st})
        d.events.append({"name": name, "cat": cat, "ph": "f", "bp": "e", "id": fid, "ts": _us(max(dts, sts)),
                         "pid": dp, "tid": dt})
    meta: list[dict[str, Any]] = []
    for pid, pname in ((1, "goroutines"), (2, "Ps (processors)"), (3, "Ms (OS threads)")):
        if any(k[0] == pid for k in d.tids):
            meta.append({"name": "process_name", "ph": "M", "pid": pid, "tid": 0, "args": {"name": f"{title}: {pname}"}})
            meta.append({"name": "process_sort_index", "ph": "M", "pid": pid, "tid": 0, "args": {"sort_index": pid}})
    for (pid, n), name in sorted(d.tids.items()):
        meta.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": n, "args": {"name": name}})
        meta.append({"name": "thread_sort_index", "ph": "M", "pid": pid, "tid": n, "args": {"sort_index": n}})
    rank = {"X": 0, "s": 1, "f": 2, "i": 3}
    body = sorted(d.events, key=lambda e: (e["ts"], rank.get(e["ph"], 4)))
    return {"traceEvents": meta + body, "displayTimeUnit": "ms",
            "otherData": {"source": "gocheck reference runtime", "file": file}}


def split_log(lines: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """An event log read back: (visible operations, scheduler events)."""
    return [e for e in lines if "ev" not in e], [e for e in lines if "ev" in e]


def log_to_chrome(log_path: str, out: str, file: str = "") -> str:
    """Convert a JSON-lines event log written with ``observe`` to a Chrome trace file."""
    with open(log_path, encoding="utf-8") as f:
        lines = [json.loads(x) for x in f if x.strip()]
    ops, sched = split_log(lines)
    return write_chrome(to_chrome(ops, sched, file=file), out)


def write_chrome(doc: dict[str, Any], out: str) -> str:
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=0)
        f.write("\n")
    return out
