"""Building one function's flat code: slots, temporaries, labels and
jump patching, plus the variables that live in the frame.

Temporaries are recycled per statement (a stack discipline), so frames stay
small.  Jump targets are `Label`s patched when the function is finished; a
jump whose target is at or before it is marked ``back=True`` (a preemption
point, see `models.ir.Jump`), and branches are only ever emitted forward.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from models import ir
from models.lang.gotypes import GT


@dataclass(eq=False)
class Var:
    """A local variable.  `key` (the byte offset of its declaring name) is
    stable across the two lowering passes.  A *boxed* scalar lives in a heap
    cell whose Ref is in `slot`; an *object* variable (struct or sync kind)
    holds the Ref of its object in `slot` and is never boxed: its Ref never
    changes, so closures capture it by value."""

    name: str
    type: GT
    key: int
    owner: FuncBuilder
    slot: int
    boxed: bool = False

    @property
    def is_object(self) -> bool:
        return self.type.is_object


class Label:
    __slots__ = ("at",)

    def __init__(self) -> None:
        self.at: int | None = None


@dataclass(eq=False)
class FuncBuilder:
    """Code under construction for one function (or closure)."""

    name: str
    parent: FuncBuilder | None = None
    capture_keys: list[int] = field(default_factory=list)   # var keys, in slot order
    capture_slot: dict[int, int] = field(default_factory=dict)
    lazy_captures: bool = True
    slot_names: list[str] = field(default_factory=list)
    code: list[ir.Instr] = field(default_factory=list)
    patches: list[tuple[int, str, Label]] = field(default_factory=list)
    free_temps: list[int] = field(default_factory=list)
    live_temps: list[int] = field(default_factory=list)
    nparams: int = 0
    nresults: int = 0
    result_vars: list[Var] | None = None
    #: a test or subtest function's cell holding its t.Cleanup functions (see lower.body)
    cleanup_cell: int | None = None
    #: ``return X`` stores X into the named results before the deferred calls run
    #: (see `Lowerer.body`), and the function defers calls (pass 1 found a Defer)
    store_results: bool = False
    defers: bool = False
    result_types: tuple[GT, ...] = ()
    nclosures: int = 0
    pos: tuple[int, int] = ir.NOPOS

    # ---- slots

    def slot(self, name: str) -> int:
        self.slot_names.append(name)
        return len(self.slot_names) - 1

    def temp(self) -> int:
        s = self.free_temps.pop() if self.free_temps else self.slot("")
        self.live_temps.append(s)
        return s

    def mark(self) -> int:
        return len(self.live_temps)

    def release(self, mark: int) -> None:
        while len(self.live_temps) > mark:
            self.free_temps.append(self.live_temps.pop())

    def keep(self, s: int) -> None:
        """Turn temporary `s` into a permanent slot (it outlives the statement)."""
        if s in self.live_temps:
            self.live_temps.remove(s)

    # ---- captures

    def access(self, var: Var) -> int:
        """The slot through which this function reaches `var` (capturing it,
        and making every enclosing closure capture it, when it belongs to an
        outer function)."""
        if var.owner is self:
            return var.slot
        s = self.capture_slot.get(var.key)
        if s is None:
            if not self.lazy_captures:
                raise AssertionError(f"capture of {var.name} not found in pass 1 of {self.name}")
            s = self.slot(var.name)
            self.capture_slot[var.key] = s
            self.capture_keys.append(var.key)
            assert self.parent is not None
            self.parent.access(var)
        return s

    # ---- code

    def emit(self, instr: ir.Instr) -> int:
        self.code.append(instr)
        return len(self.code) - 1

    def here(self) -> int:
        return len(self.code)

    def place(self, label: Label) -> None:
        label.at = len(self.code)

    def jump(self, label: Label, pos: tuple[int, int]) -> None:
        i = self.emit(ir.Jump(-1, False, pos))
        self.patches.append((i, "target", label))

    def branch(self, cond: int, then: Label, orelse: Label, pos: tuple[int, int]) -> None:
        i = self.emit(ir.Branch(cond, -1, -1, pos))
        self.patches.append((i, "then", then))
        self.patches.append((i, "orelse", orelse))

    def const(self, value: Any, pos: tuple[int, int], into: int | None = None) -> int:
        d = self.temp() if into is None else into
        self.emit(ir.Const(d, value, pos))
        return d

    def finish(self, ncaptures: int) -> ir.Function:
        code = self.code
        needs_end = any(label.at == len(code) for _, _, label in self.patches)
        if needs_end or not code or not isinstance(code[-1], (ir.Return, ir.Jump)):
            code.append(ir.Return((), self.pos))
        for i, name, label in self.patches:
            assert label.at is not None, f"unplaced label in {self.name}"
            instr = code[i]
            if isinstance(instr, ir.Jump):
                code[i] = replace(instr, target=label.at, back=label.at <= i)
            else:
                assert label.at > i, "branches must be forward"
                code[i] = replace(instr, **{name: label.at})
        return ir.Function(
            name=self.name, ncaptures=ncaptures, nparams=self.nparams, nresults=self.nresults,
            nslots=len(self.slot_names), slot_names=tuple(self.slot_names), code=tuple(code),
            pos=self.pos)


class Breakable:
    """A loop, switch or select that `break` (and for loops `continue`) target."""

    __slots__ = ("brk", "cont", "label")

    def __init__(self, brk: Label, cont: Label | None, label: str | None):
        self.brk = brk
        self.cont = cont
        self.label = label
