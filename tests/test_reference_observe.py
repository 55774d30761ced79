"""The reference runtime reports like Go's (issue 16): goroutine dumps on deadlock and on demand
(SIGQUIT), GODEBUG=schedtrace-style lines, runtime/metrics-named values, and its event log as
Chrome trace-event JSON.

Real threads make timings nondeterministic: controlled mode (procs=1, a fixed schedule) pins exact
event sequences; a free stealing run pins the relations between the counters (every steal is one
Steal event and one /sched/steals:events, every GoStart one latency sample).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

import reference
from checker.view.chrome import summary, validate
from reference.chrome import log_to_chrome, to_chrome
from reference.observe import LATENCY_BUCKETS, format_metrics
from tests.test_reference import DEADLOCK, GO, prog

pytestmark = pytest.mark.slow  # real threads and real timing: the full run, not the edit loop

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ABBA_SCHEDULE = [1, 1, 1, 1, 2, 3, 2, 3]
SCHED = re.compile(r"SCHED (\d+)ms: gomaxprocs=(\d+) idleprocs=(\d+) threads=(\d+) spinningthreads=(\d+) "
                   r"idlethreads=(\d+) runqueue=(\d+) \[(\d+(?: \d+)*)\]\Z")


def abba(**kw):
    return reference.run(prog("abba"), procs=1, schedule=ABBA_SCHEDULE, timeout_s=20, observe=True, **kw)


def test_deadlock_dump_like_go():  # DL-O3 shape: every goroutine, its wait reason, its line, its creator
    r = abba()
    f = GO / "abba.go"
    assert r.exit_code == 2
    assert r.stderr == (DEADLOCK + f"goroutine 1 [sync.WaitGroup.Wait]:\nmain.main()\n\t{f}:28\n\n"
                        f"goroutine 2 [sync.Mutex.Lock]:\nmain.main.func1()\n\t{f}:14\n"
                        f"created by main.main in goroutine 1\n\t{f}:12\n\n"
                        f"goroutine 3 [sync.Mutex.Lock]:\nmain.main.func2()\n\t{f}:22\n"
                        f"created by main.main in goroutine 1\n\t{f}:20\n")


def test_scheduler_events_of_a_controlled_deadlock():
    r = abba()
    assert [(e["ev"], e["g"]) + ((e["reason"],) if e["ev"] == "GoBlock" else ()) for e in r.sched_events] == [
        ("GoCreate", 1), ("GoStart", 1), ("GoCreate", 2), ("GoCreate", 3),
        ("GoBlock", 1, "sync.WaitGroup.Wait"),
        ("GoStart", 3), ("GoBlock", 3, "controlled"), ("GoStart", 2), ("GoUnblock", 3),
        ("GoBlock", 2, "controlled"), ("GoStart", 3), ("GoUnblock", 2), ("GoBlock", 3, "controlled"),
        ("GoStart", 2), ("GoBlock", 2, "sync.Mutex.Lock"), ("GoUnblock", 3), ("GoStart", 3),
        ("GoBlock", 3, "sync.Mutex.Lock")]
    ts = [e["ts"] for e in r.sched_events]
    assert ts == sorted(ts) and all(e["p"] == 0 for e in r.sched_events if e["ev"] == "GoStart")
    m = r.metrics
    assert m["/sched/goroutines:goroutines"] == 3 and m["/sched/gomaxprocs:threads"] == 1
    h = m["/sched/latencies:seconds"]
    assert h["buckets"] == list(LATENCY_BUCKETS) and len(h["counts"]) == 25
    assert sum(h["counts"]) == 6  # one sample per GoStart
    assert (m["/sched/steals:events"], m["/sched/preemptions:events"], m["/sched/runqueue/global:goroutines"],
            m["/sched/runqueue/local:goroutines"]) == (0, 0, 0, 0)
    assert all("ts" in e for e in r.events)  # observing timestamps the visible-operation log too


def test_chrome_export_of_a_controlled_deadlock(tmp_path):
    r = abba(log=str(tmp_path / "abba.jsonl"))
    doc = to_chrome(r.events, r.sched_events, file=str(GO / "abba.go"))
    assert validate(doc) == []
    s = summary(doc)
    assert s["tracks"] == ["G1", "G2", "G3", "P0", "M0"]  # goroutines, then Ps, then Ms
    assert s["slices"]["G1"] == ["runnable", "running on P0", "blocked: sync.WaitGroup.Wait"]
    assert s["slices"]["G2"] == ["runnable", "running on P0", "blocked: controlled", "runnable", "running on P0",
                                 "blocked: sync.Mutex.Lock"]
    assert s["slices"]["P0"] == ["G1", "G3", "G2", "G3", "G2", "G3"]
    assert [(f[1], f[2], f[3]) for f in s["flows"]] == [("go G3", "G1", "G3"), ("go G2", "G1", "G2")]
    assert [x for x in s["instants"] if x[1].startswith("Lock")] == [("G2", "Lock abba.go:13"),
                                                                       ("G3", "Lock abba.go:21")]
    # the JSON-lines log carries both kinds of events and converts to the same document
    out = log_to_chrome(str(tmp_path / "abba.jsonl"), str(tmp_path / "abba.chrome.json"), file=str(GO / "abba.go"))
    with open(out) as f:
        assert summary(json.load(f)) == s


def test_goroutine_dump_on_demand_and_minutes_waited():
    r = reference.run(prog("quit"), procs=2, timeout_s=20, quit_after_ms=300)
    f = GO / "quit.go"
    assert (r.exit_code, r.output) == (2, "started\n")
    assert r.stderr == (f"SIGQUIT: quit\n\ngoroutine 1 [sleep]:\nmain.main()\n\t{f}:14\n\n"
                        f"goroutine 2 [chan receive]:\nmain.main.func1()\n\t{f}:11\n"
                        f"created by main.main in goroutine 1\n\t{f}:10\n")
    # Go adds ", N minutes" once a goroutine has waited a minute (runtime/traceback.go): with a 1 ms "minute"
    rt = reference.Runtime(prog("dl_recv"), 1, 256, 10, None, None, None, False, False)
    rt.minute_ns = 1_000_000
    rt.start()
    rt.done.wait(5)
    time.sleep(0.01)
    rt.shutdown()
    g1 = [g for g in rt.goroutines()]
    assert [(g["id"], g["state"], g["wait_reason"], g["line"]) for g in g1] == [(1, "waiting", "chan receive", 4)]
    assert g1[0]["waited_s"] > 0.005
    assert re.fullmatch(r"goroutine 1 \[chan receive, \d+ minutes\]:\nmain\.main\(\)\n\t.*dl_recv\.go:4\n",
                        rt.dump(list(rt.allgs.values())))


def test_sigquit_dumps_goroutines_from_the_cli():
    p = subprocess.Popen([sys.executable, "-m", "checker", "run", str(GO / "quit.go")], cwd=ROOT, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=ROOT))
    try:
        assert p.stdout is not None and p.stdout.readline() == "started\n"
        time.sleep(0.5)  # main reaches its Sleep, G2 its receive (a dump before that shows them running)
        p.send_signal(signal.SIGQUIT)
        out, err = p.communicate(timeout=20)
    finally:
        p.kill()
    assert p.returncode == 2
    assert err.startswith("SIGQUIT: quit\n\ngoroutine 1 [sleep]:\nmain.main()\n")
    assert "goroutine 2 [chan receive]:\nmain.main.func1()\n" in err and err.endswith("exit status 2\n")


def test_stealing_run_schedtrace_metrics_and_chrome(tmp_path):
    lines: list[str] = []

    class Sink:
        def write(self, s: str) -> None:
            lines.append(s)

        def flush(self) -> None:
            pass

    r = reference.run(prog("steal_work"), procs=2, seed=1, timeout_s=30, observe=True, schedtrace_ms=5,
                      schedtrace_out=Sink())
    assert (r.exit_code, r.output) == (0, "1273600\n")
    assert "".join(lines) == "".join(x + "\n" for x in r.schedtrace) and len(r.schedtrace) >= 1
    for ln in r.schedtrace:
        m = SCHED.match(ln)
        assert m, ln
        assert m.group(2) == "2" and len(m.group(8).split()) == 2 and int(m.group(3)) <= 2
    stamps = [int(SCHED.match(x).group(1)) for x in r.schedtrace]
    assert stamps == sorted(stamps)
    met = r.metrics
    steals = [e for e in r.sched_events if e["ev"] == "Steal"]
    assert r.stats["steals"] > 0, "no steal in this run (P1 found no work on P0)"
    assert met["/sched/steals:events"] == r.stats["steals"] == len(steals)
    assert met["/sched/stolen:goroutines"] == r.stats["stolen"] == sum(e["n"] for e in steals)
    starts = [e for e in r.sched_events if e["ev"] == "GoStart"]
    assert sum(met["/sched/latencies:seconds"]["counts"]) == len(starts)
    assert {e["p"] for e in starts} == {0, 1}
    assert len([e for e in r.sched_events if e["ev"] == "GoCreate"]) == 65
    assert len([e for e in r.sched_events if e["ev"] == "GoEnd"]) == 65 - len(r.leaked) - (r.exit_code == 0 and 0)
    doc = to_chrome(r.events, r.sched_events, file="steal_work.go")
    assert validate(doc) == []
    s = summary(doc)
    assert {"P0", "P1"} <= set(s["tracks"]) and len([t for t in s["tracks"] if t.startswith("G")]) == 65
    assert len([f for f in s["flows"] if f[1].startswith("steal")]) == len(steals)
    assert len([f for f in s["flows"] if f[1].startswith("go G")]) == 64
    text = format_metrics(met)
    assert f"/sched/steals:events {len(steals)}\n" in text and "/sched/latencies:seconds (" in text
