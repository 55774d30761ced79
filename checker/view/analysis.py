"""What a viewer derives from a trace: message events and the fairness story of a lasso.

Events are read from the action strings (the Go vocabulary: ``ch <- v``,
``<-ch``, ``close(ch)``, ``mu.Lock()``, ``chan send ch``, ``go f()``), so any
model whose actions read like Go gets arrows; others get plain marks.  Sends
and receives on a channel are paired first-in first-out, which is how a Go
channel delivers (``runtime/chan.go``: the receive takes the oldest buffered
value or the longest-waiting sender's).

The lasso story needs the model: which fairness groups were enabled in the
loop's states and which of them the loop never takes.  That is the answer to
"why is this starving and still fair?".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from checker.model import hook
from checker.trace import Counterexample, ReplayError, replay

_NAME = r"([A-Za-z_][\w.]*(?:\[[^\]]*\])?)"
_POS = re.compile(r"\s*\(([^()]*:\d+(?::\d+)?)\)\s*$")
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("close", re.compile(r"\bclose\(\s*" + _NAME + r"\s*\)")),
    ("lock", re.compile(_NAME + r"\.(?:R?Lock|TryLock)\(")),
    ("unlock", re.compile(_NAME + r"\.R?Unlock\(")),
    ("lock", re.compile(r"\b(?:acquire|r?lock)\s+" + _NAME, re.I)),
    ("unlock", re.compile(r"\b(?:release|r?unlock)\s+" + _NAME, re.I)),
    ("send", re.compile(_NAME + r"\s*<-(?!-)")),
    ("recv", re.compile(r"<-\s*" + _NAME)),
    ("send", re.compile(r"\b(?:chan\s+)?send(?:\s+on|\s+to)?\s+" + _NAME, re.I)),
    ("recv", re.compile(r"\b(?:chan\s+)?(?:recv|receive)(?:\s+from|\s+on)?\s+" + _NAME, re.I)),
    ("spawn", re.compile(r"\bgo\s+" + _NAME)),
]


_GOROUTINE = re.compile(r"G\d+\Z")
#: A goroutine's status in a Go trace view: ``"G2 main.go:14 chan send ch: ch <- v"``.
_WAIT = re.compile(r"^\S+ \S+ (chan send|chan receive|sync\.\w+\.\w+|select) ([^:]+):")


@dataclass(slots=True)
class Event:
    """What one step did, as far as a sequence chart cares."""

    step: int
    actor: str
    kind: str  # send recv close lock unlock spawn other
    obj: str = ""
    blocked: bool = False  # the step left its actor waiting (a send, receive or Lock that blocks)

    def as_json(self) -> dict[str, Any]:
        return {"step": self.step, "actor": self.actor, "kind": self.kind, "obj": self.obj, "blocked": self.blocked}


@dataclass(slots=True)
class Message:
    """One value through a channel: sent by an actor at a step, received by one at a later (or the same) step."""

    id: int
    chan: str
    send_step: int
    sender: str
    recv_step: int | None = None
    receiver: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "chan": self.chan, "send_step": self.send_step, "sender": self.sender,
                "recv_step": self.recv_step, "receiver": self.receiver}


def strip_action(action: str, actor: str) -> str:
    """The action without its ``actor:`` prefix and trailing ``(file:line)``."""
    a = action
    if actor and a.startswith(actor + ":"):
        a = a[len(actor) + 1:]
    return _POS.sub("", a).strip()


def classify(action: str, actor: str) -> tuple[str, str]:
    text = strip_action(action, actor)
    for kind, pat in _PATTERNS:
        m = pat.search(text)
        if m:
            return kind, m.group(1)
    return "other", ""


def _waiting(v: Any) -> tuple[str, str] | None:
    """(what, object) a Go goroutine status says it waits on, else None."""
    m = _WAIT.match(v) if isinstance(v, str) else None
    if not m:
        return None
    what = m.group(1)
    kind = "send" if what == "chan send" else "recv" if what == "chan receive" else \
        "lock" if what.endswith("Lock") else "other"
    return kind, m.group(2).split(",")[0].strip()


_STATUS = re.compile(r"^\S+ \S+:\d+ ([^:]+): ")


def status(value: Any) -> tuple[str, str]:
    """(state, detail) of an actor's status in a view: ``blocked`` with what it
    waits on, ``runnable``, ``done``, or ``other`` for a value that is no status.

    Go traces say ``"G2 main.go:14 chan send ch: ch <- v"`` (blocked),
    ``"G2 main.go:14 runnable: ..."`` and ``"G2 exited"``."""
    if not isinstance(value, str):
        return "other", ""
    if value.endswith(" exited") and " " not in value[:-7]:
        return "done", ""
    m = _STATUS.match(value)
    if not m:
        return "other", ""
    what = m.group(1)
    if what == "runnable" or what.startswith("woken"):
        return "runnable", ""
    return "blocked", what


def events(cx: Counterexample) -> list[Event]:
    return analyze(cx)[0]


def analyze(cx: Counterexample) -> tuple[list[Event], list[Message]]:
    """One event per step (step 0 has none) and the messages through channels.

    Regex on the action names the operation; on Go traces the goroutine
    statuses in the views say what really happened: a step that leaves its
    actor waiting blocked (and names the real channel or mutex, which the
    source text may call by a parameter's name), and a goroutine that stops
    waiting was handed a value (``runtime/chan.go``: a sender finding a
    waiting receiver copies straight to it; a receiver takes the oldest
    buffered value or the waiting sender's).  Without statuses, sends and
    receives pair first-in first-out per channel.
    """
    evs: list[Event] = []
    msgs: list[Message] = []
    queues: dict[str, list[Message]] = {}
    blocked_send: dict[str, Message] = {}
    for i, st in enumerate(cx.steps[1:], start=1):
        prev, cur, a = cx.steps[i - 1].view, st.view, st.actor or "?"
        kind, obj = classify(st.action or "", st.actor)
        ev = Event(i, a, kind, obj)
        w_new, w_old = _waiting(cur.get(a)), _waiting(prev.get(a))
        if w_new is not None and (cur.get(a) != prev.get(a) or w_old is None):
            ev.blocked = True
            if kind in ("other", "spawn") or kind == w_new[0] or kind in ("lock", "unlock"):
                ev.kind = w_new[0] if w_new[0] != "other" else kind
                ev.obj = w_new[1]
        elif kind in ("send", "recv", "close", "lock", "unlock") and obj not in cur:
            res = [k for k in cur if k not in prev or cur[k] != prev[k]]
            res += [k for k in prev if k not in cur]
            res = [k for k in dict.fromkeys(res) if not _GOROUTINE.match(k) and k != a and k != "output"]
            if len(res) == 1:
                ev.obj = res[0]
        woken: list[tuple[str, tuple[str, str]]] = []
        for g in prev:
            was = _waiting(prev.get(g))
            if g != a and _GOROUTINE.match(g) and was is not None and _waiting(cur.get(g)) != was:
                woken.append((g, was))
        for g, w in woken:
            if w[0] == "send" and ev.kind != "close":
                if ev.kind in ("other", "recv"):
                    ev.kind, ev.obj = "recv", w[1]
                m = blocked_send.pop(g, None) or Message(len(msgs) + 1, w[1], i, g)
                if m not in msgs:
                    msgs.append(m)
                q = queues.setdefault(w[1], [])
                if q:  # a full buffer: the receiver takes the oldest value, the sender's joins the queue
                    q.append(m)
                    m = q.pop(0)
                m.recv_step, m.receiver = i, a
            elif w[0] == "recv" and ev.kind != "close":
                if ev.kind in ("other", "send"):
                    ev.kind, ev.obj = "send", w[1]
                m = Message(len(msgs) + 1, w[1], i, a, i, g)
                msgs.append(m)
        handed = any(w[0] in ("send", "recv") for _, w in woken) and ev.kind != "close"
        if not handed and ev.kind == "send":
            m = Message(len(msgs) + 1, ev.obj, i, a)
            msgs.append(m)
            if ev.blocked:
                blocked_send[a] = m
            else:
                queues.setdefault(ev.obj, []).append(m)
        elif not handed and ev.kind == "recv" and not ev.blocked and queues.get(ev.obj):
            m = queues[ev.obj].pop(0)
            m.recv_step, m.receiver = i, a
        evs.append(ev)
    return evs, msgs


def lanes(cx: Counterexample, evs: list[Event]) -> list[tuple[str, str]]:
    """(name, kind) columns: actors in order of appearance, then channels, then locks."""
    actors: list[str] = []
    for st in cx.steps[1:]:
        a = st.actor or "?"
        if a not in actors:
            actors.append(a)
    chans: list[str] = []
    locks: list[str] = []
    for e in evs:
        target = chans if e.kind in ("send", "recv", "close") else locks if e.kind in ("lock", "unlock") else None
        if target is not None and e.obj and e.obj not in target and e.obj not in actors:
            target.append(e.obj)
    return [(a, "actor") for a in actors] + [(c, "chan") for c in chans] + [(m, "lock") for m in locks]


# --------------------------------------------------------------------------- lassos


@dataclass(slots=True)
class LassoStory:
    """Why a lasso is a fair execution that still fails: the untaken actions."""

    computed: bool
    note: str = ""
    untaken: list[dict[str, Any]] = field(default_factory=list)

    def lines(self, fairness: str) -> list[str]:
        if not self.computed:
            return [f"cannot be computed: {self.note}"]
        out = []
        for u in self.untaken:
            where = ", ".join(map(str, u["states"]))
            who = f" [{u['actor']}]" if u["actor"] and u["actor"] not in u["action"] else ""
            if u["always"]:
                why = ("no fairness is assumed, so the scheduler may pass it over forever" if fairness in ("", "none")
                       else "the loop is unfair to it")
                out.append(f"{u['action']}{who} stays enabled in every state of the loop "
                           f"yet is never taken: {why}")
            else:
                why = ("weak fairness only forces an action that stays enabled, so it can be passed over forever"
                       if fairness == "weak" else "no fairness is assumed, so the scheduler may pass it over forever"
                       if fairness in ("", "none") else "the loop is unfair to it")
                out.append(f"{u['action']}{who} is enabled after step(s) {where} of the loop "
                           f"but never taken: {why}")
        if not out:
            out.append("none: every action enabled in the loop is taken in it, so the loop is fair"
                       + (f" ({fairness} fairness)" if fairness else "") + ", and still nothing lets the pending "
                       "party proceed")
        if self.note:
            out.append(self.note)
        return out


def lasso_story(model: Any, cx: Counterexample) -> LassoStory:
    """Replay the lasso on `model`; list the fairness groups enabled in the loop but never taken."""
    if cx.loop is None:
        return LassoStory(False, "not a lasso")
    try:
        states, actions = replay(model, cx.path, cx.spec_path or "<model>")
    except ReplayError as e:
        return LassoStory(False, f"the trace does not replay on the spec's model ({e.message})")
    fairness, fmt, actor = hook(model, "fairness"), hook(model, "format_action"), hook(model, "actor")
    loop_states = list(range(cx.loop, len(states) - 1)) or [cx.loop]
    taken = {fairness(states[i], actions[i]) for i in range(cx.loop, len(actions))}
    seen: dict[Any, dict[str, Any]] = {}
    for i in loop_states:
        for a in model.actions(states[i]):
            g = fairness(states[i], a)
            if g is None or g in taken:
                continue
            u = seen.setdefault(g, {"group": str(g), "action": str(fmt(states[i], a)),
                                    "actor": str(actor(states[i], a)), "states": []})
            if i not in u["states"]:
                u["states"].append(i)
    for u in seen.values():
        u["always"] = len(u["states"]) == len(loop_states)
    return LassoStory(True, "", list(seen.values()))
