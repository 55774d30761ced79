"""``sync/atomic`` operations (MM-18: sequentially consistent, synchronizing).

Each operation is one visible step on the word a `Ref` points at, so it is
never a race candidate (see `models.props.races`).  Arithmetic wraps to 64
bits like the rest of the int model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from models import ir
from models.tx import InternalError, Tx, wrap

__all__ = ["exec_atomic"]


def exec_atomic(t: Tx, gid: int, ins: ir.AtomicOp, s: tuple[Any, ...]) -> None:
    ref = s[ins.ptr]
    old = t.load(ref)
    a = s[ins.a] if ins.a is not None else None
    o = ins.operator
    if o == "load":
        result: Any = old
    elif o == "store":
        t.store(ref, a)
        result = None
    elif o == "add":
        result = wrap(old + a)
        t.store(ref, result)
    elif o == "swap":
        t.store(ref, a)
        result = old
    elif o == "cas":
        result = type(old) is type(a) and old == a
        if result:
            t.store(ref, s[ins.b])  # type: ignore[index]
    else:
        raise InternalError(f"unknown atomic operation {o}")
    t.advance(gid, ((ins.dst, result),) if ins.dst is not None else ())


#: The visible instructions this module executes (`models.interp` builds its table from these).
HANDLERS: dict[type[ir.Instr], Callable[..., None]] = {
    ir.AtomicOp: exec_atomic,
}
