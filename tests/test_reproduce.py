"""``python -m checker reproduce`` (issue 16): tables identical across runs, verdicts checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT

ENV = {**os.environ, "PYTHONPATH": ROOT, "MPLBACKEND": "Agg"}


def _reproduce(out: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "checker", "reproduce", "--quick", "--out", out, *extra], cwd=ROOT,
                          capture_output=True, text=True, timeout=900, env=ENV)


def _tables(out: str) -> dict[str, str]:
    files = {}
    for d, _, names in os.walk(out):
        for n in names:
            if n.endswith(".md") or n == "verdicts.json":
                with open(os.path.join(d, n), encoding="utf-8") as f:
                    files[os.path.relpath(os.path.join(d, n), out)] = f.read()
    return files


@pytest.mark.slow
def test_two_runs_give_identical_tables_and_the_published_verdicts(tmp_path) -> None:
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    pa, pb = _reproduce(a), _reproduce(b)
    assert pa.returncode == 0, pa.stderr
    assert pb.returncode == 0, pb.stderr
    ta, tb = _tables(a), _tables(b)
    assert ta == tb
    assert {"verdicts.json", "litmus.md", "verdicts/channels_and_sync_patterns.md",
            "verdicts/scheduler_mechanisms.md", "verdicts/memory_model_litmus.md"} <= set(ta)
    for fig in ("growth", "litmus", "runtime_steals"):
        assert os.path.getsize(os.path.join(a, f"{fig}.png")) > 1000 and os.path.exists(os.path.join(a, f"{fig}.svg"))
    env = json.load(open(os.path.join(a, "environment.json")))
    assert {"python", "z3", "go", "spin", "gcc", "git_commit", "cpus", "date"} <= set(env)


@pytest.mark.slow
def test_a_changed_verdict_fails_loudly(tmp_path) -> None:
    """A published verdict that this run does not give is named, and the exit status is 1."""
    with open(os.path.join(ROOT, "reports", "verdicts.json"), encoding="utf-8") as f:
        data = json.load(f)
    row = next(r for r in data["rows"] if r["spec"] == "abba_deadlock" and r["property"] == "deadlock_free")
    row["verdict"] = "holds"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(data))
    p = _reproduce(str(tmp_path / "out"), "--published", str(forged))
    assert p.returncode == 1
    assert "CHANGED: abba_deadlock: deadlock_free: published holds, now violated" in p.stderr
