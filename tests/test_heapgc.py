"""models/heapgc.py: unreachable objects are freed and the rest renumbered in order,
with every id in the state rewritten; a program that allocates in an endless loop
has a finite state space (GC-1: only reachability decides what is freed)."""

from __future__ import annotations

import pytest

from checker.check import check
from gocheck.factory import build_model
from models import heapgc, ir
from models.datatypes import MapObj
from models.state import Chan, Cond, Context, Data, Frame, G, Mutex, World
from tests.helpers import spec


def _world() -> World:
    """Object 0 is a global; 1 and 3 are garbage (3 reaches 1, nothing reaches 3); 2, 4..9 are
    live through every kind of holder: a slot, a wait reason, a timer, a context, a cond, a map
    key, a slice, a closure capture, an interface value and a deferred call."""
    heap = (
        Data(((0, ir.Ref(2)),), "int"),                    # 0: global -> 2
        Data(((0, 1),), "int"),                            # 1: garbage
        Chan(1, buf=(ir.Ref(4),)),                         # 2: channel buffering a pointer to 4
        Data(((0, ir.Ref(1)),), "T"),                      # 3: garbage (points at 1)
        Data((("f", ir.Slice(5, 0, 1, 1)),), "T"),         # 4: -> slice backed by 5
        Data(((0, 7),), "array"),                          # 5: array
        Mutex(),                                           # 6: waited on by G2
        Chan(0),                                           # 7: a timer's channel
        Context(None, 7, children=(9,)),                   # 8: context with child 9
        Context(8, 7),                                     # 9: child context
    )
    g1 = G(1, (Frame("main", 0, (ir.Ref(8), ir.Closure("f", (ir.Iface("T", ir.Ref(2)),))),
                     ((("g", None, (ir.Ref(9, 0),)),))),))
    g2 = G(2, (Frame("h", 1, (None,)),), status="wait", wait=("sync.Mutex.Lock", 6))
    return World((g1, g2), heap, timers=(("after", 7), ("sleep", 2)))


def test_live_objects_follow_every_holder() -> None:
    w = _world()
    assert heapgc.live_objects([0], w.gs, w.heap, w.timers) == {0, 2, 4, 5, 6, 7, 8, 9}


def test_collect_renumbers_every_id_in_order() -> None:
    w = heapgc.collect([0], _world())
    # old -> new: 0->0, 2->1, 4->2, 5->3, 6->4, 7->5, 8->6, 9->7
    assert len(w.heap) == 8
    assert w.heap[0] == Data(((0, ir.Ref(1)),), "int")
    assert w.heap[1] == Chan(1, buf=(ir.Ref(2),))
    assert w.heap[2] == Data((("f", ir.Slice(3, 0, 1, 1)),), "T")
    assert w.heap[6] == Context(None, 5, children=(7,))
    assert w.heap[7] == Context(6, 5)
    g1, g2 = w.gs
    assert g1.frames[0].slots == (ir.Ref(6), ir.Closure("f", (ir.Iface("T", ir.Ref(1)),)))
    assert g1.frames[0].defers == (("g", None, (ir.Ref(7, 0),)),)
    assert g2.wait == ("sync.Mutex.Lock", 4) and g2.status == "wait"
    assert w.timers == (("after", 5), ("sleep", 2))  # a sleeping goroutine's id is not an object id


def test_collect_keeps_a_state_without_garbage_and_cuts_a_tail() -> None:
    w = World((G(1, (Frame("main", 0, (ir.Ref(0),)),)),), (Data(((0, 1),)), Data(((0, 2),))))
    assert heapgc.collect([], w).heap == (Data(((0, 1),)),)
    w2 = World(w.gs, w.heap[:1])
    assert heapgc.collect([], w2) is w2


def test_map_keys_and_cond_lockers_are_renumbered() -> None:
    heap = (Data(((0, 0),)), MapObj(((ir.Ref(3), 1), (ir.Ref(4), 2))), Mutex(), Mutex(), Mutex(),
            Cond(ir.Ref(4)))
    w = World((G(1, (Frame("main", 0, (ir.Ref(1), ir.Ref(5))),)),), heap)
    out = heapgc.collect([], w)  # 0 and 2 are garbage: 1, 3, 4, 5 become 0, 1, 2, 3
    assert out.heap == (MapObj(((ir.Ref(1), 1), (ir.Ref(2), 2))), Mutex(), Mutex(), Cond(ir.Ref(2)))
    assert out.gs[0].frames[0].slots == (ir.Ref(0), ir.Ref(3))


def test_an_unknown_wait_reason_is_an_internal_error_not_a_wrong_state() -> None:
    w = World((G(1, (Frame("main", 0, (ir.Ref(1),)),), status="wait", wait=("new wait", 1)),),
              (Data(((0, 0),)), Mutex()))
    w = World(w.gs, (Data(((0, 0),)),) + w.heap)  # garbage at 0 forces renumbering
    with pytest.raises(TypeError, match="unknown wait reason"):
        heapgc.collect([], w)


def test_may_free_sees_a_lost_reference_and_nothing_else() -> None:
    w = World((G(1, (Frame("main", 0, (ir.Ref(0), 5)),)),), (Data(((0, 1),)),))
    same_refs = World((G(1, (Frame("main", 1, (ir.Ref(0), 6)),)),), w.heap)
    lost = World((G(1, (Frame("main", 1, (None, 6)),)),), w.heap)
    grown = World(w.gs, w.heap + (Data(((0, 2),)),))
    assert not heapgc.may_free(w, same_refs)
    assert heapgc.may_free(w, lost) and heapgc.may_free(w, grown)


def test_an_endless_allocating_loop_has_a_finite_space() -> None:
    """specs/heap_churn.yaml: a request struct and a reply channel per iteration, for ever."""
    model = build_model(spec("heap_churn"))
    r = check(model)
    assert r.stats.complete and r.stats.states == 53
    assert {k: v.verdict.kind for k, v in r.results.items()} == {
        "deadlock_free": "holds", "panic_free": "holds", "race_free": "holds"}
    raw = build_model(spec("heap_churn"))
    raw.dead_slots = False
    r2 = check(raw, max_states=3000)
    assert not r2.stats.complete and {v.verdict.kind for v in r2.results.values()} == {"unknown"}
