"""Every output a Go program can print, and how its run can end, with witnesses.

``python -m checker outputs SPEC`` answers "what can ``go run`` show?": the
text on stdout when the process ends, and how it ends:

- ``exit``: main returned (Go's process exits then, whatever the other
  goroutines are doing, so the output is the text printed up to that step);
- ``panic``: a panic (or fatal error such as an unlock of an unlocked
  mutex) ended the program; the message is kept beside the output;
- ``deadlock``: no goroutine can ever move again while main has not
  returned (``fatal error: all goroutines are asleep - deadlock!``,
  DL-O1..DL-O9): a state without successors.

It works on any model whose states are a `models.state.World` (the abstract
scheduler, `models.gomodel.GoModel`: the language's answer) or carry one in
``.world`` (the G-M-P scheduler, `models.sched.gmp.GmpModel`: the runtime's
answer).  Each ending comes with the shortest witness path (breadth first),
in the checker's path format: the initial-state index, then action indices.

`find_output` searches for one given output only: since output only grows,
a state whose text is not a prefix of the target is cut, which makes long
programs (300 goroutines) tractable.  Both searches stop at ``max_states``
and then say so (``complete`` is False): a bound never turns into "these
are all the outputs".
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

__all__ = ["Ending", "OutputsResult", "outputs", "find_output", "world_of"]


def world_of(s: Any) -> Any:
    """The `World` inside a model state (the state itself for GoModel)."""
    return getattr(s, "world", s)


@dataclass(frozen=True, slots=True)
class Ending:
    """One way the program ends: its stdout, how (``exit``/``panic``/``deadlock``),
    the panic message (or None) and a witness path."""

    output: str
    end: str
    panic: str | None
    path: tuple[int, ...]

    def as_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"output": self.output, "end": self.end, "path": "/".join(map(str, self.path))}
        if self.panic is not None:
            d["panic"] = self.panic
        return d


@dataclass(frozen=True, slots=True)
class OutputsResult:
    endings: tuple[Ending, ...]
    complete: bool
    states: int
    stop_reason: str = ""


def _ending(s: Any, t: Any, has_actions: bool) -> tuple[str, str, str | None] | None:
    """The ending reached by the transition s -> t (s None: t is initial)."""
    w = world_of(t)
    v = world_of(s) if s is not None else None
    if w.panic and (v is None or not v.panic):
        return "".join(w.output), "panic", w.panic
    if w.main_done and (v is None or not v.main_done) and not w.panic:
        return "".join(w.output), "exit", None
    return None


def _deadlocked(s: Any, has_actions: bool) -> bool:
    w = world_of(s)
    return not has_actions and not w.main_done and not w.panic and not w.ended


def outputs(model: Any, max_states: int = 1_000_000) -> OutputsResult:
    """Every ending reachable in `model`, breadth first, each with its shortest witness."""
    inits = list(model.init_states())
    parent: dict[Any, tuple[Any, int]] = {}
    found: dict[tuple[str, str, str | None], tuple[int, ...]] = {}

    def path_to(s: Any, last: int | None = None) -> tuple[int, ...]:
        out: list[int] = [] if last is None else [last]
        while True:
            p, k = parent[s]
            out.append(k)
            if p is None:
                break
            s = p
        return tuple(reversed(out))

    q: deque[Any] = deque()
    for i, s in enumerate(inits):
        if s in parent:
            continue
        parent[s] = (None, i)
        q.append(s)
        e = _ending(None, s, True)
        if e is not None:
            found.setdefault(e, (i,))
    complete, reason = True, ""
    while q:
        s = q.popleft()
        acts = model.actions(s)
        if _deadlocked(s, bool(acts)):
            w = world_of(s)
            found.setdefault(("".join(w.output), "deadlock", None), path_to(s))
        for k, a in enumerate(acts):
            t = model.next_state(s, a)
            e = _ending(s, t, True)
            if e is not None and e not in found:
                found[e] = path_to(s, k)
            if t in parent:
                continue
            if len(parent) >= max_states:
                complete, reason = False, f"more than {max_states} states"
                q.clear()
                break
            parent[t] = (s, k)
            if e is None:  # an ended run adds nothing: Go's process is gone
                q.append(t)
    endings = tuple(Ending(o, end, msg, p) for (o, end, msg), p in
                    sorted(found.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2] or "")))
    return OutputsResult(endings, complete, len(parent), reason)


def find_output(model: Any, target: str, end: str = "exit", max_states: int = 1_000_000,
                budgets: tuple[int | None, ...] = (0, 1, 2, None)) -> tuple[int, ...] | None:
    """A path on which the program ends with stdout `target` (and `end`), or None.

    Depth first, cutting every state whose output is not a prefix of
    `target`.  A model may price its actions (``search_cost(s, a)``: the
    gmp model charges 1 for a preemption or a retaken write, the
    environment's perturbations): the search is then run with at most 0, 1,
    2 of them on a path, and finally with no limit, so the common runs are
    found first.  Returns None only when the unlimited search found no run
    within `max_states` explored states; raises `RuntimeError` when the
    bound stopped it first (so "not found" is never a guess)."""
    cost = getattr(model, "search_cost", None)
    if cost is None:
        budgets = (None,)
    explored = 0
    for budget in budgets:
        found, n, bounded = _dfs(model, target, end, max_states - explored, budget, cost)
        explored += n
        if found is not None:
            return found
        if bounded:
            raise RuntimeError(f"more than {max_states} states explored without finding the output")
    return None


def _dfs(model: Any, target: str, end: str, max_states: int, budget: int | None,
         cost: Any) -> tuple[tuple[int, ...] | None, int, bool]:
    inits = list(model.init_states())
    best: dict[Any, int] = {}  # state -> least budget used to reach it
    stack: list[tuple[Any, tuple[int, ...], int]] = []
    for i in reversed(range(len(inits))):
        stack.append((inits[i], (i,), 0))
    while stack:
        s, path, used = stack.pop()
        if best.get(s, 1 << 30) <= used:
            continue
        best[s] = used
        if len(best) > max_states:
            return None, len(best), True
        w = world_of(s)
        if not target.startswith("".join(w.output)):
            continue
        acts = model.actions(s)
        if end == "deadlock" and _deadlocked(s, bool(acts)) and "".join(w.output) == target:
            return path, len(best), False
        succ = []
        for k, a in enumerate(acts):
            u = used + (cost(s, a) if cost is not None else 0)
            if budget is not None and u > budget:
                continue
            t = model.next_state(s, a)
            e = _ending(s, t, True)
            if e is not None:
                if e[0] == target and e[1] == end:
                    return path + (k,), len(best), False
                continue
            if best.get(t, 1 << 30) > u and target.startswith("".join(world_of(t).output)):
                succ.append((t, path + (k,), u))
        stack.extend(reversed(succ))
    return None, len(best), False
