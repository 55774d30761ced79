"""Freeing unreachable heap objects: garbage is not part of a state.

Go's collector frees an object that no goroutine can reach; the program
cannot observe when, or whether, it happened (GC-1: only reachability
decides).  The model's heap is a tuple indexed by object id, and without a
collector every allocation in a loop makes a new, larger state: a loop
that allocates per iteration (``var del []*T; del = append(del, x)``, a
``&T{}`` per request) never reaches a state it has seen, so a program that
terminates in Go has an unbounded state space here.  `collect` frees them.

What it does, after every step that may have left an object unreachable
(`may_free`: it allocated, or some goroutine, heap object or the timers
lost a reference; so every state stored is free of garbage, and whether
an object is collected never depends on the path that reached a state):

- the *roots* are the package-level variables (`Interpreter.global_obj`),
  every goroutine's frames (slots and deferred calls), every wait reason
  and every pending timer;
- from the roots it follows every value that can hold an object id:
  ``Ref``, ``Slice`` (its backing array), ``Closure`` captures, ``Iface``
  values, tuples; inside objects: struct fields and array elements
  (`Data`), channel buffers, map keys and values, a context's parent,
  Done channel, children and value, a Cond's locker;
- the objects nobody reaches are dropped and the others renumbered in
  their order (every id in the state rewritten), so a loop that allocates
  and drops an object per iteration comes back to the same state, and two
  paths that free an object before or after a later allocation agree on
  the later object's id.

Where an id may hide in a plain int (a wait reason such as ``("chan
receive", 7)``, a timer ``("after", 7)``, an object kind this module does
not know), every int in range is taken for an id when deciding what is
live: keeping an object alive is always safe.  Renumbering needs to know
exactly where ids are; a wait reason, value or object kind it does not
know is an internal error (exit 4), never a silently wrong state.

Collection is part of the dead-data reset (`GoModel.dead_slots`, switched
off with ``--no-dead-reset``); the G-M-P model and the collector's own
product model (`models.gc.gomode`, which colours objects by id) keep
every object.
"""

from __future__ import annotations

from dataclasses import replace
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

__all__ = ["live_objects", "collect", "may_free", "object_ids", "g_ids"]

_PLAIN = (int, str, float, bool, type(None))
_NO_REFS = (Mutex, RWMutex, WaitGroup, Once, Pipe)


def _ints_as_ids(x: Any, n: int, ids: list[int], vals: list[Any]) -> None:
    """Conservative: every int in `x` (a wait reason, a timer, an unknown object) may be an id."""
    todo = [x]
    while todo:
        v = todo.pop()
        if type(v) is int:
            if 0 <= v < n:
                ids.append(v)
        elif isinstance(v, tuple):
            todo.extend(v)
        elif isinstance(v, (ir.Ref, ir.Slice, ir.Closure, ir.Iface, ir.WrappedError)):
            vals.append(v)
        elif not isinstance(v, _PLAIN):
            fields = getattr(v, "__slots__", None) or getattr(v, "__dict__", {})
            todo.extend(getattr(v, f, None) for f in fields)


def _value_ids(vals: list[Any], n: int, ids: list[int]) -> None:
    """Append to `ids` the object ids the values `vals` hold (consumes `vals`)."""
    while vals:
        v = vals.pop()
        tv = type(v)
        if tv is ir.Ref or tv is ir.Slice:
            o = v.obj
            if 0 <= o < n:
                ids.append(o)
        elif tv is tuple:
            vals.extend(v)
        elif tv is ir.Closure:
            vals.extend(v.captures)
        elif tv is ir.Iface:
            vals.append(v.value)
        elif tv is ir.WrappedError:  # an Errorf %w error: the error it wraps may hold objects
            vals.append(v.wrapped)
        elif not isinstance(v, _PLAIN):
            _ints_as_ids(v, n, ids, vals)


def object_ids(x: Any, n: int) -> list[int]:
    """The ids heap object `x` refers to directly."""
    ids: list[int] = []
    vals: list[Any] = []
    tx = type(x)
    if tx is Data:
        vals.extend(v for _, v in x.fields)
    elif tx is Chan:
        vals.extend(x.buf)
    elif tx is MapObj:
        vals.extend(x.entries)
    elif tx is Context:
        if x.parent is not None:
            ids.append(x.parent)
        if 0 <= x.done < n:
            ids.append(x.done)
        ids.extend(x.children)
        vals.extend(x.kv)
    elif tx is Cond:
        vals.append(x.locker)
    elif x is None or tx in _NO_REFS:
        return ids
    else:
        _ints_as_ids(tuple(getattr(x, f, None) for f in getattr(x, "__slots__", ())), n, ids, vals)
    _value_ids(vals, n, ids)
    return ids


def g_ids(g: Any, n: int) -> list[int]:
    """The ids goroutine `g` refers to directly: its frames' slots and deferred calls, its wait
    (those below `n`, the heap's length)."""
    return [o for o in _cached_g_ids(g) if o < n]


#: Any id: what the caches below hold is filtered against the heap's length when used.
_ANY = 1 << 62
#: Direct ids of goroutines and of `Data`/`Chan` objects (their hashes are cached, and a state
#: shares most of them with its parent): a collection then costs a dict lookup per unchanged part.
_G_IDS: dict[Any, tuple[int, ...]] = {}
_OBJ_IDS: dict[Any, tuple[int, ...]] = {}
_CACHE_MAX = 200_000


_FRAME_IDS: dict[Any, tuple[int, ...]] = {}


def _cached_frame_ids(fr: Any) -> tuple[int, ...]:
    got = _FRAME_IDS.get(fr)
    if got is None:
        if len(_FRAME_IDS) > _CACHE_MAX:
            _FRAME_IDS.clear()
        ids: list[int] = []
        _value_ids([fr.slots, fr.defers], _ANY, ids)
        got = _FRAME_IDS[fr] = tuple(ids)
    return got


def _cached_g_ids(g: Any) -> tuple[int, ...]:
    """The ids goroutine `g` refers to, of any size (`g_ids` filters them against a heap), cached
    per goroutine and, below it, per frame (a step changes the top frame of one goroutine: the
    frames under it hit the cache)."""
    got = _G_IDS.get(g)
    if got is None:
        if len(_G_IDS) > _CACHE_MAX:
            _G_IDS.clear()
        ids: list[int] = []
        for fr in g.frames:
            ids.extend(_cached_frame_ids(fr))
        if g.wait:
            vals: list[Any] = []
            _ints_as_ids(g.wait, _ANY, ids, vals)
            _value_ids(vals, _ANY, ids)
        got = _G_IDS[g] = tuple(ids)
    return got


def _cached_object_ids(x: Any) -> tuple[int, ...]:
    got = _OBJ_IDS.get(x)
    if got is None:
        if len(_OBJ_IDS) > _CACHE_MAX:
            _OBJ_IDS.clear()
        got = _OBJ_IDS[x] = tuple(object_ids(x, _ANY))
    return got


def _ids_of(x: Any) -> tuple[int, ...] | list[int]:
    """The ids object `x` refers to (ids out of the heap's range included: callers compare two
    such lists, or filter them against the heap)."""
    tx = type(x)
    if tx is Data or tx is Chan:
        return _cached_object_ids(x)
    if x is None or tx in _NO_REFS:
        return ()
    return object_ids(x, _ANY)


def live_objects(global_ids: Any, gs: Any, heap: Any, timers: Any, tinfo: Any = ()) -> set[int]:
    """The ids of every object reachable from the roots (see the module docstring)."""
    n = len(heap)
    ids: list[int] = list(global_ids)
    for g in gs:
        if g.frames or g.wait:
            ids.extend(_cached_g_ids(g))
    vals: list[Any] = []
    for tm in timers:
        _ints_as_ids(tm, n, ids, vals)
    _ints_as_ids(tinfo, n, ids, vals)
    _value_ids(vals, n, ids)
    live: set[int] = set()
    while ids:
        o = ids.pop()
        if o in live or o >= n:
            continue
        live.add(o)
        ids.extend(_ids_of(heap[o]))
    return live


def may_free(s: Any, t: Any) -> bool:
    """Can the step from garbage-free state `s` to `t` have left an object unreachable?

    No, when it allocated nothing and every part of `s` that the step
    replaced (a goroutine, a heap object, the timers) refers in `t` to at
    least the objects it referred to in `s`: then every reference of `s`
    is still there in `t`, and so is every path from a root."""
    sh, th = s.heap, t.heap
    if len(sh) != len(th):
        return True
    for x, y in zip(sh, th):
        if x is not y and (x is None or not set(_ids_of(x)).issubset(_ids_of(y))):
            return True
    for g0, g1 in zip(s.gs, t.gs):
        if g0 is not g1 and (g0.frames is not g1.frames or g0.wait != g1.wait):
            ids0 = _cached_g_ids(g0)
            if ids0 and not set(ids0).issubset(_cached_g_ids(g1)):
                return True
    n = len(th)
    if s.timers != t.timers or s.tinfo != t.tinfo:
        a: list[int] = []
        b: list[int] = []
        _ints_as_ids((s.timers, s.tinfo), n, a, [])
        _ints_as_ids((t.timers, t.tinfo), n, b, [])
        if not set(a) <= set(b):
            return True
    return False


def _remap_value(v: Any, new: dict[int, int]) -> Any:
    tv = type(v)
    if tv is ir.Ref:
        return ir.Ref(new[v.obj], v.field) if v.obj in new else v
    if tv is ir.Slice:
        return ir.Slice(new[v.obj], v.off, v.len, v.cap) if v.obj in new else v
    if tv is tuple:
        return tuple(_remap_value(x, new) for x in v)
    if tv is ir.Closure:
        return ir.Closure(v.func, tuple(_remap_value(x, new) for x in v.captures))
    if tv is ir.Iface:
        return ir.Iface(v.type, _remap_value(v.value, new))
    if tv is ir.WrappedError:
        return ir.WrappedError(str.__str__(v), _remap_value(v.wrapped, new))
    if isinstance(v, _PLAIN):
        return v
    raise TypeError(f"models.heapgc: cannot renumber the objects inside a {tv.__name__}")


def _remap_object(x: Any, new: dict[int, int]) -> Any:
    tx = type(x)
    if tx is Data:
        return Data(tuple((k, _remap_value(v, new)) for k, v in x.fields), x.type)
    if tx is Chan:
        return replace(x, buf=_remap_value(x.buf, new)) if x.buf else x
    if tx is MapObj:  # renumbering keeps the order of ids, hence of Ref keys (ir.key_order)
        return MapObj(_remap_value(x.entries, new), x.writer)
    if tx is Context:
        return replace(x, parent=None if x.parent is None else new.get(x.parent, x.parent),
                       done=new.get(x.done, x.done), children=tuple(new.get(c, c) for c in x.children),
                       kv=_remap_value(x.kv, new))
    if tx is Cond:
        return replace(x, locker=_remap_value(x.locker, new))
    if tx in _NO_REFS:
        return x
    raise TypeError(f"models.heapgc: cannot renumber the objects inside a {tx.__name__}")


#: Wait reasons whose second item is an object id (models/chan.py, sync.py, pipe.py); a
#: ``select`` wait holds a tuple of channel ids; the others (sleep, syscall, nil channels) none.
_ID_WAITS = frozenset({"chan receive", "chan send", "sync.Cond.Wait", "sync.Mutex.Lock", "sync.Once.Do",
                       "sync.RWMutex.Lock (waiting for readers)", "sync.RWMutex.Lock", "sync.RWMutex.RLock",
                       "sync.WaitGroup.Wait", "IO wait", "wg woken", "wg release"})
_NO_ID_WAITS = frozenset({"chan receive (nil chan)", "chan send (nil chan)", "select (no cases)", "sleep",
                          "syscall", "panic", "crash"})


def _remap_wait(w: tuple[Any, ...], new: dict[int, int]) -> tuple[Any, ...]:
    if not w or w[0] in _NO_ID_WAITS:
        return w
    if w[0] in _ID_WAITS:
        return (w[0], new.get(w[1], w[1])) + tuple(w[2:])
    if w[0] == "select":
        return (w[0], tuple(new.get(c, c) for c in w[1])) + tuple(w[2:])
    raise TypeError(f"models.heapgc: unknown wait reason {w[0]!r}: cannot renumber its objects")


def _remap_timer(tm: tuple[Any, ...], new: dict[int, int]) -> tuple[Any, ...]:
    if tm[0] == "sleep":  # ("sleep", gid)
        return tm
    return (tm[0], new.get(tm[1], tm[1])) + tuple(tm[2:])


def collect(global_ids: Any, w: World) -> World:
    """`w` without the objects nothing reaches, the others renumbered in their order
    (so ids stay in allocation order, and whether an object was freed before or after a
    later allocation does not change the later object's id)."""
    heap = w.heap
    live = live_objects(global_ids, w.gs, heap, w.timers, w.tinfo)
    if len(live) == len(heap):
        return w
    order = sorted(live)
    if not order or order[-1] == len(order) - 1:  # only a tail of garbage: nothing moves
        return World(w.gs, heap[:len(order)], w.timers, w.output, w.panic, w.main_done, w.ended, w.failed,
                     w.tinfo, _remap_unsynced(w.unsynced, live, {}))
    new = {o: i for i, o in enumerate(order) if o != i}
    gs = tuple(g if not (g_ids(g, len(heap)) or g.wait) else _remap_g(g, new) for g in w.gs)
    return World(gs, tuple(_remap_object(heap[o], new) for o in order),
                 tuple(sorted(_remap_timer(tm, new) for tm in w.timers)), w.output, w.panic, w.main_done,
                 w.ended, w.failed, tuple(sorted(_remap_tinfo(e, new) for e in w.tinfo)),
                 _remap_unsynced(w.unsynced, live, new))


def _remap_unsynced(uns: tuple[Any, ...], live: Any, new: dict[int, int]) -> tuple[Any, ...]:
    """`World.unsynced` renumbered; a record of a channel nobody reaches goes (no one can close it)."""
    return tuple((new.get(c, c), r, wk, ins) for c, r, wk, ins in uns if c in live) if uns else uns


def _remap_tinfo(e: tuple[Any, ...], new: dict[int, int]) -> tuple[Any, ...]:
    """A `models.timeorder` entry ``(kind, id, key, creator, blockers)``: the timer and its
    blockers are timers (`_remap_timer`); `creator` is a goroutine id."""
    kind, obj, key, creator, blockers = e
    return (*_remap_timer((kind, obj), new), key, creator, tuple(sorted(_remap_timer(b, new) for b in blockers)))


def _remap_g(g: G, new: dict[int, int]) -> G:
    frames = tuple(Frame(fr.func, fr.pc, _remap_value(fr.slots, new), _remap_value(fr.defers, new))
                   for fr in g.frames)
    return g.moved(frames, g.status, _remap_wait(g.wait, new))
