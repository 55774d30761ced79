"""The G-M-P scheduler model: steal.yaml and its twins, SCH oracles, queue primitives.

Exact numbers throughout: a changed state count is a changed semantics.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from checker.check import check
from gocheck.factory import build_model
from gocheck.spec import load_spec, load_spec_text
from models.sched.gmp import GmpModel, GmpState
from models.sched.gmp_queues import PState, globrunqget, runqget, runqput, runqsteal
from tests.helpers import spec as named_spec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPECS = os.path.join(ROOT, "specs")

# spec -> (states, transitions, {property: (verdict, trace length, loop index)})
PINNED = {
    "steal": (7038, 13188, {}),
    "steal_no_steal": (1050, 1647, {"gmp.work_conservation": ("violated", 1, None)}),
    "steal_buggy": (2711, 4149, {"gmp.no_lost_goroutine": ("violated", 2, None)}),
    "steal_runnext_no_inherit": (18, 18, {"starvation_free": ("violated", 18, 8),
                                          "terminates": ("violated", 18, 8)}),
    "steal_no_global_check": (19, 19, {"starvation_free": ("violated", 19, 9),
                                       "terminates": ("violated", 19, 9)}),
}


def _check(spec):
    model = build_model(spec)
    return model, check(model, max_states=spec.bounds.max_states)


def _actions(model: GmpModel, path):
    s = model.init_states()[path[0]]
    out = []
    for k in path[1:]:
        a = model.actions(s)[k]
        out.append(model.format_action(s, a))
        s = model.next_state(s, a)
    return out, s


@pytest.mark.parametrize("name", sorted(PINNED))
def test_spec_verdicts_counts_and_traces(name):
    """Every spec gives the verdicts its `expect` names, with pinned counts and trace lengths; SCH-23
    (gmp.work_conservation): with stealing off an idle P coexists with queued work after one step."""
    spec = named_spec(name)
    assert spec.runtime.scheduler == "gmp"
    _, r = _check(spec)
    states, transitions, traces = PINNED[name]
    assert (r.stats.states, r.stats.transitions, r.stats.complete) == (states, transitions, True)
    got = {n: pr.verdict.kind for n, pr in r.results.items()}
    assert got == spec.expect
    for prop, (verdict, length, loop) in traces.items():
        pr = r[prop]
        assert (pr.verdict.kind, len(pr.path) - 1, pr.loop) == (verdict, length, loop)


def test_twins_hold_with_go_defaults_restored():
    """Each violated twin holds once its one knob is back at Go's setting (ORACLE-3)."""
    for name, knob, value in [("steal_runnext_no_inherit", "runnext_inherits_slice", True),
                              ("steal_no_global_check", "global_check_every", 2),
                              ("steal_no_global_check", "runnext_inherits_slice", True)]:
        _, r = _check(named_spec(name, **{knob: value}))
        assert r["starvation_free"].verdict.kind == "holds", (name, knob)
        assert r["terminates"].verdict.kind == "holds", (name, knob)
    _, r = _check(named_spec("steal_no_steal", steal="one"))
    assert r["gmp.work_conservation"].verdict.kind == "holds"
    _, r = _check(named_spec("steal_buggy", buggy_steal=False))
    assert r["gmp.no_lost_goroutine"].verdict.kind == "holds"


def test_starvation_trace_shows_runnext_ping_pong():
    """The no-inheritance lasso: the pair hands runnext back and forth while main waits in the local queue."""
    model, r = _check(named_spec("steal_runnext_no_inherit"))
    pr = r["starvation_free"]
    steps, _ = _actions(model, pr.path)
    loop = steps[pr.loop:]
    assert "P0: schedule G3 from runnext" in loop and "P0: schedule G2 from runnext" in loop
    assert not any("preempts" in x or "G1" in x for x in loop)
    assert pr.verdict.reason == "G1 stays pending forever"


def test_global_check_trace_keeps_main_in_global_queue():
    model, r = _check(named_spec("steal_no_global_check"))
    pr = r["starvation_free"]
    steps, end = _actions(model, pr.path)
    assert "runtime.Gosched()" in steps[2]
    assert end.gq == (1,)


def test_max_latency_is_exact():
    """steal.yaml's max_latency 28 is the exact maximum: 27 is violated."""
    spec = named_spec("steal")
    props = tuple(p if p.name != "max_latency" else type(p)("max_latency", 27) for p in spec.properties)
    model = GmpModel(spec.program, spec.runtime, props)
    r = check(model)
    assert r["max_latency"].verdict.kind == "violated"
    assert len(r["max_latency"].path) - 1 == 31


def test_buggy_steal_duplicates_a_goroutine():
    """SCH-INV-1: a runnable goroutine is in exactly one place; a steal that never advances the
    victim's head leaves it in two, and gmp.no_lost_goroutine says so."""
    model, r = _check(named_spec("steal_buggy"))
    steps, end = _actions(model, r["gmp.no_lost_goroutine"].path)
    assert steps[-1].startswith("P1: steal from P0.runnext")
    assert "duplicated" in r["gmp.no_lost_goroutine"].verdict.reason


# --------------------------------------------------------------------------- oracles

ORACLE1 = """name: oracle1
source: |
  package main

  import "fmt"

  func main() {
      done := make(chan bool)
      for i := 0; i < N; i++ {
          go func(i int) {
              fmt.Println(i)
              done <- true
          }(i)
      }
      for i := 0; i < N; i++ {
          <-done
      }
  }
runtime: {scheduler: gmp, procs: 1, runq_size: RQ, global_check_every: 61, preempt: never, startup: fixed}
properties: [deadlock_free, gmp.no_lost_goroutine]
"""


def _final_outputs(spec) -> set[tuple[str, ...]]:
    model = build_model(spec)
    r = check(model)
    assert r.stats.complete and all(pr.verdict.kind == "holds" for pr in r.results.values())
    return {tuple("".join(s.world.output).split()) for s in r.states if not model.actions(s)}


@pytest.mark.parametrize("n,rq", [(3, 2), (4, 4), (5, 4)])
def test_sch_oracle_1_output_order(n, rq):
    """SCH-ORACLE-1: GOMAXPROCS=1, N goroutines print i: the only order is N-1, 0, 1, ..., N-2."""
    spec = load_spec_text(ORACLE1.replace("N;", f"{n};").replace("RQ", str(rq)), "oracle1.yaml")
    expected = tuple(str(x) for x in [n - 1, *range(n - 1)])
    assert _final_outputs(spec) == {expected}


def test_sch_oracle_1_breaks_when_the_queue_overflows():
    """SCH-18 (findRunnable takes local work before the global queue): With a local queue smaller than N-1 the fourth `go` overflows (SCH-9): G(0) and the kicked G(2)
    go to the global queue, G(1) stays local; local work runs first, then the global batch: 3 1 0 2."""
    spec = load_spec_text(ORACLE1.replace("N;", "4;").replace("RQ", "2"), "oracle1.yaml")
    assert _final_outputs(spec) == {("3", "1", "0", "2")}


@pytest.mark.parametrize("size", [2, 4, 8, 256])
def test_sch_oracle_2_overflow_moves_half_plus_one(size):
    """SCH-ORACLE-2: a full queue of `size` plus one more runqput moves the size/2 oldest and the new G
    (size/2 + 1) to the global queue and keeps size/2 locally (128 + 1 and 128 at Go's 256)."""
    p = PState(cur=1)
    spill_total: tuple[int, ...] = ()
    for g in range(2, size + 2):
        p, spill = runqput(p, g, False, size)
        spill_total += spill
    assert spill_total == () and len(p.runq) == size
    p, spill = runqput(p, 1000, False, size)
    assert spill == tuple(range(2, 2 + size // 2)) + (1000,)
    assert len(spill) == size // 2 + 1 and p.runq == tuple(range(2 + size // 2, size + 2))


def test_runqput_next_kicks_old_runnext_into_the_overflow():
    """SCH-8/9: with `next`, the kicked runnext is the G that overflows."""
    p = PState(runnext=7, runq=(1, 2, 3, 4))
    p, spill = runqput(p, 9, True, 4)
    assert (p.runnext, p.runq, spill) == (9, (3, 4), (1, 2, 7))


def test_runqget_globrunqget_and_steal():
    """SCH-10: runqget takes runnext first (inheriting the slice), else the head of the local ring
    (SCH-5); SCH-6: another P may take a victim's runnext (steal)."""
    p = PState(runnext=5, runq=(1, 2))
    assert runqget(p) == (PState(runq=(1, 2)), 5, True)
    assert runqget(PState(runq=(1, 2))) == (PState(runq=(2,)), 1, False)
    # SCH-12: n = min(len, len/procs + 1, size/2)
    gq, p, g = globrunqget((1, 2, 3, 4, 5), PState(), 2, 256)
    assert (gq, p.runq, g) == ((4, 5), (2, 3), 1)
    gq, p, g = globrunqget((1, 2, 3), PState(), 1, 4)
    assert (gq, p.runq, g) == ((3,), (2,), 1)
    assert globrunqget((1, 2, 3), PState(), 1, 256, 1)[2] == 1
    # SCH-21: ceil(k/2) from the head, the last grabbed runs
    thief, victim, g = runqsteal(PState(), PState(cur=9, runq=(1, 2, 3)), "half")
    assert (thief.runq, victim.runq, g) == ((1,), (3,), 2)
    thief, victim, g = runqsteal(PState(), PState(cur=9, runq=(1, 2, 3)), "one")
    assert (thief.runq, victim.runq, g) == ((), (2, 3), 1)
    thief, victim, g = runqsteal(PState(), PState(cur=9, runnext=4), "half")
    assert (victim.runnext, g) == (0, 4)
    thief, victim, g = runqsteal(PState(), PState(cur=9, runq=(1, 2)), "half", buggy=True)
    assert (victim.runq, g) == ((1, 2), 1)


def test_state_is_canonical_and_small():
    spec = named_spec("steal")
    model = build_model(spec)
    s0 = model.init_states()[0]
    assert isinstance(s0, GmpState) and hash(s0) == hash(model.init_states()[0])
    assert s0.ps == (PState(cur=1, tick=1), PState()) and s0.gq == ()
    assert model.actions(s0) == [("step", 0, 1, None)]
    view = model.view(s0)
    assert view["P0"].startswith("running G1") and view["global runq"] == "[]"
    assert model.fairness(s0, ("step", 0, 1, None)) == "P0" and model.actor(s0, ("run", 1)) == "P1"


# --------------------------------------------------------------------------- the real toolchain and the CLI

@pytest.mark.skipif(shutil.which("go") is None, reason="the go toolchain is not on PATH")
def test_programs_build_with_go():
    env = dict(os.environ, GOFLAGS="-mod=mod", GO111MODULE="on")
    for name in ("steal", "steal_runnext_no_inherit", "steal_no_global_check"):
        spec = load_spec(os.path.join(SPECS, name + ".yaml"), compile=False)
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "go.mod"), "w") as f:
                f.write("module prog\n\ngo 1.19\n")
            with open(os.path.join(d, "main.go"), "w") as f:
                f.write(spec.source)
            r = subprocess.run(["go", "vet", "."], cwd=d, env=env, capture_output=True, text=True, timeout=300)
            assert r.returncode == 0, f"{name}: {r.stderr}"


def test_readme_command_exits_zero():
    r = subprocess.run([sys.executable, "-m", "checker", "specs/steal.yaml", "--traces", "none"], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "7,038 states, 13,188 transitions" in r.stdout


@pytest.mark.parametrize("name,inherit,startup,states,verdict", [
    ("steal_runnext_no_inherit", False, "fixed", 461, "violated"),
    ("steal_runnext_no_inherit", True, "fixed", 1000, "holds"),
    ("steal_no_global_check", False, "any", 582, "violated"),
    ("steal_no_global_check", True, "any", 871, "holds"),
])
def test_preemption_as_a_choice_keeps_the_twins_verdicts(name, inherit, startup, states, verdict):
    """SCH-11/31, SCH-ORACLE-3 under ``preempt: any``: sysmon may preempt after any step, weakly fair
    per P.  A runnext ping-pong that inherits one slice keeps the preemption enabled (also on the G
    about to inherit), so a fair run preempts it and main runs; one that starts a new slice at every
    hand-off does not, and main starves, exactly as with the forced bound (``preempt: slice``)."""
    spec = named_spec(name, preempt="any", startup=startup, runnext_inherits_slice=inherit)
    _, r = _check(spec)
    assert r.stats.states == states
    assert r["starvation_free"].verdict.kind == verdict and r["terminates"].verdict.kind == verdict
