"""Counterexamples as Chrome trace-event JSON (Perfetto, ``chrome://tracing``).

The format is the one documented in Google's "Trace Event Format" (the JSON
object form: ``{"traceEvents": [...], "displayTimeUnit": "ms"}``).  A trace
has no clock, so step ``i`` (1-based) is drawn in the time slot
``[(i-1)*STEP_US, i*STEP_US)`` and one more slot shows the end state.

Tracks (one ``tid`` each, in one process): every actor of the trace and every
view variable named like one (``G3``, ``P0``, ``M1``), goroutine-like names
first, then processors, then machines, then other actors (``timer``,
``sysmon``) in order of appearance.  Per slot a track has one complete event
(``ph: X``):

- ``running``: the track is the step's actor; the slice is named by the action;
- ``blocked`` / ``runnable``: read from the actor's status in the view before
  the step (`checker.view.analysis.status`); consecutive equal slots merge;
- any other track with a view value (a processor) is labelled by the first
  clause of that value (``running G3``, ``scheduling/idle``).

Flow events (``ph: s`` then ``ph: f`` with the same ``id``, ``bp: e``) join a
channel message's send to its receive (`checker.view.analysis.analyze`, which
pairs them) and a lock's release by one actor to its next acquisition by
another.  Instant events (``ph: i``) mark panics (a view gains ``panic``),
preemptions (an action that says ``preempt``), the lasso's loop start and the
violation.  Nothing here knows Go beyond what `analysis` reads from the views.

`validate` is a schema check of the same documented format (required fields
per phase, flow ids, per-track time order); tests run it on every export.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from checker.files import atomic_write
from checker.trace import Counterexample
from checker.view.analysis import analyze, status, strip_action

#: Microseconds per step: Perfetto shows 1 ms per step.
STEP_US = 1000
_TRACK = re.compile(r"([A-Z])(\d+)\Z")
_ORDER = {"G": 0, "P": 1, "M": 2}
_PREEMPT = re.compile(r"\bpreempt", re.I)


@dataclass
class ChromeTrace:
    """A small builder: tracks by name, events, flows with fresh ids."""

    process: str
    pid: int = 1
    tids: dict[str, int] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    other: dict[str, Any] = field(default_factory=dict)
    _flow: int = 0

    def track(self, name: str) -> int:
        if name not in self.tids:
            self.tids[name] = len(self.tids) + 1
        return self.tids[name]

    def slice(self, track: str, name: str, ts: float, dur: float, cat: str, args: dict[str, Any] | None = None) -> None:
        ev = {"name": name, "cat": cat, "ph": "X", "ts": ts, "dur": dur, "pid": self.pid, "tid": self.track(track)}
        if args:
            ev["args"] = args
        self.events.append(ev)

    def instant(self, track: str | None, name: str, ts: float, cat: str, args: dict[str, Any] | None = None) -> None:
        """An instant event on `track`, or global (scope ``g``) when `track` is None."""
        ev: dict[str, Any] = {"name": name, "cat": cat, "ph": "i", "ts": ts, "pid": self.pid,
                              "tid": self.track(track) if track is not None else 0, "s": "t" if track else "g"}
        if args:
            ev["args"] = args
        self.events.append(ev)

    def flow(self, name: str, cat: str, src: str, ts_src: float, dst: str, ts_dst: float,
             args: dict[str, Any] | None = None) -> int:
        """A flow arrow from the slice enclosing `ts_src` on `src` to the one enclosing `ts_dst` on `dst`."""
        self._flow += 1
        fid = self._flow
        s = {"name": name, "cat": cat, "ph": "s", "id": fid, "ts": ts_src, "pid": self.pid, "tid": self.track(src)}
        f = {"name": name, "cat": cat, "ph": "f", "bp": "e", "id": fid, "ts": ts_dst, "pid": self.pid,
             "tid": self.track(dst)}
        if args:
            s["args"] = args
        self.events += [s, f]
        return fid

    def document(self, sort_index: dict[str, int] | None = None) -> dict[str, Any]:
        meta: list[dict[str, Any]] = [{"name": "process_name", "ph": "M", "pid": self.pid, "tid": 0,
                                       "args": {"name": self.process}}]
        for name, tid in self.tids.items():
            meta.append({"name": "thread_name", "ph": "M", "pid": self.pid, "tid": tid, "args": {"name": name}})
            meta.append({"name": "thread_sort_index", "ph": "M", "pid": self.pid, "tid": tid,
                         "args": {"sort_index": (sort_index or {}).get(name, tid)}})
        rank = {"X": 0, "s": 1, "f": 2, "i": 3}
        body = sorted(self.events, key=lambda e: (e["ts"], rank.get(e["ph"], 4)))
        return {"traceEvents": meta + body, "displayTimeUnit": "ms", "otherData": dict(self.other)}


def _track_key(name: str, first_seen: int) -> tuple[int, int, str]:
    m = _TRACK.match(name)
    if m and m.group(1) in _ORDER:
        return (_ORDER[m.group(1)], int(m.group(2)), name)
    return (3, first_seen, name)


def _tracks(cx: Counterexample) -> list[str]:
    """Actor tracks in display order (see the module docstring)."""
    seen: dict[str, int] = {}
    for st in cx.steps:
        for k in st.view:
            m = _TRACK.match(k)
            if m and m.group(1) in _ORDER and k not in seen:
                seen[k] = len(seen)
        if st.actor and st.actor not in seen:
            seen[st.actor] = len(seen)
    return sorted(seen, key=lambda n: _track_key(n, seen[n]))


def _label(value: Any) -> tuple[str, str]:
    """(category, slice name) of a track's view value; ('', '') for absent or finished."""
    if value is None:
        return "", ""
    st, detail = status(value)
    if st == "done":
        return "", ""
    if st == "blocked":
        return "blocked", f"blocked: {detail}" if detail else "blocked"
    if st == "runnable":
        return "runnable", "runnable"
    text = str(value)
    return "state", re.split(r"[;,]", text, maxsplit=1)[0].strip() or text


def to_chrome(cx: Counterexample) -> dict[str, Any]:
    """The Chrome trace-event document of a counterexample (see the module docstring)."""
    n = len(cx.steps) - 1
    spec = f" ({cx.spec_path})" if cx.spec_path else ""
    tr = ChromeTrace(f"gocheck: {cx.property} violated{spec}")
    tr.other = {"property": cx.property, "kind": cx.kind, "reason": cx.reason, "spec": cx.spec_path,
                "path": cx.path_str, "loop": cx.loop, "step_us": STEP_US}
    tracks = _tracks(cx)
    for t in tracks:
        tr.track(t)
    for t in tracks:  # slices: one slot per step plus the end state
        _track_slices(tr, cx, t)
    # flows: channel messages, then lock hand-offs
    evs, msgs = analyze(cx)
    flows: list[tuple[float, str, str, str, float, str, float, dict[str, Any]]] = []
    for m in msgs:
        if m.recv_step is None or m.receiver is None:
            continue
        ts_s = _inside(cx, m.sender, m.send_step)
        ts_f = _inside(cx, m.receiver, m.recv_step)
        flows.append((ts_s, f"chan {m.chan}", "chan", m.sender, ts_s, m.receiver, max(ts_f, ts_s),
                      {"message": m.id, "send_step": m.send_step, "recv_step": m.recv_step}))
    released: dict[str, tuple[int, str]] = {}
    for e in evs:
        if e.kind == "unlock" and e.obj:
            released[e.obj] = (e.step, e.actor)
        elif e.kind == "lock" and not e.blocked and e.obj:
            last = released.pop(e.obj, None)
            if last is not None and last[1] != e.actor:
                ts_s = _inside(cx, last[1], last[0])
                flows.append((ts_s, f"lock {e.obj}", "lock", last[1], ts_s, e.actor, _inside(cx, e.actor, e.step),
                              {"released_step": last[0], "acquired_step": e.step}))
    for _, name, cat, src, ts_s, dst, ts_f, args in sorted(flows, key=lambda f: (f[0], f[1])):
        tr.flow(name, cat, src, ts_s, dst, ts_f, args)
    # instants: panics, preemptions, the loop, the violation
    for i, st in enumerate(cx.steps[1:], start=1):
        mid = (i - 1) * STEP_US + STEP_US // 2
        if "panic" in st.view and "panic" not in cx.steps[i - 1].view:
            tr.instant(st.actor or tracks[0], f"panic: {st.view['panic']}", mid, "panic", {"step": i})
        text = st.action or ""
        if _PREEMPT.search(text):
            named = [t for t in tracks if re.search(r"(?<![\w.])" + re.escape(t) + r"(?![\w.])", text)]
            for t in dict.fromkeys([st.actor] + named if st.actor else named):
                tr.instant(t, "preempt", mid, "preempt", {"step": i, "action": text})
    if cx.loop is not None:
        tr.instant(None, f"loop: steps {cx.loop + 1}..{n} repeat forever", cx.loop * STEP_US, "loop",
                   {"back_to": cx.loop})
    tr.instant(None, f"{cx.property} violated", n * STEP_US, "violation", {"reason": cx.reason})
    return tr.document({t: k for k, t in enumerate(tracks)})


def _track_slices(tr: ChromeTrace, cx: Counterexample, t: str) -> None:
    """Track `t`'s slices: its own steps one by one, its waiting states merged."""
    n = len(cx.steps) - 1
    run: tuple[str, str, int, int, Any] | None = None  # cat, name, first slot, last slot, status at start
    for i in range(1, n + 2):
        before = cx.steps[i - 1].view.get(t)
        acting = i <= n and cx.steps[i].actor == t
        cat, name = _label(before)
        if run is not None and not acting and (run[0], run[1]) == (cat, name):
            run = (cat, name, run[2], i, run[4])
            continue
        if run is not None:
            _merged(tr, t, run)
        run = (cat, name, i, i, before) if cat and not acting else None
        if acting:
            st = cx.steps[i]
            args: dict[str, Any] = {"step": i}
            if st.position:
                args["position"] = st.position
            tr.slice(t, strip_action(st.action or "", st.actor) or (st.action or "step"), (i - 1) * STEP_US,
                     STEP_US, "running", args)
    if run is not None:
        _merged(tr, t, run)


def _merged(tr: ChromeTrace, t: str, run: tuple[str, str, int, int, Any]) -> None:
    cat, name, a, b, value = run
    args = {"steps": f"{a}..{b}" if a != b else str(a)}
    if value is not None:
        args["status"] = value
    tr.slice(t, name, (a - 1) * STEP_US, (b - a + 1) * STEP_US, cat, args)


def _inside(cx: Counterexample, track: str, step: int) -> float:
    """A time inside `track`'s slice for `step`: mid-slot if it acted then, else just after it (woken)."""
    if 1 <= step < len(cx.steps) and cx.steps[step].actor == track:
        return (step - 1) * STEP_US + STEP_US // 2
    return step * STEP_US + 1


def write_chrome(cx: Counterexample, out: str) -> str:
    return write_doc(to_chrome(cx), out)


def write_doc(doc: dict[str, Any], out: str) -> str:
    return atomic_write(out, json.dumps(doc, indent=0) + "\n")


# --------------------------------------------------------------------------- schema check

_PHASES = set("BEXiIsftCMbenNODPRcpv(")
_NUM = (int, float)
_EPS = 1e-6  # microsecond timestamps are decimal fractions: sums may differ in the last bit


def validate(doc: Any) -> list[str]:
    """Defects of a Chrome trace-event document, per the Trace Event Format
    specification; empty when it is well formed.

    Checks: the JSON object form; every event has ``name`` (string), ``ph``
    (a known phase), ``pid`` and ``tid`` (integers) and, unless metadata, a
    numeric ``ts >= 0``; ``X`` has ``dur >= 0``; ``B``/``E`` nest per thread;
    ``i``/``I`` scope is one of ``g p t``; flow ``s``/``t``/``f`` carry
    ``id`` and ``cat``, each ``f`` follows exactly one ``s`` with the same
    id, cat and name and not earlier, no id starts twice; ``C`` args are
    numbers; ``M`` is one of the documented names with its argument; the
    events of each thread (metadata aside) appear in non-decreasing ``ts``;
    complete events of one thread nest or are disjoint (the viewers draw
    them as a stack).
    """
    errs: list[str] = []
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        return ["not the JSON object form: no 'traceEvents' list"]
    if doc.get("displayTimeUnit", "ms") not in ("ms", "ns"):
        errs.append("displayTimeUnit must be 'ms' or 'ns'")
    last: dict[tuple[Any, Any], float] = {}
    open_x: dict[tuple[Any, Any], list[float]] = {}
    stacks: dict[tuple[Any, Any], list[str]] = {}
    starts: dict[Any, dict[str, Any]] = {}
    ended: set[Any] = set()
    for k, e in enumerate(doc["traceEvents"]):
        where = f"event {k}"
        if not isinstance(e, dict):
            errs.append(f"{where}: not an object")
            continue
        ph = e.get("ph")
        if ph not in _PHASES:
            errs.append(f"{where}: unknown phase {ph!r}")
            continue
        if not isinstance(e.get("name"), str) and ph != "E":
            errs.append(f"{where}: 'name' missing")
        if not isinstance(e.get("pid"), int) or not isinstance(e.get("tid"), int):
            errs.append(f"{where}: 'pid'/'tid' must be integers")
        key = (e.get("pid"), e.get("tid"))
        if ph == "M":
            want = {"process_name": "name", "thread_name": "name", "process_sort_index": "sort_index",
                    "thread_sort_index": "sort_index", "process_labels": "labels"}
            arg = want.get(e.get("name", ""))
            if arg is None or not isinstance(e.get("args"), dict) or arg not in e["args"]:
                errs.append(f"{where}: metadata event {e.get('name')!r} without its args")
            continue
        ts = e.get("ts")
        if not isinstance(ts, _NUM) or isinstance(ts, bool) or ts < 0:
            errs.append(f"{where}: 'ts' must be a number >= 0")
            continue
        if ts < last.get(key, 0):
            errs.append(f"{where}: ts {ts} goes back in time on pid/tid {key}")
        last[key] = max(ts, last.get(key, 0))
        if ph == "X":
            dur = e.get("dur")
            if not isinstance(dur, _NUM) or dur < 0:
                errs.append(f"{where}: complete event without 'dur' >= 0")
                continue
            ends = open_x.setdefault(key, [])
            while ends and ends[-1] <= ts + _EPS:
                ends.pop()
            if ends and ts + dur > ends[-1] + _EPS:
                errs.append(f"{where}: slice [{ts}, {ts + dur}) overlaps an enclosing slice ending at {ends[-1]} "
                            f"on pid/tid {key} without nesting in it")
            ends.append(ts + dur)
        elif ph == "B":
            stacks.setdefault(key, []).append(e["name"])
        elif ph == "E":
            if not stacks.get(key):
                errs.append(f"{where}: 'E' without an open 'B' on {key}")
            else:
                stacks[key].pop()
        elif ph in "iI":
            if e.get("s", "t") not in ("g", "p", "t"):
                errs.append(f"{where}: instant scope must be g, p or t")
        elif ph in "stf":
            fid, cat = e.get("id"), e.get("cat")
            if fid is None or not isinstance(cat, str):
                errs.append(f"{where}: flow event without 'id' and 'cat'")
                continue
            if ph == "s":
                if fid in starts:
                    errs.append(f"{where}: flow id {fid} starts twice")
                starts[fid] = e
            else:
                s = starts.get(fid)
                if s is None or fid in ended:
                    errs.append(f"{where}: flow '{ph}' id {fid} without an open 's' before it")
                    continue
                if (s.get("cat"), s.get("name")) != (cat, e.get("name")):
                    errs.append(f"{where}: flow id {fid}: cat/name differ from its 's'")
                if ts < s["ts"]:
                    errs.append(f"{where}: flow id {fid} ends before it starts")
                if ph == "f":
                    ended.add(fid)
                    if e.get("bp", "e") not in ("e",):
                        errs.append(f"{where}: flow end binding point must be 'e'")
        elif ph == "C":
            args = e.get("args")
            if not isinstance(args, dict) or not all(isinstance(v, _NUM) for v in args.values()):
                errs.append(f"{where}: counter args must be numbers")
    for fid in starts:
        if fid not in ended:
            errs.append(f"flow id {fid} starts but never ends")
    for key, st in stacks.items():
        if st:
            errs.append(f"pid/tid {key}: {len(st)} 'B' event(s) never ended")
    return errs


def summary(doc: dict[str, Any]) -> dict[str, Any]:
    """What tests pin: track names in order (by process, then sort index), slices per track in
    time order, flows as ``(id, name, source track, target track)`` and instants."""
    meta = [e for e in doc["traceEvents"] if e["ph"] == "M"]
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in meta if e["name"] == "thread_name"}
    sort = {(e["pid"], e["tid"]): e["args"]["sort_index"] for e in meta if e["name"] == "thread_sort_index"}
    order = sorted(names, key=lambda k: (k[0], sort.get(k, k[1])))
    ev = [e for e in doc["traceEvents"] if e["ph"] != "M"]
    flows: list[tuple[Any, str, str, str]] = []
    by_id: dict[Any, dict[str, Any]] = {}
    for e in ev:
        if e["ph"] == "s":
            by_id[e["id"]] = e
        elif e["ph"] == "f":
            src = by_id[e["id"]]
            flows.append((e["id"], e["name"], names[(src["pid"], src["tid"])], names[(e["pid"], e["tid"])]))
    return {
        "tracks": [names[k] for k in order],
        "slices": {names[k]: [e["name"] for e in ev if e["ph"] == "X" and (e["pid"], e["tid"]) == k] for k in order},
        "flows": flows,
        "instants": [(names.get((e["pid"], e["tid"]), "*"), e["name"]) for e in ev if e["ph"] == "i"],
    }
