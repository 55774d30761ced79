"""z3 proof that the local run queue's ring arithmetic is right for all values.

Go's per-P run queue (``runtime2.go: p.runq [256]guintptr``, ``runqhead``,
``runqtail``; ``proc.go: runqput, runqputslow, runqget, runqgrab,
runqsteal``) is a ring indexed by free-running ``uint32`` counters: the
queue holds ``tail - head`` goroutines (modulo 2^32) in slots
``head % N .. (tail-1) % N``.  The counters wrap around after 2^32
operations, so the code must only ever compare *differences*.  This
module states each operation's obligation over 32-bit bit-vectors and asks
z3 for a counterexample: ``unsat`` proves it for every pair of counters.

Obligations (N = ``runtime.runq_size``, even; the invariant is
``tail - head <= N``):

- ``runq.put``: with room (``tail - head < N``) the new slot ``tail % N`` is
  free (not among the live slots) and the invariant holds after ``tail+1``
  (SCH-8).
- ``runq.put_slow``: on a full queue the oldest ``(tail-head)/2`` move out,
  exactly ``N/2``, and ``N/2`` stay (SCH-9, SCH-ORACLE-2).
- ``runq.get``: the emptiness test is exact (``tail != head``), a non-empty
  queue yields slot ``head % N`` which is live, and the invariant holds
  after ``head+1`` (SCH-10).
- ``runq.grab``: a thief takes ``n = k - k/2`` of ``k = tail - head``; at
  most ``N/2`` (Go re-reads and retries otherwise), never more than are
  there, and the victim keeps the invariant (SCH-21).
- ``runq.steal``: a non-empty grabbed batch, less the goroutine the thief
  runs at once, fits the thief's (empty) queue (Go throws "runqsteal: runq
  overflow" otherwise).

Broken variants (``args: {variant: ...}`` in a spec) show counterexamples:
``put_wide`` checks room comparing the counters as unbounded integers
(``tail < head + N``, wrong once ``tail`` wrapped past 2^32 and ``head``
did not),
``grab_plus_one`` grabs ``k/2 + 1`` (takes from an empty queue), and
``get_gt`` tests non-emptiness with ``tail > head``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import z3

from checker.errors import InputError

OBLIGATIONS = ("runq.put", "runq.put_slow", "runq.get", "runq.grab", "runq.steal")
VARIANTS = ("correct", "put_wide", "grab_plus_one", "get_gt")


@dataclass(frozen=True, slots=True)
class ProofResult:
    """``holds`` (z3: unsat), ``violated`` with concrete counters, or ``unknown``."""

    name: str
    verdict: str
    witness: dict[str, int] | None = None
    reason: str = ""


def _bv(name: str) -> z3.BitVecRef:
    return z3.BitVec(name, 32)


def _live(h: z3.BitVecRef, t: z3.BitVecRef, x: z3.BitVecRef) -> z3.BoolRef:
    """Counter `x` names a live slot: ``x - h < t - h`` (modular, unsigned)."""
    return z3.ULT(x - h, t - h)


def obligations(n: int, variant: str = "correct") -> dict[str, tuple[z3.BoolRef, list[z3.BitVecRef]]]:
    """Each obligation as a formula that must be valid, with its free variables."""
    if n < 2 or n % 2:
        raise ValueError("the run queue size must be even and at least 2")
    N = z3.BitVecVal(n, 32)
    h, t, x = _bv("head"), _bv("tail"), _bv("other")
    h2, t2 = _bv("thief_head"), _bv("thief_tail")
    inv = lambda hh, tt: z3.ULE(tt - hh, N)  # noqa: E731
    out: dict[str, tuple[z3.BoolRef, list[z3.BitVecRef]]] = {}

    wide = lambda v: z3.ZeroExt(32, v)  # noqa: E731  (the counters as unbounded integers)
    room = z3.ULT(wide(t), wide(h) + n) if variant == "put_wide" else z3.ULT(t - h, N)
    slot_free = z3.ForAll([x], z3.Implies(_live(h, t, x), z3.URem(x, N) != z3.URem(t, N)))
    out["runq.put"] = (z3.Implies(z3.And(inv(h, t), room), z3.And(inv(h, t + 1), slot_free)), [h, t])

    full = t - h == N
    moved = z3.UDiv(t - h, 2)
    out["runq.put_slow"] = (z3.Implies(z3.And(inv(h, t), full),
                                       z3.And(moved == n // 2, t - (h + moved) == n // 2, inv(h + moved, t))), [h, t])

    nonempty = z3.UGT(t, h) if variant == "get_gt" else t != h
    out["runq.get"] = (z3.Implies(inv(h, t), z3.And(nonempty == (t != h),
                                                    z3.Implies(nonempty, z3.And(_live(h, t, h), inv(h + 1, t))))),
                       [h, t])

    k = t - h
    grabbed = z3.UDiv(k, 2) + 1 if variant == "grab_plus_one" else k - z3.UDiv(k, 2)
    out["runq.grab"] = (z3.Implies(inv(h, t), z3.And(z3.ULE(grabbed, n // 2),
                                                     z3.ULE(grabbed, k), inv(h + grabbed, t))), [h, t])

    empty_thief = t2 == h2
    out["runq.steal"] = (z3.Implies(z3.And(inv(h, t), empty_thief, z3.ULE(grabbed, n // 2), grabbed != 0),
                                    z3.And(z3.ULT(t2 + grabbed - 1 - h2, N), inv(h2, t2 + grabbed - 1))),
                         [h, t, h2, t2])
    return out


def prove(n: int = 256, variant: str = "correct", timeout_ms: int = 20_000) -> list[ProofResult]:
    """Ask z3 to refute each obligation; unsat is a proof for all 32-bit counters."""
    results = []
    for name, (formula, free) in obligations(n, variant).items():
        s = z3.Solver()
        s.set("timeout", timeout_ms)
        s.add(z3.Not(formula))
        r = s.check()
        if r == z3.unsat:
            results.append(ProofResult(name, "holds"))
        elif r == z3.sat:
            m = s.model()
            witness = {str(v): m.eval(v, model_completion=True).as_long() for v in free}
            results.append(ProofResult(name, "violated", witness, _describe(name, witness, n)))
        else:
            results.append(ProofResult(name, "unknown", None, f"z3: {s.reason_unknown()}"))
    return results


M32 = 0xFFFF_FFFF


def concrete_violation(name: str, w: dict[str, int], n: int, variant: str = "correct") -> bool:
    """Re-check a z3 witness with plain integer arithmetic: does the
    operation really break its obligation on these counters?"""
    h, t = w["head"], w["tail"]
    size = (t - h) & M32
    if size > n:
        return False  # the invariant must hold before the operation
    if name == "runq.put":
        room = t < h + n if variant == "put_wide" else size < n
        return room and ((t + 1 - h) & M32 > n or any(((h + i) & M32) % n == t % n for i in range(size)))
    if name == "runq.get":
        nonempty = t > h if variant == "get_gt" else t != h
        return nonempty != (t != h) or (nonempty and ((t - h - 1) & M32) > n)
    if name in ("runq.grab", "runq.steal"):
        grabbed = size // 2 + 1 if variant == "grab_plus_one" else size - size // 2
        if name == "runq.grab":
            return grabbed > n // 2 or grabbed > size or ((t - h - grabbed) & M32) > n
        return 0 < grabbed <= n // 2 and grabbed - 1 >= n
    if name == "runq.put_slow":
        return size == n and (size // 2 != n // 2)
    raise ValueError(name)


def _describe(name: str, w: dict[str, int], n: int) -> str:
    h, t = w.get("head", 0), w.get("tail", 0)
    size = (t - h) % 2**32
    return f"head={h} tail={t} (tail-head={size}, capacity {n}): {name} breaks the ring invariant"


def rows(spec: Any) -> list[dict[str, Any]]:
    """Rows for the CLI table: one per obligation the spec lists (all by default)."""
    unknown = sorted(set(spec.model_args) - {"variant"})
    if unknown:
        raise InputError(f"unknown args key '{unknown[0]}' for a runq_proof spec; allowed: variant "
                         f"({', '.join(VARIANTS)})", spec.path, 1, 1)
    variant = spec.model_args.get("variant", "correct")
    if spec.runtime.runq_size < 2 or spec.runtime.runq_size % 2:
        raise InputError(f"a runq_proof needs an even runtime.runq_size of at least 2 (the ring is grabbed in "
                         f"halves), got {spec.runtime.runq_size}", spec.path, 1, 1)
    if variant not in VARIANTS:
        raise InputError(f"unknown runq variant '{variant}'; allowed: {', '.join(VARIANTS)}", spec.path, 1, 1)
    wanted = [p.name for p in spec.properties] or list(OBLIGATIONS)
    for p in spec.properties:
        if p.name not in OBLIGATIONS:
            raise InputError(f"unknown run-queue obligation '{p.name}'; allowed: {', '.join(OBLIGATIONS)}",
                             spec.path, p.line, p.col)
    by_name = {r.name: r for r in prove(spec.runtime.runq_size, variant)}
    rows = []
    for name in wanted:
        r = by_name[name]
        rows.append({"property": name, "verdict": r.verdict, "reason": r.reason, "expected": spec.expect.get(name),
                     "trace": None, "path": None, "loop": None, "length": None, "witness": r.witness})
    return rows


__all__ = ["OBLIGATIONS", "VARIANTS", "ProofResult", "obligations", "prove", "rows"]
