"""An ASCII message sequence chart (SPIN's ``-c``): one column per actor and per channel or lock.

Time runs down, one row per step.  A send draws an arrow from the sender's
column into the channel's column, tagged with a message number; the receive
that takes that value draws an arrow out of the channel with the same number,
so a send and its receive pair up by eye.  Lock acquire (``L``) and release
(``U``) are arrows from and to the mutex's column; ``close`` is ``X``; any
other step is a ``*`` on its actor's lifeline.
"""

from __future__ import annotations

from checker.trace import Counterexample
from checker.view.analysis import Message, analyze, lanes, strip_action

_TAG = {"lock": "L", "unlock": "U", "close": "X"}
_INTO_RESOURCE = {"send", "unlock", "close"}


def render_msc(cx: Counterexample, *, actor: str | None = None, start: int | None = None,
               end: int | None = None) -> str:
    """The chart as text; `actor`, `start`, `end` restrict the rows like the text view."""
    evs, msgs = analyze(cx)
    cols = lanes(cx, evs)
    n = len(cx.steps) - 1
    lo, hi = max(1, start or 1), min(n, n if end is None else end)
    widths = [max(len(_label(name, kind)) + 2, 9) for name, kind in cols]
    centers: dict[tuple[str, str], int] = {}
    x = 0
    for (name, kind), w in zip(cols, widths):
        centers[(name, kind)] = x + w // 2
        x += w
    total = x + 4
    num_w = len(str(n))
    head = [" "] * total
    for name, kind in cols:
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
    sent = {m.send_step: m for m in msgs if m.recv_step != m.send_step}
    got: dict[int, list[Message]] = {}
    for m in msgs:
        if m.recv_step is not None:
            got.setdefault(m.recv_step, []).append(m)
    for ev in evs[lo - 1:hi]:
        st = cx.steps[ev.step]
        if actor is not None and st.actor != actor:
            continue
        row = list(blank)
        a = actor_col.get(ev.actor)
        r = res_col.get(ev.obj) if ev.kind in _TAG or ev.kind in ("send", "recv") else None
        notes = []
        if a is not None and r is not None:
            m_out = sent.get(ev.step) if ev.kind == "send" else None
            into = ev.kind in _INTO_RESOURCE
            if ev.kind == "recv" and ev.blocked:
                into = False
            _arrow(row, a, r, into=into, dotted=ev.blocked)
            tag = f"#{m_out.id}" if m_out else "w" if ev.blocked else _TAG.get(ev.kind, "")
            if tag:
                row[r:r + len(tag)] = list(tag)
            if m_out:
                notes.append(f"#{m_out.id} received by {m_out.receiver} at step {m_out.recv_step}" if m_out.recv_step
                             else f"#{m_out.id} never received")
            if ev.blocked:
                notes.append(f"{ev.actor} blocks on {ev.obj}")
        elif a is not None:
            row[a] = "w" if ev.blocked else "*"
            if ev.blocked:
                notes.append(f"{ev.actor} blocks" + (f" on {ev.obj}" if ev.obj else ""))
        for m in got.get(ev.step, []):
            ra, rc = actor_col.get(m.receiver or ""), res_col.get(m.chan)
            if ra is None or rc is None:
                continue
            if m.send_step == ev.step:  # handed straight to a waiting receiver
                sa = actor_col.get(m.sender)
                if sa is not None and m.sender == ev.actor and r is None:
                    _arrow(row, sa, rc, into=True, dotted=False)
            _arrow(row, ra, rc, into=False, dotted=False, keep=True)
            tag = f"#{m.id}"
            row[rc:rc + len(tag)] = list(tag)
            src = "" if m.send_step == ev.step else f" (sent by {m.sender} at step {m.send_step})"
            notes.append(f"#{m.id} -> {m.receiver}{src}")
        loop = " "
        if cx.loop is not None and cx.loop < ev.step <= n:
            loop = "┌" if ev.step == cx.loop + 1 else "│"
        text = strip_action(st.action or "", "")
        note = f"  [{'; '.join(notes)}]" if notes else ""
        lines.append(f"{loop} {ev.step:>{num_w}} {''.join(row)}  {text}{note}".rstrip())
    if cx.loop is not None and hi == n:
        lines.append(f"└─ back to step {cx.loop}")
    legend = ("  o-->  a step and its channel or lock; #k a message (the same k at its send and its receive); "
              "L acquire, U release, X close; o....w the step blocks; * any other step")
    return "\n".join(lines + ["", legend]) + "\n"


def _label(name: str, kind: str) -> str:
    return {"chan": f"[{name}]", "lock": f"{{{name}}}"}.get(kind, name)


def _arrow(row: list[str], a: int, r: int, *, into: bool, dotted: bool, keep: bool = False) -> None:
    """Draw actor `a` <-> resource `r`: ``o`` at the actor, the head pointing at the destination."""
    step = 1 if r > a else -1
    for c in range(a + step, r, step):
        if not keep or row[c] in " |":
            row[c] = "." if dotted else "-"
    row[a] = "o"
    if dotted:
        return
    if into:
        row[r - step] = ">" if step > 0 else "<"
    else:
        row[a + step] = "<" if step > 0 else ">"


