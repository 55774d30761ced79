"""What a name can mean (bindings), the per-program lowering context, and the
two-pass analysis that decides boxing and closure captures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tree_sitter import Node

from models import ir
from models.lang.gotypes import GT, TypeTable


@dataclass(frozen=True)
class ConstB:
    value: Any
    type: GT


@dataclass(frozen=True)
class GlobalB:
    name: str
    type: GT


@dataclass(frozen=True)
class FuncB:
    name: str
    sig: GT


@dataclass(frozen=True)
class TypeB:
    type: GT


@dataclass(frozen=True)
class PkgB:
    path: str


@dataclass(frozen=True)
class BuiltinB:
    name: str


BUILTINS = ("make", "len", "cap", "close", "new", "panic", "recover", "append", "copy", "delete",
            "print", "println", "complex", "real", "imag", "min", "max", "clear")

IMPORTABLE = ("context", "errors", "fmt", "log", "math/rand", "os", "runtime", "strconv", "sync", "sync/atomic",
              "syscall", "testing", "time")


@dataclass
class Analysis:
    """Facts pass 1 learns about one top-level function, used by pass 2.

    `boxed`: keys of scalar variables that are captured by a closure and
    assigned after their declaration, or whose address is taken.  `captures`: per func literal (its byte offset), the
    keys of the variables it captures, in capture-slot order."""

    boxed: set[int] = field(default_factory=set)
    captures: dict[int, list[int]] = field(default_factory=dict)
    captured: set[int] = field(default_factory=set)
    assigned: set[int] = field(default_factory=set)
    addressed: set[int] = field(default_factory=set)

    def finish_pass1(self) -> None:
        """A captured variable that is never assigned after its declaration
        is captured by value (its value can never change, so sharing a cell
        would only add steps); addressed ones are always boxed."""
        self.boxed = self.addressed | (self.captured & self.assigned)


@dataclass
class Unit:
    """Program-wide lowering state."""

    file: str
    types: TypeTable
    package: dict[str, Any] = field(default_factory=dict)
    functions: dict[str, ir.Function] = field(default_factory=dict)
    func_nodes: dict[str, Node] = field(default_factory=dict)
    globals: list[ir.Global] = field(default_factory=list)
    #: The Go version whose rules apply (go.mod's ``go`` line): from (1, 22) on,
    #: a for clause's loop variables are per iteration.
    go_version: tuple[int, int] = (1, 22)
