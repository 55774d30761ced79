"""Go types as far as lowering needs them: kinds, signatures, struct layouts,
field and method lookup (with promotion through embedded fields).

The frontend is not a full type checker: programs must also build with the
Go toolchain.  Types here decide how a value is stored (frame slot, boxed
cell, heap object) and which instructions an operation lowers to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from tree_sitter import Node

from models import ir
from models.lang.parse import construct_name, fail, named, outside, required, text
from models.lang.parse import field as child

#: sync / sync/atomic object kinds (values live in their own heap object).
SYNC_KINDS = frozenset({
    "sync.Mutex", "sync.RWMutex", "sync.WaitGroup", "sync.Once", "sync.Cond", "sync.Map",
    "atomic.Int32", "atomic.Int64", "atomic.Uint32", "atomic.Uint64", "atomic.Bool", "atomic.Value",
})

INT_NAMES = frozenset({"int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16",
                       "uint32", "uint64", "uintptr", "byte", "rune"})
#: The integer types whose values the model wraps at their width: (bits, unsigned).  The 64-bit
#: ones are the model's int (two's complement): ``uint``/``uint64``/``uintptr`` values of 2^63 and
#: more are not represented (a known imprecision, docs/go-subset.md).
NARROW_INTS = {"int8": (8, False), "int16": (16, False), "int32": (32, False), "rune": (32, False),
               "uint8": (8, True), "byte": (8, True), "uint16": (16, True), "uint32": (32, True)}


@dataclass(frozen=True, slots=True)
class GT:
    """A Go type.  kind: int bool string chan ptr func struct unit (``struct{}``)
    context iface testing.T nil, or a sync/atomic kind.  `name` names
    struct and named types; `elem` is a channel's element or a pointer's
    target; `params`/`results` a func signature."""

    kind: str
    name: str = ""
    elem: GT | None = None
    params: tuple[GT, ...] = ()
    results: tuple[GT, ...] = ()
    key: GT | None = None
    #: an interface's method set: (name, func type), sorted by name
    methods: tuple[tuple[str, GT], ...] = ()
    #: an array's length
    length: int = 0
    #: a func type whose last parameter is ``...T`` (its type in `params` is ``[]T``)
    variadic: bool = False
    #: an integer type narrower than 64 bits (8, 16, 32; 0 otherwise) and whether it is unsigned:
    #: its arithmetic wraps at that width (`ExprMixin.narrow`); kept by named types based on it
    bits: int = 0
    unsigned: bool = False

    @property
    def is_object(self) -> bool:
        return self.kind in ("struct", "array") or self.kind in SYNC_KINDS

    def __str__(self) -> str:
        if self.kind == "chan":
            return f"chan {self.elem}"
        if self.kind == "ptr":
            return f"*{self.elem}"
        if self.kind == "slice" and not self.name:
            return f"[]{self.elem}"
        if self.kind == "array" and not self.name:
            return f"[{self.length}]{self.elem}"
        if self.kind == "map" and not self.name:
            return f"map[{self.key}]{self.elem}"
        if self.kind == "func" and not self.name:
            res = ", ".join(map(str, self.results))
            ps = [str(p) for p in self.params]
            if self.variadic and ps:
                ps[-1] = "..." + str(self.params[-1].elem)
            return f"func({', '.join(ps)})" + (f" ({res})" if res else "")
        return self.name or self.kind


INT = GT("int", "int")
BYTE = GT("int", "byte", bits=8, unsigned=True)
RUNE = GT("int", "rune", bits=32)
BOOL = GT("bool", "bool")
STRING = GT("string", "string")
NIL = GT("nil")
UNIT = GT("unit", "struct{}")
CONTEXT = GT("context", "context.Context")
ERROR = GT("iface", "error", methods=(("Error", GT("func", results=(STRING,))),))
ANY = GT("iface", "interface {}")
#: ``sync.Locker``; its dynamic types are ``*sync.Mutex``, ``*sync.RWMutex`` and
#: ``*sync.rlocker`` (RWMutex.RLocker), whose methods `locker_functions` provides.
LOCKER = GT("iface", "sync.Locker", methods=(("Lock", GT("func")), ("Unlock", GT("func"))))
STRINGER = GT("iface", "fmt.Stringer", methods=(("String", GT("func", results=(STRING,))),))
CANCEL = GT("func", "context.CancelFunc")
#: ``io.Reader``/``io.Writer`` (the program's own implementations; io.ReadFull drives a Reader)
IO_READER = GT("iface", "io.Reader", methods=(("Read", GT("func", params=(GT("slice", elem=GT("int", "byte")),),
                                                        results=(INT, ERROR))),))
IO_WRITER = GT("iface", "io.Writer", methods=(("Write", GT("func", params=(GT("slice", elem=GT("int", "byte")),),
                                                          results=(INT, ERROR))),))
DURATION = GT("int", "time.Duration")
#: ``time.Time``: an abstract instant, an int (`models.ir.TIME_NOW`; 0 is the zero Time).
TIME = GT("int", "time.Time")
TESTING_T = GT("ptr", elem=GT("testing.T", "testing.T"))
#: ``os.File`` (only behind a pointer: ``*os.File`` from ``os.Pipe``).
OS_FILE = GT("os.File", "os.File")
FILE_PTR = GT("ptr", elem=OS_FILE)
#: ``[]byte`` of ``buf := make([]byte, K)``: only passed to ``(*os.File).Read``;
#: its value in the frame is the length K.
BYTES = GT("bytes", "[]byte")


def zero_value(t: GT) -> object:
    """The zero value of a scalar type."""
    if t.kind == "int":
        return 0
    if t.kind == "bool":
        return False
    if t.kind == "string":
        return ""
    return None


@dataclass
class StructInfo:
    name: str
    fields: list[tuple[str, GT, bool]]  # (name, type, embedded)
    node: Node


@dataclass
class MethodInfo:
    full: str          # "T.M"
    ptr_recv: bool
    sig: GT            # func type (without the receiver)


@dataclass
class TypeTable:
    """Declared types of one program, and how to read type syntax."""

    file: str
    structs: dict[str, StructInfo] = field(default_factory=dict)
    named: dict[str, GT] = field(default_factory=dict)     # type N int, etc.
    methods: dict[str, dict[str, MethodInfo]] = field(default_factory=dict)
    imports: set[str] = field(default_factory=set)
    #: named interfaces declared but not yet resolved (see program._declare_named)
    pending_ifaces: set[str] = field(default_factory=set)
    #: the program uses interface values (bound-method functions are generated)
    uses_ifaces: bool = False
    #: the program names sync.Locker (or calls RLocker): the bound Lock/Unlock
    #: functions of *sync.Mutex, *sync.RWMutex and the rlocker are added
    uses_locker: bool = False
    locker_pos: tuple[int, int] = (1, 1)  # where the program first names it (the functions' position)
    #: folds a constant expression (set by the lowerer: array lengths like [N]int)
    const_hook: Any = None
    _ir_cache: dict[str, ir.Type] = field(default_factory=dict)

    # ---- reading type syntax

    def resolve(self, node: Node) -> GT:
        t = node.type
        if t == "parenthesized_type":
            return self.resolve(named(node)[0])
        if t == "type_identifier":
            name = text(node)
            if name in INT_NAMES:
                bits, unsigned = NARROW_INTS.get(name, (0, False))
                return GT("int", name, bits=bits, unsigned=unsigned)
            if name == "bool":
                return BOOL
            if name == "string":
                return STRING
            if name == "error":
                return ERROR
            if name in self.structs:
                return GT("struct", name)
            if name in self.named:
                return self.named[name]
            if name in ("float32", "float64", "complex64", "complex128"):
                outside("floating-point and complex types", self.file, node)
            if name == "any":
                return ANY
            fail(f"undefined type {name}", self.file, node)
        if t == "qualified_type":
            return self._qualified(node)
        if t == "pointer_type":
            inner = self.resolve(named(node)[0])
            return GT("ptr", elem=inner)
        if t == "channel_type":
            elem = self.resolve(node.child_by_field_name("value") or named(node)[-1])
            if elem.kind in SYNC_KINDS:
                outside("channels of sync values", self.file, node)
            return GT("chan", elem=elem)
        if t == "struct_type":
            if not named(named(node)[0]):
                return UNIT
            return self.anonymous_struct(node)
        if t == "function_type":
            return self.signature(node)
        if t == "slice_type":
            en = child(node, "element")
            assert en is not None
            elem = self.resolve(en)
            if elem.kind in SYNC_KINDS:
                outside(f"slices of {elem} values", self.file, node, f"use a slice of pointers, []*{elem}")
            return GT("slice", elem=elem)
        if t == "array_type":
            ln, en = child(node, "length"), child(node, "element")
            assert ln is not None and en is not None
            n = self.array_length(ln)
            elem = self.resolve(en)
            if elem.kind in SYNC_KINDS:
                outside(f"arrays of {elem} values", self.file, node, f"use an array of pointers, [{n}]*{elem}")
            return GT("array", elem=elem, length=n)
        if t == "map_type":
            kn, vn = child(node, "key"), child(node, "value")
            assert kn is not None and vn is not None
            key = self.resolve(kn)
            val = self.resolve(vn)
            if key.kind not in ("int", "bool", "string", "ptr", "chan") or key == TIME:
                outside(f"map keys of type {key}", self.file, kn,
                        "keys are integers, strings, booleans, pointers or channels")
            if val.kind in SYNC_KINDS:
                outside(f"maps of {val} values", self.file, node, f"use a map of pointers, map[{key}]*{val}")
            return GT("map", elem=val, key=key)
        if t == "generic_type":
            outside("generics (type parameters)", self.file, node)
        if t == "interface_type":
            return self.interface(node)
        outside(construct_name(node), self.file, node)

    def array_length(self, node: Node) -> int:
        """An array length: an integer literal (constants are folded by the lowerer's hook)."""
        if node.type == "int_literal":
            return int(text(node).replace("_", ""), 0)
        if self.const_hook is not None:
            v = self.const_hook(node)
            if isinstance(v, int) and not isinstance(v, bool):
                return v
        outside("array lengths that are not constants", self.file, node)

    def interface(self, node: Node) -> GT:
        """An interface type literal: its methods and those of the interfaces
        it embeds (type sets with non-interface terms are generics: outside)."""
        methods: dict[str, GT] = {}
        for el in named(node):
            if el.type == "method_elem":
                nn = el.child_by_field_name("name")
                assert nn is not None
                methods[text(nn)] = self.signature(el)
            elif el.type == "type_elem":
                kids = named(el)
                emb = self.resolve(kids[0]) if len(kids) == 1 else GT("?")
                if emb.kind != "iface":
                    outside("interface type sets (constraints)", self.file, el)
                if emb.name in self.pending_ifaces:
                    fail(f"undefined type {emb.name}", self.file, el)  # resolved in a later pass
                methods.update(self.iface_methods(emb))
        if not methods:
            return ANY
        return GT("iface", "", methods=tuple(sorted(methods.items())))

    def iface_methods(self, t: GT) -> dict[str, GT]:
        """The method set of interface type `t` (a named one as declared)."""
        if t.name in self.named and self.named[t.name].kind == "iface":
            t = self.named[t.name]
        return dict(t.methods)

    def go_name(self, t: GT) -> str:
        """Go's name of a type as the runtime prints it (``*main.T``, ``int``)."""
        if t.kind == "ptr" and t.elem is not None:
            return "*" + self.go_name(t.elem)
        if t.kind == "struct" and not t.name.startswith("struct{"):
            return "main." + t.name
        if t.name and (t.name in self.named or t.name in self.structs):
            return "main." + t.name
        if t.kind == "unit":
            return "struct {}"
        if t.kind == "iface" and not t.name:
            return "interface {...}"
        return str(t)

    def anonymous_struct(self, node: Node) -> GT:
        """``struct{ x, y int }`` used as a type: a struct type named by its
        own text (identical literal types are one type, as in Go)."""
        name = "struct{" + "; ".join(" ".join(text(fd).split()) for fd in named(named(node)[0])
                                     if fd.type == "field_declaration") + "}"
        if name not in self.structs:
            info = StructInfo(name, [], node)
            for fd in named(named(node)[0]):
                if fd.type == "field_declaration":
                    info.fields.extend((text(n), ft, emb) for n, ft, emb in self.field_decl(fd))
            self.structs[name] = info
        return GT("struct", name)

    def field_decl(self, fd: Node) -> list[tuple[Node, GT, bool]]:
        """The fields one struct field declaration declares: (name node, type,
        embedded).  An embedded field (``sync.Mutex``, ``*T``) is named by its
        type's unqualified name (Go spec, "Struct types") and may be a struct,
        an interface or a sync type (whose methods it promotes)."""
        ftn = required(fd, "type")
        ft = self.resolve(ftn)
        if any(c.type == "*" for c in fd.children):
            ft = GT("ptr", elem=ft)
        names = fd.children_by_field_name("name")
        if names:
            return [(n, ft, False) for n in names]
        base = ft.elem if ft.kind == "ptr" and ft.elem is not None else ft
        if base.kind != "struct" and not base.is_object and base.kind != "iface":
            outside(f"embedding {base}", self.file, fd, "embed structs, interfaces or sync types")
        name_node = ftn.child_by_field_name("name") if ftn.type == "qualified_type" else ftn
        return [(name_node or ftn, ft, True)]

    def _qualified(self, node: Node) -> GT:
        pkg = text(required(node, "package"))
        name = text(required(node, "name"))
        full = f"{pkg}.{name}"
        path = {"atomic": "sync/atomic"}.get(pkg, pkg)
        if path not in self.imports:
            fail(f"undefined: {pkg} (package not imported)", self.file, node)
        if full in SYNC_KINDS:
            return GT(full, full)
        if full == "context.Context":
            return CONTEXT
        if full == "context.CancelFunc":
            return CANCEL
        if full == "time.Duration":
            return DURATION
        if full == "testing.T":
            return GT("testing.T", "testing.T")
        if full == "os.File":
            return OS_FILE
        if full == "time.Time":
            return TIME
        if full in ("time.Timer", "time.Ticker"):
            return self.timer_struct(full, node)
        if full == "sync.Locker":
            if not self.uses_locker:
                self.uses_locker, self.locker_pos = True, (node.start_point[0] + 1, node.start_point[1] + 1)
            return LOCKER
        if full == "fmt.Stringer":
            return STRINGER
        if full in ("io.Reader", "io.Writer"):
            return IO_READER if name == "Reader" else IO_WRITER
        outside(f"type {full}", self.file, node)

    def timer_struct(self, full: str, node: Node) -> GT:
        """``time.Timer``/``time.Ticker``: a struct with the one exported field
        ``C <-chan time.Time`` (its methods are the library's: models.lang.library)."""
        if full not in self.structs:
            self.structs[full] = StructInfo(full, [("C", GT("chan", elem=TIME), False)], node)
        return GT("struct", full)

    def signature(self, node: Node) -> GT:
        """The func type of a declaration, literal or function_type node."""
        plist = node.child_by_field_name("parameters")
        params = self.param_types(plist)
        variadic = any(p.type == "variadic_parameter_declaration" for p in named(plist))
        return GT("func", params=tuple(t for _, t, _ in params), results=self.result_types(node), variadic=variadic)

    def param_types(self, plist: Node | None) -> list[tuple[str, GT, Node]]:
        """(name, type, name node) of each parameter, "" for unnamed ones.  A
        variadic ``args ...T`` (the last parameter) has type ``[]T`` (Go spec,
        "Function types")."""
        out: list[tuple[str, GT, Node]] = []
        for p in named(plist):
            if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
                outside(construct_name(p), self.file, p)
            tnode = p.child_by_field_name("type")
            assert tnode is not None
            gt = self.resolve(tnode)
            if p.type == "variadic_parameter_declaration":
                if gt.kind in SYNC_KINDS:
                    outside(f"slices of {gt} values", self.file, p, f"use ...*{gt}")
                gt = GT("slice", elem=gt)
            names = [c for c in p.children_by_field_name("name")]
            if not names:
                out.append(("", gt, p))
            for n in names:
                out.append((text(n), gt, n))
        return out

    def result_types(self, node: Node) -> tuple[GT, ...]:
        res = node.child_by_field_name("result")
        if res is None:
            return ()
        if res.type == "parameter_list":
            return tuple(t for _, t, _ in self.param_types(res))
        return (self.resolve(res),)

    # ---- structs

    def fields_of(self, t: GT) -> list[tuple[Any, GT, bool]]:
        """A struct's fields; an array's elements (named 0 .. n-1), for copying."""
        if t.kind == "array" and t.elem is not None:
            return [(i, t.elem, False) for i in range(t.length)]
        return self.structs[t.name].fields if t.kind == "struct" else []

    def lookup(self, t: GT, name: str) -> tuple[list[tuple[str, GT]], str, object] | None:
        """Find field or method `name` on type `t` (a struct, a sync kind,
        or a pointer to one), promoting through embedded fields.

        Returns (path, what, info): `path` the embedded fields walked
        (name, field type), `what` one of "field" / "method" / "lib", and
        `info` the field type, the MethodInfo, or the library kind.
        """
        base = t.elem if t.kind == "ptr" and t.elem is not None else t
        level: list[tuple[list[tuple[str, GT]], GT]] = [([], base)]
        seen: set[str] = set()
        while level:
            found: list[tuple[list[tuple[str, GT]], str, Any]] = []
            nxt: list[tuple[list[tuple[str, GT]], GT]] = []
            for path, cur in level:
                key = str(cur)
                if key in seen:
                    continue
                seen.add(key)
                if cur.kind in SYNC_KINDS or cur.kind == "testing.T":
                    found.append((path, "lib", cur.kind))
                    continue
                if cur.kind == "iface" and path:  # an embedded interface promotes its methods
                    if name in self.iface_methods(cur):
                        found.append((path, "iface", cur))
                    continue
                if cur.kind != "struct":
                    nm = self.methods.get(cur.name, {}).get(name) if cur.name in self.named else None
                    if nm is not None:  # a method of a named non-struct type
                        found.append((path, "method", nm))
                    continue
                m = self.methods.get(cur.name, {}).get(name)
                if m is not None:
                    found.append((path, "method", m))
                for fname, ftype, emb in self.fields_of(cur):
                    if fname == name:
                        found.append((path, "field", ftype))
                    if emb:
                        inner = ftype.elem if ftype.kind == "ptr" and ftype.elem else ftype
                        nxt.append((path + [(fname, ftype)], inner))
            libs = [f for f in found if f[1] == "lib"]
            real = [f for f in found if f[1] != "lib"]
            if real:
                return real[0]
            if libs and any(lib_has(cast(str, f[2]), name) for f in libs):
                return next(f for f in libs if lib_has(cast(str, f[2]), name))
            level = nxt
        return None

    # ---- IR types

    def to_ir(self, t: GT, shallow: bool = False) -> ir.Type:
        k = t.kind
        if k == "int":
            return ir.INT if t.name in ("", "int") else ir.Type("int", t.name)
        if k == "bool":
            return ir.BOOL
        if k == "string":
            return ir.STRING
        if k == "chan":
            assert t.elem is not None
            return ir.Type("chan", elem=self.to_ir(t.elem, shallow=True))
        if k == "ptr":
            assert t.elem is not None
            return ir.Type("ptr", elem=self.to_ir(t.elem, shallow=True))
        if k == "func":
            return ir.Type("func", t.name)
        if k == "context":
            return ir.Type("context", "context.Context")
        if k in ("iface", "nil"):
            return ir.Type("iface", t.name or "error")
        if k == "unit":
            return ir.Type("struct", "struct{}")
        if k in SYNC_KINDS:
            return ir.Type(k, k)
        if k == "testing.T":
            return ir.Type("struct", "testing.T")
        if k == "os.File":
            return ir.Type("struct", "os.File")
        if k == "bytes":
            return ir.Type("int", "[]byte")
        if k == "slice":
            assert t.elem is not None
            return ir.Type("slice", t.name, elem=self.to_ir(t.elem, shallow=True))
        if k == "array":
            assert t.elem is not None
            return ir.Type("array", t.name, elem=self.to_ir(t.elem), length=t.length)
        if k == "map":
            assert t.elem is not None
            return ir.Type("map", t.name, elem=self.to_ir(t.elem, shallow=True))
        if k == "struct":
            if shallow:
                return ir.Type("struct", t.name)
            cached = self._ir_cache.get(t.name)
            if cached is None:
                fields = tuple((n, self.to_ir(ft)) for n, ft, _ in self.fields_of(t))
                cached = ir.Type("struct", t.name, fields=fields)
                self._ir_cache[t.name] = cached
            return cached
        raise AssertionError(f"no IR type for {t}")


#: Methods the library kinds provide (lowered by models.lang.library).
#: The methods of a ``time.Time`` value (abstract instants, `models.lang.library.Lib.emit_time`):
#: name -> (parameter types, result types).
TIME_METHODS: dict[str, tuple[tuple[GT, ...], tuple[GT, ...]]] = {
    "Add": ((DURATION,), (TIME,)), "Sub": ((TIME,), (DURATION,)), "Before": ((TIME,), (BOOL,)),
    "After": ((TIME,), (BOOL,)), "Equal": ((TIME,), (BOOL,)), "IsZero": ((), (BOOL,)),
}

LIB_METHODS: dict[str, frozenset[str]] = {
    "sync.Mutex": frozenset({"Lock", "Unlock", "TryLock"}),
    "sync.RWMutex": frozenset({"Lock", "Unlock", "TryLock", "RLock", "RUnlock", "RLocker"}),
    "sync.WaitGroup": frozenset({"Add", "Done", "Wait"}),
    "sync.Once": frozenset({"Do"}),
    "sync.Cond": frozenset({"Wait", "Signal", "Broadcast"}),
    "sync.Map": frozenset({"Load", "Store", "LoadOrStore", "LoadAndDelete", "Delete", "Range"}),
    "atomic.Int32": frozenset({"Load", "Store", "Add", "Swap", "CompareAndSwap"}),
    "atomic.Int64": frozenset({"Load", "Store", "Add", "Swap", "CompareAndSwap"}),
    "atomic.Uint32": frozenset({"Load", "Store", "Add", "Swap", "CompareAndSwap"}),
    "atomic.Uint64": frozenset({"Load", "Store", "Add", "Swap", "CompareAndSwap"}),
    "atomic.Bool": frozenset({"Load", "Store", "Swap", "CompareAndSwap"}),
    "atomic.Value": frozenset({"Load", "Store", "Swap", "CompareAndSwap"}),
    "testing.T": frozenset({"Fatal", "Fatalf", "Error", "Errorf", "Log", "Logf", "Helper",
                            "FailNow", "Fail"}),
}


def lib_has(kind: str, name: str) -> bool:
    return name in LIB_METHODS.get(kind, frozenset()) or (kind == "sync.Cond" and name == "L")


def locker_functions(p: tuple[int, int]) -> list[ir.Function]:
    """The bound methods behind sync.Locker values (named as `ir.method_func`
    finds them): Lock/Unlock of *sync.Mutex and *sync.RWMutex, and the
    rlocker's Lock/Unlock, which are the RWMutex's RLock/RUnlock
    (sync/rwmutex.go rlocker)."""
    out = []
    for typ, name, op in (("sync.Mutex", "Lock", ir.Lock), ("sync.Mutex", "Unlock", ir.Unlock),
                          ("sync.RWMutex", "Lock", ir.Lock), ("sync.RWMutex", "Unlock", ir.Unlock),
                          ("sync.rlocker", "Lock", ir.RLock), ("sync.rlocker", "Unlock", ir.RUnlock)):
        full = f"{typ}.{name}$pbound"
        out.append(ir.Function(full, ncaptures=1, nparams=0, nresults=0, nslots=1, slot_names=("m",),
                               code=(op(0, p), ir.Return((), p)), pos=p))
    return out
