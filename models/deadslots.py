"""Dead-variable reset: a slot that no later instruction reads is cleared.

SPIN resets dead local variables to their initial values so that states
that differ only in values nobody will look at again are one state.  Here
a frame's slot is dead at its pc when no instruction reachable from that
pc may read it (`models.por.future_reads`, a backward may-read analysis
over the IR's control flow; a frame below the top stands at its `Call`,
whose own reads and everything after count).  Deferred calls keep their
arguments in the frame's ``defers`` and closures their captures, so
clearing a dead slot cannot change what the program does next: only what
a trace shows for a variable that is no longer used (``nil``).

Only scalar values (ints, bools, strings) are cleared: a dead slot that
holds a pointer, a channel or a closure keeps it, because traces and race
explanations name heap objects after the variables that hold them
(`models.props.object_names`).

`clear_dead(interp, w, cache)` returns `w` with every dead scalar slot set
to None; frames are shared between states, so results are cached per frame.
"""

from __future__ import annotations

from typing import Any

from models.por import future_reads
from models.state import Frame, G, World

__all__ = ["clear_dead"]


_SCALARS = (int, str, float)


def clear_frame(interp: Any, fr: Frame) -> Frame:
    live = future_reads(interp, fr.func)[fr.pc]
    slots = fr.slots
    if all(v is None or i in live or not isinstance(v, _SCALARS) for i, v in enumerate(slots)):
        return fr
    return Frame(fr.func, fr.pc, tuple(v if i in live or not isinstance(v, _SCALARS) else None
                                       for i, v in enumerate(slots)), fr.defers)


def clear_dead(interp: Any, w: World, cache: dict[Frame, Frame], parent: World | None = None) -> World:
    """`w` with its dead scalar slots cleared.  `parent`: a state this function returned,
    of which `w` is a successor: a goroutine `w` shares with it (the same object) is
    already clear and is skipped (a step changes one or two goroutines)."""
    gs: list[G] | None = None
    same = parent.gs if parent is not None else ()
    n = len(same)
    for i, g in enumerate(w.gs):
        if i < n and g is same[i]:
            continue
        frames = g.frames
        new: list[Frame] | None = None
        for j, fr in enumerate(frames):
            c = cache.get(fr)
            if c is None:
                if len(cache) > 100_000:
                    cache.clear()
                c = cache[fr] = clear_frame(interp, fr)
            if c is not fr:
                if new is None:
                    new = list(frames)
                new[j] = c
        if new is not None:
            if gs is None:
                gs = list(w.gs)
            gs[i] = g.moved(tuple(new), g.status, g.wait)
    if gs is None:
        return w
    return World(tuple(gs), w.heap, *w.scalars())
