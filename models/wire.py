"""Canonical bytes of a `World`, built from cached parts: the Go model's
state codec for the partitioned search (`checker.parallel`).

The partitioned search keys every partition's table on a state's canonical
bytes and moves states between processes as those bytes, so the bytes must
depend on the state's value only, identically in every process and on every
machine.  The engine's default is the pickle of the whole state with the
memo off (`checker.parallel.codec`); for a `World` that costs more than
the step that made it (about 45 µs to write and 125 µs to read back a
`workerpool` state of ``benchmarks/perf_programs.py``: every `ir.Ref` in a
slot goes through the dataclass's Python ``__getstate__``/``__setstate__``).

A successor shares all but one or two goroutines and heap objects with its
parent (the interpreter rebuilds only what a step changed, and
`models.deadslots` hands back one `Frame` object per frame value), so the
bytes are assembled from parts, each written once:

- a `Frame`: the pickle (protocol 2, memo off: `pickle.Pickler.fast`) of
  ``(func, pc, slots, defers)``, cached in the frame's ``_enc`` slot;
- a `G`: a small header (frame count and the lengths), the pickle of its
  other fields, then its frames' bytes; cached in ``_enc``;
- a heap object: its pickle, cached in ``_enc`` for `Data` and `Chan`, and
  for the other kinds (`Mutex`, `WaitGroup`, `MapObj`, ``None`` ...) in a
  dict keyed by the object (they are small and few);
- the rest of the world (timers, output, flags ...): its pickle, in a dict
  keyed by the tuple of those fields.

A state is then ``tag, counts and lengths`` followed by the parts:
`encode` of a successor whose one goroutine moved writes one frame and one
goroutine header and joins cached bytes.  Every part is a pickle of a
value (or built from pickles by a fixed rule), so the bytes are a function
of the value: the same in every process (pickle without its memo is
canonical; ``marshal`` is not, it marks interned strings differently), and
they decode to an equal state (different bytes for different values).

`decode` interns parts: a dict per kind maps a part's bytes to the object
this process already built for it, so a state received from another
partition is mostly rebuilt from lookups, and the rebuilt objects carry
their bytes (their successors do not write them again).  The dicts are
caches: they are emptied past `LIMIT` entries.

Two values that compare equal but pickle differently (``1`` and ``True``)
would get the bytes of whichever one a dict cache met first: the `Model`
protocol asks for canonical states (no such mixing), as the default codec
does.
"""

from __future__ import annotations

import copyreg
import dataclasses
import io
import pickle
import struct
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from models import ir
from models.datatypes import MapObj
from models.state import (
    Chan,
    Cond,
    Context,
    Data,
    Frame,
    G,
    Mutex,
    Once,
    Pipe,
    RWMutex,
    WaitGroup,
    World,
)

__all__ = ["WorldCodec", "LIMIT"]

#: Entries per cache dict before it is emptied (a cache: emptying only costs time).
LIMIT = 500_000

_LEN = struct.Struct("<H")
_LONG = struct.Struct("<I")
_HEAD = struct.Struct("<II")  # goroutines, heap objects


def _reducer(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    """``x -> (cls, (field, ...))``: `cls` rebuilt from its fields in order (its ``__init__``).
    The pickle's default for a slotted dataclass calls its Python ``__getstate__``, which walks
    ``dataclasses.fields`` (about 1 µs per `ir.Ref`); this reads the fields in C."""
    names = [f.name for f in dataclasses.fields(cls) if f.init]
    if len(names) == 1:
        get1 = attrgetter(names[0])
        return lambda x: (cls, (get1(x),))
    get = attrgetter(*names)
    return lambda x: (cls, get(x))


#: The value classes a state holds, reduced by their fields (a canonical pickle: a function of the value).
_REDUCE: dict[type, Any] = {cls: _reducer(cls) for cls in (ir.Ref, ir.Slice, ir.Closure, ir.Iface, Data, Chan, Mutex, RWMutex,
                                          WaitGroup, Once, Cond, Context, Pipe, MapObj)}


def _fast_dumps() -> Callable[[Any], bytes]:
    """``x -> bytes``: a length prefix (2 bytes, or ``ff ff`` and 4 bytes) then the pickle of `x`
    (protocol 2, memo off: the bytes depend on the value only)."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=2)
    pickler.fast = True
    table = copyreg.dispatch_table.copy()
    table.update(_REDUCE)
    pickler.dispatch_table = table
    seek, truncate, dump, getvalue, write = buf.seek, buf.truncate, pickler.dump, buf.getvalue, buf.write
    pack = _LEN.pack

    def dumps(x: Any) -> bytes:
        seek(0)
        truncate()
        write(b"\0\0")
        dump(x)
        n = buf.tell() - 2
        if n < 0xFFFF:
            seek(0)
            write(pack(n))
            return getvalue()
        return b"\xff\xff" + _LONG.pack(n) + getvalue()[2:]

    return dumps


def _prefixed(p: bytes) -> bytes:
    n = len(p)
    return (_LEN.pack(n) if n < 0xFFFF else b"\xff\xff" + _LONG.pack(n)) + p


def _split(data: bytes, pos: int, count: int) -> list[bytes]:
    """The `count` length-prefixed parts of `data` from `pos` (each with its prefix); all of it."""
    parts = []
    end = len(data)
    for _ in range(count):
        n = data[pos] | data[pos + 1] << 8
        start = pos
        pos += 2
        if n == 0xFFFF:
            n = _LONG.unpack_from(data, pos)[0]
            pos += 4
        pos += n
        if pos > end:
            raise ValueError("models.wire: truncated World bytes")
        parts.append(data[start:pos])
    if pos != end:
        raise ValueError("models.wire: not the bytes of a World (length mismatch)")
    return parts


def _payload(p: bytes) -> bytes:
    return p[2:] if p[:2] != b"\xff\xff" else p[6:]


class WorldCodec:
    """`encode(world) -> bytes` and `decode(bytes) -> world` for one process (its caches are its own)."""

    def __init__(self) -> None:
        self.dumps = _fast_dumps()
        self.obj_bytes: dict[Any, bytes] = {}  # heap objects without an _enc slot -> bytes
        self.rest_bytes: dict[tuple[Any, ...], bytes] = {}
        self.frames: dict[bytes, Frame] = {}  # interned on decode
        self.gs: dict[bytes, G] = {}
        self.objs: dict[bytes, Any] = {}
        self.rests: dict[bytes, tuple[Any, ...]] = {}

    # ------------------------------------------------------------------ writing

    def frame_bytes(self, fr: Frame) -> bytes:
        b = self.dumps((fr.func, fr.pc, fr.slots, fr.defers))
        object.__setattr__(fr, "_enc", b)
        return b

    def g_bytes(self, g: G) -> bytes:
        """A goroutine: its frame count (2 bytes), the pickle of its other fields, its frames."""
        parts = [_LEN.pack(len(g.frames)),
                 self.dumps((g.gid, g.status, g.wait, g.losses, g.awoke, g.unwind, g.panicking, g.recovering))]
        parts.extend([fr._enc or self.frame_bytes(fr) for fr in g.frames])
        b = _prefixed(b"".join(parts))
        object.__setattr__(g, "_enc", b)
        return b

    def obj_of(self, x: Any) -> bytes:
        t = type(x)
        if t is Data or t is Chan:
            b: bytes = x._enc
            if not b:
                b = self.dumps(x)
                object.__setattr__(x, "_enc", b)
            return b
        got = self.obj_bytes.get(x)
        if got is None:
            if len(self.obj_bytes) > LIMIT:
                self.obj_bytes.clear()
            got = self.obj_bytes[x] = self.dumps(x)
        return got

    def encode(self, w: World) -> bytes:
        """The canonical bytes of `w`."""
        gs, heap = w.gs, w.heap
        parts = [_HEAD.pack(len(gs), len(heap))]
        parts.extend([g._enc or self.g_bytes(g) for g in gs])
        obj_of = self.obj_of
        parts.extend([obj_of(x) for x in heap])
        rest = w.scalars()
        rb = self.rest_bytes.get(rest)
        if rb is None:
            if len(self.rest_bytes) > LIMIT:
                self.rest_bytes.clear()
            rb = self.rest_bytes[rest] = self.dumps(rest)
        parts.append(rb)
        return b"".join(parts)

    # ------------------------------------------------------------------ reading

    def _frame(self, b: bytes) -> Frame:
        fr = self.frames.get(b)
        if fr is None:
            if len(self.frames) > LIMIT:
                self.frames.clear()
            fr = Frame(*pickle.loads(_payload(b)))
            object.__setattr__(fr, "_enc", b)
            self.frames[b] = fr
        return fr

    def _g(self, b: bytes) -> G:
        g = self.gs.get(b)
        if g is None:
            if len(self.gs) > LIMIT:
                self.gs.clear()
            inner = _payload(b)
            parts = _split(inner, 2, (inner[0] | inner[1] << 8) + 1)
            gid, status, wait, losses, awoke, unwind, panicking, recovering = pickle.loads(_payload(parts[0]))
            g = G(gid, tuple([self._frame(p) for p in parts[1:]]), status, wait, losses, awoke, unwind, panicking,
                  recovering)
            object.__setattr__(g, "_enc", b)
            self.gs[b] = g
        return g

    def _obj(self, b: bytes) -> Any:
        objs = self.objs
        if b in objs:
            return objs[b]
        if len(objs) > LIMIT:
            objs.clear()
        x = objs[b] = pickle.loads(_payload(b))
        t = type(x)
        if t is Data or t is Chan:
            object.__setattr__(x, "_enc", b)
        return x

    def decode(self, data: bytes) -> World:
        """The `World` whose canonical bytes are `data` (built from this process's interned parts)."""
        ng, nh = _HEAD.unpack_from(data, 0)
        parts = _split(data, _HEAD.size, ng + nh + 1)
        rb = parts[-1]
        rest = self.rests.get(rb)
        if rest is None:
            if len(self.rests) > LIMIT:
                self.rests.clear()
            rest = self.rests[rb] = pickle.loads(_payload(rb))
        g_of, obj = self._g, self._obj
        return World(tuple([g_of(p) for p in parts[:ng]]), tuple([obj(p) for p in parts[ng:ng + nh]]), *rest)
