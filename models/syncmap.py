"""``sync.Map`` (sync/map.go): a map from ``any`` to ``any`` whose methods are
safe for concurrent use.  The model keeps its content as a `MapObj` (sorted
entries, one canonical state per content) and runs each method as one
atomic step (`ir.SyncMap`): Go's implementation takes the map's mutex or
works on an atomically loaded read-only map, so no two calls interleave
observably and none of them is a data race.  ``Range`` is a key snapshot (a
choice of iteration order, as a Go map's) followed by one ``Load`` per key,
exactly the values Go's Range may pass: "Range does not necessarily
correspond to any consistent snapshot of the Map's contents: no key will be
visited more than once, but if the value for any key is stored or deleted
concurrently (including by f), Range may reflect any mapping for that key
from any point during the Range call" (keys stored after the snapshot are
not visited, one of the outcomes that sentence allows).
"""

from __future__ import annotations

from collections.abc import Callable
from math import factorial
from typing import Any, cast

from models import ir
from models.datatypes import MAX_ORDER_KEYS, MapObj
from models.tx import GoPanic, ModelLimitError, Tx

__all__ = ["HANDLERS", "choices", "check_key"]

#: Dynamic types Go cannot hash (runtime/alg.go: "hash of unhashable type").
_UNHASHABLE = ("[]", "map[", "func(")


def check_key(k: Any) -> None:
    """Go panics on a key of an uncomparable dynamic type; a struct (or array)
    held in an interface is compared by value in Go, which the model's
    interface values (a Ref to the interface's copy) do not do: refused as a
    model limit rather than compared by identity."""
    if isinstance(k, ir.Iface):
        if k.type.startswith(_UNHASHABLE):
            raise GoPanic(f"runtime error: hash of unhashable type {k.type}")
        if isinstance(k.value, ir.Ref) and k.value.field is None and not k.type.startswith("*"):
            raise ModelLimitError(f"a sync.Map key of struct or array type {k.type} (compared by value in Go) "
                                  "is outside the model")


def _map(t: Tx, ref: Any) -> tuple[int, MapObj]:
    if not isinstance(ref, ir.Ref):
        raise GoPanic("runtime error: invalid memory address or nil pointer dereference")
    return ref.obj, t.get(ref.obj)


def _sync_map(t: Tx, gid: int, ins: ir.SyncMap, s: tuple[Any, ...], choice: int | None) -> None:
    o, m = _map(t, s[ins.m])
    op = ins.operator
    if op == "keys":
        keys = tuple(k for k, _ in m.entries)
        t.advance(gid, ((ins.dst, ir.permutation(keys, choice or 0) if keys else ()),))
        return
    k = s[cast(int, ins.k)]  # every operator but keys names a key (ir.SyncMap)
    check_key(k)
    v, found = m.get(k)
    if op == "load":
        t.advance(gid, ((ins.dst, v), (ins.ok, found)))
    elif op == "store":
        t.put(o, m.put(k, s[cast(int, ins.v)]))
        t.advance(gid)
    elif op == "loadorstore":
        if not found:
            v = s[cast(int, ins.v)]
            t.put(o, m.put(k, v))
        t.advance(gid, ((ins.dst, v), (ins.ok, found)))
    elif op in ("loadanddelete", "delete"):
        if found:
            t.put(o, m.delete(k))
        t.advance(gid, ((ins.dst, v), (ins.ok, found)))
    else:
        raise AssertionError(op)


def choices(m: Any, w: Any, ins: ir.SyncMap, slots: tuple[Any, ...]) -> list[int | None]:
    """The choices of a Range's key snapshot: one per order of the keys (as `datatypes.choices`)."""
    if ins.operator != "keys":
        return [None]
    ref = slots[ins.m]
    n = len(w.heap[ref.obj].entries) if isinstance(ref, ir.Ref) else 0
    if n < 2 or getattr(m.opts, "map_order", "all") == "canonical":
        return [None]
    if n > MAX_ORDER_KEYS:
        raise ModelLimitError(f"{m.program.where(ins.pos[0])}: Range over a sync.Map of {n} keys has {factorial(n)} "
                              f"orders (more than {MAX_ORDER_KEYS} keys: set runtime.map_order: canonical to check "
                              "one order)")
    return list(range(factorial(n)))


#: Visible handlers ``(tx, gid, ins, slots, choice)``.
HANDLERS: dict[type[ir.Instr], Callable[..., None]] = {ir.SyncMap: _sync_map}
