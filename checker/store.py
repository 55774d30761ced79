"""State stores for the search: the exact table, its compact form, a fingerprint store.

`explore` keeps a *state table* that maps each state to its dense index.
The exact one is a dict (the states themselves are the keys, so nothing is
ever confused).  The fingerprint store (hash compaction, Wolper and Leroy
1993; SPIN's ``-DHC``) keeps only a 64-bit fingerprint of each state in an
open-addressing table: 8 bytes a slot, 64% to 80% of them used, so 10 to
12.5 bytes a state, whatever the state's size (its segments grow one at a
time: `FingerprintStore`).  Two states with one fingerprint are
taken for one: the second is never explored, so a state (and what only it
leads to) may be missed.  The store reports the chance of that:

    P(some state was omitted) <= n (n - 1) / 2 / 2**64

for `n` stored states when fingerprints behave as uniform random 64-bit
values (the birthday bound; SPIN prints the same estimate for its hash
compaction).  A ``holds`` found with fingerprints is therefore a
probabilistic verdict: `checker.explore` reports it with this probability
in the statistics (``omission_probability``), never silently.

The *compact* form of the exact table (`CompactCodec`) is what SPIN calls
collapse compression: a model that can cut its states into parts (the
optional hooks ``state_parts`` and ``state_from_parts``) has each distinct
part stored once, numbered in order of first appearance, and a state stored
as the string of its parts' numbers: one byte a part while fewer than 254
distinct parts exist, two or four after.  Nothing is lost: two states get
one key exactly when their parts are equal one by one, that is when the
states are equal, so the search finds the same states, the same number of
them, in the same order.

Examples
--------
>>> st = FingerprintStore()
>>> st.setdefault(("a", 1), 0), st.setdefault(("b", 2), 1), st.setdefault(("a", 1), 2)
(0, 1, -2)
>>> len(st), ("a", 1) in st, st.get(("c", 3))
(2, True, None)
>>> 0 < st.omission_probability() < 1e-18
True
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Any

__all__ = ["CompactCodec", "FingerprintStore", "KeyTable", "PackedStates", "SEEN"]

#: What `FingerprintStore.setdefault` and `get` return for a state already stored: its index is not kept.
SEEN = -2

_EMPTY = 0


class FingerprintStore:
    """A set of 64-bit state fingerprints with the dict methods `explore` uses.

    Only membership is kept: `setdefault(s, n)` returns `n` when `s` is new
    and `SEEN` otherwise; `get(s)` returns `SEEN` or None.  So a search with
    this store cannot use the depth proviso nor keep the state graph.

    The table is `SEGMENTS` open-addressing arrays of 8-byte slots (linear
    probing), the top bits of a fingerprint choosing the segment.  Each
    segment grows on its own, by a quarter when 80% full: growing copies
    one segment, so the old and the new array coexist for one segment only
    and the process never holds two whole tables (a single array grown by
    half held 2.5 slots a state at the moment it grew: 25 bytes a state at
    the peak).  The slots then stay 64% to 80% full: 10 to 12.5 bytes a
    state, from the first state on (a segment starts at 8 slots)."""

    __slots__ = ("segs", "maps", "limits", "count")

    #: segments: 256, chosen by the fingerprint's top 8 bits (the slot inside by the rest)
    SEGMENTS = 256

    def __init__(self, capacity: int = 0):
        size = max(8, capacity * 5 // 4 // self.SEGMENTS + 1)
        #: each segment's slots, a view of its own anonymous memory map (`maps`): a grown
        #: segment's old map is unmapped at once, so the memory goes back to the system instead
        #: of staying in the allocator's heap as a hole
        self.segs: list[Any] = []
        self.maps: list[Any] = []
        for _ in range(self.SEGMENTS):
            m, t = self._slots(size)
            self.maps.append(m)
            self.segs.append(t)
        self.limits = [size * 4 // 5] * self.SEGMENTS
        self.count = 0

    @staticmethod
    def _slots(size: int) -> tuple[Any, Any]:
        import mmap
        m = mmap.mmap(-1, 8 * size)  # anonymous: zero-filled, each page resident once written
        return m, memoryview(m).cast("q")

    @staticmethod
    def fingerprint(s: Any) -> int:
        h = hash(s) & 0xFFFFFFFFFFFFFFFF
        # a 64-bit mix (splitmix64's finaliser) so that similar states spread over the table
        h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        h ^= h >> 31
        if h >= 1 << 63:
            h -= 1 << 64
        return h or 1  # 0 marks an empty slot

    @staticmethod
    def _find(table: Any, fp: int) -> int:
        size = len(table)
        i = (fp & 0xFFFFFFFFFFFFFF) % size
        while True:
            v = table[i]
            if v == fp or v == _EMPTY:
                return i
            i += 1
            if i == size:
                i = 0

    def setdefault(self, s: Any, n: int) -> int:
        fp = self.fingerprint(s)
        k = (fp >> 56) & 0xFF
        table = self.segs[k]
        i = self._find(table, fp)
        if table[i] == fp:
            return SEEN
        table[i] = fp
        self.count += 1
        self.limits[k] -= 1
        if self.limits[k] < 0:
            self._grow(k)
        return n

    def get(self, s: Any, default: Any = None) -> Any:
        fp = self.fingerprint(s)
        table = self.segs[(fp >> 56) & 0xFF]
        return SEEN if table[self._find(table, fp)] == fp else default

    def __contains__(self, s: Any) -> bool:
        return self.get(s) is not None

    def __setitem__(self, s: Any, n: int) -> None:
        self.setdefault(s, n)

    def __delitem__(self, s: Any) -> None:
        """Remove `s` (linear probing: re-insert the rest of its cluster)."""
        fp = self.fingerprint(s)
        k = (fp >> 56) & 0xFF
        table = self.segs[k]
        size = len(table)
        i = self._find(table, fp)
        if table[i] != fp:
            raise KeyError(s)
        table[i] = _EMPTY
        self.count -= 1
        self.limits[k] += 1
        j = (i + 1) % size
        while table[j] != _EMPTY:
            v = table[j]
            table[j] = _EMPTY
            table[self._find(table, v)] = v
            j = (j + 1) % size

    def __len__(self) -> int:
        return self.count

    def _grow(self, k: int) -> None:
        old, old_map = self.segs[k], self.maps[k]
        size = len(old) * 5 // 4 + 1
        self.maps[k], table = self._slots(size)
        self.segs[k] = table
        used = 0
        find = self._find
        for v in old:
            if v != _EMPTY:
                table[find(table, v)] = v
                used += 1
        old.release()
        old_map.close()
        self.limits[k] = size * 4 // 5 - used

    def slots(self) -> int:
        """The slots of all segments (8 bytes each)."""
        return sum(len(t) for t in self.segs)

    def bytes_per_state(self) -> float:
        return 8 * self.slots() / max(1, self.count)

    def omission_probability(self) -> float:
        """The birthday bound on a fingerprint collision among the stored states."""
        n = self.count
        return min(1.0, n * (n - 1) / 2 / 2.0 ** 64)


class CompactCodec:
    """States as strings of part numbers (hash-consing of the parts a model cuts them into).

    `split(s)` returns the tuple of `s`'s parts (hashable values whose tuple
    determines `s`); `join(parts)` rebuilds the state.  `pack(s)` numbers
    each part (a new part gets the next number and is kept as the
    representative of its value) and returns the numbers as bytes; `unpack`
    is its inverse.  Parts shared by a state and its successor are usually
    the same objects (the model builds successors from the unpacked parent,
    whose parts are the representatives), so most are numbered by identity
    (`id`, valid because representatives live as long as the codec) without
    hashing them again.

    Numbers start at 1.  Encoding: one byte a number while every number is
    below 254 (so no byte is 254 or 255), else 254 followed by 16-bit
    numbers, else 255 followed by 32-bit numbers: the form is a function of
    the numbers, and two forms never give one string.

    >>> c = CompactCodec(lambda s: s, tuple)
    >>> k = c.pack(("a", ("b", 1), "a")); k
    b'\\x01\\x02\\x01'
    >>> c.unpack(k), c.pack(("a", ("b", 1), "a")) == k, len(c)
    (('a', ('b', 1), 'a'), True, 2)
    """

    __slots__ = ("split", "join", "parts", "ids", "by_id")

    def __init__(self, split: Any, join: Any):
        self.split = split
        self.join = join
        self.parts: list[Any] = [None]  # numbers start at 1, so that 0 means "not numbered yet"
        self.ids: dict[Any, int] = {}
        self.by_id: dict[int, int] = {}

    def _number(self, p: Any) -> int:
        k = self.ids.get(p)
        if k is None:
            k = self.ids[p] = len(self.parts)
            self.parts.append(p)
            self.by_id[id(p)] = k  # p is the representative: kept alive by `parts`
        return k

    def pack(self, s: Any) -> bytes:
        get, number = self.by_id.get, self._number
        return self.key_of([get(id(p)) or number(p) for p in self.split(s)])

    def numbers(self, key: bytes) -> Any:
        """The part numbers `key` encodes (a sequence of ints)."""
        if key and key[0] >= 254:
            nums: Any = array("H" if key[0] == 254 else "I")
            nums.frombytes(key[1:])
            return nums
        return key

    @staticmethod
    def key_of(nums: Any) -> bytes:
        """The key of part numbers `nums`, a list or bytes (as `pack` encodes them)."""
        top = max(nums, default=0)
        if top < 254:
            return bytes(nums)
        if top < 65536:
            return b"\xfe" + array("H", nums).tobytes()
        return b"\xff" + array("I", nums).tobytes()

    def number(self, p: Any) -> int:
        """The number of part `p` (a new one is numbered and kept)."""
        return self.by_id.get(id(p)) or self._number(p)

    def unpack(self, key: bytes) -> Any:
        parts = self.parts
        return self.join([parts[k] for k in self.numbers(key)])

    def __len__(self) -> int:
        """The distinct parts stored."""
        return len(self.parts) - 1


class PackedStates(Sequence[Any]):
    """The states of a compact search, unpacked on access (`Result.states`)."""

    __slots__ = ("keys", "unpack")

    def __init__(self, keys: list[Any], unpack: Any):
        self.keys = keys
        self.unpack = unpack

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [None if k is None else self.unpack(k) for k in self.keys[i]]
        k = self.keys[i]
        return None if k is None else self.unpack(k)


class KeyTable:
    """The state table of a compact search: the index of each key, without a dict.

    A dict from a key to its index costs about 70 bytes a state (its entry,
    its slot, and an int object for every index past 256), more than the
    packed key itself.  This table keeps the keys where they already are (the
    search's list of states, `keys`) and only the indices in an array: open
    addressing, linear probing, at most 2/3 full, 4 bytes a slot (8 past
    2**31 states): 6 to 12 bytes a state.  Lookups compare the keys in the
    list, so nothing is ever confused.  A key must be stored in `keys` at
    the index `setdefault` returned for it before the next call.

    >>> keys = []
    >>> t = KeyTable(keys, 4)
    >>> for k in (b"a", b"b", b"a", b"c", b"d", b"b"):
    ...     i = t.setdefault(k, len(keys))
    ...     if i == len(keys): keys.append(k)
    >>> keys, len(t), t.get(b"c"), t.get(b"z"), b"d" in t
    ([b'a', b'b', b'c', b'd'], 4, 2, None, True)
    """

    __slots__ = ("keys", "slots", "mask", "count", "limit")

    def __init__(self, keys: list[Any], capacity: int = 1 << 16):
        self.keys = keys
        self.count = 0
        size = 8
        while size * 2 // 3 < capacity:
            size *= 2
        self._alloc(size)

    def _alloc(self, size: int) -> None:
        self.slots = array("i" if size < 1 << 31 else "q", bytes(size * (4 if size < 1 << 31 else 8)))
        self.mask = size - 1
        self.limit = size * 2 // 3

    def setdefault(self, key: Any, n: int) -> int:
        """The index of `key`; when it is new, `n` (and `key` must be appended to `keys` as number `n`)."""
        slots, keys, mask = self.slots, self.keys, self.mask
        i = hash(key) & mask
        while True:
            v = slots[i]
            if not v:
                if self.count >= self.limit:  # grow first: `key` is not in `keys` yet
                    self._grow()
                    return self.setdefault(key, n)
                slots[i] = n + 1
                self.count += 1
                return n
            if keys[v - 1] == key:
                return v - 1
            i = (i + 1) & mask

    def get(self, key: Any, default: Any = None) -> Any:
        slots, keys, mask = self.slots, self.keys, self.mask
        i = hash(key) & mask
        while True:
            v = slots[i]
            if not v:
                return default
            if keys[v - 1] == key:
                return v - 1
            i = (i + 1) & mask

    def __contains__(self, key: Any) -> bool:
        return self.get(key) is not None

    def __setitem__(self, key: Any, n: int) -> None:
        self.setdefault(key, n)

    def __len__(self) -> int:
        return self.count

    def _grow(self) -> None:
        old = self.slots
        self._alloc(2 * len(old))
        slots, keys, mask = self.slots, self.keys, self.mask
        for v in old:
            if v:
                i = hash(keys[v - 1]) & mask
                while slots[i]:
                    i = (i + 1) & mask
                slots[i] = v
