"""State stores for the search: the exact table and a fingerprint store.

`explore` keeps a *state table* that maps each state to its dense index.
The exact one is a dict (the states themselves are the keys, so nothing is
ever confused).  The fingerprint store (hash compaction, Wolper and Leroy
1993; SPIN's ``-DHC``) keeps only a 64-bit fingerprint of each state in an
open-addressing array: 8 bytes a slot, grown by half when 80% full, so 10
to 15 bytes a state, whatever the state's size.  Two states with one fingerprint are
taken for one: the second is never explored, so a state (and what only it
leads to) may be missed.  The store reports the chance of that:

    P(some state was omitted) <= n (n - 1) / 2 / 2**64

for `n` stored states when fingerprints behave as uniform random 64-bit
values (the birthday bound; SPIN prints the same estimate for its hash
compaction).  A ``holds`` found with fingerprints is therefore a
probabilistic verdict: `checker.explore` reports it with this probability
in the statistics (``omission_probability``), never silently.

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
from typing import Any

__all__ = ["FingerprintStore", "SEEN"]

#: What `FingerprintStore.setdefault` and `get` return for a state already stored: its index is not kept.
SEEN = -2

_EMPTY = 0


class FingerprintStore:
    """A set of 64-bit state fingerprints with the dict methods `explore` uses.

    Only membership is kept: `setdefault(s, n)` returns `n` when `s` is new
    and `SEEN` otherwise; `get(s)` returns `SEEN` or None.  So a search with
    this store cannot use the depth proviso nor keep the state graph."""

    __slots__ = ("table", "size", "limit", "count")

    def __init__(self, capacity: int = 1 << 16):
        self._alloc(max(8, capacity * 3 // 2))
        self.count = 0

    def _alloc(self, size: int) -> None:
        self.table = array("q", bytes(8 * size))
        self.size = size
        self.limit = size * 4 // 5  # at most 80% full: linear probing stays short

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

    def _find(self, fp: int) -> int:
        table, size = self.table, self.size
        i = fp % size
        while True:
            v = table[i]
            if v == fp or v == _EMPTY:
                return i
            i += 1
            if i == size:
                i = 0

    def setdefault(self, s: Any, n: int) -> int:
        fp = self.fingerprint(s)
        i = self._find(fp)
        if self.table[i] == fp:
            return SEEN
        self.table[i] = fp
        self.count += 1
        if self.count > self.limit:
            self._grow()
        return n

    def get(self, s: Any, default: Any = None) -> Any:
        fp = self.fingerprint(s)
        return SEEN if self.table[self._find(fp)] == fp else default

    def __contains__(self, s: Any) -> bool:
        return self.get(s) is not None

    def __setitem__(self, s: Any, n: int) -> None:
        self.setdefault(s, n)

    def __delitem__(self, s: Any) -> None:
        """Remove `s` (linear probing: re-insert the rest of its cluster)."""
        fp = self.fingerprint(s)
        table, size = self.table, self.size
        i = self._find(fp)
        if table[i] != fp:
            raise KeyError(s)
        table[i] = _EMPTY
        self.count -= 1
        j = (i + 1) % size
        while table[j] != _EMPTY:
            v = table[j]
            table[j] = _EMPTY
            table[self._find(v)] = v
            j = (j + 1) % size

    def __len__(self) -> int:
        return self.count

    def _grow(self) -> None:
        old = self.table
        self._alloc(len(old) * 3 // 2)
        for v in old:
            if v != _EMPTY:
                self.table[self._find(v)] = v

    def bytes_per_state(self) -> float:
        return 8 * len(self.table) / max(1, self.count)

    def omission_probability(self) -> float:
        """The birthday bound on a fingerprint collision among the stored states."""
        n = self.count
        return min(1.0, n * (n - 1) / 2 / 2.0 ** 64)
