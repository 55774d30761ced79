"""z3: each write barrier keeps its tricolour invariant for every heap of up
to k objects and every step (an inductive check), or a violating heap+step.

The heap is symbolic: k objects with `nf` pointer fields each (a field is
-1 for nil or an object index), a colour per object (white, grey, black),
an allocated flag, and G goroutines with S stack slots each and a stack
colour (grey: not scanned yet; black: scanned, GC-10).  For each barrier
variant and each step kind we ask z3 for a pre-state that satisfies the
invariant and a step after which it does not (``Inv ∧ step ∧ ¬Inv'``):
unsat proves the step preserves the invariant on every such heap; sat is a
counterexample to induction, which `replay` re-runs on the explicit model
(`GcModel.next_state` and its ``gc.weak_tricolor`` check) before it is
reported, so a witness z3 found is a real broken step.

The invariant (GC-3, modified for the hybrid barrier by P17503, with its
Lemma 3 for stacks): every white object pointed to by a black heap object
or by a black stack is reachable from a grey heap object through white
objects.  Paths are unrolled k times, so the statement is exact for k
objects.  Termination (``term``): with the invariant, no grey object and
every stack black, every object reachable from a stack is non-white, which
is GC-SAFE at mark termination (GC-9.4).

Steps: the mutator's ``load`` (p = x.f, a stack write: no barrier),
``store`` (x.f = p or nil, barrier), ``stack`` (p = q or nil), ``alloc``
(p = new), ``handoff`` (a direct channel copy into another goroutine's
stack, GC-14); the collector's ``drain`` (blacken a grey object, shading its
fields) and ``scan`` (scan one grey stack).

Variants: safe ``hybrid`` (V5), ``go`` (V6), ``hybrid_any`` (V11),
``yuasa_snapshot`` (V4: every stack is scanned in the mark-setup STW, so
its invariant adds "every stack is black"), ``dijkstra_rescan`` (V2: the strong invariant on heap objects,
stacks permagrey and rescanned at mark termination); unsafe ``none`` (V0,
and V9: a P whose barrier is still off), ``dijkstra`` (V1), ``yuasa`` (V3),
``hybrid_alloc_white`` (V7), ``hybrid_no_chan`` (V8).  V10 (an unflushed
write-barrier buffer) is a termination-protocol bug, not a barrier
property: the explicit model shows it (specs/gc/v10.yaml).
"""

from __future__ import annotations

import ast
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import z3

from checker.smt import Proved, Refuted, SmtResult, Unknown, solve, solver

__all__ = ["SAFE", "STEPS", "UNSAFE", "VARIANT_IDS", "Heap", "check", "prove", "prove_variant", "replay"]

W, G, B = 0, 1, 2
SAFE = ("hybrid", "go", "hybrid_any", "yuasa_snapshot", "dijkstra_rescan")
UNSAFE = ("none", "dijkstra", "yuasa", "hybrid_alloc_white", "hybrid_no_chan")
VARIANT_IDS = {"hybrid": "V5", "go": "V6", "hybrid_any": "V11", "yuasa_snapshot": "V4", "dijkstra_rescan": "V2",
               "none": "V0/V9", "dijkstra": "V1", "yuasa": "V3", "hybrid_alloc_white": "V7", "hybrid_no_chan": "V8"}
STEPS = ("load", "store", "stack", "alloc", "handoff", "drain", "scan", "term")


def _sel(xs: list[Any], i: Any, default: Any) -> Any:
    """``xs[i]`` for a symbolic index (an If chain)."""
    out = default
    for k in range(len(xs) - 1, -1, -1):
        out = z3.If(i == k, xs[k], out)
    return out


@dataclass
class Heap:
    """A symbolic (or post-step) heap: z3 terms, indexed by Python ints."""

    k: int
    nf: int
    ng: int
    ns: int
    colour: list[Any]
    alloc: list[Any]
    f: list[list[Any]]
    slot: list[list[Any]]
    sblack: list[Any]

    @staticmethod
    def fresh(k: int, nf: int, ng: int, ns: int, tag: str = "") -> Heap:
        return Heap(k, nf, ng, ns,
                    [z3.Int(f"c{i}{tag}") for i in range(k)], [z3.Bool(f"a{i}{tag}") for i in range(k)],
                    [[z3.Int(f"f{i}_{j}{tag}") for j in range(nf)] for i in range(k)],
                    [[z3.Int(f"s{g}_{s}{tag}") for s in range(ns)] for g in range(ng)],
                    [z3.Bool(f"b{g}{tag}") for g in range(ng)])

    def copy(self) -> Heap:
        return Heap(self.k, self.nf, self.ng, self.ns, list(self.colour), list(self.alloc),
                    [list(r) for r in self.f], [list(r) for r in self.slot], list(self.sblack))

    def wf(self) -> Any:
        """Well-formed: pointers are nil or allocated objects; unallocated
        objects are white with nil fields."""
        k = self.k
        ptr = lambda p: z3.Or(p == -1, z3.And(p >= 0, p < k, _sel(self.alloc, p, z3.BoolVal(False))))  # noqa: E731
        cs = [z3.And(c >= W, c <= B) for c in self.colour]
        for i in range(k):
            cs += [ptr(p) for p in self.f[i]]
            cs.append(z3.Implies(z3.Not(self.alloc[i]), z3.And(self.colour[i] == W, *[p == -1 for p in self.f[i]])))
        cs += [ptr(p) for row in self.slot for p in row]
        return z3.And(*cs)

    def white(self, i: Any) -> Any:
        return z3.And(_sel(self.colour, i, W) == W, i >= 0)

    def protected(self) -> list[Any]:
        """protected[i]: i is reachable from a grey heap object through white objects (k-step unrolling)."""
        k = self.k
        reach = [z3.Or(*[z3.And(self.alloc[j], self.colour[j] == G, *[z3.BoolVal(True)], z3.Or(*[p == i for p in self.f[j]]))
                         for j in range(k)]) for i in range(k)]
        for _ in range(k):
            reach = [z3.Or(reach[i], *[z3.And(self.colour[j] == W, reach[j], z3.Or(*[p == i for p in self.f[j]]))
                                       for j in range(k)]) for i in range(k)]
        return reach

    def weak(self) -> Any:
        """GC-3 modified (P17503): black heap objects and black stacks point only
        to non-white or grey-protected objects."""
        prot = self.protected()
        cs = []
        for i in range(self.k):
            lost = z3.And(self.colour[i] == W, z3.Not(prot[i]))
            for j in range(self.k):
                cs += [z3.Not(z3.And(self.alloc[j], self.colour[j] == B, p == i, lost)) for p in self.f[j]]
            for g in range(self.ng):
                cs += [z3.Not(z3.And(self.sblack[g], p == i, lost)) for p in self.slot[g]]
        return z3.And(*cs)

    def strong(self) -> Any:
        """GC-2 on heap objects: no black object points to a white one."""
        return z3.And(*[z3.Implies(z3.And(self.alloc[j], self.colour[j] == B, p >= 0), _sel(self.colour, p, W) != W)
                        for j in range(self.k) for p in self.f[j]])

    def shade(self, o: Any) -> None:
        self.colour = [z3.If(z3.And(o == i, self.colour[i] == W), G, self.colour[i]) for i in range(self.k)]


def _inv(v: str, h: Heap) -> Any:
    if v == "dijkstra_rescan":
        return h.strong()
    if v == "yuasa_snapshot":  # the stacks were all scanned in the mark-setup STW
        return z3.And(h.weak(), *h.sblack)
    return h.weak()


def _barrier(v: str, h: Heap, g: Any, old: Any, new: Any, peer: Any = None) -> None:
    """The variant's write barrier for goroutine g writing `new` over `old` (GC-4, GC-6)."""
    grey_self = z3.Not(_sel(h.sblack, g, z3.BoolVal(True)))
    if peer is not None:
        grey_self = z3.Or(grey_self, z3.Not(_sel(h.sblack, peer, z3.BoolVal(True))))
    if v in ("yuasa", "yuasa_snapshot", "hybrid", "hybrid_any", "go", "hybrid_alloc_white", "hybrid_no_chan"):
        h.shade(old)
    if v in ("dijkstra", "dijkstra_rescan", "go"):
        h.shade(new)
    elif v in ("hybrid", "hybrid_alloc_white", "hybrid_no_chan"):
        h.shade(z3.If(grey_self, new, -1))
    elif v == "hybrid_any":
        h.shade(z3.If(z3.Or(*[z3.Not(b) for b in h.sblack]), new, -1))


def _step(v: str, kind: str, h: Heap) -> tuple[Any, Heap, dict[str, Any]]:
    """(guard, post-heap, choice variables) for one step kind."""
    g, hh, s, t, j, o = (z3.Int(n) for n in ("g", "peer", "slot", "src", "field", "obj"))
    nil = z3.Bool("nil")
    choice = {"g": g, "peer": hh, "slot": s, "src": t, "field": j, "obj": o, "nil": nil}
    rng = lambda x, n: z3.And(x >= 0, x < n)  # noqa: E731
    post = h.copy()
    gslots = lambda hp, gg: [_sel([hp.slot[q][i] for q in range(h.ng)], gg, -1) for i in range(h.ns)]  # noqa: E731
    val = _sel(gslots(h, g), t, -1)
    if kind == "load":  # p = x.f: x from slot t, into slot s; a stack write, no barrier
        x = val
        loaded = _sel([_sel(h.f[i], j, -1) for i in range(h.k)], x, -1)
        guard = z3.And(rng(g, h.ng), rng(s, h.ns), rng(t, h.ns), rng(j, h.nf), x >= 0)
        post.slot = [[z3.If(z3.And(g == q, s == i), loaded, h.slot[q][i]) for i in range(h.ns)] for q in range(h.ng)]
        return guard, post, choice
    if kind == "stack":  # p = q or p = nil
        guard = z3.And(rng(g, h.ng), rng(s, h.ns), rng(t, h.ns))
        newv = z3.If(nil, -1, val)
        post.slot = [[z3.If(z3.And(g == q, s == i), newv, h.slot[q][i]) for i in range(h.ns)] for q in range(h.ng)]
        return guard, post, choice
    if kind == "store":  # x.f = p (or nil), x from slot s, p from slot t
        x = _sel(gslots(h, g), s, -1)
        newv = z3.If(nil, -1, val)
        old = _sel([_sel(h.f[i], j, -1) for i in range(h.k)], x, -1)
        guard = z3.And(rng(g, h.ng), rng(s, h.ns), rng(t, h.ns), rng(j, h.nf), x >= 0)
        _barrier(v, post, g, old, newv)
        post.f = [[z3.If(z3.And(x == i, j == q), newv, h.f[i][q]) for q in range(h.nf)] for i in range(h.k)]
        return guard, post, choice
    if kind == "alloc":  # p = new(o): o unallocated; black during mark (GC-11) unless V7
        guard = z3.And(rng(g, h.ng), rng(s, h.ns), rng(o, h.k), z3.Not(_sel(h.alloc, o, z3.BoolVal(True))))
        colour = W if v == "hybrid_alloc_white" else B
        post.alloc = [z3.Or(h.alloc[i], o == i) for i in range(h.k)]
        post.colour = [z3.If(o == i, colour, h.colour[i]) for i in range(h.k)]
        post.slot = [[z3.If(z3.And(g == q, s == i), o, h.slot[q][i]) for i in range(h.ns)] for q in range(h.ng)]
        return guard, post, choice
    if kind == "handoff":  # send: g's slot t copied into peer's slot s (chan.go sendDirect, GC-14)
        guard = z3.And(rng(g, h.ng), rng(hh, h.ng), g != hh, rng(s, h.ns), rng(t, h.ns))
        old = _sel(gslots(h, hh), s, -1)
        if v != "hybrid_no_chan":
            _barrier(v, post, g, old, val, peer=hh)
        post.slot = [[z3.If(z3.And(hh == q, s == i), val, post.slot[q][i]) for i in range(h.ns)] for q in range(h.ng)]
        return guard, post, choice
    if kind == "drain":  # blacken grey o, shading its fields
        guard = z3.And(rng(o, h.k), _sel(h.alloc, o, z3.BoolVal(False)), _sel(h.colour, o, W) == G)
        for q in range(h.nf):
            post.shade(_sel([h.f[i][q] for i in range(h.k)], o, -1))
        post.colour = [z3.If(o == i, B, post.colour[i]) for i in range(h.k)]
        return guard, post, choice
    if kind == "scan":  # scan grey stack g (yuasa_snapshot: every stack at once)
        if v == "dijkstra_rescan":  # stacks are permagrey; the STW rescan is the only scan
            return z3.BoolVal(False), post, choice
        snap = v == "yuasa_snapshot"
        guard = z3.And(rng(g, h.ng), z3.Not(_sel(h.sblack, g, z3.BoolVal(True))))
        for q in range(h.ng):
            for p in h.slot[q]:
                post.shade(p if snap else z3.If(g == q, p, -1))
        post.sblack = [z3.BoolVal(True) if snap else z3.Or(h.sblack[q], g == q) for q in range(h.ng)]
        return guard, post, choice
    raise ValueError(f"unknown step '{kind}'")


def _term(v: str, h: Heap) -> Any:
    """Negated GC-SAFE at mark termination: Inv, no grey, stacks black, yet a
    stack-reachable white object (dijkstra_rescan: after the STW rescan)."""
    k = h.k
    reach = [z3.Or(*[p == i for row in h.slot for p in row]) for i in range(k)]
    for _ in range(k):
        reach = [z3.Or(reach[i], *[z3.And(reach[q], z3.Or(*[p == i for p in h.f[q]])) for q in range(k)])
                 for i in range(k)]
    if v == "dijkstra_rescan":  # the rescan greys every stack referent and drains: nothing white stays reachable
        return z3.BoolVal(False)
    no_grey = z3.And(*[c != G for c in h.colour])
    return z3.And(no_grey, *h.sblack, z3.Or(*[z3.And(reach[i], h.colour[i] == W, h.alloc[i]) for i in range(k)]))


def _render(m: z3.ModelRef, h: Heap, choice: dict[str, Any], kind: str) -> dict[str, Any]:
    ev = lambda x: m.eval(x, model_completion=True)  # noqa: E731
    num = lambda x: ev(x).as_long()  # noqa: E731
    return {
        "kind": kind,
        "colour": [num(c) for c in h.colour], "alloc": [z3.is_true(ev(a)) for a in h.alloc],
        "fields": [[num(p) for p in r] for r in h.f], "slots": [[num(p) for p in r] for r in h.slot],
        "stack_black": [z3.is_true(ev(b)) for b in h.sblack],
        **{n: (z3.is_true(ev(x)) if n == "nil" else num(x)) for n, x in choice.items()},
    }


def describe(w: dict[str, Any]) -> str:
    """A witness in words: the heap and the step."""
    col = ("white", "grey", "black")
    objs = []
    for i, (c, a, fs) in enumerate(zip(w["colour"], w["alloc"], w["fields"])):
        if a:
            objs.append(f"o{i}({col[c]})" + "".join(f" f{j}->o{p}" for j, p in enumerate(fs) if p >= 0))
    stacks = [f"G{g + 1}({'black' if w['stack_black'][g] else 'grey'})" + "".join(
        f" s{s}->o{p}" for s, p in enumerate(row) if p >= 0) for g, row in enumerate(w["slots"])]
    return f"heap {'; '.join(objs) or '(empty)'}; stacks {'; '.join(stacks)}; step: {_stmt(w)[1]}"


def _stmt(w: dict[str, Any]) -> tuple[int, str]:
    """(goroutine, statement text in the scenario language) of a mutator witness."""
    g, s, t, j = w["g"], w["slot"], w["src"], w["field"]
    src = "nil" if w["nil"] else f"s{t}"
    k = w["kind"]
    if k == "load":
        return g, f"s{s} = s{t}.f{j}"
    if k == "stack":
        return g, f"s{s} = {src}"
    if k == "store":
        return g, f"s{s}.f{j} = {src}"
    if k == "alloc":
        return g, f"s{s} = new(o{w['obj']})"
    if k == "handoff":
        return g, f"send s{t} -> G{w['peer'] + 1}.s{s}"
    return -1, f"GC {k}"


_CONFIG = {
    "none": {"barrier": "none"}, "dijkstra": {"barrier": "dijkstra"}, "yuasa": {"barrier": "yuasa"},
    "hybrid": {"barrier": "hybrid"}, "go": {"barrier": "go"}, "hybrid_any": {"barrier": "hybrid", "any_grey": True},
    "hybrid_alloc_white": {"barrier": "hybrid", "allocate": "white"},
    "yuasa_snapshot": {"barrier": "yuasa", "stacks_first": True},
    "dijkstra_rescan": {"barrier": "dijkstra", "stack_rescan": True},
    "hybrid_no_chan": {"barrier": "hybrid", "chan_barrier": False},
}


def replay(variant: str, w: dict[str, Any]) -> tuple[bool, str]:
    """Re-run a mutator witness on the explicit model (`GcModel`): build
    the witness heap as a scenario and a marking-phase state, take the one
    statement, and evaluate ``gc.weak_tricolor`` before and after.  Returns
    (confirmed, the explicit model's reason)."""
    from models.gc.collector import GcConfig, GcModel
    from models.gc.heap import LIVE, MARK, UNALLOC, GcState
    from models.gc.scenario import Goroutine, Scenario

    if variant not in _CONFIG:
        return False, f"no explicit configuration for {variant}"
    g, text = _stmt(w)
    if g < 0:
        return False, "a collector step; only mutator steps are replayed"
    k, nf = len(w["colour"]), len(w["fields"][0])
    names = tuple(f"o{i}" for i in range(k))
    pool = tuple(n for n, a in zip(names, w["alloc"]) if not a)
    edges = tuple((names[i], f"f{j}", names[p]) for i in range(k) for j, p in enumerate(w["fields"][i]) if p >= 0)
    gs = tuple(Goroutine(tuple(f"s{s}" for s in range(len(row))),
                         tuple(None if p < 0 else names[p] for p in row), (text,) if q == g else ())
               for q, row in enumerate(w["slots"]))
    sc = Scenario("z3-witness", names, tuple(f"f{j}" for j in range(nf)), edges, pool, (), gs)
    model = GcModel(sc, GcConfig(**_CONFIG[variant]))  # type: ignore[arg-type]
    s0 = model.init_states()[0]
    s0 = s0.with_(colour=tuple(w["colour"]), alloc=tuple(LIVE if a else UNALLOC for a in w["alloc"]),
                  stack_black=tuple(w["stack_black"]), phase=MARK, barrier=(True,) * len(gs),
                  jobs=tuple(q for q, b in enumerate(w["stack_black"]) if not b))
    assert isinstance(s0, GcState)
    before = model.weak_tricolor(s0)
    s1 = model.next_state(s0, ("G", g))
    after = model.weak_tricolor(s1)
    return before is True and isinstance(after, str), after if isinstance(after, str) else "invariant still holds"


def _witness(h: Heap, choice: dict[str, Any], kind: str) -> Callable[[Any], str]:
    """The renderer of a z3 model: a literal dict (read back by `ast.literal_eval`)."""
    def render(m: Any) -> str:
        return repr(_render(m, h, choice, kind))
    return render


def prove_variant(variant: str, k: int = 4, nf: int = 1, ng: int = 2, ns: int = 2,
                  timeout_ms: int = 60_000, steps: tuple[str, ...] = STEPS) -> dict[str, SmtResult]:
    """Every step's inductive obligation for one variant."""
    if variant not in SAFE + UNSAFE:
        raise ValueError(f"unknown barrier variant '{variant}'; known: {', '.join(SAFE + UNSAFE)}")
    out: dict[str, SmtResult] = {}
    for kind in steps:
        h = Heap.fresh(k, nf, ng, ns)
        s = solver(timeout_ms)
        s.add(h.wf(), _inv(variant, h))
        if kind == "term":
            none = {"g": z3.IntVal(-1), "peer": z3.IntVal(-1), "slot": z3.IntVal(0), "src": z3.IntVal(0),
                    "field": z3.IntVal(0), "obj": z3.IntVal(0), "nil": z3.BoolVal(False)}
            r = solve(s, _term(variant, h), witness=_witness(h, none, "term"))
        else:
            guard, post, choice = _step(variant, kind, h)
            r = solve(s, guard, z3.Not(_inv(variant, post)), witness=_witness(h, choice, kind))
        out[kind] = r
    return out


def _smallest(v: str, kind: str, k: int, nf: int, timeout_ms: int, found: SmtResult) -> SmtResult:
    """The counterexample on the fewest objects (deepening 1, 2, ... as
    bounded model checkers do), so the witness shows only what matters."""
    for kk in range(1, k):
        r = prove_variant(v, k=kk, nf=nf, timeout_ms=timeout_ms, steps=(kind,))[kind]
        if isinstance(r, Refuted):
            return r
    return found


def prove(k: int = 4, variants: tuple[str, ...] = SAFE + UNSAFE, nf: int = 1,
          timeout_ms: int = 60_000) -> list[dict[str, Any]]:
    """Rows for the CLI table, one per variant: ``holds`` when every step is
    proved, ``violated`` with a replay-confirmed witness, else ``unknown``."""
    rows = []
    for v in variants:
        t0 = time.monotonic()
        res = prove_variant(v, k=k, nf=nf, timeout_ms=timeout_ms)
        res = {kind: _smallest(v, kind, k, nf, timeout_ms, r) if isinstance(r, Refuted) else r
               for kind, r in res.items()}
        secs = round(time.monotonic() - t0, 2)
        expected = "holds" if v in SAFE else "violated"
        name = f"gc.barrier.{v}"
        refuted = [(kind, r) for kind, r in res.items() if isinstance(r, Refuted)]
        unknown = [(kind, r) for kind, r in res.items() if isinstance(r, Unknown)]
        if refuted:
            confirmed = []
            for kind, r in refuted:
                w = ast.literal_eval(r.witness)  # our own repr of plain lists, ints and bools
                ok, why = replay(v, w)
                confirmed.append((kind, w, ok, why))
            good = [c for c in confirmed if c[2]]
            if good:
                kind, w, _, why = good[0]
                reason = (f"step '{kind}' breaks the invariant: {describe(w)}; replayed on the explicit model: {why}"
                          f" ({len(good)} of {len(refuted)} broken step kinds confirmed)")
                verdict = "violated"
            else:
                kind, w, _, why = confirmed[0]
                verdict, reason = "unknown", f"z3 refuted step '{kind}' but the explicit replay did not confirm: {why}"
        elif unknown:
            verdict, reason = "unknown", "; ".join(f"{kind}: {r.reason}" for kind, r in unknown)
        else:
            assert all(isinstance(r, Proved) for r in res.values())
            verdict, reason = "holds", f"{len(res)} obligations proved ({', '.join(res)})"
        reason = f"{VARIANT_IDS[v]}, heaps of up to {k} objects with {nf} field(s), 2 goroutines x 2 slots: {reason}"
        rows.append({"property": name, "verdict": verdict, "reason": reason, "expected": expected,
                     "trace": None, "path": None, "loop": None, "length": None, "seconds": secs})
    return rows


def check(spec: Any) -> list[dict[str, Any]]:
    """Rows for ``python -m checker specs/gc/barrier_proof.yaml`` (``kind: gc_proof``):
    ``args: {k: 4, fields: 2}``; the properties name variants as ``gc.barrier.<variant>``."""
    from checker.errors import InputError
    args = dict(spec.model_args)
    bad = set(args) - {"k", "fields", "timeout_ms"}
    if bad:
        raise InputError(f"unknown gc_proof arg(s) {', '.join(sorted(bad))}; allowed: k, fields, timeout_ms",
                         spec.path, 1, 1)
    k, nf, tmo = args.get("k", 4), args.get("fields", 1), args.get("timeout_ms", 60_000)
    for name, val, lo, hi in (("k", k, 1, 8), ("fields", nf, 1, 3), ("timeout_ms", tmo, 1, 3_600_000)):
        if not isinstance(val, int) or isinstance(val, bool) or not lo <= val <= hi:
            raise InputError(f"gc_proof arg {name} must be an int in {lo}..{hi}, got {val!r}", spec.path, 1, 1)
    allowed = [f"gc.barrier.{v}" for v in SAFE + UNSAFE]
    variants = []
    for p in spec.properties:
        if p.name not in allowed:
            raise InputError(f"unknown barrier obligation '{p.name}'; allowed: {', '.join(allowed)}",
                             spec.path, p.line, p.col)
        variants.append(p.name.removeprefix("gc.barrier."))
    rows = prove(k=k, nf=nf, timeout_ms=tmo, variants=tuple(variants) or SAFE + UNSAFE)
    for r in rows:
        r["expected"] = spec.expect.get(r["property"])
    return rows
