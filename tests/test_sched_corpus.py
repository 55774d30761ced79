"""The scheduling corpus (tests/sched_corpus): every output Go printed in its
200 recorded runs is reachable under the gmp model with the spec defaults,
and with preemption off (and Go's start: ``startup: fixed``) the model's
outputs include Go's most frequent one -- exactly that one where the
program has no other source of nondeterminism.

Oracles: SCH-ORACLE-1 (spawn order), SCH-ORACLE-2 (queue overflow, via
spawn300), SCH-ORACLE-3 (ping-pong), CH-6 (close's wake order), ONCE-1,
RW-3, WG-2, COND-2, SEL-2, TM-2 (timers of one P in deadline order: the
five timer programs; tests/test_timer_order.py checks them further).  The recordings name the Go that made them
(``GO_VERSION``); ``record.py`` regenerates them.
"""

from __future__ import annotations

import pytest

from gocheck.factory import build_model
from models.outputs import find_output, outputs
from tests.sched_corpus import corpus_spec, names, recorded

#: spawn300: 300 goroutines, 244 start states; its nine outputs take minutes to find
SLOW = {"spawn300"}

#: program -> the number of distinct outputs the model has with preempt: never,
#: startup: fixed (1 unless the program has another source of choice: select,
#: timers in any order, two Ps)
NEVER_FIXED = {
    "buffered_receivers": 1, "chan_wake": 1, "close_wakes": 1, "cond_broadcast": 1, "gosched": 3,
    "main_exits": 1, "mutex_handoff": 1, "once_waiters": 1, "p2_close": 6, "p2_mutex": 6, "p2_pingpong": 3,
    "p2_spawn": 14, "pingpong": 1, "rwmutex_readers": 1, "select_ready": 2, "select_wake": 1,
    "sleep_vs_work": 1, "sleeps": 6, "spawn_order": 1, "spawn_tree": 3, "wg_waiters": 1,
    # timers with constant durations on one P (runtime.timers: ordered; with timers: any each has 2)
    "after_select": 1, "ctx_vs_timer": 1, "sleep_sees_timer": 1, "ticker_first": 1, "timer_stop": 1,
}


def test_corpus_is_complete():
    assert len(names()) >= 20
    assert set(names()) == set(NEVER_FIXED) | SLOW


@pytest.mark.parametrize("name", [n if n not in SLOW else pytest.param(n, marks=pytest.mark.slow) for n in names()])
def test_every_go_output_is_reachable(name):
    model = build_model(corpus_spec(name))
    for rec in recorded(name):
        path = find_output(model, rec["output"], rec["end"], max_states=600_000)
        assert path is not None, f"{name}: Go printed {rec['output']!r} ({rec['count']}/200), the model cannot"


@pytest.mark.parametrize("name", sorted(NEVER_FIXED))
def test_without_preemption_the_model_prints_gos_most_frequent_output(name):
    model = build_model(corpus_spec(name, {"runtime.preempt": "never", "runtime.startup": "fixed"}))
    res = outputs(model, 50_000)
    assert res.complete
    got = {(e.output, e.end) for e in res.endings}
    top = recorded(name)[0]
    assert (top["output"], top["end"]) in got
    assert len(got) == NEVER_FIXED[name]


def test_outputs_command_lists_every_ending_with_a_witness(tmp_path, capsys):
    """``python -m checker outputs``: close_wakes under both schedulers, JSON lines, witness traces."""
    import json
    import os
    import shutil

    from gocheck.cli import main
    from tests.sched_corpus import CORPUS

    shutil.copy(os.path.join(CORPUS, "close_wakes.go"), tmp_path / "close_wakes.go")
    spec = tmp_path / "cw.yaml"
    spec.write_text("name: cw\nsource_file: close_wakes.go\n"
                    "runtime: {scheduler: gmp, procs: 1, preempt: never, startup: fixed}\n")
    assert main(["outputs", str(spec), "--json", "--traces", str(tmp_path / "tr")]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(x["output"], x["end"]) for x in lines[:-1]] == [("3\n2\n1\n", "exit")]
    assert lines[-1] == {"complete": True, "states": 63}
    assert os.path.exists(lines[0]["trace"]) and lines[0]["path"].startswith("0/")
    spec.write_text("name: cw\nsource_file: close_wakes.go\n")
    assert main(["outputs", str(spec), "--json", "--traces", "none"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(lines) == 7 and {x["end"] for x in lines[:-1]} == {"exit"}  # the language allows all 3! orders
    assert lines[-1] == {"complete": True, "states": 334}


def test_outputs_reports_panics_and_deadlocks(tmp_path):
    from gocheck.factory import build_model as build
    from gocheck.spec import load_spec_text
    from models.outputs import outputs as all_outputs

    src = ("name: pd\nsource: |\n  package main\n\n  import \"fmt\"\n\n  func main() {\n"
           "  \tch := make(chan int)\n  \tgo func() { fmt.Println(\"a\"); close(ch); close(ch) }()\n"
           "  \t<-ch\n  \tch2 := make(chan int)\n  \t<-ch2\n  }\n")
    res = all_outputs(build(load_spec_text(src, "pd.yaml")))
    got = {(e.output, e.end, e.panic) for e in res.endings}
    assert got == {("a\n", "panic", "panic: close of closed channel [G2 at main.go:7]")}
    src = ("name: dl\nsource: |\n  package main\n\n  import \"fmt\"\n\n  func main() {\n"
           "  \tch := make(chan int)\n  \tgo func() { fmt.Println(\"a\") }()\n  \tfmt.Println(\"b\")\n  \t<-ch\n  }\n")
    res = all_outputs(build(load_spec_text(src, "dl.yaml")))
    assert res.complete
    assert {(e.output, e.end) for e in res.endings} == {("b\na\n", "deadlock"), ("a\nb\n", "deadlock")}
