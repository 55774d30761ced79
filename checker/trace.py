"""Counterexamples: rebuilt by replaying action indices, written as ITF JSON.

A trace file is the Apalache/Quint informal trace format (``vars``,
``states`` with ``mbt::actionTaken`` per state, ``loop``) plus a ``#meta``
block: spec path and digest, property, verdict reason, the action-index
path string (``0/3/1/4``: the first number picks the initial state, the
rest index ``actions(s)``), loop index and actors.  Reading one back
validates it and gives a clear `InputError` (exit code 2) for a corrupt or
truncated file; replaying one on a model that changed since explains where
it diverged.
"""

from __future__ import annotations

import builtins
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from checker.errors import InputError
from checker.model import hook

FORMAT = "gocheck-itf/1"


@dataclass(slots=True)
class Step:
    """One step: the action that led here (None for the initial state) and the view after it."""

    index: int
    action: str | None
    actor: str
    position: str | None
    view: dict[str, Any]
    choice: int


@dataclass(slots=True)
class Counterexample:
    """A replayed path with the view of every state."""

    property: str
    reason: str
    path: tuple[int, ...]
    loop: int | None
    steps: list[Step]
    spec_path: str = ""
    spec_digest: str = ""
    kind: str = ""
    fairness: str = ""
    found_by: str = "bfs"
    meta: dict[str, Any] = field(default_factory=dict)

    @builtins.property
    def path_str(self) -> str:
        return "/".join(map(str, self.path))


class ReplayError(InputError):
    """A path does not fit the model it is replayed on."""


def replay(model: Any, path: Sequence[int], spec_path: str = "<model>") -> tuple[list[Any], list[Any]]:
    """States and actions along `path`; `ReplayError` explains a divergence."""
    inits = list(model.init_states())
    if not path:
        raise ReplayError("empty path: it must start with the initial-state index", spec_path, 1, 1)
    if not 0 <= path[0] < len(inits):
        raise ReplayError(f"initial-state index {path[0]} is out of range: the model has {len(inits)} initial state(s)",
                          spec_path, 1, 1)
    s = inits[path[0]]
    states, actions = [s], []
    fmt = hook(model, "format_action")
    for n, k in enumerate(path[1:], start=1):
        acts = list(model.actions(s))
        if not 0 <= k < len(acts):
            enabled = "; ".join(str(fmt(s, a)) for a in acts) or "nothing (the run has ended)"
            raise ReplayError(f"step {n}: action index {k} does not exist; {len(acts)} action(s) are enabled here: "
                              f"{enabled}. The spec or program changed since the trace was written, or the model "
                              f"orders its actions nondeterministically", spec_path, 1, 1)
        a = acts[k]
        s = model.next_state(s, a)
        states.append(s)
        actions.append(a)
    return states, actions


def build(model: Any, prop: str, reason: str, path: Sequence[int], loop: int | None, *,
          spec_path: str = "", spec_digest: str = "", kind: str = "", fairness: str = "",
          found_by: str = "bfs") -> Counterexample:
    """Replay `path` on `model` and collect the per-step views."""
    states, actions = replay(model, path, spec_path or "<model>")
    view, fmt, actor, position = (hook(model, n) for n in ("view", "format_action", "actor", "position"))
    steps = [Step(0, None, "", None, view(states[0]), path[0])]
    for i, a in enumerate(actions, start=1):
        prev = states[i - 1]
        steps.append(Step(i, str(fmt(prev, a)), str(actor(prev, a)), position(prev, a), view(states[i]), path[i]))
    meta: dict[str, Any] = {}
    sources = getattr(model, "sources", None)
    if callable(sources):
        meta["sources"] = dict(sources())
    waits = getattr(model, "waits_for", None)
    if callable(waits):
        edges = [list(map(str, e)) for e in waits(states[-1])]
        if edges:
            meta["waits_for"] = edges
    return Counterexample(prop, reason, tuple(path), loop, steps, spec_path, spec_digest, kind, fairness, found_by,
                          meta)


def _itf_value(v: Any) -> Any:
    if isinstance(v, bool) or v is None or isinstance(v, str | float):
        return v
    if isinstance(v, int):
        return v if abs(v) < 2**53 else {"#bigint": str(v)}
    if isinstance(v, dict):
        if all(isinstance(k, str) for k in v):
            return {k: _itf_value(x) for k, x in v.items()}
        return {"#map": [[_itf_value(k), _itf_value(x)] for k, x in v.items()]}
    if isinstance(v, list | tuple):
        return [_itf_value(x) for x in v]
    if isinstance(v, set | frozenset):
        return {"#set": sorted((_itf_value(x) for x in v), key=repr)}
    return str(v)


def to_itf(cx: Counterexample) -> dict[str, Any]:
    names: list[str] = []
    for st in cx.steps:
        for k in st.view:
            if k not in names:
                names.append(k)
    states = []
    for st in cx.steps:
        entry: dict[str, Any] = {"#meta": {"index": st.index}}
        entry["mbt::actionTaken"] = st.action or "init"
        entry["mbt::actor"] = st.actor
        entry["mbt::position"] = st.position
        entry["mbt::choice"] = st.choice
        for k, v in st.view.items():
            entry[k] = _itf_value(v)
        states.append(entry)
    doc: dict[str, Any] = {
        "#meta": {
            "format": FORMAT,
            "spec": cx.spec_path,
            "digest": cx.spec_digest,
            "property": cx.property,
            "kind": cx.kind,
            "reason": cx.reason,
            "path": cx.path_str,
            "loop": cx.loop,
            "fairness": cx.fairness,
            "found_by": cx.found_by,
            "actors": sorted({s.actor for s in cx.steps if s.actor}),
            **cx.meta,
        },
        "vars": names,
        "states": states,
    }
    if cx.loop is not None:
        doc["loop"] = cx.loop
    return doc


def write_itf(cx: Counterexample, path: str) -> str:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(to_itf(cx), f, indent=1)
        f.write("\n")
    os.replace(tmp, path)
    return path


def _from_itf_value(v: Any) -> Any:
    if isinstance(v, dict):
        if "#bigint" in v:
            return int(v["#bigint"])
        if "#map" in v:
            return {json.dumps(k) if isinstance(k, list | dict) else k: _from_itf_value(x) for k, x in v["#map"]}
        if "#set" in v:
            return [_from_itf_value(x) for x in v["#set"]]
        return {k: _from_itf_value(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_from_itf_value(x) for x in v]
    return v


def read_itf(path: str) -> Counterexample:
    """Load and validate a trace file; any defect is an `InputError`."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise InputError("trace file not found", path, 1, 1) from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read trace file: {e}", path, 1, 1) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"not a valid trace file (corrupt or truncated JSON: {e.msg})", path, e.lineno, e.colno) from None
    bad = lambda msg: InputError(f"not a valid trace file: {msg}", path, 1, 1)  # noqa: E731
    if not isinstance(doc, dict) or not isinstance(doc.get("#meta"), dict):
        raise bad("expected a JSON object with a '#meta' block")
    meta = doc["#meta"]
    if meta.get("format") != FORMAT:
        raise bad(f"'#meta.format' is {meta.get('format')!r}, expected {FORMAT!r}")
    for key, typ in (("property", str), ("path", str), ("reason", str)):
        if not isinstance(meta.get(key), typ):
            raise bad(f"'#meta.{key}' is missing or not a {typ.__name__}")
    try:
        steps_path = tuple(int(x) for x in meta["path"].split("/")) if meta["path"] else ()
    except ValueError:
        raise bad(f"'#meta.path' {meta['path']!r} is not a list of integers separated by '/'") from None
    states = doc.get("states")
    if not isinstance(states, list) or not all(isinstance(s, dict) for s in states):
        raise bad("'states' must be a list of objects")
    if len(states) != len(steps_path):
        raise bad(f"the path has {len(steps_path)} entries but there are {len(states)} states (truncated?)")
    loop = meta.get("loop")
    if loop is not None and (not isinstance(loop, int) or not 0 <= loop < max(1, len(states))):
        raise bad(f"'#meta.loop' {loop!r} is not a state index")
    reserved = {"#meta", "mbt::actionTaken", "mbt::actor", "mbt::position", "mbt::choice"}
    steps = []
    for i, st in enumerate(states):
        action = st.get("mbt::actionTaken")
        if not isinstance(action, str):
            raise bad(f"state {i} has no 'mbt::actionTaken'")
        view = {k: _from_itf_value(v) for k, v in st.items() if k not in reserved}
        steps.append(Step(i, None if i == 0 else action, str(st.get("mbt::actor") or ""), st.get("mbt::position"),
                          view, steps_path[i] if i < len(steps_path) else 0))
    extra = {k: v for k, v in meta.items() if k not in
             {"format", "spec", "digest", "property", "kind", "reason", "path", "loop", "fairness", "found_by", "actors"}}
    return Counterexample(meta["property"], meta["reason"], steps_path, loop, steps, str(meta.get("spec") or ""),
                          str(meta.get("digest") or ""), str(meta.get("kind") or ""), str(meta.get("fairness") or ""),
                          str(meta.get("found_by") or ""), extra)
