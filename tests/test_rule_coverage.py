"""Every rule of Go the code cites is named by a test (issue 20).

The code cites rules of docs/go-semantics.md (``CH-3``, ``SCH-27a``, ``SCH-INV-1``, ``GC-SAFE``,
``DL-O4``, ``DL-2.2``...) in its docstrings, comments and messages to say why it does what it
does.  A citation no test names is a claim nobody checks: this test lists the rule IDs cited in
checker/, models/, reference/ and gocheck/ and fails for any that no test under tests/ names.  A
test names a rule when the ID appears in the test function's name (``test_sch27a_...`` or
``test_sch_27a_...``), its docstring, or a comment inside it.  It also fails for a cited ID that
the catalogue does not define (a typo cites nothing).  A range such as ``CH-1..CH-7`` in the code
cites its two ends; a test must name each rule it pins by itself.
"""

from __future__ import annotations

import ast
import functools
import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("checker", "models", "reference", "gocheck")
CATALOGUE = ROOT / "docs" / "go-semantics.md"

PREFIXES = ("SCH", "CH", "SEL", "MU", "RW", "WG", "MM", "GC", "ONCE", "COND", "SEMA", "NP", "DL", "RD", "TM")
#: ``SCH-27``, ``SCH-27a``, ``DL-2.2``, ``SCH-INV-1``, ``SCH-ORACLE-2``, ``DL-O4``, ``GC-SAFE``.
RULE = re.compile(
    r"(?<![A-Za-z0-9_-])(?:" + "|".join(PREFIXES) + r")-"
    r"(?:INV-\d+|ORACLE-\d+|O\d+|SAFE|LIVE|VARIANTS|\d+(?:\.\d+)?[a-z]?)(?![A-Za-z0-9]|\.\d)"
)


def rule_ids(text: str) -> set[str]:
    return set(RULE.findall(text))


def _texts(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every comment and string literal (docstrings, messages) of a Python file."""
    out: list[tuple[int, str]] = []
    src = path.read_text(encoding="utf-8")
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        if tok.type in (tokenize.COMMENT, tokenize.STRING):
            out.append((tok.start[0], tok.string))
    return out


@functools.cache
def cited_rules() -> dict[str, list[str]]:
    """Rule ID -> the ``file:line`` places in the code that cite it."""
    cited: dict[str, list[str]] = {}
    for d in CODE_DIRS:
        for path in sorted((ROOT / d).rglob("*.py")):
            for line, text in _texts(path):
                for rid in rule_ids(text):
                    cited.setdefault(rid, []).append(f"{path.relative_to(ROOT)}:{line}")
    return cited


def _name_forms(rid: str) -> list[re.Pattern[str]]:
    """How a rule ID may appear in a function name: ``SCH-27a`` as ``sch27a`` or ``sch_27a``."""
    parts = rid.lower().replace(".", "_").split("-")
    joined = {"_".join(parts), "".join(parts[:1]) + "_".join(parts[1:])}
    return [re.compile(r"(?<![a-z0-9])" + re.escape(f) + r"(?![a-z0-9])") for f in joined]


@functools.cache
def named_rules() -> dict[str, list[str]]:
    """Rule ID -> the tests (``file::function``) that name it."""
    named: dict[str, list[str]] = {}
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        if path.name == Path(__file__).name:
            continue  # this file quotes rule IDs as examples: it names none
        src = path.read_text(encoding="utf-8")
        tree = ast.parse(src)
        comments = [
            (tok.start[0], tok.string)
            for tok in tokenize.generate_tokens(io.StringIO(src).readline)
            if tok.type == tokenize.COMMENT
        ]
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not node.name.startswith("test"):
                continue
            end = node.end_lineno or node.lineno
            text = (ast.get_docstring(node) or "") + "\n"
            text += "\n".join(c for line, c in comments if node.lineno <= line <= end)
            ids = rule_ids(text)
            where = f"{path.relative_to(ROOT)}::{node.name}"
            for rid in ids:
                named.setdefault(rid, []).append(where)
            named.setdefault("\0names", []).append(node.name.lower())
    names = named.pop("\0names", [])
    for rid in cited_rules():
        forms = _name_forms(rid)
        if any(f.search(n) for n in names for f in forms):
            named.setdefault(rid, []).append("(function name)")
    return named


def catalogue_rules() -> set[str]:
    return rule_ids(CATALOGUE.read_text(encoding="utf-8"))


def test_rule_pattern_reads_every_form() -> None:
    text = "SCH-27a, DL-2.2 and DL-O4; SCH-INV-1 (SCH-ORACLE-2), GC-SAFE. Not GC-based, not SCH-27ab."
    assert rule_ids(text) == {"SCH-27a", "DL-2.2", "DL-O4", "SCH-INV-1", "SCH-ORACLE-2", "GC-SAFE"}
    assert rule_ids("CH-1 is not SCH-1's prefix") == {"CH-1", "SCH-1"}
    assert rule_ids("x-CH-1 MM-12.") == {"MM-12"}
    assert [p.pattern for p in _name_forms("SCH-27a")] != []
    assert any(p.search("test_sch27a_exit") for p in _name_forms("SCH-27a"))
    assert any(p.search("test_sch_27a_exit") for p in _name_forms("SCH-27a"))
    assert not any(p.search("test_sch27_exit") for p in _name_forms("SCH-27a"))
    assert not any(p.search("test_sch1_x") for p in _name_forms("CH-1"))
    assert not any(p.search("test_ch10_x") for p in _name_forms("CH-1"))


def test_code_cites_rules() -> None:
    """The scan finds the code's citations (a scan that finds nothing would pass vacuously)."""
    cited = cited_rules()
    assert len(cited) >= 90
    assert {"CH-3", "SCH-27a", "SCH-INV-1", "GC-SAFE", "DL-O4", "MU-2"} <= set(cited)


def test_every_cited_rule_is_in_the_catalogue() -> None:
    """A cited ID that docs/go-semantics.md does not define is a typo (``SCH-27a`` is the
    catalogue's SCH-27 case (a), ``DL-2.2`` DL-2's second condition)."""
    known = catalogue_rules()
    unknown = {}
    for rid, places in cited_rules().items():
        base = re.sub(r"(\.\d+|[a-z])$", "", rid)
        if rid not in known and base not in known:
            unknown[rid] = places
    assert unknown == {}


def test_every_cited_rule_is_named_by_a_test() -> None:
    cited = cited_rules()
    named = named_rules()
    missing = {rid: places[:3] for rid, places in sorted(cited.items()) if rid not in named}
    assert missing == {}, f"{len(missing)} cited rules named by no test: {sorted(missing)}"
