"""Heap-shape scenarios: small mutator scripts over named objects and roots.

A scenario names its objects (each with the same pointer fields), which of
them are allocated later (the allocation pool), the globals and what they
point to, and per goroutine its stack slots (with initial targets) and a
script of statements, each one atomic mutator step between two GC safe
points:

- ``p = a.f``: load a field through slot or global ``a`` into stack slot p
  (a stack write: no barrier, GC-6 "Stack writes");
- ``a.f = p`` / ``a.f = nil``: a heap store through ``a`` (barrier);
- ``p = q`` / ``p = nil`` / ``p = g``: a stack write (no barrier);
- ``g = p``: a global store (barrier, GC-6 "Global writes");
- ``p = new(N)``: allocate pool object N (GC-11 decides its colour);
- ``send p -> G2.q``: a direct channel hand-off copying p into goroutine
  G2's stack slot q (``chan.go: sendDirect``, GC-14).

A goroutine that reaches the end of its script stays alive holding its
slots (as if it went on using them): its stack stays a root.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.gc.heap import NIL

__all__ = ["Goroutine", "Scenario", "Stmt", "SCENARIOS", "parse_stmt"]


@dataclass(frozen=True, slots=True)
class Stmt:
    """One parsed statement.  ``op`` is load | store | stack | gstore | new | send.

    ``dst``/``src`` are resolved references: ``("s", slot)`` a slot of this
    goroutine, ``("g", idx)`` a global, ``("nil", -1)``; for load/store
    ``field`` is the field index; for send ``peer`` is the receiving goroutine.
    """

    text: str
    op: str
    dst: tuple[str, int]
    src: tuple[str, int]
    field: int = -1
    peer: int = -1
    obj: int = -1


@dataclass(frozen=True, slots=True)
class Goroutine:
    slots: tuple[str, ...]
    init: tuple[str | None, ...]
    script: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Scenario:
    """A heap shape and mutator scripts (see the module docstring)."""

    name: str
    objects: tuple[str, ...]
    fields: tuple[str, ...]
    edges: tuple[tuple[str, str, str], ...]  # (object, field, target)
    pool: tuple[str, ...]
    globals: tuple[tuple[str, str | None], ...]
    goroutines: tuple[Goroutine, ...]
    about: str = ""

    @property
    def global_names(self) -> tuple[str, ...]:
        return tuple(n for n, _ in self.globals)

    @property
    def stack_names(self) -> tuple[tuple[str, ...], ...]:
        return tuple(g.slots for g in self.goroutines)

    def obj(self, name: str) -> int:
        if name not in self.objects:
            raise ValueError(f"scenario {self.name}: unknown object '{name}'")
        return self.objects.index(name)

    def compile(self) -> tuple[tuple[Stmt, ...], ...]:
        """Every goroutine's script parsed and resolved; bad statements raise ValueError."""
        return tuple(tuple(parse_stmt(self, gi, t) for t in g.script) for gi, g in enumerate(self.goroutines))


_NAME = r"[A-Za-z_][A-Za-z0-9_]*"


def _ref(sc: Scenario, gi: int, name: str, text: str) -> tuple[str, int]:
    if name == "nil":
        return ("nil", NIL)
    if name in sc.goroutines[gi].slots:
        return ("s", sc.goroutines[gi].slots.index(name))
    if name in sc.global_names:
        return ("g", sc.global_names.index(name))
    raise ValueError(f"scenario {sc.name}: G{gi + 1} `{text}`: '{name}' is neither a slot of G{gi + 1} nor a global")


def _field(sc: Scenario, name: str, text: str) -> int:
    if name not in sc.fields:
        raise ValueError(f"scenario {sc.name}: `{text}`: unknown field '{name}' (fields: {', '.join(sc.fields)})")
    return sc.fields.index(name)


def parse_stmt(sc: Scenario, gi: int, text: str) -> Stmt:
    """Parse one script statement of goroutine `gi` (0-based)."""
    t = text.strip()
    if m := re.fullmatch(rf"send ({_NAME}) -> G(\d+)\.({_NAME})", t):
        peer = int(m.group(2)) - 1
        if not 0 <= peer < len(sc.goroutines) or peer == gi:
            raise ValueError(f"scenario {sc.name}: `{t}`: no other goroutine G{peer + 1}")
        if m.group(3) not in sc.goroutines[peer].slots:
            raise ValueError(f"scenario {sc.name}: `{t}`: G{peer + 1} has no slot '{m.group(3)}'")
        src = _ref(sc, gi, m.group(1), t)
        return Stmt(t, "send", ("s", sc.goroutines[peer].slots.index(m.group(3))), src, peer=peer)
    if m := re.fullmatch(rf"({_NAME}) = new\(({_NAME})\)", t):
        dst = _ref(sc, gi, m.group(1), t)
        if dst[0] != "s":
            raise ValueError(f"scenario {sc.name}: `{t}`: allocate into a stack slot")
        if m.group(2) not in sc.pool:
            raise ValueError(f"scenario {sc.name}: `{t}`: '{m.group(2)}' is not in the allocation pool")
        return Stmt(t, "new", dst, ("nil", NIL), obj=sc.obj(m.group(2)))
    if m := re.fullmatch(rf"({_NAME}) = ({_NAME})\.({_NAME})", t):
        dst = _ref(sc, gi, m.group(1), t)
        if dst[0] != "s":
            raise ValueError(f"scenario {sc.name}: `{t}`: load into a stack slot")
        return Stmt(t, "load", dst, _ref(sc, gi, m.group(2), t), field=_field(sc, m.group(3), t))
    if m := re.fullmatch(rf"({_NAME})\.({_NAME}) = ({_NAME})", t):
        base = _ref(sc, gi, m.group(1), t)
        if base[0] == "nil":
            raise ValueError(f"scenario {sc.name}: `{t}`: store through nil")
        return Stmt(t, "store", base, _ref(sc, gi, m.group(3), t), field=_field(sc, m.group(2), t))
    if m := re.fullmatch(rf"({_NAME}) = ({_NAME})", t):
        dst = _ref(sc, gi, m.group(1), t)
        if dst[0] == "nil":
            raise ValueError(f"scenario {sc.name}: `{t}`: cannot assign to nil")
        return Stmt(t, "gstore" if dst[0] == "g" else "stack", dst, _ref(sc, gi, m.group(2), t))
    raise ValueError(f"scenario {sc.name}: G{gi + 1}: cannot parse `{t}`")


def _sc(name: str, about: str, objects: str, edges: str, globals_: str, gs: list[tuple[str, list[str]]],
        pool: str = "", fields: str = "f") -> Scenario:
    """Terse constructor: ``edges`` "A.f=W B.f=X"; ``globals_`` "a=A b=B c=nil";
    each goroutine ``("p=W q", [script...])``."""
    e = tuple((l.split(".")[0], l.split(".")[1].split("=")[0], l.split("=")[1]) for l in edges.split())
    gl = tuple((kv.split("=")[0], None if kv.split("=")[1] == "nil" else kv.split("=")[1])
               for kv in globals_.split())
    gor = []
    for slots, script in gs:
        names, init = [], []
        for s in slots.split():
            n, _, v = s.partition("=")
            names.append(n)
            init.append(v or None)
        gor.append(Goroutine(tuple(names), tuple(init), tuple(script)))
    return Scenario(name, tuple(objects.split()) + tuple(pool.split()), tuple(fields.split()), e,
                    tuple(pool.split()), gl, tuple(gor), about)


#: The scenarios the V0..V11 specs use (GO_SEMANTICS 5.4's minimal counterexamples).
SCENARIOS: dict[str, Scenario] = {s.name: s for s in [
    _sc("hide", "V0/V1/V10: a goroutine loads W from grey A onto its (black) stack, then deletes A.f",
        "A W", "A.f=W", "a=A", [("p", ["p = a.f", "a.f = nil"])]),
    _sc("move_to_black", "V3: the sole pointer to W moves from an unscanned stack into black B",
        "B W", "", "b=B", [("p=W", ["b.f = p", "p = nil"])]),
    _sc("alloc", "V7: a goroutine whose stack is black allocates N and keeps it on its stack",
        "", "", "", [("p", ["p = new(N)"])], pool="N"),
    _sc("handoff", "V8: a grey sender hands its sole pointer to W to a black receiver's stack, then drops it",
        "W", "", "", [("p=W", ["send p -> G2.q", "p = nil"]), ("q", [])]),
    _sc("no_fence", "V9: G1 moves W from grey A into B (blackened by the collector on another P) with its barrier off",
        "A B W", "A.f=W", "a=A b=B", [("p", ["p = a.f", "b.f = p", "a.f = nil"])]),
    _sc("garbage", "GC-LIVE: W dies while a cycle may be marking, so it may float into the next cycle",
        "A W", "A.f=W", "a=A", [("p", ["p = a.f", "a.f = nil", "p = nil"])]),
    _sc("fill_new", "a goroutine allocates N, stores its sole pointer to W into N, drops W (V4 needs the "
                    "stacks scanned before anything is allocated black)",
        "W", "", "", [("p=W n", ["n = new(N)", "n.f = p", "p = nil"])], pool="N"),
    _sc("mixed", "Every hiding move at once: load+delete, move into a black object, allocate, "
                 "direct hand-off between stacks",
        "A B W X", "A.f=W", "a=A b=B",
        [("p r", ["p = a.f", "b.f = p", "a.f = nil", "p = new(N)"]), ("q=X", ["send q -> G1.r", "q = nil"])],
        pool="N"),
]}
