"""The run-queue ring arithmetic, proved by z3 for all 32-bit counters (issue 5)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from models.sched.runq_proof import OBLIGATIONS, concrete_violation, prove

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("n", [4, 8, 256])
def test_correct_ring_keeps_every_invariant(n: int) -> None:
    results = prove(n)
    assert [r.name for r in results] == list(OBLIGATIONS)
    assert [r.verdict for r in results] == ["holds"] * 5


@pytest.mark.parametrize("variant,broken", [("put_wide", "runq.put"), ("grab_plus_one", "runq.grab"),
                                            ("get_gt", "runq.get")])
@pytest.mark.parametrize("n", [4, 256])
def test_broken_variant_has_a_real_counterexample(n: int, variant: str, broken: str) -> None:
    results = {r.name: r for r in prove(n, variant)}
    assert {name for name, r in results.items() if r.verdict == "violated"} == {broken}
    w = results[broken].witness
    # the z3 witness is re-checked with plain integer arithmetic
    assert concrete_violation(broken, w, n, variant)
    assert not concrete_violation(broken, w, n, "correct") or broken == "runq.grab"


def test_wraparound_is_what_breaks_the_wide_comparison() -> None:
    w = {r.name: r for r in prove(256, "put_wide")}["runq.put"].witness
    assert w["tail"] < w["head"]  # the tail wrapped past 2^32, the head did not
    assert (w["tail"] - w["head"]) % 2**32 == 256  # the queue is full


def test_cli_table_and_exit_codes() -> None:
    p = subprocess.run([sys.executable, "-m", "checker", "specs/runq_proof.yaml", "specs/runq_broken.yaml", "--json"],
                       capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    first, second = (json.loads(x) for x in p.stdout.splitlines())
    assert {k: v["verdict"] for k, v in first["properties"].items()} == {k: "holds" for k in OBLIGATIONS}
    assert {k: (v["verdict"], v["expected"]) for k, v in second["properties"].items()} == {
        "runq.put": ("violated", "violated"), "runq.get": ("holds", "holds"), "runq.grab": ("holds", "holds")}
