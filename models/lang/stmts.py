"""Statement lowering: declarations, assignment, control flow (if, for, for
range over a channel, switch, select, break/continue with labels), return,
go, defer, send.

Layouts (every loop ends with a backward `Jump`, a preemption point)::

    for init; cond; post { body }     init; top: cond? -> body | end
                                      body; cont: post; Jump top (back); end:
    for v := range ch { body }        top: Recv v, ok; Branch ok body end;
                                      body; Jump top (back); end:
    select { cases }                  operands in source order; Select dst;
                                      Branch on dst == i per case; bodies
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tree_sitter import Node

from models import ir
from models.errors import InputError
from models.lang.builder import Breakable, Label, Var
from models.lang.gotypes import BOOL, GT, INT, RUNE, TIME, UNIT
from models.lang.parse import construct_name, field, named, pos, required, text, unparen
from models.lang.scope import ConstB

if TYPE_CHECKING:
    from models.lang.api import LowererAPI

    _Base = LowererAPI  # Lowerer inherits from this mixin: see models/lang/api.py
else:
    _Base = object

ASSIGN_OPS = {"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "&^="}


class StmtMixin(_Base):
    def stmt(self, node: Node) -> None:
        fb = self.fb
        m = fb.mark()
        t = node.type
        handler = getattr(self, "s_" + t, None)
        if handler is None:
            if t == "comment":
                return
            try:
                self.outside(construct_name(node), node)
            except InputError as e:
                self.unit.note(e)
                return
        if t == "labeled_statement":
            self.pending_label = text(required(node, "label"))
        elif t not in ("for_statement", "expression_switch_statement", "select_statement", "type_switch_statement"):
            self.pending_label = None
        try:
            handler(node)
        except InputError as e:  # skip the statement; every offending construct is reported (Unit.note)
            self.unit.note(e)
        fb.release(m)

    # ---- simple statements

    def s_empty_statement(self, node: Node) -> None:
        pass

    def s_block(self, node: Node) -> None:
        self.block(node)

    def s_expression_statement(self, node: Node) -> None:
        e = unparen(named(node)[0])
        if e.type == "call_expression":
            self.call(e, 0)
        elif e.type == "unary_expression" and text(required(e, "operator")) == "<-":
            ch, cht = self.value(required(e, "operand"))
            elem = self._chan_elem(cht, e)
            self.fb.emit(ir.Recv(None, None, ch, self.zero(elem, e), pos(node)))
        else:
            self.err(f"{text(e)} (expression) is not used", e)

    def s_send_statement(self, node: Node) -> None:
        ch, cht = self.value(required(node, "channel"))
        if cht.kind != "chan":
            self.err(f"send to non-channel ({cht})", node)
        v, vt = self.owned(required(node, "value"))
        v = self.coerce(v, vt, cht.elem, pos(node))
        self.fb.emit(ir.Send(ch, v, pos(node)))

    def s_inc_statement(self, node: Node) -> None:
        self._incdec(node, "+")

    def s_dec_statement(self, node: Node) -> None:
        self._incdec(node, "-")

    def _incdec(self, node: Node, op: str) -> None:
        fb = self.fb
        p = pos(node)
        lv = self.lvalue(named(node)[0])
        cur = self.read(lv, p)
        one = fb.const(1, p)
        d = lv.slot if lv.kind == "slot" else fb.temp()
        fb.emit(ir.BinOp(d, op, cur, one, p))
        self.narrow(d, lv.type, p)
        self.store(lv, d, p, node)

    def s_go_statement(self, node: Node) -> None:
        self.go_defer(node, "go")

    def s_defer_statement(self, node: Node) -> None:
        self.go_defer(node, "defer")

    # ---- declarations and assignment

    def s_var_declaration(self, node: Node) -> None:
        for spec in named(node):
            if spec.type == "var_spec_list":
                for s in named(spec):
                    self._var_spec(s)
            else:
                self._var_spec(spec)

    def _var_spec(self, spec: Node) -> None:
        p = pos(spec)
        names = spec.children_by_field_name("name")
        tnode = field(spec, "type")
        t = self.types.resolve(tnode) if tnode is not None else None
        values = named(field(spec, "value"))
        if not values:
            assert t is not None
            for n in names:
                self.declare(n, t, None, pos(n))
            return
        vals = self._rhs(values, len(names), spec)
        for n, (s, vt) in zip(names, vals):
            self.declare(n, t or self._default(vt, n), self.coerce(s, vt, t, p), p)

    def _default(self, t: GT, node: Node) -> GT:
        if t.kind == "nil":
            self.err("use of untyped nil in variable declaration", node)
        return t

    def _rhs(self, values: list[Node], n: int, node: Node,
             dsts: list[int | None] | None = None) -> list[tuple[int, GT]]:
        """Evaluate right-hand sides into `dsts` or fresh temporaries (n values)."""
        fb = self.fb
        ds = [fb.temp() if d is None else d for d in (dsts or [None] * n)]
        if len(values) == n:
            return [self.owned(v, d) for v, d in zip(values, ds)]
        if len(values) == 1:
            return self._multi(values[0], n, ds)
        self.err(f"assignment mismatch: {n} variables but {len(values)} values", node)

    def _multi(self, e: Node, n: int, ds: list[int]) -> list[tuple[int, GT]]:
        fb = self.fb
        e = unparen(e)
        if e.type == "call_expression":
            return self.call(e, n, list(ds))
        if e.type == "type_assertion_expression" and n == 2:
            v, ok = ds
            t = self.type_assertion(e, v, ok)
            return [(v, t), (ok, BOOL)]
        if e.type == "index_expression" and n == 2:
            lv = self.index_place(e)
            if lv.kind != "map":
                self.err(f"assignment mismatch: 2 variables but {text(e)} returns 1 value", e)
            v, ok = ds
            fb.emit(ir.MapIndex(v, ok, lv.slot, lv.key, self.zero(lv.type, e), pos=pos(e)))
            return [(v, lv.type), (ok, BOOL)]
        if e.type == "unary_expression" and text(required(e, "operator")) == "<-" and n == 2:
            ch, cht = self.value(required(e, "operand"))
            elem = self._chan_elem(cht, e)
            v, ok = ds
            fb.emit(ir.Recv(v, ok, ch, self.zero(elem, e), pos(e)))
            self.zero_struct_if_closed(v, ok, elem, pos(e))
            return [(v, elem), (ok, BOOL)]
        self.outside(f"{construct_name(e)} with {n} results", e)

    def s_short_var_declaration(self, node: Node) -> None:
        p = pos(node)
        left = named(field(node, "left"))
        right = named(field(node, "right"))
        scope = self.scopes[-1]
        fb = self.fb
        if len(left) == 1 and len(right) == 1:
            n = left[0]
            name = text(n)
            if name not in scope and name != "_" and n.start_byte not in self.analysis.boxed:
                s = fb.slot(name)
                _, t = self.owned(right[0], s)
                self.declare(n, self._default(t, n), s, p, slot=s)
                return
        dsts: list[int | None] = []
        for n in left:
            name = text(n)
            fresh = name != "_" and name not in scope and n.start_byte not in self.analysis.boxed
            dsts.append(fb.slot(name) if fresh else None)
        vals = self._rhs(right, len(left), node, dsts)
        for n, d, (s, t) in zip(left, dsts, vals):
            name = text(n)
            if d is not None:
                self.declare(n, self._default(t, n), s, p, slot=d)
            elif name in scope and name != "_":
                b = scope[name]
                if not isinstance(b, Var):
                    self.err(f"cannot assign to {name}", n)
                lv = self.lvalue(n)
                self.store(lv, self.coerce(s, t, lv.type, p), p, node)
            else:
                self.declare(n, self._default(t, n), s, p)

    def s_assignment_statement(self, node: Node) -> None:
        fb = self.fb
        p = pos(node)
        op = text(required(node, "operator"))
        left = named(field(node, "left"))
        right = named(field(node, "right"))
        if op in ASSIGN_OPS:
            lv = self.lvalue(left[0])
            cur = self.read(lv, p)
            r, _ = self.value(right[0])
            d = lv.slot if lv.kind == "slot" else fb.temp()
            fb.emit(ir.BinOp(d, op[:-1], cur, r, p))
            self.narrow(d, lv.type, p)
            self.store(lv, d, p, node)
            return
        if len(left) == 1 and len(right) == 1:
            lv = self.lvalue(left[0])
            if lv.kind == "discard":
                self.value(right[0])
                return
            if lv.kind == "obj":  # copy_into copies: no intermediate copy
                s, _ = self.value(right[0])
            else:
                s, st = self.owned(right[0], lv.slot if lv.kind == "slot" else None)
                s = self.coerce(s, st, lv.type, p)
            self.store(lv, s, p, node)
            return
        lvs = [self.lvalue(x) for x in left]
        vals = self._rhs(right, len(left), node)
        for lv, (s, st) in zip(lvs, vals):
            if lv.kind != "discard":
                self.store(lv, self.coerce(s, st, lv.type, p), p, node)

    def s_const_declaration(self, node: Node) -> None:
        self.const_decl(node, self.scopes[-1])

    def const_decl(self, node: Node, scope: dict) -> None:
        prev_values: list[Node] = []
        prev_type: Node | None = None
        for i, spec in enumerate(x for x in named(node) if x.type == "const_spec"):
            values = named(field(spec, "value"))
            tnode = field(spec, "type")
            if values:
                prev_values, prev_type = values, tnode
            else:
                values, tnode = prev_values, prev_type
            names = spec.children_by_field_name("name")
            if len(values) != len(names):
                self.err("wrong number of constant values", spec)
            self.scopes.append({"iota": ConstB(i, INT)})
            try:
                for n, v in zip(names, values):
                    c = self.const_eval(v)
                    if c is None:
                        self.err(f"{text(v)} is not a constant", v)
                    t = self.types.resolve(tnode) if tnode is not None else c[1]
                    if text(n) != "_":
                        scope[text(n)] = ConstB(c[0], t)
            finally:
                self.scopes.pop()

    def s_type_declaration(self, node: Node) -> None:
        self.outside("local type declarations", node, "declare types at package level")

    # ---- control flow

    def s_if_statement(self, node: Node) -> None:
        fb = self.fb
        self.push()
        init = field(node, "initializer")
        if init is not None:
            self.stmt(init)
        yes, no, end = Label(), Label(), Label()
        self.cond(required(node, "condition"), yes, no)
        fb.place(yes)
        self.block(required(node, "consequence"))
        alt = field(node, "alternative")
        if alt is not None:
            fb.jump(end, pos(alt))
            fb.place(no)
            if alt.type == "if_statement":
                self.stmt(alt)
            else:
                self.block(alt)
        else:
            fb.place(no)
        fb.place(end)
        self.pop()

    def s_labeled_statement(self, node: Node) -> None:
        inner = [c for c in named(node) if c.type != "label_name"]
        if not inner:
            self.outside("labels without a statement", node)
        if inner[0].type not in ("for_statement", "expression_switch_statement", "select_statement",
                                 "type_switch_statement"):
            # Only goto could target it, and goto is rejected where it appears.
            self.pending_label = None
        self.stmt(inner[0])
        self.pending_label = None

    def _take_label(self) -> str | None:
        label, self.pending_label = self.pending_label, None
        return label

    def s_for_statement(self, node: Node) -> None:
        fb = self.fb
        label = self._take_label()
        self.push()
        p = pos(node)
        body = required(node, "body")
        clause = next((c for c in named(node) if c.id != body.id), None)
        top, end, cont, start = Label(), Label(), Label(), Label()
        if clause is not None and clause.type == "range_clause":
            self._for_range(clause, body, label, p)
            self.pop()
            return
        cond = post = None
        per_iter: list[Any] = []
        if clause is not None and clause.type == "for_clause":
            init = field(clause, "initializer")
            if init is not None:
                self.stmt(init)
                if init.type == "short_var_declaration" and self.unit.go_version >= (1, 22):
                    per_iter = [v for v in self.scopes[-1].values() if getattr(v, "boxed", False)]
            cond = field(clause, "condition")
            post = field(clause, "update")
        elif clause is not None:
            cond = clause
        fb.place(top)
        if cond is not None:
            self.cond(cond, start, end)
        fb.place(start)
        self.breakables.append(self._breakable(end, cont, label))
        self.block(body)
        self.breakables.pop()
        fb.place(cont)
        for v in per_iter:  # Go 1.22: the next iteration's own variable, a copy of this one's
            assert clause is not None  # per_iter comes from the for clause's initializer
            mk = fb.mark()
            fresh, val = fb.temp(), fb.temp()
            fb.emit(ir.New(fresh, self.types.to_ir(v.type), pos(clause)))
            fb.emit(ir.Load(val, v.slot, pos(clause)))
            fb.emit(ir.Store(fresh, val, pos(clause)))
            fb.emit(ir.Move(v.slot, fresh, pos(clause)))
            fb.release(mk)
        if post is not None:
            self.stmt(post)
        fb.jump(top, (body.end_point[0] + 1, body.end_point[1]))
        fb.place(end)
        self.pop()

    def _breakable(self, brk: Label, cont: Label | None, label: str | None):
        return Breakable(brk, cont, label)

    def _for_range(self, clause: Node, body: Node, label: str | None, p: tuple[int, int]) -> None:
        fb = self.fb
        right = required(clause, "right")
        ch, cht = self.value(right)
        if cht.kind == "ptr" and cht.elem is not None and cht.elem.kind == "slice":
            d = fb.temp()
            fb.emit(ir.Load(d, ch, pos(right)))
            ch, cht = d, cht.elem
        if cht.kind == "ptr" and cht.elem is not None and cht.elem.kind == "array":
            cht = cht.elem
        if cht.kind == "array":  # range over the array's elements (through a slice of it)
            d = fb.temp()
            fb.emit(ir.Reslice(d, ch, None, None, None, pos(right)))
            ch, cht = d, GT("slice", elem=cht.elem)
        if cht.kind in ("slice", "map"):
            self._for_range_data(clause, body, label, ch, cht)
            return
        if cht.kind == "string":
            self._for_range_string(clause, body, label, ch)
            return
        if cht.kind != "chan":
            self.outside(f"range over {cht}", right, "range over a channel, a slice or a map")
        fb.keep(ch)
        elem = cht.elem or UNIT
        left = named(field(clause, "left"))
        if len(left) > 1:
            self.err("range over a channel permits only one iteration variable", left[1])
        define = any(c.type == ":=" for c in clause.children)
        lv = None
        var_slot = None
        if left and text(left[0]) != "_":
            if define:
                v = self.declare(left[0], elem, None, pos(left[0]))
                assert v is not None
                lv = self.lvalue(left[0])
            else:
                lv = self.lvalue(left[0])
        top, end, start = Label(), Label(), Label()
        ok = fb.slot("")
        fb.place(top)
        if lv is not None and lv.kind == "slot":
            var_slot = lv.slot
        tmp = var_slot if var_slot is not None else (fb.slot("") if lv is not None else None)
        fb.emit(ir.Recv(tmp, ok, ch, self.zero(elem, clause), pos(clause)))
        fb.branch(ok, start, end, pos(clause))
        fb.place(start)
        if lv is not None and var_slot is None:
            assert tmp is not None
            if define and lv.kind == "ptr" and self.unit.go_version >= (1, 22):
                fb.emit(ir.New(lv.slot, self.types.to_ir(elem), pos(clause)))  # Go 1.22: a variable per iteration
            self.store(lv, tmp, pos(clause), clause)
        self.breakables.append(self._breakable(end, top, label))
        self.block(body)
        self.breakables.pop()
        fb.jump(top, (body.end_point[0] + 1, body.end_point[1]))
        fb.place(end)

    def _for_range_data(self, clause: Node, body: Node, label: str | None, coll: int, ct: GT) -> None:
        """``for k, v := range x`` over a slice or a map (variables declared
        by the clause are per iteration from Go 1.22 on, per loop before:
        ``unit.go_version``).  The range expression is
        evaluated once (a slice's length is fixed at the start); a map's keys
        are snapshot in one of its iteration orders by `ir.MapKeys` and each
        value is read when its iteration starts (a key deleted meanwhile is
        skipped)."""
        fb = self.fb
        p = pos(clause)
        fb.keep(coll)
        is_map = ct.kind == "map"
        assert ct.elem is not None
        ktype = ct.key if is_map and ct.key is not None else INT
        left = named(field(clause, "left"))
        if len(left) > 2:
            self.err("range clause permits at most two iteration variables", left[2])
        define = any(c.type == ":=" for c in clause.children)
        seq = coll
        if is_map:
            seq = fb.slot("")
            fb.emit(ir.MapKeys(seq, coll, p))
        n, i, one = fb.slot(""), fb.slot(""), fb.slot("")
        fb.emit(ir.SliceLen(n, seq, False, p))
        fb.emit(ir.Const(i, 0, p))
        fb.emit(ir.Const(one, 1, p))
        lvs: list = []
        for j, x in enumerate(left):
            if text(x) == "_":
                lvs.append(None)
                continue
            t = ktype if j == 0 else ct.elem
            if define:
                self.declare(x, t, None, pos(x))
            lvs.append(self.lvalue(x))
        top, end, start, cont = Label(), Label(), Label(), Label()
        fb.place(top)
        c = fb.slot("")
        fb.emit(ir.BinOp(c, "<", i, n, p))
        fb.branch(c, start, end, p)
        fb.place(start)
        kv = fb.slot("")
        vv = fb.slot("") if len(left) > 1 and lvs[1] is not None or is_map else None
        if is_map:
            ok = fb.slot("")
            fb.emit(ir.TupleGet(kv, seq, i, p))
            fb.emit(ir.MapIndex(vv, ok, coll, kv, self.zero(ct.elem, clause), True, p))
            present = Label()
            fb.branch(ok, present, cont, p)
            fb.place(present)
        else:
            fb.emit(ir.Move(kv, i, p))
            if vv is not None:
                a = fb.slot("")
                fb.emit(ir.IndexAddr(a, coll, i, p))
                fb.emit(ir.Load(vv, a, p))
        for lv, src, t in zip(lvs, (kv, vv), (ktype, ct.elem)):
            if lv is not None and src is not None:
                if define and lv.kind == "ptr" and self.unit.go_version >= (1, 22):
                    fb.emit(ir.New(lv.slot, self.types.to_ir(t), p))  # Go 1.22: variables per iteration
                self.store(lv, src, p, clause)
        self.breakables.append(self._breakable(end, cont, label))
        self.block(body)
        self.breakables.pop()
        fb.place(cont)
        fb.emit(ir.BinOp(i, "+", i, one, p))
        fb.jump(top, (body.end_point[0] + 1, body.end_point[1]))
        fb.place(end)

    def _for_range_string(self, clause: Node, body: Node, label: str | None, s: int) -> None:
        """``for i, r := range s`` over a string (Go spec, "For statements with
        range clause"): i is the byte offset of each UTF-8 encoded rune r; an
        invalid byte gives U+FFFD and advances one byte.  The string is
        evaluated once (strings are immutable: no step reads memory)."""
        fb = self.fb
        p = pos(clause)
        fb.keep(s)
        left = named(field(clause, "left"))
        if len(left) > 2:
            self.err("range clause permits at most two iteration variables", left[2])
        define = any(c.type == ":=" for c in clause.children)
        n, i = fb.slot(""), fb.slot("")
        fb.emit(ir.SliceLen(n, s, False, p))
        fb.emit(ir.Const(i, 0, p))
        lvs: list = []
        for j, x in enumerate(left):
            if text(x) == "_":
                lvs.append(None)
                continue
            if define:
                self.declare(x, INT if j == 0 else RUNE, None, pos(x))
            lvs.append(self.lvalue(x))
        top, end, start, cont = Label(), Label(), Label(), Label()
        fb.place(top)
        c, r, w = fb.slot(""), fb.slot(""), fb.slot("")
        fb.emit(ir.BinOp(c, "<", i, n, p))
        fb.branch(c, start, end, p)
        fb.place(start)
        fb.emit(ir.StrOp("rune", (r, w), (s, i), p))
        kv = fb.slot("")
        fb.emit(ir.Move(kv, i, p))
        for lv, src, t in zip(lvs, (kv, r), (INT, RUNE)):
            if lv is not None:
                if define and lv.kind == "ptr" and self.unit.go_version >= (1, 22):
                    fb.emit(ir.New(lv.slot, self.types.to_ir(t), p))  # Go 1.22: variables per iteration
                self.store(lv, src, p, clause)
        self.breakables.append(self._breakable(end, cont, label))
        self.block(body)
        self.breakables.pop()
        fb.place(cont)
        fb.emit(ir.BinOp(i, "+", i, w, p))
        fb.jump(top, (body.end_point[0] + 1, body.end_point[1]))
        fb.place(end)

    def s_break_statement(self, node: Node) -> None:
        target = self._target(node, "break")
        self.fb.jump(target.brk, pos(node))

    def s_continue_statement(self, node: Node) -> None:
        target = self._target(node, "continue")
        assert target.cont is not None
        self.fb.jump(target.cont, pos(node))

    def _target(self, node: Node, what: str):
        label = next((text(c) for c in named(node) if c.type == "label_name"), None)
        for b in reversed(self.breakables):
            if what == "continue" and b.cont is None:
                continue
            if label is None or b.label == label:
                return b
        self.err(f"{what} {'label ' + label if label else ''} is not in a loop".replace("  ", " "), node)

    def s_return_statement(self, node: Node) -> None:
        fb = self.fb
        p = pos(node)
        vals = [c for c in named(node) if c.type == "expression_list"]
        exprs = named(vals[0]) if vals else []
        n = fb.nresults
        if not exprs:
            if n and fb.result_vars is None:
                self.err("not enough return values", node)
            self.return_results(p)
            return
        results: list[tuple[int, GT]] = self._rhs(exprs, n, node) if n > 1 or len(exprs) > 1 else \
            [self.owned(exprs[0])]
        if len(results) != n:
            self.err(f"wrong number of return values: {len(results)} given, {n} wanted", node)
        slots = [self.coerce(s, t, rt, p) for (s, t), rt in zip(results, fb.result_types)]
        if fb.result_vars is not None:
            if self.pass1:  # `return X` assigns the named results: a closure capturing one shares it
                self.analysis.assigned.update(v.key for v in fb.result_vars)
            if fb.store_results:
                # Go spec, "Return statements": the results are set (all values evaluated
                # first), then the deferred calls run, then the function returns them
                for v, s in zip(fb.result_vars, slots):
                    if v.boxed:
                        fb.emit(ir.Store(v.slot, s, p))
                    elif s != v.slot:
                        fb.emit(ir.Move(v.slot, s, p))
                self.return_results(p)
                return
        fb.emit(ir.Return(tuple(slots), p))

    # ---- switch

    def s_expression_switch_statement(self, node: Node) -> None:
        fb = self.fb
        label = self._take_label()
        self.push()
        init = field(node, "initializer")
        if init is not None:
            self.stmt(init)
        tagn = field(node, "value")
        tag = None
        if tagn is not None:
            tag, tag_t = self.value(tagn, fb.temp())
            if tag_t == TIME:
                self.outside("a switch on a time.Time value", tagn, "use t.Equal(u) (its cases compare with ==)")
            fb.keep(tag)
        clauses = [c for c in named(node) if c.type in ("expression_case", "default_case")]
        bodies = [Label() for _ in clauses]
        end = Label()
        default = None
        for i, c in enumerate(clauses):
            if c.type == "default_case":
                default = i
                continue
            for v in named(field(c, "value")):
                nxt = Label()
                if tag is None:
                    self.cond(v, bodies[i], nxt)
                else:
                    m = fb.mark()
                    x, _ = self.value(v)
                    eq = fb.temp()
                    fb.emit(ir.BinOp(eq, "==", tag, x, pos(v)))
                    fb.branch(eq, bodies[i], nxt, pos(v))
                    fb.release(m)
                fb.place(nxt)
        fb.jump(bodies[default] if default is not None else end, pos(node))
        self.breakables.append(self._breakable(end, None, label))
        for i, c in enumerate(clauses):
            fb.place(bodies[i])
            self.push()
            stmts = self._case_body(c)
            fall = bool(stmts) and stmts[-1].type == "fallthrough_statement"
            for st in stmts[:-1] if fall else stmts:
                self.stmt(st)
            self.pop()
            if fall:
                if i + 1 >= len(clauses):
                    self.err("cannot fallthrough final case in switch", stmts[-1])
                fb.jump(bodies[i + 1], pos(stmts[-1]))
            else:
                fb.jump(end, pos(c))
        self.breakables.pop()
        fb.place(end)
        self.pop()

    def _case_body(self, c: Node) -> list[Node]:
        skip = {x.id for x in (field(c, "value"), field(c, "communication")) if x is not None}
        skip |= {x.id for x in c.children_by_field_name("type")}
        out: list[Node] = []
        for x in named(c):
            if x.id in skip:
                continue
            if x.type == "statement_list":
                out.extend(named(x))
            else:
                out.append(x)
        return out

    # ---- type switch

    def s_type_switch_statement(self, node: Node) -> None:
        """``switch v := x.(type) { case T1, T2: ... case nil: ... default: }``:
        a comma-ok `TypeAssert` per listed type, in source order; in a
        one-type clause v has that type, otherwise x's interface type."""
        fb = self.fb
        p = pos(node)
        label = self._take_label()
        self.push()
        init = field(node, "initializer")
        if init is not None:
            self.stmt(init)
        alias = named(field(node, "alias")) if field(node, "alias") is not None else []
        x, xt = self.value(required(node, "value"), fb.temp())
        fb.keep(x)
        if xt.kind != "iface":
            self.err(f"{text(required(node, 'value'))} (variable of type {xt}) is not an interface", node)
        self.types.uses_ifaces = True
        clauses = [c for c in named(node) if c.type in ("type_case", "default_case")]
        bodies = [Label() for _ in clauses]
        end = Label()
        default = None
        case_types: list[list[GT | None]] = []
        val = fb.slot("")
        ok = fb.slot("")
        static = self.types.go_name(xt) if xt.name else "interface {}"
        for i, c in enumerate(clauses):
            ts: list[GT | None] = []
            case_types.append(ts)
            if c.type == "default_case":
                default = i
                continue
            for tn in [x for x in c.children_by_field_name("type") if x.is_named]:
                nxt = Label()
                if text(tn) == "nil":
                    ts.append(None)
                    nil = fb.slot("")
                    fb.emit(ir.Const(nil, None, pos(tn)))
                    fb.emit(ir.BinOp(ok, "==", x, nil, pos(tn)))
                else:
                    t = self.types.resolve(tn)
                    ts.append(t)
                    if t.kind == "iface":
                        fb.emit(ir.TypeAssert(None, ok, x, "", tuple(sorted(self.types.iface_methods(t))), None,
                                              static, self.types.go_name(t), pos(tn)))
                    else:
                        fb.emit(ir.TypeAssert(None, ok, x, self.types.go_name(t), (), None, static, "", pos(tn)))
                fb.branch(ok, bodies[i], nxt, pos(tn))
                fb.place(nxt)
        fb.jump(bodies[default] if default is not None else end, p)
        self.breakables.append(self._breakable(end, None, label))
        for i, c in enumerate(clauses):
            fb.place(bodies[i])
            self.push()
            if alias and text(alias[0]) != "_":
                ts = case_types[i]
                t1 = ts[0] if len(ts) == 1 and ts[0] is not None else None
                if t1 is not None and t1.kind != "iface":
                    fb.emit(ir.TypeAssert(val, None, x, self.types.go_name(t1), (), None, static, "", pos(c)))
                    if t1.is_object:
                        cp = self.copy_new(val, t1, pos(c), c)
                        fb.emit(ir.Move(val, cp, pos(c)))
                    self.declare(alias[0], t1, val, pos(c))
                else:
                    self.declare(alias[0], t1 if t1 is not None else xt, x, pos(c))
            for st in self._case_body(c):
                self.stmt(st)
            self.pop()
            fb.jump(end, pos(c))
        self.breakables.pop()
        fb.place(end)
        self.pop()

    # ---- select

    def s_select_statement(self, node: Node) -> None:
        fb = self.fb
        p = pos(node)
        label = self._take_label()
        clauses = [c for c in named(node) if c.type in ("communication_case", "default_case")]
        cases: list[ir.SelectCase] = []
        recv_into: list[tuple[list[Node], bool, int | None, int | None, GT]] = []
        for c in clauses:
            if c.type == "default_case":
                continue
            comm = required(c, "communication")
            if comm.type == "send_statement":
                ch, cht = self.value(required(comm, "channel"), fb.temp())
                v, vt = self.owned(required(comm, "value"), fb.temp())
                v = self.coerce(v, vt, cht.elem, pos(node))
                cases.append(ir.SelectCase("send", ch, v))
                recv_into.append(([], False, None, None, UNIT))
                continue
            if comm.type == "receive_statement":
                rhs = unparen(required(comm, "right"))
                left = named(field(comm, "left"))
                define = any(x.type == ":=" for x in comm.children)
            elif comm.type == "expression_statement":
                rhs, left, define = unparen(named(comm)[0]), [], False
            else:
                rhs, left, define = comm, [], False
            if rhs.type != "unary_expression" or text(required(rhs, "operator")) != "<-":
                self.err("select case must be a send or a receive", comm)
            ch, cht = self.value(required(rhs, "operand"), fb.temp())
            elem = self._chan_elem(cht, rhs)
            val = fb.temp() if left and text(left[0]) != "_" else None
            ok = fb.temp() if len(left) > 1 and text(left[1]) != "_" or (val is not None and elem.is_object) \
                else None
            cases.append(ir.SelectCase("recv", ch, val, ok, self.zero(elem, rhs)))
            recv_into.append((left, define, val, ok, elem))
        has_default = any(c.type == "default_case" for c in clauses)
        dst = fb.temp()
        fb.emit(ir.Select(dst, tuple(cases), has_default, p))
        bodies = [Label() for _ in clauses]
        end = Label()
        k = 0
        default_label = None
        for i, c in enumerate(clauses):
            if c.type == "default_case":
                default_label = bodies[i]
                continue
            if k == len(cases) - 1 and not has_default:
                fb.jump(bodies[i], pos(c))
                break
            nxt = Label()
            m = fb.mark()
            idx, eq = fb.const(k, pos(c)), fb.temp()
            fb.emit(ir.BinOp(eq, "==", dst, idx, pos(c)))
            fb.branch(eq, bodies[i], nxt, pos(c))
            fb.release(m)
            fb.place(nxt)
            k += 1
        else:
            fb.jump(default_label if default_label is not None else end, p)
        self.breakables.append(self._breakable(end, None, label))
        k = 0
        for i, c in enumerate(clauses):
            fb.place(bodies[i])
            self.push()
            if c.type != "default_case":
                left, define, val, ok, elem = recv_into[k]
                k += 1
                self.zero_struct_if_closed(val, ok, elem, pos(c))
                srcs = [val, ok]
                for j, n in enumerate(left):
                    src = srcs[j]
                    if text(n) == "_" or src is None:
                        continue
                    if define:
                        self.declare(n, BOOL if j == 1 else elem, src, pos(n))
                    else:
                        self.store(self.lvalue(n), src, pos(n), n)
            for st in self._case_body(c):
                self.stmt(st)
            self.pop()
            fb.jump(end, pos(c))
        self.breakables.pop()
        fb.place(end)
