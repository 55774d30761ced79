"""System calls and the network poller, end to end (issue 5): the specs
syscall_handoff(.._noretake), netpoll_wait and dl_o6_netpoll under the model
(exact verdicts and state counts), the G-M-P mechanisms they exercise
(_Psyscall, exitsyscall, sysmon retake, netpoll + injectglist), and the same
programs under ``go run`` and the reference runtime."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest

import reference
from checker.check import check
from gocheck.factory import build_model
from gocheck.spec import load_spec_text
from tests.helpers import edges
from tests.helpers import spec as named_spec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPECS = os.path.join(ROOT, "specs")

# spec -> (states, transitions, {property: verdict} for every property)
PINNED = {
    "syscall_handoff": (1102, 3012, {"starvation_free": "holds", "gmp.no_lost_goroutine": "holds",
                                    "gmp.work_conservation": "holds", "deadlock_free": "holds",
                                    "panic_free": "holds"}),
    "syscall_handoff_noretake": (884, 2263, {"starvation_free": "violated", "gmp.no_lost_goroutine": "holds",
                                             "gmp.work_conservation": "holds", "deadlock_free": "holds",
                                             "panic_free": "holds"}),
    "netpoll_wait": (5933, 8131, {"deadlock_free": "holds", "leak_free": "holds", "panic_free": "holds",
                              "terminates": "holds", "gmp.no_lost_goroutine": "holds",
                              "gmp.work_conservation": "holds"}),
    "dl_o6_netpoll": (5, 5, {"deadlock_free": "holds", "leak_free": "violated", "panic_free": "holds",
                             "race_free": "holds", "terminates": "violated"}),
}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_spec_verdicts_and_counts(name):
    spec = named_spec(name)
    model = build_model(spec)
    res = check(model, max_states=spec.bounds.max_states)
    states, transitions, verdicts = PINNED[name]
    assert (res.stats.states, res.stats.transitions, res.stats.complete) == (states, transitions, True)
    got = {n: pr.verdict.kind for n, pr in res.results.items()}
    assert got == verdicts
    assert {k: v for k, v in spec.expect.items()} == verdicts


def test_noretake_starvation_trace_is_the_syscall_scenario():
    """The lasso: main holds P0 in _Psyscall with the worker G3 in P0's runnext,
    and the spinner G2 loops on P1 (preempted, rescheduled) for ever."""
    spec = named_spec("syscall_handoff_noretake")
    model = build_model(spec)
    res = check(model, max_states=spec.bounds.max_states)
    r = res["starvation_free"]
    path, loop = r.path, r.loop
    s = model.init_states()[path[0]]
    seen = []
    for k in path[1:]:
        a = model.actions(s)[k]
        seen.append((s, a))
        s = model.next_state(s, a)
    cycle = seen[loop:]
    st = cycle[0][0]
    k = next(i for i, p in enumerate(st.ps) if p.sys == 1)  # main's P, in _Psyscall
    assert all(x.ps[k].sys == 1 and 3 in (x.ps[k].runnext,) + x.ps[k].runq for x, _ in cycle)
    assert {a[0] for _, a in cycle} <= {"step", "preempt", "run"} and all(a[1] == 1 - k for _, a in cycle)
    assert {a[2] for _, a in cycle if a[0] == "step"} == {2}  # only the spinner runs
    # with the retake the same state offers sysmon's hand-off, and it is weakly fair
    on = build_model(named_spec("syscall_handoff"))
    assert ("retake", k) in on.actions(st) and on.fairness(st, ("retake", k)) == f"sysmon P{k}"
    assert model.fairness(st, ("sysret", 1)) is None


def test_syscall_enter_exit_and_retake_paths():
    """SCH-25 (P -> _Psyscall), SCH-27 a/b/c (SCH-27a: the old P still in _Psyscall is taken back; SCH-27c: no P free, the G goes to the global queue)
    and SCH-28 all occur in syscall_handoff."""
    model = build_model(named_spec("syscall_handoff"))
    kinds = set()
    for s, a, t in edges(model):
        if a[0] == "step" and t.ps[a[1]].sys == a[2]:
            kinds.add("enter")
            assert s.world.gs[a[2] - 1].status == "run" and t.world.gs[a[2] - 1].wait[0] == "syscall"
        if a[0] == "retake":
            kinds.add("retake")
            assert s.ps[a[1]].sys and not t.ps[a[1]].sys and t.world == s.world
        if a[0] == "sysret":
            g = a[1]
            old = next((k for k, q in enumerate(s.ps) if q.sys == g), -1)
            if old >= 0:
                kinds.add("fast")
                assert t.ps[old].cur == g and not t.ps[old].sys
            elif g in t.gq:
                kinds.add("global")
                assert g not in s.gq
            else:
                kinds.add("idle")
                assert any(p.cur == g for p in t.ps)
    assert kinds == {"enter", "retake", "fast", "global", "idle"}


def test_netpoll_readiness_goes_through_injectglist_or_findrunnable():
    """NP-1: the pipe's pollDesc records the reader parked in IO wait; NP-3: netpoll readies it;
    NP-4: injected without a P it goes to the global queue, found by findRunnable it runs at once."""
    model = build_model(named_spec("netpoll_wait"))
    seen = set()
    for s, a, t in edges(model):
        if a[0] == "netpoll":
            g = s.world.heap[a[2]].reader
            assert s.world.gs[g - 1].wait[0] == "IO wait"
            if a[1] < 0:
                seen.add("inject")
                assert t.gq == s.gq + (g,)  # SCH-15 without a P: the global queue, not runnext
                assert all(p.runnext != g for p in t.ps)
            else:
                seen.add("findrunnable")
                assert t.ps[a[1]].cur == g and t.ps[a[1]].slice == 0
            assert model.fairness(s, a) in ("netpoll", f"P{a[1]}")
    assert seen == {"inject", "findrunnable"}


def test_abstract_env_actions_and_dl_o6_final_state():
    """DL-2.2: a goroutine blocked in netpoll keeps an M busy (run > 0): no deadlock is reported,
    but the reader leaks."""
    spec = named_spec("dl_o6_netpoll")
    model = build_model(spec)
    finals = [s for s, a, t in edges(model) if not model.actions(t)]
    assert finals
    from models import props
    for _s, _a, t in edges(model):
        if not model.actions(t):
            g2 = t.gs[1]
            assert g2.wait[0] == "IO wait" and props.deadlock_reason(model.interp, t) is True
            assert props.leak_keys(model.interp, t) == ("G2",)


def test_abstract_syscall_event_and_refinement_projection():
    src = """name: s
source: |
  package main

  import "syscall"

  func main() {
  \tsyscall.Sync()
  }
"""
    spec = load_spec_text(src)
    m = build_model(spec)
    s = m.init_states()[0]
    s = m.next_state(s, ("step", 1))
    assert s.gs[0].wait == ("syscall", "syscall.Sync") and m.actions(s) == [("env", "syscall", 1)]
    assert "system call syscall.Sync returns" in m.format_action(s, ("env", "syscall", 1))
    assert m.fairness(s, ("env", "syscall", 1)) is None
    from models import props
    assert props.deadlock_reason(m.interp, s) is True and props.leak_keys(m.interp, s) == ()
    t = m.next_state(s, ("env", "syscall", 1))
    assert t.gs[0].status == "run"
    spec_gmp = load_spec_text(src + "runtime:\n  scheduler: gmp\n  procs: 1\n")
    g = build_model(spec_gmp)
    s = g.next_state(g.init_states()[0], ("step", 0, 1, None))
    assert s.ps[0].sys == 1 and g.actions(s) == [("retake", 0), ("sysret", 1)]
    assert g._abstract(("sysret", 1)) == ("env", "syscall", 1)
    off = build_model(load_spec_text(src + "runtime:\n  scheduler: gmp\n  procs: 1\n  sysmon_retake: false\n"))
    assert off.actions(s) == [("sysret", 1)]


def test_sysmon_retake_option_is_validated():
    from models.errors import InputError
    with pytest.raises(InputError, match="runtime.sysmon_retake must be a boolean"):
        load_spec_text("name: x\nsource: |\n  package main\n  func main() {}\nruntime:\n  sysmon_retake: 2\n")


# ------------------------------------------------------------------ real Go and the reference runtime

GO = shutil.which("go")
# spec -> (exit code, stdout) under go run; None: hangs (DL-O6: no deadlock report)
REAL = {
    "syscall_handoff": (0, "main done\n"),
    "syscall_handoff_noretake": (0, "main done\n"),
    "netpoll_wait": (0, "read 1 <nil>\n"),
    "dl_o6_netpoll": None,
}


@pytest.mark.slow
@pytest.mark.skipif(GO is None, reason="go toolchain not installed")
@pytest.mark.parametrize("name", sorted(REAL))
def test_spec_programs_build_and_run_under_go(name):
    spec = named_spec(name)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "main.go")
        with open(path, "w") as f:
            f.write(spec.source if hasattr(spec, "source") and spec.source else spec.program.source)
        env = dict(os.environ, GO111MODULE="off", GOFLAGS="", GOMAXPROCS=str(spec.runtime.procs))
        b = subprocess.run([GO, "build", "-o", os.path.join(d, "prog"), path], cwd=d, env=env,
                           capture_output=True, text=True, timeout=300)
        assert b.returncode == 0, b.stderr
        want = REAL[name]
        if want is None:  # run the built binary (killing `go run` would orphan it)
            errf = os.path.join(d, "stderr")
            with open(errf, "w") as ef:
                p = subprocess.Popen([os.path.join(d, "prog")], cwd=d, env=env, stdout=subprocess.DEVNULL,
                                     stderr=ef)
                try:
                    p.wait(timeout=5)
                    code = p.returncode
                except subprocess.TimeoutExpired:
                    code = None
                    p.kill()
                    p.wait()
            err = open(errf).read()
            assert code is None, f"expected a hang (DL-O6), got exit {code}: {err}"
            assert "deadlock" not in err
        else:
            r = subprocess.run([GO, "run", path], cwd=d, env=env, capture_output=True, text=True, timeout=300)
            assert (r.returncode, r.stdout) == want, r.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REAL))
def test_spec_programs_under_the_reference_runtime(name):
    spec = named_spec(name)
    r = reference.run(spec.program, procs=spec.runtime.procs, timeout_s=3 if REAL[name] is None else 30)
    if REAL[name] is None:
        assert r.timed_out and "deadlock" not in r.stderr
    else:
        assert (r.exit_code, r.output) == REAL[name], r.stderr


def test_reference_syscall_hands_off_p_with_one_proc():
    """41_syscall_sync on one P: the worker runs while main is in sync(2) only
    if sysmon retakes P0 (or after the call returns); either way Go's output."""
    from models.lang import compile_go
    src = open(os.path.join(ROOT, "tests", "go", "41_syscall_sync.go")).read()
    r = reference.run(compile_go(src, "41_syscall_sync.go"), procs=1, timeout_s=30)
    assert (r.exit_code, r.output) == (0, "worker\nmain done\n")


def test_reference_pipe_errors_match_go():
    from models.lang import compile_go
    src = """package main

import (
	"fmt"
	"os"
)

func main() {
	r, w, _ := os.Pipe()
	buf := make([]byte, 8)
	n, err := w.Read(buf)
	fmt.Println(n, err)
	n, err = r.Write([]byte("x"))
	fmt.Println(n, err)
	n, err = w.Write([]byte("abc"))
	fmt.Println(n, err)
	n, err = r.Read(buf)
	fmt.Println(n, err)
	fmt.Println(w.Close())
	fmt.Println(w.Close())
	n, err = r.Read(buf)
	fmt.Println(n, err)
	fmt.Println(r.Close())
	n, err = r.Read(buf)
	fmt.Println(n, err)
}
"""
    want = ("0 read |1: bad file descriptor\n0 write |0: bad file descriptor\n3 <nil>\n3 <nil>\n<nil>\n"
            "close |1: file already closed\n0 EOF\n<nil>\n0 read |0: file already closed\n")
    prog = compile_go(src, "main.go")
    r = reference.run(prog, procs=1, timeout_s=30)
    assert (r.exit_code, r.output) == (0, want)
    from models.gomodel import GoModel
    from tests.helpers import exit_outputs
    assert exit_outputs(GoModel(prog)) == {(want, None)}
