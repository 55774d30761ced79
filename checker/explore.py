"""One `explore()`: breadth-first, depth-first or seeded random simulation.

The three strategies differ only in their frontier.  States are hashed once
into a table that maps each to a dense index; a state's parent is an index
and the action taken is an index into ``actions(parent)``, so a trace is
rebuilt by replaying the model (no copies of states along paths).  Safety
properties (``always``, ``sometimes``, ``deadlock``) are checked as states
are found; liveness properties are left in ``Result.undecided`` for
:func:`checker.check.check`, which runs :mod:`checker.liveness` on the
finished state graph.  Any limit (states, depth, time, Ctrl-C) makes the
undecided properties ``unknown``: a bound never becomes ``holds``.

Examples
--------
>>> from checker.model import Property
>>> class Counter:
...     def init_states(self): return [0]
...     def actions(self, s): return [1, 2] if s < 4 else []
...     def next_state(self, s, a): return min(s + a, 4)
...     def properties(self): return [Property.always("below 4", lambda s: s < 4)]
>>> r = explore(Counter())
>>> r.stats.states, r.stats.transitions, str(r["below 4"].verdict), r["below 4"].path
(5, 8, 'violated', (0, 1, 1))
"""

from __future__ import annotations

import os
import random
import resource
import sys
import time
from array import array
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Literal

from checker.files import MIB
from checker.model import HOLDS, BoundExceeded, Property, Verdict, evaluate, hook, unknown, violated
from checker.reduce import NOT_PRESERVED, PENDING, ample_successors, supports_reduction
from checker.results import Graph, PropertyResult, Result, Stats

Strategy = Literal["bfs", "dfs", "random"]


class _Progress:
    """A rich progress line on stderr for long runs; silent off a terminal."""

    def __init__(self, enabled: bool):
        self.live = None
        self.last = 0.0
        if enabled and sys.stderr.isatty():
            from rich.console import Console
            from rich.live import Live
            self.live = Live("", console=Console(stderr=True), transient=True, refresh_per_second=4)
            self.live.start()

    def update(self, stats: Stats, frontier: int, start: float) -> None:
        if self.live is None:
            return
        now = time.monotonic()
        if now - self.last < 0.25:
            return
        self.last = now
        secs = now - start
        self.live.update(f"[bold]{stats.states:,}[/] states  {stats.transitions:,} transitions  "
                         f"depth {stats.depth}  frontier {frontier:,}  "
                         f"{stats.states / secs if secs else 0:,.0f} states/s")

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()


def peak_memory_mb() -> float:
    """Peak resident memory of this process, in MiB."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024.0


def current_rss_mb() -> float:
    """Resident memory of this process now, in MiB (Linux ``/proc``; elsewhere the peak so far)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            pages = int(f.read().split()[1])
        return pages * (os.sysconf("SC_PAGE_SIZE") / MIB)
    except (OSError, ValueError, IndexError, AttributeError):
        return peak_memory_mb()


def memory_limit_mb(requested: float | None) -> float:
    """The resident-memory bound of a search: `requested` MiB, or for 0/None three quarters of the
    machine's physical memory (so the search ends ``unknown`` before the machine runs out)."""
    if requested:
        return float(requested)
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / MIB * 0.75
    except (OSError, ValueError, AttributeError):
        return float("inf")


#: States expanded between two looks at the process's memory (reading /proc costs ~20 us: under 1% of
#: the time of 128 expansions; often enough that states growing fast cannot outrun it).
MEMORY_CHECK_EVERY = 128


def explore(model: Any, strategy: Strategy = "bfs", *, max_states: int = 10_000_000,
            max_depth: int = 1_000_000, timeout_s: float | None = None, seed: int = 0,
            walks: int = 1000, progress: bool = False, properties: Sequence[Property] | None = None,
            stop_early: bool = False, reduce: bool = False, proviso: str = "acyclic",
            fingerprints: bool = False, max_memory_mb: float | None = None, compact: bool = True,
            _keep_paths: bool = False) -> Result:
    """Search the state space of `model` and decide its properties.

    `strategy` picks the frontier: ``bfs`` (shortest counterexamples), ``dfs``
    or ``random`` (`walks` seeded random walks of at most `max_depth` steps;
    never proves anything, so undecided properties end ``unknown``).
    `stop_early` ends the search once every safety property is violated.
    `reduce` turns on ample-set partial-order reduction (:mod:`checker.reduce`)
    for ``bfs``/``dfs`` when the model has the ``persistent_set`` and
    ``visible`` hooks; liveness properties are then ``unknown``.  `proviso`
    is its cycle condition C3 (default ``"acyclic"``): ``"visited"`` expands fully when any ample
    successor is already known, ``"depth"`` only when one was found at a
    depth <= the state's own (both sound for bfs and dfs); ``"acyclic"``
    checks nothing during the search: when the frontier is empty it looks
    for cycles of the explored graph that run through reduced states only
    (`checker.reduce.cycle_breakers`), expands a state of each fully, goes
    on, and looks again, so that every cycle holds a fully expanded state
    (the cycle condition itself).  A terminating program keeps every
    reduction.  With fingerprints (no states kept to expand again) it is
    ``"visited"`` breadth first and SPIN's stack proviso depth first.
    `fingerprints` keeps 64-bit fingerprints instead of states
    (:class:`checker.store.FingerprintStore`, bfs/dfs only) and nothing
    else per state, as SPIN's hash compaction: no parent links, no depths,
    ``Result.states`` empty.  Depth first it is SPIN's search (`_lean_dfs`:
    the stack is the path, the stack proviso for the reduction); breadth
    first a violation's path is found afterwards by running the same
    search again up to the state that violated, this time with parent
    links (the order is the same, so the state has the same number).
    Liveness properties are
    ``unknown``, and a ``holds`` carries the probability that a state was
    missed (also ``stats.omission_probability``).
    `max_memory_mb` bounds the process's resident memory, looked at every
    `MEMORY_CHECK_EVERY` expanded states (`memory_limit_mb`: 0 or None is
    three quarters of the machine): past it the search stops and whatever is
    undecided is ``unknown``.
    `compact` (bfs/dfs, on by default) stores each state as the numbers of
    its parts (`checker.store.CompactCodec`) when the model has the
    ``state_parts`` and ``state_from_parts`` hooks: the same states are
    found in the same order, in a fraction of the memory; ``Result.states``
    then unpacks a state when it is read.  With fingerprints the frontier
    holds the packed states.
    """
    props = list(model.properties() if properties is None else properties)
    always = [p for p in props if p.kind == "always"]
    sometimes = [p for p in props if p.kind == "sometimes"]
    deadlock = [p for p in props if p.kind == "deadlock"]
    liveness = [p for p in props if p.is_liveness]
    results: dict[str, PropertyResult] = {}
    fairness = hook(model, "fairness")
    reducing = reduce and strategy != "random" and supports_reduction(model)
    if fingerprints and strategy == "random":
        raise ValueError("the fingerprint store needs a bfs or dfs search")
    need_graph = bool(liveness) and strategy != "random" and not reducing and not fingerprints
    if fingerprints and proviso in ("depth", "acyclic"):
        proviso = "visited"  # the store keeps no index, hence no depth, of a known state, nor states
    after = reducing and proviso == "acyclic"  # C3 made good once the frontier is empty
    red_flag = bytearray()  # reduced states (proviso "acyclic")
    ecode = "i" if max_states < 1 << 31 else "q"  # state numbers: 4 bytes while they fit
    red_src, red_dst = array(ecode), array(ecode)  # their ample edges
    full_again: set[int] = set()

    #: fingerprints: only the fingerprint table is kept per state (paths are found again later)
    lean = fingerprints and not _keep_paths
    later: dict[str, int] = {}  # lean: property name -> the number of the state its path leads to
    states: list[Any] = []  # the states, or their packed keys with a codec
    index: Any = {}
    codec = None
    if compact and strategy != "random":
        split, join = getattr(model, "state_parts", None), getattr(model, "state_from_parts", None)
        if split is not None and join is not None:
            from checker.store import CompactCodec, KeyTable
            codec = CompactCodec(split, join)
            if not fingerprints:
                index = KeyTable(states)
    if fingerprints:
        from checker.store import FingerprintStore
        index = FingerprintStore()
    parent = array("q")
    taken = array("i")  # an action index (4 bytes a state)
    depth_of = array("i")
    estart, ecount = array("q"), array("l")
    etarget, eaction, egroup = array("q"), array("l"), array("l")
    enabled: list[int] = []
    group_ids: dict[Hashable, int] = {}
    groups: list[Hashable] = []

    stats = Stats(strategy=strategy)
    start = time.monotonic()
    deadline = start + timeout_s if timeout_s else None
    memory_cap = memory_limit_mb(max_memory_mb)
    display = _Progress(progress)
    pending_safety = {p.name for p in always + deadlock}
    unseen = {p.name: p for p in sometimes}

    #: bottom properties ("no key stays in every state of a bottom component") decided at final
    #: states where the search keeps no graph: a state without successors is a bottom component of
    #: its own, so a key it holds is a violation (random walks, reduction; the graph decides the rest)
    final_bottoms = [p for p in liveness if p.kind == "bottom"] if (strategy == "random" or reducing) else []

    #: the lean depth-first search's stack as a path (SPIN's trail): the initial state's index, then
    #: the action taken from each state on the stack (and to the state being added)
    trail: list[int] = []

    def path_to(name: str, i: int) -> tuple[int, ...] | None:
        if trail:
            return tuple(trail)
        if lean:
            later[name] = i
            return None
        return tuple(_path(parent, taken, i))

    def check_end(s: Any, i: int) -> None:
        """State `i` has no enabled action: is it a proper end or a deadlock?"""
        for p in deadlock:
            if p.name not in results:
                reason = evaluate(p.cond, s)
                if reason is not None:
                    results[p.name] = PropertyResult(p, violated(reason or "no action is enabled"),
                                                     path_to(p.name, i))
                    pending_safety.discard(p.name)
        for p in final_bottoms:
            if p.name not in results and p.keys is not None:
                stuck = p.keys(s)
                if stuck:
                    from checker.liveness import key_list
                    results[p.name] = PropertyResult(
                        p, violated(f"{key_list(stuck)} blocked forever: no continuation from here unblocks it "
                                    "(a final state)"),
                        path_to(p.name, i))

    def add(s: Any, par: int, act: int, depth: int, indexed: bool = False, key: Any = None) -> int:
        """Store `s` (or its packed `key`) as the next state number, and check it."""
        if key is None:
            key = s
        if lean:
            i = stats.states
            stats.states += 1
            if not indexed:
                index[key] = i
        else:
            i = len(states)
            states.append(key)
            if not indexed:
                index[key] = i
            parent.append(par)
            taken.append(act)
            depth_of.append(depth)
        if need_graph:  # 20 bytes a state that only liveness uses
            estart.append(-1)
            ecount.append(0)
            enabled.append(0)
        if depth > stats.depth:
            stats.depth = depth
        for p in always:
            if p.name in results:
                continue
            reason = evaluate(p.cond, s)
            if reason is not None:
                results[p.name] = PropertyResult(p, violated(reason), None)
                results[p.name].path = path_to(p.name, i)
                pending_safety.discard(p.name)
        if unseen:
            for name, p in list(unseen.items()):
                if evaluate(p.cond, s) is None:
                    results[name] = PropertyResult(p, HOLDS, path_to(name, i))
                    del unseen[name]
        return i

    def halt(expanded: int, stored: int, left: int) -> str | None:
        """After an expansion: None to go on, else why the search stops ("" if nothing is `left`)."""
        why = None
        if stored >= max_states:
            why = f"max_states {max_states} reached"
        elif stop_early and not pending_safety and not unseen:
            why = "stopped early: every safety property is decided"
        elif expanded % MEMORY_CHECK_EVERY == 0 and current_rss_mb() > memory_cap:
            why = f"max_memory_mb {memory_cap:g} reached"
        elif expanded & 255 == 0:
            stats.states = stored  # for the progress line (the count is final after the loop)
            display.update(stats, left, start)
            if deadline is not None and time.monotonic() > deadline:
                why = f"timeout {timeout_s:g}s reached"
        return why if why is None or left else ""

    stop = ""
    try:
        inits = list(model.init_states())
        seeds: list[tuple[Any, int, int]] = []
        for k, s in enumerate(inits):
            key = codec.pack(s) if codec is not None else s
            if key not in index:
                seeds.append((key, add(s, -1, k, 0, key=key), k))
        if lean and strategy == "dfs":
            stop = _lean_dfs(model, seeds, codec, index, add, check_end, halt, stats, reducing, max_depth, trail)
            trail.clear()
        elif lean:
            stop = _lean_search(model, strategy, seeds, codec, index, add, check_end, halt, stats,
                                reducing, max_depth)
        elif strategy == "random":
            stop = _random_walks(model, inits, add, check_end, index, stats, walks, max_depth, seed, deadline,
                                 memory_cap, (lambda: all(p.name in results for p in props)) if stop_early else None)
        else:
            frontier: deque[int] = deque(range(len(states))) if strategy == "bfs" else deque(range(len(states) - 1, -1, -1))
            pop = frontier.popleft if strategy == "bfs" else frontier.pop
            actions_of = model.actions
            step = model.next_state
            setdefault = index.setdefault
            pack = codec.pack if codec is not None else None
            unpack = codec.unpack if codec is not None else None
            #: the model's own way to the packed successor (`checker.model`: ``packed_next``)
            packed_next = getattr(model, "packed_next", None) if codec is not None else None
            seen = index if codec is None else _PackedIndex(index, codec.pack)  # the reduction's C3 lookups
            expanded = 0
            while True:
                while frontier:
                    i = pop()
                    s = sk = states[i]
                    if fingerprints:
                        states[i] = None  # only its fingerprint stays
                    if unpack is not None:
                        s = unpack(sk)
                    acts = actions_of(s)
                    d = depth_of[i] + 1
                    if reducing and i not in full_again:
                        succ, cut = ample_successors(model, s, acts, step, seen,
                                                     depth_of if proviso == "depth" else None, i, not after)
                        if cut:
                            stats.reduced += 1
                            if after:
                                if len(red_flag) <= i:
                                    red_flag.extend(bytes(i + 1025 - len(red_flag)))
                                red_flag[i] = 1
                    else:
                        succ = [(k, a, PENDING) for k, a in enumerate(acts)]
                        cut = False
                    if need_graph:
                        estart[i] = len(etarget)
                        ecount[i] = len(acts)
                        mask = 0
                    if not acts:
                        check_end(s, i)
                    for k, a, t in succ:
                        key, t = _successor(step, pack, packed_next, codec, s, sk, a, t)
                        stats.transitions += 1
                        n = len(states)
                        if d > max_depth:  # found states keep their index; a new one is not stored
                            j = index.get(key)
                            if j is None:
                                stop = stop or f"max_depth {max_depth} reached"
                                if not need_graph:
                                    continue
                                j = -1
                        else:
                            j = setdefault(key, n)  # one hash of the successor, found or new
                            if j == n:
                                add(codec.unpack(key) if t is None else t, i, k, d, indexed=True, key=key)  # type: ignore[union-attr]
                                frontier.append(j)
                        if after and cut:
                            red_src.append(i)
                            red_dst.append(j)
                        if need_graph:
                            g = fairness(s, a)
                            gid = -1
                            if g is not None:
                                gid = group_ids.get(g, -1)
                                if gid < 0:
                                    gid = group_ids[g] = len(groups)
                                    groups.append(g)
                                mask |= 1 << gid
                            etarget.append(j)
                            eaction.append(k)
                            egroup.append(gid)
                    if need_graph:
                        enabled[i] = mask
                    expanded += 1
                    why = halt(expanded, len(states), len(frontier))
                    if why is not None:
                        stop = why or stop
                        break
                if after and not stop:
                    from checker.reduce import cycle_breakers  # looked up here: tests switch it off
                    red_flag.extend(bytes(max(0, len(states) - len(red_flag))))
                    again = cycle_breakers(red_flag, red_src, red_dst, depth_of)
                    if again:
                        for x in again:
                            red_flag[x] = 0
                            full_again.add(x)
                            frontier.append(x)
                        stats.reduced -= len(again)
                        continue
                break
            if frontier and not stop:
                stop = "search stopped"
    except KeyboardInterrupt:
        stop = "interrupted"
    except BoundExceeded as e:
        stop = f"the model hit a bound: {e}"
    except MemoryError:
        stop = "out of memory (a step allocated more than the machine has)"
    finally:
        display.close()

    if not lean:
        stats.states = len(states)
    if later:  # the paths a lean search did not keep: the same search again, with them, up to the last
        rerun = explore(model, strategy, max_states=max(later.values()) + 1, max_depth=max_depth,
                        properties=[], reduce=reduce, proviso=proviso, fingerprints=True, compact=compact,
                        _keep_paths=True)
        for name, i in later.items():
            if i < len(rerun.parent):
                results[name].path = tuple(_path(rerun.parent, rerun.taken, i))
    stats.seconds = time.monotonic() - start
    stats.complete = not stop
    stats.stop_reason = stop
    holds = HOLDS
    if fingerprints:
        stats.store = "fingerprints"
        stats.omission_probability = index.omission_probability()
        holds = Verdict("holds", f"hash compaction: P(a state was missed) <= {stats.omission_probability:.2g}")
    graph = None
    if need_graph:
        graph = Graph(estart, ecount, etarget, eaction, egroup, enabled, groups)
    if codec is not None and not lean:
        from checker.store import PackedStates
        result = Result(results, stats, PackedStates(states, codec.unpack), parent, taken, graph, depth_of)
    else:
        result = Result(results, stats, states, parent, taken, graph, depth_of)

    exhaustive = stats.complete and strategy != "random"
    why = stop or "random simulation is not exhaustive"
    for p in always + deadlock:
        if p.name not in results:
            results[p.name] = PropertyResult(p, holds if exhaustive else unknown(why))
    for name, p in unseen.items():
        never = "never reached" + (f" ({holds.reason})" if holds.reason else "")
        results[name] = PropertyResult(p, violated(never) if exhaustive else unknown(why))
    if liveness and reducing:
        for p in liveness:
            if p.name not in results:  # a violation at a final state stands
                results[p.name] = PropertyResult(p, unknown(NOT_PRESERVED))
    elif liveness and fingerprints:
        for p in liveness:
            results[p.name] = PropertyResult(p, unknown("not checked with the fingerprint store (no state graph)"))
    elif liveness:
        if not (exhaustive and graph is not None and not any(t < 0 for t in etarget)):
            for p in liveness:
                if p.name not in results:
                    results[p.name] = PropertyResult(p, unknown(why if not exhaustive else "graph incomplete"))
        else:
            result.undecided = liveness  # decided on the graph by checker.check
    stats.peak_mb = peak_memory_mb()
    result.results = {p.name: results[p.name] for p in props if p.name in results}
    return result


class _PackedIndex:
    """The state table seen through a codec: `get(state)` looks up the state's packed key."""

    __slots__ = ("index", "pack")

    def __init__(self, index: Any, pack: Callable[[Any], Any]):
        self.index = index
        self.pack = pack

    def get(self, s: Any, default: Any = None) -> Any:
        return self.index.get(self.pack(s), default)


def _lean_expand(model: Any, s: Any, i: int, reducing: bool, c3: Any, stats: Stats,
                 check_end: Callable[[Any, int], None]) -> list[tuple[int, Any, Any]]:
    """The successors a lean search takes from state `s` (number `i`): its ample set when `reducing`
    (C3 rejects an ample successor that `c3` knows: the table for ``visited``, the stack for the
    stack proviso), else every action; a state without actions is checked as an end."""
    acts = model.actions(s)
    if reducing:
        succ, cut = ample_successors(model, s, acts, model.next_state, c3, None, i, True)
        stats.reduced += cut
    else:
        succ = [(k, a, PENDING) for k, a in enumerate(acts)]
    if not acts:
        check_end(s, i)
    return succ


def _successor(step: Any, pack: Any, packed_next: Any, codec: Any, s: Any, key: Any, a: Any,
               t: Any) -> tuple[Any, Any]:
    """(the key of `s`'s successor by `a`, the successor or None): `t` when known, else through the
    model's ``packed_next`` (then None: unpacked only if new) or ``next_state``."""
    if t is PENDING:
        if packed_next is not None:
            return packed_next(codec, s, key, a), None
        t = step(s, a)
    return (t if pack is None else pack(t)), t


def _lean_search(model: Any, strategy: Strategy, seeds: list[tuple[Any, int, int]], codec: Any, index: Any,
                 add: Callable[..., int], check_end: Callable[[Any, int], None],
                 halt: Callable[[int, int, int], str | None], stats: Stats, reducing: bool, max_depth: int) -> str:
    """`explore`'s search with the fingerprint store and nothing else per state.  States are numbered
    as `explore` numbers them, so a second search with parent links reaches state number i by the same
    path.  Depth-first, the frontier holds ``(state or packed key, number, depth)``; breadth-first
    only the state or key: the k-th state taken is state number k, and a level ends where the states
    stored when it began end."""
    bfs = strategy == "bfs"
    frontier: deque[Any] = deque(key for key, _, _ in seeds) if bfs else deque((key, i, 0) for key, i, _ in reversed(seeds))
    level, level_end = 0, len(seeds)
    pop = frontier.popleft if bfs else frontier.pop
    push = frontier.append
    step, setdefault = model.next_state, index.setdefault
    pack = codec.pack if codec is not None else None
    unpack = codec.unpack if codec is not None else None
    packed_next = getattr(model, "packed_next", None) if codec is not None else None
    seen = index if codec is None else _PackedIndex(index, codec.pack)
    stop = ""
    expanded = 0
    while frontier:
        if bfs:
            key, i = pop(), expanded
            if i == level_end:
                level, level_end = level + 1, stats.states
            d = level
        else:
            key, i, d = pop()
        s = key if unpack is None else unpack(key)
        d += 1
        for k, a, t in _lean_expand(model, s, i, reducing, seen, stats, check_end):  # C3: "visited"
            tk, t = _successor(step, pack, packed_next, codec, s, key, a, t)
            stats.transitions += 1
            if d > max_depth:
                if index.get(tk) is None:
                    stop = stop or f"max_depth {max_depth} reached"
                continue
            n = stats.states
            if setdefault(tk, n) == n:
                add(codec.unpack(tk) if t is None else t, i, k, d, indexed=True, key=tk)
                push(tk if bfs else (tk, n, d))
        expanded += 1
        why = halt(expanded, stats.states, len(frontier))
        if why is not None:
            return why or stop
    return stop


def _lean_dfs(model: Any, seeds: list[tuple[Any, int, int]], codec: Any, index: Any, add: Callable[..., int],
              check_end: Callable[[Any, int], None], halt: Callable[[int, int, int], str | None], stats: Stats,
              reducing: bool, max_depth: int, trail: list[int]) -> str:
    """SPIN's search for the fingerprint store: depth first, the stack is the path.

    `trail` holds the path to the top of the stack (what `explore`'s path_to returns while it is
    set), so a violation's path is read off the stack and nothing is kept per state but its
    fingerprint.  The reduction's cycle condition is SPIN's stack proviso: a state whose ample
    set leads back onto the stack is expanded fully (every cycle of the reduced graph then has a
    fully expanded state, as C3 asks).  Counterexamples are not the shortest, as in SPIN."""
    pack = codec.pack if codec is not None else None
    unpack = codec.unpack if codec is not None else None
    packed_next = getattr(model, "packed_next", None) if codec is not None else None
    step, setdefault = model.next_state, index.setdefault
    on_stack: dict[Any, int] = {}  # keys of the states on the stack
    c3 = on_stack if pack is None else _PackedIndex(on_stack, pack)
    stop = ""
    expanded = 0

    def frame(key: Any, s: Any, i: int, d: int) -> list[Any]:
        return [key, s, i, d, _lean_expand(model, s, i, reducing, c3, stats, check_end), 0]

    for key, i, k0 in seeds:
        trail[:] = [k0]
        on_stack[key] = i
        stack = [frame(key, key if unpack is None else unpack(key), i, 0)]
        expanded += 1
        while stack:
            top = stack[-1]
            key, s, i, d, succ, at = top
            if at == len(succ):
                stack.pop()
                del on_stack[key]
                trail.pop()
                continue
            if s is None and unpack is not None:  # a frame below the top keeps its state packed (the stack may be deep)
                s = top[1] = unpack(key)
            top[5] = at + 1
            k, a, t = succ[at]
            succ[at] = None  # taken: its successor state is not kept on the stack
            tk, t = _successor(step, pack, packed_next, codec, s, key, a, t)
            stats.transitions += 1
            if d + 1 > max_depth:
                if index.get(tk) is None:
                    stop = stop or f"max_depth {max_depth} reached"
                continue
            n = stats.states
            if setdefault(tk, n) == n:
                trail.append(k)
                if t is None:
                    t = codec.unpack(tk)
                add(t, i, k, d + 1, indexed=True, key=tk)
                on_stack[tk] = n
                if unpack is not None:
                    top[1] = None
                stack.append(frame(tk, t, n, d + 1))
                expanded += 1
                why = halt(expanded, stats.states, len(stack))
                if why is not None:
                    return why or stop
    return stop


def _path(parent: array, taken: array, i: int) -> list[int]:
    steps: list[int] = []
    while parent[i] >= 0:
        steps.append(taken[i])
        i = parent[i]
    steps.append(taken[i])
    steps.reverse()
    return steps


def _random_walks(model: Any, inits: list[Any], add: Callable[..., int], check_end: Callable[[Any, int], None],
                  index: dict[Any, int], stats: Stats, walks: int, max_depth: int, seed: int,
                  deadline: float | None, memory_cap: float = float("inf"),
                  decided: Callable[[], bool] | None = None) -> str:
    """Seeded random walks; found states join the table so traces replay.  `decided`: stop
    once it says every property is decided (``stop_early``)."""
    rng = random.Random(seed)
    for _ in range(walks):
        k = rng.randrange(len(inits))
        s = inits[k]
        i = index[s]
        for d in range(1, max_depth + 1):
            if d & 1023 == 0 and deadline is not None and time.monotonic() > deadline:
                return "timeout reached"
            acts = model.actions(s)
            if not acts:
                check_end(s, i)
                break
            a_i = rng.randrange(len(acts))
            t = model.next_state(s, acts[a_i])
            stats.transitions += 1
            j = index.get(t)
            if j is None:
                j = add(t, i, a_i, d)
            s, i = t, j
        if deadline is not None and time.monotonic() > deadline:
            return "timeout reached"
        if current_rss_mb() > memory_cap:
            return f"max_memory_mb {memory_cap:g} reached"
        if decided is not None and decided():
            return "stopped early: every property is decided"
    return ""
