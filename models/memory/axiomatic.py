"""Go's memory model as z3 constraints over one candidate execution (docs/go-semantics.md 4.1-4.5).

Input: a `Combination` of goroutine paths with concrete values (`paths`).
Unknowns: a total order ``t`` of the synchronizing events (MM-3), which
fixes how channels match (FIFO; MM-10..13), lock order (MM-14/15), Once
and WaitGroup edges, and which write each atomic load observes (the
t-latest: SC atomics, MM-18); and a reads-from choice for every plain read.
Happens-before is the transitive closure of program order and the
synchronized-before edges observed (`hbS`, over sync events only: a plain
event's hb relation is that of its nearest sync events).  Every base edge
goes forward in ``t``, so the closure equation has the one solution
(po ∪ sb)+ and hb is acyclic.  A plain read sees a write it does not happen
before and that is not overwritten in between in hb (MM-5/MM-22); strings
are two words read independently (MM-23).  No thin air: values come only
from writes (the path domains), and reads-from together with the
dependencies a write has on its goroutine's reads is acyclic (L12).

The `sc` flag adds one total order of *all* events in which every read
sees the latest write: the executions an interleaving semantics reaches.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import z3

from models.memory.paths import Combination, MEvent, Paths

__all__ = ["Execution", "build"]

_INIT = -1


@dataclass
class Execution:
    """The z3 encoding of one combination: solver, event table, observer reads."""

    solver: z3.Solver
    events: list[tuple[int, int, MEvent]]      # (goroutine number, index in it, event)
    gkeys: list[tuple[int, ...]]
    t: dict[int, z3.ArithRef]
    rf: dict[int, tuple[z3.ArithRef, list[int]]]   # read -> (choice var, candidate writes; -1 init)
    observers: dict[str, list[int]]                # variable -> its observer read events (words)
    init_value: dict[Hashable, Any]


def build(paths: Paths, combo: Combination, observe: list[str], sc: bool = False) -> Execution | None:
    """Encode `combo` (plus final reads of the variables `observe`); None when
    it is trivially infeasible (a read with no write of its value)."""
    combo = tuple(sorted(combo, key=lambda kv: (len(kv[0]), kv[0])))
    gkeys = [k for k, _ in combo]
    gnum = {k: i for i, k in enumerate(gkeys)}
    ev: list[tuple[int, int, MEvent]] = []
    start_of: dict[int, int] = {}
    for g, (_, es) in enumerate(combo):
        start_of[g] = len(ev)
        ev.extend((g, i, e) for i, e in enumerate(es))
    observers: dict[str, list[int]] = {}
    nmain = len(combo[0][1])
    for name in observe:
        gi = paths.globals[name]
        observers[name] = []
        for w in paths.words((gi, 0)):
            observers[name].append(len(ev))
            ev.append((0, nmain, MEvent("read", w, None, 0, name)))
            nmain += 1
    obs = {k for ks in observers.values() for k in ks}
    s = z3.Solver()
    s.set("timeout", 20_000)
    n = len(ev)
    idx_of = {(g, i): k for k, (g, i, _) in enumerate(ev)}
    sync = [k for k in range(n) if ev[k][2].sync]
    t = {k: z3.Int(f"t{k}") for k in sync}
    if len(sync) > 1:
        s.add(z3.Distinct(*t.values()))
    c = {k: z3.Int(f"c{k}") for k in range(n)}
    # nearest sync events, for hb of plain events
    nsync: dict[int, int | None] = {}
    psync: dict[int, int | None] = {}
    for g in range(len(combo)):
        ks = [k for k in range(n) if ev[k][0] == g]
        last = None
        for k in ks:
            last = k if ev[k][2].sync else last
            psync[k] = last
        nxt = None
        for k in reversed(ks):
            nxt = k if ev[k][2].sync else nxt
            nsync[k] = nxt
    base: dict[tuple[int, int], list[Any]] = {}

    def edge(x: int, y: int, cond: Any = True) -> None:
        base.setdefault((x, y), []).append(cond)
        s.add(z3.Implies(cond, t[x] < t[y]) if cond is not True else t[x] < t[y])

    for g in range(len(combo)):
        ks = [k for k in sync if ev[k][0] == g]
        for a, b in zip(ks, ks[1:]):
            edge(a, b)
    for k in sync:
        e = ev[k][2]
        if e.kind == "go":
            edge(k, start_of[gnum[e.arg]])

    def before(a: int, b: int) -> Any:
        return t[a] < t[b]

    def count(xs: list[int], y: int) -> Any:
        return z3.Sum([z3.If(before(x, y), 1, 0) for x in xs if x != y] or [z3.IntVal(0)])

    by: dict[tuple[str, Hashable], list[int]] = {}
    for k in sync:
        by.setdefault((ev[k][2].kind, ev[k][2].loc), []).append(k)
    objs = {ev[k][2].loc for k in sync}
    for o in objs:
        def get(kind: str, o: Hashable = o) -> list[int]:
            return by.get((kind, o), [])
        sends, acks, recvs = get("send"), get("send_ack"), get("recv")
        closes, rcs = get("close"), get("recv_closed")
        if sends or recvs or closes or rcs:
            cap = ev[(sends or recvs or rcs)[0]][2].arg or 0 if (sends or recvs or rcs) else 0
            if len(closes) > 1 or (rcs and not closes):
                return None
            ack = dict(zip(sends, acks))
            idx = {x: 1 + count(sends, x) for x in sends}
            idx.update({x: 1 + count(recvs, x) for x in recvs})
            for r in recvs:
                s.add(idx[r] <= len(sends))
                for sd in sends:
                    m = idx[sd] == idx[r]
                    if ev[sd][2].value != ev[r][2].value:
                        s.add(z3.Not(m))
                        continue
                    edge(sd, r, m)
                    s.add(z3.Implies(m, c[sd] < c[r]))
                    if cap == 0:
                        edge(r, ack[sd], m)
                if cap > 0:
                    for sd in sends:
                        edge(r, sd, idx[sd] == idx[r] + cap)
            for sd in sends:
                s.add(idx[sd] <= len(recvs) + cap)
                for cl in closes:
                    s.add(before(sd, cl))
            for rc in rcs:
                edge(closes[0], rc)
                s.add(count(recvs, rc) == len(sends))
        locks, unlocks, rlocks, runlocks = get("lock"), get("unlock"), get("rlock"), get("runlock")
        for L in locks:
            s.add(count(unlocks, L) == count(locks, L), count(runlocks, L) == count(rlocks, L))
            for U in unlocks:
                edge(U, L, before(U, L))
            for RU in runlocks:
                edge(RU, L, before(RU, L))
        for U in unlocks:
            s.add(count(locks, U) == count(unlocks, U) + 1)
        for RL in rlocks:
            s.add(count(locks, RL) == count(unlocks, RL))
            for U in unlocks:
                edge(U, RL, before(U, RL))
        for RU in runlocks:
            s.add(count(rlocks, RU) > count(runlocks, RU))
        adds, waits = get("wg_add"), get("wg_wait_return")

        def total(y: int, incl: bool = False, adds: list[int] = adds) -> Any:
            return z3.Sum([z3.If(before(a, y), ev[a][2].arg, 0) for a in adds if a != y]
                          + [z3.IntVal(ev[y][2].arg if incl else 0)])
        for W in waits:
            s.add(total(W) == 0)
            for A in adds:
                if ev[A][2].arg < 0:
                    edge(A, W, before(A, W))
        for A in adds:
            s.add(total(A, incl=True) >= 0)
        firsts, dones, rets = get("once_first"), get("once_done"), get("once_return")
        if firsts or rets:
            if len(firsts) != 1 or (rets and not dones):
                return None
            for R in rets:
                edge(dones[0], R)
    # reads-from
    writes: dict[Hashable, list[int]] = {}
    for k in range(n):
        if ev[k][2].writes:
            writes.setdefault(ev[k][2].loc, []).append(k)
    init_value: dict[Hashable, Any] = {}
    rf: dict[int, tuple[Any, list[int]]] = {}
    # happens-before as vector clocks over the sync events: V[y][g] is the
    # latest sync event of goroutine g (1-based, in program order) that hb y.
    G = len(combo)
    pos = {}
    for g in range(G):
        for j, k in enumerate(k for k in sync if ev[k][0] == g):
            pos[k] = j + 1
    V = {(y, g): z3.Int(f"V{y}_{g}") for y in sync for g in range(G)}

    def hbS(x: int, y: int) -> Any:
        return z3.IntVal(pos[x]) <= V[(y, ev[x][0])]

    def hb(a: int, b: int) -> Any:
        if a == _INIT:
            return True
        if b == _INIT or a == b:
            return False
        if ev[a][0] == ev[b][0]:
            return ev[a][1] < ev[b][1]
        x, y = nsync[a], psync[b]
        if x is None or y is None:
            return False
        return hbS(x, y)

    for r in range(n):
        e = ev[r][2]
        if not e.reads:
            continue
        loc = e.loc
        iv = _zero_word(paths, loc)
        init_value[loc] = iv
        atomic = e.kind != "read"
        ws = [w for w in writes.get(loc, []) if w != r and (not atomic or ev[w][2].sync)]
        observer = r in obs
        cands = [w for w in ws if observer or ev[w][2].written == e.value]
        if observer or iv == e.value:
            cands = [_INIT] + cands
        if not cands:
            return None
        ch = z3.Int(f"rf{r}")
        s.add(ch >= 0, ch < len(cands))
        rf[r] = (ch, cands)
        for j, w in enumerate(cands):
            sel = ch == j
            others = [w2 for w2 in ws if w2 != w]
            if atomic:
                vis = [z3.Not(z3.And(before(w, w2), before(w2, r))) if w != _INIT else z3.Not(before(w2, r))
                       for w2 in others]
                if w != _INIT:
                    vis.append(before(w, r))
                    base.setdefault((w, r), []).append(sel)
            else:
                vis = [z3.Not(hb(r, w))] + [z3.Not(z3.And(hb(w, w2), hb(w2, r))) for w2 in others]
            if w != _INIT:
                vis.append(c[w] < c[r])
            s.add(z3.Implies(sel, z3.And(*[v for v in vis if v is not True] or [z3.BoolVal(True)])))
    for k in range(n):
        g, i, e = ev[k]
        for d in e.deps:
            if d != i and (g, d) in idx_of:
                s.add(c[idx_of[(g, d)]] < c[k])
    # the clocks: own position, joined along every active incoming edge
    incoming: dict[int, list[tuple[int, Any]]] = {}
    for (x, y), conds in base.items():
        cond = True if any(cnd is True for cnd in conds) else z3.Or(*conds)
        incoming.setdefault(y, []).append((x, cond))
    for y in sync:
        for g in range(G):
            m: Any = z3.IntVal(pos[y] if g == ev[y][0] else 0)
            for x, cond in incoming.get(y, []):
                term = V[(x, g)] if cond is True else z3.If(cond, V[(x, g)], 0)
                m = term if m is None else z3.If(term > m, term, m)
            s.add(V[(y, g)] == m)
    if sc:
        _sequential(s, ev, t, rf, writes, obs)
    return Execution(s, ev, gkeys, t, rf, observers, init_value)


def _zero_word(paths: Paths, loc: Hashable) -> Any:
    if isinstance(loc, tuple) and len(loc) == 2 and loc[1] in ("p", "n") and isinstance(loc[0], tuple):
        z = paths.zero.get(loc[0], "")
        return z if loc[1] == "p" else len(z)
    return paths.zero.get(loc, 0)


def _word_pair(a: Any, b: Any) -> bool:
    return (isinstance(a, tuple) and isinstance(b, tuple) and len(a) == 2 and len(b) == 2
            and a[1] == "p" and b[1] == "n" and a[0] == b[0] and isinstance(a[0], tuple))


def _sequential(s: z3.Solver, ev: list[tuple[int, int, MEvent]], t: dict[int, Any],
                rf: dict[int, tuple[Any, list[int]]], writes: dict[Hashable, list[int]], obs: set[int]) -> None:
    """One interleaving of all events: po, t and reads-the-latest-write (SC);
    the final reads come after every goroutine has exited."""
    o = [z3.Int(f"o{k}") for k in range(len(ev))]
    s.add(z3.Distinct(*o))
    for k in obs:
        s.add(*[o[j] < o[k] for j in range(len(ev)) if j not in obs])
    order = sorted(range(len(ev)), key=lambda k: (ev[k][0], ev[k][1]))
    for a, b in zip(order, order[1:]):
        if ev[a][0] == ev[b][0]:
            s.add(o[a] < o[b])
            la, lb = ev[a][2].loc, ev[b][2].loc
            if _word_pair(la, lb) and ev[a][2].kind == ev[b][2].kind:  # one string access: one step
                s.add(*[z3.Or(o[k] < o[a], o[b] < o[k]) for k in range(len(ev)) if k not in (a, b)])
    for a in t:
        for b in t:
            if a != b:
                s.add(z3.Implies(t[a] < t[b], o[a] < o[b]))
    for r, (ch, cands) in rf.items():
        ws = [w for w in writes.get(ev[r][2].loc, []) if w != r]
        for j, w in enumerate(cands):
            if w == _INIT:
                cond = z3.And(*[o[r] < o[w2] for w2 in ws] or [z3.BoolVal(True)])
            else:
                cond = z3.And(o[w] < o[r], *[z3.Or(o[w2] < o[w], o[r] < o[w2]) for w2 in ws if w2 != w])
            s.add(z3.Implies(ch == j, cond))
