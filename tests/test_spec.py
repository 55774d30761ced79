"""Strict spec loading: every kind of bad spec is exit 2 with file:line:col."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gocheck.spec import SpecError, apply_override, load_spec, load_spec_text

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOOD = "name: t\nsource: |\n  package main\n  func main() {}\n"

BAD = [
    ("name: [1, 2\n", 2, 1, "YAML syntax error"),
    ("name: t\nsource: x\nruntime:\n  procz: 2\n", 4, 3, "unknown key 'procz' in runtime (did you mean 'procs'?)"),
    ("name: t\nsource: x\nruntime:\n  procs: two\n", 4, 10, "runtime.procs must be an integer, got 'two'"),
    ("name: t\nsource: x\nruntime:\n  procs: 0\n", 4, 10, "runtime.procs must be between 1 and 64"),
    ("name: t\nsource: x\nruntime: {scheduler: gmpp}\n", 3, 22, "runtime.scheduler must be one of abstract, gmp, got 'gmpp' (did you mean 'gmp'?)"),
    ("name: t\nsource: x\nproperties: [deadlok_free]\n", 3, 14, "unknown property 'deadlok_free' (did you mean 'deadlock_free'?)"),
    ("name: t\nsource: x\nproperties: [max_goroutines]\n", 3, 14, "property 'max_goroutines' needs a parameter"),
    ("name: t\nsource: x\nproperties: [{max_goroutines: many}]\n", 3, 31, "the parameter of max_goroutines must be an integer"),
    ("name: t\nsource_file: missing.go\n", 2, 14, "cannot read source_file 'missing.go'"),
    ("name: t\nsourc: x\n", 2, 1, "unknown key 'sourc' in the spec (did you mean 'source'?)"),
    ("name: 3\nsource: x\n", 1, 7, "name must be a string, got 3"),
    ("name: t\n", 1, 1, "a program spec needs 'source'"),
    ("name: t\nsource: x\nexpect: {race_free: maybe}\n", 3, 21, "expect.race_free must be one of holds, violated, unknown"),
    ("name: t\nsource: x\nproperties: [deadlock_free]\nexpect: {race_free: holds}\n", 4, 10, "expect names 'race_free', which is not among this spec's properties"),
    ("name: t\nsource: x\nbounds: {max_states: -1}\n", 3, 22, "bounds.max_states must be between"),
    ("name: t\nsource: x\nsweep: {runtime.procz: [1]}\n", 3, 9, "unknown key 'procz' in runtime"),
    ("name: t\nsource: x\noutcomes:\n  - {when: 'r == 0', expect: maybe}\n", 4, 30, "outcome expect must be one of allowed, forbidden"),
    ("- a\n- b\n", 1, 1, "the spec must be a mapping"),
    ("", 1, 1, "empty spec"),
]


@pytest.mark.parametrize("text,line,col,msg", BAD, ids=[b[3][:30] for b in BAD])
def test_bad_spec_names_position_and_allowed_values(tmp_path, text, line, col, msg) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(SpecError) as e:
        load_spec(str(path), compile=False)
    assert msg in e.value.message
    assert (e.value.file, e.value.line, e.value.col) == (str(path), line, col)


def test_defaults_follow_design_section_4() -> None:
    s = load_spec_text(GOOD, "g.yaml", compile=False)
    r = s.runtime
    assert (r.scheduler, r.procs, r.runq_size, r.global_check_every, r.time_slice) == ("abstract", 2, 256, 61, 3)
    assert (r.preempt, r.startup) == ("any", "any")
    assert (r.runnext_inherits_slice, r.steal, r.mutex_starvation, r.starvation_after, r.main_exit) == (
        True, "half", "auto", 2, "wait")
    assert not s.gc.enabled
    assert (s.bounds.max_states, s.bounds.max_depth, s.bounds.timeout_s) == (2_000_000, 100_000, 600.0)
    assert [p.name for p in s.properties] == ["deadlock_free", "leak_free", "panic_free", "race_free"]
    assert s.entry == "main"


def test_sweep_and_overrides_are_validated() -> None:
    s = load_spec_text(GOOD + "sweep:\n  runtime.global_check_every: [0, 61]\n", "g.yaml", compile=False)
    assert s.sweep == {"runtime.global_check_every": [0, 61]}
    assert apply_override(s, "runtime.procs", 4).runtime.procs == 4
    with pytest.raises(SpecError, match="runtime.procs must be between 1 and 64"):
        apply_override(s, "runtime.procs", 100)


def test_gc_section_enables_gc() -> None:
    s = load_spec_text(GOOD + "gc: {barrier: yuasa}\n", "g.yaml", compile=False)
    assert s.gc.enabled and s.gc.barrier == "yuasa"


def test_missing_spec_file() -> None:
    with pytest.raises(SpecError, match="spec file not found"):
        load_spec("/nonexistent/spec.yaml")


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["name", "source", "runtime", "procs", "properties", "expect", "bounds", "sweep",
                         "outcomes", "gc", "when", "model", "args", "x", "deadlock_free", "max_goroutines"]),
        children, max_size=4),
    max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_values)
def test_random_yaml_documents_raise_only_spec_errors(doc) -> None:
    text = yaml.safe_dump(doc)
    try:
        load_spec_text(text, "r.yaml", compile=False)
    except SpecError as e:  # any other exception type fails the test
        assert e.line >= 1 and e.col >= 1 and e.message


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_random_text_raises_only_spec_errors(text) -> None:
    try:
        load_spec_text(text, "r.yaml", compile=False)
    except SpecError as e:
        assert e.line >= 1


@pytest.mark.parametrize("text,fragment", [
    ("name: [1, 2\n", "YAML syntax error"),
    ("name: t\nsource: x\nruntime: {procz: 2}\n", "unknown key 'procz'"),
    ("name: t\nsource: x\nruntime: {procs: two}\n", "must be an integer"),
    ("name: t\nsource: x\nproperties: [deadlok_free]\n", "did you mean 'deadlock_free'"),
    ("name: t\nsource_file: nope.go\n", "cannot read source_file"),
])
def test_cli_exit_2_without_traceback(tmp_path, text, fragment) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    p = subprocess.run([sys.executable, "-m", "checker", str(path)], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 2
    assert fragment in p.stderr
    assert f"{path}:" in p.stderr
    assert "Traceback" not in p.stderr
