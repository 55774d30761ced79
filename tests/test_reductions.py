"""Reductions against full exploration on random WaitGroup/Mutex programs.

`models.por` lets a WaitGroup Add/Done commute with the Adds of goroutines
outside the persistent set when the counter can neither go negative nor
reach zero early (`_Ctx.add_only`), and lets a goroutine parked in Wait
ignore such steps.  Those arguments are about counter arithmetic, so these
programs stress them: random Add/Done/Wait placement (with misuse: extra
Done, Add racing Wait, Wait inside goroutines, loops of Done), mutexes and
a shared variable.  Every program is explored with and without reduction
(both provisos): same safety verdicts, same final states and outputs, and
every counterexample found under reduction replays on the full model.
"""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gocheck.spec import load_spec_text

sys.path.insert(0, os.path.dirname(__file__))
from test_por import differential  # noqa: E402

OPS = ["wg.Add(1)", "wg.Done()", "wg.Done()", "wg.Wait()", "mu.Lock()\n\t\tx++\n\t\tmu.Unlock()", "x = {k}",
       "r = x", "mu.Lock()", "mu.Unlock()", "for i := 0; i < 2; i++ {{\n\t\t\twg.Done()\n\t\t}}", "ch <- {k}", "<-ch"]


@st.composite
def wg_programs(draw: st.DrawFn) -> str:
    ngo = draw(st.integers(1, 3))
    gos = []
    for _ in range(ngo):
        body = []
        if draw(st.booleans()):
            body.append("defer wg.Done()")
        for _ in range(draw(st.integers(0, 3))):
            body.append(draw(st.sampled_from(OPS)).format(k=draw(st.integers(1, 2))))
        gos.append("\tgo func() {\n" + "".join(f"\t\t{s}\n" for s in body) + "\t}()\n")
    adds = draw(st.integers(0, 3))
    pre = f"\twg.Add({adds})\n" if adds else ""
    tail = draw(st.sampled_from(["\twg.Wait()\n", "\twg.Wait()\n\tmu.Lock()\n\tr = x\n\tmu.Unlock()\n", "",
                                 "\twg.Add(1)\n\twg.Wait()\n", "\twg.Done()\n\twg.Wait()\n"]))
    return ("package main\n\nimport \"sync\"\n\nvar x, r int\nvar ch = make(chan int, 1)\nvar mu sync.Mutex\n"
            f"var wg sync.WaitGroup\n\nfunc main() {{\n{pre}{''.join(gos)}{tail}}}\n")


def _spec(src: str):
    text = "name: random_wg\nsource: |\n" + "".join(f"  {line}\n" if line else "\n" for line in src.splitlines()) + \
        "properties: [deadlock_free, panic_free, race_free]\n"
    return load_spec_text(text, "random_wg.yaml")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wg_programs())
def test_random_waitgroup_programs_agree(src: str) -> None:
    spec = _spec(src)
    differential(spec)
    differential(spec, "depth")


# --------------------------------------------------------------------------- dead-variable reset

def _program_specs() -> list[str]:
    from test_por import ALL
    return ALL


def _finals(model, result) -> set:
    from test_por import _final_globals
    return _final_globals(model, result)


#: Programs that allocate in an endless loop: finite only because garbage is freed (models/heapgc.py).
UNBOUNDED_RAW = {"heap_churn.yaml"}


@pytest.mark.parametrize("path", _program_specs(), ids=os.path.basename)
def test_dead_slot_reset_preserves_everything(path: str) -> None:
    """`models.deadslots` against the raw states: every verdict (liveness too), the final
    states, the terminal outputs, and counterexamples that replay on the raw model."""
    from checker.check import check
    from checker.model import evaluate
    from checker.trace import replay
    from gocheck.factory import build_model
    from gocheck.spec import load_spec
    spec = load_spec(path)
    raw, dead = build_model(spec), build_model(spec)
    raw.dead_slots = False
    assert dead.dead_slots
    if os.path.basename(path) in UNBOUNDED_RAW:
        r_raw, r_dead = check(raw, max_states=5_000), check(dead, max_states=400_000)
        assert r_dead.stats.complete and not r_raw.stats.complete
        return
    r_raw, r_dead = check(raw, max_states=400_000), check(dead, max_states=400_000)
    assert r_raw.stats.complete and r_dead.stats.complete
    assert {k: v.verdict.kind for k, v in r_raw.results.items()} == {k: v.verdict.kind for k, v in r_dead.results.items()}
    assert r_dead.stats.states <= r_raw.stats.states
    assert _finals(raw, r_raw) == _finals(dead, r_dead)
    assert ({("".join(s.output), s.panic) for s in r_raw.states if not raw.actions(s)}
            == {("".join(s.output), s.panic) for s in r_dead.states if not dead.actions(s)})
    for pr in r_dead.results.values():
        if pr.verdict.kind == "violated" and pr.path is not None and pr.loop is None:
            states, _ = replay(raw, pr.path)
            if pr.prop.kind == "always":
                assert evaluate(pr.prop.cond, states[-1]) is not None
            elif pr.prop.kind == "deadlock":
                assert not raw.actions(states[-1]) and evaluate(pr.prop.cond, states[-1]) is not None


def test_g_moved_keeps_every_other_field() -> None:
    """`G.moved` (the interpreter's fast copy) against dataclasses.replace, field by field:
    a field added to G and forgotten there fails here."""
    import dataclasses

    from models.state import RUN, WAIT, Frame, G
    g = G(3, (Frame("f", 1, (1,)),), RUN, (), losses=2, awoke=True, unwind=1, panicking="boom")
    fr = (Frame("f", 2, (5,)),)
    for new, old in ((g.moved(fr, WAIT, ("x",)), dataclasses.replace(g, frames=fr, status=WAIT, wait=("x",))),
                     (g.moved(fr, RUN, (), 0), dataclasses.replace(g, frames=fr, status=RUN, wait=(), unwind=0))):
        assert [getattr(new, f.name) for f in dataclasses.fields(G)] == [getattr(old, f.name) for f in dataclasses.fields(G)]


# --------------------------------------------------------------------------- the fingerprint store

FP_SPECS = ["counter_mutex", "racy_counter", "abba_deadlock", "double_close", "worker_pool"]


@pytest.mark.parametrize("name", FP_SPECS)
def test_fingerprint_store_agrees_with_the_exact_table(name: str) -> None:
    """Hash compaction on small spaces: the same states and safety verdicts as the exact table
    (a collision among a few hundred 64-bit fingerprints is not expected), a `holds` that says
    it is probabilistic, liveness `unknown`, and counterexamples that replay."""
    from checker.check import check
    from checker.model import evaluate
    from checker.trace import replay
    from gocheck.factory import build_model
    from gocheck.spec import load_spec
    spec = load_spec(os.path.join(os.path.dirname(__file__), "..", "specs", name + ".yaml"))
    exact = check(build_model(spec))
    model = build_model(spec)
    fp = check(model, fingerprints=True)
    assert fp.stats.store == "fingerprints" and exact.stats.store == "exact"
    assert fp.stats.states == exact.stats.states and fp.stats.transitions == exact.stats.transitions
    assert 0 < fp.stats.omission_probability < 1e-12
    for k, r in fp.results.items():
        e = exact.results[k]
        if r.prop.is_liveness:
            assert r.verdict.kind == "unknown" and "fingerprint" in r.verdict.reason
        else:
            assert r.verdict.kind == e.verdict.kind
            if r.verdict.kind == "holds":
                assert r.verdict.reason.startswith("hash compaction: P(a state was missed) <= ")
            if r.verdict.kind == "violated":
                assert r.path == e.path
                states, _ = replay(model, r.path)
                if r.prop.kind == "always":
                    assert evaluate(r.prop.cond, states[-1]) is not None


def test_fingerprint_store_table() -> None:
    """The open-addressing table: growth segment by segment, deletion inside a cluster,
    membership.  Past a few states a segment, every segment is 64% to 80% used (10 to 12.5
    bytes a state); no growth copies more than one segment."""
    from checker.store import SEEN, FingerprintStore
    st = FingerprintStore(capacity=4)
    assert st.slots() == 256 * 8
    biggest = 0
    for i in range(20_000):
        assert st.setdefault(("s", i), i) == i
        biggest = max(biggest, max(len(t) for t in st.segs))
    assert len(st) == 20_000 and 10.0 <= st.bytes_per_state() <= 12.5
    assert biggest < 20_000 / 256 * 2  # no segment ever held more than twice its share
    used = [(sum(1 for v in t if v), len(t)) for t in st.segs]
    assert all(5 * u <= 4 * n + 5 for u, n in used)  # at most 80% full
    assert all(100 * u >= 63 * n for u, n in used)  # at least 64% full (after its last growth)
    assert all(st.setdefault(("s", i), -1) == SEEN for i in range(20_000))
    assert st.setdefault(("s", -1), 7) == 7 and len(st) == 20_001
    for i in range(0, 20_000, 3):
        del st[("s", i)]
    assert all((("s", i) in st) == (i % 3 != 0) for i in range(20_000))
    assert len(st) == 13_334 and st.omission_probability() == 13_334 * 13_333 / 2 / 2.0 ** 64


# --------------------------------------------------------------------------- the defaults of `check`

def test_reductions_are_on_by_default_where_sound_and_switch_off() -> None:
    """A safety-only spec is checked with partial-order reduction, dead-variable reset and without
    Mutex starvation mode, the mutex as a guarded bit; a spec with liveness properties without reduction and with the mode;
    --no-por, --no-dead-reset and --mutex-starvation true give the raw space;
    --fingerprints reports its omission probability (issue 13's fan-out, N=3)."""
    from gocheck.pipeline import Options, check_spec
    from gocheck.spec import load_spec_text
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "benchmarks"))
    from perf_programs import spec_text
    safety = load_spec_text(spec_text("fanout", 3), "fanout.yaml")
    live = load_spec_text(spec_text("fanout", 3).replace("race_free]", "race_free, terminates]"), "fanout.yaml")
    quiet = dict(traces="none", progress=False)
    default = check_spec(safety, Options(**quiet))
    assert default.stats["por"] and default.stats["states"] == 74
    exact = check_spec(safety, Options(mutex_starvation="true", **quiet))  # starvation mode modelled
    assert exact.stats["por"] and exact.stats["states"] == 146
    raw = check_spec(safety, Options(no_por=True, no_dead_reset=True, mutex_starvation="true", **quiet))
    assert not raw.stats["por"] and raw.stats["states"] == 1237
    assert check_spec(safety, Options(no_por=True, no_dead_reset=True, **quiet)).stats["states"] == 589
    # starvation mode left out, the FIFO queue kept
    plain = Options(no_por=True, no_dead_reset=True, mutex_starvation="false", **quiet)
    assert check_spec(safety, plain).stats["states"] == 1072
    with_live = check_spec(live, Options(**quiet))
    assert not with_live.stats["por"] and with_live.stats["states"] == 1037
    assert {r["property"]: r["verdict"] for r in with_live.rows}["terminates"] == "holds"
    fp = check_spec(safety, Options(fingerprints=True, **quiet))
    assert fp.stats["store"] == "fingerprints" and 0 < fp.stats["omission_probability"] < 1e-12
    assert all(r["verdict"] == "holds" and r["reason"].startswith("hash compaction") for r in fp.rows)


def test_future_reads_knows_every_instruction() -> None:
    """Dead-variable reset and the POR footprint read `future_reads`; an instruction it does not
    know makes it answer "all live" (safe, but no reduction): keep `_KNOWN` complete."""
    from models import ir, por
    assert set(ir.INSTRUCTIONS) == set(por._KNOWN)


IGNORING = """package main

import "runtime"

func main() {
	go func() {
		for {
			runtime.Gosched()
		}
	}()
	panic("boom")
}
"""


def test_the_acyclic_proviso_breaks_every_cycle_of_reduced_states(monkeypatch) -> None:
    """The ignoring problem (C3): the spinning goroutine's steps commute with everything, so each
    state of its loop is reduced to them alone and main's panic is postponed round the cycle for
    ever.  The proviso "acyclic" (checker/explore.py) finds that cycle once the frontier is empty,
    expands a state of it fully, and the panic is found; with the check switched off it is missed."""
    import checker.reduce as reduce
    from checker.check import check
    from gocheck.factory import build_model
    from gocheck.spec import load_spec_text

    spec = load_spec_text("name: t\nsource: |\n" + "".join("  " + ln + "\n" for ln in IGNORING.splitlines())
                          + "properties: [panic_free]\n", "t.yaml")
    r = check(build_model(spec), reduce=True)
    assert r.stats.complete and r["panic_free"].verdict.kind == "violated"
    assert r["panic_free"].verdict.reason.startswith("panic: boom")
    assert (r.stats.states, r.stats.reduced) == (6, 2)
    for proviso in ("depth", "visited"):
        assert check(build_model(spec), reduce=True, proviso=proviso)["panic_free"].verdict.kind == "violated"
    monkeypatch.setattr(reduce, "cycle_breakers", lambda *a: [])
    missed = check(build_model(spec), reduce=True)
    assert missed["panic_free"].verdict.kind == "holds"  # what C3 is for


def test_cycle_breakers_finds_the_cycles_of_reduced_states_only() -> None:
    from checker.reduce import cycle_breakers
    depth = [0, 1, 2, 3, 4]
    assert cycle_breakers([1, 1, 1], [0, 1], [1, 2], depth) == []                 # a path
    assert cycle_breakers([1, 1, 1], [0, 1, 2], [1, 2, 0], depth) == [2]          # 2 -> 0 goes back up
    assert cycle_breakers([1, 0, 1], [0, 1, 2], [1, 2, 0], depth) == []           # 1 is fully expanded
    assert cycle_breakers([1] * 5, [0, 1, 2, 2, 3], [1, 2, 0, 3, 4], depth) == [2]  # 3 and 4 hang off it
    assert cycle_breakers([1, 1], [1], [1], depth) == [1]                         # a self-loop


def _dict_breakers(reduced, src, dst, depth):  # type: ignore[no-untyped-def]
    """The first implementation of `cycle_breakers` (dicts of lists), kept as the oracle of the
    array one: the same peel from both ends, the same answer."""
    edges = [(a, b) for a, b in zip(src, dst) if reduced[a] and reduced[b]]
    succ: dict[int, list[int]] = {}
    pred: dict[int, list[int]] = {}
    for a, b in edges:
        succ.setdefault(a, []).append(b)
        pred.setdefault(b, []).append(a)
    alive = set(succ) | set(pred)
    for nxt, prv in ((succ, pred), (pred, succ)):
        deg = {x: sum(1 for y in prv.get(x, ()) if y in alive) for x in alive}
        todo = [x for x, n in deg.items() if n == 0]
        while todo:
            x = todo.pop()
            alive.discard(x)
            for y in nxt.get(x, ()):
                if y in alive:
                    deg[y] -= 1
                    if deg[y] == 0:
                        todo.append(y)
    return sorted({a for a, b in edges if a in alive and b in alive and depth[b] <= depth[a]})


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 12).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 1), min_size=n, max_size=n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n),
    st.lists(st.integers(0, 5), min_size=n, max_size=n))))
def test_cycle_breakers_agree_with_the_dict_version(case) -> None:  # type: ignore[no-untyped-def]
    """Random graphs (duplicate edges, self-loops, unreduced states): the array implementation
    returns what the dict one did."""
    from checker.reduce import cycle_breakers
    reduced, edges, depth = case
    src, dst = [a for a, _ in edges], [b for _, b in edges]
    assert cycle_breakers(reduced, src, dst, depth) == _dict_breakers(reduced, src, dst, depth)
