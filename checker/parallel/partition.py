"""One partition of the state table: the states whose fingerprint it owns.

A `Partition` knows nothing of processes or Ray: the local backend
(`checker.parallel.local`) runs one per worker process, the Ray backend
(`checker.parallel.ray_backend`) one per actor, and the coordinator
(`checker.parallel.driver`) drives them round by round:

1. ``expand(batch, ...)``: expand up to `batch` states of the current BFS
   level.  A successor this partition owns is looked up (and stored) at
   once; any other goes into the outbox of its owner, with its parent's
   local index and the action index (once per round per state, however
   many edges lead to it).
2. ``receive(boxes)``: look up / store what the other partitions sent.
   New states are stored at depth ``level + 1``, the next level's frontier.
   When the state graph is kept (liveness), the reply says, for every state
   received, its local index here, so the sender can fill in its edge.
3. ``resolve(replies)``: fill in those edge targets.

A state is a *global id* ``local * n + owner`` wherever it is referred to
from another partition (parents, edge targets).  The level only advances
when every partition has expanded its whole current level (the
coordinator's decision), so states are found level by level, exactly as
in a FIFO breadth-first search, and every counterexample is a shortest one.

Safety properties are checked as in `checker.explore`: ``always`` and
``sometimes`` on every new state, ``deadlock`` on a state without actions.
A partition reports the first state that decides a property; the
coordinator keeps the first report and tells every partition to stop
checking it.
"""

from __future__ import annotations

import gc
import os
import resource
import time
import zlib
from array import array
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from checker.model import BoundExceeded, Condition, Property, evaluate, hook
from checker.parallel.codec import codec_of, owner

__all__ = ["Partition", "ModelFactory", "select_properties", "rss_mb"]

#: A zero-argument callable building the model.  It must be picklable
#: (a module-level function, a `functools.partial` of one): every worker
#: builds its own model, because models may hold lambdas.
ModelFactory = Callable[[], Any]

#: An outbox: (encoded states, codes).  A code is ``parent << 32 | action``:
#: the sender's local index of the state's parent and the action's index
#: (one array instead of two, filled from one dict; a partition holds fewer
#: than 2**32 states, an action list is shorter than 2**32).
Outbox = tuple[list[bytes], array]

_ACTION = 0xFFFFFFFF

#: A young-generation collection every this many expanded states (see `Partition.expand`).
_YOUNG_EVERY = 1024


def select_properties(model: Any, names: Sequence[str] | None) -> list[Property]:
    """The model's properties named in `names` (all of them if None), in that order."""
    props = list(model.properties())
    if names is None:
        return props
    by_name = {p.name: p for p in props}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise ValueError(f"the model has no property {missing[0]!r}; it has: {', '.join(by_name)}")
    return [by_name[n] for n in names]


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_mb() -> float:
    """Current resident memory of this process in MiB (Linux /proc; else the peak)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class Partition:
    """The states owned by partition `me` of `n`, and its share of the work."""

    def __init__(self, factory: ModelFactory, me: int, n: int, names: Sequence[str] | None = None, *,
                 max_depth: int = 1_000_000, need_graph: bool = False,
                 memory_limit_mb: float | None = None):
        self.model = factory()
        self.me, self.n = me, n
        props = select_properties(self.model, names)
        self.always: list[tuple[str, Condition]] = [(p.name, p.cond) for p in props if p.kind == "always" and p.cond is not None]
        self.sometimes: list[tuple[str, Condition]] = [(p.name, p.cond) for p in props if p.kind == "sometimes" and p.cond is not None]
        self.deadlock: list[tuple[str, Condition]] = [(p.name, p.cond) for p in props if p.kind == "deadlock" and p.cond is not None]
        self.max_depth = max_depth
        self.need_graph = need_graph
        self.memory_limit_mb = memory_limit_mb
        #: state <-> canonical bytes: the model's `state_codec` hook, else the pickle (`checker.parallel.codec`)
        self.encode, self.decode = codec_of(self.model)
        self.fairness = hook(self.model, "fairness")
        #: the model's partition key (state -> int), or None: the owner is then the CRC of the bytes
        self.key: Callable[[Any], int] | None = getattr(self.model, "partition_key", None)

        self.keys: list[bytes] = []
        self.index: dict[bytes, int] = {}
        self.parent = array("q")
        self.taken = array("l")
        self.depth = array("l")
        self.estart, self.ecount = array("q"), array("l")
        self.etarget, self.eaction, self.egroup = array("q"), array("l"), array("l")
        self.enabled: list[int] = []
        self.group_ids: dict[Hashable, int] = {}
        self.groups: list[Hashable] = []
        #: per owner: (edge position, outbox slot) of the edges waiting for the owner's reply
        self.pending: list[tuple[array, array]] = [(array("q"), array("q")) for _ in range(n)]

        self.level = -1  # the level being expanded; the initial states wait in `next`
        #: the frontier: the level being expanded (states, and their local indices
        #: in `cur_ids`) and the next level; two flat sequences rather than a list
        #: of (index, state) pairs, one object fewer per state for the collector
        self.cur: list[Any] = []
        self.cur_ids = array("q")
        self.pos = 0
        self.next: list[Any] = []
        self.next_ids = array("q")
        self.transitions = 0
        self.key_bytes = 0
        self.sent = 0
        self.max_seen_depth = 0
        self.found: list[tuple[str, str, int]] = []
        self.stop = ""  # why this partition cannot go on (the search must end)
        self.cut = ""  # why the search, going on, will not be complete (max_depth)
        self._counted = 0  # transitions of the expansion in progress (for a bound hit midway)
        self.busy = 0.0
        self.cpu0 = time.process_time()
        self.base_mb = rss_mb()
        self.peak_mb = self.base_mb

    # ------------------------------------------------------------------ storing

    def _insert(self, data: bytes, state: Any, parent: int, act: int, depth: int) -> int:
        """Store a new state; -1 when it lies beyond `max_depth` (then it is not stored)."""
        if depth > self.max_depth:
            self.cut = f"max_depth {self.max_depth} reached"
            return -1
        i = len(self.keys)
        self.keys.append(data)
        self.key_bytes += len(data)
        self.index[data] = i
        self.parent.append(parent)
        self.taken.append(act)
        self.depth.append(depth)
        if depth > self.max_seen_depth:
            self.max_seen_depth = depth
        if self.need_graph:
            self.estart.append(-1)
            self.ecount.append(0)
            self.enabled.append(0)
        if self.always:
            for name, cond in list(self.always):
                reason = evaluate(cond, state)
                if reason is not None:
                    self.found.append((name, reason, i))
                    self.always.remove((name, cond))
        if self.sometimes:
            for name, cond in list(self.sometimes):
                if evaluate(cond, state) is None:
                    self.found.append((name, "", i))
                    self.sometimes.remove((name, cond))
        self.next.append(state)
        self.next_ids.append(i)
        return i

    def _end(self, state: Any, i: int) -> None:
        """State `i` has no action: a proper end, or a deadlock?"""
        for name, cond in list(self.deadlock):
            reason = evaluate(cond, state)
            if reason is not None:
                self.found.append((name, reason or "no action is enabled", i))
                self.deadlock.remove((name, cond))

    def _forget(self, decided: Sequence[str]) -> None:
        """Stop checking properties another partition decided."""
        if decided:
            gone = set(decided)
            self.always = [p for p in self.always if p[0] not in gone]
            self.sometimes = [p for p in self.sometimes if p[0] not in gone]
            self.deadlock = [p for p in self.deadlock if p[0] not in gone]

    def owner(self, data: bytes, state: Any) -> int:
        """The partition that owns `state` (encoded as `data`): see `checker.parallel.codec.owner`."""
        return owner(data, self.n, state, self.key)

    # ------------------------------------------------------------------ the protocol

    def init(self) -> dict[str, Any]:
        """Store the initial states this partition owns (depth 0)."""
        t0 = time.perf_counter()
        encode, me = self.encode, self.me
        for k, s in enumerate(self.model.init_states()):
            data = encode(s)
            if self.key is not None and not isinstance(self.key(s), int):
                raise TypeError(f"{type(self.model).__name__}.partition_key must return an int, "
                                f"not {type(self.key(s)).__name__}")
            if self.owner(data, s) == me and data not in self.index:
                self._insert(data, s, -1, k, 0)
        self.busy += time.perf_counter() - t0
        return self.status()

    def expand(self, batch: int, advance: bool, decided: Sequence[str]) -> list[Outbox | None]:
        """Expand up to `batch` states of the current level (after moving to
        the next level when `advance`); return one outbox per partition.

        Every successor is encoded (its bytes are its key).  A successor
        already in this partition's table is owned here (the table holds
        only states it owns), so its owner is not computed: with a
        locality-preserving `partition_key` most successors are found this
        way.  Otherwise the owner is the model's ``partition_key(state) % n``
        or the CRC of the bytes (`checker.parallel.codec.owner`).  Only a
        new state of this partition's own is stored with its decoded value; a successor owned elsewhere goes into the
        owner's outbox as bytes, once per round however many edges lead to
        it (a dict keyed on the bytes, whose first value, the first parent
        and action, is kept: the order the single-process BFS finds them).

        Why young collections are forced here: CPython counts tracked
        allocations *net of deallocations* and starts a young collection when
        the count passes 700.  Expanding frees one frontier state for every
        state it stores, so with 2 or more partitions (where about half of
        the new states arrive through `receive` instead) the count stays
        near zero through a whole batch, and the first collection in
        `receive` then walks every state stored during the batch (70,000
        objects, by then out of the caches: 0.6 µs each, against 0.05 µs
        for a young generation still in cache).  That was 0.5 s of the 8 s
        a partition spent on PhilFlat(10) with 2 workers; collecting every
        `_YOUNG_EVERY` states keeps each walk small and warm."""
        t0 = time.perf_counter()
        if advance:
            self.cur, self.next, self.pos = self.next, [], 0
            self.cur_ids, self.next_ids = self.next_ids, array("q")
            self.level += 1
        self._forget(decided)
        end = min(len(self.cur), self.pos + batch)
        transitions = 0
        outs: list[dict[bytes, int]] = [{} for _ in range(self.n)]
        try:
            if self.need_graph:
                transitions = self._expand_graph(end, outs)
            else:
                transitions = self._expand(end, outs)
        except BoundExceeded as e:
            self.stop = f"the model hit a bound: {e}"
            transitions = self._counted
        finally:
            self.transitions += transitions
            self.busy += time.perf_counter() - t0
        boxes: list[Outbox | None] = []
        for o, box in enumerate(outs):
            if o == self.me:
                boxes.append(None)
            else:
                self.sent += len(box)
                boxes.append((list(box), array("Q", box.values())))
        return boxes

    def _expand(self, end: int, outs: list[dict[bytes, int]]) -> int:
        """`expand` without the state graph (safety properties only): the hot loop."""
        n, me = self.n, self.me
        cur, ids = self.cur, self.cur_ids
        d = self.level + 1
        actions_of, step, encode = self.model.actions, self.model.next_state, self.encode
        index = self.index
        insert = self._insert
        crc32 = zlib.crc32
        key = self.key
        add = [box.setdefault for box in outs]
        young = gc.collect if gc.isenabled() else None
        transitions = k = 0
        try:
            for pos in range(self.pos, end):
                s = cur[pos]
                cur[pos] = None  # the expanded state lives on as bytes only
                i = ids[pos]
                self.pos = pos + 1
                if young is not None and not pos & (_YOUNG_EVERY - 1):
                    young(0)
                k = 0
                acts = actions_of(s)
                if not acts:
                    self._end(s, i)
                    continue
                gid = i * n + me
                if n == 1:
                    for k, a in enumerate(acts):
                        t = step(s, a)
                        data = encode(t)
                        if data not in index:
                            insert(data, t, gid, k, d)
                elif key is not None:
                    code = i << 32
                    for k, a in enumerate(acts):
                        t = step(s, a)
                        data = encode(t)
                        if data in index:
                            continue  # stored here, so owned here: no owner to compute
                        o = key(t) % n
                        if o == me:
                            insert(data, t, gid, k, d)
                        else:
                            add[o](data, code | k)
                else:
                    code = i << 32
                    for k, a in enumerate(acts):
                        t = step(s, a)
                        data = encode(t)
                        if data in index:
                            continue
                        o = crc32(data) % n
                        if o == me:
                            insert(data, t, gid, k, d)
                        else:
                            add[o](data, code | k)
                transitions += len(acts)
        except BoundExceeded:
            self._counted = transitions + k  # the k successors computed before the bound
            raise
        return transitions

    def _expand_graph(self, end: int, outs: list[dict[bytes, int]]) -> int:
        """`expand` keeping every edge (for liveness): targets owned elsewhere
        wait in `pending` for the owner's reply (`resolve`)."""
        n, me = self.n, self.me
        cur, ids = self.cur, self.cur_ids
        d = self.level + 1
        actions_of, step, encode = self.model.actions, self.model.next_state, self.encode
        index_get = self.index.get
        insert = self._insert
        key = self.key
        fairness = self.fairness
        etarget, eaction, egroup = self.etarget, self.eaction, self.egroup
        for edges, slots in self.pending:
            del edges[:]
            del slots[:]
        slot_of: list[dict[bytes, int]] = [{} for _ in range(n)]  # outbox position of each state sent
        self._counted = transitions = 0
        for pos in range(self.pos, end):
            s = cur[pos]
            cur[pos] = None
            i = ids[pos]
            self.pos = pos + 1
            acts = actions_of(s)
            self.estart[i] = len(etarget)
            self.ecount[i] = len(acts)
            mask = 0
            if not acts:
                self._end(s, i)
            for k, a in enumerate(acts):
                t = step(s, a)
                transitions += 1
                self._counted = transitions
                data = encode(t)
                j = index_get(data)  # stored here: owned here, no owner to compute
                o = me if j is not None else owner(data, n, t, key)
                if o == me:
                    if j is None:
                        j = insert(data, t, i * n + me, k, d)
                    etarget.append(j * n + me if j >= 0 else -1)
                else:
                    box = outs[o]
                    slot = slot_of[o].get(data)
                    if slot is None:
                        slot = slot_of[o][data] = len(box)
                        box[data] = i << 32 | k
                    edges, eslots = self.pending[o]
                    edges.append(len(etarget))
                    eslots.append(slot)
                    etarget.append(-1)
                g = fairness(s, a)
                gid = -1
                if g is not None:
                    gid = self.group_ids.get(g, -1)
                    if gid < 0:
                        gid = self.group_ids[g] = len(self.groups)
                        self.groups.append(g)
                    mask |= 1 << gid
                eaction.append(k)
                egroup.append(gid)
            self.enabled[i] = mask
        return transitions

    def receive(self, boxes: Sequence[Outbox | None]) -> tuple[list[array | None], dict[str, Any]]:
        """Store what the others sent; reply with local indices when the graph is kept.

        A received state is looked up by its bytes, and decoded only when it is
        new here (most are not: at 2 partitions about 2 in 3 are duplicates)."""
        t0 = time.perf_counter()
        n = self.n
        d = self.level + 1
        index = self.index
        insert = self._insert
        decode = self.decode
        replies: list[array | None] = [None] * n
        for src, box in enumerate(boxes):
            if box is None:
                continue
            states, codes = box
            if self.need_graph:
                rep = array("q")
                index_get = index.get
                for data, c in zip(states, codes):
                    j = index_get(data)
                    if j is None:
                        j = insert(data, decode(data), (c >> 32) * n + src, c & _ACTION, d)
                    rep.append(j)
                replies[src] = rep
            else:
                for data, c in zip(states, codes):
                    if data not in index:
                        insert(data, decode(data), (c >> 32) * n + src, c & _ACTION, d)
        self.busy += time.perf_counter() - t0
        return replies, self.status()

    def resolve(self, replies: Sequence[array | None]) -> None:
        """Fill in the targets of the edges that went to other partitions."""
        etarget, n = self.etarget, self.n
        for o, rep in enumerate(replies):
            if rep is None:
                continue
            edges, slots = self.pending[o]
            for pos, slot in zip(edges, slots):
                j = rep[slot]
                etarget[pos] = j * n + o if j >= 0 else -1

    def table_mb(self) -> float:
        """What the table holds, counted (not measured): each key's bytes object
        (33 bytes of header), its dict entry (~50 bytes at the dict's load), its
        list slot, and the parent/action/depth and graph arrays.  Unlike the
        resident size, this does not depend on what the allocator had free."""
        n = len(self.keys)
        arrays = (self.parent, self.taken, self.depth, self.estart, self.ecount, self.etarget, self.eaction,
                  self.egroup)
        total = self.key_bytes + n * (33 + 50 + 8) + sum(len(a) * a.itemsize for a in arrays)
        return (total + 36 * len(self.enabled)) / 2**20

    def status(self) -> dict[str, Any]:
        now = rss_mb()
        if now > self.peak_mb:
            self.peak_mb = now
        grown = now - self.base_mb
        table = self.table_mb()
        stop = self.stop
        used = max(grown, table)
        if self.memory_limit_mb is not None and used > self.memory_limit_mb and not stop:
            stop = (f"partition {self.me} exceeded its memory limit of {self.memory_limit_mb:g} MB "
                    f"({used:.0f} MB in use)")
        found, self.found = self.found, []
        return {"states": len(self.keys), "transitions": self.transitions, "left": len(self.cur) - self.pos,
                "next": len(self.next), "depth": self.max_seen_depth, "found": found, "stop": stop, "cut": self.cut,
                "sent": self.sent, "table_mb": table, "busy": self.busy, "cpu": time.process_time() - self.cpu0, "rss_mb": now, "peak_mb": self.peak_mb,
                "grown_mb": grown}

    def lineage(self, local: int) -> tuple[int, int]:
        """(parent's global id or -1, action index) of state `local`."""
        return self.parent[local], self.taken[local]

    def export(self) -> dict[str, Any]:
        """Everything the coordinator needs to rebuild the whole state graph."""
        return {"keys": self.keys, "parent": self.parent, "taken": self.taken, "depth": self.depth,
                "estart": self.estart, "ecount": self.ecount, "target": self.etarget,
                "action": self.eaction, "group": self.egroup, "enabled": self.enabled, "groups": self.groups}
