"""What a name can mean (bindings), the per-program lowering context, and the
two-pass analysis that decides boxing and closure captures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tree_sitter import Node

from models import ir
from models.errors import InputError
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

IMPORTABLE = ("context", "errors", "fmt", "io", "log", "math/rand", "os", "runtime", "strconv", "strings", "sync",
              "sync/atomic", "syscall", "testing", "time")


@dataclass
class Analysis:
    """Facts pass 1 learns about one top-level function, used by pass 2.

    `boxed`: keys of scalar variables that are captured by a closure and
    assigned after their declaration, or whose address is taken (a
    ``return X`` assigns the named results: Go spec, "Return statements").
    `captures`: per func literal (its byte offset), the keys of the
    variables it captures, in capture-slot order."""

    boxed: set[int] = field(default_factory=set)
    captures: dict[int, list[int]] = field(default_factory=dict)
    captured: set[int] = field(default_factory=set)
    assigned: set[int] = field(default_factory=set)
    addressed: set[int] = field(default_factory=set)
    #: byte offsets of the functions (declarations and literals) whose own body defers a call
    defers: set[int] = field(default_factory=set)

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
    #: the entry function (``main`` or a ``Test*``)
    entry: str = "main"
    #: the source mentions os.Pipe: ``make([]byte, K)`` is a pipe read buffer (`LibMixin.make_bytes`)
    uses_pipes: bool = False
    #: the program reads runtime.GOMAXPROCS's result: every call reads and sets `ir.GOMAXPROCS_VAR`
    gomaxprocs_read: bool = False
    #: functions (IR names) that call t.Helper()
    helpers: set[str] = field(default_factory=set)
    #: func literals passed to ``t.Run`` (their byte offsets): subtests, whose t.Cleanup is theirs
    subtests: set[int] = field(default_factory=set)
    #: errors met so far: lowering goes on after a construct outside the subset
    #: (skipping its statement) so that every one in the file is reported at once
    errors: list[InputError] = field(default_factory=list)

    def note(self, e: InputError) -> None:
        """Record error `e`.  After the first, only other constructs outside the
        subset are kept (an error that follows from a skipped statement, such
        as an undeclared variable, is a consequence, not news)."""
        if self.errors and "outside the supported Go subset" not in e.message:
            return
        key = (e.line, e.col, e.message)
        if all((x.line, x.col, x.message) != key for x in self.errors):
            self.errors.append(e)

    def raise_errors(self) -> None:
        """Raise the recorded errors as one `InputError` at the first (sorted by
        position), listing the others, one ``file:line:col: message`` a line."""
        if not self.errors:
            return
        errs = sorted(self.errors, key=lambda e: (e.line, e.col))
        first = errs[0]
        if len(errs) == 1:
            raise first
        rest = "\n".join(str(e) for e in errs[1:])
        raise InputError(f"{first.message}\n{rest}", first.file, first.line, first.col)
    #: The Go version whose rules apply (go.mod's ``go`` line): from (1, 22) on,
    #: a for clause's loop variables are per iteration.
    go_version: tuple[int, int] = (1, 22)
