"""The compact state table (`checker.store.CompactCodec`, `KeyTable`) against the plain one.

The compact table stores each state as the numbers of its parts; it must be lossless: the same
states, found in the same order, with the same counts, depths, verdicts and counterexamples as the
table of whole states, on every program spec and on random programs, with and without the
partial-order reduction and with the fingerprint store.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.check import check
from checker.examples import Philosophers
from checker.explore import explore
from checker.store import CompactCodec, KeyTable, PackedStates
from gocheck.factory import build_model, select_properties
from gocheck.spec import load_spec
from tests.helpers import program_specs

sys.path.insert(0, os.path.dirname(__file__))
from test_reductions import _spec, wg_programs  # noqa: E402

#: a bound both searches stop at in the same place (the order is the same): keeps the big specs quick
CAP = 2500


def _pair(spec: Any, **options: Any) -> tuple[Any, Any]:
    out = []
    for compact in (True, False):
        model = build_model(spec)
        props = select_properties(spec, model)
        out.append(check(model, properties=props, max_states=CAP, compact=compact, hunt=False, **options))
    return out[0], out[1]


def _same(a: Any, b: Any, states: bool = True) -> None:
    for f in ("states", "transitions", "depth", "complete", "stop_reason", "reduced"):
        assert getattr(a.stats, f) == getattr(b.stats, f), f
    assert {k: (r.verdict.kind, r.path, r.loop) for k, r in a.results.items()} == \
        {k: (r.verdict.kind, r.path, r.loop) for k, r in b.results.items()}
    assert list(a.parent) == list(b.parent) and list(a.taken) == list(b.taken)
    if states:
        assert isinstance(a.states, PackedStates) and not isinstance(b.states, PackedStates)
        assert list(a.states) == list(b.states)  # unpacked one by one: equal values, same order


@pytest.mark.parametrize("path", program_specs() + program_specs("gmp"), ids=lambda p: os.path.relpath(p, "specs"))
def test_every_spec_explores_the_same_states(path: str) -> None:
    """Default options (reduction on where the spec's properties allow it): state by state equal,
    under the abstract scheduler and the G-M-P one."""
    spec = load_spec(path)
    a, b = _pair(spec, reduce=not any(p.is_liveness for p in build_model(spec).properties()))
    _same(a, b)


@pytest.mark.parametrize("path", program_specs()[::4], ids=lambda p: os.path.relpath(p, "specs"))
def test_unreduced_and_fingerprints_agree(path: str) -> None:
    """Every fourth spec: unreduced, and with the fingerprint store (its frontier then holds packed
    states; expanded states are dropped, so only counts, verdicts and paths are compared)."""
    spec = load_spec(path)
    _same(*_pair(spec, reduce=False))
    _same(*_pair(spec, reduce=False, fingerprints=True), states=False)


def _violations_replay(spec: Any, result: Any) -> None:
    """Every violated invariant or deadlock has a path that replays to a state violating it."""
    from checker.model import evaluate
    from checker.trace import replay
    for r in result.results.values():
        if r.verdict.kind == "violated" and r.prop.kind in ("always", "deadlock"):
            assert r.path is not None, r.prop.name
            model = build_model(spec)
            last = replay(model, r.path)[0][-1]
            assert evaluate(r.prop.cond, last) is not None
            assert r.prop.kind == "always" or not model.actions(last)


def _safety_run(spec: Any, strategy: str, **options: Any) -> Any:
    model = build_model(spec)
    props = [p for p in select_properties(spec, model) if not p.is_liveness]
    return check(model, strategy, properties=props, max_states=CAP, hunt=False, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("path", program_specs()[1::3], ids=lambda p: os.path.relpath(p, "specs"))
def test_fingerprint_paths_are_the_exact_paths(path: str) -> None:
    """Breadth first, the fingerprint store keeps no parent links: a violation's path is found by a
    second search up to the violating state.  It is the path the exact table gives (every third
    spec, reduced with the proviso both can use), and it replays to a violating state."""
    spec = load_spec(path)
    fp_run = _safety_run(spec, "bfs", fingerprints=True, reduce=True, proviso="visited")
    exact = _safety_run(spec, "bfs", fingerprints=False, reduce=True, proviso="visited")
    assert (fp_run.stats.states, fp_run.stats.transitions, fp_run.stats.depth) == \
        (exact.stats.states, exact.stats.transitions, exact.stats.depth)
    assert fp_run.states == [] and len(fp_run.parent) == 0
    for name, r in exact.results.items():
        assert (fp_run[name].verdict.kind, fp_run[name].path) == (r.verdict.kind, r.path), name
    _violations_replay(spec, fp_run)


@pytest.mark.parametrize("path", program_specs()[1::3], ids=lambda p: os.path.relpath(p, "specs"))
def test_fingerprint_depth_first_is_spins_search(path: str) -> None:
    """Depth first, the fingerprint search is SPIN's: the stack is the path and the reduction's
    cycle condition is the stack proviso.  Unreduced it stores exactly the states and transitions
    of the exact table; reduced, it decides what full exploration decides (when both finish), and
    every violation's path, read off the stack, replays to a violating state."""
    spec = load_spec(path)
    full = _safety_run(spec, "dfs", fingerprints=False, reduce=False)
    fp_full = _safety_run(spec, "dfs", fingerprints=True, reduce=False)
    fp_red = _safety_run(spec, "dfs", fingerprints=True, reduce=True)
    assert fp_full.states == [] and len(fp_red.parent) == 0
    if full.stats.complete:
        assert (fp_full.stats.states, fp_full.stats.transitions) == (full.stats.states, full.stats.transitions)
        assert fp_red.stats.complete and fp_red.stats.states <= full.stats.states
        assert {k: r.verdict.kind for k, r in fp_red.results.items()} == {k: r.verdict.kind for k, r in full.results.items()}
        assert {k: r.verdict.kind for k, r in fp_full.results.items()} == {k: r.verdict.kind for k, r in full.results.items()}
    for run in (fp_full, fp_red):
        _violations_replay(spec, run)


@pytest.mark.parametrize("strategy", ["bfs", "dfs"])
def test_fingerprints_keep_depths_without_storing_them(strategy: str) -> None:
    """The lean fingerprint search carries depths in its frontier (dfs) or counts levels (bfs):
    under a depth bound it stores and reports what the exact table does (issue 13's fan-out, N=3)."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks"))
    from perf_programs import spec_text

    from gocheck.spec import load_spec_text
    spec = load_spec_text(spec_text("fanout", 3), "fanout3.yaml")
    got = []
    for fp in (True, False):
        r = explore(build_model(spec), strategy, max_depth=12, fingerprints=fp)  # type: ignore[arg-type]
        got.append((r.stats.states, r.stats.transitions, r.stats.depth, r.stats.complete, r.stats.stop_reason,
                    {k: v.verdict.kind for k, v in r.results.items()}))
    assert got[0] == got[1]
    assert got[0][2:5] == (12, False, "max_depth 12 reached")


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(wg_programs())
def test_random_programs_agree(src: str) -> None:
    """The compact table equals the whole-state one; SPIN's fingerprint search with the stack
    proviso decides what full exploration decides, and its trails replay."""
    spec = _spec(src)
    _same(*_pair(spec, reduce=True))
    _same(*_pair(spec, reduce=False, strategy="dfs"))
    full = _safety_run(spec, "bfs", reduce=False)
    spin_like = _safety_run(spec, "dfs", reduce=True, fingerprints=True)
    assert full.stats.complete and spin_like.stats.complete
    assert {k: r.verdict.kind for k, r in spin_like.results.items()} == {k: r.verdict.kind for k, r in full.results.items()}
    _violations_replay(spec, spin_like)


def test_the_compact_table_is_small() -> None:
    """Issue 13's fan-out with 4 goroutines, unreduced: 3,768 states made of 136 distinct parts,
    keys of 6 to 10 bytes (the same states pickled: 1,048 bytes on average)."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks"))
    from perf_programs import spec_text

    from gocheck.spec import load_spec_text
    model = build_model(load_spec_text(spec_text("fanout", 4), "fanout4.yaml"))
    model.dead_slots = False
    r = explore(model, compact=True)
    keys = r.states.keys
    assert (r.stats.states, r.stats.transitions) == (3768, 11781)
    assert (min(map(len, keys)), max(map(len, keys)), sum(map(len, keys))) == (6, 10, 36_969)
    assert len(r.states.unpack.__self__) == 136


def test_gmp_states_are_packed() -> None:
    spec = load_spec(program_specs("gmp")[0])
    r = explore(build_model(spec), max_states=50)
    assert isinstance(r.states, PackedStates) and r.states[49].ps and r.states.keys[49][0] < 254


def test_a_model_without_the_hooks_is_stored_whole() -> None:
    r = explore(Philosophers(3), compact=True)
    assert isinstance(r.states, list) and r.stats.states == 14


# --------------------------------------------------------------------------- the codec and the table

@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 400), max_size=6), min_size=1, max_size=30))
def test_pack_is_injective_and_unpacks(states: list[list[int]]) -> None:
    """Two states get one key exactly when they are equal; every key unpacks to its state.  Parts
    are drawn from 401 values so that the one-byte and two-byte forms both occur."""
    c = CompactCodec(tuple, tuple)
    keys = [c.pack(tuple(s)) for s in states]
    for s, k in zip(states, keys):
        assert c.unpack(k) == tuple(s)
    for s, k in zip(states, keys):
        for t, m in zip(states, keys):
            assert (k == m) == (s == t)


def test_the_three_forms() -> None:
    c = CompactCodec(tuple, tuple)
    one = c.pack((0, 1, 2))
    assert one == b"\x01\x02\x03"
    c.pack(tuple(range(300)))  # numbers up to 299: the two-byte form
    two = c.pack((299, 0))
    assert two[0] == 254 and len(two) == 5 and c.unpack(two) == (299, 0)
    c.pack(tuple(range(300, 70_000)))
    four = c.pack((69_999, 1))
    assert four[0] == 255 and len(four) == 9 and c.unpack(four) == (69_999, 1)
    assert c.pack((0, 1, 2)) == one and len(c) == 70_000


def test_parts_are_numbered_by_value_not_identity() -> None:
    c = CompactCodec(lambda s: s, list)
    a, b = (1, (2, 3)), (1, tuple([2, 3]))
    assert a[1] is not b[1] and c.pack(a) == c.pack(b) and len(c) == 2


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=3), max_size=300))
def test_key_table_is_a_dict(keys: list[bytes]) -> None:
    """`KeyTable.setdefault` gives the index a dict would, through growth (capacity 2: 8 slots)."""
    stored: list[bytes] = []
    t = KeyTable(stored, 2)
    d: dict[bytes, int] = {}
    for k in keys:
        i = t.setdefault(k, len(stored))
        assert i == d.setdefault(k, len(stored))
        if i == len(stored):
            stored.append(k)
    assert len(t) == len(d) and all(t.get(k) == i for k, i in d.items())
    assert t.get(b"\xff" * 4) is None and (b"\xff" * 4 not in t)


def test_every_world_field_is_a_part() -> None:
    """A field added to `World` must be cut into parts too, or the compact table would merge states
    that differ in it: every field, set to a value no default has, survives the round trip."""
    import dataclasses

    from models.gomodel import GoModel
    from models.state import World
    sentinel = {f.name: ("probe", f.name) for f in dataclasses.fields(World) if f.compare}
    w = World(**sentinel)
    back = GoModel.state_from_parts(list(GoModel.state_parts(None, w)))  # type: ignore[arg-type]
    assert {k: getattr(back, k) for k in sentinel} == sentinel
