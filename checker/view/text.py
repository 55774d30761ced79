"""The terminal rendering of a counterexample: a header, then one row per step.

Each row is the step number, the actor, the action in the model's terms (with
its source position) and *only what changed*, down to leaf values (TLC's
``-difftrace``).  The gutter carries the lasso's loop bracket and ``~`` for
steps that do not matter (see :func:`checker.minimize.explain`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from checker.trace import Counterexample
from checker.view.analysis import LassoStory, lasso_story
from checker.view.diff import Change, diff, fmt
from checker.view.waits import KINDS as WAIT_KINDS
from checker.view.waits import waits_graph

_WHY = {
    "always": "the invariant fails in the last state",
    "deadlock": "the last state has no enabled action and is not a proper end",
    "eventually": "an infinite execution (a prefix, then a loop repeated forever) on which",
    "leads_to": "an infinite execution (a prefix, then a loop repeated forever) on which",
    "progress": "an infinite execution (a prefix, then a loop repeated forever) on which",
    "bottom": "the run reaches a place it can never leave, and",
}
_FAIRNESS = {
    "weak": "weak: an action that stays enabled in every state of the loop must be taken in it",
    "strong": "strong: an action enabled in some state of the loop must be taken in it",
    "none": "none: the scheduler may pass over any action forever",
}
_FOUND = {
    "bfs": "breadth-first search: no shorter counterexample exists",
    "bfs+por": "breadth-first search under partial-order reduction: a shorter counterexample may exist",
    "dfs+por": "depth-first search under partial-order reduction: a shorter counterexample may exist",
    "dfs": "depth-first search: a shorter counterexample may exist",
    "random": "random simulation: a shorter counterexample may exist",
    "replay": "replayed from a path given on the command line",
}


@dataclass(slots=True)
class Options:
    """What to show: whole states or changes, which variables, one actor, a step range."""

    full: bool = False
    vars: Sequence[str] | None = None
    actor: str | None = None
    start: int | None = None
    end: int | None = None
    notes: list[str] = field(default_factory=list)


def annotate(cx: Counterexample, model: Any) -> tuple[LassoStory | None, list[bool] | None]:
    """The lasso story and the explain marks, computed on `model`."""
    if cx.loop is not None:
        return lasso_story(model, cx), None
    from checker.minimize import explain
    prop = next((p for p in model.properties() if p.name == cx.property), None)
    if prop is None or prop.kind not in ("always", "deadlock"):
        return None, None
    try:
        return None, explain(model, prop, cx.path)
    except Exception:  # noqa: BLE001 - a trace that no longer replays just gets no marks
        return None, None


def replay_command(cx: Counterexample) -> str:
    spec = cx.spec_path or "SPEC"
    loop = f" --loop {cx.loop}" if cx.loop is not None else ""
    return f"python -m checker replay {spec} --path {cx.path_str}{loop}"


def header_rows(cx: Counterexample, story: LassoStory | None, marks: list[bool] | None,
                opts: Options) -> list[tuple[str, str]]:
    """The header as (label, text) rows: property, verdict, why, length, how found, loop, replay command."""
    n = len(cx.steps) - 1
    actors = [s.actor for s in cx.steps[1:] if s.actor]
    switches = sum(1 for a, b in zip(actors, actors[1:]) if a != b)
    kind = f"  ({cx.kind})" if cx.kind else ""
    why = _WHY.get(cx.kind, "")
    reason = cx.reason or "violated"
    verdict = "violated" if cx.property != "(none)" else "no property is violated at the end of this path"
    rows = [("Property", f"{cx.property}{kind}"), ("Verdict", verdict),
            ("Why", f"{why}: {reason}" if why and not why.endswith((" which", " and")) else f"{why} {reason}".strip())]
    how = _FOUND.get(cx.found_by, cx.found_by or "unknown")
    if cx.loop is not None:
        how = "fair-cycle search on the explored state graph (prefix by " + (cx.found_by or "bfs") + ")"
    length = f"{n} step{'s' if n != 1 else ''}"
    if actors:
        length += (f", {len(set(actors))} actor{'s' if len(set(actors)) != 1 else ''}, {switches} context "
                   f"switch{'es' if switches != 1 else ''}")
    explanation = cx.meta.get("explanation")
    if isinstance(explanation, str) and explanation:
        first, *rest = explanation.splitlines()
        rows.append(("Missing", first))
        rows += [("", x) for x in rest]
    if cx.kind in WAIT_KINDS:
        graph = waits_graph(cx)
        for k, sentence in enumerate(graph.sentences if graph else []):
            rows.append(("Waits" if k == 0 else "", sentence))
    rows.append(("Length", length))
    rows.append(("Found by", how))
    if cx.loop is not None:
        rows.append(("Loop", f"{_span(cx.loop + 1, n)} forever (back to step {cx.loop})"))
        rows.append(("Fairness", _FAIRNESS.get(cx.fairness or "none", cx.fairness)))
        for line in (story.lines(cx.fairness) if story else ["cannot be computed: no model to replay the trace on"]):
            rows.append(("Untaken", line))
    if cx.spec_path:
        rows.append(("Spec", cx.spec_path + (f"  (digest {cx.spec_digest})" if cx.spec_digest else "")))
    rows.append(("Replay", replay_command(cx)))
    for note in opts.notes:
        rows.append(("Note", note))
    shown = []
    if opts.vars:
        shown.append("variables " + ", ".join(opts.vars))
    if opts.actor:
        shown.append(f"actor {opts.actor}")
    if opts.start is not None or opts.end is not None:
        shown.append(f"steps {opts.start or 0}..{n if opts.end is None else opts.end}")
    if shown:
        rows.append(("Showing", "; ".join(shown)))
    legend = []
    if marks and any(marks):
        legend.append("~ the step could be dropped or swapped with the next one without losing the violation")
    if cx.loop is not None:
        legend.append("┌│└ the loop")
    if legend:
        rows.append(("Legend", legend[0]))
        rows += [("", x) for x in legend[1:]]
    return rows


def header(cx: Counterexample, story: LassoStory | None, marks: list[bool] | None, opts: Options) -> list[str]:
    return [f"{k:<9} {v}".rstrip() for k, v in header_rows(cx, story, marks, opts)]


def _span(a: int, b: int) -> str:
    return f"step {a} repeats" if a == b else f"steps {a}..{b} repeat"


def _keep(name: str, vars: Sequence[str] | None) -> bool:
    return not vars or name in vars


def _action_text(st: Any) -> str:
    text = st.action or ""
    if st.position and st.position not in text:
        text += f"  ({st.position})"
    return text


def render_text(cx: Counterexample, *, model: Any = None, story: LassoStory | None = None,
                marks: list[bool] | None = None, full: bool = False, vars: Sequence[str] | None = None,
                actor: str | None = None, start: int | None = None, end: int | None = None,
                notes: Sequence[str] = ()) -> str:
    """The whole text view.  Pass `model` to compute the lasso story and the
    explain marks, or pass them precomputed (`story`, `marks`)."""
    if model is not None and story is None and marks is None:
        story, marks = annotate(cx, model)
    opts = Options(full, list(vars) if vars else None, actor, start, end, list(notes))
    n = len(cx.steps) - 1
    lo = max(0, start or 0)
    hi = min(n, n if end is None else end)
    num_w = len(str(n))
    actor_w = max([len(s.actor) for s in cx.steps] + [5])
    lines = header(cx, story, marks, opts)
    lines.append("")
    lines.append(f"  {'#':>{num_w}}  {'actor':<{actor_w}}  action")
    indent = " " * (num_w + actor_w + 6)

    def gutter(i: int, first: bool) -> str:
        loop = " "
        if cx.loop is not None and cx.loop < i <= n:
            loop = "┌" if first and i == cx.loop + 1 else "│"
        mark = "~" if first and marks and i < len(marks) and marks[i] else " "
        return loop + mark

    hidden: list[Any] = []

    def flush_hidden() -> None:
        if hidden:
            who = ", ".join(dict.fromkeys(s.actor or "?" for s in hidden))
            g = gutter(hidden[-1].index, False)
            lines.append(f"{g}{'⋮':>{num_w}}  {len(hidden)} step{'s' if len(hidden) > 1 else ''} by {who} hidden")
            hidden.clear()

    if lo > 0:
        lines.append(f"  {'⋮':>{num_w}}  steps 0..{lo - 1} hidden")
    for st in cx.steps[lo:hi + 1]:
        i = st.index
        if actor is not None and i > 0 and st.actor != actor:
            hidden.append(st)
            continue
        flush_hidden()
        action = "initial state" if i == 0 else _action_text(st)
        suffix = "   <- the loop returns here" if cx.loop is not None and i == cx.loop else ""
        lines.append(f"{gutter(i, True)}{i:>{num_w}}  {st.actor:<{actor_w}}  {action}{suffix}".rstrip())
        prev = cx.steps[i - 1].view if i > 0 else {}
        body: list[str]
        if full or i == 0:
            changed = {c.top for c in diff(prev, st.view)} if i > 0 else set()
            body = [("* " if k in changed else "  ") + f"{k} = {fmt(v)}" for k, v in st.view.items()
                    if _keep(k, opts.vars)]
            if i == 0:
                body = [b[2:] for b in body]
            for k in prev:
                if k not in st.view and _keep(k, opts.vars):
                    body.append(f"* {k} deleted (was {fmt(prev[k])})")
        else:
            changes: list[Change] = [c for c in diff(prev, st.view) if _keep(c.top, opts.vars)]
            body = [str(c) for c in changes] or ([] if opts.vars else ["(no change)"])
        for b in body:
            lines.append(f"{gutter(i, False)}{indent}{b}")
    flush_hidden()
    if hi < n:
        lines.append(f"  {'⋮':>{num_w}}  steps {hi + 1}..{n} hidden")
    if cx.loop is not None and hi == n:
        what = f"step {n}" if cx.loop + 1 == n else f"steps {cx.loop + 1}..{n}"
        lines.append(f"└─ back to step {cx.loop}: the run repeats {what} forever")
    return "\n".join(lines) + "\n"
