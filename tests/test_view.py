"""The text view of counterexamples: exact golden outputs, options, CLI exit codes (issue 7).

Golden files live in tests/golden_view/; regenerate with ``UPDATE_GOLDEN=1 pytest tests/test_view.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from checker.check import check
from checker.examples import Peterson, PhilFlat, SpinLoop, Starver
from checker.minimize import minimize
from checker.trace import build, read_itf, write_itf
from checker.view import render_msc, render_text
from checker.view.diff import diff

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests", "golden_view")


def golden(name: str, text: str) -> None:
    path = os.path.join(GOLDEN, name)
    if os.environ.get("UPDATE_GOLDEN"):
        os.makedirs(GOLDEN, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    with open(path, encoding="utf-8") as f:
        assert text == f.read(), f"{name} differs from the golden file (UPDATE_GOLDEN=1 to regenerate)"


def counterexample(model, name, *, spec_path="", digest=""):
    r = check(model)
    pr = r[name]
    assert pr.verdict.kind == "violated"
    path = pr.path if pr.loop is not None else minimize(model, pr.prop, pr.path)
    return build(model, name, pr.verdict.reason, path, pr.loop, spec_path=spec_path, spec_digest=digest,
                 kind=pr.prop.kind, fairness=pr.prop.fairness if pr.prop.is_liveness else "", found_by="bfs")


def test_golden_phil_flat_deadlock():
    m = PhilFlat(5, deadlock=True)
    cx = counterexample(m, "deadlock_free", spec_path="specs/models/phil_flat_deadlock.yaml", digest="f2384502336e710c")
    assert cx.path_str == "0/0/1/1/1/1"
    golden("phil_flat_deadlock.txt", render_text(cx, model=m))
    golden("phil_flat_deadlock.msc.txt", render_msc(cx))


def test_golden_safety_violation_peterson():
    m = Peterson(buggy=True)
    cx = counterexample(m, "mutex")
    assert len(cx.steps) - 1 == 6
    golden("peterson_mutex.txt", render_text(cx, model=m))


def test_golden_starvation_lasso_weak_fairness():
    m = Starver()
    cx = counterexample(m, "victim (weak)")
    assert cx.loop == 0 and cx.path_str == "0/0/0/1/0"
    text = render_text(cx, model=m)
    assert "takeV is enabled after step(s) 0, 2 of the loop but never taken" in text
    assert "└─ back to step 0" in text
    golden("starver_weak.txt", text)


def test_golden_unfair_spin_lasso_names_the_ignored_action():
    m = SpinLoop()
    cx = counterexample(m, "A finishes (unfair)")
    text = render_text(cx, model=m)
    assert "B stays enabled in every state of the loop yet is never taken" in text
    golden("spinloop_unfair.txt", text)


def test_lasso_without_model_says_it_cannot_be_computed():
    cx = counterexample(Starver(), "victim (weak)")
    assert "Untaken   cannot be computed: no model to replay the trace on" in render_text(cx)


def test_diff_recurses_into_dicts_and_lists_with_added_and_deleted():
    old = {"G1": {"pc": 3, "stack": [1, 2]}, "ch": [1], "gone": 5}
    new = {"G1": {"pc": 4, "stack": [1]}, "ch": [1, 7], "G2": "new"}
    assert [str(c) for c in diff(old, new)] == [
        "G1.pc: 3 -> 4", "G1.stack[1]: deleted (was 2)", "ch[1]: added 7", "gone: deleted (was 5)", 'G2: added "new"']


def test_options_vars_actor_and_step_range():
    m = PhilFlat(5, deadlock=True)
    cx = counterexample(m, "deadlock_free")
    text = render_text(cx, vars=["forks"], start=2, end=3)
    assert "phil[" not in text and "forks[1]: false -> true" in text and "forks[0]" not in text
    assert "  ⋮  steps 0..1 hidden" in text and "  ⋮  steps 4..5 hidden" in text
    text = render_text(cx, actor="phil2")
    assert "2 steps by phil0, phil1 hidden" in text and "phil 2: think" in text and "phil 3: think" not in text
    full = render_text(cx, full=True, start=5, end=5)
    assert '* phil = ["one", "one", "one", "one", "one"]' in full and "  eating = 0" in full


# --------------------------------------------------------------------------- CLI


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=60)


def test_cli_view_prints_the_golden_text(tmp_path):
    m = PhilFlat(5, deadlock=True)
    from gocheck.spec import load_spec
    spec = load_spec(os.path.join(ROOT, "specs/models/phil_flat_deadlock.yaml"))
    cx = counterexample(m, "deadlock_free", spec_path="specs/models/phil_flat_deadlock.yaml", digest=spec.digest)
    trace = write_itf(cx, str(tmp_path / "t.itf.json"))
    r = run_cli("view", trace)
    assert r.returncode == 0, r.stderr
    assert r.stdout == render_text(read_itf(trace), model=m)
    assert "~1  phil0  phil 0: think" in r.stdout
    r = run_cli("view", trace, "--msc")
    assert r.returncode == 0 and "phil0    phil1" in r.stdout


@pytest.mark.parametrize("content", ['{"#meta": {"format": "gocheck-itf/1", "property": "p", "path": "0/1"',
                                     "", "[1, 2]", '{"#meta": {"format": "gocheck-itf/1", "property": "p", '
                                     '"path": "0/1", "reason": ""}, "states": [{"mbt::actionTaken": "init"}]}'])
def test_cli_view_corrupt_or_truncated_trace_exits_2(tmp_path, content):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    r = run_cli("view", str(bad))
    assert r.returncode == 2
    assert "not a valid trace file" in r.stderr and "Traceback" not in r.stderr


def test_cli_view_missing_file_exits_2(tmp_path):
    r = run_cli("view", str(tmp_path / "nope.json"))
    assert r.returncode == 2 and "trace file not found" in r.stderr


def test_cli_replay_path_and_divergence():
    r = run_cli("replay", "specs/models/phil_flat_deadlock.yaml", "--path", "0/0/1/1/1/1")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Property  deadlock_free  (deadlock)\n")
    assert "Found by  replayed from a path given on the command line" in r.stdout
    r = run_cli("replay", "specs/models/phil_flat_deadlock.yaml", "--path", "0/0/1/9")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "step 3: action index 9 does not exist; 4 action(s) are enabled here" in r.stderr
    r = run_cli("replay", "specs/models/phil_flat_deadlock.yaml", "--path", "0/x")
    assert r.returncode == 2 and "not a list of integers" in r.stderr


def test_cli_replay_trace_warns_when_the_spec_changed(tmp_path):
    m = PhilFlat(5, deadlock=True)
    cx = counterexample(m, "deadlock_free", spec_path="specs/models/phil_flat_deadlock.yaml", digest="0000000000000000")
    trace = write_itf(cx, str(tmp_path / "t.itf.json"))
    r = run_cli("replay", "--trace", trace)
    assert r.returncode == 0, r.stderr
    assert "changed since the trace was written (digest 0000000000000000 in the trace" in r.stderr
    doc = json.loads(open(trace).read())
    doc["#meta"]["path"] = "0/0/1/1/1/7"
    (tmp_path / "t2.itf.json").write_text(json.dumps(doc))
    r = run_cli("replay", "--trace", str(tmp_path / "t2.itf.json"))
    assert r.returncode == 2 and "the spec changed since the trace was written: that is the likely cause" in r.stderr


def test_cli_view_lasso_loads_the_spec_named_in_meta(tmp_path):
    spec = tmp_path / "starver.yaml"
    spec.write_text("name: starver\nabout: a victim\nmodel: checker.examples:Starver\nproperties: [victim (weak)]\n")
    cx = counterexample(Starver(), "victim (weak)", spec_path=str(spec))
    trace = write_itf(cx, str(tmp_path / "s.itf.json"))
    r = run_cli("view", trace)
    assert r.returncode == 0, r.stderr
    assert "Untaken   takeV is enabled after step(s) 0, 2 of the loop but never taken" in r.stdout
    r = run_cli("view", trace, "--no-spec")
    assert "Untaken   cannot be computed: --no-spec was given" in r.stdout
    spec.unlink()
    r = run_cli("view", trace)
    assert r.returncode == 0 and "Untaken   cannot be computed: the spec" in r.stdout
