"""Conformance of the reference runtime with the models (docs/design.md section 9, issue 8).

1. Every event log the runtime produces, for every terminating program spec,
   at 1, 2 and 4 Ps, replays as a path of the abstract model with the same
   output (`gocheck.conformance.replay_log`); tampered logs do not.
2. Every bug spec's counterexample, driven on real threads
   (`reference.replay`), makes the bug happen; every fixed twin runs clean.
3. SCH-ORACLE-1 and the ping-pong pair on real threads vs the gmp model.
"""

from __future__ import annotations

import copy
import glob
import os

import pytest

import reference
from checker.check import check
from checker.trace import build, replay, write_itf
from gocheck.conformance import replay_log, replay_trace, schedule_of
from gocheck.factory import build_model
from gocheck.spec import apply_override, load_spec, load_spec_text
from reference.replay import TIMER, peak_goroutines, run_schedule

pytestmark = pytest.mark.slow  # real threads and real timing: the full run, not the edit loop

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPECS = os.path.join(ROOT, "specs")


def _program_specs():
    out = []
    for f in sorted(glob.glob(os.path.join(SPECS, "*.yaml"))):
        s = load_spec(f)
        if s.kind == "program" and s.runtime.scheduler == "abstract" and s.program is not None:
            out.append(s)
    return out


def _terminating(s) -> bool:
    """Every expectation holds, except races and goroutine counts (which do not stop a run)."""
    return bool(s.expect) and all(v == "holds" for k, v in s.expect.items() if k not in ("race_free", "max_goroutines"))


TERMINATING = [s for s in _program_specs() if _terminating(s)]
_MODELS: dict = {}


def _model(spec):
    if spec.name not in _MODELS:
        _MODELS[spec.name] = build_model(spec)
    return _MODELS[spec.name]


# --------------------------------------------------------------------------- 1. log replay


def test_the_terminating_specs_are_the_expected_set():
    names = {s.name for s in TERMINATING}
    assert len(TERMINATING) >= 20
    assert {"abba_fixed", "cond_fixed", "counter_mutex", "ctx_pipeline", "double_close_fixed", "rlock_fixed",
            "timeout_fixed", "wg_fixed", "worker_pool", "racy_counter"} <= names


@pytest.mark.parametrize("spec", TERMINATING, ids=lambda s: s.name)
def test_every_runtime_log_is_a_model_path(spec):
    """procs 1, 2, 4 x 3 seeds: each log replays on the abstract model with the runtime's output."""
    model = _model(spec)
    for procs in (1, 2, 4):
        for seed in range(3):
            r = reference.run(spec.program, procs=procs, seed=seed, timeout_s=20)
            assert r.exit_code == 0 and not r.timed_out, (procs, seed, r.stderr)
            rep = replay_log(model, r.events, r.output)
            assert rep.ok, f"{spec.name} procs={procs} seed={seed}: {rep.reason}\n" + "\n".join(map(str, r.events))
            assert rep.output == r.output


def _ch_fifo_log():
    spec = next(s for s in TERMINATING if s.name == "ch_fifo")
    r = reference.run(spec.program, procs=2, seed=0)
    return spec, r


def test_log_replay_checks_printed_text():
    spec, r = _ch_fifo_log()
    ev = copy.deepcopy(r.events)
    for e in ev:
        if e["action"] == "Print":
            e["text"] = "3 2 1\n"
    rep = replay_log(_model(spec), ev)
    assert not rep.ok and "Print" in rep.reason


def test_log_replay_rejects_an_impossible_order():
    """Main's Print moved before the receives it depends on: no model path."""
    spec, r = _ch_fifo_log()
    ev = [e for e in r.events if e["action"] != "Print"]
    pr = next(e for e in r.events if e["action"] == "Print")
    ev.insert(2, pr)
    assert not replay_log(_model(spec), ev).ok


def test_log_replay_checks_output_and_child_ids():
    spec, r = _ch_fifo_log()
    assert not replay_log(_model(spec), r.events, r.output + "extra\n").ok
    ev = copy.deepcopy(r.events)
    next(e for e in ev if e["action"] == "Go")["child"] = 7
    assert not replay_log(_model(spec), ev).ok


# --------------------------------------------------------------------------- 2. bugs for real

PRIORITY = ["deadlock_free", "panic_free", "leak_free", "race_free", "max_goroutines", "starvation_free", "terminates"]
BUGS = {  # bug spec -> its fixed twin
    "abba_deadlock": "abba_fixed", "rlock_recursive": "rlock_fixed", "double_close": "double_close_fixed",
    "wg_misuse": "wg_fixed", "cond_lost_wakeup": "cond_fixed", "racy_counter": "counter_mutex",
    "timeout_leak": "timeout_fixed", "ctx_pipeline_leak": "ctx_pipeline", "runaway_fanout": "runaway_fanout_fixed",
    "mutex_starvation": "mutex_starvation_fixed",
}


def _trace(name: str, tmp_path) -> tuple[str, object, object]:
    spec = load_spec(os.path.join(SPECS, f"{name}.yaml"))
    model = build_model(spec)
    res = check(model)
    prop = next(p for p in PRIORITY if spec.expect.get(p) == "violated")
    pr = res.results[prop]
    assert pr.verdict.kind == "violated" and pr.path is not None
    cx = build(model, prop, "", pr.path, pr.loop, spec_path=spec.path)
    return write_itf(cx, str(tmp_path / f"{name}.itf.json")), spec, cx


def _replay(path: str, capsys) -> tuple[int, str, str]:
    code = replay_trace(path, procs=2)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


@pytest.mark.parametrize("name", ["abba_deadlock", "rlock_recursive", "cond_lost_wakeup"])
def test_deadlock_counterexamples_deadlock_for_real(name, tmp_path, capsys):
    path, _, _ = _trace(name, tmp_path)
    code, out, err = _replay(path, capsys)
    assert code == 2
    assert "fatal error: all goroutines are asleep - deadlock!" in err
    assert "goroutine 1 [" in err and "goroutine 2 [" in err


def test_double_close_panics_for_real(tmp_path, capsys):
    path, _, _ = _trace("double_close", tmp_path)
    code, out, err = _replay(path, capsys)
    assert code == 2 and "panic: close of closed channel" in err and "[running]" in err


@pytest.mark.parametrize("name", ["timeout_leak", "ctx_pipeline_leak"])
def test_leak_counterexamples_leak_for_real(name, tmp_path, capsys):
    path, _, _ = _trace(name, tmp_path)
    code, out, err = _replay(path, capsys)
    assert code == 0
    assert "leaked goroutines at exit:" in err and "goroutine 2 [" in err
    if name == "timeout_leak":
        assert out == "timeout\n"  # the After timer won the select; the sender is left behind


def test_wg_misuse_add_lands_between_done_and_release_for_real(tmp_path, capsys):
    """The panic trace (WG-2, sync/waitgroup.go): G3's Add lands after G2's Done brought the
    counter to zero and before the release of Wait; the runtime panics as Go does."""
    path, _, _ = _trace("wg_misuse", tmp_path)
    code, out, err = _replay(path, capsys)
    assert code == 2
    assert "panic: sync: WaitGroup misuse: Add called concurrently with Wait" in err
    assert "goroutine 3 [running]" in err


def test_runaway_fanout_exceeds_the_goroutine_bound_for_real(tmp_path, capsys):
    path, spec, _ = _trace("runaway_fanout", tmp_path)
    code, out, err = _replay(path, capsys)
    limit = next(p.param for p in spec.properties if p.name == "max_goroutines")
    peak = int(err.split("peak live goroutines: ")[1].split()[0])
    assert code == 0 and peak > limit


def test_racy_counter_race_trace_and_lost_update_for_real(tmp_path, capsys):
    """The race_free trace replays; a model path to the lost update (output 1) replays too and prints 1."""
    path, spec, _ = _trace("racy_counter", tmp_path)
    code, out, err = _replay(path, capsys)
    assert code == 0 and out in ("1\n", "2\n")
    model = build_model(spec)
    res = check(model)
    lost = next(i for i, s in enumerate(res.states) if "".join(s.output) == "1\n")
    cx = build(model, "race_free", "lost update", res.path_to(lost), None, spec_path=spec.path)
    p2 = write_itf(cx, str(tmp_path / "lost.itf.json"))
    for _ in range(5):
        code, out, err = _replay(p2, capsys)
        assert (code, out) == (0, "1\n")


def test_mutex_starvation_lasso_on_real_threads(tmp_path, capsys):
    """The lasso (G2 re-takes the lock while main waits) unrolled 10 times: the runtime follows it
    (no divergence) and main's Lock completes only after G2 locked at least 10 more times.  On real
    threads main does get the lock afterwards: the runtime's sync.Mutex always has starvation mode
    (it has no mutex_starvation switch), so "forever" is not reproducible, only the prefix."""
    path, spec, cx = _trace("mutex_starvation", tmp_path)
    model = build_model(spec)
    states, actions = replay(model, cx.path)
    sched = schedule_of(model, states, actions, cx.loop, loops=10)
    r = run_schedule(spec.program, sched, procs=2)
    assert r.exit_code == 0 and r.diverged is None, r.stderr
    assert r.output == "main got the lock\n"
    locks = [e["g"] for e in r.events if e["action"] == "Lock"]
    assert locks.index(1) >= 10 and all(g == 2 for g in locks[: locks.index(1)])


def test_timer_entries_are_fired(tmp_path):
    path, spec, cx = _trace("timeout_leak", tmp_path)
    model = build_model(spec)
    states, actions = replay(model, cx.path)
    sched = schedule_of(model, states, actions)
    assert TIMER in sched.entries and sched.cut_at_exit
    r = run_schedule(spec.program, sched, procs=2)
    assert r.output == "timeout\n" and peak_goroutines(r.events) == 2


FIXED = ["abba_fixed", "double_close_fixed", "wg_fixed", "cond_fixed", "counter_mutex", "rlock_fixed",
         "timeout_fixed", "ctx_pipeline", "runaway_fanout_fixed", "mutex_starvation_fixed"]


@pytest.mark.parametrize("name", FIXED)
def test_fixed_twins_run_clean(name):
    """Free runs at procs 2: exit 0, no stderr, an output the model allows at exit; no goroutine
    blocked at exit (a goroutine already readied, e.g. by main's final receive, is abandoned by Go's
    exit, not leaked; the lock spinner of mutex_starvation_fixed loops forever by design).
    100 runs each."""
    spec = load_spec(os.path.join(SPECS, f"{name}.yaml"))
    model = build_model(spec)
    allowed = {o for o, panic in _exit_outputs(model)}
    for seed in range(100):
        r = reference.run(spec.program, procs=2, seed=seed, timeout_s=20, record=False)
        assert (r.exit_code, r.stderr) == (0, ""), (seed, r.stderr)
        assert r.output in allowed, (seed, r.output, allowed)
        blocked = [x for x in r.leaked if "[runnable]" not in x and "[running]" not in x]
        if name != "mutex_starvation_fixed":
            assert blocked == [], (seed, r.leaked)


def _exit_outputs(model):
    from tests.helpers import exit_outputs

    return exit_outputs(model)


# --------------------------------------------------------------------------- 3. scheduler oracles vs gmp

ORACLE1 = """name: oracle1
source: |
  package main

  import (
      "fmt"
      "sync"
  )

  func main() {
      var wg sync.WaitGroup
      for i := 0; i < N; i++ {
          wg.Add(1)
          go func(i int) {
              fmt.Println(i)
              wg.Done()
          }(i)
      }
      wg.Wait()
  }
runtime: {scheduler: gmp, procs: 1, runq_size: 256, global_check_every: 61, preempt: never}
properties: [deadlock_free]
"""


def _gmp_outputs(spec) -> set[str]:
    from gocheck.factory import build_model as gmp_model

    model = gmp_model(spec)
    res = check(model)
    assert res.stats.complete
    return {"".join(s.world.output) for s in res.states if s.world.main_done}


@pytest.mark.parametrize("n", [3, 5])
def test_sch_oracle_1_runtime_agrees_with_the_gmp_model(n):
    """GOMAXPROCS=1 with a WaitGroup: the gmp model allows exactly N-1, 0, ..., N-2 and real threads print it."""
    spec = load_spec_text(ORACLE1.replace("N;", f"{n};"), "oracle1.yaml")
    expected = "".join(f"{i}\n" for i in [n - 1, *range(n - 1)])
    assert _gmp_outputs(spec) == {expected}
    for seed in range(5):
        r = reference.run(spec.program, procs=1, seed=seed, timeout_s=20)
        assert (r.exit_code, r.output) == (0, expected)


def test_ping_pong_pair_does_not_starve_main_on_real_threads():
    """steal_runnext_no_inherit.yaml: on one P two goroutines ping-pong on an unbuffered channel and main
    is runnable.  The gmp model: with runnext_inherits_slice (Go's rule) every fair run ends; without it
    main can starve.  The runtime always inherits the slice (it has no switch for the other setting), and
    on real threads the program ends every time, as the model with inheritance says."""
    from gocheck.factory import build_model as gmp_model

    spec = load_spec(os.path.join(SPECS, "steal_runnext_no_inherit.yaml"))
    res_off = check(gmp_model(spec))
    assert res_off.results["starvation_free"].verdict.kind == "violated"
    on = apply_override(spec, "runtime.runnext_inherits_slice", True)
    res_on = check(gmp_model(on))
    assert res_on.results["terminates"].verdict.kind == "holds"
    assert res_on.results["starvation_free"].verdict.kind == "holds"
    for seed in range(5):
        r = reference.run(spec.program, procs=1, seed=seed, timeout_s=20, record=False)
        assert (r.exit_code, r.timed_out) == (0, False)
        assert not [x for x in r.leaked if "[runnable]" not in x and "[running]" not in x]


def test_ping_pong_pair_starves_main_on_real_threads_without_slice_inheritance():
    """The same program with the runtime's runnext_inherits_slice switched off: every hand-off through
    runnext starts a new schedtick, sysmon never sees one slice run past its length, nothing is
    preempted, and main (in the local queue behind runnext) never runs: the run does not end, as the gmp
    model's lasso says.  The slice is 500 ms here, not Go's 10 ms, so that an OS stall of the thread on a
    loaded machine (which would let sysmon preempt, in Go too: SCH-31) cannot break the hand-off chain."""
    spec = load_spec(os.path.join(SPECS, "steal_runnext_no_inherit.yaml"))
    r = reference.run(spec.program, procs=1, seed=0, timeout_s=2, record=False, runnext_inherits_slice=False,
                      time_slice_ms=500)
    assert r.timed_out and r.exit_code == 124
    assert r.stats["preemptions"] == 0


def _bug_specs(prop: str) -> list[str]:
    out = []
    for path in sorted(glob.glob(os.path.join(SPECS, "*.yaml"))):
        spec = load_spec(path, compile=False)
        if spec.kind == "program" and spec.runtime.scheduler == "abstract" and spec.expect.get(prop) == "violated":
            out.append(os.path.splitext(os.path.basename(path))[0])
    return out


@pytest.mark.parametrize("name", _bug_specs("panic_free"))
def test_panic_bug_specs_end_on_real_threads_as_in_the_model(name, tmp_path, capsys):
    """Issue 20: the model's end (Go's panic or fatal-error message, exit 2) is the runtime's end when
    the runtime follows the counterexample: e.g. "fatal error: sync: RUnlock of unlocked RWMutex"
    (RW-5).  Kills: the runtime not raising a fatal error the model raises."""
    spec = load_spec(os.path.join(SPECS, f"{name}.yaml"))
    model = build_model(spec)
    pr = check(model).results["panic_free"]
    assert pr.verdict.kind == "violated" and pr.path is not None
    message = pr.verdict.reason.split(" [G")[0]  # the model adds where: "[G2 at main.go:7]"
    assert message.startswith(("panic: ", "fatal error: ", "log.Fatal: "))
    cx = build(model, "panic_free", pr.verdict.reason, pr.path, None, spec_path=spec.path)
    code, out, err = _replay(write_itf(cx, str(tmp_path / f"{name}.itf.json")), capsys)
    if message.startswith("log.Fatal: "):  # log.Fatal: the message on stderr, then os.Exit(1)
        logged = message.removeprefix("log.Fatal: ").removesuffix(" (exit status 1)")
        assert code == 1 and logged in err.splitlines(), (logged, err)
        return
    assert code == 2, err
    assert message in err.splitlines(), (message, err)


@pytest.mark.parametrize("name", _bug_specs("deadlock_free"))
def test_deadlock_bug_specs_end_on_real_threads_as_in_the_model(name, tmp_path, capsys):
    """DL-O oracles: the model's deadlock is Go's "all goroutines are asleep" on real threads, exit 2."""
    spec = load_spec(os.path.join(SPECS, f"{name}.yaml"))
    model = build_model(spec)
    pr = check(model).results["deadlock_free"]
    message = pr.verdict.reason.split(" (G")[0]  # the model lists the goroutines after the message
    assert message.startswith("fatal error: ") and message.endswith("deadlock!")
    cx = build(model, "deadlock_free", pr.verdict.reason, pr.path, None, spec_path=spec.path)
    code, out, err = _replay(write_itf(cx, str(tmp_path / f"{name}.itf.json")), capsys)
    assert code == 2 and message in err.splitlines(), (message, err)
