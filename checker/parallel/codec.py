"""Canonical bytes of a state, and which partition owns it.

Every process must agree on a state's owner, and equal states must get equal
owners, or a state could be stored twice and the counts would drift from the
single-process search.  Python's ``hash()`` is the wrong tool: strings are
hashed with a per-process random key (``PYTHONHASHSEED``) and, on Python
3.11, ``hash(None)`` is the address of ``None``, which differs between two
interpreters started separately (Ray workers, ``spawn``ed processes, other
machines) even with the same ``PYTHONHASHSEED``.  So a state is identified
by its pickle, written with the memo switched off (`pickle.Pickler.fast`):
without the memo, sharing of equal sub-objects inside a state cannot change
the bytes, so the encoding depends only on the value, on every machine.
The owner is ``crc32(bytes) % n``: deterministic, fast (C), well spread.
A model may instead supply ``partition_key(state) -> int`` (an optional
hook): the owner is then ``partition_key(state) % n``.  A key that covers
only part of the state keeps a successor that changes only the rest with
its parent's owner, so fewer states move between partitions (Stern and
Dill hash a projection of the state the same way).  The key must be an int
that depends only on the state's value, equal in every process: arithmetic
on ints, or ``hash()`` of ints and tuples of ints, which Python does not
key per process; never ``hash()`` of strings, bytes or ``None``.  With a
key that is not such a function, two partitions could each keep a copy of
one state: the counts would drift from the single-process search's (more
states, never fewer; the tests pin them equal).  A partition refuses a key
that is not an int.

The partitions then key their tables on these bytes.  Equal bytes always
decode to equal states, so deduplication on bytes never merges two
different states.  The converse needs the model's canonical form (the
`Model` protocol asks for it already): no sets or dicts whose iteration order
depends on history, no ``1``/``True``/``1.0`` used interchangeably for the
same value.  A model that breaks this gets more states than the
single-process search, never fewer, and never a wrong ``holds``; the tests
pin the counts as equal.

A model may also supply its own codec, an optional hook ``state_codec() ->
(encode, decode)`` (`codec_of`): two functions, state -> bytes and back,
with the same rules: the bytes a function of the value only, the same in
every process, equal bytes for equal states and different bytes for
different ones.  Each partition calls the hook once and keeps the pair,
which may hold caches of its own (the Go model's, `models.wire`, caches the
bytes of every goroutine and heap object and interns what it decodes,
because pickling a whole Go state costs more than computing it).

Protocol 2 is used because it has no framing header (protocol 4 and 5 add 9
bytes per pickle, which a table of millions of small states pays for).
"""

from __future__ import annotations

import io
import pickle
import zlib
from collections.abc import Callable
from typing import Any

__all__ = ["PROTOCOL", "make_encoder", "owner", "decode", "codec_of"]

PROTOCOL = 2

decode: Callable[[bytes], Any] = pickle.loads


def make_encoder() -> Callable[[Any], bytes]:
    """A function state -> canonical bytes (one reusable pickler, memo off)."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=PROTOCOL)
    pickler.fast = True  # no memo: the bytes depend on the value only
    seek, truncate, dump, getvalue = buf.seek, buf.truncate, pickler.dump, buf.getvalue

    def encode(state: Any) -> bytes:
        seek(0)
        truncate()
        dump(state)
        return getvalue()

    return encode


def codec_of(model: Any) -> tuple[Callable[[Any], bytes], Callable[[bytes], Any]]:
    """``(encode, decode)`` for `model`'s states: its ``state_codec()`` hook, else the
    pickle with the memo off (`make_encoder`) and `pickle.loads`."""
    hook = getattr(model, "state_codec", None)
    if hook is None:
        return make_encoder(), decode
    enc, dec = hook()
    return enc, dec


def owner(data: bytes, n: int, state: Any = None, key: Callable[[Any], int] | None = None) -> int:
    """The partition (0..n-1) that owns the state encoded as `data`: its
    model's ``partition_key(state) % n`` when the model has that hook
    (passed as `key`), else the CRC-32 of the bytes modulo `n`."""
    if n == 1:
        return 0
    if key is not None:
        return key(state) % n
    return zlib.crc32(data) % n
