"""Go values in the reference runtime: int64 arithmetic and fmt formatting."""

from __future__ import annotations

from typing import Any

from models import ir

from .objects import GoPanic

MASK = (1 << 64) - 1


def wrap(x: int) -> int:
    """Go int: 64-bit two's complement."""
    x &= MASK
    return x - (1 << 64) if x >> 63 else x


def _div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return wrap(q if (a >= 0) == (b >= 0) else -q)


def _shift(a: int, b: int, left: bool) -> int:
    if b < 0:
        raise GoPanic("negative shift amount", True)
    if left:
        return 0 if b >= 64 else wrap(a << b)
    return a >> min(b, 64)


def _binop(op: str, a: Any, b: Any) -> Any:
    if op == "+":
        return a + b if isinstance(a, str) else wrap(a + b)
    if op == "-":
        return wrap(a - b)
    if op == "*":
        return wrap(a * b)
    if op in ("/", "%"):
        if b == 0:
            raise GoPanic("integer divide by zero", True)
        q = _div(a, b)
        return q if op == "/" else wrap(a - b * q)
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if isinstance(a, str) and op in ("<", "<=", ">", ">="):  # Go compares strings bytewise
        a, b = ir.go_bytes(a), ir.go_bytes(b)
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    if op == "&":
        return a & b
    if op == "|":
        return a | b
    if op == "^":
        return wrap(a ^ b)
    if op == "&^":
        return a & ~b
    if op == "<<":
        return _shift(a, b, True)
    if op == ">>":
        return _shift(a, b, False)
    raise ValueError(f"unknown binary operator {op!r}")


def fmt_value(v: Any, verb: str = "v") -> str:
    """Go's %v of a value: true/false, <nil>, pointers as addresses."""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "<nil>"
    if isinstance(v, (ir.Ref, ir.Closure)):
        key = v.obj if isinstance(v, ir.Ref) else abs(hash(v.func)) % 4096
        return f"0xc{(key * 64 + 0x10000):09x}"
    if verb == "q" and isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(v)



def sprintf(fmt: str, args: list) -> str:
    """fmt.Sprintf (`ir.go_printf`, the formatting the model uses, over this
    runtime's values)."""
    return ir.go_printf(fmt, args, fmt_value)


class Shown:
    """The fmt text of a composite operand (``[1 2]``, ``{1 2}``): not a Go
    string, so Print and Sprint space it from a neighbouring non-string."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text


def format_print(kind: str, vals: list) -> str:
    """The text of a `Print`: Println spaces and newline; Print spaces between
    non-string operands; printf formats."""
    if kind == "println":
        return " ".join(fmt_value(v) for v in vals) + "\n"
    if kind == "print":
        out = []
        for i, v in enumerate(vals):
            if i and not isinstance(v, str) and not isinstance(vals[i - 1], str):
                out.append(" ")
            out.append(fmt_value(v))
        return "".join(out)
    if kind == "printf":
        return sprintf(vals[0], vals[1:]) if vals else ""
    if kind.endswith("f"):
        return sprintf(vals[0], vals[1:]) if vals else ""
    return " ".join(fmt_value(v) for v in vals)
