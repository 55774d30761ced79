"""Litmus tests L1..L21 (docs/go-semantics.md 4.4): the axiomatic verdict on every
outcome, the explicit model's race_free verdict (RD-4), and DRF-SC agreement
between the two engines."""

from __future__ import annotations

import glob
import os

import pytest

from checker.check import check
from gocheck.factory import build_model
from gocheck.spec import load_spec
from models.memory import check_outcomes
from models.memory.goexpr import parse
from tests.helpers import sc_finals

SPECS = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "specs", "litmus", "*.yaml")))
NAMES = [os.path.basename(p)[:-5] for p in SPECS]

#: RD-4: the racy litmus programs.
RACY = {"L3b", "L7", "L9p", "L12", "L13", "L15", "L16", "L17", "L20", "L21p"}

#: Every outcome's verdict, as docs/go-semantics.md 4.4 gives it.
VERDICTS = {
    "L1": ["forbidden", "allowed"], "L2": ["forbidden", "allowed"], "L3a": ["forbidden", "allowed"],
    "L3b": ["allowed", "allowed"], "L4": ["forbidden", "allowed"], "L5": ["forbidden", "allowed"],
    "L6": ["forbidden", "forbidden", "allowed"], "L7": ["allowed", "allowed"], "L8": ["forbidden", "allowed"],
    "L9": ["forbidden", "allowed", "allowed"], "L9p": ["allowed", "allowed"], "L10": ["forbidden", "allowed"],
    "L11": ["forbidden", "allowed"], "L12": ["forbidden", "forbidden", "allowed"], "L13": ["allowed", "allowed"],
    "L14": ["forbidden", "allowed"], "L15": ["allowed", "allowed"], "L16": ["allowed", "allowed"],
    "L17": ["allowed", "allowed"], "L18": ["forbidden", "allowed"], "L19": ["forbidden", "allowed"],
    "L20": ["allowed", "allowed", "allowed"], "L21": ["forbidden", "allowed"], "L21p": ["allowed", "allowed"],
}


def test_every_litmus_test_of_the_table_has_a_spec() -> None:
    assert NAMES == sorted(VERDICTS)
    assert len(NAMES) == 24


@pytest.fixture(scope="module")
def results() -> dict[str, tuple[object, list]]:
    out = {}
    for path, name in zip(SPECS, NAMES):
        spec = load_spec(path)
        out[name] = (spec, check_outcomes(spec, sc_finals(spec)))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_litmus_outcome_verdicts(name: str, results: dict) -> None:
    """The axiomatic model's rules on L1..L21: MM-1 (plain, atomic, channel and lock operations),
    MM-3 (one total order of the synchronizing operations: L10, L11, L21 forbidden), MM-5 (a
    plain read sees a visible write: L1, L14, L18, L19 forbid r = 0), MM-22 (no value out of thin
    air: L12) and MM-23 (multi-word values may tear: L20)."""
    spec, res = results[name]
    assert [r.verdict for r in res] == VERDICTS[name]
    assert [r.expected for r in res] == VERDICTS[name]          # the spec says the same
    for r in res:
        assert (r.witness is not None) == (r.verdict == "allowed")
        assert r.reason == ""


@pytest.mark.parametrize("name", NAMES)
def test_litmus_race_free_verdict_matches_rd4(name: str, results: dict) -> None:
    spec, _ = results[name]
    verdict = check(build_model(spec))["race_free"].verdict
    assert verdict.kind == ("violated" if name in RACY else "holds")
    assert spec.expected("race_free") == verdict.kind


@pytest.mark.parametrize("name", NAMES)
def test_drf_sc_agreement_with_the_explicit_model(name: str, results: dict) -> None:
    """Race-free: SC-reachable outcomes are exactly the allowed ones; racy: a subset."""
    spec, res = results[name]
    finals = sc_finals(spec)
    assert finals
    for o, r in zip(spec.outcomes, res):
        reached = any(parse(o.when).eval(env) for env in finals)
        if name in RACY:
            assert not reached or r.verdict == "allowed"
        else:
            assert reached == (r.verdict == "allowed")
        assert r.sc == reached                               # SC witnesses exactly when SC reaches it


def test_witness_names_the_writes_reads_see() -> None:
    l9p = load_spec(SPECS[NAMES.index("L9p")])
    (r0, _) = check_outcomes(l9p, sc_finals(l9p))
    assert r0.verdict == "allowed" and not r0.sc
    assert "G2: write x=1@12; read y=0@13 (from init); write r1=0@13" in r0.witness
    assert "read x=0@18 (from init)" in r0.witness
    assert r0.witness.endswith("final: r1=0, r2=0")
    l1 = load_spec(SPECS[NAMES.index("L1")])
    (_, r1) = check_outcomes(l1, sc_finals(l1))
    assert r1.sc and r1.witness.endswith("(replayed: the explicit SC model reaches this outcome)")
