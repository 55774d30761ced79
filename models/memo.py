"""The transition cache: a goroutine's step computed once for the parts it reads.

A step of goroutine `gid` reads a few parts of the world (its own `G`, the
objects its instruction touches) and writes a few; every other goroutine and
object is copied from the parent.  Across a state space the same step with
the same parts read recurs in many states that differ only in parts it never
looks at (in the unreduced fan-out, each goroutine's `Lock` or `total += v`
is taken once for every combination of where the others stand).  LTSmin's
transition cache (its PINS layer, keyed on each transition group's
dependency-matrix short vector) exploits this; here the dependencies are
not declared but observed: the step runs on a world whose goroutine and
heap sequences are `Tracked` views that record every element read, in
order, before it is written.

The record is a path in a trie: the root is chosen by everything the step
may read without a record (the action, the number of goroutines and heap
objects, and the scalar rest of the world: timers, output, panic, end
flags, timer order, unsynchronized reads), each inner node names the next
element read (``(0, i)``: goroutine ``i + 1``; ``(1, j)``: heap object
``j``) and branches on its value, or on a function of it when the step
asked only that (`Tx.sites`: which goroutines stand at a Lock, which are
parked on a mutex, a scan that would otherwise make every Lock depend on
every goroutine), and a leaf holds what the step wrote: the
final value of each element written, the goroutines and objects appended,
and the new scalar rest.  The step function is deterministic, so the
element read next depends only on the values read before it: a later
lookup that finds the same values along the path is the same computation,
and its successor is the parent with the leaf's writes applied.  A step
that raises (a model limit) is not cached.

Soundness rests on every read of the parent's goroutines and objects being
recorded.  The views are not lists: a use they do not define (hashing,
concatenation, comparison) fails instead of reading unrecorded, and
iterating records every element.  Two checks run on every miss: an
element that differs from the parent's must have been written, and a
path's next read must be the one recorded before (else the step read
something unrecorded, or is not deterministic): either raises
`InternalError`.  A step the views cannot run (an exception other than a
model limit) is run by the plain step instead and not cached
(``StepMemo.fallbacks``; none on any spec).  The cache is emptied past
200,000 nodes, and gives up (``StepMemo.off``) when after 20,000 misses it
has had fewer hits than misses.  tests/test_memo.py compares the cached search with the
uncached one on every spec, state by state.  ``--no-memo`` (and
``GoModel.memo = False``) turns it off.
"""

from __future__ import annotations

from array import array
from typing import Any

from checker.model import BoundExceeded
from checker.store import CompactCodec
from models.state import World
from models.tx import InternalError

key_of = CompactCodec.key_of

__all__ = ["StepMemo", "Tracked"]


class _Record:
    """The elements a step read, in the order of their first read."""

    __slots__ = ("reads", "seen", "on")

    def __init__(self) -> None:
        #: ``(kind, index, projection, value)``: the value read, or ``projection(value)`` when
        #: only that was read (`Tracked.project`); projection None: the whole element
        self.reads: list[tuple[int, int, Any, Any]] = []
        #: ``(kind, index)`` read whole, ``(kind, index, projection)`` read through a projection
        self.seen: set[tuple[Any, ...]] = set()
        self.on = True


class Tracked:
    """A mutable copy of a goroutine or heap sequence that records reads of the parent's elements.

    Supports what the step function uses of a list: indexing (ints, negative ints, slices),
    assignment, `len`, iteration and `append`.  An element read before it is written is
    recorded once, with its value; `written` are the indices assigned (appends are past
    `base`)."""

    __slots__ = ("items", "kind", "rec", "written", "base")

    def __init__(self, parent: tuple[Any, ...], kind: int, rec: _Record):
        self.items = list(parent)
        self.kind = kind
        self.rec = rec
        self.written: set[int] = set()
        self.base = len(parent)

    def _read(self, i: int) -> None:
        if i < 0:
            i += len(self.items)
        if i < self.base and i not in self.written and self.rec.on:
            key = (self.kind, i)
            rec = self.rec
            if key not in rec.seen:
                rec.seen.add(key)
                rec.reads.append((self.kind, i, None, self.items[i]))

    def __getitem__(self, i: Any) -> Any:
        if type(i) is slice:
            for k in range(*i.indices(len(self.items))):
                self._read(k)
            return self.items[i]
        self._read(i)
        return self.items[i]

    def __setitem__(self, i: int, v: Any) -> None:
        if type(i) is not int:
            raise InternalError("the transition cache tracks single-element writes only")
        if i < 0:
            i += len(self.items)
        self.items[i] = v
        self.written.add(i)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Any:
        for k in range(len(self.items)):
            self._read(k)
        return iter(self.items)

    def append(self, v: Any) -> None:
        self.items.append(v)

    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        raise InternalError("the transition cache cannot record a comparison of a whole sequence")

    def project(self, fn: Any) -> list[tuple[int, Any]]:
        """``(i + 1, fn(x))`` for each element `x` at `i` where it is not None (`Tx.sites`),
        recording a read of ``fn(x)`` only."""
        rec, kind, items, written = self.rec, self.kind, self.items, self.written
        out = []
        for i, x in enumerate(items):
            y = fn(x)
            if i < self.base and i not in written and rec.on and (kind, i) not in rec.seen:
                key = (kind, i, fn)
                if key not in rec.seen:
                    rec.seen.add(key)
                    rec.reads.append((kind, i, fn, y))
            if y is not None:
                out.append((i + 1, y))
        return out


class _Leaf:
    """What a cached step writes: ``gs``/``heap`` are ``(index, value)`` pairs, ``new_gs`` and
    ``new_heap`` the appended elements, ``rest`` the successor's scalar fields."""

    __slots__ = ("gs", "heap", "new_gs", "new_heap", "rest", "blind", "packed")

    def __init__(self, gs: tuple[tuple[int, Any], ...], heap: tuple[tuple[int, Any], ...], new_gs: tuple[Any, ...],
                 new_heap: tuple[Any, ...], rest: tuple[Any, ...], blind: bool):
        self.gs, self.heap, self.new_gs, self.new_heap, self.rest = gs, heap, new_gs, new_heap, rest
        #: an element was written without being read (its old value is not on the path)
        self.blind = blind
        #: the writes as part numbers of the search's codec (`StepMemo.packed`); `_SLOW` when the
        #: model's successor is not the step's writes (garbage freed); None: not known yet
        self.packed: Any = None


#: a leaf whose successor has no packed form (`StepMemo.learn`)
_SLOW = ("slow",)


#: misses after which a cache with fewer hits than misses gives up (`StepMemo.off`)
GIVE_UP = 20_000


class StepMemo:
    """The cache of one interpreter's goroutine steps (`Interpreter.step` without its events).

    `successor(w, gid, choice)` is ``interp.step(w, gid, choice).world``; `hits` and `misses`
    count lookups.  Inner nodes are ``(kind, index, projection, {value: node}, place)`` tuples:
    the value is ``projection(element)``, or the element when projection is None; `packed` adds
    the part numbers it has met to the same dict (a value is never an int, `_insert` checks),
    and the place is the element's index in the compact table's numbers.  A root is keyed by
    ``(gid, choice, len(gs), len(heap), rest)``."""

    def __init__(self, interp: Any, limit: int = 200_000):
        self.interp = interp
        self.roots: dict[Any, Any] = {}
        self.hits = 0
        self.misses = 0
        #: steps the views could not run (a use of the goroutines or the heap they do not
        #: support): computed by the plain step, not cached
        self.fallbacks = 0
        #: the cache gave up: past `GIVE_UP` misses, fewer hits than misses (a program whose
        #: steps rarely recur pays the recording and the memory for nothing); every step is then
        #: the plain step
        self.off = False
        #: nodes kept at most (a bound on the cache's memory): past it the cache is emptied
        self.limit = limit
        self.nodes = 0
        #: the packed lookups (`packed`): the codec they number parts with, and the roots by part
        #: numbers (each node keeps ``{number: child}`` in its ``{value: child}``)
        self.codec: Any = None
        self.roots_num: dict[Any, Any] = {}
        #: the goroutines, objects and rests the leaves hold, one object per value: steps
        #: computed apart often write equal values (the parts a search keeps are shared too)
        self._canon: dict[Any, Any] = {}

    def successor(self, w: World, gid: int, choice: Any) -> World:
        if self.off:
            return self.interp.step(w, gid, choice).world
        root = (gid, choice, len(w.gs), len(w.heap), w.scalars())
        leaf = self._leaf(w, root)
        if leaf is not None:
            self.hits += 1
            return _apply(w, leaf)
        self.misses += 1
        if self.misses >= GIVE_UP and self.hits < self.misses:
            self.off = True
            self._empty()
            return self.interp.step(w, gid, choice).world
        return self._compute(w, gid, choice, root)

    def _leaf(self, w: World, root: Any) -> _Leaf | None:
        """The leaf of the step `root` names from state `w` (the walk by values), or None."""
        node = self.roots.get(root)
        while node is not None and type(node) is not _Leaf:
            kind, i, proj, children = node[:4]
            v = (w.heap if kind else w.gs)[i]
            node = children.get(v if proj is None else proj(v))
        return node

    def _empty(self) -> None:
        """Forget every step (the node bound, or giving up)."""
        self.roots.clear()
        self.roots_num.clear()
        self._canon.clear()
        self.nodes = 0

    def _compute(self, w: World, gid: int, choice: Any, root: Any) -> World:
        rec = _Record()
        tgs, theap = Tracked(w.gs, 0, rec), Tracked(w.heap, 1, rec)
        try:
            t = self.interp.step_tracked(w, gid, choice, tgs, theap)
        except BoundExceeded:
            raise
        except Exception:  # noqa: BLE001 - a use the views do not support: the plain step decides
            self.fallbacks += 1
            return self.interp.step(w, gid, choice).world
        for seq, parent, out in ((tgs, w.gs, t.gs), (theap, w.heap, t.heap)):
            if len(out) < len(parent):
                raise InternalError("transition cache: a step shortened the goroutines or the heap")
            for i in range(len(parent)):
                if out[i] is not parent[i] and i not in seq.written:
                    raise InternalError(f"transition cache: element {i} of {'the heap' if seq.kind else 'the goroutines'} "
                                        "changed without a recorded write")
        n, m = len(w.gs), len(w.heap)
        blind = any(i < n and (0, i) not in rec.seen for i in tgs.written) or \
            any(i < m and (1, i) not in rec.seen for i in theap.written)
        one = self._canon.setdefault  # one object per value across the leaves
        leaf = _Leaf(tuple((i, one(t.gs[i], t.gs[i])) for i in sorted(tgs.written) if i < n),
                     tuple((i, one(t.heap[i], t.heap[i])) for i in sorted(theap.written) if i < m),
                     tuple(one(g, g) for g in t.gs[n:]), tuple(one(o, o) for o in t.heap[m:]),
                     one(r := t.scalars(), r), blind)
        self._insert(root, rec.reads, leaf)
        return t

    def _insert(self, root: Any, reads: list[tuple[int, int, Any, Any]], leaf: _Leaf) -> None:
        if self.nodes >= self.limit:
            self._empty()
        if not reads:
            if root in self.roots:
                raise InternalError("transition cache: a step without reads computed twice")
            self.roots[root] = leaf
            self.nodes += 1
            return
        n = root[2]

        def fresh(kind: int, i: int, proj: Any) -> tuple[Any, ...]:
            # the element's place in the compact table's numbers: count, goroutines, heap, rest
            return (kind, i, proj, {}, 1 + i if kind == 0 else 1 + n + i)

        node = self.roots.get(root)
        if node is None:
            node = self.roots[root] = fresh(*reads[0][:3])
            self.nodes += 1
        for k, (kind, i, proj, value) in enumerate(reads):
            if type(value) is int or type(value) is bool:  # the keys `packed` adds are part numbers
                raise InternalError("transition cache: a value read is an int (it would pass for a part number)")
            if type(node) is _Leaf or node[0] != kind or node[1] != i or node[2] is not proj:
                raise InternalError("transition cache: a step read another element than the same step before "
                                    "with the same values (an unrecorded read, or a step that is not deterministic)")
            children = node[3]
            if k + 1 == len(reads):
                if value in children:
                    raise InternalError("transition cache: a cached step computed twice")
                children[value] = leaf
                self.nodes += 1
                return
            nxt = children.get(value)
            if nxt is None:
                nxt = children[value] = fresh(*reads[k + 1][:3])
                self.nodes += 1
            node = nxt


    # ---- the packed form: successors as part numbers of the search's compact table
    def packed(self, codec: Any, key: bytes, gid: int, choice: Any) -> bytes | None:
        """The key of the successor of the state packed as `key` by `codec`
        (`checker.store.CompactCodec`, parts as ``GoModel.state_parts`` cuts them) when
        `gid` steps, computed from the parent's part numbers: the walk compares numbers (each
        node remembers which numbers lead where) and the leaf's writes are numbers.  None when
        the walk or the leaf's numbers are not known yet (the caller computes the successor,
        then `learn`s it)."""
        if self.off:
            return None
        if codec is not self.codec:
            self._rebind(codec)
        nums = key if key[0] < 254 else codec.numbers(key)
        parts = codec.parts
        rk = (gid, choice, nums[0], len(nums), nums[-1])
        node: Any = self.roots_num.get(rk)
        if node is None:
            n = parts[nums[0]]
            node = self.roots.get((gid, choice, n, len(nums) - n - 2, parts[nums[-1]]))
            if node is None:
                return None
            self.roots_num[rk] = node
        while type(node) is not _Leaf:
            children = node[3]
            num = nums[node[4]]
            child = children.get(num)
            if child is None:
                obj = parts[num]
                proj = node[2]
                child = children.get(obj if proj is None else proj(obj))
                if child is None:
                    return None
                children[num] = child
            node = child
        pk = node.packed
        if pk is None or pk is _SLOW:
            return None
        self.hits += 1
        if pk[0]:  # a step that appends: the parts after the goroutines move
            return _apply_numbers(nums, parts[nums[0]], pk)
        if nums is key:  # one byte a number
            if pk[6] < 254:  # and so is the successor's
                b = bytearray(key)
                for p, x in zip(pk[1], pk[2]):
                    b[p] = x
                return bytes(b)
        elif key[0] == 254 and pk[6] < 65536:  # two bytes a number
            out = array("H", nums)
            for p, x in zip(pk[1], pk[2]):
                out[p] = x
            if max(out) >= 254:  # else the successor's numbers fit one byte each
                return b"\xfe" + out.tobytes()
        return _apply_numbers(nums, parts[nums[0]], pk)

    def _rebind(self, codec: Any) -> None:
        """Number parts with `codec` from now on: the numbers the nodes and leaves remember are
        another codec's, so they are forgotten."""
        self.codec = codec
        self.roots_num.clear()
        todo = list(self.roots.values())
        while todo:
            node = todo.pop()
            if type(node) is _Leaf:
                node.packed = None
            else:
                children = node[3]
                for k in [k for k in children if type(k) is int]:
                    del children[k]
                todo.extend(children.values())

    def learn(self, codec: Any, s: World, key: bytes, gid: int, choice: Any, t: World, tkey: bytes,
              collecting: bool) -> None:
        """Give the leaf of `gid`'s step from `s` (packed as `key`) its numbers, from `t` (packed as
        `tkey`), the model's successor (the step's world after the dead-data reset,
        `GoModel.next_state`): the goroutines the step wrote as `t` has them, and so on.  Where
        the model freed garbage (`collecting` and ``heapgc.may_free``), or could have for another
        parent (a blind write), the leaf keeps no numbers.  The numbers are checked against
        `tkey`."""
        if self.off:
            return
        leaf = self._leaf(s, (gid, choice, len(s.gs), len(s.heap), s.scalars()))
        if leaf is None:
            return
        if codec is not self.codec:
            self._rebind(codec)
        data: Any = _SLOW
        if not collecting or not leaf.blind:
            from models import heapgc
            if not collecting or not heapgc.may_free(s, _apply(s, leaf)):
                n, m = len(s.gs), len(s.heap)
                num = codec.number
                gw = [num(t.gs[i]) for i, _ in leaf.gs]
                hw = [num(t.heap[j]) for j, _ in leaf.heap]
                gnew, hnew = tuple(num(g) for g in t.gs[n:]), tuple(num(o) for o in t.heap[m:])
                places = array("i", [1 + i for i, _ in leaf.gs] + [1 + n + j for j, _ in leaf.heap] + [-1])
                numbers = array("I", gw + hw + [num(t.scalars())])
                data = (bool(gnew or hnew), places, numbers, num(len(t.gs)), gnew, hnew, max(numbers))
                if _apply_numbers(codec.numbers(key), n, data) != tkey:
                    raise InternalError("transition cache: a step's numbers do not give its successor")
                # the leaf's objects are equal to parts the codec keeps: keep those instead (where
                # the successor has the leaf's own object, not a cleared copy of it)
                parts = codec.parts
                leaf.gs = tuple((i, parts[x] if t.gs[i] is g else g) for (i, g), x in zip(leaf.gs, gw))
                leaf.heap = tuple((j, parts[x] if t.heap[j] is o else o) for (j, o), x in zip(leaf.heap, hw))
                leaf.new_gs = tuple(parts[x] if t.gs[n + k] is g else g for k, (g, x) in enumerate(zip(leaf.new_gs, gnew)))
                leaf.new_heap = tuple(parts[x] if t.heap[m + k] is o else o
                                      for k, (o, x) in enumerate(zip(leaf.new_heap, hnew)))
        leaf.packed = data


def _apply_numbers(nums: Any, n: int, data: Any) -> bytes:
    """The key of the parent numbered `nums` (`n` goroutines) with a leaf's numbered writes:
    ``(whether it appends, the places written, their numbers, the new count's number, the
    goroutines appended, the objects appended, the largest number written)`` (places and
    numbers: arrays, 4 bytes each)."""
    appends, places, numbers, count, gnew, hnew, _ = data
    out = list(nums)
    for p, x in zip(places, numbers):
        out[p] = x
    if appends:
        out = [count, *out[1:1 + n], *gnew, *out[1 + n:-1], *hnew, out[-1]]
    return key_of(out)


def _written(seq: tuple[Any, ...], writes: tuple[tuple[int, Any], ...], new: tuple[Any, ...]) -> tuple[Any, ...]:
    """`seq` with `writes` (index, value) and `new` appended."""
    if not writes and not new:
        return seq
    out = list(seq)
    for i, x in writes:
        out[i] = x
    return tuple(out) + new


def _apply(w: World, leaf: _Leaf) -> World:
    return World(_written(w.gs, leaf.gs, leaf.new_gs), _written(w.heap, leaf.heap, leaf.new_heap), *leaf.rest)
