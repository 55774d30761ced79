"""Leaving Mutex starvation mode out when only invariants are checked (MU-5).

`runtime.mutex_starvation: auto` (models/options.py, `models.gomodel.resolve_runtime`) models
starvation mode only when a checked property judges fair infinite executions; docs/reductions.md
("Mutex starvation mode") argues why every starvation-mode schedule is a normal-mode schedule at
the program's level, so the invariants' verdicts cannot change.  Checked here on every program
spec where the choice applies, against the spec checked with the mode forced on: the same verdict
for every property, and for the programs that end the same outputs or more (normal mode may add
schedules Go runs within its 1 ms threshold, never remove one).
"""

from __future__ import annotations

import glob
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.check import check
from checker.errors import InputError
from checker.trace import replay
from gocheck.factory import build_model, select_properties
from gocheck.spec import apply_override, load_spec, load_spec_text
from models.gomodel import INVARIANTS, resolve_runtime
from models.options import RuntimeOptions
from models.properties import PropertySpec
from models.sync import LOCK_OPS
from tests.helpers import SPECS, exit_outputs


def _eligible() -> list[str]:
    out = []
    paths = glob.glob(os.path.join(SPECS, "*.yaml")) + glob.glob(os.path.join(SPECS, "*", "*.yaml"))
    for path in sorted(paths):
        s = load_spec(path, compile=False)
        if (s.kind == "program" and s.runtime.scheduler == "abstract" and not s.gc.enabled
                and s.runtime.mutex_starvation == "auto" and s.properties
                and all(p.name in INVARIANTS for p in s.properties)):
            out.append(path)
    return out


ELIGIBLE = _eligible()
#: Programs with a sync.Mutex (or RWMutex, Once, Cond) where leaving the mode out changes the count.
MUTEX_WORDS = ("sync.Mutex", "sync.RWMutex", "sync.Once", "sync.NewCond", "Lock()")
WITH_MUTEX = [p for p in ELIGIBLE if any(w in open(p).read() for w in MUTEX_WORDS)]


def _verdicts(spec, paths=None):  # type: ignore[no-untyped-def]
    model = build_model(spec)
    props = select_properties(spec, model)
    res = check(model, max_states=300_000, properties=props, reduce=True, hunt=False)
    assert res.stats.complete, (spec.path, res.stats.stop_reason)
    if paths is not None:
        paths.extend((k, r.path) for k, r in res.results.items() if r.verdict.kind == "violated" and r.path is not None)
    return {k: r.verdict.kind for k, r in res.results.items()}, res.stats.states, model


def test_resolution() -> None:
    """`auto` is off exactly when every property is an invariant under the abstract scheduler;
    an explicit true/false is kept; no property (tests, replays) keeps the mode."""
    inv = (PropertySpec("deadlock_free"), PropertySpec("race_free"))
    assert resolve_runtime(RuntimeOptions(), inv).mutex_starvation is False
    assert resolve_runtime(RuntimeOptions(), inv + (PropertySpec("leak_free"),)).mutex_starvation is True
    assert resolve_runtime(RuntimeOptions(), (PropertySpec("starvation_free"),)).mutex_starvation is True
    assert resolve_runtime(RuntimeOptions(), ()).mutex_starvation is True
    assert resolve_runtime(RuntimeOptions(scheduler="gmp"), inv).mutex_starvation is True
    assert resolve_runtime(RuntimeOptions(mutex_starvation=True), inv).mutex_starvation is True
    assert resolve_runtime(RuntimeOptions(mutex_starvation=False), ()).mutex_starvation is False


def test_spec_values() -> None:
    """The spec accepts true, false and auto, and refuses anything else with its position."""
    src = "package main\nfunc main() {}\n"
    body = "".join("  " + ln + "\n" for ln in src.splitlines())
    for v, want in (("true", True), ("false", False), ("auto", "auto")):
        s = load_spec_text(f"name: x\nsource: |\n{body}runtime:\n  mutex_starvation: {v}\n", "x.yaml")
        assert s.runtime.mutex_starvation == want
    with pytest.raises(InputError) as e:
        load_spec_text(f"name: x\nsource: |\n{body}runtime:\n  mutex_starvation: sometimes\n", "x.yaml")
    assert "runtime.mutex_starvation must be true, false or auto, got 'sometimes'" in e.value.message
    assert e.value.line == 6


def test_eligible_corpus() -> None:
    """The comparison below covers a real share of the corpus (a count change means a spec was
    added or its properties changed: look at it)."""
    assert (len(ELIGIBLE), len(WITH_MUTEX)) == (80, 37)


@pytest.mark.parametrize("path", WITH_MUTEX,
                         ids=lambda p: os.path.relpath(p, SPECS)[:-5])
def test_same_verdicts_as_starvation_mode(path: str) -> None:
    """MU-5: every property's verdict is the same with the mode modelled and left out; the
    program's exit outputs with it left out include those with it modelled; on these specs every
    counterexample found with it left out is also a path of the model with it (20 of them)."""
    auto = load_spec(path)
    exact = apply_override(auto, "runtime.mutex_starvation", True)
    paths: list[Any] = []
    got, n_auto, m_auto = _verdicts(auto, paths)
    want, n_exact, m_exact = _verdicts(exact)
    assert m_auto.interp.opts.mutex_starvation is False and m_exact.interp.opts.mutex_starvation is True
    assert m_auto.interp.opts.mutex_guarded is True and m_exact.interp.opts.mutex_guarded is False
    assert got == want
    for name, p in paths:
        _violates_on_exact(m_auto, build_model(exact), exact, name, p)
    assert n_auto <= n_exact
    if n_exact <= 5_000:
        assert exit_outputs(m_exact) <= exit_outputs(m_auto)



def _violates_on_exact(guarded: Any, exact: Any, spec: Any, name: str, path: Any) -> None:
    """A counterexample of the guarded-bit model is one of the exact model: its actions, taken
    by value on the exact model, are each enabled there; then every goroutine standing at Lock
    of a held mutex takes the failed attempt that the guarded model folds into the step that
    brought it there (it parks); the state reached violates property `name` on the exact model."""
    _, acts = replay(guarded, path)
    s = exact.init_states()[0]
    for a in acts:
        assert a in exact.actions(s), (a, exact.actions(s))
        s = exact.next_state(s, a)
    m = exact.interp
    while True:
        parks = []
        for a in exact.actions(s):
            if a[0] == "step" and type(m.instr_of(s.gs[a[1] - 1])) in LOCK_OPS:
                t = exact.next_state(s, a)
                if t.gs[a[1] - 1].wait[:1] == ("sync.Mutex.Lock",):
                    parks.append(t)
        if not parks:
            break
        s = parks[0]
    (prop,) = [p for p in select_properties(spec, exact) if p.name == name]
    assert prop.cond(s) is not True, (name, s)
    if prop.kind == "deadlock":
        assert not exact.actions(s)


_OPS = [
    "{a}.Lock()\n\t\tx++\n\t\tfmt.Print({g})\n\t\t{a}.Unlock()",
    "{a}.Lock()\n\t\t{b}.Lock()\n\t\tx++\n\t\t{b}.Unlock()\n\t\t{a}.Unlock()",
    "for i := 0; i < 2; i++ {{\n\t\t\t{a}.Lock()\n\t\t\tfmt.Print({g})\n\t\t\t{a}.Unlock()\n\t\t}}",
    "y = {g}",
    "if {a}.TryLock() {{\n\t\t\tfmt.Print({g})\n\t\t\t{a}.Unlock()\n\t\t}}",
]


@st.composite
def mutex_programs(draw: st.DrawFn) -> str:
    """Two goroutines with one or two operations each, or three with one each (so that the
    unreduced space stays small), contending for two mutexes: critical sections that print, nested
    locks in either order (deadlocks), lock loops, a TryLock, an unprotected write (races)."""
    n = draw(st.integers(2, 3))
    gos = []
    for g in range(n):
        body = []
        for _ in range(draw(st.integers(1, 2 if n == 2 else 1))):
            a, b = draw(st.permutations(["m1", "m2"]))
            body.append(draw(st.sampled_from(_OPS)).format(a=a, b=b, g=g))
        gos.append("\tgo func() {\n\t\tdefer wg.Done()\n" + "".join(f"\t\t{s}\n" for s in body) + "\t}()\n")
    return ("package main\n\nimport (\n\t\"fmt\"\n\t\"sync\"\n)\n\nvar x, y int\nvar m1, m2 sync.Mutex\n"
            f"var wg sync.WaitGroup\n\nfunc main() {{\n\twg.Add({n})\n{''.join(gos)}\twg.Wait()\n"
            "\tfmt.Println(x)\n}\n")


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(mutex_programs())
def test_random_mutex_programs_agree(src: str) -> None:
    """MU-5 and the guarded bit on random lock-heavy programs: the same verdicts with the exact
    mutex and the abstracted one, every counterexample of the abstracted one violates the same
    property on the exact model, and every exit output of the exact one is one of the other's."""
    body = "".join(f"  {line}\n" if line else "\n" for line in src.splitlines())
    auto = load_spec_text(f"name: rnd\nsource: |\n{body}properties: [deadlock_free, panic_free, race_free]\n",
                          "rnd.yaml")
    exact = apply_override(auto, "runtime.mutex_starvation", True)
    paths: list[Any] = []
    got, n_auto, m_auto = _verdicts(auto, paths)
    want, n_exact, m_exact = _verdicts(exact)
    assert got == want
    for name, p in paths:
        _violates_on_exact(m_auto, build_model(exact), exact, name, p)
    assert exit_outputs(m_exact, 100_000) <= exit_outputs(m_auto, 100_000)


ABBA = """package main

import "sync"

func main() {
	var a, b sync.Mutex
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		a.Lock()
		b.Lock()
		b.Unlock()
		a.Unlock()
	}()
	go func() {
		defer wg.Done()
		b.Lock()
		a.Lock()
		a.Unlock()
		b.Unlock()
	}()
	wg.Wait()
}
"""


def test_cli_override_is_recorded_and_replayed(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """`--mutex-starvation true` overrides the spec, and the trace records it so that replay
    rebuilds the model the search used; a trace that asks for another override is refused."""
    import json

    from checker.trace import read_itf
    from gocheck.cli import main
    from gocheck.viewing import model_for

    spec = tmp_path / "abba.yaml"
    body = "".join(f"  {line}\n" if line else "\n" for line in ABBA.splitlines())
    spec.write_text(f"name: abba\nsource: |\n{body}properties: [deadlock_free]\n")
    for flag, want, states in ((None, False, 32), ("true", True, 42)):
        out = tmp_path / f"t{flag}"
        argv = [str(spec), "--json", "--no-hunt", "--traces", str(out)] + (["--mutex-starvation", flag] if flag else [])
        assert main(argv) == 1
        assert json.loads(capsys.readouterr().out.splitlines()[0])["stats"]["states"] == states
        (trace,) = list(out.iterdir())
        cx = read_itf(str(trace))
        assert cx.meta.get("overrides") == ({"runtime.mutex_starvation": True} if flag else None)
        model, note = model_for(cx)
        assert model.interp.opts.mutex_starvation is want and note == ""
    data = json.loads(trace.read_text())
    data["#meta"]["overrides"] = {"runtime.procs": 7}
    trace.write_text(json.dumps(data))
    model, note = model_for(read_itf(str(trace)))
    assert model is None and note == "the trace's #meta.overrides may only set runtime.mutex_starvation"
