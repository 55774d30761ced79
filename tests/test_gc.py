"""The collector model against GO_SEMANTICS 5.4 (GC-SAFE, GC-LIVE, V0..V11).

Counts, verdicts and counterexample lengths are pinned: a changed number is
a changed semantics.  Lengths are BFS-minimal (no shorter schedule exists).
"""

from __future__ import annotations

import pytest

from checker.check import check
from gocheck.cli import main
from models.gc import GcConfig, model, variant
from models.gc.scenario import SCENARIOS
from models.gc.variants import VARIANTS, config_of

P = ("gc.no_dangling", "gc.strong_tricolor", "gc.weak_tricolor", "gc.marking_terminates",
     "gc.no_floating_garbage_after_two_cycles")


def _run(m):  # -> (states, transitions, {prop: (verdict, length)})
    r = check(m, "bfs")
    return r.stats.states, r.stats.transitions, {
        n: (pr.verdict.kind, len(pr.path) - 1 if pr.path and pr.verdict.kind == "violated" else None)
        for n, pr in r.results.items()}


H, V = "holds", "violated"

#: variant -> states, transitions, (no_dangling, strong, weak) with lengths; marking_terminates and
#: GC-LIVE hold everywhere.
EXPECTED = {
    "V0": (92, 148, ((V, 9), (H, None), (V, 5))),
    "V1": (92, 148, ((V, 9), (H, None), (V, 5))),
    "V2": (4032, 15229, ((H, None), (H, None), (H, None))),
    "V3": (90, 145, ((V, 9), (V, 5), (V, 5))),
    "V4": (732, 2224, ((H, None), (V, 6), (H, None))),
    "V5": (3774, 14357, ((H, None), (V, 7), (H, None))),
    "V6": (10225, 34786, ((H, None), (H, None), (H, None))),
    "V7": (21, 21, ((V, 6), (H, None), (V, 4))),
    "V8": (71, 106, ((V, 8), (H, None), (V, 4))),
    "V9": (561, 1482, ((V, 11), (V, 6), (V, 7))),
    "V10": (92, 148, ((V, 9), (H, None), (H, None))),
    "V11": (3571, 13560, ((H, None), (V, 8), (H, None))),
}


@pytest.mark.parametrize("v", list(EXPECTED))
def test_variant_table_5_4(v: str) -> None:
    """GC-VARIANTS: V0, V1, V3, V7, V8, V9, V10 free a reachable object; V2, V4, V5, V6, V11 do not."""
    states, transitions, res = _run(variant(v))
    exp_states, exp_trans, (nd, strong, weak) = EXPECTED[v]
    assert (states, transitions) == (exp_states, exp_trans)
    assert res["gc.no_dangling"] == nd and nd[0] == VARIANTS[v][2]
    assert res["gc.strong_tricolor"] == strong
    assert res["gc.weak_tricolor"] == weak
    assert res["gc.marking_terminates"] == (H, None)
    assert res["gc.no_floating_garbage_after_two_cycles"] == (H, None)


def _reason(v: str) -> str:
    r = check(variant(v), "bfs")
    return r.results["gc.no_dangling"].verdict.reason


def test_v3_counterexample_names_object_root_barrier_and_step() -> None:
    """V3: B black, G1 moves its sole pointer to W into B (Yuasa shades only the old B.f), drops it."""
    r = check(variant("V3"), "bfs")
    pr = r.results["gc.no_dangling"]
    m = variant("V3")
    states = m.init_states()
    s = states[0]
    steps = []
    for i in pr.path_str.split("/")[1:]:
        a = m.actions(s)[int(i)]
        steps.append(m.format_action(s, a))
        s = m.next_state(s, a)
    assert steps == ["GC: STW #1, sweep termination (cycle 1)",
                     "GC: mark setup: barrier on in every P, root jobs queued, start the world",
                     "GC: root job: globals", "GC: drain B (blacken)", "G1: b.f = p", "G1: p = nil",
                     "GC: root job: scan G1's stack", "GC: STW #2, mark termination",
                     "GC: sweep frees every white object"]
    assert pr.verdict.reason == (
        "object W was freed by the sweep of cycle 1 (the last step) while reachable from root global b "
        "(global b -> B -> W); not shaded because G1: `b.f = p` (the Yuasa barrier shades only the old pointer); "
        "then G1: `p = nil` (a stack write has no barrier)")


@pytest.mark.parametrize("v,why", [
    ("V0", "G1: `a.f = nil` (no write barrier (V0))"),
    ("V1", "G1: `a.f = nil` (the Dijkstra barrier shades only the new pointer)"),
    ("V7", "G1: `p = new(N)` (allocated white during mark (V7))"),
    ("V8", "G1: `send p -> G2.q` (direct hand-off into G2's stack without a barrier (V8))"),
    ("V9", "G1: `a.f = nil` (the barrier was still off on this P (no fence at mark start, V9))"),
    ("V10", "G1: `a.f = nil` (recorded only in the P's write-barrier buffer, which was never flushed (V10))"),
])
def test_unsafe_variant_reason_names_the_barrier(v: str, why: str) -> None:
    reason = _reason(v)
    assert reason.startswith("object ") and "freed by the sweep of cycle 1 (the last step)" in reason
    assert why in reason


@pytest.mark.parametrize("v", ["V2", "V4", "V5", "V6", "V11"])
def test_safe_variants_hold_on_every_scenario(v: str) -> None:
    """V2, V4, V5, V6, V11 are safe on every heap shape the unsafe variants break (GC-SAFE)."""
    for name in SCENARIOS:
        r = check(variant(v, scenario=name), "bfs")
        assert r.results["gc.no_dangling"].verdict.kind == "holds", (v, name)
        assert r.results["gc.weak_tricolor"].verdict.kind == "holds", (v, name)


def test_gc_live_two_cycles_and_stale_marks() -> None:
    """GC-LIVE: floating garbage is freed by the next cycle; a sweep that keeps the mark bits breaks it."""
    assert _run(model("garbage", barrier="go", wbbuf=True, cycles=2)) == (
        451, 743, {p: (H, None) for p in P})
    states, trans, res = _run(model("garbage", barrier="go", wbbuf=True, cycles=2, clear_marks=False))
    assert (states, trans) == (312, 488)
    assert res["gc.no_floating_garbage_after_two_cycles"] == (V, 19)
    assert res["gc.no_dangling"] == (H, None)


def test_factories_validate_their_arguments() -> None:
    with pytest.raises(ValueError, match="unknown GC variant 'V12'"):
        variant("V12")
    with pytest.raises(ValueError, match="unknown GC scenario 'nope'"):
        variant("V5", scenario="nope")
    with pytest.raises(TypeError, match="unexpected keyword"):
        variant("V5", colour="red")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unknown GC switch"):
        model("hide", rescan=True)
    with pytest.raises(TypeError, match="unknown GC switch"):
        config_of("V1", stack_rescn=True)
    with pytest.raises(ValueError, match="gc barrier must be one of"):
        GcConfig(barrier="steele")
    with pytest.raises(ValueError, match="gc cycles must be"):
        GcConfig(cycles=0)
    with pytest.raises(ValueError, match="gc fence must be true or false"):
        GcConfig(fence="yes")  # type: ignore[arg-type]


def test_view_carries_colours() -> None:
    m = variant("V3")
    s = m.init_states()[0]
    assert m.view(s)["colour"] == {"B": "white", "W": "white"}
    for a in [("gc", "stw1"), ("gc", "setup"), ("gc", "job", -1)]:
        s = m.next_state(s, a)
    assert m.view(s)["colour"] == {"B": "grey", "W": "white"}


@pytest.mark.parametrize("n", range(12))
def test_spec_files_v0_v11(n: int, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """specs/gc/vN.yaml: every verdict is the expected one (exit 0)."""
    assert main([f"specs/gc/v{n}.yaml", "--json", "--traces", str(tmp_path)]) == 0


# --------------------------------------------------------------------------- z3 barrier proofs


def test_barrier_proof_k2_every_variant() -> None:
    """Safe barriers (V2, V4, V5, V6, V11) are inductive on every heap of up to 2 objects;
    each unsafe one (V0/V9, V1, V3, V7, V8) has a witness that the explicit model confirms."""
    from models.gc.barrier_proof import SAFE, UNSAFE, prove
    rows = prove(k=2, nf=1)
    got = {r["property"]: r["verdict"] for r in rows}
    assert got == {**{f"gc.barrier.{v}": "holds" for v in SAFE}, **{f"gc.barrier.{v}": "violated" for v in UNSAFE}}
    by = {r["property"]: r["reason"] for r in rows}
    assert by["gc.barrier.hybrid"].endswith("8 obligations proved (load, store, stack, alloc, handoff, drain, scan, term)")
    # the smallest V7 witness: an empty heap, a black stack allocating white
    v7 = by["gc.barrier.hybrid_alloc_white"]
    assert "step 'alloc' breaks the invariant: heap (empty); stacks G1(black)" in v7 and "= new(o0)" in v7
    for v in UNSAFE:
        assert "replayed on the explicit model: " in by[f"gc.barrier.{v}"]
        assert "(GC-3)" in by[f"gc.barrier.{v}"]


def test_barrier_proof_replay_rejects_a_non_violation() -> None:
    """The replay is a real check: a step that keeps the invariant is not confirmed."""
    from models.gc.barrier_proof import replay
    w = {"kind": "stack", "colour": [0], "alloc": [True], "fields": [[-1]], "slots": [[0, -1], [-1, -1]],
         "stack_black": [False, False], "g": 0, "peer": 1, "slot": 1, "src": 0, "field": 0, "obj": 0, "nil": False}
    assert replay("hybrid", w) == (False, "invariant still holds")


def test_barrier_proof_spec_bad_args(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "bp.yaml"
    p.write_text("name: x\nkind: gc_proof\nargs: {k: 4, colours: 3}\nproperties: [gc.barrier.go]\n")
    assert main([str(p)]) == 2
    p.write_text("name: x\nkind: gc_proof\nargs: {k: 4}\nproperties: [gc.barrier.steele]\n")
    assert main([str(p)]) == 2


@pytest.mark.slow
def test_barrier_proof_spec_k4() -> None:
    """specs/gc/barrier_proof.yaml (k=4, two fields): every verdict as expected."""
    assert main(["specs/gc/barrier_proof.yaml", "--json"]) == 0


# --------------------------------------------------------------------------- Go programs (models.gc.gomode)


def _spec_json(path: str, tmp_path) -> dict:  # type: ignore[no-untyped-def]
    import contextlib
    import io
    import json
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main([path, "--json", "--traces", str(tmp_path)])
    d = json.loads(buf.getvalue().splitlines()[-1])
    d["exit"] = code
    return d


@pytest.mark.parametrize("name,states,verdict", [
    ("gc_list_rotate_go", 665, "holds"),
    ("gc_list_rotate_none", 274, "violated"),
    ("gc_cache_move_go", 570, "holds"),
    ("gc_cache_move_none", 234, "violated"),
])
def test_go_program_abstract(name: str, states: int, verdict: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """GC-SAFE on real Go programs: the runtime's barrier (GC-6) holds, no barrier (V0) loses an object."""
    d = _spec_json(f"specs/gc/{name}.yaml", tmp_path)
    assert d["exit"] == 0
    assert d["stats"]["states"] == states
    assert d["properties"]["gc.no_dangling"]["verdict"] == verdict
    assert d["properties"]["gc.marking_terminates"]["verdict"] == "holds"


def test_go_program_lost_node_reason(tmp_path) -> None:  # type: ignore[no-untyped-def]
    d = _spec_json("specs/gc/gc_list_rotate_none.yaml", tmp_path)
    assert d["properties"]["gc.no_dangling"]["reason"] == (
        "object #1 (Node{val: 1, next: nil}) was freed by the sweep of cycle 1 (the last step) while reachable "
        "from global head; not shaded because G1: a store into object #2 stored a pointer to it "
        "(there is no write barrier)")


@pytest.mark.slow
@pytest.mark.parametrize("name,states,verdict", [
    ("gc_list_rotate_go_gmp", 6167, "holds"),
    ("gc_list_rotate_none_gmp", 2308, "violated"),
    ("gc_cache_move_go_gmp", 6864, "holds"),
    ("gc_cache_move_none_gmp", 2545, "violated"),
    ("gc_chan_handoff_go", 13011, "holds"),
    ("gc_chan_handoff_none", 4180, "violated"),
])
def test_go_program_gmp_and_handoff(name: str, states: int, verdict: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The same under the G-M-P scheduler, and a pointer handed over an unbuffered channel (GC-14)."""
    d = _spec_json(f"specs/gc/{name}.yaml", tmp_path)
    assert d["exit"] == 0
    assert d["stats"]["states"] == states
    assert d["properties"]["gc.no_dangling"]["verdict"] == verdict


def test_gc_section_rejects_other_properties(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "x.yaml"
    p.write_text("name: x\nsource: |\n  package main\n\n  func main() {}\ngc: {barrier: go}\n"
                 "properties: [gc.strong_tricolor]\n")
    assert main([str(p)]) == 2
    p.write_text("name: x\nsource: |\n  package main\n\n  func main() {}\ngc: {barrier: steele}\n"
                 "properties: [gc.no_dangling]\n")
    assert main([str(p)]) == 2


# --------------------------------------------------------------------------- reference runtime (reference/gc.py)


@pytest.mark.parametrize("v", ["V0", "V7", "V9", "V10"])
def test_reference_unsafe_variant_loses_an_object(v: str) -> None:
    """On real threads the unsafe barrier frees a reachable object within a bounded number of runs."""
    from reference.gc import stress
    runs, lost_at, what = stress(v, 200, seed=0)
    assert lost_at is not None and runs == lost_at
    assert what is not None and ("which a root still reaches" in what or "freed object" in what)


@pytest.mark.parametrize("v", ["V5", "V6"])
def test_reference_safe_variant_runs_clean(v: str) -> None:
    """A safe barrier on real threads: the collector suspends one mutator at a time at a safe point
    to scan its stack (suspendG, SCH-34) and no reachable object is ever freed (GC-SAFE)."""
    from reference.gc import stress
    assert stress(v, 20, seed=0) == (20, None, None)


@pytest.mark.slow
@pytest.mark.parametrize("v", ["V1", "V3", "V8"])
def test_reference_unsafe_variant_loses_an_object_slow(v: str) -> None:
    from reference.gc import stress
    _, lost_at, _ = stress(v, 500, seed=0)
    assert lost_at is not None


@pytest.mark.slow
@pytest.mark.parametrize("v", ["V2", "V4", "V5", "V6", "V11"])
def test_reference_safe_variant_runs_clean_200(v: str) -> None:
    from reference.gc import stress
    assert stress(v, 200, seed=7) == (200, None, None)


def test_html_heap_drawing_per_step(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The HTML page draws the heap with its colours at every step (V3's trace)."""
    import json

    from checker.trace import read_itf
    from checker.view.html import heap_drawing, page_data
    assert main(["specs/gc/v3.yaml", "--json", "--traces", str(tmp_path)]) == 0
    cx = read_itf(str(tmp_path / "gc-v3.gc.no_dangling.itf.json"))
    heaps = page_data(cx)["heaps"]
    assert len(heaps) == 10
    assert heaps[5] == {"nodes": [["B", "black"], ["W", "white"], ["b", "root"], ["G1", "root"]],
                        "edges": [["B", "W"], ["b", "B"], ["G1", "W"]]}
    assert heaps[9]["nodes"][:2] == [["B", "white"], ["W", "freed"]]
    assert heap_drawing({"x": 1}) is None
    json.dumps(heaps)
