"""Counterexamples as Chrome trace-event JSON (issue 16): a deadlock, a race, a starvation lasso,
channel and lock hand-offs, G-M-P processor tracks.

Every export passes `checker.view.chrome.validate`, a schema check written from the Trace Event
Format document (required fields per phase, flow ids paired s -> f, time monotone per track), and
the tests pin track order, the slices per track in time order, the flow ids and the instants.
"""

from __future__ import annotations

import json
import os

from checker.trace import write_itf
from checker.view.chrome import STEP_US, to_chrome, validate
from checker.view.chrome import summary as chrome_summary


def export(spec: str, prop: str) -> tuple[dict, dict]:
    from tests.test_view_go import go_counterexample
    _, cx = go_counterexample(spec, prop)
    doc = to_chrome(cx)
    assert validate(doc) == []
    return doc, chrome_summary(doc)


def per_track_order(doc: dict) -> None:
    last: dict[int, float] = {}
    for e in doc["traceEvents"]:
        if e["ph"] != "M":
            assert e["ts"] >= last.get(e["tid"], 0)
            last[e["tid"]] = e["ts"]


def test_deadlock_abba():
    doc, s = export("abba_deadlock", "deadlock_free")
    assert s["tracks"] == ["G1", "G2", "G3"]
    assert s["slices"] == {
        "G1": ["wg.Add(2)", "go func() {", "go func() {", "wg.Wait()", "blocked: sync.WaitGroup.Wait wg"],
        "G2": ["runnable", "a.Lock()", "runnable", "b.Lock()", "blocked: sync.Mutex.Lock b"],
        "G3": ["runnable", "b.Lock()", "a.Lock()", "blocked: sync.Mutex.Lock a"]}
    assert s["flows"] == []
    assert s["instants"] == [("*", "deadlock_free violated")]
    assert len(doc["traceEvents"]) == 22
    per_track_order(doc)
    # G1 blocks at step 4, G3 at step 7, G2 at step 8; the slot after step 8 shows the end state
    ends = [e for e in doc["traceEvents"] if e["ph"] == "X" and e["name"].startswith("blocked")]
    assert [(e["ts"], e["dur"]) for e in ends] == [(4000, 5000), (7000, 2000), (8000, 1000)]
    assert doc["otherData"]["path"] == "0/0/0/0/0/0/1/1/0" and STEP_US == 1000


def test_race_racy_counter():
    doc, s = export("racy_counter", "race_free")
    assert s["tracks"] == ["G1", "G2", "G3"]
    assert s["slices"]["G1"] == ["counter := 0", "wg.Add(1)", "go func() {", "}", "wg.Add(1)", "go func() {",
                                 "runnable"]
    assert s["slices"]["G2"] == ["runnable", "counter++", "runnable"]
    assert s["slices"]["G3"] == ["runnable"]
    assert s["flows"] == [] and s["instants"] == [("*", "race_free violated")]
    assert len(doc["traceEvents"]) == 19


def test_starvation_lasso():
    doc, s = export("mutex_starvation", "starvation_free")
    assert s["tracks"] == ["G1", "G2"]
    assert s["slices"]["G1"] == ["go func() {", "runnable", "mu.Lock()", "blocked: sync.Mutex.Lock mu", "runnable",
                                 "mu.Lock()", "blocked: sync.Mutex.Lock mu", "runnable", "mu.Lock()",
                                 "blocked: sync.Mutex.Lock mu"]
    assert s["slices"]["G2"][:4] == ["mu.Lock()", "runnable", "mu.Unlock()", "}"]
    # G2 re-acquires its own lock: a barging re-lock is no hand-off, so no flow
    assert s["flows"] == []
    assert s["instants"] == [("*", "loop: steps 4..11 repeat forever"), ("*", "starvation_free violated")]
    loop = next(e for e in doc["traceEvents"] if e.get("cat") == "loop")
    assert loop["ts"] == 3 * STEP_US and loop["s"] == "g" and loop["args"] == {"back_to": 3}


def test_channel_handoffs_flow_ids():
    doc, s = export("ctx_pipeline_leak", "leak_free")
    assert s["flows"] == [(1, "chan out", "G2", "G1"), (2, "chan out", "G2", "G1")]
    flows = [(e["ph"], e["id"], e["tid"], e["ts"]) for e in doc["traceEvents"] if e["ph"] in "sf"]
    # G2 (tid 2) sends in its select at steps 4 and 7 to G1 (tid 1), blocked receiving since steps 3
    # and 5: the arrow leaves mid-step and lands in G1's slice that starts when the step ends
    assert flows == [("s", 1, 2, 3500), ("f", 1, 1, 4001), ("s", 2, 2, 6500), ("f", 2, 1, 7001)]


def test_lock_handoff_flow():
    doc, s = export("cond_lost_wakeup", "deadlock_free")
    assert s["flows"] == [(1, "lock mu", "G1", "G2")]


def test_gmp_processor_tracks_and_preemptions():
    doc, s = export("syscall_handoff_noretake", "starvation_free")
    assert s["tracks"] == ["G1", "G2", "G3", "P0", "P1"]
    # the shortest lasso since preemption is an environment choice (docs/gmp.md): main's syscall
    # holds P0, the spinner is preempted once on P1 and keeps it
    assert s["slices"]["P1"][0] == "scheduling/idle" and s["slices"]["P1"][-1] == "running G2"
    assert s["slices"]["P0"][-1] == "_Psyscall (G1 in a system call)"
    assert [x for x in s["instants"] if x[1] == "preempt"] == [("P1", "preempt"), ("G2", "preempt")]


def test_panic_instant():
    doc, s = export("double_close", "panic_free")
    assert ("G3", "panic: panic: close of closed channel [G3 at main.go:12]") in s["instants"]


def test_validate_catches_defects():
    ok = {"name": "a", "ph": "X", "ts": 0, "dur": 1, "pid": 1, "tid": 1}
    assert validate({"traceEvents": [ok]}) == []
    assert validate([]) == ["not the JSON object form: no 'traceEvents' list"]
    bad = [dict(ok, dur=-1), {"name": "x", "ph": "s", "ts": 5, "pid": 1, "tid": 1, "cat": "c", "id": 7},
           {"name": "x", "ph": "f", "ts": 4, "pid": 1, "tid": 2, "cat": "c", "id": 7},
           {"name": "y", "ph": "f", "ts": 9, "pid": 1, "tid": 2, "cat": "c", "id": 8},
           {"name": "i", "ph": "i", "ts": 1, "pid": 1, "tid": 1, "s": "q"},
           {"name": "z", "ph": "Q", "ts": 1, "pid": 1, "tid": 1}]
    assert validate({"traceEvents": bad}) == [
        "event 0: complete event without 'dur' >= 0",
        "event 2: flow id 7 ends before it starts",
        "event 3: flow 'f' id 8 without an open 's' before it",
        "event 4: ts 1 goes back in time on pid/tid (1, 1)",
        "event 4: instant scope must be g, p or t",
        "event 5: unknown phase 'Q'"]


def test_view_chrome_cli(tmp_path):
    from gocheck.cli import main
    from tests.test_view_go import go_counterexample
    _, cx = go_counterexample("abba_deadlock", "deadlock_free")
    trace = write_itf(cx, str(tmp_path / "t.itf.json"))
    out = str(tmp_path / "t.chrome.json")
    assert main(["view", trace, "--no-spec", "--chrome", out]) == 0
    with open(out) as f:
        doc = json.load(f)
    assert validate(doc) == [] and doc == json.loads(json.dumps(to_chrome(cx)))
    assert os.path.getsize(out) > 1000
