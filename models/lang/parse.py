"""Parsing Go source with tree-sitter-go, and the error helpers every pass uses.

This module (with the rest of `models.lang`) is the one place that knows
tree-sitter.  A tree with ERROR or MISSING nodes is a Go syntax error and is
reported at the first bad node; nothing downstream sees a broken tree.
"""

from __future__ import annotations

from typing import NoReturn

import tree_sitter_go as tsgo
from tree_sitter import Language, Node, Parser

from models.errors import InputError

_LANGUAGE = Language(tsgo.language())

#: Human names of tree-sitter node types that are outside the subset.
CONSTRUCTS: dict[str, str] = {
    "goto_statement": "goto",
    "map_type": "map types",
    "slice_type": "slices",
    "array_type": "arrays",
    "implicit_length_array_type": "arrays",
    "index_expression": "indexing",
    "slice_expression": "slice expressions",
    "type_switch_statement": "type switches",
    "type_assertion_expression": "type assertions",
    "interface_type": "interface types",
    "type_parameter_list": "generics (type parameters)",
    "generic_type": "generic type instantiation",
    "type_instantiation_expression": "generic instantiation",
    "fallthrough_statement": "fallthrough",
    "function_type": "func types",
    "raw_string_literal": "raw string literals",
    "float_literal": "floating-point numbers",
    "imaginary_literal": "complex numbers",
    "rune_literal": "runes",
    "method_elem": "interface methods",
    "variadic_argument": "variadic arguments (x...)",
    "variadic_parameter_declaration": "variadic parameters",
    "type_alias": "type aliases",
    "dec_statement": "--",
    "empty_statement": "empty statements",
    "labeled_statement": "labels",
    "qualified_type": "qualified types",
    "pointer_type": "pointer types",
    "channel_type": "channel types",
    "struct_type": "anonymous struct types",
    "func_literal": "func literals",
    "composite_literal": "composite literals",
    "parenthesized_type": "parenthesized types",
}


def construct_name(node: Node) -> str:
    """A readable name for the construct at `node` (for error messages)."""
    return CONSTRUCTS.get(node.type, node.type.replace("_", " "))


#: Deepest syntax tree the recursive passes accept (parse tree levels).  The
#: lowering recurses up to about 3.5 Python frames per level (nested calls
#: ``f(f(f(...)))``); 200 levels (about 65 nested ``if`` blocks, 100 nested
#: calls, or a sum of 200 terms) stays inside Python's default recursion
#: limit even when the caller is 150 frames deep.  A deeper program is refused
#: here, before any recursive pass runs, at the position of the first node
#: that is too deep (`go build` accepts it; the checker's subset does not).
MAX_DEPTH = 200


def parse(source: str, file: str) -> Node:
    """Parse `source`; raise `InputError` at the first syntax error."""
    tree = Parser(_LANGUAGE).parse(source.encode())
    root = tree.root_node
    _check_depth(root, file)
    if root.has_error:
        bad = _first_error(root)
        node = bad if bad is not None else root
        what = f"missing {node.type!r}" if node.is_missing else f"unexpected {text(node)[:30]!r}"
        fail(f"Go syntax error: {what}", file, node)
    return root


def _check_depth(root: Node, file: str) -> None:
    """Refuse a tree deeper than `MAX_DEPTH` (an iterative walk: it never recurses)."""
    cursor = root.walk()
    depth = 0
    while True:
        if depth > MAX_DEPTH:
            fail(f"the program nests too deeply ({MAX_DEPTH} syntax levels at most: deeply nested blocks "
                 "or a very long expression); split it into functions or shorter expressions", file, cursor.node)
        if cursor.goto_first_child():
            depth += 1
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return
            depth -= 1


def _first_error(node: Node) -> Node | None:
    if node.type == "ERROR" or node.is_missing:
        return node
    for child in node.children:
        if child.has_error or child.is_missing:
            found = _first_error(child)
            if found is not None:
                return found
    return None


def text(node: Node) -> str:
    """The source text of `node`."""
    return node.text.decode() if node.text is not None else ""


def pos(node: Node) -> tuple[int, int]:
    """1-based (line, col) of `node`'s start."""
    row, col = node.start_point
    return (row + 1, col + 1)


def fail(message: str, file: str, node: Node | None) -> NoReturn:
    """Raise an `InputError` at `node`."""
    line, col = pos(node) if node is not None else (0, 0)
    raise InputError(message, file, line, col)


def outside(what: str, file: str, node: Node, allowed: str = "") -> NoReturn:
    """Raise the standard 'outside the subset' error for construct `what`."""
    tail = f"; {allowed}" if allowed else ""
    fail(f"{what} is outside the supported Go subset{tail}", file, node)


def field(node: Node, name: str) -> Node | None:
    return node.child_by_field_name(name)


def required(node: Node, name: str) -> Node:
    """Field `name` of `node`, one the tree-sitter-go grammar requires.  It is
    always there: `parse` rejects a tree with MISSING or ERROR nodes."""
    child = node.child_by_field_name(name)
    assert child is not None, f"{node.type} without its required {name!r}"
    return child


def named(node: Node | None) -> list[Node]:
    """Named children, skipping comments."""
    if node is None:
        return []
    return [c for c in node.named_children if c.type != "comment"]


def block_statements(block: Node | None) -> list[Node]:
    """Statements of a block (tree-sitter-go wraps them in a statement_list)."""
    out: list[Node] = []
    for c in named(block):
        if c.type == "statement_list":
            out.extend(named(c))
        else:
            out.append(c)
    return out


def unparen(node: Node) -> Node:
    while node.type == "parenthesized_expression":
        node = named(node)[0]
    return node


def _unescape(raw: str, quote: str, file: str, node: Node) -> bytes:
    r"""The bytes of the body of an interpreted string or rune literal (Go
    spec, "Rune literals": ``\a \b \f \n \r \t \v \\``, the quote, octal
    ``\ooo`` and ``\xhh`` bytes, ``\uhhhh`` and ``\Uhhhhhhhh`` code points)."""
    simple = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, quote: ord(quote)}
    out = bytearray()
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch != "\\":
            out += ch.encode()
            i += 1
            continue
        nxt = raw[i + 1] if i + 1 < len(raw) else ""
        if nxt in simple:
            out.append(simple[nxt])
            i += 2
        elif nxt in "01234567" and nxt:
            out.append(int(raw[i + 1:i + 4], 8) & 0xFF)
            i += 4
        elif nxt == "x":
            out.append(int(raw[i + 2:i + 4], 16))
            i += 4
        elif nxt in ("u", "U"):
            n = 4 if nxt == "u" else 8
            out += chr(int(raw[i + 2:i + 2 + n], 16)).encode("utf-8", "surrogatepass")
            i += 2 + n
        else:
            fail(f"unknown escape sequence \\{nxt}", file, node)
    return bytes(out)


def string_value(node: Node, file: str) -> str:
    """The value of a string literal, interpreted or raw (carriage returns
    dropped, Go spec "String literals"), as a Go string (models.ir.go_string)."""
    from models.ir import go_string

    if node.type == "raw_string_literal":
        return text(node)[1:-1].replace("\r", "")
    if node.type != "interpreted_string_literal":
        outside(construct_name(node), file, node)
    return go_string(_unescape(text(node)[1:-1], '"', file, node))


def rune_value(node: Node, file: str) -> int:
    r"""The value of a rune literal (``'a'``, ``'\n'``, ``'\x41'``, ``'é'``)."""
    body = text(node)[1:-1]
    if not body.startswith("\\"):
        return ord(body)
    b = _unescape(body, "'", file, node)
    if body[1:2] in ("x",) or body[1:2].isdigit():
        return b[0]  # \xhh and \ooo are byte values
    return ord(b.decode("utf-8", "surrogatepass"))
