"""The reference runtime (reference/): real Go programs run on OS threads.

Programs live in tests/go_ref/; every expected output is what `go run` prints.
Oracles are named after docs/go-semantics.md rules (DL-O1, SCH-ORACLE-1, ...).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

import reference
from models.lang import compile_go

pytestmark = pytest.mark.slow  # real threads and real timing: the full run, not the edit loop

GO = Path(__file__).parent / "go_ref"


@functools.cache
def prog(name: str):
    path = GO / f"{name}.go"
    return compile_go(path.read_text(), str(path))


def run(name: str, **kw) -> reference.RunResult:
    kw.setdefault("timeout_s", 20)
    return reference.run(prog(name), **kw)


# ------------------------------------------------------------------ channels, select


@pytest.mark.parametrize("procs", [1, 2])
def test_channels_handoff_fifo_close_and_ok(procs):
    r = run("chan_basic", procs=procs)
    assert (r.exit_code, r.stderr) == (0, "")
    assert r.output == "got 0\ngot 1\ngot 2\n3 3\n10 20 true\n30 0 false\n"


def test_select_default_nil_and_blocking():
    r = run("select_default")
    assert r.exit_code == 0
    assert r.output == "default\nrecv 7\nnil never ready\nworker got 5\n"


def test_select_chooses_uniformly_among_ready_cases():  # SEL-2
    r = run("select_fair", procs=1)
    assert r.output == "400 true true\n"


# ------------------------------------------------------------------ sync


def test_mutex_counter_exact():
    r = run("mutex_counter", procs=4)
    assert (r.exit_code, r.output) == (0, "1600\n")


def test_mutex_enters_starvation_mode_after_1ms_waits():  # MU-2, MU-5
    r = run("starve", procs=2)
    assert (r.exit_code, r.output) == (0, "15\n")
    assert r.stats["mutex_handoffs"] > 0  # Unlock handed ownership to a starving waiter


def test_atomics_counter_exact():
    r = run("atomic_counter", procs=4)
    assert (r.exit_code, r.output) == (0, "1000 2000\n")


def test_once_and_cond_broadcast():
    r = run("once_cond", procs=2)
    assert (r.exit_code, r.output) == (0, "once 1\nready 3\n")


def test_context_cancel_propagates_to_children():
    r = run("ctx_cancel")
    assert r.output == "before true\nchild context canceled\nparent context canceled\n"


def test_sleep_wakes_and_time_after_fires():
    r = run("sleep_wake")
    assert (r.exit_code, r.output) == (0, "slept\ndone\nafter\n")


# ------------------------------------------------------------------ strings and sync.Map (issue 12)


@pytest.mark.parametrize("procs", [1, 2])
def test_strings_bytes_runes_as_go_prints(procs):
    """tests/go_ref/strings.go (= tests/go/64_strings.go): the output of go run (Go 1.19)."""
    r = run("strings", procs=procs)
    assert (r.exit_code, r.stderr) == (0, "")
    assert r.output == (
        '14 195 h  世界 Hé 世 a\\n"b" 6\n1 233 é\n8 19990 世\n11 30028 界\n01\n0 65533\n1 97\n'
        "true true true 98 10 65 true A\n-42 <nil> -42!\n"
        'strconv.Atoi: parsing "4x": invalid syntax\ntrue true true 3 a-b-c\n104 233 3 xyz\n'
        "runtime error: index out of range [20] with length 14\n")


def test_sync_map_methods_and_range():
    r = run("sync_map", procs=2, seed=1)
    assert (r.exit_code, r.stderr) == (0, "")
    lines = r.output.splitlines()
    assert sorted(lines[:2]) in (["g1 2 false", "g2 1 true"], ["g1 2 false", "g2 <nil> false"])
    assert lines[2] in ("2 true 0", "2 true 1", "2 true 2")


# ------------------------------------------------------------------ deadlocks (DL-2)

DEADLOCK = "fatal error: all goroutines are asleep - deadlock!\n\n"


def test_dl_o1_receive_on_fresh_channel():
    """DL-1: checkdead runs when the last M parks (stopm), so the deadlock is reported at once;
    SCH-2: the dump shows the waiting G with its wait reason."""
    r = run("dl_recv")
    assert r.exit_code == 2 and r.output == ""
    assert r.stderr == DEADLOCK + f"goroutine 1 [chan receive]:\nmain.main()\n\t{GO / 'dl_recv.go'}:4\n"
    assert r.leaked == ["goroutine 1 [chan receive]: main.main at dl_recv.go:4"]


def test_dl_o3_double_lock():
    r = run("dl_lock")
    assert r.exit_code == 2
    assert r.stderr.startswith(DEADLOCK + "goroutine 1 [sync.Mutex.Lock]:\nmain.main()\n")


def test_dl_o4_recursive_rlock_with_pending_writer():  # RW-4 writer preference
    r = run("rw_deadlock", procs=2)
    assert r.exit_code == 2 and r.stderr.startswith(DEADLOCK)
    assert "goroutine 1 [sync.RWMutex.RLock]:" in r.stderr
    assert "goroutine 2 [sync.RWMutex.Lock]:\nmain.main.func1()" in r.stderr


def test_dl_o5_sleeper_delays_the_report():
    r = run("dl_sleeper", procs=2)
    assert (r.exit_code, r.output) == (2, "woke\n")
    assert r.stderr.startswith(DEADLOCK + "goroutine 1 [chan receive]:")


def test_dl_o8_main_goexit():
    r = run("goexit_main")
    assert (r.exit_code, r.output) == (2, "worker\n")
    assert r.stderr == "fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n"


# ------------------------------------------------------------------ panics and fatal errors


def test_user_panic_runs_defers_then_exits_2():
    r = run("panic_boom")
    assert (r.exit_code, r.output) == (2, "before\ndeferred\n")
    assert r.stderr == f"panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t{GO / 'panic_boom.go'}:8\n"


@pytest.mark.parametrize("name,first", [
    ("closed_send", "panic: send on closed channel"),
    ("close_twice", "panic: close of closed channel"),
    ("close_nil", "panic: close of nil channel"),
    ("wg_negative", "panic: sync: negative WaitGroup counter"),
    ("unlock_unlocked", "fatal error: sync: unlock of unlocked mutex"),
    ("nil_deref", "panic: runtime error: invalid memory address or nil pointer dereference"),
])
def test_go_failure_messages(name, first):
    r = run(name)
    assert r.exit_code == 2
    assert r.stderr.splitlines()[0] == first


def test_wg_negative_runs_deferred_print():
    assert run("wg_negative").output == "deferred runs\n"


def test_arithmetic_defers_structs_printf():
    r = run("misc", procs=1)
    assert r.output == ("-3 -1 -3 8 -4 4\n-9223372036854775808\n1 3\n5-s-true-v\nnil func\n"
                        "defer 2\ndefer 1\ndefer 0\n")


@pytest.mark.parametrize("procs", [1, 2])
def test_named_results_are_set_by_return_before_the_deferred_calls_run(procs):
    """tests/go/62_named_results.go (ir.RunDefers, recovered panics, deferred wg.Done): what `go run` prints."""
    path = Path(__file__).parent / "go" / "62_named_results.go"
    r = reference.run(compile_go(path.read_text(), str(path)), procs=procs, timeout_s=20)
    assert (r.exit_code, r.stderr) == (0, "")
    assert r.output == ("0 recovered: runtime error: integer divide by zero\nwrapped: inner\n"
                        "in defer 2 1\n2 1\n5\n107\nx 42\n2\n42\n")


# ------------------------------------------------------------------ scheduler


def test_sch_oracle_1_runnext_then_fifo():
    """SCH-13 on real threads: each go statement puts the new G in runnext (the previous one to the
    local tail) while the creator keeps running."""
    r = run("oracle1", procs=1)
    assert r.output == "".join(f"{i}\n" for i in [99] + list(range(99)))


def test_preemption_lets_main_run_past_a_spinning_goroutine():  # SCH-31, SCH-16
    """SCH-30: sysmon (an M without a P) sees the over-long slice; SCH-32: preemptone sets the
    flag, checked at the next instruction, and the G goes runnable to the global queue."""
    r = run("preempt", procs=1, time_slice_ms=5)
    assert (r.exit_code, r.output) == (0, "main ran\n")
    assert r.stats["preemptions"] >= 1
    assert len(r.leaked) == 1
    assert r.leaked[0].startswith("goroutine 2 [runnable]: main.main.func1 at preempt.go:1")


def test_stress_worker_pool_10000_goroutines_on_4_ms():
    r = run("pool", procs=4, record=False, timeout_s=50)
    assert (r.exit_code, r.output) == (0, "20000 400020000\n")
    assert r.stats["steals"] > 0 and r.stats["stolen"] > 0
    assert r.stats["runq_overflows"] > 0  # SCH-9: 10,000 spawns overflow P0's 256-slot ring
    # no goroutine lost or blocked: a worker may still be returning from its deferred Done
    # when main exits, and Go abandons it then, so only running/runnable ones may remain
    assert [g for g in r.leaked if "[running]" not in g and "[runnable]" not in g] == []


def test_event_log_is_a_total_order_in_the_action_vocabulary(tmp_path):
    log = tmp_path / "ev.jsonl"
    r = run("chan_basic", procs=1, log=str(log))
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    assert lines == r.events
    assert all(set(e) >= {"g", "p", "m", "action", "object", "line"} for e in lines)
    assert (lines[0]["g"], lines[0]["action"], lines[0]["p"], lines[0]["m"]) == (1, "Start", 0, 0)
    sends = [e for e in lines if e["action"] == "Send" and e["g"] == 2]
    recvs = [e for e in lines if e["action"] == "Recv" and e["g"] == 1 and e["object"] == sends[0]["object"]]
    assert len(sends) == 3 and len(recvs) == 4  # three values, then the close is observed
    for s, rv in zip(sends, recvs):
        assert lines.index(s) < lines.index(rv) or s["line"] != rv["line"]
    assert lines[-1]["action"] == "Return" and lines[-1]["g"] == 1


# ------------------------------------------------------------------ controlled mode


def test_controlled_replay_drives_abba_into_deadlock():
    # main: WgAdd, Go, Go, WgWait; then g2 locks a, g3 locks b, g2 waits on b, g3 on a
    for procs in (1, 2):
        r = run("abba", procs=procs, schedule=[1, 1, 1, 1, 2, 3, 2, 3])
        assert r.exit_code == 2 and r.steps == 8
        assert r.stderr.startswith(DEADLOCK)
        assert "goroutine 2 [sync.Mutex.Lock]" in r.stderr and "goroutine 3 [sync.Mutex.Lock]" in r.stderr


def test_controlled_replay_orders_output():
    g3_first = [1, 1, 1, 1] + [3] * 6 + [2] * 6
    g2_first = [1, 1, 1, 1] + [2] * 6 + [3] * 6
    assert run("abba", procs=2, schedule=g3_first).output == "g3\ng2\n"
    assert run("abba", procs=2, schedule=g2_first).output == "g2\ng3\n"
    r = run("abba", procs=2, schedule=g2_first)
    steps = [e["g"] for e in r.events if e["action"] not in ("Start", "Return")]
    # main's WgWait parked at its step 4 and is logged when it completes, at the end
    assert steps == g2_first[:3] + [2] * 6 + [3] * 6 + [1]


def test_controlled_replay_reports_divergence():
    r = run("abba", procs=2, schedule=[1, 1, 5])
    assert r.exit_code == 3
    assert r.diverged == "schedule diverged at step 2: goroutine 5 cannot move: does not exist or has exited"


# ------------------------------------------------------------------ CLI


def test_cli_run_prints_like_go(capsys):
    code = reference.cli_run(str(GO / "dl_recv.go"), procs=1, log_path=None, seed=1)
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith(DEADLOCK) and err.endswith("exit status 2\n")
    assert reference.cli_run(str(GO / "chan_basic.go"), procs=2, log_path=None, seed=1) == 0
    assert capsys.readouterr().out.startswith("got 0\n")


def test_cli_run_bad_input(tmp_path, capsys):
    bad = tmp_path / "bad.go"
    bad.write_text("package main\nfunc main() { println(1) }\n")
    assert reference.cli_run(str(bad), procs=1, log_path=None, seed=None) == 2
    assert "bad.go:2" in capsys.readouterr().err
