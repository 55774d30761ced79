"""An ASCII message sequence chart (SPIN's ``-c``): one column per actor and per channel or lock.

Time runs down, one row per step.  A send draws an arrow from the sender's
column into the channel's column, tagged with a message number; the receive
that takes that value draws an arrow out of the channel with the same number,
so a send and its receive pair up by eye.  Lock acquire (``L``) and release
(``U``) are arrows from and to the mutex's column; ``close`` is ``X``; any
other step is a ``*`` on its actor's lifeline.
"""

from __future__ import annotations

from typing import Any

from checker.trace import Counterexample
from checker.view.analysis import events, lanes, strip_action

_TAG = {"lock": "L", "unlock": "U", "close": "X"}
_INTO_RESOURCE = {"send", "unlock", "close"}


def render_msc(cx: Counterexample, *, actor: str | None = None, start: int | None = None,
               end: int | None = None) -> str:
    """The chart as text; `actor`, `start`, `end` restrict the rows like the text view."""
    evs = events(cx)
    cols = lanes(cx, evs)
    n = len(cx.steps) - 1
    lo, hi = max(1, start or 1), min(n, n if end is None else end)
    widths = [max(len(_label(name, kind)) + 2, 9) for name, kind in cols]
    centers, x = {}, 0
    for (name, kind), w in zip(cols, widths):
        centers[(name, kind)] = x + w // 2
        x += w
    total = x
    num_w = len(str(n))
    head = [" "] * total
    for (name, kind), w in zip(cols, widths):
        lab = _label(name, kind)
        c = centers[(name, kind)] - len(lab) // 2
        head[c:c + len(lab)] = list(lab)
    lines = [f"  {'#':>{num_w}} {''.join(head).rstrip()}"]
    blank = [" "] * total
    for c in centers.values():
        blank[c] = "|"
    lines.append(f"  {'':>{num_w}} {''.join(blank).rstrip()}")
    actor_col = {name: c for (name, kind), c in centers.items() if kind == "actor"}
    res_col = {name: c for (name, kind), c in centers.items() if kind != "actor"}
    for ev in evs[lo - 1:hi]:
        st = cx.steps[ev.step]
        if actor is not None and st.actor != actor:
            continue
        row = list(blank)
        a = actor_col.get(ev.actor)
        r = res_col.get(ev.obj) if ev.kind in ("send", "recv", "close", "lock", "unlock") else None
        note = ""
        if a is not None and r is not None:
            _arrow(row, a, r, into=ev.kind in _INTO_RESOURCE)
            tag = f"#{ev.msg}" if ev.msg is not None else _TAG.get(ev.kind, "?")
            row[r:r + len(tag)] = list(tag)
            if ev.kind == "send":
                note = f"  [msg #{ev.msg} received at step {ev.peer}]" if ev.peer else f"  [msg #{ev.msg} not received]"
            elif ev.kind == "recv":
                note = f"  [msg #{ev.msg} sent at step {ev.peer}]" if ev.peer else "  [no value sent: zero value]"
        elif a is not None:
            row[a] = "*"
        loop = " "
        if cx.loop is not None and cx.loop < ev.step <= n:
            loop = "┌" if ev.step == cx.loop + 1 else "│"
        text = strip_action(st.action or "", "")
        lines.append(f"{loop} {ev.step:>{num_w}} {''.join(row)}  {text}{note}".rstrip())
    if cx.loop is not None and hi == n:
        lines.append(f"└─ back to step {cx.loop}")
    legend = "  o--># send/release/close into a channel or lock; #k pairs a send with its receive; " \
             "L acquire, U release, X close, * other step"
    return "\n".join(lines + ["", legend]) + "\n"


def _label(name: str, kind: str) -> str:
    return {"chan": f"[{name}]", "lock": f"{{{name}}}"}.get(kind, name)


def _arrow(row: list[str], a: int, r: int, *, into: bool) -> None:
    """Draw actor `a` <-> resource `r`: ``o`` at the actor, the head pointing at the destination."""
    step = 1 if r > a else -1
    for c in range(a + step, r, step):
        row[c] = "-"
    row[a] = "o"
    if into:
        row[r - step] = ">" if step > 0 else "<"
    else:
        row[a + step] = "<" if step > 0 else ">"


def msc_rows(cx: Counterexample) -> list[dict[str, Any]]:
    """The events as JSON-ready dicts (the HTML page draws its own chart)."""
    return [e.as_json() for e in events(cx)]
