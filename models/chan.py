"""Channels: send, receive, close and the FIFO wait queues (CH-1..CH-7).

Follows ``runtime/chan.go`` (chansend, chanrecv, closechan) at the level Go
programs can observe: a waiting receiver gets the value directly (CH-4.4),
a buffered channel is a FIFO ring (CH-3), a receive from a full buffer with
a waiting sender takes the head and moves the sender's value to the tail
(CH-5.4), ``close`` wakes every waiter (CH-6), a closed and drained
channel yields the zero value and ``ok == false`` (CH-5.3), and operations
on a nil channel block forever (CH-4.1, CH-5.1).

Waiters are ``(gid, case)`` entries: ``case`` -1 is a plain ``ch <- v`` or
``<-ch``; otherwise the goroutine waits in a select and ``case`` is the
index of the case registered here (SEL-6).  Completing a select waiter
removes its registrations on every other channel in the same step, so
exactly one case fires.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, cast

from models import ir
from models.state import RUN, Chan
from models.tx import GoPanic, Tx

__all__ = ["exec_send", "exec_recv", "exec_close", "try_send", "try_recv", "close_chan", "unregister",
           "sender_value", "complete_recv", "complete_send", "send_reads", "note_unsynced", "settle_unsynced",
           "NO_ACQUIRE"]


def send_reads(ins: ir.Instr, slots: tuple[Any, ...]) -> list[int]:
    """The channels a goroutine at `ins` reads by sending (RD-5): a `Send`'s
    channel, or every send case's channel of a `Select` (``selectgo`` polls
    them all before it parks); nil channels are not read."""
    if type(ins) is ir.Send:
        c = slots[ins.ch]
        return [c.obj] if isinstance(c, ir.Ref) else []
    if type(ins) is ir.Select:
        out: list[int] = []
        for case in ins.cases:
            c = slots[case.ch]
            if case.kind == "send" and isinstance(c, ir.Ref) and c.obj not in out:
                out.append(c.obj)
        return out
    return []


def note_unsynced(t: Tx, gid: int, skip: int | None = None) -> None:
    """The stepping goroutine (``t.actor``) ends parked `gid`'s wait without
    acquiring its clock: a receive that moves its value into a full buffer
    (``recv``: ``racenotify`` for the receiver before the sender's release),
    a buffered send to its select's receive case, or a close that wakes it
    (``closechan`` only makes the woken goroutine acquire).  The reads its
    send (or select's send cases) made before parking stay unordered with the
    waker: recorded in ``World.unsynced`` (RD-5; `models.props` reports a
    close of such a channel by the waker).  Call it before `gid` is woken.
    `skip`: a channel this very step closes (that race is the step's own)."""
    waker = t.actor
    if not waker or waker == gid:
        return
    ins = t.instr(gid)
    new = tuple((c, gid, waker, ins) for c in send_reads(ins, t.g(gid).frames[-1].slots)
                if c != skip and not t.get(c).closed)
    if new:
        t.unsynced = tuple(dict.fromkeys(t.unsynced + new))


def sender_value(t: Tx, gid: int, case: int) -> Any:
    """The value a parked sender offers (its `Send` or select send case)."""
    # case -1 waits in a Send, any other case in a Select (see the module doc).
    ins = t.instr(gid)
    if case < 0:
        return t.slot(gid, cast(ir.Send, ins).src)
    return t.slot(gid, cast(int, cast(ir.Select, ins).cases[case].val))


def unregister(t: Tx, gid: int) -> None:
    """Remove a parked select's entries from every channel it waits on (SEL-7)."""
    g = t.g(gid)
    if not g.wait or g.wait[0] != "select":
        return
    for c in g.wait[1]:
        ch = t.get(c)
        t.put(c, replace(ch, recvq=tuple(e for e in ch.recvq if e[0] != gid),
                         sendq=tuple(e for e in ch.sendq if e[0] != gid)))


def complete_recv(t: Tx, gid: int, case: int, value: Any, ok: bool) -> None:
    """A parked receiver (plain or select case) got `value`, `ok`: wake it."""
    ins = t.instr(gid)
    writes: tuple[tuple[int | None, Any], ...]
    if case < 0:
        r = cast(ir.Recv, ins)
        writes = ((r.dst, value), (r.ok, ok))
    else:
        sel = cast(ir.Select, ins)
        c = sel.cases[case]
        writes = ((sel.dst, case), (c.val, value), (c.ok, ok))
        unregister(t, gid)
    t.wake(gid, writes)


def complete_send(t: Tx, gid: int, case: int) -> None:
    """A parked sender's value was taken: wake it past its send."""
    if case < 0:
        t.wake(gid)
    else:
        unregister(t, gid)
        t.wake(gid, ((cast(ir.Select, t.instr(gid)).dst, case),))


def _zero(t: Tx, gid: int, case: int) -> Any:
    ins = t.instr(gid)
    return cast(ir.Recv, ins).zero if case < 0 else cast(ir.Select, ins).cases[case].zero


def try_send(t: Tx, c: int, value: Any) -> bool:
    """CH-4 steps 3-5 on channel object `c`: True when the send completed."""
    ch: Chan = t.get(c)
    if ch.closed:
        raise GoPanic("send on closed channel")
    if ch.recvq:
        (rg, case), rest = ch.recvq[0], ch.recvq[1:]
        t.put(c, replace(ch, recvq=rest))
        if ch.cap and case >= 0:  # buffered: racenotify, no racesync (RD-5)
            note_unsynced(t, rg)
        complete_recv(t, rg, case, value, True)
        return True
    if len(ch.buf) < ch.cap:
        t.put(c, replace(ch, buf=ch.buf + (value,)))
        return True
    return False


def try_recv(t: Tx, c: int) -> tuple[Any, bool] | None:
    """CH-5 steps 3-5 on channel object `c`: ``(value, ok)``, or None to block.
    A closed, drained channel returns ``(None, False)``: callers substitute
    the element type's zero value."""
    ch: Chan = t.get(c)
    if ch.sendq:
        (sg, case), rest = ch.sendq[0], ch.sendq[1:]
        v = sender_value(t, sg, case)
        if ch.cap == 0:
            got, buf = v, ch.buf
        else:
            got, buf = ch.buf[0], ch.buf[1:] + (v,)
            note_unsynced(t, sg)  # the sender's value moves into the buffer: racenotify, no racesync (RD-5)
        t.put(c, replace(ch, sendq=rest, buf=buf))
        complete_send(t, sg, case)
        return got, True
    if ch.buf:
        t.put(c, replace(ch, buf=ch.buf[1:]))
        return ch.buf[0], True
    if ch.closed:
        return None, False
    return None


def close_chan(t: Tx, c: int) -> None:
    """CH-6: mark closed; receivers get (zero, false), senders will panic."""
    ch: Chan = t.get(c)
    if ch.closed:
        raise GoPanic("close of closed channel")
    t.put(c, Chan(ch.cap, ch.buf, True))
    # closechan (chan.go:357) dequeues every receiver, then every sender (a
    # select waiting in both is claimed once, by its first sudog), pushing
    # each on a gList stack, and readies them by popping it: the last
    # collected is readied first, so under runnext the first receiver ends
    # up in runnext (CH-6, SCH-14).  The order of `t.woken` is that order.
    glist: list[tuple[bool, int, int]] = []
    claimed: set[int] = set()
    for recv, q in ((True, ch.recvq), (False, ch.sendq)):
        for g, case in q:
            if t.g(g).status == "wait" and g not in claimed:
                claimed.add(g)
                glist.append((recv, g, case))
    for recv, g, case in reversed(glist):
        if case >= 0:  # a select: its other send cases' reads stay unordered with the closer (RD-5)
            note_unsynced(t, g, skip=c)
        if recv:
            complete_recv(t, g, case, _zero(t, g, case), False)
        else:
            unregister(t, g)
            t.wake_retry(g, wait=("panic", "send on closed channel"))


#: Visible instructions that never acquire (RD-1: plain accesses, releases, spawning, output): a
#: waker that runs one of these stays unordered with the reads `note_unsynced` recorded for it.
#: Any other instruction may acquire the reader's clock, so the record is dropped (which can only
#: lose a report, never invent one).
NO_ACQUIRE: frozenset[type[ir.Instr]] = frozenset({
    ir.Load, ir.Store, ir.LenOf, ir.Print, ir.Close, ir.Unlock, ir.RUnlock, ir.Go, ir.Gosched, ir.Sleep,
    ir.WgAdd, ir.Append, ir.Copy, ir.MapIndex, ir.MapStore, ir.MapDelete, ir.MapLen, ir.MapKeys,
    ir.MapWriting, ir.Choose})


def settle_unsynced(t: Tx) -> None:
    """After a step: keep a `note_unsynced` record only while its waker is
    runnable and its next visible instruction cannot acquire (`NO_ACQUIRE`,
    which includes ``close``; or a select, which `models.select.forget_unsynced`
    judges when it runs), and its channel is open (a closed channel is never written
    again).  A waker about to do anything else may acquire the reader's
    clock, and until it does it cannot be at the close the record is for: the
    record goes now, so it never tells states apart for nothing."""
    keep = []
    for e in t.unsynced:
        g = t.g(e[2])
        if g.status != RUN or g.wait or not g.frames or t.get(e[0]).closed:
            continue
        op = type(t.instr(e[2]))
        if op in NO_ACQUIRE or op is ir.Select:
            keep.append(e)
    t.unsynced = tuple(keep)


def exec_send(t: Tx, gid: int, ins: ir.Send, s: tuple[Any, ...]) -> None:
    ref = s[ins.ch]
    if ref is None:
        t.park(gid, ("chan send (nil chan)",))
        return
    if try_send(t, ref.obj, s[ins.src]):
        t.advance(gid)
        return
    ch = t.get(ref.obj)
    t.put(ref.obj, replace(ch, sendq=ch.sendq + ((gid, -1),)))
    t.park(gid, ("chan send", ref.obj))


def exec_recv(t: Tx, gid: int, ins: ir.Recv, s: tuple[Any, ...]) -> None:
    ref = s[ins.ch]
    if ref is None:
        t.park(gid, ("chan receive (nil chan)",))
        return
    r = try_recv(t, ref.obj)
    if r is not None:
        v, ok = r
        t.advance(gid, ((ins.dst, v if ok else ins.zero), (ins.ok, ok)))
        return
    ch = t.get(ref.obj)
    t.put(ref.obj, replace(ch, recvq=ch.recvq + ((gid, -1),)))
    t.park(gid, ("chan receive", ref.obj))


def exec_close(t: Tx, gid: int, ins: ir.Close, s: tuple[Any, ...]) -> None:
    ref = s[ins.ch]
    if ref is None:
        raise GoPanic("close of nil channel")
    close_chan(t, ref.obj)
    t.advance(gid)


#: The visible instructions this module executes (`models.interp` builds its table from these).
HANDLERS: dict[type[ir.Instr], Callable[..., None]] = {
    ir.Send: exec_send, ir.Recv: exec_recv, ir.Close: exec_close,
}
