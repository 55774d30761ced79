"""The waits-for graph of a Go state: which goroutine waits on which object,
and which goroutines hold or would serve that object.

This is the Go knowledge behind the deadlock and leak pictures of the viewers
(`checker.view.waits` draws and names the cycle or chain; it knows no Go).
Edges are ``(source, target, label)`` strings:

- ``("G2", "b", "sync.Mutex.Lock")``: G2 is parked in ``b.Lock()``;
- ``("wg", "G3", "would be served by")``: an object whose release the state
  attributes to goroutines.  The state says so for a WaitGroup with a
  positive counter (any live goroutine that does not wait on it may call
  ``Done``, WG-1), an RWMutex whose writer is announced or held (``wgid``,
  RW-1: ``held by`` it, or ``claimed by`` it while it waits for the readers to
  leave), a ``sync.Once`` whose ``f`` runs (the goroutine running it is not
  recorded: every live non-waiter may be it, ONCE-1) and a Cond (its waiters
  are woken by a ``Signal``/``Broadcast`` of any other live goroutine, COND-1).

A ``sync.Mutex`` has no owner in Go (MU-1: any goroutine may unlock it) and
the model keeps none, so its holder is left to the trace (the last goroutine
whose ``Lock`` was not followed by an ``Unlock``).  A channel names no server:
a goroutine parked on it waits for any party that would send, receive or
close, and in a deadlock there is none.
"""

from __future__ import annotations

from models import props
from models.interp import Interpreter
from models.state import DONE, WAIT, Cond, Once, RWMutex, WaitGroup, World

Edge = tuple[str, str, str]


def waits_for(m: Interpreter, w: World) -> list[Edge]:
    """The waits-for edges of `w` (see the module docstring), in goroutine order."""
    names = props.object_names(m, w)
    live = [g.gid for g in w.gs if g.status != DONE]
    edges: list[Edge] = []
    served: dict[int, set[int]] = {}
    for g in w.gs:
        if g.status != WAIT or not g.wait:
            continue
        what = str(g.wait[0])
        arg = g.wait[1] if len(g.wait) > 1 else None
        if what == "syscall":
            edges.append((f"G{g.gid}", f"system call {arg}", "in"))
            continue
        if arg is None or not isinstance(arg, int | tuple):
            edges.append((f"G{g.gid}", what, "blocked in"))
            continue
        objs = arg if isinstance(arg, tuple) else (arg,)
        for o in objs:
            if not isinstance(o, int):
                continue
            edges.append((f"G{g.gid}", names.get(o, f"object {o}"), what))
            served.setdefault(o, set()).add(g.gid)
    for o, waiters in sorted(served.items()):
        ob = w.heap[o] if 0 <= o < len(w.heap) else None
        name = names.get(o, f"object {o}")
        servers: list[int] = []
        rel = ""
        if isinstance(ob, RWMutex) and ob.writer and ob.wgid:
            servers = [ob.wgid]
            rel = "held by" if ob.writer == 2 else "claimed by"
        elif isinstance(ob, WaitGroup | Once | Cond):
            if isinstance(ob, WaitGroup) and ob.counter <= 0:
                continue
            servers = [x for x in live if x not in waiters]  # a waiter cannot serve its own wait
            rel = "would be served by"
        for x in servers:  # an announced writer blocks new readers even while it waits itself
            edges.append((name, f"G{x}", rel))
    return edges

