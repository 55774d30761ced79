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
from checker.files import MIB, atomic_write, read_text
from checker.model import BoundExceeded, hook

FORMAT = "gocheck-itf/1"

#: The largest trace file `read_itf` reads (a trace holds one view per step; real ones are far smaller).
MAX_TRACE_BYTES = 64 * MIB
#: The deepest JSON value a trace's state may hold.
MAX_VALUE_DEPTH = 100


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
    #: where to load the spec from (set by `read_itf`: `spec_path` resolved from any working directory)
    spec_file: str = ""

    @builtins.property
    def path_str(self) -> str:
        return "/".join(map(str, self.path))


class ReplayError(InputError):
    """A path does not fit the model it is replayed on."""


def replay(model: Any, path: Sequence[int], spec_path: str = "<model>") -> tuple[list[Any], list[Any]]:
    """States and actions along `path`; `ReplayError` explains a divergence (or a model limit hit)."""
    try:
        return _replay(model, path, spec_path)
    except BoundExceeded as e:
        raise ReplayError(f"the model hit a bound while replaying the path: {e}", spec_path, 1, 1) from None


def _replay(model: Any, path: Sequence[int], spec_path: str) -> tuple[list[Any], list[Any]]:
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
    """Write the trace file atomically (a unique temporary name, then `os.replace`: concurrent runs
    never share a temporary file).  ``#meta.spec_abs`` and ``#meta.spec_rel`` (relative to the trace's
    folder) let `read_itf` find the spec from any working directory."""
    doc = to_itf(cx)
    if cx.spec_path and "\0" not in cx.spec_path:
        spec_abs = os.path.abspath(cx.spec_path)
        doc["#meta"]["spec_abs"] = spec_abs
        try:
            doc["#meta"]["spec_rel"] = os.path.relpath(spec_abs, os.path.dirname(os.path.abspath(path)))
        except ValueError:  # another drive (Windows)
            pass
    return atomic_write(path, json.dumps(doc, indent=1) + "\n")


class _BadValue(ValueError):
    pass


def _from_itf_value(v: Any, depth: int = 0) -> Any:
    if depth > MAX_VALUE_DEPTH:
        raise _BadValue(f"a value nests deeper than {MAX_VALUE_DEPTH} levels")
    if isinstance(v, dict):
        if "#bigint" in v:
            b = v["#bigint"]
            if not isinstance(b, str) or not b.lstrip("-").isdigit() or len(b) > 4000:
                raise _BadValue(f"'#bigint' must be a string of decimal digits, got {str(b)[:40]!r}")
            return int(b)
        if "#map" in v:
            pairs = v["#map"]
            if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
                raise _BadValue("'#map' must be a list of [key, value] pairs")
            return {json.dumps(k) if isinstance(k, list | dict) else k: _from_itf_value(x, depth + 1)
                    for k, x in pairs}
        if "#set" in v:
            if not isinstance(v["#set"], list):
                raise _BadValue("'#set' must be a list")
            return [_from_itf_value(x, depth + 1) for x in v["#set"]]
        return {k: _from_itf_value(x, depth + 1) for k, x in v.items()}
    if isinstance(v, list):
        return [_from_itf_value(x, depth + 1) for x in v]
    return v


def _resolve_spec(meta: dict[str, Any], trace_path: str) -> str:
    """Where the trace's spec is: ``spec_abs``, else ``spec_rel`` from the trace's folder, else
    ``spec`` as written (relative to the working directory, then to the trace's folder)."""
    spec = meta.get("spec") or ""
    here = os.path.dirname(os.path.abspath(trace_path))
    candidates = [meta.get("spec_abs"), os.path.join(here, meta["spec_rel"]) if meta.get("spec_rel") else None,
                  spec, os.path.join(here, spec) if spec else None]
    for c in candidates:
        if c and "\0" not in c and os.path.isfile(c):
            return c
    return spec


def read_itf(path: str) -> Counterexample:
    """Load and validate a trace file; any defect is an `InputError`."""
    text = read_text(path, MAX_TRACE_BYTES, "trace file")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"not a valid trace file (corrupt or truncated JSON: {e.msg})", path, e.lineno, e.colno) from None
    except (RecursionError, ValueError) as e:  # nesting too deep; an integer of too many digits
        raise InputError(f"not a valid trace file ({type(e).__name__}: {str(e)[:80]})", path, 1, 1) from None
    bad = lambda msg: InputError(f"not a valid trace file: {msg}", path, 1, 1)  # noqa: E731
    if not isinstance(doc, dict) or not isinstance(doc.get("#meta"), dict):
        raise bad("expected a JSON object with a '#meta' block")
    meta = doc["#meta"]
    if meta.get("format") != FORMAT:
        raise bad(f"'#meta.format' is {str(meta.get('format'))[:40]!r}, expected {FORMAT!r}")
    for key, typ in (("property", str), ("path", str), ("reason", str)):
        if not isinstance(meta.get(key), typ):
            raise bad(f"'#meta.{key}' is missing or not a {typ.__name__}")
    for key in ("spec", "spec_abs", "spec_rel", "digest", "kind", "fairness", "found_by"):
        if meta.get(key) is not None and not isinstance(meta[key], str):
            raise bad(f"'#meta.{key}' must be a string")
    try:
        steps_path = tuple(int(x) for x in meta["path"].split("/")) if meta["path"] else ()
    except ValueError:
        raise bad(f"'#meta.path' {meta['path'][:40]!r} is not a list of integers separated by '/'") from None
    if any(k < 0 for k in steps_path):
        raise bad(f"'#meta.path' {meta['path'][:40]!r} holds a negative index")
    states = doc.get("states")
    if not isinstance(states, list) or not all(isinstance(s, dict) for s in states):
        raise bad("'states' must be a list of objects")
    if len(states) != len(steps_path):
        raise bad(f"the path has {len(steps_path)} entries but there are {len(states)} states (truncated?)")
    loop = meta.get("loop")
    if loop is not None and (isinstance(loop, bool) or not isinstance(loop, int) or not 0 <= loop < max(1, len(states))):
        raise bad(f"'#meta.loop' {loop!r} is not a state index")
    reserved = {"#meta", "mbt::actionTaken", "mbt::actor", "mbt::position", "mbt::choice"}
    steps = []
    for i, st in enumerate(states):
        action = st.get("mbt::actionTaken")
        if not isinstance(action, str):
            raise bad(f"state {i} has no 'mbt::actionTaken'")
        position = st.get("mbt::position")
        if position is not None and not isinstance(position, str):
            raise bad(f"state {i}: 'mbt::position' must be a string or null")
        actor = st.get("mbt::actor")
        if actor is not None and not isinstance(actor, str):
            raise bad(f"state {i}: 'mbt::actor' must be a string")
        try:
            view = {k: _from_itf_value(v) for k, v in st.items() if k not in reserved}
        except _BadValue as e:
            raise bad(f"state {i}: {e}") from None
        steps.append(Step(i, None if i == 0 else action, actor or "", position, view, steps_path[i]))
    extra = {k: v for k, v in meta.items() if k not in
             {"format", "spec", "spec_abs", "spec_rel", "digest", "property", "kind", "reason", "path", "loop",
              "fairness", "found_by", "actors"}}
    return Counterexample(meta["property"], meta["reason"], steps_path, loop, steps, str(meta.get("spec") or ""),
                          str(meta.get("digest") or ""), str(meta.get("kind") or ""), str(meta.get("fairness") or ""),
                          str(meta.get("found_by") or ""), extra, _resolve_spec(meta, path))
