"""Strict YAML spec loading (docs/design.md section 4).

The one place that knows about YAML.  Property names and parameters come
from the registry (`models.properties`), runtime options from
`models.options`.  Every key, type and range is checked;
an error names ``file:line:col``, what is allowed and, for near misses, the
closest allowed name ("did you mean ...?").  Defaults are those of docs/design.md
section 4.

Examples
--------
>>> s = load_spec_text("name: t\\nsource: 'package main\\\\nfunc main() {}'\\n", "t.yaml", compile=False)
>>> (s.name, s.runtime.procs, s.runtime.scheduler, s.properties[0].name)
('t', 2, 'abstract', 'deadlock_free')
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from checker.errors import InputError, SpecError
from checker.files import MIB, read_text
from models.lang import compile_go
from models.options import GcOptions, RuntimeOptions
from models.properties import DEFAULT_PROPERTIES, REGISTRY, PropertySpec

__all__ = ["Bounds", "GcOptions", "InputError", "Outcome", "PropertySpec", "RuntimeOptions", "Spec", "SpecError",
           "PROPERTY_PARAMS", "load_spec", "load_spec_text", "apply_override", "MAX_SPEC_BYTES", "MAX_SOURCE_BYTES",
           "MAX_VALUE_NODES", "MAX_VALUE_DEPTH", "MAX_SWEEP_POINTS", "MAX_YAML_DEPTH", "MAX_YAML_EVENTS"]

#: Resource limits that hold from the first byte (README "Security"): a spec file and a Go source
#: file are refused, before being read whole, when larger than this many bytes ...
MAX_SPEC_BYTES = 1 * MIB
MAX_SOURCE_BYTES = 1 * MIB
#: ... a value under ``args:`` or ``sweep:`` may expand (YAML aliases counted each time they are
#: used: a "billion laughs" document stops here) to at most this many nodes, this deep ...
MAX_VALUE_NODES = 10_000
MAX_VALUE_DEPTH = 50
#: ... and a sweep to at most this many points.  The YAML document itself may nest at most
#: `MAX_YAML_DEPTH` levels and hold at most `MAX_YAML_EVENTS` nodes and aliases (checked by an
#: iterative pass over the parser's events before anything is built).
MAX_SWEEP_POINTS = 1_000
MAX_YAML_DEPTH = 64
MAX_YAML_EVENTS = 50_000


@dataclass(frozen=True, slots=True)
class Bounds:
    max_states: int = 2_000_000
    max_depth: int = 100_000
    timeout_s: float = 600.0
    #: resident memory (MiB) at which the search stops with ``unknown``; 0: three quarters of the
    #: machine's physical memory (`checker.explore.memory_limit_mb`)
    max_memory_mb: float = 0.0


@dataclass(frozen=True, slots=True)
class Outcome:
    """A litmus outcome: a Go boolean expression over package-level variables."""

    when: str
    expect: str | None
    line: int = 0
    col: int = 0


@dataclass(frozen=True)
class Spec:
    """A loaded, validated spec.  `program` is the lowered Go program (None
    for a Python-model spec, or when loaded with ``compile=False``)."""

    path: str
    name: str
    about: str
    source: str
    source_file: str
    entry: str
    runtime: RuntimeOptions
    gc: GcOptions
    properties: tuple[PropertySpec, ...]
    expect: dict[str, str]
    bounds: Bounds
    sweep: dict[str, list[Any]]
    outcomes: tuple[Outcome, ...]
    kind: str = "program"
    model: str = ""
    model_args: dict[str, Any] = field(default_factory=dict)
    digest: str = ""
    program: Any = None
    #: The Go version whose language rules apply ("" = the modern rules): the
    #: spec's ``go:`` key, else the ``go`` line of a go.mod next to (or above)
    #: ``source_file``.  Before 1.22 a for clause's variables are per loop.
    go: str = ""

    def expected(self, prop: str) -> str | None:
        return self.expect.get(prop)


#: Property names a spec may list, with the type of their parameter (None: no parameter).
PROPERTY_PARAMS: dict[str, type | None] = {name: d.param for name, d in REGISTRY.items()}

_CHOICES: dict[str, tuple[Any, ...]] = {
    "runtime.scheduler": ("abstract", "gmp"),
    "runtime.steal": ("half", "one", "none"),
    "runtime.main_exit": ("wait", "exit"),
    "runtime.timers": ("ordered", "any", "never"),
    "runtime.map_order": ("all", "canonical"),
    "runtime.preempt": ("any", "slice", "never"),
    "runtime.startup": ("any", "fixed"),
    "gc.barrier": ("none", "dijkstra", "yuasa", "hybrid", "go"),
    "gc.allocate": ("black", "white"),
    "kind": ("program", "model", "runq_proof", "gc_proof"),
}

_RANGES: dict[str, tuple[float, float]] = {
    "runtime.procs": (1, 64),
    "runtime.runq_size": (1, 256),
    "runtime.global_check_every": (0, 1_000_000),
    "runtime.time_slice": (1, 1_000_000),
    "runtime.starvation_after": (1, 1_000),
    "gc.cycles": (1, 4),
    "runtime.rand_values": (1, 1_000),
    "bounds.max_states": (1, 10**10),
    "bounds.max_depth": (1, 10**9),
    "bounds.timeout_s": (0.001, 10**7),
    "bounds.max_memory_mb": (0, 10**8),
}

_TOP_KEYS = ("name", "about", "source", "source_file", "go", "entry", "runtime", "gc", "properties",
             "expect", "bounds", "sweep", "outcomes", "kind", "model", "args")
_VERDICTS = ("holds", "violated", "unknown")
_OUTCOME_VERDICTS = ("allowed", "forbidden")


class _Doc:
    """A YAML node tree with positions, and the error helpers that use them."""

    def __init__(self, path: str):
        self.path = path

    def error(self, node: yaml.Node | None, msg: str) -> SpecError:
        if node is None:
            return SpecError(msg, self.path, 1, 1)
        return SpecError(msg, self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def scalar(self, node: yaml.Node, what: str, types: tuple[type, ...]) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, f"{what} must be {_type_names(types)}, not a {_node_kind(node)}")
        value = _construct_scalar(node)
        if isinstance(value, bool) and bool not in types:
            raise self.error(node, f"{what} must be {_type_names(types)}, not a boolean")
        if isinstance(value, int) and not isinstance(value, bool) and int not in types and float in types:
            value = float(value)
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise self.error(node, f"{what} must be {_type_names(types)}, got {value!r}")
        return value

    def mapping(self, node: yaml.Node, what: str, allowed: tuple[str, ...] | None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} must be a mapping, not a {_node_kind(node)}")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode) or not isinstance(_construct_scalar(k), str):
                raise self.error(k, f"keys of {what} must be strings")
            key = k.value
            if allowed is not None and key not in allowed:
                raise self.error(k, f"unknown key '{key}' in {what}{_suggest(key, allowed)}; allowed: {', '.join(allowed)}")
            if key in out:
                raise self.error(k, f"duplicate key '{key}' in {what}")
            out[key] = (k, v)
        return out


def _node_kind(node: yaml.Node) -> str:
    return {"MappingNode": "mapping", "SequenceNode": "list", "ScalarNode": "scalar"}.get(type(node).__name__, "value")


def _type_names(types: tuple[type, ...]) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    return " or ".join(names.get(t, t.__name__) for t in types)


def _suggest(word: str, allowed: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, list(allowed), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _construct_scalar(node: yaml.ScalarNode) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError:
        return node.value
    finally:
        loader.dispose()


def load_spec(path: str, compile: bool = True, overrides: dict[str, Any] | None = None, *,
              allow_outside: bool = False) -> Spec:
    """Load and validate the spec at `path`; compile its Go program.

    The spec file must be a regular file of at most `MAX_SPEC_BYTES`; its
    ``source_file`` must lie in the spec's folder (or below it) unless
    `allow_outside` (``--allow-outside-source``)."""
    text = read_text(path, MAX_SPEC_BYTES, "spec file")
    return load_spec_text(text, path, compile=compile, overrides=overrides, allow_outside=allow_outside)


def load_spec_text(text: str, path: str = "<spec>", compile: bool = True,
                   overrides: dict[str, Any] | None = None, *, allow_outside: bool = False) -> Spec:
    """Validate a spec given as text (see `load_spec`)."""
    if len(text) > MAX_SPEC_BYTES:
        raise SpecError(f"spec is larger than the limit of {MAX_SPEC_BYTES} bytes", path, 1, 1)
    doc = _Doc(path)
    try:
        _prescan(text, path)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SpecError(f"YAML syntax error: {e.problem or e.context}", path, line, col) from None
    except yaml.YAMLError as e:
        raise SpecError(f"YAML error: {e}", path, 1, 1) from None
    except (ValueError, RecursionError) as e:
        raise SpecError(f"YAML error: {e}", path, 1, 1) from None
    if root is None:
        raise SpecError("empty spec: expected a mapping with at least 'name' and 'source'", path, 1, 1)
    top = doc.mapping(root, "the spec", _TOP_KEYS)
    get = lambda key: top[key][1] if key in top else None  # noqa: E731

    name = doc.scalar(get("name"), "name", (str,)) if "name" in top else os.path.splitext(os.path.basename(path))[0]
    about = doc.scalar(get("about"), "about", (str,)) if "about" in top else ""
    kind = _choice(doc, get("kind"), "kind", "program")
    runtime = _options(doc, get("runtime"), "runtime", RuntimeOptions)
    gc = _options(doc, get("gc"), "gc", GcOptions, enabled_when_present=True)
    bounds = _options(doc, get("bounds"), "bounds", Bounds)

    source, source_file = "", ""
    inline: tuple[int, int] | None = None  # where an inline source's Go line 1, column 1 is in the YAML file
    outside = False
    if "source" in top and "source_file" in top:
        raise doc.error(top["source_file"][0], "give either 'source' or 'source_file', not both")
    if "source" in top:
        source = doc.scalar(get("source"), "source", (str,))
        source_file = path
        inline = _inline_origin(get("source"), text)
    elif "source_file" in top:
        rel = doc.scalar(get("source_file"), "source_file", (str,))
        source_file, outside = _source_file(doc, get("source_file"), rel, allow_outside)
        try:
            source = read_text(source_file, MAX_SOURCE_BYTES, "source_file")
        except InputError as e:
            if e.file == source_file and e.line > 1:  # a byte that is not UTF-8: its place in the Go file
                raise
            raise doc.error(get("source_file"), f"cannot read source_file '{_shown(rel)}': {e.message}") from None
    model, model_args = "", {}
    if "model" in top:
        model = doc.scalar(get("model"), "model", (str,))
        if ":" not in model:
            raise doc.error(get("model"), "model must be 'package.module:factory'")
        kind = "model" if "kind" not in top else kind
    if "args" in top:
        budget = [MAX_VALUE_NODES]
        model_args = {k: _plain(doc, v, budget) for k, (_, v) in doc.mapping(get("args"), "args", None).items()}
    if kind == "program" and not source:
        raise doc.error(root, "a program spec needs 'source' (Go code) or 'source_file'")
    if kind in ("runq_proof", "gc_proof") and model:
        raise doc.error(top["model"][0], f"a {kind} spec takes no 'model'; choose its options with args: {{...}}")
    if kind == "model" and not model:
        raise doc.error(root, "a model spec needs 'model: package.module:factory'")
    entry = doc.scalar(get("entry"), "entry", (str,)) if "entry" in top else default_entry(source)
    go = ""
    if "go" in top:
        go_node = get("go")
        if not isinstance(go_node, yaml.ScalarNode) or go_node.style not in ("'", '"'):
            raise doc.error(get("go"), 'go must be a quoted Go version like "1.21" (YAML reads 1.20 as 1.2)')
        go = doc.scalar(get("go"), "go", (str,))
        if not re.fullmatch(r"1\.\d+(\.\d+)?", go):
            raise doc.error(get("go"), f'go must be a Go version like "1.21", got {go!r}')
    elif "source_file" in top:
        go = go_mod_version(source_file)

    properties = _properties(doc, get("properties"), kind)
    names = {p.name for p in properties}
    expect: dict[str, str] = {}
    if "expect" in top:
        for key, (knode, vnode) in doc.mapping(get("expect"), "expect", None).items():
            labels = {p.name for p in properties} | {p.label for p in properties}
            if key not in labels:
                raise doc.error(knode, f"expect names '{key}', which is not among this spec's properties{_suggest(key, sorted(names))}")
            expect[key] = _choice(doc, vnode, f"expect.{key}", None, _VERDICTS)
    outcomes: list[Outcome] = []
    if "outcomes" in top:
        seq = get("outcomes")
        if not isinstance(seq, yaml.SequenceNode):
            raise doc.error(seq, "outcomes must be a list of {when: EXPR, expect: allowed|forbidden}")
        for item in seq.value:
            m = doc.mapping(item, "an outcome", ("when", "expect"))
            if "when" not in m:
                raise doc.error(item, "an outcome needs 'when: <Go boolean expression>'")
            when = doc.scalar(m["when"][1], "when", (str,))
            exp = _choice(doc, m["expect"][1], "outcome expect", None, _OUTCOME_VERDICTS) if "expect" in m else None
            outcomes.append(Outcome(when, exp, item.start_mark.line + 1, item.start_mark.column + 1))
    sweep: dict[str, list[Any]] = {}
    if "sweep" in top:
        budget = [MAX_VALUE_NODES]
        points = 1
        for key, (knode, vnode) in doc.mapping(get("sweep"), "sweep", None).items():
            if not isinstance(vnode, yaml.SequenceNode) or not vnode.value:
                raise doc.error(vnode, f"sweep.{key} must be a non-empty list of values")
            points *= len(vnode.value)
            if points > MAX_SWEEP_POINTS:
                raise doc.error(vnode, f"the sweep has more than {MAX_SWEEP_POINTS} points")
            values = [_plain(doc, v, budget) for v in vnode.value]
            for v in values:  # validate each value by applying it
                _override(doc, knode, key, v, runtime, gc, bounds)
            sweep[key] = values

    digest = hashlib.sha256(text.encode("utf-8") + b"\0" + source.encode("utf-8")).hexdigest()[:16]
    spec = Spec(path=path, name=name, about=about, source=source, source_file=source_file, entry=entry,
                runtime=runtime, gc=gc, properties=properties, expect=expect, bounds=bounds, sweep=sweep,
                outcomes=tuple(outcomes), kind=kind, model=model, model_args=model_args, digest=digest, go=go)
    for key, value in (overrides or {}).items():
        spec = apply_override(spec, key, value)
    if compile and kind == "program":
        try:
            spec = replace(spec, program=_compile(spec, inline, outside))
        except InputError as e:
            if "entry" in top and e.message.startswith("entry function"):
                raise doc.error(get("entry"), e.message) from None
            raise
    return spec


_MAIN = re.compile(r"^func\s+main\s*\(\s*\)", re.M)
_TEST = re.compile(r"^func\s+(Test[A-Za-z0-9_]*)\s*\(\s*\w+\s+\*testing\.T\s*\)", re.M)


def default_entry(source: str) -> str:
    """The entry when the spec names none: ``main``, or for a ``_test.go``-style source
    without one, its only ``Test*`` function (several: still ``main``, and the error that
    it is missing lists them: name one with ``entry:``)."""
    if _MAIN.search(source):
        return "main"
    tests = _TEST.findall(source)
    return tests[0] if len(tests) == 1 else "main"


def _prescan(text: str, path: str) -> None:
    """Refuse a YAML document that nests deeper than `MAX_YAML_DEPTH` or holds more than
    `MAX_YAML_EVENTS` nodes, walking the parser's events (iterative: it never recurses)."""
    depth = count = 0
    for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        count += 1
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                m = event.start_mark
                raise SpecError(f"the YAML nests deeper than {MAX_YAML_DEPTH} levels", path, m.line + 1, m.column + 1)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if count > MAX_YAML_EVENTS:
            m = event.start_mark
            raise SpecError(f"the YAML holds more than {MAX_YAML_EVENTS} nodes", path, m.line + 1, m.column + 1)


def _compile(spec: Spec, inline: tuple[int, int] | None = None, outside: bool = False) -> Any:
    """The spec's Go program; an error in an inline ``source:`` points at its line in the YAML file."""
    try:
        return compile_go(spec.source, spec.source_file, entry=spec.entry, go=spec.go)
    except InputError as e:
        if outside:  # a file outside the spec's folder: never echo its contents
            raise InputError(re.sub(r"'[^']*'|\"[^\"]*\"", "'...'", e.message), e.file, e.line, e.col) from None
        if inline is None or e.file != spec.source_file or e.line < 1:
            raise
        line0, indent = inline
        if line0 < 0:  # a quoted or plain scalar: name the Go position inside it
            raise InputError(f"{e.message} (inline source, Go line {e.line} col {e.col})", e.file, -line0,
                             indent) from None
        raise InputError(e.message, e.file, line0 + e.line - 1, e.col + indent) from None


def _inline_origin(node: yaml.Node, text: str) -> tuple[int, int]:
    """Where Go line 1 of an inline ``source:`` is in the YAML text: (1-based line, indentation) for a
    block scalar (``|``), or (-line, col) of the scalar itself when its lines cannot be mapped."""
    style = getattr(node, "style", None)
    if style != "|":
        return -(node.start_mark.line + 1), node.start_mark.column + 1
    lines = text.splitlines()
    first = node.start_mark.line + 1  # 0-based index of the line after the '|' indicator
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first >= len(lines):
        return -(node.start_mark.line + 1), node.start_mark.column + 1
    indent = len(lines[first]) - len(lines[first].lstrip(" "))
    return node.start_mark.line + 2, indent


def _shown(name: str) -> str:
    return name.replace("\0", "\\0")[:200]


def _source_file(doc: _Doc, node: yaml.Node, rel: str, allow_outside: bool) -> tuple[str, bool]:
    """The path of ``source_file: rel`` and whether it lies outside the spec's folder; without
    `allow_outside` only a ``.go`` file in the spec's folder (or below it) is accepted."""
    if "\0" in rel:
        raise doc.error(node, "source_file contains a NUL byte")
    if not rel.endswith(".go"):
        raise doc.error(node, f"source_file '{_shown(rel)}' must name a Go file (ending in .go)")
    base = os.path.dirname(doc.path)
    full = os.path.join(base, rel)
    real_base = os.path.realpath(base or ".")
    real = os.path.realpath(full)
    inside = not os.path.isabs(rel) and os.path.commonpath([real_base, real]) == real_base
    if not inside and not allow_outside:
        raise doc.error(node, f"source_file '{_shown(rel)}' is outside the spec's folder; the checker reads only "
                              "files next to (or below) the spec unless you pass --allow-outside-source")
    return full, not inside


def go_mod_version(source_file: str) -> str:
    """The ``go`` directive of the go.mod in `source_file`'s directory or
    the nearest one above it ("" when there is none)."""
    d = os.path.dirname(os.path.abspath(source_file))
    while True:
        mod = os.path.join(d, "go.mod")
        if os.path.isfile(mod):
            with open(mod, encoding="utf-8") as f:
                m = re.search(r"^go\s+(\d+\.\d+)", f.read(), re.M)
            return m.group(1) if m else ""
        parent = os.path.dirname(d)
        if parent == d:
            return ""
        d = parent


def apply_override(spec: Spec, key: str, value: Any) -> Spec:
    """The spec with ``runtime.X``/``gc.X``/``bounds.X`` set to `value` (sweeps, CLI),
    or ``go`` (the Go version whose language rules apply: recompiles)."""
    if key == "go":
        spec = replace(spec, go=str(value))
        return replace(spec, program=_compile(spec)) if spec.program is not None else spec
    doc = _Doc(spec.path)
    runtime, gc, bounds = _override(doc, None, key, value, spec.runtime, spec.gc, spec.bounds)
    return replace(spec, runtime=runtime, gc=gc, bounds=bounds)


def _override(doc: _Doc, node: yaml.Node | None, key: str, value: Any, runtime: RuntimeOptions,
              gc: GcOptions, bounds: Bounds) -> tuple[RuntimeOptions, GcOptions, Bounds]:
    section, _, fname = key.partition(".")
    groups: dict[str, Any] = {"runtime": runtime, "gc": gc, "bounds": bounds}
    if section not in groups or not fname:
        raise doc.error(node, f"cannot sweep '{key}': use runtime.X, gc.X or bounds.X")
    opts = groups[section]
    allowed = tuple(f for f in opts.__dataclass_fields__ if f not in _NOT_KEYS)
    if fname not in allowed:
        raise doc.error(node, f"unknown key '{fname}' in {section}{_suggest(fname, allowed)}; allowed: {', '.join(allowed)}")
    value = _check_value(doc, node, key, value, type(getattr(opts, fname)))
    groups[section] = replace(opts, **{fname: value})
    return groups["runtime"], groups["gc"], groups["bounds"]


#: Options that take true, false or auto (models/options.py says what auto decides).
_BOOL_OR_AUTO = frozenset({"runtime.mutex_starvation"})
#: Option fields a spec does not set: ``enabled`` (implied by the section) and what the
#: model derives (``mutex_guarded``: `models.gomodel.resolve_runtime`).
_NOT_KEYS = frozenset({"enabled", "mutex_guarded"})


def _check_value(doc: _Doc, node: yaml.Node | None, key: str, value: Any, typ: type[Any]) -> Any:
    if key in _BOOL_OR_AUTO:
        if isinstance(value, bool) or value == "auto":
            return value
        raise doc.error(node, f"{key} must be true, false or auto, got {value!r}")
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if typ is int and isinstance(value, bool) or not isinstance(value, typ):
        raise doc.error(node, f"{key} must be {_type_names((typ,))}, got {value!r}")
    if key in _CHOICES and value not in _CHOICES[key]:
        raise doc.error(node, f"{key} must be one of {', '.join(map(str, _CHOICES[key]))}, got {value!r}{_suggest(str(value), [str(c) for c in _CHOICES[key]])}")
    if key in _RANGES:
        lo, hi = _RANGES[key]
        if not lo <= value <= hi:
            raise doc.error(node, f"{key} must be between {lo:g} and {hi:g}, got {value!r}")
    return value


def _options(doc: _Doc, node: yaml.Node | None, section: str, cls: Callable[..., Any],
             enabled_when_present: bool = False) -> Any:
    opts = cls()
    if node is None:
        return opts
    if enabled_when_present and isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
        return replace(opts, enabled=True)
    allowed = tuple(f for f in opts.__dataclass_fields__ if f not in _NOT_KEYS)
    values: dict[str, Any] = {}
    for key, (_knode, vnode) in doc.mapping(node, section, allowed).items():
        typ = type(getattr(opts, key))
        name = f"{section}.{key}"
        types = (bool, str) if name in _BOOL_OR_AUTO else (typ,)
        values[key] = _check_value(doc, vnode, name, doc.scalar(vnode, name, types), typ)
    if enabled_when_present:
        values["enabled"] = True
    return replace(opts, **values)


def _choice(doc: _Doc, node: yaml.Node | None, what: str, default: Any, choices: tuple[str, ...] | None = None) -> Any:
    if node is None:
        return default
    choices = choices or _CHOICES[what]
    value = doc.scalar(node, what, (str,))
    if value not in choices:
        raise doc.error(node, f"{what} must be one of {', '.join(choices)}, got '{value}'{_suggest(value, choices)}")
    return value


def _properties(doc: _Doc, node: yaml.Node | None, kind: str) -> tuple[PropertySpec, ...]:
    if node is None:
        return tuple(PropertySpec(n) for n in DEFAULT_PROPERTIES) if kind == "program" else ()
    if not isinstance(node, yaml.SequenceNode):
        raise doc.error(node, "properties must be a list of names (or one-key mappings like {max_goroutines: 8})")
    out: list[PropertySpec] = []
    allowed = sorted(PROPERTY_PARAMS)
    for item in node.value:
        line, col = item.start_mark.line + 1, item.start_mark.column + 1
        if isinstance(item, yaml.ScalarNode):
            name = doc.scalar(item, "a property name", (str,))
            if kind in ("model", "runq_proof", "gc_proof"):
                out.append(PropertySpec(name, None, line, col))
                continue
            if name not in PROPERTY_PARAMS:
                raise doc.error(item, f"unknown property '{name}'{_suggest(name, allowed)}; allowed: {', '.join(allowed)}")
            if PROPERTY_PARAMS[name] is not None:
                raise doc.error(item, f"property '{name}' needs a parameter: write {{{name}: N}}")
            out.append(PropertySpec(name, None, line, col))
        else:
            m = doc.mapping(item, "a property with a parameter", None)
            if len(m) != 1:
                raise doc.error(item, "a property with a parameter is a one-key mapping, like {max_goroutines: 8}")
            (name, (knode, vnode)), = m.items()
            if name not in PROPERTY_PARAMS:
                raise doc.error(knode, f"unknown property '{name}'{_suggest(name, allowed)}; allowed: {', '.join(allowed)}")
            typ = PROPERTY_PARAMS[name]
            if typ is None:
                raise doc.error(knode, f"property '{name}' takes no parameter: list it as a plain name")
            param = doc.scalar(vnode, f"the parameter of {name}", (typ,))
            if isinstance(param, int) and param < 0:
                raise doc.error(vnode, f"the parameter of {name} must be >= 0, got {param}")
            out.append(PropertySpec(name, param, line, col))
    names = [p.name for p in out]
    for p in out:
        if names.count(p.name) > 1:
            raise SpecError(f"property '{p.name}' is listed twice", doc.path, p.line, p.col)
    return tuple(out)


def _plain(doc: _Doc, node: yaml.Node, budget: list[int], depth: int = 0) -> Any:
    """The plain Python value of `node`, expanding aliases, within `budget` nodes and `MAX_VALUE_DEPTH`
    levels (a recursive alias is refused by the depth limit, a billion laughs by the budget)."""
    budget[0] -= 1
    if budget[0] < 0:
        raise doc.error(node, f"the value is too large: more than {MAX_VALUE_NODES} YAML nodes once its aliases "
                              "are expanded")
    if depth > MAX_VALUE_DEPTH:
        raise doc.error(node, f"the value nests deeper than {MAX_VALUE_DEPTH} levels (a recursive alias?)")
    if isinstance(node, yaml.ScalarNode):
        return _construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [_plain(doc, n, budget, depth + 1) for n in node.value]
    if isinstance(node, yaml.MappingNode):
        return {k: _plain(doc, v, budget, depth + 1) for k, (_, v) in doc.mapping(node, "a value", None).items()}
    raise doc.error(node, "unsupported YAML value")

