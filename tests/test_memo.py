"""The transition cache (`models.memo`) against the step function it caches.

A cached search must be the uncached search: the same states in the same order, the same counts,
verdicts and counterexamples, on every program spec (reduced and unreduced) and on random programs
with WaitGroups, mutexes, channels, selects and closes.  The cache's own checks (an unrecorded
change, a read off the recorded path) are exercised on a step function that cheats.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from checker.check import check
from gocheck.factory import build_model, select_properties
from gocheck.spec import load_spec, load_spec_text
from models.memo import StepMemo, Tracked, _Record
from models.state import G, Mutex, World
from models.tx import InternalError
from tests.helpers import program_specs

sys.path.insert(0, os.path.dirname(__file__))
from test_chan_races import chan_programs  # noqa: E402
from test_reductions import _spec, wg_programs  # noqa: E402
from test_starvation_mode import mutex_programs  # noqa: E402

#: a bound both searches stop at in the same place (the order is the same): keeps the big specs quick
CAP = 3000


def _pair(spec: Any, **options: Any) -> tuple[Any, Any, Any]:
    """The search with the cache, the search without, and the cached model."""
    out = []
    for memo in (True, False):
        model = build_model(spec)
        model.memo = memo
        props = select_properties(spec, model)
        out.append((check(model, properties=props, max_states=CAP, hunt=False, **options), model))
    return out[0][0], out[1][0], out[0][1]


def _same(a: Any, b: Any) -> None:
    for f in ("states", "transitions", "depth", "complete", "stop_reason", "reduced"):
        assert getattr(a.stats, f) == getattr(b.stats, f), f
    assert {k: (r.verdict.kind, r.verdict.reason, r.path, r.loop) for k, r in a.results.items()} == \
        {k: (r.verdict.kind, r.verdict.reason, r.path, r.loop) for k, r in b.results.items()}
    assert list(a.parent) == list(b.parent) and list(a.taken) == list(b.taken)
    assert list(a.states) == list(b.states)


@pytest.mark.parametrize("path", program_specs(), ids=lambda p: os.path.relpath(p, "specs"))
def test_every_spec_explores_the_same_states(path: str) -> None:
    """Default options (reduction and dead-data reset where the spec allows them): state by state
    equal.  The G-M-P model keeps its own step (it reads the step's events)."""
    spec = load_spec(path)
    a, b, model = _pair(spec, reduce=not any(p.is_liveness for p in build_model(spec).properties()))
    _same(a, b)
    assert model.sched.memo.hits + model.sched.memo.misses > 0 and model.sched.memo.fallbacks == 0


@pytest.mark.parametrize("path", program_specs()[1::3], ids=lambda p: os.path.relpath(p, "specs"))
def test_unreduced_searches_are_the_same(path: str) -> None:
    """Every third spec, unreduced and without the dead-data reset (the benchmark's raw space)."""
    spec = load_spec(path)
    out = []
    for memo in (True, False):
        model = build_model(spec)
        model.memo, model.dead_slots = memo, False
        out.append(check(model, properties=select_properties(spec, model), max_states=CAP, hunt=False, reduce=False))
    _same(*out)


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(wg_programs())
def test_random_waitgroup_programs(src: str) -> None:
    spec = _spec(src)
    _same(*_pair(spec, reduce=False)[:2])
    _same(*_pair(spec, reduce=True)[:2])


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(chan_programs())
def test_random_channel_programs(src: str) -> None:
    _same(*_pair(_spec(src), reduce=False)[:2])


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(mutex_programs())
def test_random_mutex_programs(src: str) -> None:
    """Contended mutexes, nested locks, TryLock, prints: the guarded bit's scans (who stands at a
    Lock, who is parked on a mutex) read through projections (`Tx.sites`)."""
    text = "name: random_mutex\nsource: |\n" + "".join(f"  {line}\n" if line else "\n" for line in src.splitlines()) + \
        "properties: [deadlock_free, panic_free, race_free]\n"
    spec = load_spec_text(text, "random_mutex.yaml")
    _same(*_pair(spec, reduce=False)[:2])


FANOUT = """name: fanout
source: |
  package main

  import "sync"

  func main() {
  \tvar wg sync.WaitGroup
  \tvar mu sync.Mutex
  \ttotal := 0
  \tfor i := 0; i < 4; i++ {
  \t\twg.Add(1)
  \t\tgo func(v int) {
  \t\t\tdefer wg.Done()
  \t\t\tmu.Lock()
  \t\t\ttotal += v
  \t\t\tmu.Unlock()
  \t\t}(i)
  \t}
  \twg.Wait()
  }
properties: [deadlock_free, panic_free, race_free]
"""


def test_fanout_hits() -> None:
    """Issue 13's fan-out, N=4, unreduced: 11,781 transitions of which 435 steps are computed and
    11,346 are reused (a goroutine's step recurs wherever the others stand)."""
    spec = load_spec_text(FANOUT, "fanout.yaml")
    model = build_model(spec)
    model.dead_slots = False
    r = check(model, reduce=False)
    memo = model.sched.memo
    assert (r.stats.states, r.stats.transitions) == (3768, 11781)
    assert (memo.hits, memo.misses) == (11346, 435)


@pytest.mark.parametrize("path", program_specs() + program_specs("gmp"), ids=lambda p: os.path.relpath(p, "specs"))
def test_parking_at_a_lock_looks_at_the_changed_goroutines_only_when_it_may(
        path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`sync.park_blocked` looks at every goroutine only after a step that wrote a Mutex locked or
    a Cond, else at the goroutines the step changed: the same states as looking at every
    goroutine after every step, on every spec under both schedulers, unreduced."""
    from models import sync
    park = sync.park_blocked

    def scan_all(t: Any) -> None:
        t.relock_scan = True
        park(t)

    spec = load_spec(path)
    out = []
    for every in (False, True):
        if every:
            monkeypatch.setattr(sync, "park_blocked", scan_all)
        model = build_model(spec)
        out.append(check(model, properties=select_properties(spec, model), max_states=CAP, hunt=False, reduce=False))
    _same(*out)


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(mutex_programs())
def test_parking_at_a_lock_on_random_mutex_programs(src: str) -> None:
    """The same comparison on random programs contending for two mutexes (nested locks in either
    order, lock loops, TryLock, prints), where a Lock step parks the others."""
    from models import sync
    park = sync.park_blocked

    def scan_all(t: Any) -> None:
        t.relock_scan = True
        park(t)

    text = "name: random_mutex\nsource: |\n" + "".join(f"  {line}\n" if line else "\n" for line in src.splitlines()) + \
        "properties: [deadlock_free, panic_free, race_free]\n"
    spec = load_spec_text(text, "random_mutex.yaml")
    out = []
    for every in (False, True):
        sync.park_blocked = scan_all if every else park
        try:
            model = build_model(spec)
            out.append(check(model, properties=select_properties(spec, model), max_states=CAP, hunt=False,
                             reduce=False))
        finally:
            sync.park_blocked = park
    _same(*out)


def test_a_full_cache_is_emptied_and_the_search_is_the_same() -> None:
    spec = load_spec_text(FANOUT, "fanout.yaml")
    out = []
    for limit in (None, 50):
        model = build_model(spec)
        model.dead_slots = False
        if limit:
            model.sched.memo.limit = limit
        out.append(check(model, reduce=False))
    _same(*out)


#: a step that never recurs: each store of x sees a new x
COUNTER = """name: counter
source: |
  package main

  var x int

  func main() {
  \tfor i := 0; i < 300; i++ {
  \t\tx++
  \t}
  }
properties: [deadlock_free, panic_free]
"""


def test_a_cache_that_rarely_hits_gives_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past `GIVE_UP` misses with fewer hits than misses the cache turns itself off (and frees its
    trie): every step is then the plain step, and the search is the same."""
    from models import memo as memo_mod
    monkeypatch.setattr(memo_mod, "GIVE_UP", 100)
    spec = load_spec_text(COUNTER, "counter.yaml")
    out = []
    for memo in (True, False):
        model = build_model(spec)
        model.memo, model.dead_slots = memo, False
        out.append((check(model, reduce=False), model))
    _same(out[0][0], out[1][0])
    cache = out[0][1].sched.memo
    assert out[0][0].stats.states == out[1][0].stats.states == 902
    assert cache.off and cache.nodes == 0 and not cache.roots and (cache.misses, cache.hits) == (100, 0)


def test_tracked_records_first_reads_only() -> None:
    rec = _Record()
    seq = Tracked(("a", "b", "c"), 1, rec)
    assert seq[1] == "b" and seq[-1] == "c" and seq[1] == "b"
    seq[0] = "z"
    assert seq[0] == "z"  # written before read: not a read of the parent
    seq.append("d")
    assert seq[3] == "d" and len(seq) == 4
    assert rec.reads == [(1, 1, None, "b"), (1, 2, None, "c")]
    assert seq.project(lambda x: x.upper() if x != "b" else None) == [(1, "Z"), (3, "C"), (4, "D")]
    assert rec.reads == [(1, 1, None, "b"), (1, 2, None, "c")]  # 0 written, 1 and 2 read whole already
    rec2 = _Record()
    seq2 = Tracked(("a", "b"), 0, rec2)
    f = str.upper
    seq2.project(f)
    assert rec2.reads == [(0, 0, f, "A"), (0, 1, f, "B")]
    assert list(seq2) == ["a", "b"] and len(rec2.reads) == 4
    with pytest.raises(TypeError):
        hash(seq2)
    with pytest.raises(TypeError):
        seq2 + ("c",)  # type: ignore[operator]
    with pytest.raises(InternalError):
        seq2 == ["a", "b"]  # noqa: B015
    with pytest.raises(InternalError):
        seq2[0:1] = ["x"]


class _Cheat:
    """A step function that reads the parent world behind the views' back."""

    def __init__(self, how: str):
        self.how = how

    def step_tracked(self, w: World, gid: int, choice: Any, gs: Any, heap: Any) -> World:
        me = gs[gid - 1]
        gs.rec.on = False
        if self.how == "unrecorded write":  # changes heap object 0 without the view
            return World(w.gs, (Mutex(locked=not w.heap[0].locked),))
        # the step's value depends on heap object 0, read without recording it
        gs.items[gid - 1] = G(me.gid, me.frames, "run", (), losses=int(w.heap[0].locked))
        gs.written.add(gid - 1)
        return World(tuple(gs.items), w.heap)


def test_the_cache_refuses_an_unrecorded_change() -> None:
    w = World((G(1, ()),), (Mutex(),))
    with pytest.raises(InternalError, match="without a recorded write"):
        StepMemo(_Cheat("unrecorded write")).successor(w, 1, None)


class _Fickle:
    """A step function that is not deterministic: its second run reads another element than the
    first after the same values (what an unrecorded read looks like to the trie)."""

    def __init__(self) -> None:
        self.runs = 0

    def step_tracked(self, w: World, gid: int, choice: Any, gs: Any, heap: Any) -> World:
        self.runs += 1
        gs[0]
        if self.runs == 1:
            heap[0]
        else:
            gs[1]
        gs.rec.on = False
        return w


def test_the_cache_catches_a_read_off_its_path() -> None:
    memo = StepMemo(_Fickle())
    a = World((G(1, ()), G(2, ())), (Mutex(),))
    b = World((G(1, ()), G(2, ())), (Mutex(locked=True),))
    assert memo.successor(a, 1, None) is a and memo.successor(a, 1, None) == a
    assert (memo.hits, memo.misses) == (1, 1)
    with pytest.raises(InternalError, match="read another element"):
        memo.successor(b, 1, None)  # a miss at heap[0]; the new run reads goroutine 2 there


class _Unsupported:
    """A step that uses the goroutines in a way the views do not support (a whole comparison)."""

    def __init__(self) -> None:
        self.plain = 0

    def step_tracked(self, w: World, gid: int, choice: Any, gs: Any, heap: Any) -> World:
        if gs == list(w.gs):
            return w
        raise AssertionError("unreachable")

    def step(self, w: World, gid: int, choice: Any) -> Any:
        self.plain += 1
        return type("S", (), {"world": w})


def test_a_step_the_views_cannot_run_is_run_plain_and_not_cached() -> None:
    interp = _Unsupported()
    memo = StepMemo(interp)
    w = World((G(1, ()),), (Mutex(),))
    assert memo.successor(w, 1, None) is w and memo.successor(w, 1, None) is w
    assert (memo.fallbacks, interp.plain, memo.nodes, memo.hits) == (2, 2, 0, 0)


@pytest.mark.parametrize("first", [200, 300, 70_000], ids=["crossing", "two-byte-keys", "four-byte-keys"])
def test_wide_keys(first: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Part numbers past 253 (two bytes a number) and past 65,535 (four): the packed successors
    are the keys `pack` gives, with the cache and without.  The codec starts numbering at
    `first`: from 300 on every key is wide; from 200 the search numbers its 254th part midway,
    so steps lead from one-byte keys to two-byte ones (314 of the 3,768 states keep every
    number below 254)."""
    from checker.store import CompactCodec
    init = CompactCodec.__init__

    def wide(self: Any, split: Any, join: Any) -> None:
        init(self, split, join)
        self.parts.extend(("filler", k) for k in range(first))

    monkeypatch.setattr(CompactCodec, "__init__", wide)
    spec = load_spec_text(FANOUT, "fanout.yaml")
    out = []
    for memo in (True, False):
        model = build_model(spec)
        model.memo, model.dead_slots = memo, False
        out.append(check(model, reduce=False))
    _same(*out)
    narrow = sum(1 for k in out[0].states.keys if k[0] < 254)
    assert out[0].stats.states == 3768 and narrow == (314 if first == 200 else 0)



def test_states_pickle_without_their_cached_hash() -> None:
    """The cache hashes the goroutines and objects it keeps; a state pickled afterwards (the
    partitioned search, Ray) must not carry those hashes, salted in this process, into another:
    the bytes are the same hashed or not, and an unpickled part computes its hash afresh.  (On
    Python 3.11.2 `dataclass(slots=True)` replaced the classes' own pickling: models.state
    installs it after the classes are made.)"""
    import pickle

    from models.state import Chan, Data, Frame
    fresh = World((G(1, (Frame("main", 3, (1, "x")),)),), (Data(((0, 1),)), Chan(1, (2,)), Mutex()))
    before = pickle.dumps(fresh)
    hashed = World((G(1, (Frame("main", 3, (1, "x")),)),), (Data(((0, 1),)), Chan(1, (2,)), Mutex()))
    hash(hashed), hash(hashed.gs[0]), hash(hashed.gs[0].frames[0]), hash(hashed.heap[0]), hash(hashed.heap[1])
    assert pickle.dumps(hashed) == before
    back = pickle.loads(before)
    assert back == fresh and back.gs[0]._hash == 0 and back._hash == 0 and hash(back) == hash(fresh)
    assert World.__getstate__ is World._pickled and G.__setstate__ is G._unpickled
