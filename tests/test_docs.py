"""The documentation says what the code does: docs/specs.md's property table is the registry."""

from __future__ import annotations

import os

from models.properties import REGISTRY

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def registry_table() -> str:
    rows = ["| property | checked by | holds when |", "|---|---|---|"]
    for name, d in REGISTRY.items():
        label = f"`{name}: N`" if d.param is not None else f"`{name}`"
        rows.append(f"| {label} | {', '.join(d.models) or 'the GC model'} | {d.doc} |")
    return "\n".join(rows) + "\n"


def test_specs_md_property_table_is_the_registry() -> None:
    with open(os.path.join(ROOT, "docs", "specs.md"), encoding="utf-8") as f:
        text = f.read()
    assert registry_table() in text


def test_docs_the_code_cites_are_in_the_repository() -> None:
    for name in ("design.md", "go-semantics.md", "architecture.md", "specs.md", "go-subset.md"):
        assert os.path.getsize(os.path.join(ROOT, "docs", name)) > 1000, name
