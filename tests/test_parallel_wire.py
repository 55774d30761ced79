"""The Go model's state codec for the partitioned search (`models.wire`).

The partitions key their tables on a state's bytes and move states as bytes,
so the bytes must be a function of the value: equal in every process (a
cached part, a decoded part, a freshly pickled part: the same bytes), equal
states equal bytes, different states different bytes, and decoding gives
the state back.  The counts, verdicts and counterexample lengths of the
partitioned search with this codec are checked against the single-process
search in tests/test_parallel.py (`test_go_specs_match_single_process`).
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from typing import Any

import pytest

from checker.check import check
from checker.parallel import check_parallel
from models.state import World
from models.wire import WorldCodec
from tests.test_parallel import _outputs_under_hash_seeds, _split, _summary, go_model

#: Specs whose states hold every kind of heap object the codec knows (Data, Chan, Mutex, RWMutex,
#: WaitGroup, Once, Cond, Context, Pipe, MapObj), timers, output, interface values and wrapped errors.
SPECS = ["stdlib_tour", "map_range_order", "ctx_pipeline", "dl_o6_netpoll", "errors_wrap", "syncmap_cache",
         "once_do", "rlock_fixed", "cond_fixed", "dl_o5_sleeper", "chan_of_structs", "iface_method_race"]


def reachable(spec: str, limit: int = 3000) -> tuple[Any, list[World]]:
    """The model of specs/`spec`.yaml and its reachable states in BFS order (at most `limit`)."""
    m = go_model(f"specs/{spec}.yaml")
    init = m.init_states()[0]
    seen, order = {init}, [init]
    i = 0
    while i < len(order) and len(order) < limit:
        s = order[i]
        i += 1
        for a in m.actions(s):
            t = m.next_state(s, a)
            if t not in seen:
                seen.add(t)
                order.append(t)
    return m, order


@pytest.mark.parametrize("spec", SPECS)
def test_codec_is_a_function_of_the_value(spec: str) -> None:
    """Cached, decoded and fresh encodings agree; decoding gives the state back; distinct
    states get distinct bytes."""
    _, states = reachable(spec)
    a = WorldCodec()
    data = [a.encode(w) for w in states]
    assert data == [a.encode(w) for w in states]  # the cached parts give the same bytes
    fresh = WorldCodec()  # no cache: every part pickled from copies that share nothing with the originals
    assert [fresh.encode(pickle.loads(pickle.dumps(w))) for w in states] == data
    b = WorldCodec()
    back = [b.decode(d) for d in data]
    assert back == states
    assert [b.encode(w) for w in back] == data  # decoded parts carry their bytes
    assert [type(x) for w in back for x in w.heap] == [type(x) for w in states for x in w.heap]
    assert len(set(data)) == len(states)


def test_codec_bytes_and_decoding_agree_across_interpreters() -> None:
    """Two fresh interpreters with PYTHONHASHSEED 1 and 2 (so other hash(str) and hash(None))
    write the same bytes for every reachable state of two specs as this process, and decode
    this process's bytes into states that encode back to them."""
    code = "import sys; from tests.test_parallel_wire import digest; sys.stdout.write(digest())"
    assert _outputs_under_hash_seeds(code) == {digest()}


def digest() -> str:
    """sha256 of every reachable state's bytes (and of the bytes of the states decoded from them)."""
    h = hashlib.sha256()
    for spec in ("stdlib_tour", "syncmap_cache"):
        _, states = reachable(spec)
        c, d = WorldCodec(), WorldCodec()
        for w in states:
            b = c.encode(w)
            assert d.encode(d.decode(b)) == b
            h.update(b)
    return h.hexdigest()


def test_partitions_use_the_models_codec() -> None:
    """A Go model's partitions encode with `models.wire` (not the pickle): their table keys
    are the codec's bytes of the states the single-process search finds, each in one partition."""
    factory = functools.partial(go_model, "specs/graceful_shutdown.yaml")
    ps = _split(factory, 3)
    assert all(isinstance(getattr(p.encode, "__self__", None), WorldCodec) for p in ps)
    _, states = reachable("graceful_shutdown")
    keys = [k for p in ps for k in p.keys]
    assert len(keys) == len(states) == 2036
    assert set(keys) == {WorldCodec().encode(w) for w in states}


@pytest.mark.parametrize("spec", ["graceful_shutdown", "syncmap_cache"])
def test_more_go_specs_match_single_process(spec: str) -> None:
    """Counts, verdicts and counterexample lengths as the single-process search (no reduction:
    the partitioned search has none) at 1, 2 and 4 workers."""
    factory = functools.partial(go_model, f"specs/{spec}.yaml")
    single = check(factory(), reduce=False)
    for workers in (1, 2, 4):
        par = check_parallel(factory, workers)
        assert (par.stats.states, par.stats.transitions, par.stats.depth) == \
            (single.stats.states, single.stats.transitions, single.stats.depth)
        assert _summary(par) == _summary(single)
