"""Swarm verification: many diversified, randomized depth-first searches.

For a space too large to finish, SPIN's swarm (Holzmann, Joshi, Groce,
"Swarm Verification Techniques", 2011) runs many small searches that each
cover a different part of it instead of one search that never ends.  Each
member here is a depth-first search that

- takes the actions of every state in its own random order (seeded by the
  swarm seed and the member's number, so a run can be repeated), and
- remembers the states it has seen in a *bitstate* table (Holzmann's
  supertrace: a Bloom filter of ``2**bits`` bits and 3 hash functions, a
  keyed BLAKE2b of the state's canonical bytes, keyed per member so the
  members' collisions differ).  A collision prunes a state that was never
  seen, so a member never knows it saw everything.

Hence the verdicts: an invariant or deadlock violation found by a member is
``violated``, with its path (any path: depth-first paths are not shortest;
the swarm keeps the shortest any member found).  A ``sometimes`` property
whose witness state was reached is ``holds``: the witness path is its proof
and replays on the model.  Everything else is ``unknown``; liveness is not
checked.  Nothing the swarm did not see becomes ``holds``.

Members run in worker processes (``multiprocessing``) or as Ray tasks.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import random
import signal
import threading
import time
from collections.abc import Sequence
from typing import Any

from checker.model import HOLDS, BoundExceeded, Property, evaluate, unknown, violated
from checker.parallel.codec import codec_of
from checker.parallel.partition import ModelFactory, select_properties
from checker.results import PropertyResult, Result, Stats

__all__ = ["member_search", "swarm"]

_HASHES = 3


def member_search(factory: ModelFactory, names: Sequence[str] | None, member: int, seed: int = 0, *,
                  bits: int = 24, max_states: int = 1_000_000, max_depth: int = 10_000,
                  timeout_s: float | None = None) -> dict[str, Any]:
    """One swarm member's randomized bitstate DFS; what it found and did."""
    model = factory()
    props = select_properties(model, names)
    always = [(p.name, p.cond) for p in props if p.kind == "always" and p.cond is not None]
    sometimes = [(p.name, p.cond) for p in props if p.kind == "sometimes" and p.cond is not None]
    deadlock = [(p.name, p.cond) for p in props if p.kind == "deadlock" and p.cond is not None]
    rng = random.Random(f"gocheck-swarm:{seed}:{member}")
    key = hashlib.blake2b(f"{seed}:{member}".encode(), digest_size=16).digest()
    table = bytearray(1 << max(0, bits - 3))
    mask = (1 << bits) - 1
    encode = codec_of(model)[0]
    blake2b = hashlib.blake2b
    found: dict[str, tuple[str, list[int]]] = {}
    start = time.monotonic()
    deadline = start + timeout_s if timeout_s else None
    stored = transitions = deepest = 0
    stop = ""

    def seen(s: Any) -> bool:
        """Test-and-set the state's bits; True when all were set (seen, or a collision)."""
        h = int.from_bytes(blake2b(encode(s), digest_size=16, key=key).digest(), "little")
        h1, h2 = h & 0xFFFFFFFFFFFFFFFF, (h >> 64) | 1
        new = False
        for i in range(_HASHES):
            b = (h1 + i * h2) & mask
            byte, bit = b >> 3, 1 << (b & 7)
            if not table[byte] & bit:
                table[byte] |= bit
                new = True
        return not new

    def check(s: Any, path: list[int]) -> None:
        for p in list(always):
            reason = evaluate(p[1], s)
            if reason is not None:
                found[p[0]] = (reason, list(path))
                always.remove(p)
        for p in list(sometimes):
            if evaluate(p[1], s) is None:
                found[p[0]] = ("", list(path))
                sometimes.remove(p)

    def at_end(s: Any, path: list[int]) -> None:
        for p in list(deadlock):
            reason = evaluate(p[1], s)
            if reason is not None:
                found[p[0]] = (reason or "no action is enabled", list(path))
                deadlock.remove(p)

    def order(n: int) -> list[int]:
        ks = list(range(n))
        rng.shuffle(ks)
        return ks

    try:
        inits = list(model.init_states())
        for k0 in order(len(inits)):
            s0 = inits[k0]
            if seen(s0):
                continue
            stored += 1
            trail = [k0]
            check(s0, trail)
            acts0 = list(model.actions(s0))
            if not acts0:
                at_end(s0, trail)
                continue
            stack: list[tuple[Any, list[Any], list[int]]] = [(s0, acts0, order(len(acts0)))]
            while stack and not stop:
                s, acts, todo = stack[-1]
                if not todo:
                    stack.pop()
                    trail.pop()
                    continue
                k = todo.pop()
                t = model.next_state(s, acts[k])
                transitions += 1
                if seen(t):
                    continue
                stored += 1
                trail.append(k)
                if len(stack) > deepest:
                    deepest = len(stack)
                check(t, trail)
                tacts = list(model.actions(t)) if len(stack) < max_depth else None
                if tacts:
                    stack.append((t, tacts, order(len(tacts))))
                else:
                    if tacts is not None:
                        at_end(t, trail)
                    trail.pop()
                if not always and not sometimes and not deadlock:
                    stop = "every safety property is decided"
                elif stored >= max_states:
                    stop = f"max_states {max_states} reached"
                elif deadline is not None and stored & 1023 == 0 and time.monotonic() > deadline:
                    stop = f"timeout {timeout_s:g}s reached"
            if stop:
                break
    except BoundExceeded as e:
        stop = f"the model hit a bound: {e}"
    return {"member": member, "found": found, "states": stored, "transitions": transitions, "depth": deepest,
            "seconds": time.monotonic() - start, "stop": stop or "search finished (bitstate: not a proof)"}


def _quiet() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _member(args: tuple[Any, ...]) -> dict[str, Any]:
    factory, names, member, seed, options = args
    return member_search(factory, names, member, seed, **options)


def swarm(factory: ModelFactory, members: int = 4, *, workers: int | None = None, ray: str | None = None,
          properties: Sequence[Property | str] | None = None, seed: int = 0, bits: int = 24,
          max_states: int = 1_000_000, max_depth: int = 10_000, timeout_s: float | None = None,
          model: Any = None, **_ignored: Any) -> Result:
    """Run `members` randomized bitstate searches on `workers` processes (or
    Ray, as for `checker.parallel.check_parallel`) and merge their findings.

    `max_states`, `max_depth` and `timeout_s` bound each member; `bits` is
    the log2 of each member's bitstate table size in bits (24: 2 MiB)."""
    if model is None:
        model = factory()
    names = None if properties is None else [p if isinstance(p, str) else p.name for p in properties]
    props = select_properties(model, names)
    names = [p.name for p in props]
    options = {"bits": bits, "max_states": max_states, "max_depth": max_depth, "timeout_s": timeout_s}
    jobs = [(factory, names, m, seed, options) for m in range(members)]
    start = time.monotonic()
    reports: list[dict[str, Any]] = []
    interrupted = False
    if ray is not None:
        import ray as raylib

        from checker.parallel.ray_backend import connect
        owned = connect(ray, members)
        try:
            task = raylib.remote(_member)
            reports = raylib.get([task.remote(j) for j in jobs])
        except KeyboardInterrupt:
            interrupted = True
        finally:
            if owned:
                raylib.shutdown()
    else:
        method = "fork" if threading.active_count() == 1 else "forkserver"
        ctx = mp.get_context(method)
        pool = ctx.Pool(min(members, workers or os.cpu_count() or 1), initializer=_quiet)
        try:
            reports = list(pool.imap_unordered(_member, jobs))
            pool.close()
        except KeyboardInterrupt:
            interrupted = True
            pool.terminate()
        finally:
            pool.join()
    reports.sort(key=lambda r: r["member"])

    stats = Stats(strategy="swarm")
    stats.states = sum(r["states"] for r in reports)
    stats.transitions = sum(r["transitions"] for r in reports)
    stats.depth = max((r["depth"] for r in reports), default=0)
    stats.seconds = time.monotonic() - start
    stats.complete = False
    why = "interrupted" if interrupted else f"a swarm of {members} bitstate searches is not exhaustive"
    stats.stop_reason = why
    results: dict[str, PropertyResult] = {}
    for p in props:
        best: tuple[str, list[int]] | None = None
        for r in reports:
            f = r["found"].get(p.name)
            if f is not None and (best is None or len(f[1]) < len(best[1])):
                best = f
        if p.is_liveness:
            results[p.name] = PropertyResult(p, unknown("swarm mode checks safety properties only"))
        elif best is None:
            results[p.name] = PropertyResult(p, unknown(why))
        elif p.kind == "sometimes":
            results[p.name] = PropertyResult(p, HOLDS, tuple(best[1]))
        else:
            results[p.name] = PropertyResult(p, violated(best[0]), tuple(best[1]))
    return Result(results, stats)
