"""The standard library beyond sync and channels: timers (``time.NewTimer``,
``NewTicker``, ``Tick``, ``AfterFunc``, ``Stop``, ``Reset``), context
deadlines and values, ``math/rand`` choices, formatting (``fmt.Sprintf``,
``Errorf``, ``errors.New``, ``strconv.Itoa``) and ``log.Fatal``.

Time is abstract (as for ``time.Sleep`` and ``time.After``): a pending timer
is an environment event ``(kind, object)`` in ``World.timers`` that may fire
at any point, in any order with every other step, unless stopped first
(``runtime.timers: never`` keeps them from firing), except for the order Go
guarantees with one P (``runtime.timers: ordered``, `models.timeorder`,
TM-1..TM-6): a timer set later than an earlier, shorter one that holds it
back waits for it.  So every outcome Go can show for some durations is
explored, and with several Ps (or ``timers: any``) some outcomes that
particular durations would rule out (a 1 ms timer firing after a 1 h one)
are too.

Timer kinds (time/sleep.go, time/tick.go, context/context.go):

- ``timer``: fires once; sends on ``C`` (capacity 1) without blocking
  (``sendTime``: a full buffer drops the value).
- ``ticker``: like ``timer`` but pending again after each fire (a full
  buffer drops the tick).
- ``afterfunc``: fires once by starting a goroutine running ``f``.
- ``deadline``: a ``context.WithTimeout``/``WithDeadline`` context's timer:
  fires by cancelling it with "context deadline exceeded".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from models import chan, datatypes, ir
from models.state import Chan, Context, Data, G
from models.tx import GoPanic, ModelLimitError, Tx, fmt_value, printf

if TYPE_CHECKING:
    from models.interp import Interpreter

__all__ = ["HANDLERS", "LOCAL", "TIMER_KINDS", "fire", "choices", "format_values"]

TIMER_KINDS = ("timer", "ticker", "afterfunc", "deadline")
_TYPE = {"timer": "time.Timer", "ticker": "time.Ticker", "afterfunc": "time.Timer"}


# ---------------------------------------------------------------------------- timers


def _timer_make(t: Tx, gid: int, ins: ir.TimerMake, s: tuple[Any, ...], choice: int | None) -> None:
    if ins.kind == "afterfunc":
        f = s[ins.f] if ins.f is not None else None
        if not isinstance(f, ir.Closure):
            raise GoPanic("runtime error: invalid memory address or nil pointer dereference")
        obj = t.alloc(Data((("C", None), ("f", f)), "time.Timer"))
    else:
        c = t.alloc(Chan(1))
        obj = t.alloc(Data((("C", ir.Ref(c)),), _TYPE[ins.kind]))
    t.set_timer(ins.kind, obj, s[ins.d], gid)
    t.advance(gid, ((ins.dst, ir.Ref(obj)),))


def _kind_of(t: Tx, obj: int) -> str:
    d: Data = t.get(obj)
    if d.type == "time.Ticker":
        return "ticker"
    return "afterfunc" if dict(d.fields).get("f") is not None else "timer"


def _timer_stop(t: Tx, gid: int, ins: ir.TimerStop, s: tuple[Any, ...], choice: int | None) -> None:
    ref = s[ins.timer]
    if not isinstance(ref, ir.Ref):
        raise GoPanic("runtime error: invalid memory address or nil pointer dereference")
    kind = _kind_of(t, ref.obj)
    pending = (kind, ref.obj) in t.timers
    if pending:
        t.unset_timer((kind, ref.obj))
    if ins.reset is not None:  # a new deadline read now (a ticker's period too: TM-5)
        t.set_timer(kind, ref.obj, s[ins.reset], gid)
    t.advance(gid, ((ins.dst, pending),) if ins.dst is not None else ())


def fire(m: Interpreter, t: Tx, kind: str, obj: int, period: int | None = None) -> None:
    """Timer `(kind, obj)` fires (it was removed from the pending timers).  A
    ticker is set again at once (``runOneTimer``): its next deadline is at
    most `period` after this firing (TM-5), so it holds back only sleeps
    that start later (`models.timeorder`)."""
    if kind == "deadline":
        m.cancel(t, ir.Ref(obj), "context deadline exceeded")
        return
    d: Data = t.get(obj)
    fields = dict(d.fields)
    if kind == "afterfunc":
        f: ir.Closure = fields["f"]
        gid = len(t.gs) + 1
        t.gs.append(G(gid, (m.frame(m.funcs[f.func], f.captures, ()),)))
        return
    c = fields["C"]
    if not t.get(c.obj).closed:
        chan.try_send(t, c.obj, ir.TIME_NOW)  # a clock reading; sendTime: never blocks; a full buffer drops it
    if kind == "ticker":
        t.set_timer(kind, obj, period, 0, rearm=True)


# ---------------------------------------------------------------------------- rand


def choices(m: Interpreter, ins: ir.Choose, slots: tuple[Any, ...]) -> list[int | None]:
    """The values `Choose` may take: all of ``0 .. n-1``; [None] (the step
    then panics, or stops at the bound) when n <= 0 or n > runtime.rand_values."""
    n = slots[ins.n]
    if not isinstance(n, int) or n <= 0 or n > m.opts.rand_values:
        return [None]
    return list(range(n))


def _choose(t: Tx, gid: int, ins: ir.Choose, s: tuple[Any, ...], choice: int | None) -> None:
    if choice is None:
        n = s[ins.n]
        if n <= 0:
            raise GoPanic(f"invalid argument to {ins.what.split('.')[-1]}")
        raise ModelLimitError(f"{t.m.program.where(ins.pos[0])}: {ins.what}({n}) has {n} values, more than the bound "
                              f"runtime.rand_values={t.m.opts.rand_values} (raise it to explore them all)")
    t.advance(gid, ((ins.dst, choice),))


# ---------------------------------------------------------------------------- context


def _with_deadline(t: Tx, gid: int, ins: ir.WithDeadline, s: tuple[Any, ...], choice: int | None) -> None:
    ref = t.m.with_cancel(t, s[ins.parent])
    if not t.get(ref.obj).cancelled:
        # WithTimeout's duration is known; WithDeadline's time.Time is abstract.  Its firing cancels
        # through a goroutine of its own (an AfterFunc: TM-6), so it never holds another timer back.
        t.set_timer("deadline", ref.obj, s[ins.d] if ins.timeout else None, gid)
    t.advance(gid, ((ins.dst, ref),))


def _with_value(t: Tx, ins: ir.WithValue, slots: list[Any]) -> None:
    parent = slots[ins.parent]
    pobj = parent.obj if isinstance(parent, ir.Ref) else None
    done = -1
    x = pobj
    while x is not None:  # the nearest cancellable ancestor's Done
        c: Context = t.get(x)
        if not c.kv:
            done = c.done
            break
        x = c.parent
    slots[ins.dst] = ir.Ref(t.alloc(Context(pobj, done, kv=(slots[ins.key], slots[ins.val]))))


def _ctx_value(t: Tx, ins: ir.CtxValue, slots: list[Any]) -> None:
    key = slots[ins.key]
    x = slots[ins.ctx]
    val = None
    while isinstance(x, ir.Ref):
        c: Context = t.get(x.obj)
        if c.kv and type(c.kv[0]) is type(key) and c.kv[0] == key:
            val = c.kv[1]
            break
        x = ir.Ref(c.parent) if c.parent is not None else None
    slots[ins.dst] = val


# ---------------------------------------------------------------------------- formatting and exit


def format_values(kind: str, args: list[Any], raw: list[Any] | None = None) -> str:
    """fmt's Sprint (operands separated by a space when neither is a string),
    Sprintln (always, plus a newline), Sprintf/Errorf (%w prints as %v).
    `raw`: the operands before `datatypes.fmt_operands` (what ``%w`` wraps)."""
    if kind == "errorf":
        r = args if raw is None else raw
        return ir.wrap_error(r[0], r[1:], printf(str(args[0]), args[1:])) if args else ""
    if kind in ("sprintf", "fatalf"):
        return printf(str(args[0]), args[1:]) if args else ""
    if kind in ("sprintln", "fatalln"):
        return " ".join(fmt_value(a) for a in args) + "\n"
    parts: list[str] = []
    for i, a in enumerate(args):
        if i and not isinstance(a, str) and not isinstance(args[i - 1], str):
            parts.append(" ")
        parts.append(fmt_value(a))
    return "".join(parts)


def _operands(t: Tx, ins: ir.Format | ir.Exit, slots: Any) -> tuple[list[Any], list[Any]]:
    """The operands of a Sprint*/Errorf/log.Fatal* (then the `spread` values
    of a forwarded ``args...``), and the same as fmt prints them: an
    interface value by its dynamic value (``5``, not ``int(5)``), slices,
    maps and structs in fmt's notation (`datatypes.fmt_operands`)."""
    vals = [slots[a] for a in ins.args] + (datatypes.spread_values(t.m.funcs, slots[ins.spread])
                                           if ins.spread is not None else [])
    return vals, datatypes.fmt_operands(t.heap, vals, t.m.program.types)


def _format(t: Tx, ins: ir.Format, slots: list[Any]) -> None:
    raw, args = _operands(t, ins, slots)
    k = ins.kind
    if k == "new":
        slots[ins.dst] = raw[0]
    elif k == "itoa":
        slots[ins.dst] = str(raw[0])
    else:
        slots[ins.dst] = format_values(k, args, raw)


def _exit(t: Tx, gid: int, ins: ir.Exit, s: tuple[Any, ...], choice: int | None) -> None:
    """log.Fatal: Output to stderr, then os.Exit(1) (log/log.go): no deferred calls run."""
    raw, args = _operands(t, ins, s)
    msg = format_values(ins.kind if ins.kind != "fatal" else "sprint", args, raw).rstrip("\n")
    t.panic = f"log.Fatal: {msg} (exit status 1) [G{gid} at {t.m.program.where(ins.pos[0])}]"
    t.failed = True
    t.ended = True


#: Visible instructions, in the interpreter's table shape ``(tx, gid, ins, slots, choice)``.
HANDLERS: dict[type[ir.Instr], Callable[..., None]] = {
    ir.TimerMake: _timer_make, ir.TimerStop: _timer_stop, ir.Choose: _choose,
    ir.WithDeadline: _with_deadline, ir.Exit: _exit,
}
#: Local instructions ``(tx, ins, slots)``: they read only immutable objects.
LOCAL: dict[type[ir.Instr], Callable[..., None]] = {
    ir.Format: _format, ir.WithValue: _with_value, ir.CtxValue: _ctx_value,
}
