"""Go boolean expressions over package-level variables: litmus ``when:`` clauses.

A small precedence-climbing parser for the subset a litmus outcome needs:
identifiers, int/string/bool/nil literals, ``len(x)``, unary ``! -``, binary
``* / % + - == != < <= > >= && ||`` with Go's precedence, and parentheses.

>>> e = parse("r1 == 0 && !(r2 != 0) || len(s) > 3")
>>> sorted(e.names), e.eval({"r1": 0, "r2": 0, "s": ""}), e.eval({"r1": 1, "r2": 0, "s": "abcd"})
(['r1', 'r2', 's'], True, True)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from models.errors import InputError

__all__ = ["GoExpr", "parse"]

_TOKEN = re.compile(r'\s*(?:(\d+)|("(?:[^"\\]|\\.)*"|`[^`]*`)|([A-Za-z_][A-Za-z_0-9]*)|(&&|\|\||==|!=|<=|>=|[-+*/%<>!()]))')
_PREC = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3, "+": 4, "-": 4, "*": 5, "/": 5, "%": 5}


@dataclass(frozen=True)
class GoExpr:
    """A parsed expression; `eval(env)` computes it with Go semantics."""

    text: str
    tree: tuple[Any, ...]
    names: frozenset[str]

    def eval(self, env: Mapping[str, Any]) -> Any:
        return _eval(self.tree, env)


#: The most tokens an outcome may have: its parser, its evaluator and its z3 encoding recurse once per
#: operator, so a bound on the length keeps them far from Python's recursion limit.
MAX_TOKENS = 200


def parse(text: str, file: str = "<when>", line: int = 0, col: int = 0) -> GoExpr:
    """Parse `text`; a syntax error (or an outcome longer than `MAX_TOKENS`) is an `InputError` at the
    outcome's position."""
    try:
        return _parse(text, file, line, col)
    except (RecursionError, ValueError, SyntaxError) as e:  # a string literal Python cannot read, ...
        raise InputError(f"cannot parse outcome {text[:60]!r}: {type(e).__name__}", file, line, col) from None


def _parse(text: str, file: str, line: int, col: int) -> GoExpr:
    toks: list[tuple[str, Any]] = []
    pos = 0
    text_s = text.rstrip()
    while pos < len(text_s):
        m = _TOKEN.match(text_s, pos)
        if not m or m.end() == pos:
            raise InputError(f"cannot parse outcome {text!r} at offset {pos}: expected a Go expression over "
                             f"package-level variables", file, line, col)
        pos = m.end()
        num, string, ident, op = m.groups()
        if num is not None:
            toks.append(("lit", int(num)))
        elif string is not None:
            toks.append(("lit", ast.literal_eval(string) if string[0] == '"' else string[1:-1]))
        elif ident is not None:
            lits = {"true": True, "false": False, "nil": None}
            toks.append(("lit", lits[ident]) if ident in lits else ("name", ident))
        else:
            toks.append(("op", op))
    if len(toks) > MAX_TOKENS:
        raise InputError(f"outcome {text[:60]!r}... is longer than {MAX_TOKENS} tokens", file, line, col)
    names: set[str] = set()
    i = 0

    def fail(msg: str) -> InputError:
        return InputError(f"cannot parse outcome {text!r}: {msg}", file, line, col)

    def primary() -> tuple[Any, ...]:
        nonlocal i
        if i >= len(toks):
            raise fail("unexpected end")
        kind, v = toks[i]
        i += 1
        if kind == "lit":
            return ("lit", v)
        if kind == "name":
            if v == "len" and i < len(toks) and toks[i] == ("op", "("):
                i += 1
                arg = binary(1)
                expect(")")
                return ("len", arg)
            names.add(v)
            return ("name", v)
        if v == "(":
            e = binary(1)
            expect(")")
            return e
        if v in ("!", "-"):
            return ("un", v, primary())
        raise fail(f"unexpected {v!r}")

    def expect(op: str) -> None:
        nonlocal i
        if i >= len(toks) or toks[i] != ("op", op):
            raise fail(f"expected {op!r}")
        i += 1

    def binary(min_prec: int) -> tuple[Any, ...]:
        nonlocal i
        left = primary()
        while i < len(toks) and toks[i][0] == "op" and _PREC.get(toks[i][1], 0) >= min_prec:
            op = toks[i][1]
            i += 1
            left = ("bin", op, left, binary(_PREC[op] + 1))
        return left

    tree = binary(1)
    if i != len(toks):
        raise fail(f"unexpected {toks[i][1]!r}")
    return GoExpr(text, tree, frozenset(names))


def _eval(t: tuple[Any, ...], env: Mapping[str, Any]) -> Any:
    tag = t[0]
    if tag == "lit":
        return t[1]
    if tag == "name":
        if t[1] not in env:
            raise KeyError(t[1])
        return env[t[1]]
    if tag == "len":
        return len(_eval(t[1], env))
    if tag == "un":
        v = _eval(t[2], env)
        return (not v) if t[1] == "!" else -v
    op, a = t[1], _eval(t[2], env)
    if op == "&&":
        return bool(a) and bool(_eval(t[3], env))
    if op == "||":
        return bool(a) or bool(_eval(t[3], env))
    b = _eval(t[3], env)
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op == "/":
        q = abs(a) // abs(b)
        return q if (a >= 0) == (b >= 0) else -q
    if op == "%":
        return a - b * _eval(("bin", "/", ("lit", a), ("lit", b)), env)
    return {"<": lambda: a < b, "<=": lambda: a <= b, ">": lambda: a > b, ">=": lambda: a >= b,
            "+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b}[op]()
