"""What the lowering mixins see of one another and of `Lowerer`, for mypy.

`Lowerer` (models/lang/lower.py) inherits from `StmtMixin`, `ExprMixin`
and `LibMixin`, and each mixin calls methods the others define, so no mixin
can name `Lowerer` as its base.  While type checking, each mixin derives from
`LowererAPI` instead; at run time they derive from `object` and this module is
never imported.  Every member here is implemented by `Lowerer` or one of its
mixins (they are abstract: mypy refuses to instantiate `Lowerer` otherwise), and mypy checks each
implementation against its declaration here.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from tree_sitter import Node

    from models import ir
    from models.lang.builder import Breakable, FuncBuilder, Label, Var
    from models.lang.exprs import LV
    from models.lang.gotypes import GT, TypeTable
    from models.lang.scope import Analysis, Unit


class LowererAPI:
    # ---- state (Lowerer.__init__)
    unit: Unit
    file: str
    types: TypeTable
    analysis: Analysis
    pass1: bool
    scopes: list[dict[str, Any]]
    vars_by_key: dict[int, Var]
    fb: FuncBuilder
    breakables: list[Breakable]
    pending_label: str | None
    out: dict[str, ir.Function]

    # ---- lower.py
    @abstractmethod
    def err(self, message: str, node: Node) -> NoReturn: ...
    @abstractmethod
    def outside(self, what: str, node: Node, allowed: str = "") -> NoReturn: ...
    @abstractmethod
    def push(self) -> None: ...
    @abstractmethod
    def pop(self) -> None: ...
    @abstractmethod
    def lookup(self, name: str, node: Node) -> Any: ...
    @abstractmethod
    def var_slot(self, var: Var) -> int: ...
    @abstractmethod
    def declare(self, name_node: Node, t: GT, value: int | None, p: tuple[int, int],
                slot: int | None = None) -> Var | None: ...
    @abstractmethod
    def zero(self, t: GT, node: Node) -> Any: ...
    @abstractmethod
    def func_literal(self, node: Node, into: int | None = None) -> tuple[int, GT]: ...
    @abstractmethod
    def block(self, node: Node, new_scope: bool = True) -> None: ...

    # ---- exprs.py
    @abstractmethod
    def _lookup_opt(self, name: str) -> Any: ...
    @abstractmethod
    def value(self, node: Node, into: int | None = None) -> tuple[int, GT]: ...
    @abstractmethod
    def const_eval(self, node: Node) -> tuple[Any, GT] | None: ...
    @abstractmethod
    def _chan_elem(self, t: GT, node: Node) -> GT: ...
    @abstractmethod
    def cond(self, node: Node, yes: Label, no: Label) -> None: ...
    @abstractmethod
    def owned(self, node: Node, into: int | None = None) -> tuple[int, GT]: ...
    @abstractmethod
    def copy_new(self, src: int, t: GT, p: tuple[int, int], node: Node) -> int: ...
    @abstractmethod
    def walk(self, base: int, path: list[tuple[str, GT]], p: tuple[int, int]) -> int: ...
    @abstractmethod
    def address(self, node: Node) -> tuple[int, GT]: ...
    @abstractmethod
    def lvalue(self, node: Node) -> LV: ...
    @abstractmethod
    def read(self, lv: LV, p: tuple[int, int]) -> int: ...
    @abstractmethod
    def store(self, lv: LV, src: int, p: tuple[int, int], node: Node) -> None: ...
    @abstractmethod
    def index_place(self, node: Node) -> LV: ...
    @abstractmethod
    def data_builtin(self, name: str, argn: list[Node], node: Node) -> Any: ...
    @abstractmethod
    def emit_data(self, op: str, a: list[int], dsts: list[int], p: tuple[int, int], static: Any) -> None: ...
    @abstractmethod
    def zero_struct_if_closed(self, d: int | None, ok: int | None, elem: GT, p: tuple[int, int]) -> None: ...
    @abstractmethod
    def coerce(self, s: int, from_t: GT, to_t: GT | None, p: tuple[int, int]) -> int: ...
    @abstractmethod
    def iface_call(self, name: str, base: int, bt: GT, argn: list[Node], node: Node, fn: Node) -> Any: ...
    @abstractmethod
    def type_assertion(self, node: Node, dst: int | None, ok: int | None) -> GT: ...
    @abstractmethod
    def fmt_values(self, argn: list[Node], formatted: bool) -> list[int]: ...

    # ---- library.py
    @abstractmethod
    def call(self, node: Node, n: int, dsts: list[int | None] | None = None) -> list[tuple[int, GT]]: ...
    @abstractmethod
    def args(self, argn: list[Node], params: tuple[GT, ...], node: Node, variadic: bool = False) -> list[int]: ...
    @abstractmethod
    def go_defer(self, node: Node, kind: str) -> None: ...
