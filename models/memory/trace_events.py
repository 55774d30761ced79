"""Happens-before events along a counterexample path, and race explanations.

`events_along(model, path)` replays a path of a `models.gomodel.GoModel`
(``checker.trace.replay``) and turns every step into the `Event` values of
`models.memory.hb`: the stepping goroutine's visible instruction (only
visible instructions touch shared state; the local instructions a step runs
after it produce nothing), plus what the step completed for goroutines it
woke.  The visible instruction is re-executed on a `models.tx.Tx` of
the state before the step, without the local instructions, so the events
see exactly which parked goroutine was handed a value, granted a lock or
released from a ``Wait`` (the ``woken`` list and their advanced ``pc``):

- a send to a parked receiver is ``send`` then the receiver's ``recv``
  (adjacent: hb's rendezvous contract); a receive from a parked sender on
  an unbuffered channel is the sender's ``send`` then the ``recv``; on a
  full buffered channel the ``recv`` then the sender's ``send`` (its value
  enters the buffer);
- an ``Unlock`` that hands a Mutex to a parked waiter (starvation mode) or
  an RWMutex to parked readers/writer emits their ``lock``/``rlock`` when
  granted; a waiter only woken to retry (normal mode) emits nothing until
  its own successful ``Lock`` step;
- ``close`` (also a context's ``cancel``) is followed by the
  ``recv_closed`` of every receiver it released; ``wg.Done`` by the
  ``wg_wait_return`` of released waiters; ``OnceEnd`` by ``once_return``;
  ``Signal``/``Broadcast`` by ``cond_wake``; ``c.Wait()`` unlocks ``c.L``.

`explain_race(model, path)` appends the two racing accesses of the last
state (the next visible instructions of two goroutines, as
`models.props.races` finds them) and explains, with the vector clocks, why
neither happens before the other: the last event of each goroutine that is
ordered before the other's access (typically the ``go`` statement that
started it) and the release after it that the other side never acquired.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from models import ir
from models.memory.hb import _ACQUIRE_HINT, RELEASE_KINDS, Event, HappensBefore
from models.props import object_names, racing_accesses, var_name
from models.state import WAIT, Chan, World
from models.tx import GoPanic, Tx

__all__ = ["INCONSISTENT", "events_along", "step_events", "race_accesses", "explain_race", "explain_events"]

_ATOMIC_KIND = {"load": "atomic_read", "store": "atomic_write", "add": "atomic_rmw", "swap": "atomic_rmw"}


class _Ctx:
    """Names and helpers for the events of one step."""

    def __init__(self, model: Any, w: World):
        self.m = model.interp
        self.w = w
        self._names: dict[int, str] | None = None

    @property
    def names(self) -> dict[int, str]:
        if self._names is None:
            self._names = _names(self.m, self.w)
        return self._names

    def name(self, o: int) -> str:
        return self.names.get(o, f"object {o}")

    def chan(self, o: int, g: int, kind: str, line: int) -> Event:
        return Event(g, kind, o, line, self.name(o), self.w.heap[o].cap)


def _names(m: Any, w: World) -> dict[int, str]:
    """`models.props.object_names`, plus the objects package-level variables
    point at (``var c = make(chan int)``: the channel is ``c``)."""
    names = object_names(m, w)
    for gname, o in m.global_obj.items():
        d = w.heap[o]
        for k, v in getattr(d, "fields", ()):
            if isinstance(v, ir.Ref) and v.obj not in names:
                names[v.obj] = gname if k in (0, "v") and len(d.fields) == 1 else (
                    f"{gname}.{k}" if isinstance(k, str) else f"{gname}[{k}]")
    return names


def _obj(v: Any) -> int | None:
    return v.obj if isinstance(v, ir.Ref) else None


def _cond_lock(w: World, cond: Any) -> tuple[int, bool]:
    """The lock object of Cond `cond`'s L and whether it is a read side (an RLocker)."""
    lk = w.heap[_oid(cond)].locker
    if isinstance(lk, ir.Iface):
        return _oid(lk.value), lk.type == "*sync.rlocker"
    return _oid(lk), False


def _oid(v: Any) -> int:
    """`_obj` of the operand of a sync operation that did not panic, so not nil."""
    return cast(int, _obj(v))


def _pc(t: Tx, gid: int) -> tuple[int, int] | None:
    g = t.g(gid)
    return (len(g.frames), g.frames[-1].pc) if g.frames else None


def step_events(model: Any, w: World, action: tuple[Any, ...]) -> list[Event]:
    """The happens-before events of taking `action` in state `w`."""
    m = model.interp
    cx = _Ctx(model, w)
    t = Tx(m, w)
    if action[0] == "timer":
        kind, x = action[1], action[2]
        if kind == "deadline":  # a context deadline: cancel closes Done (the runtime's close: goroutine 0)
            try:
                m.cancel(t, ir.Ref(x), "context deadline exceeded")
            except GoPanic:
                return []
            return _closed_events(cx, t, w, 0, 0) + _woken_events(cx, t, 0, set())
        if kind in ("timer", "ticker"):  # sendTime on the timer's channel C
            c = dict(w.heap[x].fields).get("C")
            if not isinstance(c, ir.Ref) or w.heap[c.obj].closed:
                return []
            x = c.obj
        elif kind != "after":
            return []  # sleep (no event) and afterfunc (starts a goroutine: no ordering event)
        from models.chan import try_send

        try:
            try_send(t, x, ir.TIME_NOW)
        except GoPanic:
            return []
        return _woken_events(cx, t, 0, set())
    gid = action[1]
    choice = action[2] if action[0] == "select" else None
    g = w.gs[gid - 1]
    if not g.frames or (g.wait and g.wait[0] in ("panic", "wg release")):
        return []  # a panic to come; a WaitGroup's release of its waiters (their Wait returns report it)
    ins = m.instr_of(g)
    slots = g.frames[-1].slots
    try:
        m.exec_visible(t, gid, choice)
    except GoPanic:
        return []  # the visible instruction did not complete
    done = t.g(gid).status != WAIT
    line = ins.pos[0]
    out: list[Event] = []
    handled: set[int] = set()
    op = type(ins)
    if op is ir.Load or op is ir.Store:
        ref = slots[ins.ptr]
        fn = m.funcs[g.frames[-1].func]
        name = var_name(m, w, ref, cx.names, fn.slot_names[ins.ptr] if ins.ptr < len(fn.slot_names) else "")
        out.append(Event(gid, "read" if op is ir.Load else "write", (ref.obj, ref.field), line, name))
    elif op is ir.AtomicOp:
        ref = slots[ins.ptr]
        fn = m.funcs[g.frames[-1].func]
        name = var_name(m, w, ref, cx.names, fn.slot_names[ins.ptr] if ins.ptr < len(fn.slot_names) else "")
        kind = _ATOMIC_KIND.get(ins.operator)
        if kind is None:  # cas: a failed compare-and-swap only reads
            ok = t.g(gid).frames[-1].slots[ins.dst] if ins.dst is not None else t.heap[ref.obj] != w.heap[ref.obj]
            kind = "atomic_rmw" if ok else "atomic_read"
        out.append(Event(gid, kind, (ref.obj, ref.field), line, name))
    elif op is ir.Go:
        child = len(w.gs) + 1
        out.append(Event(gid, "go", None, line, f"G{child}", child))
        out.append(Event(child, "start", None, line, f"G{child}"))
    elif op is ir.Send and done:
        out += _send(cx, t, w, gid, _obj(slots[ins.ch]), line, handled)
    elif op is ir.Recv and done:
        out += _recv(cx, t, w, gid, _obj(slots[ins.ch]), line, handled)
    elif op is ir.Select and done:
        case = t.g(gid).frames[-1].slots[ins.dst]
        if case is not None and case >= 0:
            c = ins.cases[case]
            o = _obj(slots[c.ch])
            out += (_send if c.kind == "send" else _recv)(cx, t, w, gid, o, line, handled)
    elif op is ir.Lock or op is ir.TryLock:
        o = _oid(slots[ins.m])
        if done and (op is ir.Lock or t.g(gid).frames[-1].slots[ins.dst]):
            out.append(Event(gid, "lock", o, line, cx.name(o)))
    elif op is ir.Unlock or op is ir.RUnlock:
        o = _oid(slots[ins.m])
        out.append(Event(gid, "unlock" if op is ir.Unlock else "runlock", o, line, cx.name(o)))
    elif op is ir.RLock and done:
        o = _oid(slots[ins.m])
        out.append(Event(gid, "rlock", o, line, cx.name(o)))
    elif op is ir.WgAdd:
        o = _oid(slots[ins.wg])
        delta = slots[ins.delta]
        if delta < 0:
            out.append(Event(gid, "wg_done" if delta == -1 else "wg_add", o, line, cx.name(o), delta))
        else:
            out.append(Event(gid, "wg_add", o, line, cx.name(o), delta))
    elif op is ir.WgWait and done:
        o = _oid(slots[ins.wg])
        out.append(Event(gid, "wg_wait_return", o, line, cx.name(o)))
    elif op is ir.OnceBegin and done:
        o = _oid(slots[ins.once])
        if not t.g(gid).frames[-1].slots[ins.dst]:  # f already ran: Do returns at once
            out.append(Event(gid, "once_return", o, line, cx.name(o)))
    elif op is ir.OnceEnd:
        o = _oid(slots[ins.once])
        out.append(Event(gid, "once_done", o, line, cx.name(o)))
    elif op is ir.CondWait:
        lk, read = _cond_lock(w, slots[ins.cond])
        out.append(Event(gid, "runlock" if read else "unlock", lk, line, cx.name(lk)))
    elif op is ir.CondRelock and done:
        lk, read = _cond_lock(w, slots[ins.cond])
        out.append(Event(gid, "rlock" if read else "lock", lk, line, cx.name(lk)))
    elif op is ir.CondSignal:
        o = _oid(slots[ins.cond])
        out.append(Event(gid, "cond_signal", o, line, cx.name(o)))
    elif op is ir.SyncMap:
        # sync/map.go: every method works under the map's mutex (or on an atomically
        # published read-only map): acquire then release, so calls are totally ordered
        o = _oid(slots[ins.m])
        out.append(Event(gid, "lock", o, line, cx.name(o)))
        out.append(Event(gid, "unlock", o, line, cx.name(o)))
    elif op is ir.CondSetL:
        o = _oid(slots[ins.cond])
        out.append(Event(gid, "write", (o, "L"), line, cx.name(o) + ".L"))
    out += _closed_events(cx, t, w, gid, line)  # channels closed by this step (close, a context's cancel)
    return out + _woken_events(cx, t, gid, handled)


def _closed_events(cx: _Ctx, t: Tx, w: World, gid: int, line: int) -> list[Event]:
    out = []
    for o, obj in enumerate(t.heap):
        if isinstance(obj, Chan) and obj.closed and not (o < len(w.heap) and w.heap[o].closed):
            out.append(Event(gid, "close", o, line, cx.name(o) if o < len(w.heap) else f"object {o}"))
    return out


def _send(cx: _Ctx, t: Tx, w: World, gid: int, o: int | None, line: int, handled: set[int]) -> list[Event]:
    """A completed send by `gid` on channel `o` (and the hand-off to a parked receiver)."""
    if o is None:
        return []
    ch: Chan = w.heap[o]
    out = [cx.chan(o, gid, "send", line)]
    if ch.recvq:
        rg = ch.recvq[0][0]
        handled.add(rg)
        out.append(cx.chan(o, rg, "recv", _line(cx, rg)))
    return out


def _recv(cx: _Ctx, t: Tx, w: World, gid: int, o: int | None, line: int, handled: set[int]) -> list[Event]:
    """A completed receive by `gid` on channel `o` (taking a parked sender's value)."""
    if o is None:
        return []
    ch: Chan = w.heap[o]
    if ch.sendq:
        sg = ch.sendq[0][0]
        handled.add(sg)
        snd, rcv = cx.chan(o, sg, "send", _line(cx, sg)), cx.chan(o, gid, "recv", line)
        return [snd, rcv] if ch.cap == 0 else [rcv, snd]
    if ch.buf:
        return [cx.chan(o, gid, "recv", line)]
    return [cx.chan(o, gid, "recv_closed", line)]


def _line(cx: _Ctx, gid: int) -> int:
    g = cx.w.gs[gid - 1]
    return cx.m.instr_of(g).pos[0] if g.frames else 0


def _woken_events(cx: _Ctx, t: Tx, gid: int, handled: set[int]) -> list[Event]:
    """Events of goroutines whose parked operation this step completed."""
    w, m = cx.w, cx.m
    out: list[Event] = []
    for x in dict.fromkeys(t.woken):
        if x == gid or x in handled or x > len(w.gs):
            continue
        before = w.gs[x - 1]
        if not before.frames or _pc(t, x) == (len(before.frames), before.frames[-1].pc):
            continue  # woken to retry (Mutex normal mode, send on a closed channel): nothing completed
        ins = m.instr_of(before)
        slots = before.frames[-1].slots
        line = ins.pos[0]
        op = type(ins)
        if op is ir.Recv or op is ir.Select:
            if op is ir.Select:
                case = t.g(x).frames[-1].slots[ins.dst]
                if case is None or case < 0 or ins.cases[case].kind != "recv":
                    continue
                o = _obj(slots[ins.cases[case].ch])
            else:
                o = _obj(slots[ins.ch])
            if o is None:
                continue
            closed = t.heap[o].closed and not w.heap[o].closed
            out.append(cx.chan(o, x, "recv_closed" if closed else "recv", line))
        elif op is ir.Lock or op is ir.RLock or op is ir.CondRelock:
            read = op is ir.RLock
            if op is ir.CondRelock:
                o, read = _cond_lock(w, slots[ins.cond])
            else:
                o = _oid(slots[ins.m])
            out.append(Event(x, "rlock" if read else "lock", o, line, cx.name(o)))
        elif op is ir.WgWait:
            o = _oid(slots[ins.wg])
            out.append(Event(x, "wg_wait_return", o, line, cx.name(o)))
        elif op is ir.OnceBegin:
            o = _oid(slots[ins.once])
            out.append(Event(x, "once_return", o, line, cx.name(o)))
        elif op is ir.CondWait:
            o = _oid(slots[ins.cond])
            out.append(Event(x, "cond_wake", o, line, cx.name(o)))
    return out


def _replay(model: Any, path: Sequence[int]) -> tuple[list[World], list[Event]]:
    from checker.trace import replay

    states, actions = replay(model, path)
    out = [Event(1, "start", None, 0, "G1")]
    for s, a in zip(states, actions):
        out.extend(step_events(model, s, a))
    return states, out


def events_along(model: Any, path: Sequence[int]) -> list[Event]:
    """The happens-before events of replaying `path` (initial-state index, then action indices)."""
    return _replay(model, path)[1]


# --------------------------------------------------------------------------- race explanations

#: How an explanation starts when happens-before contradicts the model's race.
INCONSISTENT = "inconsistent:"


def race_accesses(model: Any, w: World) -> tuple[Event, Event] | None:
    """The two racing accesses of state `w` (`models.props.racing_accesses`)
    as the ``read``/``write`` events their goroutines are about to perform,
    or None.  A WaitGroup ``Add`` from zero racing ``Wait`` is Go's -race
    model of the misuse: a write (Add) and a read (Wait) of the WaitGroup;
    a channel send reads the channel and a close writes it."""
    m = model.interp
    pair = racing_accesses(m, w)
    if pair is None:
        return None
    names = _names(m, w)

    def event(x: Any) -> Event:
        kind = "write" if x.write else "read"
        if x.atomic:
            kind = _ATOMIC_KIND.get(x.ins.operator, "atomic_rmw") if x.write else "atomic_read"
        if x.kind == "var":
            return Event(x.gid, kind, (x.ref.obj, x.ref.field), x.ins.pos[0],
                         var_name(m, w, x.ref, names, x.slot_name))
        return Event(x.gid, kind, (x.kind, x.obj), x.ins.pos[0], names.get(x.obj, f"object {x.obj}"))

    return event(pair[0]), event(pair[1])


def _is_wg(e: Event) -> bool:
    return isinstance(e.obj, tuple) and e.obj[:1] == ("wg",)


def _desc(e: Event) -> str:
    if _is_wg(e):
        return f"{e.name}.Add" if e.kind == "write" else f"{e.name}.Wait"
    return e.label


def _variable(e: Event) -> str:
    return f"WaitGroup {e.name}" if _is_wg(e) else (e.name or str(e.obj))


def explain_race(model: Any, path: Sequence[int]) -> str:
    """Why the race at the end of `path` is a race, in happens-before terms.

    The two racing accesses are the next visible instructions of two
    goroutines in the last state; they are appended to the path's events
    and `models.memory.hb` decides.  When happens-before orders them (the
    events and the model disagree) the text starts with `INCONSISTENT`."""
    states, events = _replay(model, path)
    pair = race_accesses(model, states[-1])
    if pair is None:
        return f"no race: no two goroutines are about to perform conflicting accesses in the last state of path {'/'.join(map(str, path))}"
    m = model.interp
    acc = racing_accesses(m, states[-1])
    note = ""
    if acc is not None and acc[0].woken_by:
        # RD-5: the waker's hand-off (a buffered one, or a close) did not acquire the sender's clock
        note = (f"G{acc[0].gid} made its read in the send it was parked in, and G{acc[1].gid} woke it "
                f"without acquiring its clock and has not synchronized since; the close is G{acc[1].gid}'s "
                f"next step")
    elif acc is not None and acc[0].parked:
        # RD-5: the parked send read the channel when it parked; it has done nothing since
        note = (f"G{acc[0].gid} made its read when it parked in the send and has done nothing since; "
                f"the close is G{acc[1].gid}'s next step")
    return explain_events(events, pair[0], pair[1], m.file, m.program.line, note)


def explain_events(events: Sequence[Event], a: Event, b: Event, file: str = "main.go",
                   source: Any = None, note: str = "") -> str:
    """Explain the race between accesses `a` and `b` performed after `events`
    (``source(line)`` gives the Go text of a line, for the head; `note`
    replaces "both are the next steps...", for a read made when parking)."""
    src = source or (lambda n: "")
    h = HappensBefore()
    found: list[Any] = []
    for e in [*events, a, b]:
        found = h.step(e)
    ia, ib = len(h.events) - 2, len(h.events) - 1

    def where(e: Event) -> str:
        text = src(e.line)
        return f"{file}:{e.line}" + (f" ({text})" if text else "")

    race = next((r for r in found if r.first is a and r.second is b), None)
    if race is None:
        order = (f"G{a.g}'s {_desc(a)} at line {a.line} happens before G{b.g}'s {_desc(b)} at line {b.line}"
                 if h.hb(ia, ib) else "they are not conflicting accesses")
        return (f"{INCONSISTENT} the model reports a data race on {_variable(a)} between G{a.g}'s {_desc(a)} at "
                f"{where(a)} and G{b.g}'s {_desc(b)} at {where(b)}, but along the trace's events {order}: "
                f"the trace's happens-before events and the race_free property disagree")
    lines = [f"data race on {_variable(a)}: G{a.g}'s {_desc(a)} at {where(a)} and G{b.g}'s {_desc(b)} at "
             f"{where(b)} are not ordered by happens-before ("
             + (note or "both are the next steps of their goroutines at the end of the trace") + "):"]
    lines.append("- " + _why_not(h, ia, ib))
    lines.append("- " + _why_not(h, ib, ia))
    held = _locks_held(events)
    ha, hb_ = held.get(a.g, {}), held.get(b.g, {})
    if ha or hb_:
        def says(g: int, hs: dict[Any, tuple[str, int]]) -> str:
            if not hs:
                return f"G{g} holds no lock"
            return f"G{g} holds " + ", ".join(f"{n} (locked at line {ln})" for n, ln in hs.values())
        lines.append(f"- {says(a.g, ha)} and {says(b.g, hb_)}: a mutex orders two accesses only when both "
                     f"are made while holding it")
    if _is_wg(a):
        lines.append("- Go's race detector treats an Add from zero as a write of the WaitGroup and Wait as a "
                     "read: Add must happen before Wait (call it before the go statement)")
    return "\n".join(lines)


def _why_not(h: HappensBefore, ip: int, iq: int) -> str:
    """Why access `ip` does not happen before access `iq` (both the last two events)."""
    ev = h.events
    p, q = ev[ip], ev[iq]
    x, y = p.g, q.g
    last = min(ip, iq)
    link = None
    for i in range(last - 1, -1, -1):
        if ev[i].g == x and h.hb(i, iq):
            link = i
            break
    rel = next((e for e in ev[(link + 1 if link is not None else 0):last] if e.g == x and e.kind in RELEASE_KINDS and e.kind != "go"),
               None)
    head = f"G{x}'s {_desc(p)} is not ordered before G{y}'s {_desc(q)}: "
    if link is None:
        why = f"no event of G{x} happens before G{y}'s {_desc(q)} at line {q.line}"
        parent = next((e for e in ev if e.kind == "go" and e.arg == x), None)
        if parent is not None:
            why += f" (G{x} is started by G{parent.g}'s go statement at line {parent.line})"
    elif ev[link].kind == "go" and ev[link].arg == y:
        why = f"G{y} is started by G{x}'s go statement at line {ev[link].line}"
    else:
        e = ev[link]
        why = f"the last event of G{x} that happens before it is G{x}'s {e.label} at line {e.line}"
    if rel is not None:
        hint = _ACQUIRE_HINT.get(rel.kind, "").format(n=rel.name or rel.obj)
        why += (f"; G{x}'s later {rel.label} at line {rel.line} is not acquired by G{y} before line {q.line}"
                + (f" (G{y} would need a {hint} first)" if hint else ""))
    else:
        why += (", after which " if link is not None else "; ") + \
            f"G{x} performs no synchronization with G{y} before its {_desc(p)} at line {p.line}"
    return head + why


def _locks_held(events: Sequence[Event]) -> dict[int, dict[Any, tuple[str, int]]]:
    """Per goroutine, the mutexes it holds after `events`: obj -> (name, line of the Lock)."""
    held: dict[int, dict[Any, tuple[str, int]]] = {}
    for e in events:
        if e.kind in ("lock", "rlock"):
            held.setdefault(e.g, {})[e.obj] = (e.name or str(e.obj), e.line)
        elif e.kind in ("unlock", "runlock"):
            held.get(e.g, {}).pop(e.obj, None)
    return held
