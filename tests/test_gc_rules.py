"""The collector's rules (docs/go-semantics.md section 5), each checked on every reachable state or
edge of the explicit model, with exact counts."""

from __future__ import annotations

from checker.check import check
from models.gc.collector import barrier_shades
from models.gc.heap import BLACK, DONE, GREY, LIVE, MARK, OFF, RAGGED, STW1, STW2, UNALLOC, WHITE
from models.gc.variants import variant
from tests.helpers import edges


def test_gc1_gc2_gc3_colours_and_the_two_invariants() -> None:
    """GC-1: every allocated object is white, grey or black, and only allocated objects have a colour
    that matters; GC-2: Yuasa without stack scanning first (V3) breaks the strong invariant (a black
    object points to a white one); GC-3: the hybrid barrier (V5) breaks the strong invariant but
    keeps the modified weak one (every white object a black one points to is grey-protected)."""
    v3 = check(variant("V3"))
    assert v3["gc.strong_tricolor"].verdict.reason == "black B.f points to white W (GC-2)"
    assert v3["gc.weak_tricolor"].verdict.kind == "violated"
    v5 = check(variant("V5"))
    assert (v5["gc.strong_tricolor"].verdict.kind, v5["gc.weak_tricolor"].verdict.kind) == ("violated", "holds")
    assert v5.stats.states == 3774
    assert all(c in (WHITE, GREY, BLACK) for s in v5.states for c in s.colour)


def test_gc4_gc5_barrier_shading_table() -> None:
    """GC-4 (Dijkstra shades the new pointer, Yuasa the old one) and GC-5 (the hybrid barrier shades
    the old pointer always and the new one while the writer's stack is grey; Go shades both)."""
    old, new = 3, 7
    table = {(b, g): barrier_shades(b, old, new, g) for b in ("none", "dijkstra", "yuasa", "hybrid", "go")
             for g in (False, True)}
    assert table == {("none", False): (), ("none", True): (), ("dijkstra", False): (7,), ("dijkstra", True): (7,),
                     ("yuasa", False): (3,), ("yuasa", True): (3,), ("hybrid", False): (3,),
                     ("hybrid", True): (3, 7), ("go", False): (3, 7), ("go", True): (3, 7)}
    assert barrier_shades("go", -1, -1, True) == ()  # nil is never shaded


def test_gc8_barrier_is_on_in_every_p_before_anything_is_blackened() -> None:
    """GC-8: mark setup turns the write barrier on in every P inside the STW, so no state in the mark
    phase has a P without it (V5); with the fence off (V9) the others follow later, and a state
    exists where marking runs while some P has no barrier."""
    def holes(v: str) -> int:
        return sum(1 for s, _, _ in edges(variant(v)) if s.phase in (MARK, RAGGED) and not all(s.barrier))
    assert holes("V5") == 0
    assert holes("V9") > 0


def test_gc9_a_cycle_moves_through_its_phases_in_order() -> None:
    """GC-9: off -> sweep termination (STW) -> mark -> mark done (ragged barrier) -> mark termination
    (STW) -> sweep/off: every phase change along every edge of V6 is one of these."""
    moves = {(s.phase, t.phase) for s, _, t in edges(variant("V6")) if s.phase != t.phase}
    allowed = {(OFF, STW1), (STW1, MARK), (MARK, RAGGED), (RAGGED, MARK), (RAGGED, STW2), (STW2, MARK),
               (STW2, DONE), (STW2, OFF), (DONE, OFF)}
    assert moves <= allowed and (OFF, STW1) in moves and (STW1, MARK) in moves


def test_gc9_4_no_reachable_object_is_white_at_mark_termination() -> None:
    """GC-9.4: when mark termination finishes (the sweep may start), every object reachable from a
    root is black for every safe variant: the sweep frees only white objects, so GC-SAFE follows."""
    from models.gc.heap import reachable

    ends = {}
    for v in ("V2", "V4", "V5", "V6", "V11"):
        m = variant(v)
        bad = ends[v] = 0
        for s, _, t in edges(m):
            if s.phase == STW2 and t.phase != STW2 and t.phase != MARK:
                live = reachable(s, m.gnames, m.snames)
                bad += sum(1 for o in live if s.colour[o] != BLACK)
                ends[v] += 1
        assert bad == 0, v
    assert all(n > 0 for n in ends.values()), ends


def test_gc9_6_the_sweep_frees_exactly_the_white_objects() -> None:
    """GC-9 step 6 (sweep: the mark bits become the alloc bits) and GC-9.6 (objects allocated after
    mark termination are in swept spans): in every sweep step of V6 on the garbage scenario (two
    cycles) every freed object was white and every white allocated object is freed."""
    sweeps = 0
    for s, _, t in edges(variant("V6", scenario="garbage", cycles=2)):
        freed = {o for o, (a, b) in enumerate(zip(s.alloc, t.alloc)) if a == LIVE and b != LIVE}
        if freed:
            sweeps += 1
            assert freed == {o for o, a in enumerate(s.alloc) if a == LIVE and s.colour[o] == WHITE}
    assert sweeps == 10


def test_gc10_gc11_scanned_stacks_stay_black_and_new_objects_are_black() -> None:
    """GC-10: a goroutine's stack, once scanned in a cycle, stays black until the cycle ends;
    GC-11: during marking an object is allocated black (V5), white only in V7."""
    m = variant("V5")
    for s, _, t in edges(m):
        if t.cycle == s.cycle and t.phase != OFF:
            assert all(t.stack_black[g] for g in range(len(s.stack_black)) if s.stack_black[g])
    alloc = variant("V7", scenario="alloc")
    born_white = born_black = 0
    for model, v in ((variant("V5", scenario="alloc"), "black"), (alloc, "white")):
        for s, _, t in edges(model):
            for o, (a, b) in enumerate(zip(s.alloc, t.alloc)):
                if a == UNALLOC and b == LIVE and s.marking:
                    if v == "black":
                        assert t.colour[o] == BLACK
                        born_black += 1
                    else:
                        assert t.colour[o] == WHITE
                        born_white += 1
    assert born_black > 0 and born_white > 0
