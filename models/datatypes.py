"""Slices and maps in the model: the IR instructions of the ``data types``
block of `models.ir`, interpreted over a `Tx` (see `models.interp`).

Slices (runtime/slice.go).  A slice value is an `ir.Slice` header in the
frame; its elements are the fields ``0 .. cap-1`` of a backing-array `Data`
object.  Reading or writing ``s[i]`` is a plain `Load`/`Store` of
``Ref(obj, off + i)``, so the race detector and the partial-order reduction
see one variable per element.  `Append` writes in place when the result
fits in the capacity (the result aliases the operand, as in Go) and
otherwise allocates a new array of `ir.grow_cap` elements and copies.

Maps (runtime/map.go).  A map value is ``Ref(obj)`` of a `MapObj` whose
entries are sorted by `ir.key_order` (one canonical state per content).
Every map operation is one visible step: a read (`MapIndex`, `MapLen`,
`MapKeys`) or a write (`MapStore`, `MapDelete`).  Two goroutines enabled at
once at a write and another access of the same map are reported by
``race_free`` ("concurrent map writes" / "concurrent map read and map
write", Go's fatal errors for the overlap its ``hashWriting`` flag catches,
and a data race for ``-race``).

Iteration order (``for k, v := range m``) is Go's nondeterminism: `MapKeys`
has one choice per permutation of the keys (``runtime.map_order:
canonical`` keeps the sorted one); more than `MAX_ORDER_KEYS` keys with
every order is a bound the model refuses to cut silently (`ModelLimitError`,
the verdict becomes ``unknown``).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import factorial
from typing import TYPE_CHECKING, Any

from models import ir
from models.state import Data

if TYPE_CHECKING:
    from models.interp import Tx

__all__ = ["MapObj", "LOCAL_OPS", "VISIBLE_OPS", "RACE_OPS", "ALLOC_OPS", "exec_local", "exec_visible",
           "choices", "accesses", "show", "spread_values", "MAX_ORDER_KEYS"]

#: More keys than this in a ``range`` over a map with every order explored is refused (7! = 5040 orders).
MAX_ORDER_KEYS = 6


@dataclass(frozen=True, slots=True)
class MapObj:
    """A Go map's content: ``((key, value), ...)`` sorted by `ir.key_order`."""

    entries: tuple[tuple[Any, Any], ...] = ()
    #: the goroutine inside a write (runtime/map.go hashWriting), 0 = none
    writer: int = 0

    def get(self, k: Any) -> tuple[Any, bool]:
        for key, v in self.entries:
            if type(key) is type(k) and key == k:
                return v, True
        return None, False

    def put(self, k: Any, v: Any) -> MapObj:
        rest = [(key, x) for key, x in self.entries if not (type(key) is type(k) and key == k)]
        rest.append((k, v))
        rest.sort(key=lambda e: ir.key_order(e[0]))
        return MapObj(tuple(rest), self.writer)

    def delete(self, k: Any) -> MapObj:
        return MapObj(tuple((key, x) for key, x in self.entries if not (type(key) is type(k) and key == k)),
                      self.writer)


LOCAL_OPS = (ir.MakeSlice, ir.SliceLit, ir.IndexAddr, ir.SliceLen, ir.Reslice, ir.TupleGet, ir.MakeMap,
             ir.MakeIface, ir.IfaceMethod, ir.TypeAssert, ir.InitStore, ir.StrOp, ir.SliceOfTuple)
VISIBLE_OPS = (ir.Append, ir.Copy, ir.MapIndex, ir.MapWriting, ir.MapStore, ir.MapDelete, ir.MapLen, ir.MapKeys,
               ir.SliceValues)
#: Instructions whose step may be a racing access (partial-order reduction keeps them visible).
RACE_OPS = VISIBLE_OPS
#: Instructions that allocate heap objects.
ALLOC_OPS = (ir.MakeSlice, ir.SliceLit, ir.MakeMap, ir.Append, ir.SliceOfTuple)


def _panic(msg: str, fatal: bool = False) -> Exception:
    from models.tx import GoPanic

    return GoPanic(msg, fatal)


def clone(t: Tx, ref: Any, typ: ir.Type) -> Any:
    """A deep copy of the struct at `ref` (its boxed fields copied too): Go's
    value copy of a struct held in a slice or map element."""
    if not isinstance(ref, ir.Ref):
        return ref
    o = t.get(ref.obj)
    if not isinstance(o, Data) or typ.kind not in ("struct", "array"):
        return ir.Ref(t.alloc(o))  # a sync or atomic object copied by value: same state
    kinds = dict(typ.fields) if typ.kind == "struct" else {}
    fields = []
    for k, v in o.fields:
        ft = kinds.get(k, typ.elem) if typ.kind == "struct" else typ.elem
        fields.append((k, clone(t, v, ft) if ft is not None and ft.is_object else v))
    return ir.Ref(t.alloc(Data(tuple(fields), o.type)))


def copy_struct(t: Tx, dst: ir.Ref, src: ir.Ref, typ: ir.Type) -> None:
    """``*dst = *src`` for struct elements (boxed fields copied into dst's own)."""
    o = t.get(src.obj)
    d = t.get(dst.obj)
    if not isinstance(o, Data) or not isinstance(d, Data):
        t.put(dst.obj, o)
        return
    kinds = dict(typ.fields)
    out = []
    for (k, v), (_, dv) in zip(o.fields, d.fields):
        ft = kinds.get(k)
        if ft is not None and ft.is_object and isinstance(v, ir.Ref) and isinstance(dv, ir.Ref):
            copy_struct(t, dv, v, ft)
            out.append((k, dv))
        else:
            out.append((k, v))
    t.put(dst.obj, Data(tuple(out), d.type))


# --------------------------------------------------------------------------- slices


def _array(t: Tx, values: list[Any]) -> int:
    return t.alloc(Data(tuple(enumerate(values)), "array"))


def _elems(t: Tx, s: Any) -> list[Any]:
    """The values of s[0:len] (a read of each element)."""
    if s is None:
        return []
    f = t.get(s.obj).fields
    return [f[s.off + i][1] for i in range(s.len)]


def _header(s: Any) -> ir.Slice:
    return s if isinstance(s, ir.Slice) else ir.Slice(-1, 0, 0, 0)


def exec_local(t: Tx, ins: Any, slots: list[Any]) -> None:
    """Run one local data-type instruction on the frame `slots`."""
    op = type(ins)
    if op is ir.IndexAddr:
        s = slots[ins.s]
        i = slots[ins.index]
        n = s.len if isinstance(s, ir.Slice) else 0
        if not 0 <= i < n:
            raise _panic(f"runtime error: index out of range [{i}] with length {n}")
        slots[ins.dst] = ir.Ref(s.obj, s.off + i)
    elif op is ir.SliceLen:
        s = slots[ins.s]
        if isinstance(s, ir.Slice):
            slots[ins.dst] = s.cap if ins.of_cap else s.len
        elif isinstance(s, str):
            slots[ins.dst] = len(ir.go_bytes(s))
        elif isinstance(s, tuple):
            slots[ins.dst] = len(s)
        else:
            slots[ins.dst] = 0
    elif op is ir.TupleGet:
        slots[ins.dst] = slots[ins.t][slots[ins.index]]
    elif op is ir.MakeSlice:
        n = slots[ins.len]
        c = n if ins.cap is None else slots[ins.cap]
        if n < 0:
            raise _panic("runtime error: makeslice: len out of range")
        if c < n:
            raise _panic("runtime error: makeslice: cap out of range")
        if ins.elem.is_object:
            vals = [t.m.new_object(t, ins.elem) for _ in range(c)]
        else:
            vals = [ins.elem.zero()] * c
        slots[ins.dst] = ir.Slice(_array(t, vals), 0, n, c)
    elif op is ir.SliceLit:
        vals = [slots[x] for x in ins.srcs]
        slots[ins.dst] = ir.Slice(_array(t, vals), 0, len(vals), len(vals))
    elif op is ir.Reslice:
        s = slots[ins.s]
        if isinstance(s, ir.Ref):  # a[lo:hi] of an array: a slice whose backing array is the array itself
            n = len(t.get(s.obj).fields)
            s = ir.Slice(s.obj, 0, n, n)
        slots[ins.dst] = reslice(s, *(None if x is None else slots[x] for x in (ins.lo, ins.hi, ins.max)))
    elif op is ir.InitStore:
        t.store(slots[ins.ptr], slots[ins.src])
    elif op is ir.MakeIface:
        v = slots[ins.src]
        slots[ins.dst] = v if isinstance(v, ir.Iface) or (v is None and ins.type == "") else ir.Iface(ins.type, v)
    elif op is ir.IfaceMethod:
        slots[ins.dst] = iface_method(t.m.funcs, slots[ins.x], ins.name)
    elif op is ir.TypeAssert:
        v, ok = type_assert(t.m.funcs, ins, slots[ins.x])
        if ins.dst is not None:
            slots[ins.dst] = v
        if ins.ok is not None:
            slots[ins.ok] = ok
    elif op is ir.StrOp:
        try:
            res = ir.str_op(ins.operator, tuple(slots[a] for a in ins.args))
        except ir.GoRuntimeError as e:
            raise _panic(str(e)) from None
        for d, v in zip(ins.dsts, res):
            slots[d] = v
    elif op is ir.SliceOfTuple:
        vals = list(slots[ins.t])
        slots[ins.dst] = ir.Slice(_array(t, vals), 0, len(vals), len(vals))
    elif op is ir.MakeMap:
        m = MapObj()
        for k, v in zip(ins.keys, ins.vals):
            m = m.put(slots[k], slots[v])
        slots[ins.dst] = ir.Ref(t.alloc(m))
    else:
        raise AssertionError(ins)


def reslice(s: Any, lo: int | None, hi: int | None, mx: int | None) -> Any:
    """``s[lo:hi:max]`` with Go's bounds checks (runtime/panic.go goPanicSlice*)."""
    h = _header(s)
    cap = h.cap
    lo_ = 0 if lo is None else lo
    hi_ = h.len if hi is None else hi
    mx_ = cap if mx is None else mx
    if mx is not None and not 0 <= mx_ <= cap:
        raise _panic(f"runtime error: slice bounds out of range [::{mx_}] with capacity {cap}")
    if hi is not None and not 0 <= hi_ <= mx_:
        what = "capacity" if mx is None else "length"
        if mx is None:
            raise _panic(f"runtime error: slice bounds out of range [:{hi_}] with {what} {cap}")
        raise _panic(f"runtime error: slice bounds out of range [:{hi_}:{mx_}]")
    if not 0 <= lo_ <= hi_:
        raise _panic(f"runtime error: slice bounds out of range [{lo_}:{hi_}]")
    if s is None:
        return None
    return ir.Slice(h.obj, h.off + lo_, hi_ - lo_, mx_ - lo_)


def _append(t: Tx, s: Any, vals: list[Any], zero: Any, elem: ir.Type | None = None) -> Any:
    h = _header(s)
    n = len(vals)
    if n == 0:
        return s
    need = h.len + n
    if need <= h.cap:
        d = t.get(h.obj)
        f = list(d.fields)
        for k, v in enumerate(vals):
            f[h.off + h.len + k] = (h.off + h.len + k, v)
        t.put(h.obj, Data(tuple(f), d.type))
        return ir.Slice(h.obj, h.off, need, h.cap)
    old = _elems(t, s)
    cap = ir.grow_cap(h.cap, need)
    if elem is not None and elem.is_object:
        old = [clone(t, v, elem) for v in old]
        fill = [t.m.new_object(t, elem) for _ in range(cap - need)]
    else:
        fill = [zero] * (cap - need)
    return ir.Slice(_array(t, old + vals + fill), 0, need, cap)


def exec_visible(t: Tx, gid: int, ins: Any, s: tuple[Any, ...], choice: int | None) -> None:
    """Run one visible data-type instruction of goroutine `gid` (frame slots `s`)."""
    op = type(ins)
    if op is ir.Append:
        vals = [s[x] for x in ins.srcs]
        if ins.spread is not None:
            more = _elems(t, s[ins.spread])
            if ins.elem is not None and ins.elem.is_object:
                more = [clone(t, v, ins.elem) for v in more]
            vals += more
        t.advance(gid, ((ins.dst, _append(t, s[ins.s], vals, ins.zero, ins.elem)),))
    elif op is ir.Copy:
        to, frm = s[ins.to], s[ins.frm]
        src = _elems(t, frm)
        k = min(len(src), to.len if isinstance(to, ir.Slice) else 0)
        if k and ins.elem is not None and ins.elem.is_object:
            dsts = _elems(t, to)
            same = isinstance(frm, ir.Slice) and frm.obj == to.obj
            tmp = [clone(t, v, ins.elem) for v in src[:k]] if same else src[:k]  # memmove: overlap-safe
            for i in range(k):
                copy_struct(t, dsts[i], tmp[i], ins.elem)
        elif k:
            d = t.get(to.obj)
            f = list(d.fields)
            for i in range(k):
                f[to.off + i] = (to.off + i, src[i])
            t.put(to.obj, Data(tuple(f), d.type))
        t.advance(gid, ((ins.dst, k),))
    elif op is ir.MapIndex:
        m = s[ins.m]
        if m is not None and t.get(m.obj).writer:
            raise _panic("concurrent map iteration and map write" if ins.iter else
                         "concurrent map read and map write", True)
        v, ok = (None, False) if m is None else t.get(m.obj).get(s[ins.k])
        t.advance(gid, ((ins.dst, v if ok else ins.zero), (ins.ok, ok)))
    elif op is ir.MapWriting:
        m = s[ins.m]
        if m is None:
            if ins.store:
                raise _panic("assignment to entry in nil map")
        else:
            mo = t.get(m.obj)
            if mo.writer:
                raise _panic("concurrent map writes", True)
            t.put(m.obj, MapObj(mo.entries, gid))
        t.advance(gid)
    elif op is ir.MapStore:
        m = s[ins.m]
        mo = t.get(m.obj).put(s[ins.k], s[ins.v])
        t.put(m.obj, MapObj(mo.entries, 0))
        t.advance(gid)
    elif op is ir.MapDelete:
        m = s[ins.m]
        if m is not None:
            mo = t.get(m.obj).delete(s[ins.k])
            t.put(m.obj, MapObj(mo.entries, 0))
        t.advance(gid)
    elif op is ir.MapLen:
        m = s[ins.m]
        t.advance(gid, ((ins.dst, 0 if m is None else len(t.get(m.obj).entries)),))
    elif op is ir.MapKeys:
        m = s[ins.m]
        keys = () if m is None else tuple(k for k, _ in t.get(m.obj).entries)
        order = ir.permutation(keys, choice or 0) if keys else ()
        t.advance(gid, ((ins.dst, order),))
    elif op is ir.SliceValues:
        t.advance(gid, ((ins.dst, tuple(_elems(t, s[ins.s]))),))
    else:
        raise AssertionError(ins)


def choices(m: Any, w: Any, ins: Any, slots: tuple[Any, ...]) -> list[int | None]:
    """The choices of a `MapKeys` step: one per iteration order of the map's keys."""
    ref = slots[ins.m]
    n = 0 if ref is None else len(w.heap[ref.obj].entries)
    if n < 2 or getattr(m.opts, "map_order", "all") == "canonical":
        return [None]
    if n > MAX_ORDER_KEYS:
        from models.tx import ModelLimitError

        raise ModelLimitError(f"{m.program.where(ins.pos[0])}: range over a map of {n} keys has {factorial(n)} iteration "
                              f"orders (more than {MAX_ORDER_KEYS} keys: set runtime.map_order: canonical to "
                              "check one order)")
    return list(range(factorial(n)))


# --------------------------------------------------------------------------- race candidates


def accesses(w: Any, ins: Any, slots: tuple[Any, ...]) -> list[tuple[str, ir.Ref, bool]]:
    """The memory a goroutine's next step at data-type instruction `ins`
    reads and writes, as ``(kind, ref, is_write)``: kind ``var`` for slice
    elements (``Ref(array, index)``, one variable each) and ``map`` for a
    whole map (``Ref(map)``: Go's map is one object to its race checks)."""
    op = type(ins)
    out: list[tuple[str, ir.Ref, bool]] = []
    if op is ir.Append:
        s = slots[ins.s]
        h = _header(s)
        n = len(ins.srcs)
        sp = slots[ins.spread] if ins.spread is not None else None
        if isinstance(sp, ir.Slice):
            n += sp.len
            out += [("var", ir.Ref(sp.obj, sp.off + i), False) for i in range(sp.len)]
        if n and h.len + n <= h.cap:
            out += [("var", ir.Ref(h.obj, h.off + h.len + k), True) for k in range(n)]
        elif n and isinstance(s, ir.Slice):
            out += [("var", ir.Ref(h.obj, h.off + i), False) for i in range(h.len)]
    elif op is ir.Copy:
        to, frm = slots[ins.to], slots[ins.frm]
        if isinstance(to, ir.Slice) and isinstance(frm, ir.Slice):
            k = min(to.len, frm.len)
            out += [("var", ir.Ref(frm.obj, frm.off + i), False) for i in range(k)]
            out += [("var", ir.Ref(to.obj, to.off + i), True) for i in range(k)]
    elif op is ir.SliceValues:
        sl = slots[ins.s]
        if isinstance(sl, ir.Slice):
            out += [("var", ir.Ref(sl.obj, sl.off + i), False) for i in range(sl.len)]
    elif op in (ir.MapIndex, ir.MapWriting, ir.MapStore, ir.MapDelete, ir.MapLen, ir.MapKeys):
        m = slots[ins.m]
        if isinstance(m, ir.Ref):
            out.append(("map", ir.Ref(m.obj), op is ir.MapWriting or op is ir.MapStore or op is ir.MapDelete))
    return out


def map_race_message(a_write: bool, b_write: bool) -> str:
    """Go's fatal error for two overlapping map accesses (runtime/map.go)."""
    return "concurrent map writes" if a_write and b_write else "concurrent map read and map write"


# --------------------------------------------------------------------------- printing


def show(heap: Any, v: Any, verb: str = "v", types: Any = None) -> Any:
    """`v` with slices and maps replaced by their fmt text (``[1 2]``,
    ``map[a:1]``); an interface value made for a fmt operand (`fmt_values`)
    prints as Go prints its dynamic type: a nil slice ``[]``, a nil map
    ``map[]``, a struct ``{1 2}``, a pointer to a struct ``&{1 2}``, an array
    ``[1 2]`` (`types`: the program's struct types, for field layouts)."""
    from models.tx import fmt_value

    if isinstance(v, ir.Iface) and types is not None:
        dyn = v.type
        if v.value is None and dyn.startswith("[]"):
            return "[]"
        if v.value is None and dyn.startswith("map["):
            return "map[]"
        ptr = dyn.startswith("*")
        base = dyn[1:] if ptr else dyn
        name = base[5:] if base.startswith("main.") else base
        st = types.get(name)
        if isinstance(v.value, ir.Ref) and v.value.field is None and st is not None:
            return ("&" if ptr else "") + _show_struct(heap, v.value, st, types)
        if isinstance(v.value, ir.Ref) and v.value.field is None and base.startswith("[") and not ptr:
            return "[" + " ".join(fmt_value(show(heap, x, verb), verb) for _, x in heap[v.value.obj].fields) + "]"
    if isinstance(v, ir.Slice):
        f = heap[v.obj].fields
        return "[" + " ".join(fmt_value(show(heap, f[v.off + i][1]), verb) for i in range(v.len)) + "]"
    if isinstance(v, tuple):
        return "[" + " ".join(fmt_value(show(heap, x), verb) for x in v) + "]"
    if isinstance(v, ir.Iface):
        return show(heap, v.value, verb)
    if isinstance(v, ir.Ref) and v.field is None and isinstance(heap[v.obj], MapObj):
        return "map[" + " ".join(f"{fmt_value(show(heap, k), verb)}:{fmt_value(show(heap, x), verb)}"
                                 for k, x in heap[v.obj].entries) + "]"
    return v


class Shown:
    """The fmt text of an operand that is not a Go string (a slice, map or
    struct printed as ``[1 2]``, ``{1 2}``): Print and Sprint put a space
    between two operands when neither is a string (fmt/print.go doPrint), so
    the text must not pass for a string operand."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text


def fmt_operands(heap: Any, vals: list[Any], types: Any) -> list[Any]:
    """`show` of each print operand; composite operands (whose text `show`
    makes) become `Shown`, so they do not count as strings."""
    out: list[Any] = []
    for v in vals:
        x = show(heap, v, "v", types)
        string = isinstance(v, str) or (isinstance(v, ir.Iface) and isinstance(v.value, str))
        out.append(Shown(x) if isinstance(x, str) and not string else x)
    return out


def _show_struct(heap: Any, ref: ir.Ref, st: ir.Type, types: Any) -> str:
    """``{f1 f2}`` of the struct at `ref` (nested structs by value, pointers as addresses)."""
    from models.tx import fmt_value

    o = heap[ref.obj]
    if not isinstance(o, Data):
        return "{}"
    kinds = dict(st.fields)
    parts = []
    for k, x in o.fields:
        ft = kinds.get(k)
        if ft is not None and ft.kind == "struct" and isinstance(x, ir.Ref):
            full = types.get(ft.name, ft)
            parts.append(_show_struct(heap, x, full, types))
        elif ft is not None and ft.is_object and isinstance(x, ir.Ref) and isinstance(heap[x.obj], Data) \
                and ft.kind == "array":
            parts.append("[" + " ".join(fmt_value(show(heap, y)) for _, y in heap[x.obj].fields) + "]")
        elif ft is not None and ft.is_object:
            parts.append("{}")  # a sync value: Go prints its internal state words
        else:
            parts.append(fmt_value(show(heap, x)))
    return "{" + " ".join(parts) + "}"


#: Visible handlers for the interpreter's dispatch table (`models.interp`).
HANDLERS = {cls: exec_visible for cls in VISIBLE_OPS}


# --------------------------------------------------------------------------- interfaces

#: The function implementing ``Error()`` of the library's error values (plain strings in the model).
ERROR_STRING = "errors.errorString.Error"
ERROR_TYPE = "*errors.errorString"


def spread_values(funcs: Any, tup: Any) -> list[Any]:
    """The values of a fmt call's ``xs...`` tuple (`ir.SliceValues`).  fmt
    calls an operand's Error or String method (handleMethods): the frontend
    has already put the method's result in place of each value whose dynamic
    type may have one (`LibMixin.spread_operands`, a loop in the program's
    code); the values left are printed as they are (`funcs` is kept for the
    interpreters' call shape)."""
    del funcs
    return list(tup)


def dynamic_type(v: Any) -> str | None:
    """The dynamic type name of an interface value (None for nil)."""
    if isinstance(v, ir.Iface):
        return v.type
    if isinstance(v, ir.WrappedError):
        return "*fmt.wrapError"
    if isinstance(v, str):
        return ERROR_TYPE  # errors made by the library (ctx.Err(), os errors) are plain strings
    return None


def iface_method(funcs: Any, x: Any, name: str) -> ir.Closure:
    """Dynamic dispatch (`ir.IfaceMethod`): the bound method of x's dynamic type."""
    if x is None:
        raise _panic("runtime error: invalid memory address or nil pointer dereference")
    if isinstance(x, str) and name == "Error":
        return ir.Closure(ERROR_STRING, (x,))
    dyn = dynamic_type(x)
    f = ir.method_func(dyn or "", name, funcs)
    if f is None or not isinstance(x, ir.Iface):
        raise _panic(f"internal: {dyn} has no method {name}")
    return ir.Closure(f, (x.value,))


def type_assert(funcs: Any, ins: Any, x: Any) -> tuple[Any, bool]:
    """``x.(T)`` (`ir.TypeAssert`): (value, ok), or Go's panic when `ins.ok` is None."""
    dyn = dynamic_type(x)
    if ins.target:
        ok = dyn == ins.target
        val = (x.value if isinstance(x, ir.Iface) else x) if ok else ins.zero
        if not ok and ins.ok is None:
            raise _panic(f"interface conversion: {ins.static} is {dyn or 'nil'}, not {ins.target}")
        return val, ok
    missing = [m for m in ins.methods if dyn is None or not _has_method(funcs, x, dyn, m)]
    ok = dyn is not None and not missing
    if not ok and ins.ok is None:
        if dyn is None:
            raise _panic(f"interface conversion: interface is nil, not {ins.iface}")
        raise _panic(f"interface conversion: {dyn} is not {ins.iface}: missing method {missing[0]}")
    return (x if ok else None), ok


def _has_method(funcs: Any, x: Any, dyn: str, name: str) -> bool:
    if isinstance(x, str):
        return name == "Error"
    return ir.method_func(dyn, name, funcs) is not None
