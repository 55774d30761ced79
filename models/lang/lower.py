"""Lowering one top-level function (with its closures) to IR.

Every top-level function is lowered twice.  Pass 1 discovers which scalar
variables are captured by a closure and assigned after their declaration,
or have their address taken (they get boxed: `New` a cell, then
`Load`/`Store` through it; a captured variable that is never reassigned is
captured by value; ``return X`` reassigns the named results), which
functions defer calls, and which variables
each func literal captures (captures take the first slots of a closure's
frame).  Pass 2 lowers again with those facts; lowering is deterministic,
so both passes see the same declarations in the same order.
"""

from __future__ import annotations

from typing import Any, NoReturn

from tree_sitter import Node

from models import ir
from models.lang.builder import Breakable, FuncBuilder, Label, Var
from models.lang.exprs import ExprMixin
from models.lang.gotypes import GT
from models.lang.library import LibMixin
from models.lang.parse import block_statements, fail, outside, pos, text
from models.lang.scope import Analysis, Unit
from models.lang.stmts import StmtMixin

#: The function a test's deferred cleanup calls: its t.Cleanup functions, last added first.
CLEANUPS = "testing.runCleanups"


class Lowerer(StmtMixin, ExprMixin, LibMixin):
    def __init__(self, unit: Unit, analysis: Analysis, pass1: bool):
        self.unit = unit
        self.file = unit.file
        self.types = unit.types
        self.analysis = analysis
        self.pass1 = pass1
        self.scopes: list[dict[str, Any]] = []
        self.vars_by_key: dict[int, Var] = {}
        self.fb: FuncBuilder = FuncBuilder("?")
        self.breakables: list[Breakable] = []
        self.pending_label: str | None = None
        self.out: dict[str, ir.Function] = {}

    # ---- errors

    def err(self, message: str, node: Node) -> NoReturn:
        fail(message, self.file, node)

    def outside(self, what: str, node: Node, allowed: str = "") -> NoReturn:
        outside(what, self.file, node, allowed)

    # ---- scopes

    def push(self) -> None:
        self.scopes.append({})

    def pop(self) -> None:
        self.scopes.pop()

    def lookup(self, name: str, node: Node) -> Any:
        for scope in reversed(self.scopes):
            b = scope.get(name)
            if b is not None:
                return b
        b = self.unit.package.get(name)
        if b is None:
            self.err(f"undefined: {name}", node)
        return b

    def var_slot(self, var: Var) -> int:
        """The slot holding `var` (its value, its cell Ref, or its object Ref)."""
        if var.owner is not self.fb and not var.is_object:
            self.analysis.captured.add(var.key)
        return self.fb.access(var)

    def declare(self, name_node: Node, t: GT, value: int | None, p: tuple[int, int],
                slot: int | None = None) -> Var | None:
        """Declare variable `name_node` of type `t`, initialized from slot
        `value` (None: the zero value).  An object-kind value must already be
        owned (fresh or copied).  `slot`: a slot already holding the value."""
        name = text(name_node)
        if name == "_":
            return None
        key = name_node.start_byte
        boxed = key in self.analysis.boxed and not t.is_object
        fb = self.fb
        if slot is None or boxed:
            slot = fb.slot(name)
            if t.is_object:
                if value is None:
                    fb.emit(ir.New(slot, self.types.to_ir(t), p))
                else:
                    fb.emit(ir.Move(slot, value, p))
            elif boxed:
                fb.emit(ir.New(slot, self.types.to_ir(t), p))
                if value is not None:
                    fb.emit(ir.Store(slot, value, p))
            elif value is None:
                fb.emit(ir.Const(slot, self.zero(t, name_node), p))
            elif value != slot:
                fb.emit(ir.Move(slot, value, p))
        elif not fb.slot_names[slot]:
            fb.slot_names[slot] = name
        var = Var(name, t, key, fb, slot, boxed)
        self.scopes[-1][name] = var
        self.vars_by_key[key] = var
        return var

    def zero(self, t: GT, node: Node) -> Any:
        from models.lang.gotypes import zero_value
        if t.kind == "nil":
            self.err("use of untyped nil", node)
        return zero_value(t)

    # ---- functions

    def function(self, name: str, node: Node, recv: tuple[str, GT, Node] | None = None) -> None:
        """Lower a top-level function or method declaration."""
        sig = self.types.signature(node)
        fb = FuncBuilder(name, pos=pos(node), lazy_captures=False)
        params = self.types.param_types(node.child_by_field_name("parameters"))
        if recv is not None:
            params = [recv] + params
        self.body(fb, node, params, sig)
        self.out[name] = fb.finish(0)

    def body(self, fb: FuncBuilder, node: Node, params: list[tuple[str, GT, Node]], sig: GT) -> None:
        saved = (self.fb, self.breakables, self.pending_label)
        self.fb, self.breakables, self.pending_label = fb, [], None
        self.push()
        p = pos(node)
        fb.nparams = len(params)
        fb.nresults = len(sig.results)
        fb.result_types = sig.results
        pslots = [fb.slot(n or "_") for n, _, _ in params]
        for (n, t, nnode), s in zip(params, pslots):
            if n and n != "_":
                self.declare(nnode, t, s, p, slot=s)
        if (fb.name == self.unit.entry or node.start_byte in self.unit.subtests) and node.text is not None \
                and b".Cleanup(" in node.text:
            self.cleanup_prologue(fb, p)
        res = node.child_by_field_name("result")
        if res is not None and res.type == "parameter_list":
            named_results = self.types.param_types(res)
            if any(n for n, _, _ in named_results):
                fb.result_vars = []
                for _n, t, nnode in named_results:
                    v = self.declare(nnode, t, None, pos(nnode))
                    if v is None:
                        s = fb.slot("_")
                        fb.emit(ir.Const(s, self.zero(t, nnode), pos(nnode)))
                        v = Var("_", t, -1, fb, s)
                    if v.is_object:
                        self.outside("named results of struct type", nnode,
                                     "leave the results unnamed, or return a pointer")
                    fb.result_vars.append(v)
                fb.defers = node.start_byte in self.analysis.defers
                fb.store_results = any(v.boxed for v in fb.result_vars) or (fb.defers and self.uses_recover(node))
        body = node.child_by_field_name("body")
        if body is None:
            self.err("function without a body", node)
        self.block(body, new_scope=False)
        fb.pos = p
        end = (body.end_point[0] + 1, body.end_point[1])
        if not fb.code or not isinstance(fb.code[-1], ir.Return):
            self.return_results(end)
        if any(isinstance(i, ir.Defer) for i in fb.code):
            if self.pass1:
                self.analysis.defers.add(node.start_byte)
            if self.uses_recover(node):
                self.recovery_epilogue(fb, sig, node, end)
        self.pop()
        self.fb, self.breakables, self.pending_label = saved

    def return_results(self, p: tuple[int, int]) -> None:
        """Return the named results (a bare ``return``, the end of the body, the
        recovery epilogue), or nothing when the results are unnamed.  Boxed
        results (a closure captures them, or their address is taken) are read
        after the deferred calls ran, which may have set them (Go spec, "Defer
        statements": "if the deferred function is a function literal and the
        surrounding function has named result parameters that are in scope
        within the literal, the deferred function may access and modify the
        result parameters before they are returned"): `ir.RunDefers`, then a
        `Load` per boxed result (a plain read: it races with a goroutine that
        writes the result meanwhile), then a `Return` with no deferred call left."""
        fb = self.fb
        rvs = fb.result_vars or []
        if not any(v.boxed for v in rvs):
            fb.emit(ir.Return(tuple(v.slot for v in rvs), p))
            return
        if fb.defers:
            fb.emit(ir.RunDefers(p))
        srcs = []
        for v in rvs:
            if v.boxed:
                d = fb.temp()
                fb.emit(ir.Load(d, v.slot, p))
                srcs.append(d)
            else:
                srcs.append(v.slot)
        fb.emit(ir.Return(tuple(srcs), p))

    def cleanup_prologue(self, fb: FuncBuilder, p: tuple[int, int]) -> None:
        """A test (or t.Run subtest) function that calls t.Cleanup: a cell for
        its cleanup functions, and, deferred first so that it runs last (after
        the function's own deferred calls, also on t.Fatal and on a panic),
        `CLEANUPS` calling them last added first (testing.go tRunner, runCleanup)."""
        cell = fb.slot("cleanups")
        fb.emit(ir.New(cell, ir.Type("slice", elem=ir.Type("func")), p))
        fb.emit(ir.Defer(CLEANUPS, None, (cell,), p))
        fb.cleanup_cell = cell
        if CLEANUPS in self.unit.functions or CLEANUPS in self.out:
            return
        w = FuncBuilder(CLEANUPS, pos=p, lazy_captures=False)
        w.nparams = 1
        c = w.slot("cell")
        s, i, one, zero, more, a, f = (w.slot(x) for x in ("fs", "i", "", "", "", "", "f"))
        w.emit(ir.Load(s, c, p))
        w.emit(ir.SliceLen(i, s, False, p))
        w.emit(ir.Const(one, 1, p))
        w.emit(ir.Const(zero, 0, p))
        top, body, end = Label(), Label(), Label()
        w.place(top)
        w.emit(ir.BinOp(more, ">", i, zero, p))
        w.branch(more, body, end, p)
        w.place(body)
        w.emit(ir.BinOp(i, "-", i, one, p))
        w.emit(ir.IndexAddr(a, s, i, p))
        w.emit(ir.Load(f, a, p))
        w.emit(ir.Call((), None, f, (), p))
        w.jump(top, p)
        w.place(end)
        w.emit(ir.Return((), p))
        self.out[CLEANUPS] = w.finish(0)

    def uses_recover(self, node: Node) -> bool:
        """Does the file (the tree of `node`) mention recover?  Only then may a
        panicking frame resume, so only then do functions that defer get an
        epilogue (programs without recover keep their IR)."""
        got = getattr(self.unit, "_uses_recover", None)
        if got is None:
            root = node
            while root.parent is not None:
                root = root.parent
            got = root.text is not None and b"recover" in root.text
            self.unit._uses_recover = got  # type: ignore[attr-defined]
        return bool(got)

    def recovery_epilogue(self, fb: FuncBuilder, sig: GT, node: Node, p: tuple[int, int]) -> None:
        """After the last instruction of a function that defers: where a frame
        whose panic a deferred call recovered resumes (`ir.RecoverReturn`):
        it returns its named results, or zero values (Go spec, "Handling
        panics": the function returns normally to its caller)."""
        fb.emit(ir.RecoverReturn(p))
        if fb.result_vars:
            self.return_results(p)
            return
        srcs = []
        for t in sig.results:
            s = fb.temp()
            if t.is_object:
                fb.emit(ir.New(s, self.types.to_ir(t), p))
            else:
                fb.emit(ir.Const(s, self.zero(t, node), p))
            srcs.append(s)
        fb.emit(ir.Return(tuple(srcs), p))

    def func_literal(self, node: Node, into: int | None = None) -> tuple[int, GT]:
        """Lower a func literal to its own function and emit its MakeClosure."""
        outer = self.fb
        outer.nclosures += 1
        name = f"{outer.name}${outer.nclosures}"
        key = node.start_byte
        fb = FuncBuilder(name, parent=outer, pos=pos(node), lazy_captures=self.pass1)
        if not self.pass1:
            fb.capture_keys = list(self.analysis.captures.get(key, []))
            for k in fb.capture_keys:
                fb.capture_slot[k] = fb.slot(self.vars_by_key[k].name)
        sig = self.types.signature(node)
        params = self.types.param_types(node.child_by_field_name("parameters"))
        if self.pass1:
            # Captures are discovered while lowering; slot numbers are
            # irrelevant in pass 1 (its code is thrown away).
            pass
        self.body(fb, node, params, sig)
        if self.pass1:
            self.analysis.captures[key] = list(fb.capture_keys)
        caps = tuple(self.var_slot(self.vars_by_key[k]) for k in fb.capture_keys)
        self.out[name] = fb.finish(len(fb.capture_keys))
        d = outer.temp() if into is None else into
        outer.emit(ir.MakeClosure(d, name, caps, pos(node)))
        return d, sig

    def block(self, node: Node, new_scope: bool = True) -> None:
        if new_scope:
            self.push()
        for st in block_statements(node):
            self.stmt(st)
        if new_scope:
            self.pop()


def lower_function(unit: Unit, name: str, node: Node,
                   recv: tuple[str, GT, Node] | None = None) -> None:
    """Lower top-level function `name` (two passes) into ``unit.functions``."""
    analysis = Analysis()
    Lowerer(unit, analysis, pass1=True).function(name, node, recv)
    analysis.finish_pass1()
    lw = Lowerer(unit, analysis, pass1=False)
    lw.function(name, node, recv)
    unit.functions.update(lw.out)
