"""Whole programs: package-level declarations, the synthesized start
function, and `compile_go`.

The start function ``init$`` runs the package-level variable initializers
in source order (each global's type comes from its declaration or its
initializer), then every ``func init()`` (named ``init#1``, ``init#2``,
...) in source order, then calls the entry: ``main()``, or ``TestX(nil)``
for a test entry (a nil ``*testing.T``).
"""

from __future__ import annotations

import dataclasses
import gc

from tree_sitter import Node

from models import ir
from models.errors import InputError
from models.lang.builder import FuncBuilder
from models.lang.gotypes import (
    BOOL,
    ERROR,
    GT,
    INT_NAMES,
    NARROW_INTS,
    STRING,
    MethodInfo,
    StructInfo,
    TypeTable,
    locker_functions,
)
from models.lang.lower import Lowerer, lower_function
from models.lang.parse import (
    block_statements,
    construct_name,
    fail,
    field,
    named,
    outside,
    parse,
    pos,
    required,
    string_value,
    text,
)
from models.lang.scope import (
    BUILTINS,
    IMPORTABLE,
    Analysis,
    BuiltinB,
    ConstB,
    FuncB,
    GlobalB,
    PkgB,
    TypeB,
    Unit,
)

START = "init$"
CANCEL_FUNC = "context.cancel"


def compile_go(source: str, file: str = "<source>", entry: str = "main", go: str = "") -> ir.Program:
    """Parse, check and lower Go `source` to an `ir.Program` starting at `entry`.

    `go` is the Go version whose language rules apply (``"1.21"``; "" = the
    modern rules, Go 1.22's per-iteration loop variables).

    Raises `models.errors.InputError` (with file, line and column) for syntax
    errors and for every construct outside the supported subset.
    """
    # Lowering allocates many short-lived tree-sitter nodes and no cycles
    # worth collecting; pausing the cyclic GC makes it about 1.5x faster.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _compile(source, file, entry, go)
    except RecursionError:
        # A last guard behind parse.MAX_DEPTH: never a traceback for a deep program.
        raise InputError("the program nests too deeply for the checker's frontend; split it into functions "
                         "or shorter expressions", file, 1, 1) from None
    finally:
        if enabled:
            gc.enable()


def parse_go_version(go: str) -> tuple[int, int]:
    """``"1.21"`` / ``"1.22.3"`` / ``"go1.19"`` -> (1, 21); "" -> (1, 22)."""
    if not go:
        return (1, 22)
    parts = go.removeprefix("go").split(".")
    try:
        return int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        raise ValueError(f"bad Go version {go!r}: expected like 1.21") from None


def _compile(source: str, file: str, entry: str, go: str = "") -> ir.Program:
    root = parse(source, file)
    unit = Unit(file, TypeTable(file))
    unit.go_version = parse_go_version(go)
    unit.entry = entry
    unit.gomaxprocs_read = _reads_gomaxprocs(root)
    unit.uses_pipes = root.text is not None and b"os.Pipe(" in root.text
    pkg_name = _package(root, file)
    decls = [c for c in named(root) if c.type not in ("package_clause", "comment")]
    for d in decls:
        if d.type == "import_declaration":
            try:
                _imports(unit, d)
            except InputError as e:
                unit.note(e)
    _predeclare(unit)
    clw = Lowerer(unit, Analysis(), pass1=False)
    unit.types.const_hook = lambda n: (lambda c: c[0] if c is not None else None)(clw.const_eval(n))
    for d in decls:  # constants first: array lengths may name them (retried in order below)
        if d.type == "const_declaration":
            try:
                clw.const_decl(d, unit.package)
            except InputError:
                pass
    for d in decls:
        if d.type == "type_declaration":
            _declare_types(unit, d, register=True)
    try:
        _declare_named(unit, [d for d in decls if d.type == "type_declaration"])
    except InputError as e:
        unit.note(e)
    for d in decls:
        if d.type == "type_declaration":
            try:
                _declare_types(unit, d, register=False)
            except InputError as e:
                unit.note(e)
    lw = Lowerer(unit, Analysis(), pass1=False)
    funcs: list[tuple[str, Node, tuple | None]] = []
    inits: list[str] = []
    for d in decls:
        try:
            _declare(unit, lw, d, funcs, inits)
        except InputError as e:
            unit.note(e)
    try:
        _check_entry(unit, entry, pkg_name, root)
        var_decls = [d for d in decls if d.type == "var_declaration"]
        _start(unit, var_decls, inits, entry, root)
    except InputError as e:
        unit.note(e)
    except AssertionError:
        if not unit.errors:
            raise
    for name, node, _recv in funcs:
        unit.func_nodes[name] = node
    for name, node, recv in funcs:
        try:
            lower_function(unit, name, node, recv)
        except InputError as e:
            unit.note(e)
        except AssertionError:  # a function left half-built by a skipped statement
            if not unit.errors:
                raise
    unit.raise_errors()
    if unit.types.uses_ifaces:
        _bound_methods(unit)
    if "context" in unit.types.imports:
        unit.functions[CANCEL_FUNC] = ir.Function(
            CANCEL_FUNC, ncaptures=1, nparams=0, nresults=0, nslots=1, slot_names=("ctx",),
            code=(ir.Cancel(0, ir.NOPOS), ir.Return((), ir.NOPOS)))
    if unit.types.uses_locker:
        for f in locker_functions(unit.types.locker_pos):
            unit.functions.setdefault(f.name, f)
    types = {name: unit.types.to_ir(GT("struct", name)) for name in unit.types.structs}
    return ir.Program(file=file, source=source, functions=dict(sorted(unit.functions.items())),
                      globals=tuple(unit.globals), start=START, entry=entry, types=types,
                      helpers=frozenset(unit.helpers))


def _declare(unit: Unit, lw: Lowerer, d: Node, funcs: list[tuple[str, Node, tuple | None]],
             inits: list[str]) -> None:
    """Declare one top-level const, func or method (bodies are lowered later)."""
    file = unit.file
    t = d.type
    if t == "const_declaration":
        lw.const_decl(d, unit.package)
    elif t == "function_declaration":
        _no_generics(unit, d)
        name = text(required(d, "name"))
        sig = unit.types.signature(d)
        if name == "init":
            if sig.params or sig.results:
                fail("func init must have no arguments and no return values", file, d)
            name = f"init#{len(inits) + 1}"
            inits.append(name)
        else:
            unit.package[name] = FuncB(name, sig)
        funcs.append((name, d, None))
    elif t == "method_declaration":
        funcs.append(_method(unit, d))
    elif t not in ("import_declaration", "type_declaration", "var_declaration"):
        outside(construct_name(d), file, d)


def _bound_methods(unit: Unit) -> None:
    """Every method's bound-method function (``T.M$bound``/``T.M$pbound``),
    what dynamic dispatch on an interface value calls (see `ir.Iface`)."""
    lw = Lowerer(unit, Analysis(), pass1=False)
    for tname in sorted(unit.types.methods):
        for mname in sorted(unit.types.methods[tname]):
            info = unit.types.methods[tname][mname]
            lw.ensure_bound(info, pos(unit.func_nodes[info.full]))
    for sname in sorted(unit.types.structs):
        if not any(emb for _, _, emb in unit.types.structs[sname].fields):
            continue
        own = unit.types.methods.get(sname, {})
        declared = {m for ms in unit.types.methods.values() for m in ms}
        declared |= {m for t in unit.types.named.values() if t.kind == "iface" for m, _ in t.methods}
        declared |= {m for info_ in unit.types.structs.values() for _, ft, emb in info_.fields
                     if emb and ft.kind == "iface" for m in unit.types.iface_methods(ft)}
        names = sorted(declared - set(own))
        for mname in names:
            found = unit.types.lookup(GT("struct", sname), mname)
            if found is not None and found[1] == "method" and found[0]:
                minfo = found[2]
                assert isinstance(minfo, MethodInfo)
                lw.ensure_promoted(sname, mname, found[0], minfo, pos(unit.types.structs[sname].node))
            elif found is not None and found[1] == "iface":
                emb = found[2]
                assert isinstance(emb, GT)
                lw.ensure_promoted_iface(sname, mname, found[0], emb, pos(unit.types.structs[sname].node))
    unit.functions.update(lw.out)


def _package(root: Node, file: str) -> str:
    clause = next((c for c in named(root) if c.type == "package_clause"), None)
    if clause is None:
        fail("missing package clause", file, root)
    return text(named(clause)[0])


def _imports(unit: Unit, d: Node) -> None:
    specs: list[Node] = []
    for c in named(d):
        specs.extend(named(c) if c.type == "import_spec_list" else [c])
    for spec in specs:
        if spec.type != "import_spec":
            continue
        path_node = required(spec, "path")
        path = string_value(path_node, unit.file)
        try:
            if field(spec, "name") is not None:
                outside("renamed, dot and blank imports", unit.file, spec)
            if path not in IMPORTABLE:
                outside(f'import of package "{path}"', unit.file, spec,
                        "importable: " + ", ".join(IMPORTABLE))
        except InputError as e:
            unit.note(e)
            continue
        unit.types.imports.add(path)
        unit.package[path.rsplit("/", 1)[-1]] = PkgB(path)


def _predeclare(unit: Unit) -> None:
    for b in BUILTINS:
        unit.package.setdefault(b, BuiltinB(b))
    for n in INT_NAMES:
        bits, unsigned = NARROW_INTS.get(n, (0, False))
        unit.package[n] = TypeB(GT("int", n, bits=bits, unsigned=unsigned))
    unit.package["bool"] = TypeB(BOOL)
    unit.package["string"] = TypeB(STRING)
    unit.package["error"] = TypeB(ERROR)
    unit.package["true"] = ConstB(True, BOOL)
    unit.package["false"] = ConstB(False, BOOL)


def _no_generics(unit: Unit, d: Node) -> None:
    tp = field(d, "type_parameters")
    if tp is not None:
        outside("generics (type parameters)", unit.file, tp)


def _declare_types(unit: Unit, d: Node, register: bool) -> None:
    types = unit.types
    for spec in named(d):
        if spec.type == "type_alias":
            outside("type aliases", unit.file, spec)
        if spec.type != "type_spec":
            continue
        _no_generics(unit, spec)
        name = text(required(spec, "name"))
        tnode = required(spec, "type")
        if register:
            if tnode.type == "struct_type":
                types.structs[name] = StructInfo(name, [], spec)
            unit.package[name] = TypeB(GT("struct", name) if tnode.type == "struct_type" else GT("?"))
            continue
        if tnode.type != "struct_type":
            continue  # resolved by _declare_named
        fields = types.structs[name].fields
        for fd in named(named(tnode)[0]):
            if fd.type != "field_declaration":
                continue
            for n, ft, emb in types.field_decl(fd):
                if not emb and ft.kind == "struct" and ft.name == name:
                    fail(f"invalid recursive type {name}", unit.file, n)
                fields.append((text(n), ft, emb))


#: Underlying kinds a named non-struct type may have.
NAMED_KINDS = ("int", "bool", "string", "func", "slice", "map", "chan", "ptr", "iface")


def _declare_named(unit: Unit, decls: list[Node]) -> None:
    """Named non-struct types (``type Handler func(int)``, ``type Set
    map[string]bool``), resolved in passes so one may refer to another
    declared later; a type that never resolves reports its first error."""
    from models.errors import InputError

    pending = []
    for d in decls:
        for spec in named(d):
            if spec.type == "type_spec" and required(spec, "type").type != "struct_type":
                pending.append(spec)
                if required(spec, "type").type == "interface_type":  # may refer to itself
                    name = text(required(spec, "name"))
                    unit.types.named[name] = GT("iface", name)
                    unit.types.pending_ifaces.add(name)
    while pending:
        left = []
        first: InputError | None = None
        for spec in pending:
            name = text(required(spec, "name"))
            tnode = required(spec, "type")
            try:
                t = unit.types.resolve(tnode)
            except InputError as e:
                left.append(spec)
                first = first or e
                continue
            if t.kind not in NAMED_KINDS:
                outside(f"named {t.kind} types", unit.file, tnode,
                        "named types are structs, or based on int, bool, string, func, slice, map, chan or "
                        "pointer types")
            t = dataclasses.replace(t, name=name)
            unit.types.named[name] = t
            unit.types.pending_ifaces.discard(name)
            unit.package[name] = TypeB(t)
        if len(left) == len(pending):
            assert first is not None
            raise first
        pending = left


def _method(unit: Unit, d: Node) -> tuple[str, Node, tuple]:
    recv = named(field(d, "receiver"))
    if len(recv) != 1:
        fail("method needs exactly one receiver", unit.file, d)
    rnode = recv[0]
    tnode = required(rnode, "type")
    ptr = tnode.type == "pointer_type"
    base = named(tnode)[0] if ptr else tnode
    if base.type == "generic_type":
        outside("generics (type parameters)", unit.file, base)
    tname = text(base)
    named_t = unit.types.named.get(tname)
    if tname not in unit.types.structs and (named_t is None or named_t.kind == "iface"):
        outside("methods on this type", unit.file, base, "methods are declared on named struct and non-interface "
                "types of this package")
    mname = text(required(d, "name"))
    full = f"{tname}.{mname}"
    sig = unit.types.signature(d)
    unit.types.methods.setdefault(tname, {})[mname] = MethodInfo(full, ptr, sig)
    rname_node = field(rnode, "name")
    own = GT("struct", tname) if tname in unit.types.structs else unit.types.named[tname]
    rtype = GT("ptr", elem=own) if ptr else own
    recv_param = (text(rname_node) if rname_node is not None else "", rtype,
                  rname_node if rname_node is not None else rnode)
    return full, d, recv_param


def _check_entry(unit: Unit, entry: str, pkg_name: str, root: Node) -> None:
    b = unit.package.get(entry)
    if not isinstance(b, FuncB):
        tests = sorted(n for n, x in unit.package.items() if n.startswith("Test") and isinstance(x, FuncB))
        fail(f"entry function {entry} not found" + (f"; name one of the tests with 'entry:' ({', '.join(tests)})"
                                                    if tests and entry == "main" else ""), unit.file, root)
    if entry.startswith("Test"):
        p = b.sig.params
        if len(p) != 1 or p[0].kind != "ptr" or p[0].elem is None or p[0].elem.kind != "testing.T" \
                or b.sig.results:
            fail(f"test entry {entry} must have signature func(t *testing.T)", unit.file, root)
    elif entry == "main":
        if pkg_name != "main":
            fail(f"entry main needs package main, not package {pkg_name}", unit.file, root)
        if b.sig.params or b.sig.results:
            fail("func main must have no arguments and no return values", unit.file, root)
    else:
        fail(f"entry must be main or a Test* function, not {entry}", unit.file, root)


class _StartLowerer(Lowerer):
    """Lowers the start function: global initializers, init funcs, entry."""

    def start(self, var_decls: list[Node], inits: list[str], entry: str, root: Node) -> None:
        fb = FuncBuilder(START, pos=(1, 1), lazy_captures=False)
        self.fb = fb
        self.push()
        unit = self.unit
        globals_: list[ir.Global] = []
        for d in var_decls:
            specs: list[Node] = []
            for c in named(d):
                specs.extend(named(c) if c.type == "var_spec_list" else [c])
            for spec in specs:
                m = fb.mark()
                names = spec.children_by_field_name("name")
                tnode = field(spec, "type")
                t = self.types.resolve(tnode) if tnode is not None else None
                values = named(field(spec, "value"))
                vals = self._rhs(values, len(names), spec) if values else []
                for i, n in enumerate(names):
                    name = text(n)
                    gt = t if t is not None else self._default(vals[i][1], n)
                    if name == "_":
                        continue
                    unit.package[name] = GlobalB(name, gt)
                    globals_.append(ir.Global(name, self.types.to_ir(gt), pos(n)))
                    if vals:
                        lv = self.lvalue(n)
                        self.store(lv, self.coerce(vals[i][0], vals[i][1], gt, pos(n)), pos(n), n)
                fb.release(m)
        for name in inits:
            fb.emit(ir.Call((), name, None, (), pos(root)))
        p = (1, 1)
        if entry == "main":
            fb.emit(ir.Call((), entry, None, (), p))
        else:
            tslot = fb.slot("t")
            fb.emit(ir.Const(tslot, None, p))
            fb.emit(ir.Call((), entry, None, (tslot,), p))
        fb.emit(ir.Return((), p))
        self.pop()
        self.out[START] = fb.finish(0)
        if unit.gomaxprocs_read:
            globals_.append(ir.Global(ir.GOMAXPROCS_VAR, ir.INT, (1, 1)))
        unit.globals = globals_


def _reads_gomaxprocs(root: Node) -> bool:
    """Does some ``runtime.GOMAXPROCS(n)`` call have its result used?  Only
    then is the setting a variable of the program (a statement-only program
    cannot observe it: its calls stay no-ops)."""
    if root.text is None or b"GOMAXPROCS" not in root.text:
        return False
    todo = [root]
    while todo:
        n = todo.pop()
        if n.type == "call_expression" and text(required(n, "function")).endswith(".GOMAXPROCS") \
                and (n.parent is None or n.parent.type not in ("expression_statement", "go_statement",
                                                               "defer_statement")):
            return True
        todo.extend(n.named_children)
    return False


def _start(unit: Unit, var_decls: list[Node], inits: list[str], entry: str, root: Node) -> None:
    analysis = Analysis()
    _StartLowerer(unit, analysis, pass1=True).start(var_decls, inits, entry, root)
    analysis.finish_pass1()
    lw = _StartLowerer(unit, analysis, pass1=False)
    lw.start(var_decls, inits, entry, root)
    unit.functions.update(lw.out)


__all__ = ["compile_go", "START", "CANCEL_FUNC", "block_statements"]
