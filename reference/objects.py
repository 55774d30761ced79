"""Runtime objects of the reference runtime: channels, the runtime semaphore and
the sync primitives built on it, contexts.  Every object has a real lock.

Blocking operations are Python generators run by the interpreter on behalf of
a goroutine.  A generator that must block yields ``("park", reason,
unlockf)`` *while still holding its object lock*: the M suspends the
generator, marks the G waiting and only then calls ``unlockf`` -- the
analogue of ``gopark(unlockf)`` (``runtime/proc.go: park_m``), so a waker can
never resume a goroutine that has not finished parking.  The waker readies
it with ``rt.ready(gp, p)``: ``goready`` into the waker's P's runnext
(SCH-14).  The generator's return value is the operation's result.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

# ---------------------------------------------------------------- failures


class GoPanic(Exception):
    """A Go panic in progress: deferred calls run, then the program dies (exit 2)."""

    def __init__(self, value: Any, runtime_error: bool = False, extra: str = ""):
        super().__init__(value)
        self.value = value
        self.runtime_error = runtime_error
        self.extra = extra


class GoFatal(Exception):
    """A runtime ``throw``/``fatal``: no deferred calls, the program dies (exit 2)."""

    def __init__(self, msg: str):
        super().__init__(msg)
        self.msg = msg


PARK = "park"
YIELD_LOCAL = "yield_local"


def _noop() -> None:
    return None


# ---------------------------------------------------------------- heap objects


class Obj:
    """A plain heap object: struct (dict of fields), array or scalar cell (list)."""

    __slots__ = ("id", "kind", "f", "alock")

    def __init__(self, oid: int, kind: str, f: Any):
        self.id = oid
        self.kind = kind
        self.f = f
        self.alock = threading.Lock()


class Sudog:
    """A G waiting on one channel (``runtime2.go: sudog``), CH-1."""

    __slots__ = ("g", "elem", "success", "is_select", "case", "c", "ticket")

    def __init__(self, g: Any, elem: Any = None, c: Any = None, is_select: bool = False, case: int = -1):
        self.g = g
        self.elem = elem
        self.success = False
        self.is_select = is_select
        self.case = case
        self.c = c
        self.ticket = 0


_select_done_lock = threading.Lock()


def _dequeue(q: deque) -> Sudog | None:
    """``waitq.dequeue``: skip select sudogs whose G already won another case (SEL-6)."""
    while q:
        sg = q.popleft()
        if sg.is_select:
            with _select_done_lock:
                if sg.g.select_done:
                    continue
                sg.g.select_done = True
                sg.g.param = sg
        return sg
    return None


class Chan:
    """``hchan`` (CH-1): buffer ring, sendq/recvq FIFO wait queues, one lock."""

    __slots__ = ("id", "kind", "cap", "buf", "closed", "recvq", "sendq", "lock", "zero")

    def __init__(self, oid: int, cap: int, zero: Any = None):
        self.id = oid
        self.kind = "chan"
        self.cap = cap
        self.buf: deque = deque()
        self.closed = False
        self.recvq: deque = deque()
        self.sendq: deque = deque()
        self.lock = threading.Lock()
        self.zero = zero


def chan_send(rt: Any, g: Any, c: Chan | None, v: Any, ev: Any):
    """``chansend`` with block=true (CH-4): panic if closed, hand off to a
    waiting receiver (goready into our P's runnext), buffer, or park on sendq."""
    if c is None:
        yield (PARK, "chan send (nil chan)", _noop)
        raise AssertionError("unreachable: nil channel send woke up")
    c.lock.acquire()
    if c.closed:
        c.lock.release()
        raise GoPanic("send on closed channel")
    sg = _dequeue(c.recvq)
    if sg is not None:
        sg.elem = v
        sg.success = True
        ev(c.id)
        c.lock.release()
        rt.ready(sg.g, g.m.p)
        return
    if len(c.buf) < c.cap:
        c.buf.append(v)
        ev(c.id)
        c.lock.release()
        return
    sd = Sudog(g, v, c)
    c.sendq.append(sd)
    yield (PARK, "chan send", c.lock.release)
    if not sd.success:
        raise GoPanic("send on closed channel")
    ev(c.id)


def chan_recv(rt: Any, g: Any, c: Chan | None, zero: Any, ev: Any):
    """``chanrecv`` with block=true (CH-5); returns (value, ok)."""
    if c is None:
        yield (PARK, "chan receive (nil chan)", _noop)
        raise AssertionError("unreachable: nil channel receive woke up")
    c.lock.acquire()
    if c.closed and not c.buf:
        ev(c.id)
        c.lock.release()
        return zero, False
    if not c.closed:
        sg = _dequeue(c.sendq)
        if sg is not None:
            v = _recv_from(c, sg)
            ev(c.id)
            c.lock.release()
            rt.ready(sg.g, g.m.p)
            return v, True
    if c.buf:
        v = c.buf.popleft()
        ev(c.id)
        c.lock.release()
        return v, True
    sd = Sudog(g, None, c)
    c.recvq.append(sd)
    yield (PARK, "chan receive", c.lock.release)
    ev(c.id)
    return (sd.elem, True) if sd.success else (zero, False)


def _recv_from(c: Chan, sg: Sudog) -> Any:
    """``recv()``: unbuffered takes the sender's value directly; buffered (full)
    takes the head and the sender's value becomes the tail (CH-5.4)."""
    sg.success = True
    if c.cap == 0:
        return sg.elem
    v = c.buf.popleft()
    c.buf.append(sg.elem)
    return v


def chan_close(rt: Any, g: Any, c: Chan | None, ev: Any) -> None:
    """``closechan`` (CH-6): wake every receiver (zero, ok=false) and sender (panics)."""
    if c is None:
        raise GoPanic("close of nil channel")
    with c.lock:
        if c.closed:
            raise GoPanic("close of closed channel")
        c.closed = True
        woken = []
        while (sg := _dequeue(c.recvq)) is not None:
            sg.elem = c.zero
            sg.success = False
            woken.append(sg.g)
        while (sg := _dequeue(c.sendq)) is not None:
            sg.success = False
            woken.append(sg.g)
        ev(c.id)
    p = g.m.p if g is not None else None
    for gp in reversed(woken):  # a LIFO gList: readied in reverse order (CH-6 [IMPL])
        rt.ready(gp, p)


def chan_send_nb(rt: Any, c: Chan, v: Any, p: Any) -> bool:
    """Non-blocking send from the runtime itself (a ``time.After`` timer)."""
    with c.lock:
        if c.closed:
            return False
        sg = _dequeue(c.recvq)
        if sg is None:
            if len(c.buf) < c.cap:
                c.buf.append(v)
                return True
            return False
        sg.elem = v
        sg.success = True
    rt.ready(sg.g, p)
    return True


def select(rt: Any, g: Any, cases: list, has_default: bool, ev: Any):
    """``selectgo`` (SEL-3..7).  `cases` is a list of (kind, chan, value, zero).
    Returns (index, value, ok); index -1 is default."""
    order = [i for i, cs in enumerate(cases) if cs[1] is not None]
    rt.rand.shuffle(order)  # pollorder: a uniform permutation (SEL-3)
    chans = sorted({id(cases[i][1]): cases[i][1] for i in order}.values(), key=lambda c: c.id)
    if not chans and not has_default:
        yield (PARK, "select (no cases)" if not cases else "select", _noop)
        raise AssertionError("unreachable: empty select woke up")
    for c in chans:  # sellock in lockorder (SEL-4)
        c.lock.acquire()

    def unlock_all() -> None:
        for c in reversed(chans):
            c.lock.release()

    for i in order:  # pass 1 (SEL-5)
        kind, c, v, zero = cases[i]
        if kind == "recv":
            sg = None if c.closed else _dequeue(c.sendq)
            if sg is not None:
                val = _recv_from(c, sg)
                ev(c.id, i)
                unlock_all()
                rt.ready(sg.g, g.m.p)
                return i, val, True
            if c.buf:
                val = c.buf.popleft()
                ev(c.id, i)
                unlock_all()
                return i, val, True
            if c.closed:
                ev(c.id, i)
                unlock_all()
                return i, zero, False
        else:
            if c.closed:
                unlock_all()
                raise GoPanic("send on closed channel")
            sg = _dequeue(c.recvq)
            if sg is not None:
                sg.elem = v
                sg.success = True
                ev(c.id, i)
                unlock_all()
                rt.ready(sg.g, g.m.p)
                return i, None, True
            if len(c.buf) < c.cap:
                c.buf.append(v)
                ev(c.id, i)
                unlock_all()
                return i, None, True
    if has_default:
        ev(None, -1)
        unlock_all()
        return -1, None, False
    # pass 2: enqueue on every channel and park (SEL-6)
    g.select_done = False
    sds = []
    for i, (kind, c, v, _zero) in enumerate(cases):
        if c is None:
            continue
        sd = Sudog(g, v if kind == "send" else None, c, True, i)
        (c.sendq if kind == "send" else c.recvq).append(sd)
        sds.append(sd)
    yield (PARK, "select", unlock_all)
    # pass 3: relock, dequeue the losers, report the winner (SEL-7)
    for c in chans:
        c.lock.acquire()
    win = g.param
    g.param = None
    for sd in sds:
        if sd is not win:
            q = sd.c.sendq if cases[sd.case][0] == "send" else sd.c.recvq
            try:
                q.remove(sd)  # dequeueSudoG
            except ValueError:
                pass
    assert win is not None, "select woke without a winning case"
    kind, c, _v, zero = cases[win.case]
    if kind == "send" and not win.success:
        unlock_all()
        raise GoPanic("send on closed channel")
    ev(c.id, win.case)
    unlock_all()
    if kind == "recv":
        return win.case, (win.elem if win.success else zero), win.success
    return win.case, None, True


# ---------------------------------------------------------------- context


class Context:
    """A context: Background (never cancelled, nil Done) or a WithCancel child."""

    __slots__ = ("id", "kind", "done", "done_ref", "parent", "children", "err", "lock")

    def __init__(self, oid: int, done: Chan | None, parent: Context | None):
        self.id = oid
        self.kind = "context"
        self.done = done
        self.done_ref = None
        self.parent = parent
        self.children: list = []
        self.err: str | None = None
        self.lock = threading.Lock()


def ctx_cancel(rt: Any, g: Any, ctx: Context) -> None:
    """cancel(): close Done and cancel the children; idempotent."""
    with ctx.lock:
        if ctx.err is not None or ctx.done is None:
            return
        ctx.err = "context canceled"
        children = list(ctx.children)
    chan_close(rt, g, ctx.done, lambda *a: None)
    for ch in children:
        ctx_cancel(rt, g, ch)
