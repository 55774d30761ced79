"""Go packages of several files, and packages that import each other, as one program.

`go test` compiles a package from all of its files, its same-package tests
(``package cache``) and its external tests (``package cache_test``), plus
every package of the module they import.  The frontend lowers one source
text, so this module merges them into one, keeping every line where it was:

- the package under test keeps its names; every other package (the external
  test package, imported packages of the module) gets its package-level
  names prefixed (``cache.Get`` in an importer becomes ``cache__Get``, the
  package's own uses of ``Get`` too), so names cannot collide;
- import specs of packages of the module are blanked, other files' package
  clauses too: only characters inside lines change, so a line of the merged
  text is a line of one original file (`FileMap`), which positions in
  traces and errors name;
- a mangled package that declares a local name equal to one of its
  package-level names, a dot or renamed import of a module package, and
  import cycles are refused with a position: renaming then could change the
  program's meaning, and a changed meaning could hide a bug.

Only this module and the rest of `models.lang` know tree-sitter; finding
files, go.mod and test functions on disk is the application's job
(`gocheck.gotest`).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from models.errors import InputError
from models.lang.parse import fail, named, parse, pos, string_value, text

__all__ = ["FileMap", "GoFile", "Part", "merge", "scan"]

_LOCAL_DECL_PARENTS = {"parameter_declaration", "variadic_parameter_declaration", "short_var_declaration",
                       "var_spec", "const_spec", "range_clause", "receive_statement", "type_spec",
                       "type_switch_statement", "labeled_statement", "expression_list"}


@dataclass(frozen=True)
class GoFile:
    """One parsed Go file: its package, imports, package-level names and test functions."""

    path: str
    source: str
    package: str
    imports: tuple[tuple[str, str, int], ...]  # (local name, import path, line)
    names: frozenset[str]  # package-level funcs, vars, consts and types (not methods)
    tests: tuple[tuple[str, int], ...]  # Test* functions taking *testing.T, with their lines
    has_init: bool = False


def scan(path: str, source: str) -> GoFile:
    """Parse `source` (file `path`) and list what the package loader needs."""
    root = parse(source, path)
    clause = next((c for c in named(root) if c.type == "package_clause"), None)
    if clause is None:
        fail("missing package clause", path, root)
    package = text(named(clause)[0])
    imports: list[tuple[str, str, int]] = []
    names: set[str] = set()
    tests: list[tuple[str, int]] = []
    has_init = False
    for d in named(root):
        if d.type == "import_declaration":
            for spec in _import_specs(d):
                ipath = string_value(spec.child_by_field_name("path"), path)  # type: ignore[arg-type]
                alias = spec.child_by_field_name("name")
                local = text(alias) if alias is not None else ipath.rsplit("/", 1)[-1]
                imports.append((local, ipath, pos(spec)[0]))
        elif d.type == "function_declaration":
            name = text(d.child_by_field_name("name"))  # type: ignore[arg-type]
            if name == "init":
                has_init = True
                continue
            names.add(name)
            if name.startswith("Test") and path.endswith("_test.go") and _takes_testing_t(d):
                tests.append((name, pos(d)[0]))
        elif d.type in ("var_declaration", "const_declaration", "type_declaration"):
            for spec in _specs(d):
                for n in spec.children_by_field_name("name"):
                    names.add(text(n))
    return GoFile(path, source, package, tuple(imports), frozenset(names), tuple(tests), has_init)


def _import_specs(d: Node) -> list[Node]:
    out: list[Node] = []
    for c in named(d):
        out.extend(named(c) if c.type == "import_spec_list" else [c])
    return [s for s in out if s.type == "import_spec"]


def _specs(d: Node) -> list[Node]:
    out: list[Node] = []
    for c in named(d):
        out.extend(named(c) if c.type.endswith("_spec_list") else [c])
    return [s for s in out if s.type in ("var_spec", "const_spec", "type_spec", "type_alias")]


def _takes_testing_t(d: Node) -> bool:
    params = d.child_by_field_name("parameters")
    ps = [p for p in named(params) if p.type == "parameter_declaration"]
    return len(ps) == 1 and text(ps[0].child_by_field_name("type")).replace(" ", "") == "*testing.T"  # type: ignore[arg-type]


@dataclass(frozen=True)
class Part:
    """The files of one package in the merged program; `prefix` mangles its package-level names
    ("" for the package under test); `import_path` is how the module's other packages import it."""

    files: tuple[GoFile, ...]
    prefix: str
    import_path: str
    #: package-level names that keep their name (an external test package's Test functions: the
    #: frontend starts a program only at main or a Test* function)
    keep: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FileMap:
    """Which original file and line a line of the merged text is."""

    starts: tuple[int, ...]  # first merged line of each file
    paths: tuple[str, ...]

    def where(self, line: int) -> tuple[str, int]:
        k = max(bisect.bisect_right(self.starts, line) - 1, 0)
        return self.paths[k], line - self.starts[k] + 1


@dataclass
class _Edits:
    edits: list[tuple[int, int, str]] = field(default_factory=list)

    def replace(self, node: Node, new: str) -> None:
        self.edits.append((node.start_byte, node.end_byte, new))

    def blank(self, node: Node) -> None:
        old = node.text or b""
        self.edits.append((node.start_byte, node.end_byte,
                           "".join("\n" if c == "\n" else " " for c in old.decode())))

    def apply(self, source: str) -> str:
        data = source.encode()
        for start, end, new in sorted(self.edits, reverse=True):
            data = data[:start] + new.encode() + data[end:]
        return data.decode()


def merge(parts: list[Part], package: str) -> tuple[str, str, FileMap]:
    """The merged source (what the frontend compiles), the display source (the original lines, for
    traces) and the line map.  `parts` come in initialization order (dependencies first)."""
    prefix_of = {p.import_path: p.prefix for p in parts}
    merged: list[str] = []
    display: list[str] = []
    starts: list[int] = []
    paths: list[str] = []
    line = 1
    first = True
    for part in parts:
        names = frozenset().union(*(f.names for f in part.files)) - part.keep
        for f in part.files:
            root = parse(f.source, f.path)
            ed = _Edits()
            clause = next(c for c in named(root) if c.type == "package_clause")
            if first:
                ed.replace(clause, f"package {package}")
                first = False
            else:
                ed.blank(clause)
            aliases = _module_imports(root, f, prefix_of, ed)
            if part.prefix:
                _check_no_shadowing(root, f, names | set(aliases))
                _rename(root, names, part.prefix, aliases, ed)
            else:
                _check_no_shadowing(root, f, set(aliases))
                _rename(root, frozenset(), "", aliases, ed)
            src = ed.apply(f.source)
            if not src.endswith("\n"):
                src += "\n"
            disp = f.source if f.source.endswith("\n") else f.source + "\n"
            merged.append(src)
            display.append(disp)
            starts.append(line)
            paths.append(f.path)
            line += disp.count("\n")
    return "".join(merged), "".join(display), FileMap(tuple(starts), tuple(paths))


def _module_imports(root: Node, f: GoFile, prefix_of: dict[str, str], ed: _Edits) -> dict[str, str]:
    """Blank the imports of the module's packages; map each local name to that package's prefix."""
    aliases: dict[str, str] = {}
    for d in named(root):
        if d.type != "import_declaration":
            continue
        specs = _import_specs(d)
        kept = 0
        for spec in specs:
            ipath = string_value(spec.child_by_field_name("path"), f.path)  # type: ignore[arg-type]
            if ipath not in prefix_of:
                kept += 1
                continue
            alias = spec.child_by_field_name("name")
            if alias is not None and text(alias) in (".", "_"):
                fail(f'a {"dot" if text(alias) == "." else "blank"} import of the module\'s package "{ipath}" '
                     "cannot be merged; import it by name", f.path, spec)
            local = text(alias) if alias is not None else ipath.rsplit("/", 1)[-1]
            aliases[local] = prefix_of[ipath]
            ed.blank(spec)
        if kept == 0 and specs:
            ed.blank(d)
    return aliases


def _walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def _check_no_shadowing(root: Node, f: GoFile, names: set[str] | frozenset[str]) -> None:
    """Refuse a local declaration of a name that renaming would also rewrite."""
    for d in named(root):
        if d.type not in ("function_declaration", "method_declaration", "var_declaration", "const_declaration"):
            continue
        top_specs = set(id(s) for s in _specs(d)) if d.type != "function_declaration" else set()
        for n in _walk(d):
            if n.type not in ("identifier", "type_identifier") or text(n) not in names:
                continue
            p = n.parent
            if p is None or p.type not in _LOCAL_DECL_PARENTS or id(p) in top_specs:
                continue
            if p.type == "expression_list":
                gp = p.parent
                if gp is None or gp.type not in ("short_var_declaration", "range_clause", "receive_statement") or \
                        gp.child_by_field_name("left") != p:
                    continue
            elif p.type in ("var_spec", "const_spec", "type_spec", "parameter_declaration",
                            "variadic_parameter_declaration"):
                if n not in p.children_by_field_name("name"):
                    continue
            elif p.type == "short_var_declaration" or p.type == "range_clause" or p.type == "receive_statement":
                if p.child_by_field_name("left") != n:
                    continue
            if d.type in ("var_declaration", "const_declaration") and p.parent is not None and \
                    p.parent.type in ("var_declaration", "const_declaration", "var_spec_list", "const_spec_list"):
                continue  # a package-level declaration itself
            line, col = pos(n)
            raise InputError(f"the local name '{text(n)}' shadows a package-level name (or an import) of "
                             "package " + f.package + ", which merging packages renames: rename the local "
                             "variable", f.path, line, col)


def _rename(root: Node, names: frozenset[str], prefix: str, aliases: dict[str, str], ed: _Edits) -> None:
    for n in _walk(root):
        if n.type == "selector_expression":
            operand = n.child_by_field_name("operand")
            fld = n.child_by_field_name("field")
            if operand is not None and fld is not None and operand.type == "identifier" and text(operand) in aliases:
                ed.replace(n, aliases[text(operand)] + text(fld))
        elif n.type == "qualified_type":
            pkg = n.child_by_field_name("package")
            nm = n.child_by_field_name("name")
            if pkg is not None and nm is not None and text(pkg) in aliases:
                ed.replace(n, aliases[text(pkg)] + text(nm))
        elif prefix and n.type in ("identifier", "type_identifier") and text(n) in names:
            p = n.parent
            if p is not None and p.type in ("selector_expression", "qualified_type"):
                if p.child_by_field_name("operand") == n and text(n) in aliases:
                    continue
            if p is not None and p.type == "keyed_element" and p.named_children and p.named_children[0] == n:
                fail(f"the struct key '{text(n)}' is also a package-level name of a merged package; "
                     "rename one of them", "<merged>", n)
            ed.replace(n, prefix + text(n))
