"""Expression lowering: values, conditions (short-circuit), addresses,
lvalues, struct literals and struct copies.

Storage of a value by type: scalars (int, bool, string, chan, pointer,
func, context, error, ``struct{}`` as None) live in frame slots, or in a
heap cell when boxed.  Struct and sync/atomic values are heap objects; a
variable of such a type holds the object's Ref, which never changes.  Struct
value semantics are kept by copying field by field where Go copies (`a :=
b`, assignment, passing and returning a struct, value receivers); copying a
struct that contains a sync object copies its state into a new, different
lock (`ir.CopySync`; Go vet's copylocks flags it, Go runs it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tree_sitter import Node

from models import ir
from models.errors import InputError
from models.lang.builder import FuncBuilder, Label, Var
from models.lang.gotypes import (
    BOOL,
    BYTE,
    ERROR,
    GT,
    INT,
    LOCKER,
    NIL,
    RUNE,
    STRING,
    SYNC_KINDS,
    TESTING_T,
    TIME,
    UNIT,
    MethodInfo,
    zero_value,
)
from models.lang.parse import (
    construct_name,
    field,
    named,
    pos,
    required,
    rune_value,
    string_value,
    text,
    unparen,
)
from models.lang.scope import BuiltinB, ConstB, FuncB, GlobalB, PkgB, TypeB

if TYPE_CHECKING:
    from models.lang.api import LowererAPI

    _Base = LowererAPI  # Lowerer inherits from this mixin: see models/lang/api.py
else:
    _Base = object

#: io's error values (io.go), as the model keeps errors: their messages.
IO_ERRORS = {"EOF": "EOF", "ErrUnexpectedEOF": "unexpected EOF", "ErrShortBuffer": "short buffer"}
TIME_CONSTS = {"Nanosecond": 1, "Microsecond": 1000, "Millisecond": 1_000_000,
               "Second": 1_000_000_000, "Minute": 60_000_000_000, "Hour": 3_600_000_000_000}
ARITH = {"+", "-", "*", "/", "%", "&", "|", "^", "&^", "<<", ">>"}
COMPARE = {"==", "!=", "<", "<=", ">", ">="}


@dataclass
class LV:
    """An assignable place: ``slot`` (a frame slot), ``ptr`` (memory at the
    Ref in `slot`), ``obj`` (the object at the Ref in `slot`) or ``discard``."""

    kind: str
    slot: int
    type: GT
    key: int = -1  # kind "map": the slot of the key (`slot` holds the map)


def req(node: Node, name: str) -> Node:
    """Child `name` of `node`, which the grammar guarantees is there."""
    c = node.child_by_field_name(name)
    assert c is not None, name
    return c


def _wrap(v: int) -> int:
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >= 1 << 63 else v


def narrow_value(v: Any, t: GT) -> Any:
    """`v` as a value of the narrow integer type `t` (its width, signedness)."""
    if t.kind != "int" or not t.bits or not isinstance(v, int) or isinstance(v, bool):
        return v
    v &= (1 << t.bits) - 1
    if not t.unsigned and v >> (t.bits - 1):
        v -= 1 << t.bits
    return v


class ExprMixin(_Base):
    # ---- constants

    def const_eval(self, node: Node) -> tuple[Any, GT] | None:
        """Fold a constant expression, or None when it is not constant."""
        node = unparen(node)
        t = node.type
        if t == "int_literal":
            return int(text(node).replace("_", ""), 0), INT
        if t in ("interpreted_string_literal", "raw_string_literal"):
            return string_value(node, self.file), STRING
        if t == "rune_literal":  # an untyped rune constant: an int (rune is int32, modelled as int)
            return rune_value(node, self.file), RUNE
        if t in ("true", "false"):
            b = self._lookup_opt(t)
            return (t == "true", BOOL) if b is None or isinstance(b, ConstB) else None
        if t == "iota":
            b = self._lookup_opt("iota")
            return (b.value, INT) if isinstance(b, ConstB) else None
        if t == "identifier":
            b = self._lookup_opt(text(node))
            return (b.value, b.type) if isinstance(b, ConstB) else None
        if t == "selector_expression":
            op = unparen(required(node, "operand"))
            if op.type == "identifier" and isinstance(self._lookup_opt(text(op)), PkgB):
                pkg = text(op)
                name = text(required(node, "field"))
                if pkg == "time" and name in TIME_CONSTS:
                    from models.lang.gotypes import DURATION
                    return TIME_CONSTS[name], DURATION
            return None
        if t == "unary_expression":
            operator = text(required(node, "operator"))
            inner = self.const_eval(required(node, "operand"))
            if inner is None or operator not in ("-", "+", "!", "^"):
                return None
            v, ty = inner
            if operator == "-":
                return narrow_value(_wrap(-v), ty), ty
            if operator == "^":
                return narrow_value(_wrap(~v), ty), ty
            if operator == "!":
                return (not v), ty
            return v, ty
        if t == "binary_expression":
            a = self.const_eval(required(node, "left"))
            if a is None:
                return None
            b = self.const_eval(required(node, "right"))
            if b is None:
                return None
            r, rt = self._fold(text(required(node, "operator")), a, b, node)
            return narrow_value(r, rt), rt
        if t == "call_expression":
            fn = unparen(required(node, "function"))
            args = named(field(node, "arguments"))
            if len(args) == 1 and fn.type in ("identifier", "selector_expression", "type_identifier"):
                target = self._conversion_type(fn)
                if target is not None and target.kind in ("int", "string", "bool"):
                    inner = self.const_eval(args[0])
                    pytype = {"int": int, "string": str, "bool": bool}[target.kind]
                    if inner is not None and type(inner[0]) is pytype:
                        return inner[0], target
        return None

    def _fold(self, op: str, a: tuple[Any, GT], b: tuple[Any, GT], node: Node) -> tuple[Any, GT]:
        x, tx = a
        y, ty = b
        ty_ = tx if tx.name not in ("", "int") else ty
        if op in COMPARE:
            if isinstance(x, str) and isinstance(y, str):  # Go compares strings bytewise
                x, y = ir.go_bytes(x), ir.go_bytes(y)
            r = {"==": x == y, "!=": x != y, "<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]
            return r, BOOL
        if op == "&&":
            return x and y, BOOL
        if op == "||":
            return x or y, BOOL
        if isinstance(x, str):
            if op != "+":
                self.err(f"operator {op} not defined on strings", node)
            return x + y, STRING
        if op in ("/", "%") and y == 0:
            self.err("division by zero", node)
        if op == "/":
            q = abs(x) // abs(y)
            return _wrap(q if (x >= 0) == (y >= 0) else -q), ty_
        if op == "%":
            r = abs(x) % abs(y)
            return _wrap(r if x >= 0 else -r), ty_
        r = {"+": lambda: x + y, "-": lambda: x - y, "*": lambda: x * y, "&": lambda: x & y,
             "|": lambda: x | y, "^": lambda: x ^ y, "&^": lambda: x & ~y,
             "<<": lambda: x << y, ">>": lambda: x >> y}[op]()
        return _wrap(r), ty_

    def _lookup_opt(self, name: str) -> Any:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return self.unit.package.get(name)

    def _conversion_type(self, fn: Node) -> GT | None:
        if fn.type == "identifier":
            b = self._lookup_opt(text(fn))
            return b.type if isinstance(b, TypeB) else None
        if fn.type == "selector_expression":
            op = unparen(required(fn, "operand"))
            if op.type == "identifier" and isinstance(self._lookup_opt(text(op)), PkgB):
                if text(op) == "time" and text(required(fn, "field")) == "Duration":
                    from models.lang.gotypes import DURATION
                    return DURATION
        return None

    # ---- values

    def value(self, node: Node, into: int | None = None) -> tuple[int, GT]:
        """Evaluate `node` to a slot (`into` when given)."""
        fb = self.fb
        p = pos(node)
        node = unparen(node)
        t = node.type
        c = self.const_eval(node)
        if c is not None:
            return fb.const(c[0], p, into), c[1]
        if t == "identifier":
            return self._ident(node, into)
        if t == "nil":
            return fb.const(None, p, into), NIL
        if t == "selector_expression":
            return self._move(self.selector(node), into, p)
        if t == "call_expression":
            res = self.call(node, 1, [into] if into is not None else None)
            if not res:
                self.err("call used as a value returns no value", node)
            return res[0]
        if t == "unary_expression":
            return self._unary(node, into)
        if t == "binary_expression":
            return self._binary(node, into)
        if t == "composite_literal":
            return self.composite(node, into)
        if t == "func_literal":
            return self.func_literal(node, into)
        if t == "index_expression":
            return self.index_value(node, into)
        if t == "slice_expression":
            return self.slice_expr(node, into)
        if t == "type_assertion_expression":
            d = fb.temp() if into is None else into
            return d, self.type_assertion(node, d, None)
        if t == "type_conversion_expression":  # []byte(s), *T(x) written with a type literal
            c = self.conversion(self.types.resolve(req(node, "type")), [req(node, "operand")], node)
            d = fb.temp() if into is None else into
            self.emit_call(c, [d])
            return d, c.results[0]
        self.outside(construct_name(node), node)

    def _move(self, r: tuple[int, GT], into: int | None, p: tuple[int, int]) -> tuple[int, GT]:
        s, ty = r
        if into is not None and into != s:
            self.fb.emit(ir.Move(into, s, p))
            return into, ty
        return s, ty

    def _ident(self, node: Node, into: int | None) -> tuple[int, GT]:
        fb = self.fb
        p = pos(node)
        name = text(node)
        if name == "_":
            self.err("cannot use _ as value", node)
        b = self.lookup(name, node)
        if isinstance(b, (Var, GlobalB)) and b.type.kind == "bytes" and not getattr(self, "_bytes_ok", False):
            self.outside(f"this use of the []byte buffer {name}", node,
                         "a buffer made by make([]byte, K) may only be passed to (*os.File).Read")
        if isinstance(b, Var):
            s = self.var_slot(b)
            if b.boxed:
                d = fb.temp() if into is None else into
                fb.emit(ir.Load(d, s, p))
                return d, b.type
            return self._move((s, b.type), into, p)
        if isinstance(b, GlobalB):
            d = fb.temp() if into is None else into
            fb.emit(ir.Addr(d, b.name, p))
            if not b.type.is_object:
                fb.emit(ir.Load(d, d, p))
            return d, b.type
        if isinstance(b, FuncB):
            d = fb.temp() if into is None else into
            fb.emit(ir.MakeClosure(d, b.name, (), p))
            return d, b.sig
        if isinstance(b, BuiltinB):
            self.err(f"builtin {name} must be called", node)
        if isinstance(b, (TypeB, PkgB)):
            self.err(f"{name} is not a value", node)
        raise AssertionError(b)

    def _unary(self, node: Node, into: int | None) -> tuple[int, GT]:
        fb = self.fb
        p = pos(node)
        op = text(required(node, "operator"))
        operand = required(node, "operand")
        if op == "&":
            return self._move(self.address(operand), into, p)
        if op == "<-":
            ch, cht = self.value(operand)
            elem = self._chan_elem(cht, operand)
            d = fb.temp() if into is None else into
            ok = fb.temp() if elem.is_object else None
            fb.emit(ir.Recv(d, ok, ch, self.zero(elem, node), p))
            self.zero_struct_if_closed(d, ok, elem, p)
            return d, elem
        if op == "*":
            ptr, pt = self.value(operand)
            if pt.kind != "ptr" or pt.elem is None:
                self.err("indirection of a non-pointer", node)
            if pt.elem.is_object:
                return self._move((ptr, pt.elem), into, p)
            d = fb.temp() if into is None else into
            fb.emit(ir.Load(d, ptr, p))
            return d, pt.elem
        if op == "+":
            return self.value(operand, into)
        a, at = self.value(operand)
        d = fb.temp() if into is None else into
        fb.emit(ir.UnOp(d, op, a, p))
        if op != "!":
            self.narrow(d, at, p)
        return d, (BOOL if op == "!" else at)

    def _chan_elem(self, t: GT, node: Node) -> GT:
        if t.kind != "chan" or t.elem is None:
            self.err(f"receive from non-channel ({t})", node)
        return t.elem

    def _binary(self, node: Node, into: int | None) -> tuple[int, GT]:
        fb = self.fb
        p = pos(node)
        op = text(required(node, "operator"))
        if op in ("&&", "||"):
            d = fb.temp() if into is None else into
            yes, no, end = Label(), Label(), Label()
            self.cond(node, yes, no)
            fb.place(yes)
            fb.emit(ir.Const(d, True, p))
            fb.jump(end, p)
            fb.place(no)
            fb.emit(ir.Const(d, False, p))
            fb.place(end)
            return d, BOOL
        if op not in ARITH and op not in COMPARE:
            self.outside(f"operator {op}", node)
        a, at = self.value(required(node, "left"))
        b, bt = self.value(required(node, "right"))
        if TIME in (at, bt):
            if op in ("==", "!="):
                self.outside(f"comparing time.Time values with {op}", node,
                             "use t.Equal(u) (time is abstract: which of two clock readings is later is a choice)")
            self.err(f"invalid operation: operator {op} not defined on time.Time", node)
        if op in ("==", "!="):  # comparing an interface with a concrete value compares dynamic type and value
            a = self.coerce(a, at, bt, p)
            b = self.coerce(b, bt, at, p)
        if op in COMPARE and (at.is_object or bt.is_object):
            self.outside("comparison of struct values", node, "compare pointers or fields")
        d = fb.temp() if into is None else into
        fb.emit(ir.BinOp(d, op, a, b, p))
        if op in COMPARE:
            return d, BOOL
        rt = at if at.kind != "nil" and at.name not in ("", "int") else bt
        if op not in ("<<", ">>") or rt is at:
            self.narrow(d, rt, p)
        return d, rt

    def narrow(self, d: int, t: GT, p: tuple[int, int]) -> None:
        """Wrap the int in slot `d` to the width of `t` (int8..int32, uint8..uint32: Go's
        arithmetic is modulo 2^bits, two's complement for the signed ones).  Local BinOps."""
        if t.kind != "int" or not t.bits:
            return
        fb = self.fb
        k = fb.temp()
        fb.emit(ir.Const(k, (1 << t.bits) - 1, p))
        fb.emit(ir.BinOp(d, "&", d, k, p))
        if not t.unsigned:  # sign-extend: (x ^ half) - half
            fb.emit(ir.Const(k, 1 << (t.bits - 1), p))
            fb.emit(ir.BinOp(d, "^", d, k, p))
            fb.emit(ir.BinOp(d, "-", d, k, p))

    def cond(self, node: Node, yes: Label, no: Label) -> None:
        """Branch to `yes` or `no` on boolean `node`, short-circuiting && || !."""
        node = unparen(node)
        if node.type == "binary_expression":
            op = text(required(node, "operator"))
            if op in ("&&", "||"):
                mid = Label()
                if op == "&&":
                    self.cond(required(node, "left"), mid, no)
                else:
                    self.cond(required(node, "left"), yes, mid)
                self.fb.place(mid)
                self.cond(required(node, "right"), yes, no)
                return
        if node.type == "unary_expression" and text(required(node, "operator")) == "!":
            self.cond(required(node, "operand"), no, yes)
            return
        m = self.fb.mark()
        s, _ = self.value(node)
        self.fb.branch(s, yes, no, pos(node))
        self.fb.release(m)

    # ---- struct values

    def owned(self, node: Node, into: int | None = None) -> tuple[int, GT]:
        """A value that may be stored: struct values read from a variable,
        field or pointer are copied (Go's value semantics)."""
        inner = unparen(node)
        fresh = inner.type in ("composite_literal", "call_expression")
        s, t = self.value(node, into)
        if t.is_object and not fresh:
            c = self.copy_new(s, t, pos(node), node)
            if into is not None:
                self.fb.emit(ir.Move(into, c, pos(node)))
                c = into
            s = c
        return s, t

    def copy_new(self, src: int, t: GT, p: tuple[int, int], node: Node) -> int:
        d = self.fb.temp()
        self.fb.emit(ir.New(d, self.types.to_ir(t), p))
        self.copy_into(d, src, t, p, node, fresh=True)
        return d

    def copy_into(self, dst: int, src: int, t: GT, p: tuple[int, int], node: Node, fresh: bool = False) -> None:
        """Copy struct `src` into struct `dst`, field by field."""
        fb = self.fb
        if t.kind in SYNC_KINDS:
            if t.kind == "sync.Cond":
                self.outside("copying a sync.Cond value", node, "use a pointer (Go panics: sync.Cond is copied)")
            if t.kind == "sync.Map":
                self.outside("copying a sync.Map value", node, "use a pointer (go vet: copylocks)")
            fb.emit(ir.CopySync(dst, src, p))  # a copied lock is a different lock (go vet: copylocks)
            return
        m = fb.mark()
        for fname, ft, _ in self.types.fields_of(t):
            if ft.is_object:
                a, b = fb.temp(), fb.temp()
                fb.emit(ir.FieldObj(a, src, fname, p))
                fb.emit(ir.FieldObj(b, dst, fname, p))
                self.copy_into(b, a, ft, p, node, fresh)
            else:
                a, v = fb.temp(), fb.temp()
                fb.emit(ir.FieldAddr(a, src, fname, None, p))
                fb.emit(ir.Load(v, a, p))
                fb.emit(ir.FieldAddr(a, dst, fname, None, p))
                fb.emit(ir.InitStore(a, v, p) if fresh else ir.Store(a, v, p))
        fb.release(m)

    def composite(self, node: Node, into: int | None = None) -> tuple[int, GT]:
        fb = self.fb
        p = pos(node)
        tnode = req(node, "type")
        if tnode.type == "implicit_length_array_type":  # [...]T{a, b}
            t = GT("array", elem=self.types.resolve(named(tnode)[-1]), length=len(named(req(node, "body"))))
        else:
            t = self.types.resolve(tnode)
        if t.kind == "unit":
            if named(field(node, "body")):
                self.err("too many values in struct{}{}", node)
            return fb.const(None, p, into), UNIT
        if t.kind in ("slice", "map"):
            return self.collection_literal(t, req(node, "body"), into)
        if not t.is_object:
            self.outside(f"composite literals of type {t}", node)
        d = fb.temp() if into is None else into
        fb.emit(ir.New(d, self.types.to_ir(t), p))
        self.init_struct(d, t, required(node, "body"))
        return d, t

    def init_struct(self, d: int, t: GT, body: Node) -> None:
        fb = self.fb
        elems = named(body)
        if not elems:
            return
        if t.kind == "array":
            self.init_array(d, t, elems)
            return
        if t.kind != "struct":
            self.outside(f"{t} literals with fields", body)
        fields = self.types.fields_of(t)
        for i, el in enumerate(elems):
            m = fb.mark()
            if el.type == "keyed_element":
                kids = named(el)
                key, val = kids[0], kids[1]
                fname = text(unparen(named(key)[0]) if key.type == "literal_element" else key)
                match = [f for f in fields if f[0] == fname]
                if not match:
                    self.err(f"unknown field {fname} in struct literal of type {t}", key)
                ftype = match[0][1]
            else:
                if i >= len(fields):
                    self.err(f"too many values in {t} literal", el)
                fname, ftype, _ = fields[i]
                val = el
            vnode = named(val)[0] if val.type == "literal_element" else val
            vp = pos(vnode)
            if vnode.type == "composite_literal" and ftype.kind == "struct" \
                    and self.types.resolve(required(vnode, "type")) == ftype:
                sub = fb.temp()
                fb.emit(ir.FieldObj(sub, d, fname, vp))
                self.init_struct(sub, ftype, required(vnode, "body"))
            elif vnode.type == "literal_value":
                if not ftype.is_object:
                    self.outside("elided composite literal types", vnode)
                sub = fb.temp()
                fb.emit(ir.FieldObj(sub, d, fname, vp))
                self.init_struct(sub, ftype, vnode)
            elif ftype.is_object:
                src, _ = self.value(vnode)
                sub = fb.temp()
                fb.emit(ir.FieldObj(sub, d, fname, vp))
                self.copy_into(sub, src, ftype, vp, vnode, fresh=True)
            else:
                v, vt = self.value(vnode)
                v = self.coerce(v, vt, ftype, vp)
                a = fb.temp()
                fb.emit(ir.FieldAddr(a, d, fname, None, vp))
                fb.emit(ir.InitStore(a, v, vp))  # the object is still private: local
            fb.release(m)

    # ---- fields

    def selector(self, node: Node) -> tuple[int, GT]:
        """The value of ``x.f`` (a field read; package members and methods
        are handled by calls)."""
        operand = unparen(required(node, "operand"))
        name = text(required(node, "field"))
        if operand.type == "identifier" and isinstance(self._lookup_opt(text(operand)), PkgB):
            pkg = self._lookup_opt(text(operand)).path
            if pkg == "io" and name in IO_ERRORS:  # errors are their messages (models/library.py)
                return self.fb.const(IO_ERRORS[name], pos(node)), ERROR
            self.outside(f"{text(operand)}.{name} used as a value", node)
        lv = self.field_place(node)
        return self.read(lv, pos(node)), lv.type

    def field_place(self, node: Node) -> LV:
        """The place ``x.f`` names (following embedded fields)."""
        fb = self.fb
        p = pos(node)
        operand = required(node, "operand")
        name = text(required(node, "field"))
        base, bt = self.value(operand)
        found: tuple[list[tuple[str, GT]], str, Any] | None
        if bt.kind == "iface":  # a method value of an interface value: the dispatched closure
            found = ([], "iface", bt) if name in self.types.iface_methods(bt) else None
        else:
            found = self.types.lookup(bt, name)
        if found is None:
            self.err(f"{text(operand)}.{name} undefined (type {bt} has no field or method {name})", node)
        path, what, info = found
        base = self.walk(base, path, p)
        if what == "iface":
            assert isinstance(info, GT)
            self.types.uses_ifaces = True
            if name == "Error":
                self._ensure_error_string(p)
            d = fb.temp()
            fb.emit(ir.IfaceMethod(d, base, name, p))
            return LV("slot", d, self.types.iface_methods(info)[name])
        if what == "lib" and info == "sync.Cond" and name == "L":  # a sync.Locker: read or assigned
            self.need_locker(p)
            return LV("condL", base, LOCKER)
        if what == "method":
            assert isinstance(info, MethodInfo)
            return LV("slot", self.method_value(base, info, p, node), info.sig)
        if what != "field":
            self.outside(f"method values of {info}", node, "call the method directly")
        assert isinstance(info, GT)
        d = fb.temp()
        if info.is_object:
            fb.emit(ir.FieldObj(d, base, name, p))
            return LV("obj", d, info)
        fb.emit(ir.FieldAddr(d, base, name, None, p))
        return LV("ptr", d, info)

    def walk(self, base: int, path: list[tuple[str, GT]], p: tuple[int, int]) -> int:
        """Follow embedded fields from struct Ref `base`."""
        fb = self.fb
        for fname, ft in path:
            d = fb.temp()
            if ft.is_object:
                fb.emit(ir.FieldObj(d, base, fname, p))
            else:
                fb.emit(ir.FieldAddr(d, base, fname, None, p))
                fb.emit(ir.Load(d, d, p))
            base = d
        return base

    def address(self, node: Node) -> tuple[int, GT]:
        """``&node``: a Ref to a variable, a field or a new object."""
        fb = self.fb
        p = pos(node)
        node = unparen(node)
        if node.type == "composite_literal":
            s, t = self.composite(node)
            return s, GT("ptr", elem=t)
        if node.type == "identifier":
            b = self.lookup(text(node), node)
            if isinstance(b, Var):
                if not b.is_object:
                    self.analysis.addressed.add(b.key)
                return self.var_slot(b), GT("ptr", elem=b.type)
            if isinstance(b, GlobalB):
                d = fb.temp()
                fb.emit(ir.Addr(d, b.name, p))
                return d, GT("ptr", elem=b.type)
            self.err(f"cannot take the address of {text(node)}", node)
        if node.type == "selector_expression":
            lv = self.field_place(node)
            if lv.kind == "condL":
                self.outside("taking the address of a Cond's L", node, "assign c.L or call its methods")
            return lv.slot, GT("ptr", elem=lv.type)
        if node.type == "unary_expression" and text(required(node, "operator")) == "*":
            return self.value(required(node, "operand"))
        if node.type == "index_expression":
            lv = self.index_place(node)
            if lv.kind == "map":
                self.err(f"invalid operation: cannot take address of {text(node)} (map index expression)", node)
            return lv.slot, GT("ptr", elem=lv.type)
        self.outside(f"taking the address of {construct_name(node)}", node)

    # ---- places

    def lvalue(self, node: Node) -> LV:
        node = unparen(node)
        if node.type == "identifier":
            name = text(node)
            if name == "_":
                return LV("discard", -1, NIL)
            b = self.lookup(name, node)
            if isinstance(b, Var):
                self.analysis.assigned.add(b.key)
                s = self.var_slot(b)
                if b.is_object:
                    return LV("obj", s, b.type)
                return LV("ptr" if b.boxed else "slot", s, b.type)
            if isinstance(b, GlobalB):
                d = self.fb.temp()
                self.fb.emit(ir.Addr(d, b.name, pos(node)))
                return LV("obj" if b.type.is_object else "ptr", d, b.type)
            self.err(f"cannot assign to {name}", node)
        if node.type == "selector_expression":
            return self.field_place(node)
        if node.type == "unary_expression" and text(required(node, "operator")) == "*":
            s, t = self.value(required(node, "operand"))
            if t.kind != "ptr" or t.elem is None:
                self.err("indirection of a non-pointer", node)
            return LV("obj" if t.elem.is_object else "ptr", s, t.elem)
        if node.type == "index_expression":
            return self.index_place(node)
        self.outside(f"assignment to {construct_name(node)}", node)

    def read(self, lv: LV, p: tuple[int, int]) -> int:
        if lv.kind == "condL":
            d = self.fb.temp()
            self.fb.emit(ir.CondLocker(d, lv.slot, p))
            return d
        if lv.kind == "ptr":
            d = self.fb.temp()
            self.fb.emit(ir.Load(d, lv.slot, p))
            return d
        if lv.kind == "map":
            d = self.fb.temp()
            self.map_read(d, lv, p)
            return d
        return lv.slot

    def map_read(self, d: int, lv: LV, p: tuple[int, int]) -> None:
        """``d = m[k]``; a missing struct value is a fresh zero struct."""
        ok = self.fb.temp() if lv.type.is_object else None
        self.fb.emit(ir.MapIndex(d, ok, lv.slot, lv.key, None if lv.type.is_object else zero_value(lv.type), pos=p))
        self.zero_struct_if_closed(d, ok, lv.type, p)

    def store(self, lv: LV, src: int, p: tuple[int, int], node: Node) -> None:
        fb = self.fb
        if lv.kind == "slot":
            if src != lv.slot:
                fb.emit(ir.Move(lv.slot, src, p))
        elif lv.kind == "ptr":
            fb.emit(ir.Store(lv.slot, src, p))
        elif lv.kind == "obj":
            self.copy_into(lv.slot, src, lv.type, p, node)
        elif lv.kind == "map":
            fb.emit(ir.MapWriting(lv.slot, True, p))
            fb.emit(ir.MapStore(lv.slot, lv.key, src, p))
        elif lv.kind == "condL":  # c.L = l
            fb.emit(ir.CondSetL(lv.slot, src, p))

    # ---- slices and maps (models/datatypes.py)

    def collection_literal(self, t: GT, body: Node, into: int | None) -> tuple[int, GT]:
        """``[]T{a, b}`` (SliceLit) or ``map[K]V{k: v}`` (MakeMap); elided
        element types (``[]*T{{...}}``) are outside the subset."""
        fb = self.fb
        p = pos(body)
        assert t.elem is not None
        keys: list[int] = []
        vals: list[int] = []
        for el in named(body):
            if el.type == "keyed_element":
                if t.kind == "slice":
                    self.outside("indexed slice literal elements (i: v)", el, "list the elements in order")
                kn, vn = named(el)[0], named(el)[1]
            else:
                if t.kind == "map":
                    self.err("missing key in map literal", el)
                kn, vn = None, el
            for n, dst, want in ((kn, keys, t.key), (vn, vals, t.elem)):
                if n is None:
                    continue
                inner = named(n)[0] if n.type == "literal_element" else n
                if inner.type == "literal_value":
                    s_, st = self.elided_literal(inner, want)
                else:
                    s_, st = self.owned(inner, fb.temp())
                dst.append(self.coerce(s_, st, want, pos(inner)))
        d = fb.temp() if into is None else into
        if t.kind == "slice":
            fb.emit(ir.SliceLit(d, self.types.to_ir(t.elem), tuple(vals), p))
        else:
            fb.emit(ir.MakeMap(d, tuple(keys), tuple(vals), p))
        return d, t

    def elided_literal(self, body: Node, want: GT | None) -> tuple[int, GT]:
        """``{...}`` standing for ``T{...}`` or ``&T{...}`` in a slice or map
        literal of element type T or *T (Go spec, "Composite literals")."""
        fb = self.fb
        p = pos(body)
        target = want.elem if want is not None and want.kind == "ptr" and want.elem is not None else want
        if want is not None and want.kind in ("slice", "map"):  # [][]int{{1, 2}}: a literal of the element type
            return self.collection_literal(want, body, None)
        if target is not None and want is not None and target.kind == "array":  # [][2]T{{a, b}}, []*[2]T{{a, b}}
            d = fb.temp()
            fb.emit(ir.New(d, self.types.to_ir(target), p))
            self.init_array(d, target, named(body))
            return d, want
        if target is None or want is None or target.kind != "struct":
            self.outside(f"elided composite literals of type {want}", body, "write the element type")
        d = fb.temp()
        fb.emit(ir.New(d, self.types.to_ir(target), p))
        assert target is not None and want is not None
        self.init_struct(d, target, body)
        return d, want

    def init_array(self, d: int, t: GT, elems: list[Node]) -> None:
        """``[N]T{a, b}`` into the new array `d` (elements in order)."""
        fb = self.fb
        elem = t.elem
        assert elem is not None
        if len(elems) > t.length:
            self.err(f"index {t.length} out of bounds [0:{t.length}]", elems[t.length])
        for i, el in enumerate(elems):
            if el.type == "keyed_element":
                self.outside("indexed array literal elements (i: v)", el, "list the elements in order")
            m = fb.mark()
            vn = named(el)[0] if el.type == "literal_element" else el
            vp = pos(vn)
            if elem.is_object:
                sub = fb.temp()
                fb.emit(ir.FieldObj(sub, d, i, vp))  # type: ignore[arg-type]
                if vn.type == "literal_value":
                    self.init_struct(sub, elem, vn)
                else:
                    src, _ = self.value(vn)
                    self.copy_into(sub, src, elem, vp, vn, fresh=True)
            else:
                if vn.type == "literal_value":
                    self.outside("elided composite literal types", vn)
                v, vt = self.value(vn)
                v = self.coerce(v, vt, elem, vp)
                a = fb.temp()
                fb.emit(ir.FieldAddr(a, d, i, None, vp))
                fb.emit(ir.InitStore(a, v, vp))
            fb.release(m)

    def index_place(self, node: Node) -> LV:
        """The place ``x[i]``: an element of a slice (``ptr``) or an entry of a map (``map``)."""
        fb = self.fb
        p = pos(node)
        base, bt = self.value(req(node, "operand"))
        if bt.kind == "ptr" and bt.elem is not None and bt.elem.kind in ("slice", "map"):
            d = fb.temp()
            fb.emit(ir.Load(d, base, p))
            base, bt = d, bt.elem
        if bt.kind == "ptr" and bt.elem is not None and bt.elem.kind == "array":
            bt = bt.elem  # p[i] of a pointer to an array: the Ref is the array's
        if bt.kind == "array" and bt.elem is not None:
            ae = bt.elem
            i, _ = self.value(req(node, "index"))
            d = fb.temp()
            fb.emit(ir.FieldAddr(d, base, 0, i, p))
            if ae.is_object:
                fb.emit(ir.Load(d, d, p))
                return LV("obj", d, ae)
            return LV("ptr", d, ae)
        if bt.kind == "map":
            assert bt.elem is not None
            k, _ = self.value(req(node, "index"), fb.temp())
            return LV("map", base, bt.elem, k)
        if bt.kind == "string":  # s[i]: a byte (Go rejects s[i] = x and &s[i] at compile time)
            i, _ = self.value(req(node, "index"))
            d = fb.temp()
            fb.emit(ir.StrOp("index", (d,), (base, i), p))
            return LV("slot", d, BYTE)
        if bt.kind != "slice" or bt.elem is None:
            self.outside(f"indexing a value of type {bt}", node, "index slices and maps")
        elem = bt.elem
        assert elem is not None
        i, _ = self.value(req(node, "index"))
        d = fb.temp()
        fb.emit(ir.IndexAddr(d, base, i, p))
        if elem.is_object:  # a struct element: the element holds its (never replaced) struct's Ref
            fb.emit(ir.Load(d, d, p))
            return LV("obj", d, elem)
        return LV("ptr", d, elem)

    def index_value(self, node: Node, into: int | None) -> tuple[int, GT]:
        lv = self.index_place(node)
        p = pos(node)
        if lv.kind == "slot":  # a string's byte
            return self._move((lv.slot, lv.type), into, p)
        if lv.kind == "map":
            d = self.fb.temp() if into is None else into
            self.map_read(d, lv, p)
            return d, lv.type
        if lv.kind == "obj":
            return self._move((lv.slot, lv.type), into, p)
        d = self.fb.temp() if into is None else into
        self.fb.emit(ir.Load(d, lv.slot, p))
        return d, lv.type

    def slice_expr(self, node: Node, into: int | None) -> tuple[int, GT]:
        """``s[lo:hi:max]`` of a slice (Reslice)."""
        fb = self.fb
        base, bt = self.value(req(node, "operand"))
        if bt.kind == "ptr" and bt.elem is not None and bt.elem.kind == "array":
            bt = bt.elem
        if bt.kind == "array":  # a slice of the array itself (Reslice of its Ref)
            bt = GT("slice", elem=bt.elem)
        elif bt.kind == "ptr" and bt.elem is not None and bt.elem.kind == "slice":
            d0 = fb.temp()
            fb.emit(ir.Load(d0, base, pos(node)))
            base, bt = d0, bt.elem
        if bt.kind == "string":
            return self._slice_string(node, base, bt, into)
        if bt.kind != "slice":
            self.outside(f"slicing a value of type {bt}", node, "slice expressions apply to slices, arrays and strings")
        bounds: list[int | None] = []
        for name in ("start", "end", "capacity"):
            n = field(node, name)
            bounds.append(None if n is None else self.value(n)[0])
        d = fb.temp() if into is None else into
        fb.emit(ir.Reslice(d, base, bounds[0], bounds[1], bounds[2], pos(node)))
        return d, bt

    def _slice_string(self, node: Node, base: int, bt: GT, into: int | None) -> tuple[int, GT]:
        """``s[lo:hi]`` of a string: its bytes lo..hi-1 (omitted bounds are 0 and
        len(s); Go's slice-bounds panics)."""
        fb = self.fb
        p = pos(node)
        lo_n, hi_n = field(node, "start"), field(node, "end")
        if field(node, "capacity") is not None:
            self.err("invalid operation: 3-index slice of string", node)
        lo = self.value(lo_n)[0] if lo_n is not None else fb.const(0, p)
        if hi_n is not None:
            hi = self.value(hi_n)[0]
        else:
            hi = fb.temp()
            fb.emit(ir.SliceLen(hi, base, False, p))
        d = fb.temp() if into is None else into
        fb.emit(ir.StrOp("slice", (d,), (base, lo, hi), p))
        return d, bt if bt.name not in ("", "untyped string") else STRING

    # ---- builtins on slices, maps and strings (hooked from LibMixin.builtin)

    def data_builtin(self, name: str, argn: list[Node], node: Node) -> Any:
        """``make`` of a slice or map, ``len``/``cap`` (slices, maps, strings,
        channels), ``append``, ``copy``, ``delete``: a `Callee` of op
        ``data.*`` emitted by `emit_data`, or None when the call is not one."""
        from models.lang.library import Callee

        fb = self.fb
        if name == "make":
            if not argn or argn[0].type in ("slice_type",) and self._is_bytes_type(argn[0]) and self.unit.uses_pipes:
                return None  # a pipe's read buffer (LibMixin.make_bytes)
            t = self.types.resolve(argn[0])
            if t.kind == "slice":
                assert t.elem is not None
                if len(argn) not in (2, 3):
                    self.err(f"invalid operation: make({text(argn[0])}) expects 2 or 3 arguments", node)
                a = [self.value(x, fb.temp())[0] for x in argn[1:]]
                return Callee("lib", None, None, a, (t,), node, "data.make_slice", self.types.to_ir(t.elem))
            if t.kind == "map":
                if len(argn) > 2:
                    self.err(f"invalid operation: make({text(argn[0])}) expects 1 or 2 arguments", node)
                for x in argn[1:]:
                    self.value(x)  # the size hint: evaluated, no effect on the model
                return Callee("lib", None, None, [], (t,), node, "data.make_map")
            return None
        if name in ("len", "cap"):
            if len(argn) != 1:
                self.err(f"{name} takes 1 argument(s), {len(argn)} given", node)
            c = self.const_eval(argn[0])
            if c is not None and isinstance(c[0], str):
                return Callee("lib", None, None, [], (INT,), node, "const", len(ir.go_bytes(c[0])))
            s, t = self.value(argn[0])
            if t.kind == "chan":
                return Callee("lib", None, None, [s], (INT,), node, name)
            if t.kind == "array" or (t.kind == "ptr" and t.elem is not None and t.elem.kind == "array"):
                n = t.length if t.kind == "array" else t.elem.length if t.elem is not None else 0
                return Callee("lib", None, None, [], (INT,), node, "const", n)
            if t.kind == "slice" or (t.kind == "string" and name == "len"):
                return Callee("lib", None, None, [s], (INT,), node, f"data.{name}")
            if t.kind == "map" and name == "len":
                return Callee("lib", None, None, [s], (INT,), node, "data.maplen")
            self.outside(f"{name} of {t}", argn[0], f"{name} applies to slices, maps, strings and channels")
        if name == "append":
            if not argn:
                self.err("not enough arguments for append", node)
            s, t = self.owned(argn[0], fb.temp())
            elem = t.elem
            if t.kind != "slice" or elem is None:
                self.err(f"invalid argument: first argument to append must be a slice; have {text(argn[0])}",
                         argn[0])
            assert elem is not None
            rest = argn[1:]
            if rest and rest[-1].type == "variadic_argument":
                if len(rest) != 1:
                    self.err("can only use ... with final argument in list", rest[-1])
                sp, spt = self.value(named(rest[-1])[0], fb.temp())
                if spt.kind != "slice":
                    self.outside(f"append(s, x...) of a {spt}", rest[-1], "spread a slice")
                return Callee("lib", None, None, [s, sp], (t,), node, "data.append_spread", self._elem_info(elem))
            vals = [self.coerce(*self.owned(x, fb.temp()), elem, pos(x)) for x in rest]
            return Callee("lib", None, None, [s] + vals, (t,), node, "data.append", self._elem_info(elem))
        if name == "copy":
            if len(argn) != 2:
                self.err(f"copy takes 2 arguments, {len(argn)} given", node)
            a = []
            et: GT | None = None
            for x in argn:
                s_, xt = self.value(x, fb.temp())
                if xt.kind == "string":  # copy(b, s): the string's bytes (Go spec, "Appending and copying")
                    tup = fb.temp()
                    fb.emit(ir.StrOp("tobytes", (tup,), (s_,), pos(x)))
                    fb.emit(ir.SliceOfTuple(s_, self.types.to_ir(BYTE), tup, pos(x)))
                a.append(s_)
                et = et or xt.elem
            return Callee("lib", None, None, a, (INT,), node, "data.copy",
                          self.types.to_ir(et) if et is not None and et.is_object else None)
        if name == "delete":
            if len(argn) != 2:
                self.err(f"delete takes 2 arguments, {len(argn)} given", node)
            m, mt = self.value(argn[0], fb.temp())
            if mt.kind != "map":
                self.err(f"invalid argument: {text(argn[0])} (type {mt}) is not a map", argn[0])
            k, _ = self.value(argn[1], fb.temp())
            return Callee("lib", None, None, [m, k], (), node, "data.delete")
        return None

    def _elem_info(self, elem: GT) -> tuple[Any, ir.Type | None]:
        """(zero value, full element type for struct elements) of an `ir.Append`."""
        if elem.is_object:
            return None, self.types.to_ir(elem)
        return zero_value(elem), None

    def _is_bytes_type(self, tnode: Node) -> bool:
        elem = named(tnode)
        return bool(elem) and text(elem[0]) in ("byte", "uint8")

    def emit_data(self, op: str, a: list[int], dsts: list[int], p: tuple[int, int], static: Any) -> None:
        """Emit the instructions of a ``data.*`` builtin (see `data_builtin`)."""
        fb = self.fb
        d = dsts[0] if dsts else fb.temp()
        if op == "data.make_slice":
            fb.emit(ir.MakeSlice(d, static, a[0], a[1] if len(a) > 1 else None, p))
        elif op == "data.make_map":
            fb.emit(ir.MakeMap(d, (), (), p))
        elif op in ("data.len", "data.cap"):
            fb.emit(ir.SliceLen(d, a[0], op == "data.cap", p))
        elif op == "data.maplen":
            fb.emit(ir.MapLen(d, a[0], p))
        elif op == "data.append":
            fb.emit(ir.Append(d, a[0], tuple(a[1:]), None, static[0], static[1], p))
        elif op == "data.append_spread":
            fb.emit(ir.Append(d, a[0], (), a[1], static[0], static[1], p))
        elif op == "data.copy":
            fb.emit(ir.Copy(dsts[0] if dsts else None, a[0], a[1], static, p))
        elif op == "data.delete":
            fb.emit(ir.MapWriting(a[0], False, p))
            fb.emit(ir.MapDelete(a[0], a[1], p))
        else:
            raise AssertionError(op)

    # ---- func values

    def method_value(self, recv: int, info: Any, p: tuple[int, int], node: Node) -> int:
        """``x.M`` as a value (a method value): a closure of the synthesized
        function ``T.M$bound`` over the receiver, evaluated now (Go spec,
        "Method values": a value receiver is copied when the method value is
        evaluated; a pointer receiver is captured as is)."""
        fb = self.fb
        if not info.ptr_recv and info.full.split(".")[0] in self.types.structs:
            recv = self.copy_new(recv, GT("struct", info.full.split(".")[0]), p, node)
        name = self.ensure_bound(info, p)
        d = fb.temp()
        fb.emit(ir.MakeClosure(d, name, (recv,), p))
        return d

    def zero_struct_if_closed(self, d: int | None, ok: int | None, elem: GT, p: tuple[int, int]) -> None:
        """A receive of a struct value from a closed, drained channel yields a
        fresh zero struct (the channel's zero value is ``None`` for object
        kinds): allocate it when ``ok`` is false."""
        if not elem.is_object or d is None or ok is None:
            return
        fb = self.fb
        got, closed = Label(), Label()
        fb.branch(ok, got, closed, p)
        fb.place(closed)
        fb.emit(ir.New(d, self.types.to_ir(elem), p))
        fb.place(got)

    # ---- interfaces (models/datatypes.py: MakeIface, IfaceMethod, TypeAssert)

    def coerce(self, s: int, from_t: GT, to_t: GT | None, p: tuple[int, int]) -> int:
        """A value of `from_t` stored where `to_t` is expected: a concrete value
        entering an interface is wrapped with its dynamic type (Go spec,
        "Assignability"); anything else passes unchanged."""
        if to_t is None or to_t.kind != "iface" or from_t.kind in ("iface", "nil"):
            return s
        if from_t == TIME:  # == on the interface would compare abstract instants as if exact
            raise InputError("a time.Time stored in an interface is outside the supported Go subset; its "
                             "comparisons and text depend on the wall clock, which is abstract here",
                             self.file, p[0], p[1])
        self.types.uses_ifaces = True
        if from_t == TESTING_T:
            self.testing_t_methods(to_t, p)
        d = self.fb.temp()
        self.fb.emit(ir.MakeIface(d, s, self.types.go_name(from_t), p))
        return d

    def testing_t_methods(self, iface: GT, p: tuple[int, int]) -> None:
        """The bound methods of ``*testing.T`` held in interface `iface` (a
        logger's ``TestingT`` interface): its output methods, each a function
        ``testing.T.M$pbound`` doing what ``t.M(...)`` does (a variadic
        ``args ...interface{}`` printed through `ir.SliceValues`)."""
        from models.lang.library import TEST_KINDS, Spread

        for name, sig in self.types.iface_methods(iface).items():
            full = f"testing.T.{name}$pbound"
            if full in self.out or full in self.unit.functions:
                continue
            ok = name in ("Helper", "Parallel") and not sig.params and not sig.results
            if name in TEST_KINDS:
                want = (STRING,) if TEST_KINDS[name].endswith("f") else ()
                ok = sig.variadic and tuple(sig.params[:-1]) == want and not sig.results
            if not ok:
                raise InputError(f"*testing.T as an interface with method {name} {sig} is outside the supported "
                                 "Go subset; supported: Log(f), Error(f), Fatal(f) (variadic), Helper, Parallel",
                                 self.file, p[0], p[1])

            def body(w: FuncBuilder, r: int, params: list[int], res: tuple[int, ...], name: str = name,
                     sig: GT = sig) -> None:
                if name in ("Helper", "Parallel"):
                    w.emit(ir.Return((), p))
                    return
                kind = TEST_KINDS[name]
                elem = sig.params[-1].elem
                assert elem is not None
                tup = self.spread_operands(params[-1], Spread(elem), p)  # the args... values, as fmt prints them
                w.emit(ir.Print(kind, tuple(params[:-1]), p, tup))
                if kind.startswith("fatal"):
                    w.emit(ir.Goexit(p))
                w.emit(ir.Return((), p))
            self._bound_wrapper(full, sig, p, body)

    def iface_call(self, name: str, base: int, bt: GT, argn: list[Node], node: Node, fn: Node) -> Any:
        """``x.M(args)`` on an interface value: dynamic dispatch."""
        from models.lang.library import Callee

        sig = self.types.iface_methods(bt).get(name)
        if sig is None:
            self.err(f"{text(req(fn, 'operand'))}.{name} undefined (type {bt} has no method {name})", fn)
        self.types.uses_ifaces = True
        if name == "Error":
            self._ensure_error_string(pos(fn))
        if name == "Helper" and not sig.params and not sig.results:  # a TestingT's Helper: as t.Helper()
            self.unit.helpers.add(self.fb.name)
        d = self.fb.temp()
        self.fb.emit(ir.IfaceMethod(d, base, name, pos(fn)))
        return Callee("closure", None, d, self.args(argn, sig, node), sig.results, node)

    def _ensure_error_string(self, p: tuple[int, int]) -> None:
        from models.datatypes import ERROR_STRING

        if ERROR_STRING not in self.unit.functions:
            self.unit.functions[ERROR_STRING] = ir.Function(
                ERROR_STRING, ncaptures=1, nparams=0, nresults=1, nslots=1, slot_names=("s",),
                code=(ir.Return((0,), p),), pos=p)

    def type_assertion(self, node: Node, dst: int | None, ok: int | None) -> GT:
        """``x.(T)`` into `dst` (and `ok` for the comma-ok form); returns T."""
        fb = self.fb
        p = pos(node)
        x, xt = self.value(req(node, "operand"))
        if xt.kind != "iface":
            self.err(f"invalid operation: {text(req(node, 'operand'))} (variable of type {xt}) is not an interface",
                     node)
        t = self.types.resolve(req(node, "type"))
        self.types.uses_ifaces = True
        static = self.types.go_name(xt) if xt.name else "interface {}"
        if t.kind == "iface":
            methods = tuple(sorted(self.types.iface_methods(t)))
            fb.emit(ir.TypeAssert(dst, ok, x, "", methods, None, static, self.types.go_name(t), p))
        else:
            zero = None if t.is_object else zero_value(t)
            fb.emit(ir.TypeAssert(dst, ok, x, self.types.go_name(t), (), zero, static, "", p))
            if t.is_object and dst is not None:  # a struct held by value: the result is a copy
                got, skip = Label(), Label()
                if ok is not None:
                    fb.branch(ok, got, skip, p)
                    fb.place(skip)
                    fb.emit(ir.New(dst, self.types.to_ir(t), p))
                    end = Label()
                    fb.jump(end, p)
                    fb.place(got)
                    c = self.copy_new(dst, t, p, node)
                    fb.emit(ir.Move(dst, c, p))
                    fb.place(end)
                else:
                    c = self.copy_new(dst, t, p, node)
                    fb.emit(ir.Move(dst, c, p))
        return t

    def ensure_bound(self, info: Any, p: tuple[int, int]) -> str:
        """The bound-method function of method `info` (``T.M$pbound`` for a
        pointer receiver, ``T.M$bound`` for a value receiver): its one
        capture is the receiver; a value receiver is copied for each call
        (the method gets its own copy, as in Go)."""
        name = info.full + ("$pbound" if info.ptr_recv else "$bound")
        if name in self.out or name in self.unit.functions:
            return name
        def body(w: FuncBuilder, r: int, params: list[int], res: tuple[int, ...]) -> None:
            recv = r
            if not info.ptr_recv and info.full.split(".")[0] in self.types.structs:
                recv = self.copy_new(r, GT("struct", info.full.split(".")[0]), p, self.unit.func_nodes[info.full])
            w.emit(ir.Call(res, info.full, None, (recv, *params), p))
            w.emit(ir.Return(res, p))
        return self._bound_wrapper(name, info.sig, p, body)

    def _bound_wrapper(self, name: str, sig: Any, p: tuple[int, int],
                       body: Callable[[FuncBuilder, int, list[int], tuple[int, ...]], None]) -> str:
        """Build the bound-method function `name`: one capture (the receiver, slot ``recv``), the
        method's parameters and results; `body` emits its code into the builder, which is the
        current one while it runs."""
        w = FuncBuilder(name, pos=p, lazy_captures=False)
        r = w.slot("recv")
        w.nparams = len(sig.params)
        params = [w.slot(f"a{i}") for i in range(w.nparams)]
        w.nresults = len(sig.results)
        res = tuple(w.slot(f"r{i}") for i in range(w.nresults))
        saved: FuncBuilder = self.fb
        self.fb = w
        try:
            body(w, r, params, res)
        finally:
            self.fb = saved
        self.out[name] = w.finish(1)
        return name


    def ensure_promoted(self, sname: str, mname: str, path: list[tuple[str, GT]], info: Any,
                        p: tuple[int, int]) -> str:
        """The bound-method function of method `mname` promoted into struct
        `sname` through the embedded fields `path` (Go spec, "Struct types":
        promoted methods are in the method set of S when reached through an
        embedded pointer or by a value receiver, else only in that of *S)."""
        through_ptr = any(ft.kind == "ptr" for _, ft in path)
        in_value_set = through_ptr or not info.ptr_recv
        name = f"{sname}.{mname}" + ("$bound" if in_value_set else "$pbound")
        if name in self.out or name in self.unit.functions:
            return name
        def body(w: FuncBuilder, r: int, params: list[int], res: tuple[int, ...]) -> None:
            base = self.walk(r, path, p)
            if not info.ptr_recv and info.full.split(".")[0] in self.types.structs:
                base = self.copy_new(base, GT("struct", info.full.split(".")[0]), p,
                                     self.unit.func_nodes[info.full])
            w.emit(ir.Call(res, info.full, None, (base, *params), p))
            w.emit(ir.Return(res, p))
        return self._bound_wrapper(name, info.sig, p, body)

    def ensure_promoted_iface(self, sname: str, mname: str, path: list[tuple[str, GT]], iface: GT,
                              p: tuple[int, int]) -> str:
        """The bound-method function of method `mname` that struct `sname`
        gets from the interface it embeds (through `path`): it loads the
        embedded interface value and dispatches on it (in the method sets
        of both S and *S)."""
        name = f"{sname}.{mname}$bound"
        if name in self.out or name in self.unit.functions:
            return name
        def body(w: FuncBuilder, r: int, params: list[int], res: tuple[int, ...]) -> None:
            base = self.walk(r, path, p)
            f = w.temp()
            w.emit(ir.IfaceMethod(f, base, mname, p))
            w.emit(ir.Call(res, None, f, tuple(params), p))
            w.emit(ir.Return(res, p))
        return self._bound_wrapper(name, self.types.iface_methods(iface)[mname], p, body)

    # ---- fmt operands: Error() and String() methods (fmt/print.go handleMethods)

    def fmt_values(self, argn: list[Node], formatted: bool) -> list[int]:
        """The operands of a fmt-style call (``Println``, ``Printf``,
        ``Sprint*``, ``Errorf``, log and testing output), with Go's
        handleMethods applied: an operand printed with ``%v %s %q`` (or by
        Print/Println) whose type has an ``Error() string`` or, failing that,
        a ``String() string`` method is replaced by the method's result.  The
        call is real Go code: it may take locks (the RLock re-entry through
        ``String()`` of the corpus).  A nil pointer operand is not called
        (fmt prints ``<nil>``)."""
        verbs: list[str] | None = None
        if formatted and argn:
            c = self.const_eval(argn[0])
            if c is not None and isinstance(c[0], str):
                verbs = _verbs(c[0])
        out: list[int] = []
        later: list[tuple[int, int, GT, Node]] = []  # operands whose Error/String method fmt calls

        def operand(k: int, s: int, t: GT, a: Node) -> None:
            if t == TIME and not (formatted and k == 0):
                self.outside("printing a time.Time", a, "its text is the wall clock, which is abstract here")
            i = k - 1 if formatted else k
            if (formatted and k == 0) or (verbs is not None and (i >= len(verbs) or verbs[i] not in "vsq")):
                out.append(s)
            elif self._stringify_calls(t):
                out.append(-1)  # Go evaluates every operand before fmt calls a method: placed below
                later.append((len(out) - 1, s, t, a))
            else:
                out.append(self.stringify(s, t, pos(a)))

        inner = unparen(argn[0]) if len(argn) == 1 else None
        spread: list[tuple[int, GT]] = []
        if inner is not None and inner.type == "call_expression" and self.const_eval(inner) is None:
            # fmt.Println(g()): every result of g is an operand (Go spec, "Calls"), not only the first
            spread = self.call(inner, None)
        if spread and inner is not None:
            for k, (r, t) in enumerate(spread):
                operand(k, r, t, inner)
        else:
            for k, a in enumerate(argn):
                operand(k, *self.owned(a), a)
        for at, s, t, a in later:
            out[at] = self.stringify(s, t, pos(a))
        return out

    def _stringify_calls(self, t: GT) -> bool:
        """Does `stringify` emit a method call for an operand of type `t`?"""
        if t.kind == "iface":
            return any(m in ("Error", "String") for m in self.types.iface_methods(t)) or t.name in (
                "interface {}", "any", "")
        for m in ("Error", "String"):
            found = self.types.lookup(t, m)
            if found is None or found[1] != "method":
                continue
            path, _, info = found
            assert isinstance(info, MethodInfo)
            if info.sig.params or info.sig.results != (GT("string", "string"),):
                continue
            return not (info.ptr_recv and t.kind != "ptr" and not path)
        return False

    def fmt_args(self, argn: list[Node], formatted: bool) -> tuple[list[int], tuple[int, GT] | None]:
        """`fmt_values` (after checking a constant format's directives), and
        for a final ``xs...`` the slot and type of the slice xs, whose values
        are read when the call runs (`LibMixin.spread_operands`)."""
        if formatted and argn:
            c = self.const_eval(argn[0])
            if c is not None and isinstance(c[0], str):
                bad = ir.printf_spec_ok(c[0])
                if bad is not None:
                    self.err(f"format directive {bad!r} is not modelled (supported: %% and "
                             f"%[-+0 ][width]{{{','.join(ir.PRINTF_VERBS)}}})", argn[0])
                single = len(argn) == 2 and unparen(argn[1]).type == "call_expression"
                if argn[-1].type != "variadic_argument" and not single and len(argn) - 1 > len(_verbs(c[0])):
                    self.err(f"{len(argn) - 1} operands for {len(_verbs(c[0]))} directives: fmt's "
                             "%!(EXTRA type=value) is not modelled", argn[-1])
        if not argn or argn[-1].type != "variadic_argument":
            return self.fmt_values(argn, formatted), None
        args = self.fmt_values(argn[:-1], formatted)
        sl, st = self.value(named(argn[-1])[0])
        if st.kind not in ("slice", "nil"):
            self.err(f"cannot use {text(argn[-1])} (type {st}) as []interface{{}}", argn[-1])
        return args, (sl, st)

    def const_verbs(self, fmt: Node) -> list[str] | None:
        """The verbs of format `fmt`, one per operand, when it is a constant."""
        c = self.const_eval(fmt)
        return _verbs(c[0]) if c is not None and isinstance(c[0], str) else None

    def stringify(self, s: int, t: GT, p: tuple[int, int]) -> int:
        fb = self.fb
        if t.kind == "iface":
            if not any(m in ("Error", "String") for m in self.types.iface_methods(t)) and t.name not in (
                    "interface {}", "any", ""):
                return s
            self.types.uses_ifaces = True
            self._ensure_error_string(p)
            d, ok, f = fb.temp(), fb.temp(), fb.temp()
            fb.keep(d)
            fb.emit(ir.Move(d, s, p))
            end = Label()
            for m in ("Error", "String"):
                yes, no = Label(), Label()
                fb.emit(ir.TypeAssert(None, ok, s, "", (m,), None, "interface {}", "", p))
                fb.branch(ok, yes, no, p)
                fb.place(yes)
                fb.emit(ir.IfaceMethod(f, s, m, p))
                fb.emit(ir.Call((d,), None, f, (), p))
                fb.jump(end, p)
                fb.place(no)
            fb.place(end)
            fb.emit(ir.Nop(p))
            return d
        for m in ("Error", "String"):
            found = self.types.lookup(t, m)
            if found is None or found[1] != "method":
                continue
            path, _, info = found
            assert isinstance(info, MethodInfo)
            if info.sig.params or info.sig.results != (GT("string", "string"),):
                continue
            if info.ptr_recv and t.kind != "ptr" and not path:
                return s  # a pointer method is not in a value's method set: fmt does not call it
            d = fb.temp()
            fb.keep(d)
            fb.emit(ir.Move(d, s, p))
            end = Label()
            if t.kind == "ptr":
                nil, isnil = fb.temp(), fb.temp()
                call = Label()
                fb.emit(ir.Const(nil, None, p))
                fb.emit(ir.BinOp(isnil, "==", s, nil, p))
                fb.branch(isnil, end, call, p)
                fb.place(call)
            recv = self.walk(s, path, p)
            tname = info.full.split(".")[0]
            if not info.ptr_recv and tname in self.types.structs:
                recv = self.copy_new(recv, GT("struct", tname), p, self.unit.func_nodes[info.full])
            fb.emit(ir.Call((d,), info.full, None, (recv,), p))
            fb.place(end)
            fb.emit(ir.Nop(p))
            return d
        base = t.elem if t.kind == "ptr" and t.elem is not None else t
        if t.kind in ("slice", "map", "struct", "array") or (t.kind == "ptr" and base.kind == "struct"):
            d = fb.temp()  # the dynamic type tells fmt how to print it ({1 2}, &{1 2}, [], map[])
            fb.emit(ir.MakeIface(d, s, self.types.go_name(t), p))
            return d
        return s


def _verbs(fmt: str) -> list[str]:
    """The verbs of a format string, one per operand (``%%`` takes none)."""
    out: list[str] = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "%":
            j = i + 1
            while j < len(fmt) and fmt[j] in "+-# 0123456789.":
                j += 1
            if j < len(fmt) and fmt[j] != "%":
                out.append(fmt[j])
            i = j + 1
        else:
            i += 1
    return out
