"""The layers point one way (issue 11): engine < Go model < application.

`checker` (the engine) imports nothing of the project above it; `models`
imports only the engine and itself; `reference` (the independent runtime)
only the IR and the frontend of `models` and the engine's error type;
`gocheck` (the application) may import everything.  No two modules import
each other, directly or through others, at run time (imports under
``if TYPE_CHECKING:`` are not run and do not count).
"""

from __future__ import annotations

import ast
import os

import networkx as nx
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGES = ("checker", "models", "reference", "gocheck")
#: The program entry point that hands ``python -m checker`` to the application.
ENTRY = "checker.__main__"


def _modules() -> dict[str, str]:
    out = {}
    for pkg in PACKAGES:
        for dirpath, _, files in os.walk(os.path.join(ROOT, pkg)):
            for f in files:
                if f.endswith(".py"):
                    rel = os.path.relpath(os.path.join(dirpath, f), ROOT)[:-3].replace(os.sep, ".")
                    out[rel.removesuffix(".__init__")] = os.path.join(dirpath, f)
    return out


def _type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _imports(name: str, path: str, known: set[str]) -> set[str]:
    """Project modules `name` imports at run time (module level or inside functions)."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    found: set[str] = set()
    pkg = name if path.endswith("__init__.py") else name.rpartition(".")[0]

    def resolve(mod: str) -> str | None:
        while mod and mod not in known:
            mod = mod.rpartition(".")[0]
        return mod or None

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                for a in child.names:
                    m = resolve(a.name)
                    if m:
                        found.add(m)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = pkg.split(".")
                    base = ".".join(parts[: len(parts) - child.level + 1] + ([base] if base else []))
                for a in child.names:
                    m = resolve(f"{base}.{a.name}") if f"{base}.{a.name}" in known else resolve(base)
                    if m:
                        found.add(m)
            visit(child)

    visit(tree)
    found.discard(name)
    return found


MODULES = _modules()
GRAPH = nx.DiGraph()
for _name, _path in MODULES.items():
    GRAPH.add_node(_name)
    for _dep in _imports(_name, _path, set(MODULES)):
        GRAPH.add_edge(_name, _dep)


def _allowed(src: str, dst: str) -> bool:
    top, dtop = src.split(".")[0], dst.split(".")[0]
    if top == "gocheck" or src == ENTRY:
        return True
    if top == "checker":
        return dtop == "checker"
    if top == "models":
        return dtop in ("checker", "models")
    if top == "reference":
        return dtop == "reference" or dst in ("checker.errors", "models.ir", "models.errors") or \
            dst.startswith("models.lang")
    return False


def test_the_graph_is_the_whole_project() -> None:
    assert {"checker.explore", "models.interp", "reference.runtime", "gocheck.cli"} <= set(GRAPH)
    assert GRAPH.has_edge("gocheck.factory", "models.gomodel")


@pytest.mark.parametrize("pkg", PACKAGES)
def test_no_import_points_up(pkg: str) -> None:
    bad = sorted(f"{a} -> {b}" for a, b in GRAPH.edges if a.split(".")[0] == pkg and not _allowed(a, b))
    assert bad == []


def test_engine_knows_nothing_of_go() -> None:
    engine = [n for n in GRAPH if n.startswith("checker") and n != ENTRY]
    reached = set().union(*(nx.descendants(GRAPH, n) for n in engine))
    assert sorted(m for m in reached if not m.startswith("checker")) == []


def test_no_import_cycle() -> None:
    cycles = [c for c in nx.simple_cycles(GRAPH.subgraph(n for n in GRAPH if n != ENTRY))]
    assert sorted(" -> ".join(c) for c in cycles) == []
