"""The whole state graph, gathered from the partitions, for liveness.

Liveness at scale is decided the simple way (not OWCTY/MAP): when the
partitioned search has finished, every partition sends its states (as
bytes), parents and edges to the coordinator, which rebuilds one `Graph`
and runs :mod:`checker.liveness` on it.  The limit is the coordinator's
memory: `gather_limit` states (default :data:`GATHER_LIMIT`).  Past it, the
liveness properties stay ``unknown``: the partitioned search alone cannot
justify a ``holds``.

The graph is renumbered by a breadth-first traversal of the gathered edges
from the initial states, actions in order: this is exactly the numbering
`checker.explore.explore` gives (it numbers states as its FIFO first meets
them), and fairness groups are numbered by first use in the same order.
So the gathered result has the same states, parents, depths, edges and
groups as a single-process search, and the liveness verdicts *and*
counterexamples are the ones the single-process check gives.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from checker.parallel.codec import decode
from checker.results import Graph, Result, Stats

__all__ = ["GATHER_LIMIT", "merge"]

#: Default largest state graph gathered on the coordinator for liveness.
#: A gathered state costs the coordinator roughly its decoded size plus
#: about 150 bytes of arrays and edges, so 5 million small states need a
#: few GB.
GATHER_LIMIT = 5_000_000


def merge(exports: Sequence[dict[str, Any]], stats: Stats, decode: Callable[[bytes], Any] = decode) -> Result:
    """One `Result` (states, parents, depths, graph) from every partition's
    `Partition.export`, numbered as the single-process search numbers it;
    `decode` turns the partitions' bytes back into states (the model's codec,
    `checker.parallel.codec.codec_of`)."""
    n = len(exports)
    newid = [array("q", [-1]) * len(ex["keys"]) for ex in exports]
    order: list[tuple[int, int]] = []
    parent, taken, depth = array("q"), array("l"), array("l")
    inits = sorted((ex["taken"][loc], k, loc) for k, ex in enumerate(exports)
                   for loc in range(len(ex["keys"])) if ex["parent"][loc] < 0)
    for act, k, loc in inits:
        newid[k][loc] = len(order)
        order.append((k, loc))
        parent.append(-1)
        taken.append(act)
        depth.append(0)
    estart, ecount = array("q"), array("l")
    target, action, group = array("q"), array("l"), array("l")
    enabled: list[int] = []
    group_ids: dict[Hashable, int] = {}
    groups: list[Hashable] = []
    remap: list[dict[int, int]] = [{} for _ in range(n)]
    pos = 0
    while pos < len(order):
        k, loc = order[pos]
        ex = exports[k]
        first, count = ex["estart"][loc], ex["ecount"][loc]
        estart.append(len(target))
        ecount.append(count)
        ex_target, ex_action, ex_group = ex["target"], ex["action"], ex["group"]
        mask = 0
        d = depth[pos] + 1
        for e in range(first, first + count):
            g = ex_target[e]
            if g < 0:
                raise ValueError("the gathered graph has an unresolved edge (the search was not complete)")
            w, m = g % n, g // n
            j = newid[w][m]
            if j < 0:
                j = newid[w][m] = len(order)
                order.append((w, m))
                parent.append(pos)
                taken.append(ex_action[e])
                depth.append(d)
            target.append(j)
            action.append(ex_action[e])
            lg = ex_group[e]
            gid = -1
            if lg >= 0:
                gid = remap[k].get(lg, -1)
                if gid < 0:
                    value = ex["groups"][lg]
                    gid = group_ids.get(value, -1)
                    if gid < 0:
                        gid = group_ids[value] = len(groups)
                        groups.append(value)
                    remap[k][lg] = gid
                mask |= 1 << gid
            group.append(gid)
        enabled.append(mask)
        pos += 1
    total = sum(len(ex["keys"]) for ex in exports)
    if len(order) != total:
        raise ValueError(f"the gathered graph reaches {len(order)} of {total} states")
    states = [decode(exports[k]["keys"][loc]) for k, loc in order]
    graph = Graph(estart, ecount, target, action, group, enabled, groups)
    return Result({}, stats, states, parent, taken, graph, depth)
