"""``sync/atomic`` operations (MM-18: sequentially consistent, synchronizing).

Each operation is one visible step on the word a `Ref` points at, so it is
never a race candidate (see `models.props.races`).  Arithmetic wraps to 64
bits like the rest of the int model, except the typed ``atomic.Int32`` and
``Uint32`` (32 bits) and the unsigned ``Uint32``/``Uint64``; ``atomic.Value``
panics as sync/atomic/value.go does on nil and on a change of dynamic type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from models import ir
from models.state import Data
from models.tx import GoPanic, InternalError, Tx, wrap

__all__ = ["exec_atomic"]


#: Typed atomics whose arithmetic wraps at 32 bits, and the unsigned ones (sync/atomic/type.go).
_BITS32 = ("atomic.Int32", "atomic.Uint32")
_UNSIGNED = ("atomic.Uint32", "atomic.Uint64")
_VERB = {"store": "store", "swap": "swap", "cas": "compare and swap"}


def _sized(kind: str, v: int) -> int:
    """`v` as a value of the typed atomic `kind` (Int32/Uint32 wrap at 32 bits, Uint* are unsigned)."""
    bits = 32 if kind in _BITS32 else 64
    v &= (1 << bits) - 1
    if kind not in _UNSIGNED and v >> (bits - 1):
        v -= 1 << bits
    return v


def _check_value(old: Any, new: Any, o: str) -> None:
    """atomic.Value's panics (sync/atomic/value.go): storing nil, or a value of
    another dynamic type than the first one stored."""
    if new is None:
        raise GoPanic(f"sync/atomic: {_VERB[o]} of nil value into Value")
    if isinstance(old, ir.Iface) and isinstance(new, ir.Iface) and old.type != new.type:
        raise GoPanic(f"sync/atomic: {_VERB[o]} of inconsistently typed value into Value")


def exec_atomic(t: Tx, gid: int, ins: ir.AtomicOp, s: tuple[Any, ...]) -> None:
    ref = s[ins.ptr]
    old = t.load(ref)
    a = s[ins.a] if ins.a is not None else None
    o = ins.operator
    obj = t.get(ref.obj)
    kind = obj.type if isinstance(obj, Data) else ""
    if kind == "atomic.Value" and o in _VERB:
        if o == "cas" and a is not None and isinstance(old, ir.Iface) and isinstance(a, ir.Iface) \
                and old.type != a.type:
            raise GoPanic("sync/atomic: compare and swap of inconsistently typed values")
        _check_value(old, s[cast(int, ins.b)] if o == "cas" else a, o)
    if o == "load":
        result: Any = old
    elif o == "store":
        t.store(ref, a)
        result = None
    elif o == "add":
        result = _sized(kind, old + a) if kind.startswith("atomic.") and kind != "atomic.Bool" else wrap(old + a)
        t.store(ref, result)
    elif o == "swap":
        t.store(ref, a)
        result = old
    elif o == "cas":
        result = type(old) is type(a) and old == a
        if result:
            t.store(ref, s[cast(int, ins.b)])  # cas has its new value in b (ir.AtomicOp)
    else:
        raise InternalError(f"unknown atomic operation {o}")
    t.advance(gid, ((ins.dst, result),) if ins.dst is not None else ())


#: The visible instructions this module executes (`models.interp` builds its table from these).
HANDLERS: dict[type[ir.Instr], Callable[..., None]] = {
    ir.AtomicOp: exec_atomic,
}
