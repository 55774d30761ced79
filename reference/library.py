"""The reference runtime's standard library beyond sync and channels (the
model's is models/library.py): timers with real deadlines (time/sleep.go:
Stop and Reset report whether the timer was pending; a ticker re-arms; an
AfterFunc starts a goroutine), context deadlines (context.go timerCtx) and
values (valueCtx), formatting and log.Fatal."""

from __future__ import annotations

import time
from typing import Any

from models import ir

from . import objects as o
from .values import format_print, sprintf


class TimerObj(o.Obj):
    """A ``*time.Timer``/``*time.Ticker``: field ``C`` plus the timer's state:
    ``gen`` (bumped by Stop/Reset so a stale heap entry does nothing),
    ``pending``, ``kind`` (``timer``/``ticker``/``afterfunc``) and ``fn``."""

    __slots__ = ("gen", "pending", "tkind", "fn", "period")

    def __init__(self, oid: int, tkind: str, c: Any, fn: Any, period: int):
        super().__init__(oid, "time.Ticker" if tkind == "ticker" else "time.Timer", {"C": c})
        self.gen = 0
        self.pending = False
        self.tkind = tkind
        self.fn = fn
        self.period = period


def timer_make(rt: Any, kind: str, d: int, fn: Any) -> ir.Ref:
    c = rt.new_chan(1, 0) if kind != "afterfunc" else None
    ref = rt.new_obj(lambda oid: TimerObj(oid, kind, c, fn, d))
    arm(rt, rt.heap[ref.obj], d)
    return ref


def arm(rt: Any, tm: TimerObj, d: int) -> None:
    with tm.alock:
        tm.gen += 1
        gen = tm.gen
        tm.pending = True

    def fire(p: Any) -> list:
        with tm.alock:
            if tm.gen != gen or not tm.pending:
                return []
            tm.pending = tm.tkind == "ticker"
        if tm.tkind == "afterfunc":
            g = rt.newproc(None, tm.fn.func, tuple(tm.fn.captures), 0)
            return [g]
        o.chan_send_nb(rt, rt.heap[tm.f["C"].obj], ir.TIME_NOW, p)  # sendTime (a clock reading): never blocks
        if tm.tkind == "ticker":
            arm(rt, tm, tm.period)
        return []

    rt.add_timer(time.monotonic_ns() + max(d, 1), fire)


def timer_stop(rt: Any, tm: TimerObj, reset: int | None) -> bool:
    with tm.alock:
        was = tm.pending
        tm.pending = False
        tm.gen += 1
    if reset is not None:
        tm.period = reset
        arm(rt, tm, reset)
    return was


class ValueContext(o.Context):
    """``context.WithValue``: Done, Err and the children list are the nearest
    cancellable ancestor's (context.go valueCtx, propagateCancel)."""

    __slots__ = ("key", "val", "anc")
    anc: o.Context

    def __init__(self, oid: int, parent: o.Context, key: Any, val: Any):
        anc: o.Context = parent
        while isinstance(anc, ValueContext):
            anc = anc.anc
        super().__init__(oid, anc.done, parent)
        self.key, self.val, self.anc = key, val, anc
        self.done_ref = anc.done_ref
        self.lock = anc.lock
        self.children = anc.children

    @property
    def err(self) -> Any:
        return self.anc.err

    @err.setter
    def err(self, v: Any) -> None:
        pass


def with_value(rt: Any, parent: o.Context, key: Any, val: Any) -> ir.Ref:
    return rt.new_obj(lambda oid: ValueContext(oid, parent, key, val))


def ctx_value(ctx: o.Context, key: Any) -> Any:
    x: Any = ctx
    while x is not None:
        if isinstance(x, ValueContext) and type(x.key) is type(key) and x.key == key:
            return x.val
        x = x.parent
    return None


def cancel(rt: Any, g: Any, ctx: o.Context, reason: str) -> None:
    """cancel(reason): close Done, cancel the children with the same reason."""
    with ctx.lock:
        if ctx.err is not None or ctx.done is None:
            return
        ctx.err = reason
        children = list(ctx.children)
    o.chan_close(rt, g, ctx.done, lambda *a: None)
    for ch in children:
        cancel(rt, g, ch, reason)


def with_deadline(rt: Any, parent: o.Context, d: int) -> ir.Ref:
    ref = rt.with_cancel(parent)
    ctx = rt.heap[ref.obj]
    def fire(p: Any) -> list:
        cancel(rt, None, ctx, "context deadline exceeded")
        return []

    rt.add_timer(time.monotonic_ns() + max(d, 1), fire)
    return ref


def format_values(kind: str, vals: list, raw: list | None = None) -> str:
    """The text of a Sprint*/Errorf/log.Fatal* of operands `vals` as fmt
    shows them; `raw`: the operands themselves (the error ``%w`` wraps)."""
    if kind == "errorf":
        r = vals if raw is None else raw
        return ir.wrap_error(r[0], r[1:], sprintf(str(vals[0]), vals[1:])) if vals else ""
    if kind in ("sprintf", "fatalf"):
        return sprintf(str(vals[0]), vals[1:]) if vals else ""
    if kind == "new":
        return vals[0]
    if kind == "itoa":
        return str(vals[0])
    return format_print("println" if kind in ("sprintln", "fatalln") else "print", vals)
