"""What changed between two views, down to leaf values.

Like TLC's ``-difftrace`` and the TLA+ VS Code extension: dicts are compared
by key, lists by index, and every change is one of *added*, *deleted* or
*modified* at a path (``G2.stack[0]``).  Values are printed as compact JSON so
that a Go string and a Go int look different.

Examples
--------
>>> [str(c) for c in diff({"x": 1, "q": [1]}, {"x": 2, "q": [1, 5], "y": True})]
['x: 1 -> 2', 'q[1]: added 5', 'y: added true']
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

ChangeKind = Literal["added", "deleted", "modified"]
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True, slots=True)
class Change:
    """One leaf-level change: `path` is a tuple of keys (str) and indices (int)."""

    path: tuple[str | int, ...]
    kind: ChangeKind
    old: Any = None
    new: Any = None

    @property
    def top(self) -> str:
        return str(self.path[0]) if self.path else ""

    def __str__(self) -> str:
        where = path_str(self.path)
        if self.kind == "added":
            return f"{where}: added {fmt(self.new)}"
        if self.kind == "deleted":
            return f"{where}: deleted (was {fmt(self.old)})"
        return f"{where}: {fmt(self.old)} -> {fmt(self.new)}"

    def as_json(self) -> dict[str, Any]:
        return {"path": list(self.path), "where": path_str(self.path), "kind": self.kind,
                "old": fmt(self.old) if self.kind != "added" else None,
                "new": fmt(self.new) if self.kind != "deleted" else None}


def path_str(path: tuple[str | int, ...]) -> str:
    """``("G2", "stack", 0)`` -> ``G2.stack[0]``; odd keys are quoted."""
    out = ""
    for i, p in enumerate(path):
        if isinstance(p, int):
            out += f"[{p}]"
        elif _IDENT.match(p) or (i == 0 and p and not any(c in p for c in ".[]\" ")):
            out += ("." if out else "") + p
        else:
            out += f"[{json.dumps(p, ensure_ascii=False)}]"
    return out


def fmt(v: Any) -> str:
    """A value as compact JSON (``true``, ``"s"``, ``[1, 2]``, ``{"k": 1}``)."""
    try:
        return json.dumps(v, ensure_ascii=False, separators=(", ", ": "), default=str)
    except (TypeError, ValueError):
        return str(v)


def diff(old: Any, new: Any, path: tuple[str | int, ...] = ()) -> list[Change]:
    """Leaf changes from `old` to `new` (dicts by key, lists by index)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[Change] = []
        for k, v in old.items():
            if k not in new:
                out.append(Change(path + (k,), "deleted", old=v))
            else:
                out += diff(v, new[k], path + (k,))
        for k, v in new.items():
            if k not in old:
                out.append(Change(path + (k,), "added", new=v))
        return out
    if isinstance(old, list | tuple) and isinstance(new, list | tuple):
        out = []
        for i in range(max(len(old), len(new))):
            if i >= len(new):
                out.append(Change(path + (i,), "deleted", old=old[i]))
            elif i >= len(old):
                out.append(Change(path + (i,), "added", new=new[i]))
            else:
                out += diff(old[i], new[i], path + (i,))
        return out
    if type(old) is not type(new) or old != new:
        return [Change(path, "modified", old, new)]
    return []


def step_changes(views: list[dict[str, Any]]) -> list[list[Change]]:
    """For each step, the changes from the previous view (none for step 0)."""
    return [[]] + [diff(views[i - 1], views[i]) for i in range(1, len(views))]
