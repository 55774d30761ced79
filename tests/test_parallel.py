"""The partitioned search (checker.parallel) against the single-process one.

For every model and worker count: the same state and transition counts, the
same verdicts, counterexamples of the same length that replay on the
single-process model and end where the property fails; liveness (decided
on the gathered graph) gives the very same counterexamples.  Bounds,
Ctrl-C, a dead worker and a partition's memory limit end ``unknown``,
never ``holds``.  Swarm mode: only ``violated``/``unknown`` for invariants,
and every path replays.
"""

from __future__ import annotations

import functools
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from checker.check import check
from checker.examples import Peterson, PhilFlat, Philosophers, SpinLoop, Starver
from checker.model import Property, evaluate
from checker.parallel import check_parallel, run_parallel, swarm
from checker.parallel.codec import make_encoder, owner
from checker.results import Result
from checker.trace import replay

ROOT = Path(__file__).resolve().parent.parent


def go_model(path: str) -> Any:
    """A Go spec's model, built the way the CLI builds it (a picklable factory)."""
    from gocheck.factory import build_model
    from gocheck.spec import load_spec
    return build_model(load_spec(str(ROOT / path)))


def steps(path: tuple[int, ...] | None) -> int:
    """The number of actions on a counterexample path (it must exist)."""
    assert path is not None
    return len(path) - 1


def _summary(r: Result) -> dict[str, tuple[str, int | None]]:
    return {k: (v.verdict.kind, None if v.path is None else len(v.path)) for k, v in r.results.items()}


def assert_same(model: Any, single: Result, par: Result) -> None:
    """Counts, verdicts and counterexample lengths as the single-process search;
    every counterexample replays and ends where its property fails."""
    assert (par.stats.states, par.stats.transitions, par.stats.depth) == \
        (single.stats.states, single.stats.transitions, single.stats.depth)
    assert par.stats.complete == single.stats.complete
    assert _summary(par) == _summary(single)
    for name, pr in par.results.items():
        if pr.path is None:
            continue
        states, _ = replay(model, pr.path)
        p = pr.prop
        if p.kind in ("always", "sometimes", "deadlock"):
            assert p.cond is not None
            fails = evaluate(p.cond, states[-1]) is not None
            assert fails == (p.kind != "sometimes"), name
            if p.kind == "deadlock":
                assert not model.actions(states[-1]), name
        else:  # liveness: decided on the gathered graph, numbered as the single search numbers it
            assert (pr.path, pr.loop, pr.verdict) == (single[name].path, single[name].loop, single[name].verdict)


EXAMPLES: dict[str, tuple[Callable[[], Any], int, int]] = {
    "phil_flat4_deadlock": (functools.partial(PhilFlat, 4, True), 256, 664),
    "phil_flat5": (functools.partial(PhilFlat, 5), 819, 2517),
    "philosophers4": (functools.partial(Philosophers, 4), 34, 88),
    "philosophers4_ordered": (functools.partial(Philosophers, 4, True), 29, 72),
    "peterson": (Peterson, 26, 44),
    "peterson_buggy": (functools.partial(Peterson, True), 50, 94),
    "spinloop": (SpinLoop, 3, 3),
    "starver": (Starver, 7, 10),
}


@pytest.mark.parametrize("workers", [1, 2, 4])
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_examples_match_single_process(name: str, workers: int) -> None:
    factory, states, transitions = EXAMPLES[name]
    model = factory()
    single = check(model)
    par = check_parallel(factory, workers)
    assert (par.stats.states, par.stats.transitions) == (states, transitions)
    assert_same(model, single, par)


GO_SPECS = ["specs/abba_deadlock.yaml", "specs/racy_counter.yaml", "specs/wg_misuse.yaml",
            "specs/mutex_starvation.yaml", "specs/ctx_pipeline_leak.yaml", "specs/cond_lost_wakeup.yaml",
            "specs/steal_buggy.yaml"]


@pytest.mark.parametrize("spec", GO_SPECS)
def test_go_specs_match_single_process(spec: str) -> None:
    """Go models (World states of frozen dataclasses): 1, 2 and 4 workers."""
    factory = functools.partial(go_model, spec)
    model = factory()
    single = check(model)
    for workers in (1, 2, 4):
        par = check_parallel(factory, workers, model=model)
        assert_same(model, single, par)


def test_pinned_go_counts() -> None:
    """abba_deadlock (DL-1 oracle): 106 states, 204 transitions (the WaitGroup release is a step of
    its own, WG-2); the deadlock trace has 8 steps."""
    factory = functools.partial(go_model, "specs/abba_deadlock.yaml")
    r = check_parallel(factory, 2)
    assert (r.stats.states, r.stats.transitions) == (106, 204)
    assert r["deadlock_free"].verdict.kind == "violated"
    assert steps(r["deadlock_free"].path) == steps(check(factory())["deadlock_free"].path) == 8


def test_properties_subset_and_order() -> None:
    factory = functools.partial(PhilFlat, 4, True)
    r = check_parallel(factory, 2, properties=["deadlock_free", "assertion"])
    assert list(r.results) == ["deadlock_free", "assertion"]
    assert r["assertion"].verdict.kind == "holds"


# ------------------------------------------------------------------ bounds: never holds


def test_max_states_is_unknown_never_holds() -> None:
    r = check_parallel(functools.partial(PhilFlat, 6), 2, max_states=500)
    assert not r.stats.complete and r.stats.stop_reason == "max_states 500 reached"
    assert 500 <= r.stats.states < 3277
    assert r["assertion"].verdict.kind == "unknown"
    assert r["deadlock_free"].verdict.kind == "unknown"


def test_max_depth_is_unknown() -> None:
    r = check_parallel(functools.partial(PhilFlat, 5), 2, max_depth=3)
    assert r.stats.stop_reason == "max_depth 3 reached"
    assert r.stats.depth == 3
    assert {v.verdict.kind for v in r.results.values()} <= {"unknown", "holds"}
    assert r["assertion"].verdict.kind == "unknown"
    assert r["someone eats"].verdict.kind == "holds"  # a witness at depth 3 is a proof


def test_timeout_is_unknown() -> None:
    r = check_parallel(functools.partial(PhilFlat, 8), 2, timeout_s=1e-9)
    assert r.stats.stop_reason.startswith("timeout")
    assert r["assertion"].verdict.kind == "unknown"


def test_liveness_needs_the_whole_graph() -> None:
    """Past the gather limit liveness is unknown; safety is still decided."""
    r = check_parallel(Peterson, 2, gather_limit=10)
    assert r["p0 enters"].verdict == r["p0 enters"].verdict.__class__(
        "unknown", "liveness needs the whole state graph on one machine: 26 states exceed the gather limit of 10")
    assert r["mutex"].verdict.kind == "holds"


def test_stop_early() -> None:
    r = check_parallel(functools.partial(Peterson, True), 2, properties=["mutex"], stop_early=True)
    assert r["mutex"].verdict.kind == "violated" and steps(r["mutex"].path) == 6
    assert r.stats.stop_reason == "stopped early: every safety property is decided"


@dataclass(frozen=True)
class _Interrupting:
    """PhilFlat that sends one SIGINT (a Ctrl-C) to the coordinator at a depth-6
    state (the first worker to create `flag` sends it: a second would abort)."""

    pid: int
    flag: str

    def __getattr__(self, name: str) -> Any:
        return getattr(PhilFlat(6), name)

    def next_state(self, s: Any, a: Any) -> Any:
        t = PhilFlat(6).next_state(s, a)
        if t[0] == (3, 0, 3, 0, 0, 0):
            try:
                os.close(os.open(self.flag, os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                return t
            os.kill(self.pid, signal.SIGINT)
        return t


def test_ctrl_c_stops_cleanly_with_unknown(tmp_path: Path) -> None:
    r = check_parallel(functools.partial(_Interrupting, os.getpid(), str(tmp_path / "sent")), 2, batch=50)
    assert r.stats.stop_reason == "interrupted"
    assert r["assertion"].verdict.kind == "unknown"
    assert r["someone eats"].verdict.kind == "holds"  # found before the Ctrl-C, with its path
    assert r["someone eats"].path is not None


@dataclass(frozen=True)
class _Dying:
    """A model whose worker process dies (as if killed by the OOM killer) at one state."""

    def __getattr__(self, name: str) -> Any:
        return getattr(PhilFlat(5), name)

    def next_state(self, s: Any, a: Any) -> Any:
        t = PhilFlat(5).next_state(s, a)
        if t[0] == (1, 1, 1, 1, 0):
            os._exit(9)
        return t


def test_dead_worker_is_unknown() -> None:
    r = check_parallel(_Dying, 2)
    assert r.stats.stop_reason.startswith("partition") and "died" in r.stats.stop_reason
    assert r["assertion"].verdict.kind == "unknown"
    assert r["deadlock_free"].verdict.kind == "unknown"


def test_memory_limit_per_partition() -> None:
    """PhilFlat(8)'s table counts 7.45 MB in one partition (~12 MB resident),
    1.9 MB in each of four (~3.5 MB resident): with a limit of 6 MB per
    partition one cannot hold it, four can."""
    factory = functools.partial(PhilFlat, 8)
    one = run_parallel(factory, 1, memory_limit_mb=6)
    assert one.result["assertion"].verdict.kind == "unknown"
    assert "exceeded its memory limit of 6 MB" in one.result.stats.stop_reason
    four = run_parallel(factory, 4, memory_limit_mb=6)
    assert four.result.stats.complete
    assert (four.result.stats.states, four.result.stats.transitions) == (52429, 263324)
    assert four.result["assertion"].verdict.kind == "holds"
    assert all(max(p["grown_mb"], p["table_mb"]) <= 6 for p in four.partitions)
    assert sum(p["states"] for p in four.partitions) == 52429
    assert all(p["states"] > 52429 // 8 for p in four.partitions)  # the fingerprints spread the states


def test_encoding_is_canonical() -> None:
    """Equal states share or copy their parts: same bytes, same owner (in any process)."""
    enc = make_encoder()
    a = (tuple([1, 2]), tuple([1, 2]), "x" * 3)
    shared = (1, 2)
    b = (shared, shared, "".join(["x", "xx"]))
    assert a == b and enc(a) == enc(b)
    assert owner(enc(a), 4) == owner(enc(b), 4)


def _outputs_under_hash_seeds(code: str) -> set[str]:
    """What `code` writes to stdout in two fresh interpreters with PYTHONHASHSEED 1 and 2."""
    import subprocess
    import sys
    outs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        outs.add(subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout)
    return outs


def test_fingerprints_agree_across_interpreters() -> None:
    """Another interpreter, another PYTHONHASHSEED (so another hash(None) and
    hash(str)): the same bytes, so the same owner, for a Go world state."""
    code = ("import sys; from tests.test_parallel import go_model; from checker.parallel.codec import make_encoder; "
            "m = go_model('specs/abba_deadlock.yaml'); s = m.init_states()[0]; "
            "t = m.next_state(s, m.actions(s)[0]); sys.stdout.write(make_encoder()(t).hex())")
    outs = _outputs_under_hash_seeds(code)
    m = go_model("specs/abba_deadlock.yaml")
    s = m.init_states()[0]
    assert outs == {make_encoder()(m.next_state(s, m.actions(s)[0])).hex()}


# ------------------------------------------------------------------ swarm


def test_swarm_finds_violations_and_never_proves_invariants() -> None:
    factory = functools.partial(PhilFlat, 5, True)
    model = factory()
    r = swarm(factory, 3, seed=7, workers=2)
    assert r["assertion"].verdict.kind == "unknown"
    assert r["deadlock_free"].verdict.kind == "violated"
    assert r["someone eats"].verdict.kind == "holds"  # a witness path, replayed below
    path = r["deadlock_free"].path
    assert path is not None
    states, _ = replay(model, path)
    assert not model.actions(states[-1])
    witness = r["someone eats"].path
    assert witness is not None
    states, _ = replay(model, witness)
    assert states[-1][2] > 0
    assert steps(path) >= steps(check(model)["deadlock_free"].path)  # BFS: the shortest
    assert not r.stats.complete and r.stats.strategy == "swarm"
    again = swarm(factory, 3, seed=7, workers=2)
    assert again["deadlock_free"].path == r["deadlock_free"].path  # seeded: repeatable
    assert (again.stats.states, again.stats.transitions) == (r.stats.states, r.stats.transitions)


def test_swarm_liveness_and_holds_are_unknown() -> None:
    r = swarm(Peterson, 2, workers=2, properties=[p.name for p in Peterson().properties()])
    assert r["mutex"].verdict.kind == "unknown"
    assert r["p0 enters"].verdict.kind == "unknown"
    assert r["p0 enters"].verdict.reason == "swarm mode checks safety properties only"


def test_swarm_bounds() -> None:
    r = swarm(functools.partial(PhilFlat, 8, True), 2, workers=2, max_states=100,
              properties=["deadlock_free"])
    assert r.stats.states <= 200
    assert r["deadlock_free"].verdict.kind in ("unknown", "violated")


# ------------------------------------------------------------------ Ray


def _has_ray() -> bool:
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not _has_ray(), reason="ray is not installed (pip install 'gocheck[distributed]')")
def test_ray_local_cluster_partitions_exceed_one_actors_memory() -> None:
    """A local Ray with 4 partition actors: same counts, verdicts and trace
    lengths as the single process (PhilFlat, a liveness example, a Go
    spec); PhilFlat(8) does not fit one actor's 6 MB limit but fits four
    of them."""
    import ray

    from checker.parallel.ray_backend import connect
    assert connect("local", 4)
    try:
        factory = functools.partial(PhilFlat, 5, True)
        model = factory()
        single = check(model)
        par = check_parallel(factory, 4, ray="auto")
        assert_same(model, single, par)
        live = check_parallel(Starver, 2, ray="auto")  # liveness on the gathered graph
        assert_same(Starver(), check(Starver()), live)
        # a Go model in actors started apart from this process: its codec (models.wire) gives the
        # same bytes there; its leak property is decided on the graph gathered with that decoder
        go = functools.partial(go_model, "specs/ctx_pipeline_leak.yaml")
        assert_same(go(), check(go()), check_parallel(go, 3, ray="auto"))
        big = functools.partial(PhilFlat, 8)
        one = run_parallel(big, 1, ray="auto", memory_limit_mb=6)
        assert one.result["assertion"].verdict.kind == "unknown"
        assert "exceeded its memory limit of 6 MB" in one.result.stats.stop_reason
        four = run_parallel(big, 4, ray="auto", memory_limit_mb=6)
        assert four.result.stats.complete
        assert (four.result.stats.states, four.result.stats.transitions) == (52429, 263324)
        assert four.result["assertion"].verdict.kind == "holds"
        assert all(max(p["grown_mb"], p["table_mb"]) <= 6 for p in four.partitions)
    finally:
        ray.shutdown()


def test_property_lists_are_names() -> None:
    """Properties hold lambdas: the partitions get names and pick their own."""
    props = [Property.always("small", lambda s: True)]
    with pytest.raises(ValueError, match="no property 'small'"):
        check_parallel(Peterson, 1, properties=props)


# ------------------------------------------------------------------ the command line


def _cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    import json

    from gocheck.cli import main
    code = main([*argv, "--json", "--traces", "none"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("spec", ["specs/abba_deadlock.yaml", "specs/mutex_starvation.yaml"])
def test_cli_workers_match_single_process(capsys: pytest.CaptureFixture[str], spec: str) -> None:
    code1, one = _cli_json(capsys, str(ROOT / spec))
    code2, two = _cli_json(capsys, str(ROOT / spec), "--workers", "2")
    assert code1 == code2 == 0
    assert {k: one["stats"][k] for k in ("states", "transitions", "depth")} == \
        {k: two["stats"][k] for k in ("states", "transitions", "depth")}
    for name, p in one["properties"].items():
        q = two["properties"][name]
        assert (q["verdict"], q["reason"]) == (p["verdict"], p["reason"])
        assert (q["path"] or "").count("/") == (p["path"] or "").count("/")


def test_cli_swarm_and_bad_combinations(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _cli_json(capsys, str(ROOT / "specs/abba_deadlock.yaml"), "--swarm", "2")
    assert code == 3  # expected holds/violated that the swarm cannot decide: inconclusive
    assert out["properties"]["deadlock_free"]["verdict"] == "violated"
    assert {p["verdict"] for p in out["properties"].values()} == {"violated", "unknown"}
    from gocheck.cli import main
    with pytest.raises(SystemExit) as e:
        main([str(ROOT / "specs/abba_deadlock.yaml"), "--workers", "2", "--por"])
    assert e.value.code == 2
    assert "take neither --por nor --strategy" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main([str(ROOT / "specs/abba_deadlock.yaml"), "--worker-memory", "100"])
    assert e.value.code == 2


# ------------------------------------------------------------------ partition keys


@dataclass(frozen=True, slots=True)
class PhilFlatCRC(PhilFlat):
    """PhilFlat without its partition key: owners by the CRC of the whole state."""

    partition_key = None  # type: ignore[assignment]


def _split(factory: Callable[[], Any], parts: int) -> list[Any]:
    """The partitions' search in this process, round by round (no workers)."""
    from checker.parallel.partition import Partition
    ps = [Partition(factory, k, parts) for k in range(parts)]
    for p in ps:
        p.init()
    advance = True
    while True:
        outs = [p.expand(1000, advance, []) for p in ps]
        for j, p in enumerate(ps):
            p.receive([outs[i][j] for i in range(parts)])
        advance = not any(p.pos < len(p.cur) for p in ps)
        if advance and not any(p.next for p in ps):
            return ps


def test_partition_key_owns_every_state_and_moves_fewer() -> None:
    """PhilFlat's `partition_key` (4 of 8 counters): every stored state
    is in partition ``key % n`` and only there; the counts equal the CRC
    owner's and the single-process search's, and fewer states move."""
    from checker.parallel.codec import decode
    model = PhilFlat(8, True)
    keyed, crc = _split(functools.partial(PhilFlat, 8, True), 2), _split(functools.partial(PhilFlatCRC, 8, True), 2)
    for p in keyed:
        assert all(model.partition_key(decode(k)) % 2 == p.me for k in p.keys)
    assert [len(p.keys) for p in keyed] == [32972, 32564]  # balanced within 1%
    assert [len(p.keys) for p in crc] == [32775, 32761]
    assert sum(p.sent for p in keyed) == 65725 and sum(p.sent for p in crc) == 125531
    assert sum(p.transitions for p in keyed) == sum(p.transitions for p in crc) == 340784
    single = check(model)
    r = check_parallel(functools.partial(PhilFlat, 8, True), 2)
    assert (r.stats.states, r.stats.transitions, r.stats.depth) == (65536, 340784, single.stats.depth)
    assert (single.stats.states, single.stats.transitions) == (65536, 340784)
    assert _summary(r) == _summary(single)


def test_partition_key_agrees_across_interpreters() -> None:
    """``hash`` of a tuple of ints is not keyed per process (unlike str and
    bytes): two interpreters with different PYTHONHASHSEED give PhilFlat
    states the same partition key."""
    code = ("import sys; from checker.examples import PhilFlat; m = PhilFlat(10, True); s = m.init_states()[0]; "
            "ks = [m.partition_key(m.next_state(s, a)) for a in m.actions(s)]; sys.stdout.write(repr(ks))")
    outs = _outputs_under_hash_seeds(code)
    m = PhilFlat(10, True)
    s = m.init_states()[0]
    assert outs == {repr([m.partition_key(m.next_state(s, a)) for a in m.actions(s)])}


@dataclass(frozen=True, slots=True)
class PhilFlatStrKey(PhilFlat):
    def partition_key(self, s: tuple) -> Any:
        return str(s[0][0])  # a str hashes differently in every process: refused


def test_partition_key_must_be_an_int() -> None:
    from checker.parallel.partition import Partition
    with pytest.raises(TypeError, match="partition_key must return an int, not str"):
        Partition(functools.partial(PhilFlatStrKey, 4), 0, 2).init()
