"""Calls: user functions, methods, func values, builtins and the supported
standard library (fmt, sync, sync/atomic, time, context, runtime, testing).

A call is first *prepared* (callee and arguments evaluated, in Go's order)
into a `Callee`, then emitted as a call, a ``go`` or a ``defer``.  A library
operation used in ``go``/``defer`` (``defer mu.Unlock()``) runs through a
small synthesized wrapper function, one per call site, named after the
operation and the site (``sync.Unlock@12:5``), whose parameters are the
evaluated operands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tree_sitter import Node

from models import ir
from models.lang.builder import FuncBuilder, Label, Var
from models.lang.gotypes import (
    BOOL,
    BYTES,
    CANCEL,
    CONTEXT,
    DURATION,
    ERROR,
    FILE_PTR,
    GT,
    INT,
    IO_READER,
    LIB_METHODS,
    LOCKER,
    STRING,
    TIME,
    TIME_METHODS,
    UNIT,
    MethodInfo,
)
from models.lang.parse import construct_name, field, named, pos, required, text, unparen
from models.lang.scope import BuiltinB, FuncB, GlobalB, PkgB, TypeB

if TYPE_CHECKING:
    from models.lang.api import LowererAPI

    _Base = LowererAPI  # Lowerer inherits from this mixin: see models/lang/api.py
else:
    _Base = object


@dataclass
class Callee:
    """A prepared call.  kind ``func`` (a program function), ``closure``
    (the func value in `fslot`) or ``lib`` (library operation `op`)."""

    kind: str
    func: str | None
    fslot: int | None
    args: list[int]
    results: tuple[GT, ...]
    node: Node
    op: str = ""
    static: Any = None
    #: a print-like library call's final ``args...``: the slot of the slice whose
    #: elements are further operands, and `Spread` (how fmt prints them)
    rest: int | None = None
    spread: Spread | None = None


@dataclass(frozen=True)
class Spread:
    """How a print-like call reads its ``args...`` operands: `elem` is the
    slice's element type; fmt's handleMethods applies to the operand at
    position k (counting from the first element) unless k is in `plain`
    (a constant format's verb there is not ``%v %s %q``)."""

    elem: GT
    plain: frozenset[int] = frozenset()


PRINT_KINDS = {"Println": "println", "Print": "print", "Printf": "printf"}
#: strings functions: (StrOp operator, result type); all take two operands.
STRINGS_FUNCS = {"Contains": ("contains", BOOL), "HasPrefix": ("hasprefix", BOOL), "HasSuffix": ("hassuffix", BOOL),
                 "Index": ("strindex", INT), "Join": ("join", STRING)}
TEST_KINDS = {"Fatal": "fatal", "Fatalf": "fatalf", "Error": "error", "Errorf": "errorf",
              "Log": "log", "Logf": "logf"}
ATOMIC_FUNCS = {"Add": "add", "Load": "load", "Store": "store", "Swap": "swap",
                "CompareAndSwap": "cas"}
ATOMIC_ARGC = {"add": 2, "load": 1, "store": 2, "swap": 2, "cas": 3}
#: The function behind ``io.ReadFull`` (`LibMixin.read_full_function`).
READ_FULL = "io.ReadFull"
#: The goroutine body of ``t.Run`` and its deferred close of the done channel.
SUBTEST, SUBTEST_DONE = "testing.tRunner", "testing.tRunner.done"
SYNC_OPS = {"Lock": "sync.Lock", "Unlock": "sync.Unlock", "TryLock": "sync.TryLock",
            "RLock": "sync.RLock", "RUnlock": "sync.RUnlock"}


class LibMixin(_Base):
    # ---- entry points

    def call(self, node: Node, n: int | None, dsts: list[int | None] | None = None) -> list[tuple[int, GT]]:
        """Emit call `node`, returning its first `n` results (None: all of them, at least one)."""
        c = self.prepare_call(node)
        if n is None:
            n = max(1, len(c.results))
        if n > len(c.results):
            if not c.results:
                self.err(f"{text(required(node, 'function'))}() (no value) used as value", node)
            self.err(f"assignment mismatch: {n} values but the call returns {len(c.results)}", node)
        out = [d if d is not None else self.fb.temp() for d in (dsts or [None] * n)[:n]]
        out += [self.fb.temp() for _ in range(n - len(out))]
        self.emit_call(c, out)
        return list(zip(out, c.results))

    def emit_call(self, c: Callee, dsts: list[int]) -> None:
        p = pos(c.node)
        if c.kind == "lib":
            rest = self.spread_operands(c.rest, c.spread, p) if c.rest is not None else None
            self.emit_lib(c.op, c.args, dsts, p, c.static, c.node, rest)
        else:
            self.fb.emit(ir.Call(tuple(dsts), c.func, c.fslot, tuple(c.args), p))

    def go_defer(self, node: Node, kind: str) -> None:
        call = unparen(named(node)[0])
        if call.type != "call_expression":
            self.err(f"expression in {kind} must be a function call", call)
        c = self.prepare_call(call)
        p = pos(node)
        func, fslot = c.func, c.fslot
        if c.kind == "lib":
            if c.static is not None:
                self.outside(f"{kind} of {text(required(call, 'function'))}", call)
            func = self.wrapper(c)
        cls = ir.Go if kind == "go" else ir.Defer
        args = c.args + ([c.rest] if c.rest is not None else [])
        self.fb.emit(cls(func, fslot, tuple(args), p))

    def wrapper(self, c: Callee) -> str:
        line, col = pos(c.node)
        name = f"{c.op}@{line}:{col}"
        fb = FuncBuilder(name, pos=(line, col), lazy_captures=False)
        fb.nparams = len(c.args) + (c.rest is not None)
        params = [fb.slot(f"a{i}") for i in range(len(c.args))]
        rest = fb.slot("args") if c.rest is not None else None
        saved = self.fb
        self.fb = fb
        try:
            # a deferred print reads its args... when it runs (the slice itself was evaluated at the statement)
            if rest is not None:
                rest = self.spread_operands(rest, c.spread, (line, col))
            self.emit_lib(c.op, params, [], (line, col), None, c.node, rest)
            fb.emit(ir.Return((), (line, col)))
        finally:
            self.fb = saved
        self.out[name] = fb.finish(0)
        return name

    # ---- preparing

    def prepare_call(self, node: Node) -> Callee:
        fn = unparen(required(node, "function"))
        argn = named(field(node, "arguments"))
        for a in argn[:-1]:
            if a.type == "variadic_argument":
                self.err("can only use ... with final argument in list", a)
        if fn.type == "identifier":
            b = self.lookup(text(fn), fn)
            if isinstance(b, BuiltinB):
                return self.builtin(b.name, argn, node)
            if isinstance(b, TypeB):
                return self.conversion(b.type, argn, node)
            if isinstance(b, FuncB):
                return Callee("func", b.name, None, self.args(argn, b.sig, node),
                              b.sig.results, node)
            if isinstance(b, (Var, GlobalB)):
                return self._closure_call(fn, argn, node)
            self.err(f"cannot call non-function {text(fn)}", fn)
        if fn.type == "selector_expression":
            operand = unparen(required(fn, "operand"))
            name = text(required(fn, "field"))
            if operand.type == "identifier":
                b = self._lookup_opt(text(operand))
                if isinstance(b, PkgB):
                    return self.pkg_call(b.path, name, argn, node, fn)
                if isinstance(b, (Var, GlobalB)) and b.type.kind == "ptr" and b.type.elem is not None \
                        and b.type.elem.kind == "testing.T":
                    return self.test_call(name, argn, node, fn)
            base, bt = self.value(operand)
            if bt.kind == "iface":  # dynamic dispatch (models/lang/exprs.py)
                return self.iface_call(name, base, bt, argn, node, fn)
            if bt.kind == "context":
                return self.ctx_call(name, base, argn, node, fn)
            if bt == FILE_PTR:
                return self.file_call(name, base, argn, node, fn)
            if bt == TIME:
                return self.time_call(name, base, argn, node, fn)
            if bt.kind == "ptr" and bt.elem is not None and bt.elem.kind == "struct" \
                    and bt.elem.name in ("time.Timer", "time.Ticker") and name != "C":
                return self.timer_call(bt.elem.name, name, base, argn, node, fn)
            if bt == TIME:
                return self.time_method(name, base, argn, node, fn)
            found = self.types.lookup(bt, name)
            if found is None:
                self.err(f"{text(operand)}.{name} undefined (type {bt} has no field or method {name})", fn)
            path, what, info = found
            base = self.walk(base, path, pos(fn))
            if what == "method":
                assert isinstance(info, MethodInfo)
                sig = info.sig
                if info.ptr_recv and not path and bt.kind != "ptr" and not bt.is_object:
                    base, _ = self.address(operand)  # x.M() is (&x).M() for a named non-struct x
                if not info.ptr_recv and info.full.split(".")[0] in self.types.structs:
                    recv_t = GT("struct", info.full.split(".")[0])
                    base = self.copy_new(base, recv_t, pos(fn), operand)
                return Callee("func", info.full, None, [base] + self.args(argn, sig, node),
                              sig.results, node)
            if what == "iface":  # promoted from an embedded interface: dynamic dispatch
                assert isinstance(info, GT)
                return self.iface_call(name, base, info, argn, node, fn)
            if what == "lib":
                assert isinstance(info, str)
                if info == "testing.T":
                    return self.test_call(name, argn, node, fn)
                return self.lib_method(info, name, base, argn, node, fn)
            return self._closure_call(fn, argn, node)
        if fn.type in ("func_literal", "call_expression", "index_expression", "type_assertion_expression"):
            # a func value computed by an expression: f()(x) (defer trace("op")()), handlers[i](x), v.(func())()
            return self._closure_call(fn, argn, node)
        target = self._pointer_type_of(fn)
        if target is not None:  # (*T)(x): a conversion to a pointer type
            return self.conversion(target, argn, node)
        self.outside(f"calling {construct_name(fn)}", fn)

    def _pointer_type_of(self, fn: Node) -> GT | None:
        """The type ``*T`` when `fn` (the callee of a call, parentheses removed)
        is ``*T`` with T a type (``(*uint32)(&x)``, ``(*impl)(nil)``), else None."""
        if fn.type == "pointer_type":
            return self.types.resolve(fn)
        if fn.type != "unary_expression" or text(required(fn, "operator")) != "*":
            return None
        inner = unparen(required(fn, "operand"))
        if inner.type == "identifier" and isinstance(self._lookup_opt(text(inner)), TypeB):
            return GT("ptr", elem=self._lookup_opt(text(inner)).type)
        return None

    def _closure_call(self, fn: Node, argn: list[Node], node: Node) -> Callee:
        s, t = self.value(fn)
        if t.kind != "func":
            self.err(f"cannot call non-function {text(fn)} (type {t})", fn)
        return Callee("closure", None, s, self.args(argn, t, node), t.results, node)

    def args(self, argn: list[Node], sig: GT, node: Node) -> list[int]:
        """The argument slots of a call of a function of type `sig` (each
        converted to its parameter's type; `variadic_args` for a variadic one)."""
        params = sig.params
        if argn and argn[-1].type == "variadic_argument" and not sig.variadic:
            self.err(f"cannot use ... in call to non-variadic {text(required(node, 'function'))}", argn[-1])
        if sig.variadic:
            return self.variadic_args(argn, params, node)
        if len(argn) == 1 and len(params) > 1 and unparen(argn[0]).type == "call_expression":
            return [self.coerce(s, t, pt, pos(node))
                    for (s, t), pt in zip(self.call(unparen(argn[0]), len(params)), params)]
        if len(argn) != len(params):
            self.err(f"wrong number of arguments: {len(argn)} given, {len(params)} wanted", node)
        return [self.coerce(*self.owned(a), pt, pos(a)) for a, pt in zip(argn, params)]

    def variadic_args(self, argn: list[Node], params: tuple[GT, ...], node: Node) -> list[int]:
        """The arguments of a call of a variadic function (Go spec, "Passing
        arguments to ... parameters"): with a final ``s...`` the slice itself
        is passed (the callee shares its backing array); otherwise the
        arguments after the fixed ones are packed into a new slice (`SliceLit`,
        in argument order, each converted to the element type like an
        assignment), or nil when there are none.  ``f(g())`` with a
        multi-valued g binds g's results the same way: the fixed parameters
        first, the rest packed."""
        fixed, last = params[:-1], params[-1]
        elem = last.elem
        assert elem is not None
        fb = self.fb
        what = text(required(node, "function"))
        if argn and argn[-1].type == "variadic_argument":
            if len(argn) != len(params):
                few = "not enough" if len(argn) < len(params) else "too many"
                self.err(f"{few} arguments in call to {what}: {len(argn)} given with ..., {len(params)} wanted", node)
            out = [self.coerce(*self.owned(a), pt, pos(a)) for a, pt in zip(argn[:-1], fixed)]
            sp = named(argn[-1])[0]
            s, st = self.value(sp)
            if st.kind not in ("slice", "nil"):
                self.err(f"cannot use {text(sp)} (type {st}) as {last} value in argument (... needs a slice)", sp)
            return out + [s]
        inner = unparen(argn[0]) if len(argn) == 1 else None
        if inner is not None and inner.type == "call_expression":  # f(g()): g's results, one or many
            c = self.prepare_call(inner)
            if not c.results:
                self.err(f"{text(required(inner, 'function'))}() (no value) used as value", inner)
            got = [fb.temp() for _ in c.results]
            self.emit_call(c, got)
            if len(got) < len(fixed):
                self.err(f"not enough arguments in call to {what}: {len(got)} given, at least {len(fixed)} wanted",
                         node)
            out = [self.coerce(s, t, pt, pos(node)) for s, t, pt in zip(got, c.results, fixed)]
            extra = [self.coerce(s, t, elem, pos(node)) for s, t in zip(got[len(fixed):], c.results[len(fixed):])]
            first = pos(node)
            d = fb.temp()
        else:
            if len(argn) < len(fixed):
                self.err(f"not enough arguments in call to {what}: {len(argn)} given, at least {len(fixed)} wanted",
                         node)
            out = [self.coerce(*self.owned(a), pt, pos(a)) for a, pt in zip(argn, fixed)]
            rest = argn[len(fixed):]
            d = fb.temp()
            extra = [self.coerce(*self.owned(unparen(a), fb.temp()), elem, pos(a)) for a in rest]
            first = pos(rest[0]) if rest else pos(node)
        if extra:
            fb.emit(ir.SliceLit(d, self.types.to_ir(elem), tuple(extra), first))
        else:
            fb.emit(ir.Const(d, None, pos(node)))  # no variadic arguments: a nil []T
        return out + [d]

    def _values(self, argn: list[Node]) -> list[int]:
        """Argument slots.  An unboxed local's own slot can be passed as is:
        nothing evaluated after it can change it (closures box what they
        capture)."""
        for a in argn:
            if a.type == "variadic_argument":
                self.outside("passing a slice with ... to this function", a,
                             "the fmt, log and testing print functions accept args...; list the values")
        return [self.owned(a)[0] for a in argn]

    def _argc(self, argn: list[Node], n: int, what: str, node: Node) -> None:
        if len(argn) != n:
            self.err(f"{what} takes {n} argument(s), {len(argn)} given", node)

    # ---- print-like calls with a final args... (fmt, log, testing)

    def fmt_call(self, argn: list[Node], formatted: bool, res: tuple[GT, ...], node: Node, op: str,
                 what: str) -> Callee:
        """A fmt-style library call (``fmt.Println``/``Printf``/``Sprint*``/
        ``Errorf``, log, ``t.Logf`` and friends).  Its operands are `fmt_values`;
        a final ``args...`` (the whole ``...any`` part: Go allows nothing else
        there) passes the slice, whose elements are the further operands: they
        are read when the call runs (`spread_operands`)."""
        fixed = argn[:-1]
        if argn and argn[-1].type == "variadic_argument" and len(fixed) != int(formatted):
            self.err(f"have {len(fixed)} argument(s) before ... in call to {what}, which takes "
                     f"{int(formatted)} (the slice must be the whole variadic part)", argn[-1])
        slots, sl = self.fmt_args(argn, formatted)
        if sl is None:
            return Callee("lib", None, None, slots, res, node, op)
        s, st = sl
        elem = st.elem if st.elem is not None else GT("iface", "interface {}")
        spread = Spread(elem)
        verbs = self.const_verbs(fixed[0]) if formatted else None
        if verbs is not None:
            spread = Spread(elem, frozenset(k for k, v in enumerate(verbs) if v not in "vsq"))
        return Callee("lib", None, None, slots, res, node, op, rest=s, spread=spread)

    def spread_operands(self, s: int, spread: Spread | None, p: tuple[int, int]) -> int:
        """The slot of the tuple of operands a print-like call takes from the
        slice in slot `s`: fmt reads its elements when it runs (fmt/print.go
        doPrint*: ``a[argNum]``), a read of each element that races with a
        write to it: one `ir.SliceValues` step.  When the program has methods
        fmt would call (``Error() string``/``String() string``), each value
        is replaced by what `stringify` makes of it (fmt/print.go
        handleMethods: the methods run inside the call and may take locks), in
        a loop that fills a new slice only this call sees, whose values are
        then the operands (a second `SliceValues`, of private memory)."""
        fb = self.fb
        assert spread is not None
        elem = spread.elem
        tup = fb.temp()
        fb.emit(ir.SliceValues(tup, s, p))
        if not self.prints_through_methods(elem):
            return tup
        n, buf, i, one, c, a, v, out = (fb.temp() for _ in range(8))
        fb.emit(ir.SliceLen(n, tup, False, p))
        fb.emit(ir.MakeSlice(buf, self.types.to_ir(elem), n, None, p))
        fb.emit(ir.Const(i, 0, p))
        fb.emit(ir.Const(one, 1, p))
        top, body, store, end = Label(), Label(), Label(), Label()
        fb.place(top)
        fb.emit(ir.BinOp(c, "<", i, n, p))
        fb.branch(c, body, end, p)
        fb.place(body)
        fb.emit(ir.TupleGet(v, tup, i, p))
        fb.emit(ir.Move(out, v, p))
        for k in sorted(spread.plain):  # a constant format's verb other than %v %s %q: printed as is
            here = Label()
            fb.emit(ir.Const(a, k, p))
            fb.emit(ir.BinOp(c, "==", i, a, p))
            fb.branch(c, store, here, p)
            fb.place(here)
        fb.emit(ir.Move(out, self.stringify(v, elem, p), p))
        fb.place(store)
        fb.emit(ir.IndexAddr(a, buf, i, p))
        fb.emit(ir.InitStore(a, out, p))  # the new slice is still this call's own: a local write
        fb.emit(ir.BinOp(i, "+", i, one, p))
        fb.jump(top, p)
        fb.place(end)
        fb.emit(ir.SliceValues(tup, buf, p))
        return tup

    def prints_through_methods(self, t: GT) -> bool:
        """May fmt print a value of static type `t` through an ``Error()`` or
        ``String()`` method?  An interface value may hold any type: only when
        the program declares such a method (or a struct embeds an interface
        that has one); the library's own errors are their message strings."""
        if t.kind == "iface":
            if t.name not in ("interface {}", "any", "") and \
                    not any(m in ("Error", "String") for m in self.types.iface_methods(t)):
                return False
            if any(m in ("Error", "String") for ms in self.types.methods.values() for m in ms):
                return True
            return any(emb and ft.kind == "iface" and any(m in ("Error", "String") for m in self.types.iface_methods(ft))
                       for info in self.types.structs.values() for _, ft, emb in info.fields)
        return any(self.types.lookup(t, m) is not None for m in ("Error", "String")) or \
            t.kind in ("slice", "map", "struct", "array") or (t.kind == "ptr" and t.elem is not None
                                                               and t.elem.kind == "struct")

    # ---- builtins and conversions

    def builtin(self, name: str, argn: list[Node], node: Node) -> Callee:
        data = self.data_builtin(name, argn, node)  # slices, maps, strings (models/lang/exprs.py)
        if data is not None:
            return data
        if name == "make":
            if not argn:
                self.err("make needs a type", node)
            if argn[0].type == "slice_type":
                return self.make_bytes(argn, node)
            t = self.types.resolve(argn[0])
            if t.kind != "chan":
                self.outside(f"make of {t}", argn[0], "only channels can be made")
            if len(argn) > 2:
                self.err("make(chan T, n) takes at most 2 arguments", node)
            cap = [self.value(argn[1], self.fb.temp())[0]] if len(argn) == 2 else []
            return Callee("lib", None, None, cap, (t,), node, "make", t)
        if name in ("len", "cap"):
            self._argc(argn, 1, name, node)
            c = self.const_eval(argn[0])
            if c is not None and isinstance(c[0], str):
                return Callee("lib", None, None, [], (INT,), node, "const", len(ir.go_bytes(c[0])))
            s, t = self.value(argn[0])
            if t.kind != "chan":
                self.outside(f"{name} of {t}", argn[0], f"{name} applies to channels")
            return Callee("lib", None, None, [s], (INT,), node, name)
        if name == "close":
            self._argc(argn, 1, name, node)
            return Callee("lib", None, None, self._values(argn), (), node, "close")
        if name == "panic":
            self._argc(argn, 1, name, node)
            return Callee("lib", None, None, self._values(argn), (), node, "panic")
        if name == "new":
            self._argc(argn, 1, name, node)
            t = self.types.resolve(argn[0])
            return Callee("lib", None, None, [], (GT("ptr", elem=t),), node, "new", t)
        if name == "recover":
            self._argc(argn, 0, name, node)
            return Callee("lib", None, None, [], (GT("iface", "any"),), node, "recover")
        if name in ("print", "println"):
            self.outside(f"builtin {name}", node, "use fmt.Println")
        if name in ("append", "copy", "delete", "clear"):
            self.outside(f"{name} (slices and maps)", node)
        self.outside(f"builtin {name}", node)

    def conversion(self, t: GT, argn: list[Node], node: Node) -> Callee:
        """``T(x)``: between a named type and its underlying type (the value
        is unchanged), into an interface, and the string conversions:
        ``[]byte(s)`` (a new slice of s's bytes), ``string(b)`` (b's bytes
        read, a race candidate each), ``string(r)`` (the UTF-8 of rune r)."""
        self._argc(argn, 1, f"conversion to {t}", node)
        if t.kind not in ("int", "bool", "string", "func", "slice", "map", "chan", "ptr", "iface"):
            self.outside(f"conversion to {t}", node)
        s, at = self.value(argn[0])
        if t.kind == "iface":
            return Callee("lib", None, None, [self.coerce(s, at, t, pos(node))], (t,), node, "move", True)
        byteish = ("byte", "uint8")
        if t.kind == "slice" and at.kind == "string":
            if t.elem is None or t.elem.kind != "int" or t.elem.name not in byteish:
                self.outside(f"conversion from {at} to {t}", node, "[]byte(s) is supported, []rune(s) is not")
            return Callee("lib", None, None, [s], (t,), node, "str.tobytes", self.types.to_ir(t.elem))
        if t.kind == "string" and at.kind == "slice":
            if at.elem is None or at.elem.kind != "int" or at.elem.name not in byteish:
                self.outside(f"conversion from {at} to {t}", node, "string(b) of a []byte b is supported")
            return Callee("lib", None, None, [s], (t,), node, "str.frombytes")
        if t.kind == "string" and at.kind == "int":
            return Callee("lib", None, None, [s], (t,), node, "str.fromrune")
        if at.kind != t.kind and at.kind != "nil":
            self.outside(f"conversion from {at} to {t}", node)
        if t.kind == "int" and t.bits and (t.bits, t.unsigned) != (at.bits, at.unsigned):
            return Callee("lib", None, None, [s], (t,), node, "narrow", t)  # byte(n): truncated
        return Callee("lib", None, None, [s], (t,), node, "move", True)

    # ---- packages

    def pkg_call(self, pkg: str, name: str, argn: list[Node], node: Node, fn: Node) -> Callee:
        full = f"{pkg}.{name}"
        lib = self.stdlib_call(pkg, name, argn, node)
        if lib is not None:
            return lib
        if pkg == "fmt" and name in PRINT_KINDS:
            return self.fmt_call(argn, name == "Printf", (), node, f"print.{PRINT_KINDS[name]}", full)
        if pkg == "sync" and name == "NewCond":
            self._argc(argn, 1, full, node)
            self.need_locker(pos(node))
            lk = self.coerce(*self.value(argn[0]), LOCKER, pos(argn[0]))  # c.L is a sync.Locker
            return Callee("lib", None, None, [lk],
                          (GT("ptr", elem=GT("sync.Cond", "sync.Cond")),), node, "sync.NewCond", True)
        if pkg == "sync/atomic":
            for prefix, op in ATOMIC_FUNCS.items():
                if name.startswith(prefix) and name[len(prefix):] in ("Int32", "Int64", "Uint32", "Uint64"):
                    self._argc(argn, ATOMIC_ARGC[op], full, node)
                    res = {"add": (INT,), "load": (INT,), "swap": (INT,), "cas": (BOOL,), "store": ()}[op]
                    return Callee("lib", None, None, self._values(argn), res, node, f"atomic.{op}")
        if pkg == "time" and name == "Sleep":
            self._argc(argn, 1, full, node)
            return Callee("lib", None, None, self._values(argn), (), node, "time.Sleep")
        if pkg == "time" and name == "After":
            self._argc(argn, 1, full, node)
            return Callee("lib", None, None, self._values(argn),
                          (GT("chan", elem=GT("int", "time.Time")),), node, "time.After")
        if pkg == "time" and name == "Duration":
            return self.conversion(GT("int", "time.Duration"), argn, node)
        if pkg == "context" and name in ("Background", "TODO"):
            self._argc(argn, 0, full, node)
            return Callee("lib", None, None, [], (CONTEXT,), node, "context.Background", True)
        if pkg == "context" and name == "WithCancel":
            self._argc(argn, 1, full, node)
            return Callee("lib", None, None, self._values(argn), (CONTEXT, CANCEL), node,
                          "context.WithCancel", True)
        if pkg == "runtime" and name in ("Gosched", "Goexit"):
            self._argc(argn, 0, full, node)
            return Callee("lib", None, None, [], (), node, f"runtime.{name}")
        if pkg == "runtime" and name == "GOMAXPROCS":
            self._argc(argn, 1, full, node)
            return Callee("lib", None, None, self._values(argn), (INT,), node, "runtime.GOMAXPROCS")
        if pkg == "syscall" and name == "Sync":
            self._argc(argn, 0, full, node)
            return Callee("lib", None, None, [], (), node, "syscall.Sync")
        if pkg == "os" and name == "Pipe":
            self._argc(argn, 0, full, node)
            return Callee("lib", None, None, [], (FILE_PTR, FILE_PTR, ERROR), node, "os.Pipe", True)
        self.outside(f"{full}", fn, self._allowed(pkg))

    # ---- system calls and os.Pipe files (docs/go-semantics.md 1.7, 6)

    def make_bytes(self, argn: list[Node], node: Node) -> Callee:
        """``make([]byte, K)``, K a constant >= 1: the only slice the subset
        has, a read buffer whose value is its length (see `file_call`)."""
        elem = named(argn[0])
        if len(argn) != 2 or not elem or text(elem[0]) not in ("byte", "uint8"):
            self.outside(f"make({text(argn[0])}, ...)" if argn[0].type == "slice_type" else "slices", node,
                         "the only slice is a read buffer: buf := make([]byte, K) with a constant K >= 1")
        c = self.const_eval(argn[1])
        if c is None or not isinstance(c[0], int) or isinstance(c[0], bool) or c[0] < 1:
            self.outside("make([]byte, n) with a non-constant or zero length", argn[1],
                         "the read buffer's length must be a constant >= 1")
        return Callee("lib", None, None, [], (BYTES,), node, "const", c[0])

    def file_call(self, name: str, base: int, argn: list[Node], node: Node, fn: Node) -> Callee:
        """Methods of the ``*os.File`` ends of ``os.Pipe()``: ``Read(buf)``
        with ``buf`` a variable made by ``make([]byte, K)``; ``Write([]byte(s))``
        with a ``[]byte`` conversion of a string written in the call; ``Close()``."""
        allowed = ("supported on *os.File (from os.Pipe): Read(buf) with buf := make([]byte, K), "
                   "Write([]byte(s)), Close()")
        if name == "Close":
            self._argc(argn, 0, "Close", node)
            return Callee("lib", None, None, [base], (ERROR,), node, "os.File.Close")
        if name == "Read":
            self._argc(argn, 1, "Read", node)
            a = unparen(argn[0])
            if a.type != "identifier":
                self.outside("this argument of (*os.File).Read", a,
                             "pass a variable made by buf := make([]byte, K)")
            self._bytes_ok = True
            try:
                s, t = self.value(a)
            finally:
                self._bytes_ok = False
            if t != BYTES:
                self.err(f"cannot use {text(a)} (type {t}) as []byte in argument to Read", a)
            return Callee("lib", None, None, [base, s], (INT, ERROR), node, "os.File.Read")
        if name == "Write":
            self._argc(argn, 1, "Write", node)
            a = unparen(argn[0])
            conv = named(a)
            if a.type != "type_conversion_expression" or len(conv) != 2 or conv[0].type != "slice_type" \
                    or text(named(conv[0])[0]) not in ("byte", "uint8"):
                self.outside("this argument of (*os.File).Write", a, "write a conversion []byte(s) of a string s")
            s, t = self.value(conv[1])
            if t.kind != "string":
                self.outside(f"[]byte({t})", a, "only a string converts to []byte")
            return Callee("lib", None, None, [base, s], (INT, ERROR), node, "os.File.Write")
        self.outside(f"(*os.File).{name}", fn, allowed)

    def _allowed(self, pkg: str) -> str:
        return {
            "fmt": "supported: fmt.Println, fmt.Print, fmt.Printf, Sprintf, Sprint, Sprintln, Errorf",
            "sync": "supported: sync.NewCond and the methods of Mutex, RWMutex, WaitGroup, Once, Cond",
            "sync/atomic": "supported: Add/Load/Store/Swap/CompareAndSwap of Int32/Int64/Uint32/Uint64",
            "time": "supported: time.Sleep, After, NewTimer, NewTicker, Tick, AfterFunc, Now, Since, Until, "
                    "time.Duration and duration constants, time.Time and its Add, Sub, Before, After, Equal, "
                    "IsZero",
            "context": "supported: context.Background, TODO, WithCancel, WithTimeout, WithDeadline, WithValue",
            "errors": "supported: errors.New, errors.Is, errors.Unwrap",
            "strconv": "supported: strconv.Itoa",
            "log": "supported: log.Print, Printf, Println, Fatal, Fatalf, Fatalln, Panic, Panicf",
            "math/rand": "supported: rand.Intn, Int31n, Int63n (a choice over the range), rand.Seed",
            "runtime": "supported: runtime.Gosched, Goexit, GOMAXPROCS",
            "os": "supported: os.Pipe and the Read/Write/Close methods of its *os.File ends",
            "syscall": "supported: syscall.Sync (a blocking system call)",
        }.get(pkg, "")

    def lib_method(self, kind: str, name: str, base: int, argn: list[Node], node: Node,
                   fn: Node) -> Callee:
        if name not in LIB_METHODS.get(kind, frozenset()):
            self.outside(f"{kind}.{name}", fn)
        if kind == "sync.RWMutex" and name == "RLocker":
            self._argc(argn, 0, name, node)
            self.need_locker(pos(node))
            return Callee("lib", None, None, [base], (LOCKER,), node, "sync.RLocker")
        if kind in ("sync.Mutex", "sync.RWMutex"):
            self._argc(argn, 0, name, node)
            return Callee("lib", None, None, [base], (BOOL,) if name == "TryLock" else (), node,
                          SYNC_OPS[name])
        if kind == "sync.WaitGroup":
            if name == "Add":
                self._argc(argn, 1, name, node)
                return Callee("lib", None, None, [base] + self._values(argn), (), node, "sync.WgAdd")
            self._argc(argn, 0, name, node)
            return Callee("lib", None, None, [base], (), node, f"sync.Wg{name}")
        if kind == "sync.Once":
            self._argc(argn, 1, name, node)
            return Callee("lib", None, None, [base] + self._values(argn), (), node, "sync.OnceDo")
        if kind == "sync.Cond":
            self._argc(argn, 0, name, node)
            return Callee("lib", None, None, [base], (), node, f"sync.Cond{name}")
        if kind == "sync.Map":
            return self.sync_map_call(name, base, argn, node)
        # typed atomics: an object with field "v"
        op = ATOMIC_FUNCS[name]
        self._argc(argn, ATOMIC_ARGC[op] - 1, name, node)
        vt = BOOL if kind == "atomic.Bool" else (GT("iface", "any") if kind == "atomic.Value" else INT)
        res = {"add": (vt,), "load": (vt,), "swap": (vt,), "cas": (BOOL,), "store": ()}[op]
        if kind == "atomic.Value":  # the operands enter an interface{}: wrapped with their dynamic type
            vals = [self.coerce(*self.owned(a), vt, pos(a)) for a in argn]
            return Callee("lib", None, None, [base] + vals, res, node, f"atomic.obj.{op}")
        return Callee("lib", None, None, [base] + self._values(argn), res, node, f"atomic.obj.{op}")

    def need_locker(self, p: tuple[int, int]) -> None:
        """The program uses sync.Locker values: the bound Lock/Unlock methods of
        *sync.Mutex, *sync.RWMutex and the rlocker are added (gotypes.locker_functions)."""
        if not self.types.uses_locker:
            self.types.uses_locker, self.types.locker_pos = True, p
        self.types.uses_ifaces = True

    def sync_map_call(self, name: str, base: int, argn: list[Node], node: Node) -> Callee:
        """The methods of ``sync.Map`` (models/syncmap.py): keys and values enter
        ``interface{}`` with their dynamic types; ``Range(f)`` is a key snapshot,
        then a Load and a call of f per key (see `emit_sync_map_range`)."""
        anyt = GT("iface", "any")
        argc = {"Load": 1, "Store": 2, "LoadOrStore": 2, "LoadAndDelete": 1, "Delete": 1, "Range": 1}[name]
        self._argc(argn, argc, name, node)
        if name == "Range":
            f, ft = self.value(argn[0])
            if ft.kind != "func" or len(ft.params) != 2 or ft.results != (BOOL,):
                self.err(f"cannot use {text(argn[0])} (type {ft}) as func(key, value any) bool in argument to Range",
                         argn[0])
            return Callee("lib", None, None, [base, f], (), node, "syncmap.range")
        vals = [self.coerce(*self.owned(a), anyt, pos(a)) for a in argn]
        res = {"Load": (anyt, BOOL), "LoadOrStore": (anyt, BOOL), "LoadAndDelete": (anyt, BOOL)}.get(name, ())
        return Callee("lib", None, None, [base] + vals, res, node, f"syncmap.{name.lower()}")

    def emit_sync_map_range(self, m: int, f: int, p: tuple[int, int]) -> None:
        """``m.Range(f)``: keys := snapshot (SyncMap keys, one order per choice);
        for each key: v, ok := Load(key); if ok && !f(key, v) { break }."""
        fb = self.fb
        keys, n, i, one, c, k, v, ok, r = (fb.temp() for _ in range(9))
        fb.emit(ir.SyncMap("keys", keys, None, m, None, None, p))
        fb.emit(ir.SliceLen(n, keys, False, p))
        fb.emit(ir.Const(i, 0, p))
        fb.emit(ir.Const(one, 1, p))
        top, body, call, cont, end = Label(), Label(), Label(), Label(), Label()
        fb.place(top)
        fb.emit(ir.BinOp(c, "<", i, n, p))
        fb.branch(c, body, end, p)
        fb.place(body)
        fb.emit(ir.TupleGet(k, keys, i, p))
        fb.emit(ir.SyncMap("load", v, ok, m, k, None, p))
        fb.branch(ok, call, cont, p)
        fb.place(call)
        fb.emit(ir.Call((r,), None, f, (k, v), p))
        fb.branch(r, cont, end, p)
        fb.place(cont)
        fb.emit(ir.BinOp(i, "+", i, one, p))
        fb.jump(top, p)
        fb.place(end)
        fb.emit(ir.Nop(p))

    def test_call(self, name: str, argn: list[Node], node: Node, fn: Node) -> Callee:
        """``t.X(...)`` on the test's *testing.T (the receiver is not read:
        the entry gets a nil *testing.T and no operation looks at it)."""
        if name in TEST_KINDS:
            return self.fmt_call(argn, name.endswith("f"), (), node, f"test.{TEST_KINDS[name]}", f"t.{name}")
        if name == "Helper" or name == "Parallel":
            if name == "Helper":  # this function's callers' lines name its t.Log calls (ir.Program.test_log_line)
                self.unit.helpers.add(self.fb.name)
            return Callee("lib", None, None, [], (), node, "nop")
        if name == "Run":
            self._argc(argn, 2, name, node)
            if unparen(argn[1]).type == "func_literal":
                self.unit.subtests.add(unparen(argn[1]).start_byte)  # its t.Cleanup is the subtest's
            return Callee("lib", None, None, self._values(argn)[1:], (), node, "test.run")
        if name == "Cleanup":
            self._argc(argn, 1, name, node)
            recv = unparen(required(fn, "operand"))
            b = self._lookup_opt(text(recv)) if recv.type == "identifier" else None
            if self.fb.cleanup_cell is None or not isinstance(b, Var) or b.owner is not self.fb:
                self.outside("t.Cleanup outside the test function or a t.Run func literal", fn,
                             "call t.Cleanup in the Test function (or the subtest's func literal) itself")
            f, ft = self.value(argn[0])
            return Callee("lib", None, None, [self.fb.cleanup_cell, f], (), node, "test.cleanup")
        if name in ("Skip", "Skipf"):
            if argn and argn[-1].type == "variadic_argument":
                return self.fmt_call(argn, name == "Skipf", (), node, "test.skipf" if name == "Skipf" else "test.skip",
                                     f"t.{name}")
            return Callee("lib", None, None, self._values(argn), (), node,
                          "test.skipf" if name == "Skipf" else "test.skip")
        if name == "SkipNow":
            return Callee("lib", None, None, [], (), node, "test.skip")
        if name == "FailNow":
            return Callee("lib", None, None, [], (), node, "test.fatal")
        if name == "Fail":
            return Callee("lib", None, None, [], (), node, "test.error")
        self.outside(f"testing.T.{name}", fn, "supported: Fatal(f), Error(f), Log(f), Helper, Fail, FailNow, "
                     "Run, Parallel (no effect), Skip(f), SkipNow, Cleanup")

    def subtest_runner(self, p: tuple[int, int]) -> None:
        """``t.Run(name, f)`` (testing.go tRunner): f runs in a goroutine of its
        own and t.Run waits for it to end; t.Fatal in f ends only that
        goroutine (runtime.Goexit) and its deferred signal still lets t.Run
        return.  The runner is `SUBTEST` (f, done): defer close(done); f(nil)."""
        if SUBTEST in self.out:
            return
        self.out[SUBTEST_DONE] = ir.Function(SUBTEST_DONE, 0, 1, 0, 1, ("done",), (ir.Close(0, p), ir.Return((), p)),
                                             pos=p)
        self.out[SUBTEST] = ir.Function(
            SUBTEST, 0, 2, 0, 3, ("f", "done", "t"),
            (ir.Defer(SUBTEST_DONE, None, (1,), p), ir.Const(2, None, p), ir.Call((), None, 0, (2,), p),
             ir.Return((), p)), pos=p)

    def ctx_call(self, name: str, base: int, argn: list[Node], node: Node, fn: Node) -> Callee:
        if name == "Done":
            return Callee("lib", None, None, [base], (GT("chan", elem=UNIT),), node, "ctx.Done")
        if name == "Err":
            return Callee("lib", None, None, [base], (ERROR,), node, "ctx.Err")
        if name == "Value":
            self._argc(argn, 1, "Value", node)
            return Callee("lib", None, None, [base] + self._values(argn), (GT("iface", "any"),), node, "ctx.Value")
        self.outside(f"context.Context.{name}", fn, "supported: Done, Err, Value")

    # ---- the rest of the standard library (models/library.py)

    def stdlib_call(self, pkg: str, name: str, argn: list[Node], node: Node) -> Callee | None:
        """time timers, context deadlines and values, errors, fmt.Sprint*/Errorf,
        strconv.Itoa, log, math/rand; None when `pkg.name` is not one of them."""
        full = f"{pkg}.{name}"
        timer_t = GT("ptr", elem=self.types.timer_struct("time.Timer", node))
        if pkg == "time" and name in ("NewTimer", "NewTicker", "Tick"):
            self._argc(argn, 1, full, node)
            res = (GT("chan", elem=TIME),) if name == "Tick" else \
                (GT("ptr", elem=self.types.timer_struct("time.Ticker", node)),) if name == "NewTicker" else (timer_t,)
            return Callee("lib", None, None, self._values(argn), res, node, f"time.{name}")
        if pkg == "time" and name == "AfterFunc":
            self._argc(argn, 2, full, node)
            return Callee("lib", None, None, self._values(argn), (timer_t,), node, "time.AfterFunc")
        if pkg == "time" and name == "Now":
            self._argc(argn, 0, full, node)
            return Callee("lib", None, None, [], (TIME,), node, "const", ir.TIME_NOW)
        if pkg == "time" and name in ("Since", "Until"):
            self._argc(argn, 1, full, node)
            return Callee("lib", None, None, self.args(argn, GT("func", params=(TIME,)), node), (DURATION,), node, full, full)
        if pkg == "context" and name in ("WithTimeout", "WithDeadline"):
            self._argc(argn, 2, full, node)
            return Callee("lib", None, None, self._values(argn), (CONTEXT, CANCEL), node, "context.WithDeadline",
                          name == "WithTimeout")
        if pkg == "context" and name == "WithValue":
            self._argc(argn, 3, full, node)
            return Callee("lib", None, None, self._values(argn), (CONTEXT,), node, "context.WithValue", True)
        if pkg == "errors" and name == "New":
            self._argc(argn, 1, full, node)
            return Callee("lib", None, None, self._values(argn), (ERROR,), node, "format.new")
        if pkg == "errors" and name == "Is":
            self._argc(argn, 2, full, node)
            return Callee("lib", None, None, self._values(argn), (BOOL,), node, "strop.errorsis")
        if pkg == "errors" and name == "Unwrap":
            self._argc(argn, 1, full, node)
            return Callee("lib", None, None, self._values(argn), (ERROR,), node, "strop.unwrap")
        if pkg == "fmt" and name in ("Sprintf", "Sprint", "Sprintln", "Errorf"):
            res = (ERROR,) if name == "Errorf" else (STRING,)
            return self.fmt_call(argn, name in ("Sprintf", "Errorf"), res, node, f"format.{name.lower()}", full)
        if pkg == "strconv" and name == "Itoa":
            self._argc(argn, 1, full, node)
            return Callee("lib", None, None, self._values(argn), (STRING,), node, "format.itoa")
        if pkg == "strconv" and name == "Atoi":
            self._argc(argn, 1, full, node)
            return Callee("lib", None, None, self._values(argn), (INT, ERROR), node, "strop.atoi")
        if pkg == "strings" and name in STRINGS_FUNCS:
            sop, sres = STRINGS_FUNCS[name]
            self._argc(argn, 2, full, node)
            if name == "Join":  # the elements are read from the slice: SliceValues
                return Callee("lib", None, None, self._values(argn), (sres,), node, "str.join")
            return Callee("lib", None, None, self._values(argn), (sres,), node, f"strop.{sop}")
        if pkg == "fmt" and name in ("Fprint", "Fprintf", "Fprintln"):
            return self.fprint(name, argn, node)
        if pkg == "io" and name == "ReadFull":
            self._argc(argn, 2, full, node)
            r = self.coerce(*self.value(argn[0]), IO_READER, pos(argn[0]))
            buf, bt = self.value(argn[1])
            if bt.kind != "slice":
                self.outside(f"io.ReadFull into a {bt}", argn[1], "read into a []byte slice")
            self.read_full_function(pos(node))
            return Callee("func", READ_FULL, None, [r, buf], (INT, ERROR), node)
        if pkg == "runtime" and name == "NumGoroutine":
            self._argc(argn, 0, full, node)
            return Callee("lib", None, None, [], (INT,), node, "runtime.NumGoroutine")
        if pkg == "testing" and name == "Short":
            self._argc(argn, 0, full, node)  # go test without -short (what the model checks)
            return Callee("lib", None, None, [], (BOOL,), node, "const", False)
        if pkg == "log" and name in ("Print", "Printf", "Println"):
            return self.fmt_call(argn, name.endswith("f"), (), node, "nop", full)
        if pkg == "log" and name in ("Fatal", "Fatalf", "Fatalln"):
            return self.fmt_call(argn, name.endswith("f"), (), node, f"log.{name.lower()}", full)
        if pkg == "log" and name in ("Panic", "Panicf", "Panicln"):
            kind = {"Panic": "sprint", "Panicf": "sprintf", "Panicln": "sprintln"}[name]
            return self.fmt_call(argn, name.endswith("f"), (), node, f"log.panic.{kind}", full)
        if pkg == "math/rand" and name in ("Intn", "Int31n", "Int63n"):
            self._argc(argn, 1, full, node)
            return Callee("lib", None, None, self._values(argn), (INT,), node, "rand.Intn", f"rand.{name}")
        if pkg == "math/rand" and name == "Seed":
            self._argc(argn, 1, full, node)
            return Callee("lib", None, None, self._values(argn), (), node, "nop")
        return None

    def read_full_function(self, p: tuple[int, int]) -> None:
        """``io.ReadFull(r, buf)`` as Go's io.ReadAtLeast(r, buf, len(buf))
        (io/io.go): call r.Read(buf[n:]) until n == len(buf) or an error;
        enough bytes clear the error, a partial read ending at EOF is
        ErrUnexpectedEOF."""
        if READ_FULL in self.unit.functions or READ_FULL in self.out:
            return
        w = FuncBuilder(READ_FULL, pos=p, lazy_captures=False)
        w.nparams, w.nresults = 2, 2
        r, buf = w.slot("r"), w.slot("buf")
        n, err, nn, mn, c, nil_, rest, f, eof = (w.slot(x) for x in ("n", "err", "nn", "min", "", "", "", "", ""))
        w.emit(ir.SliceLen(mn, buf, False, p))
        w.emit(ir.Const(n, 0, p))
        w.emit(ir.Const(err, None, p))
        w.emit(ir.Const(nil_, None, p))
        top, body, done, clear, partial, ret = Label(), Label(), Label(), Label(), Label(), Label()
        w.place(top)
        w.emit(ir.BinOp(c, "<", n, mn, p))
        w.branch(c, body, done, p)
        w.place(body)
        w.emit(ir.BinOp(c, "==", err, nil_, p))
        mid = Label()
        w.branch(c, mid, done, p)
        w.place(mid)
        w.emit(ir.Reslice(rest, buf, n, None, None, p))
        w.emit(ir.IfaceMethod(f, r, "Read", p))
        w.emit(ir.Call((nn, err), None, f, (rest,), p))
        w.emit(ir.BinOp(n, "+", n, nn, p))
        w.jump(top, p)
        w.place(done)
        w.emit(ir.BinOp(c, ">=", n, mn, p))
        w.branch(c, clear, partial, p)
        w.place(clear)
        w.emit(ir.Const(err, None, p))
        w.jump(ret, p)
        w.place(partial)
        w.emit(ir.Const(eof, "EOF", p))
        w.emit(ir.BinOp(c, "==", err, eof, p))
        got, keep = Label(), Label()
        w.branch(c, got, keep, p)
        w.place(got)
        w.emit(ir.Const(c, 0, p))
        w.emit(ir.BinOp(c, ">", n, c, p))
        unexp = Label()
        w.branch(c, unexp, keep, p)
        w.place(unexp)
        w.emit(ir.Const(err, "unexpected EOF", p))
        w.place(keep)
        w.place(ret)
        w.emit(ir.Return((n, err), p))
        self.out[READ_FULL] = w.finish(0)
        self.types.uses_ifaces = True

    def fprint(self, name: str, argn: list[Node], node: Node) -> Callee:
        """``fmt.Fprint*(w, ...)`` with w ``os.Stdout`` (as ``fmt.Print*``) or
        ``os.Stderr`` (not program output, like log: the operands are still
        evaluated and their String/Error methods called)."""
        if not argn:
            self.err(f"not enough arguments in call to fmt.{name}", node)
        w = unparen(argn[0])
        where = text(w) if w.type == "selector_expression" else ""
        op = unparen(required(w, "operand")) if w.type == "selector_expression" else None
        if op is None or op.type != "identifier" or not isinstance(self._lookup_opt(text(op)), PkgB) \
                or self._lookup_opt(text(op)).path != "os" or where.split(".")[-1] not in ("Stdout", "Stderr"):
            self.outside(f"fmt.{name} to {text(w)}", w, "write to os.Stdout or os.Stderr")
        kind = PRINT_KINDS[name[1:]]
        return self.fmt_call(argn[1:], name == "Fprintf", (), node,
                             "nop" if where.endswith("Stderr") else f"print.{kind}", f"fmt.{name}")

    def time_method(self, name: str, base: int, argn: list[Node], node: Node, fn: Node) -> Callee:
        """``t.Add(d)`` on the abstract time.Time (models/library.py: time.Now()
        is 0): t + d.  Comparing times (Before, After, Sub) would read that
        abstraction as if no time ever passed: outside."""
        if name == "Add":
            self._argc(argn, 1, name, node)
            return Callee("lib", None, None, [base] + self._values(argn), (TIME,), node, "time.Add")
        self.outside(f"time.Time.{name}", fn, "supported: t.Add(d); compare durations from time.Since")

    def timer_call(self, kind: str, name: str, base: int, argn: list[Node], node: Node, fn: Node) -> Callee:
        """``(*time.Timer).Stop/Reset`` (report whether it was pending) and ``(*time.Ticker).Stop/Reset``."""
        res = (BOOL,) if kind == "time.Timer" else ()
        if name == "Stop":
            self._argc(argn, 0, name, node)
            return Callee("lib", None, None, [base], res, node, "timer.Stop")
        if name == "Reset":
            self._argc(argn, 1, name, node)
            return Callee("lib", None, None, [base] + self._values(argn), res, node, "timer.Reset")
        self.outside(f"(*{kind}).{name}", fn, "supported: C, Stop, Reset")

    def time_call(self, name: str, base: int, argn: list[Node], node: Node, fn: Node) -> Callee:
        """A method of a ``time.Time`` value (abstract instants: `emit_time`)."""
        sig = TIME_METHODS.get(name)
        if sig is None:
            self.outside(f"time.Time.{name}", fn, "supported: " + ", ".join(sorted(TIME_METHODS)) +
                         " (time is abstract: docs/go-subset.md)")
        params, results = sig
        self._argc(argn, len(params), name, node)
        return Callee("lib", None, None, [base] + self.args(argn, GT("func", params=params), node), results, node,
                      f"time.Time.{name}")

    def emit_time(self, op: str, a: list[int], d: int, p: tuple[int, int]) -> None:
        """``time.Time`` operations over abstract instants (`models.ir.TIME_NOW`).

        Add and IsZero are exact.  Before, After, Equal and Sub of two clock
        readings depend on how far apart the readings were, which the model
        does not know: Before/After/Equal are a choice (true or false), Sub a
        choice of the offset difference, or that plus or minus `TIME_APART`
        ("a lot later/earlier").  Every outcome some durations give is
        explored, plus some that no durations give (the choice is made again
        at every call).  A reading against a zero-based value, or two
        zero-based values, compare exactly; Sub saturates as Go's does
        (time/time.go: a reading minus the zero Time overflows to
        maxDuration).  Since/Until: ``time.Now()`` is a fresh reading, no
        time or `TIME_APART` after `a[0]`'s reading (a choice)."""
        fb = self.fb

        def const(v: Any) -> int:
            return fb.const(v, p)

        def binop(op2: str, x: int, y: int, into: int | None = None) -> int:
            r = fb.temp() if into is None else into
            fb.emit(ir.BinOp(r, op2, x, y, p))
            return r

        def choose(n: int) -> int:
            x = fb.temp()
            fb.emit(ir.Choose(x, const(n), op, p))
            return x

        bound: list[int] = []

        def reading(x: int) -> int:  # is `x` a clock reading (not the zero Time plus a duration)?
            if not bound:
                bound.append(const(ir.TIME_READING))
            return binop(">=", x, bound[0])

        if op == "time.Time.IsZero":
            binop("==", a[0], const(0), d)
            return
        if op == "time.Time.Add":
            binop("+", a[0], a[1], d)
            return
        end = Label()
        if op in ("time.Since", "time.Until"):
            yes, no = Label(), Label()
            fb.branch(reading(a[0]), yes, no, p)
            fb.place(yes)
            elapsed = binop("*", choose(2), const(ir.TIME_APART))
            off = binop("-", a[0], const(ir.TIME_NOW))
            binop("-", elapsed, off, d) if op == "time.Since" else binop("-", off, elapsed, d)
            fb.jump(end, p)
            fb.place(no)  # now minus the zero Time (plus a duration) overflows: maxDuration
            fb.emit(ir.Const(d, ir.DURATION_MAX if op == "time.Since" else ir.DURATION_MIN, p))
            fb.place(end)
            return
        both, exact, first = Label(), Label(), Label()
        r0, r1 = reading(a[0]), reading(a[1])
        fb.branch(r0, first, exact, p)
        fb.place(first)
        fb.branch(r1, both, exact, p)
        fb.place(both)
        if op == "time.Time.Sub":
            shift = binop("*", binop("-", choose(3), const(1)), const(ir.TIME_APART))
            binop("+", binop("-", a[0], a[1]), shift, d)
        else:
            binop("==", choose(2), const(1), d)
        fb.jump(end, p)
        fb.place(exact)
        if op == "time.Time.Sub":
            same, mixed, hi, lo = Label(), Label(), Label(), Label()
            fb.branch(binop("==", r0, r1), same, mixed, p)
            fb.place(same)
            binop("-", a[0], a[1], d)
            fb.jump(end, p)
            fb.place(mixed)  # a reading and a zero-based value: Go's Sub saturates
            fb.branch(r0, hi, lo, p)
            fb.place(hi)
            fb.emit(ir.Const(d, ir.DURATION_MAX, p))
            fb.jump(end, p)
            fb.place(lo)
            fb.emit(ir.Const(d, ir.DURATION_MIN, p))
        else:
            binop({"time.Time.Before": "<", "time.Time.After": ">", "time.Time.Equal": "=="}[op], a[0], a[1], d)
        fb.place(end)

    # ---- emitting library operations

    def emit_lib(self, op: str, a: list[int], dsts: list[int], p: tuple[int, int], static: Any,
                 node: Node, rest: int | None = None) -> None:
        """Emit library operation `op` on operand slots `a` into `dsts`; `rest`:
        the slot of the tuple of a print-like call's ``args...`` values."""
        fb = self.fb

        def d0() -> int:
            return dsts[0] if dsts else fb.temp()

        simple: dict[str, Callable[..., ir.Instr]] = {"close": ir.Close, "panic": ir.Panic, "sync.Lock": ir.Lock, "sync.Unlock": ir.Unlock,
                  "sync.RLock": ir.RLock, "sync.RUnlock": ir.RUnlock, "sync.WgWait": ir.WgWait,
                  "time.Sleep": ir.Sleep}
        if op in simple:
            fb.emit(simple[op](*a, pos=p))
        elif op.startswith("data."):
            self.emit_data(op, a, dsts, p, static)
        elif op == "make":
            fb.emit(ir.MakeChan(d0(), self.types.to_ir(static.elem), a[0] if a else None, p))
        elif op == "new":
            fb.emit(ir.New(d0(), self.types.to_ir(static), p))
        elif op == "const":
            fb.emit(ir.Const(d0(), static, p))
        elif op == "move":
            if dsts and dsts[0] != a[0]:
                fb.emit(ir.Move(dsts[0], a[0], p))
            elif not dsts:
                fb.emit(ir.Nop(p))
        elif op == "nop":
            fb.emit(ir.Nop(p))
        elif op in ("time.NewTimer", "time.NewTicker", "time.Tick", "time.AfterFunc"):
            kind = {"time.NewTimer": "timer", "time.AfterFunc": "afterfunc"}.get(op, "ticker")
            if op == "time.Tick":
                tk, c = fb.temp(), d0()
                fb.emit(ir.TimerMake(tk, a[0], kind, None, p))
                fb.emit(ir.FieldAddr(c, tk, "C", None, p))
                fb.emit(ir.Load(c, c, p))
            else:
                fb.emit(ir.TimerMake(d0(), a[0], kind, a[1] if len(a) > 1 else None, p))
        elif op in ("timer.Stop", "timer.Reset"):
            fb.emit(ir.TimerStop(dsts[0] if dsts else None, a[0], a[1] if len(a) > 1 else None, p))
        elif op in ("time.Since", "time.Until") or op.startswith("time.Time."):
            self.emit_time(op, a, d0(), p)  # abstract instants: models.ir.TIME_NOW
        elif op == "rand.Intn":
            fb.emit(ir.Choose(d0(), a[0], static, p))
        elif op == "context.WithDeadline":
            ctx = d0()
            cancel = dsts[1] if len(dsts) > 1 else fb.temp()
            fb.emit(ir.WithDeadline(ctx, a[0], a[1], bool(static), p))
            fb.emit(ir.MakeClosure(cancel, "context.cancel", (ctx,), p))
        elif op == "context.WithValue":
            fb.emit(ir.WithValue(d0(), a[0], a[1], a[2], p))
        elif op == "ctx.Value":
            fb.emit(ir.CtxValue(d0(), a[0], a[1], p))
        elif op.startswith("format."):
            fb.emit(ir.Format(d0(), op[7:], tuple(a), p, rest))
        elif op == "errors.Is":
            fb.emit(ir.BinOp(d0(), "==", a[0], a[1], p))
        elif op.startswith("log.fatal"):
            fb.emit(ir.Exit(op[4:], tuple(a), p, rest))
        elif op.startswith("log.panic."):
            msg = fb.temp()
            fb.emit(ir.Format(msg, op[10:], tuple(a), p, rest))
            fb.emit(ir.Panic(msg, p))
        elif op == "sync.RLocker":
            fb.emit(ir.MakeIface(d0(), a[0], "*sync.rlocker", p))
        elif op == "recover":
            if fb.name.startswith("recover@"):  # defer recover(): not called by a deferred function
                fb.emit(ir.Const(d0(), None, p))
            else:
                fb.emit(ir.Recover(d0(), p))
        elif op == "len":
            fb.emit(ir.LenOf(d0(), a[0], p))
        elif op == "cap":
            fb.emit(ir.CapOf(d0(), a[0], p))
        elif op == "sync.TryLock":
            fb.emit(ir.TryLock(d0(), a[0], p))
        elif op == "sync.WgAdd":
            fb.emit(ir.WgAdd(a[0], a[1], p))
        elif op == "sync.WgDone":
            m = fb.temp()
            fb.emit(ir.Const(m, -1, p))
            fb.emit(ir.WgAdd(a[0], m, p))
        elif op == "sync.OnceDo":
            flag = fb.temp()
            run, skip = Label(), Label()
            fb.emit(ir.OnceBegin(flag, a[0], p))
            fb.branch(flag, run, skip, p)
            fb.place(run)
            fb.emit(ir.Call((), None, a[1], (), p))
            fb.emit(ir.OnceEnd(a[0], p))
            fb.place(skip)
            fb.emit(ir.Nop(p))
        elif op == "sync.NewCond":
            fb.emit(ir.MakeCond(d0(), a[0], p))
        elif op == "sync.CondWait":
            fb.emit(ir.CondWait(a[0], p))
            fb.emit(ir.CondRelock(a[0], p))
        elif op in ("sync.CondSignal", "sync.CondBroadcast"):
            fb.emit(ir.CondSignal(a[0], op == "sync.CondBroadcast", p))
        elif op.startswith("atomic."):
            kind = op.rsplit(".", 1)[1]
            ptr = a[0]
            if op.startswith("atomic.obj."):
                ptr = fb.temp()
                fb.emit(ir.FieldAddr(ptr, a[0], "v", None, p))
            vals = a[1:] + [None, None]
            dst = None if kind == "store" else d0()
            fb.emit(ir.AtomicOp(kind, dst, ptr, vals[0], vals[1], p))
        elif op.startswith("strop."):
            fb.emit(ir.StrOp(op[6:], tuple(dsts) if dsts else (fb.temp(),), tuple(a), p))
        elif op == "str.join":
            tup = fb.temp()
            fb.emit(ir.SliceValues(tup, a[0], p))
            fb.emit(ir.StrOp("join", (d0(),), (tup, a[1]), p))
        elif op == "narrow":
            d = d0()
            fb.emit(ir.Move(d, a[0], p))
            self.narrow(d, static, p)
        elif op == "time.Add":
            fb.emit(ir.BinOp(d0(), "+", a[0], a[1], p))
        elif op == "runtime.NumGoroutine":
            fb.emit(ir.NumGoroutine(d0(), p))
        elif op == "str.tobytes":
            tup = fb.temp()
            fb.emit(ir.StrOp("tobytes", (tup,), (a[0],), p))
            fb.emit(ir.SliceOfTuple(d0(), static, tup, p))
        elif op == "str.frombytes":
            tup = fb.temp()
            fb.emit(ir.SliceValues(tup, a[0], p))
            fb.emit(ir.StrOp("frombytes", (d0(),), (tup,), p))
        elif op == "str.fromrune":
            fb.emit(ir.StrOp("fromrune", (d0(),), (a[0],), p))
        elif op == "syncmap.range":
            self.emit_sync_map_range(a[0], a[1], p)
        elif op.startswith("syncmap."):
            kind = op[8:]
            two = kind in ("load", "loadorstore", "loadanddelete")
            dst = (dsts[0] if dsts else None) if two else None
            ok = (dsts[1] if len(dsts) > 1 else None) if two else None
            fb.emit(ir.SyncMap(kind, dst, ok, a[0], a[1], a[2] if len(a) > 2 else None, p))
        elif op.startswith("print."):
            fb.emit(ir.Print(op[6:], tuple(a), p, rest))
        elif op == "test.cleanup":  # the cell's slice gets f (the test goroutine's own memory)
            s_ = fb.temp()
            fb.emit(ir.Load(s_, a[0], p))
            fb.emit(ir.Append(s_, s_, (a[1],), None, None, None, p))
            fb.emit(ir.Store(a[0], s_, p))
        elif op == "test.run":
            self.subtest_runner(p)
            done = fb.temp()
            fb.emit(ir.MakeChan(done, ir.Type("unit"), None, p))
            fb.emit(ir.Go(SUBTEST, None, (a[0], done), p))
            fb.emit(ir.Recv(None, None, done, None, p))
        elif op.startswith("test.skip"):
            if a or rest is not None:
                fb.emit(ir.Print("logf" if op == "test.skipf" else "log", tuple(a), p, rest))
            fb.emit(ir.Goexit(p))
        elif op.startswith("test."):
            fb.emit(ir.Print(op[5:], tuple(a), p, rest))
            if op.startswith("test.fatal"):
                fb.emit(ir.Goexit(p))
        elif op == "time.After":
            fb.emit(ir.After(d0(), a[0], p))
        elif op == "context.Background":
            fb.emit(ir.Background(d0(), p))
        elif op == "context.WithCancel":
            ctx = d0()
            cancel = dsts[1] if len(dsts) > 1 else fb.temp()
            fb.emit(ir.WithCancel(ctx, a[0], p))
            fb.emit(ir.MakeClosure(cancel, "context.cancel", (ctx,), p))
        elif op == "ctx.Done":
            fb.emit(ir.CtxDone(d0(), a[0], p))
        elif op == "ctx.Err":
            fb.emit(ir.CtxErr(d0(), a[0], p))
        elif op == "syscall.Sync":
            fb.emit(ir.Syscall("syscall.Sync", p))
        elif op == "os.Pipe":
            r = d0()
            w = dsts[1] if len(dsts) > 1 else fb.temp()
            fb.emit(ir.PipeMake(r, w, p))
            if len(dsts) > 2:
                fb.emit(ir.Const(dsts[2], None, p))
        elif op == "os.File.Read":
            fb.emit(ir.PipeRead(dsts[0] if dsts else None, dsts[1] if len(dsts) > 1 else None, a[0], a[1], p))
        elif op == "os.File.Write":
            fb.emit(ir.PipeWrite(dsts[0] if dsts else None, dsts[1] if len(dsts) > 1 else None, a[0], a[1], p))
        elif op == "os.File.Close":
            fb.emit(ir.PipeClose(dsts[0] if dsts else None, a[0], p))
        elif op == "runtime.Gosched":
            fb.emit(ir.Gosched(p))
        elif op == "runtime.Goexit":
            fb.emit(ir.Goexit(p))
        elif op == "runtime.GOMAXPROCS":
            if not self.unit.gomaxprocs_read:  # nobody reads it: a no-op (the spec's procs are the Ps)
                fb.emit(ir.Nop(p))
                return
            # prev := GOMAXPROCS; if n > 0 { GOMAXPROCS = n } (runtime/debug.go: stops the world:
            # one atomic step); the scheduler's Ps stay the spec's runtime.procs
            cell, zero, pos_, prev = fb.temp(), fb.temp(), fb.temp(), d0()
            fb.emit(ir.Addr(cell, ir.GOMAXPROCS_VAR, p))
            fb.emit(ir.Const(zero, 0, p))
            fb.emit(ir.BinOp(pos_, ">", a[0], zero, p))
            set_, get, end = Label(), Label(), Label()
            fb.branch(pos_, set_, get, p)
            fb.place(set_)
            fb.emit(ir.AtomicOp("swap", prev, cell, a[0], None, p))
            fb.jump(end, p)
            fb.place(get)
            fb.emit(ir.AtomicOp("load", prev, cell, None, None, p))
            fb.place(end)
            fb.emit(ir.Nop(p))
        else:
            raise AssertionError(f"unknown library op {op}")
