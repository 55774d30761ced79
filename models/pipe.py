"""``os.Pipe`` files and blocking system calls in the abstract semantics
(docs/go-semantics.md 1.7 SCH-25..27, 6.1 NP-1..4, 6.3).

A pipe end is ``Ref(pipe, "r")`` or ``Ref(pipe, "w")`` (a `models.state.Pipe`
heap object).  Reads on an empty pipe park the goroutine on the poller with
wait reason ``("IO wait", pipe)`` (``_Gwaiting``, ``waitReasonIOWait``); the
M is not blocked.  A write or a close of the write end makes the read end
ready; the goroutine becomes runnable again only through the environment
event ``("netpoll", pipe)`` (Go's netpoll is asynchronous: an M or sysmon
polls, NP-3/4), and then retries its read.  A blocking system call parks the
goroutine with ``("syscall", name)`` until the environment event
``("syscall", gid)``.  `env_events` lists the enabled events; `fire_env`
delivers one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from models import ir
from models.state import WAIT, Pipe, World

__all__ = ["env_events", "fire_env", "exec_read", "exec_write", "exec_close", "ENV_KINDS", "IO_WAIT", "SYSCALL"]

IO_WAIT = "IO wait"
SYSCALL = "syscall"
ENV_KINDS = ("syscall", "netpoll")
_NAMES = {"r": "|0", "w": "|1"}


def env_events(w: World) -> list[tuple[str, int]]:
    """Enabled environment events, sorted: system calls that may return
    (``("syscall", gid)``) and pipes whose parked reader may be readied by
    netpoll (``("netpoll", pipe)``)."""
    if w.ended:
        return []
    out: list[tuple[str, int]] = []
    for g in w.gs:
        if g.status == WAIT and g.wait:
            k = g.wait[0]
            if k == SYSCALL:
                out.append(("syscall", g.gid))
            elif k == IO_WAIT and w.heap[g.wait[1]].ready:
                out.append(("netpoll", g.wait[1]))
    return sorted(out)


def fire_env(t: Any, event: tuple[str, int]) -> None:
    """Deliver `event` on the transaction `t` (see `env_events`)."""
    kind, x = event
    if kind == "syscall":
        t.wake(x)  # exitsyscall: the call returned, the G moves on (SCH-27)
    elif kind == "netpoll":
        p = t.get(x)
        gid = p.reader
        t.put(x, replace(p, reader=0))
        t.wake_retry(gid)  # netpollready: the G is runnable and retries its read (NP-3)
    else:
        raise ValueError(f"unknown environment event {event!r}")


def _end(v: Any) -> tuple[int, str] | None:
    if isinstance(v, ir.Ref) and v.field in ("r", "w"):
        return v.obj, v.field
    return None


def exec_read(t: Any, gid: int, ins: ir.PipeRead, s: tuple[Any, ...]) -> None:
    end = _end(s[ins.f])
    if end is None:
        t.advance(gid, ((ins.dst_n, 0), (ins.dst_err, "invalid argument")))
        return
    o, which = end
    p: Pipe = t.get(o)
    name = _NAMES[which]
    if which == "w":
        err = f"read {name}: file already closed" if p.wclosed else f"read {name}: bad file descriptor"
        t.advance(gid, ((ins.dst_n, 0), (ins.dst_err, err)))
    elif p.rclosed:
        t.advance(gid, ((ins.dst_n, 0), (ins.dst_err, f"read {name}: file already closed")))
    elif p.buf:
        k = max(int(s[ins.buf]), 1)
        n = min(k, len(p.buf))
        t.put(o, replace(p, buf=p.buf[n:]))
        t.advance(gid, ((ins.dst_n, n), (ins.dst_err, None)))
    elif p.wclosed:
        t.advance(gid, ((ins.dst_n, 0), (ins.dst_err, "EOF")))
    else:  # EAGAIN: netpollblock parks the G, not the M (NP-2)
        t.put(o, replace(p, reader=gid))
        t.park(gid, (IO_WAIT, o))


def exec_write(t: Any, gid: int, ins: ir.PipeWrite, s: tuple[Any, ...]) -> None:
    end = _end(s[ins.f])
    data = s[ins.data]
    if end is None:
        t.advance(gid, ((ins.dst_n, 0), (ins.dst_err, "invalid argument")))
        return
    o, which = end
    p: Pipe = t.get(o)
    name = _NAMES[which]
    if which == "r":
        err = f"write {name}: file already closed" if p.rclosed else f"write {name}: bad file descriptor"
        t.advance(gid, ((ins.dst_n, 0), (ins.dst_err, err)))
    elif p.wclosed:
        t.advance(gid, ((ins.dst_n, 0), (ins.dst_err, f"write {name}: file already closed")))
    elif p.rclosed:
        t.advance(gid, ((ins.dst_n, 0), (ins.dst_err, f"write {name}: broken pipe")))
    else:
        t.put(o, replace(p, buf=p.buf + data))
        t.advance(gid, ((ins.dst_n, len(data.encode())), (ins.dst_err, None)))


def exec_close(t: Any, gid: int, ins: ir.PipeClose, s: tuple[Any, ...]) -> None:
    end = _end(s[ins.f])
    if end is None:
        t.advance(gid, ((ins.dst_err, "invalid argument"),))
        return
    o, which = end
    p: Pipe = t.get(o)
    name = _NAMES[which]
    if (p.rclosed if which == "r" else p.wclosed):
        t.advance(gid, ((ins.dst_err, f"close {name}: file already closed"),))
        return
    if which == "w":
        t.put(o, replace(p, wclosed=True))  # EOF pending: the read end becomes ready
    else:
        t.put(o, replace(p, rclosed=True, reader=0, buf=""))
        if p.reader:  # pd.evict -> netpollunblock -> goready: the reader sees the closed file
            t.wake(p.reader, ((_read_dst(t, p.reader, "n"), 0),
                              (_read_dst(t, p.reader, "err"), f"read {name}: file already closed")))
    t.advance(gid, ((ins.dst_err, None),))


def _read_dst(t: Any, gid: int, which: str) -> int | None:
    ins = t.instr(gid)
    return ins.dst_n if which == "n" else ins.dst_err


#: The visible instructions this module executes (`models.interp` builds its table from these).
HANDLERS: dict[type[ir.Instr], Callable[..., None]] = {
    ir.PipeRead: exec_read, ir.PipeWrite: exec_write, ir.PipeClose: exec_close,
}
