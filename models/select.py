"""``select`` (SEL-1..SEL-8, ``runtime/select.go: selectgo``).

Go picks uniformly at random among the ready cases (SEL-2); a model
checker turns that randomness into nondeterminism, so every ready case is
its own choice (its own action).  ``default`` is a choice only when no
case is ready.  A send case on a closed channel counts as ready and panics
when chosen (SEL-5), so ``select { case c <- 1: case <-d: }`` with ``c``
closed and ``d`` holding a value can panic or receive (docs/go-semantics.md 7).
Nil channels are never ready (SEL-3); with no ready case and no default the
goroutine parks on every channel of the select at once (SEL-6) and the
first partner to complete one case removes the others (SEL-7).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from models import ir
from models.chan import try_recv, try_send
from models.state import Chan
from models.tx import Tx

__all__ = ["select_choices", "exec_select", "case_ready", "forget_unsynced"]


def case_ready(heap: Any, case: ir.SelectCase, slots: tuple[Any, ...]) -> bool:
    """SEL-5 pass 1: can this case proceed now?"""
    ref = slots[case.ch]
    if ref is None:
        return False
    ch: Chan = heap[ref.obj]
    if case.kind == "send":
        return ch.closed or bool(ch.recvq) or len(ch.buf) < ch.cap
    return bool(ch.sendq) or bool(ch.buf) or ch.closed


def select_choices(heap: Any, ins: ir.Select, slots: tuple[Any, ...]) -> list[int | None]:
    """The choices of a select: every ready case; else -1 (default); else None (park)."""
    ready: list[int | None] = [i for i, c in enumerate(ins.cases) if case_ready(heap, c, slots)]
    if ready:
        return ready
    return [-1] if ins.has_default else [None]


def forget_unsynced(t: Tx, gid: int, ins: ir.Select, choice: int | None) -> None:
    """Before `gid` runs select `ins` with `choice`: a select that takes its
    default acquires nothing (``selectgo``'s pass 1 only reads its send cases,
    RD-5), anything else (a case, or parking until a partner completes one)
    may acquire, so the `models.chan.note_unsynced` records of reads `gid`
    never acquired go."""
    if choice is None:
        choice = select_choices(t.heap, ins, t.g(gid).frames[-1].slots)[0]
    if choice != -1:
        t.unsynced = tuple(e for e in t.unsynced if e[2] != gid)


def exec_select(t: Tx, gid: int, ins: ir.Select, s: tuple[Any, ...], choice: int | None) -> None:
    """Run case `choice` (it must be ready), the default (-1), or park (None)."""
    if choice is None:
        choices = select_choices(t.heap, ins, s)
        if choices != [None]:
            # A plain step of a select that can proceed: the scheduler asked
            # without a choice; take the first (only used by replays of ("step", g)).
            choice = choices[0]
    if choice == -1:
        t.advance(gid, ((ins.dst, -1),))
        return
    if choice is not None:
        case = ins.cases[choice]
        c = s[case.ch].obj
        if case.kind == "send":
            assert case.val is not None  # a send case has a value slot (ir.SelectCase)
            ok = try_send(t, c, s[case.val])
            assert ok, "select case was not ready"
            t.advance(gid, ((ins.dst, choice),))
        else:
            r = try_recv(t, c)
            assert r is not None, "select case was not ready"
            v, ok2 = r
            t.advance(gid, ((ins.dst, choice), (case.val, v if ok2 else case.zero), (case.ok, ok2)))
        return
    chans: list[int] = []
    for i, case in enumerate(ins.cases):
        ref = s[case.ch]
        if ref is None:
            continue
        ch: Chan = t.get(ref.obj)
        if case.kind == "send":
            t.put(ref.obj, replace(ch, sendq=ch.sendq + ((gid, i),)))
        else:
            t.put(ref.obj, replace(ch, recvq=ch.recvq + ((gid, i),)))
        if ref.obj not in chans:
            chans.append(ref.obj)
    if chans:
        t.park(gid, ("select", tuple(chans)))
    else:
        t.park(gid, ("select (no cases)",))


#: The visible instructions this module executes (`models.interp` builds its table from these).
HANDLERS: dict[type[ir.Instr], Callable[..., None]] = {
    ir.Select: exec_select,
}
