"""The network poller and system calls of the reference runtime.

The Go subset has no I/O yet, so this is the machinery plus natives that
hand-built IR (``Call`` of a function name the program does not define)
or a future frontend can use.  How Go calls map onto it:

=====================================  =====================================
Go                                     here
=====================================  =====================================
``net.Conn.Read/Write``, ``os.File``   ``os.File.Read/Write`` natives: the fd is
on a pipe/socket (pollable fds)        non-blocking; EAGAIN parks the G on the
                                       poller ("IO wait", NP-2) and the M keeps
                                       scheduling; readiness readies it through
                                       ``injectglist`` (NP-3/4, SCH-15)
``os.Pipe``, ``net.Pipe``-like pairs   ``os.Pipe`` / ``syscall.Socketpair``
``syscall.Read`` on a blocking fd,     ``syscall.Read`` / ``syscall.Nanosleep``:
cgo, ``os.ReadFile`` on a regular file ``entersyscall`` (P kept in _Psyscall,
                                       retaken by sysmon, SCH-25/28) or
                                       ``entersyscallblock`` (handed off at once,
                                       SCH-26); ``exitsyscall`` (SCH-27)
=====================================  =====================================
"""

from __future__ import annotations

import os
import select as _select
import selectors
import socket
import threading
import time
from typing import Any

from .objects import PARK

READ, WRITE = 0, 1


class PollDesc:
    """``pollDesc`` (NP-1): one parked G per mode, or a pending readiness."""

    __slots__ = ("fd", "g", "ready", "registered")

    def __init__(self, fd: int):
        self.fd = fd
        self.g: list = [None, None]
        self.ready = [False, False]
        self.registered = False


class Poller:
    """``netpoll`` over ``selectors`` with a break pipe (``netpollBreak``)."""

    def __init__(self) -> None:
        self.sel = selectors.DefaultSelector()
        self.lock = threading.Lock()
        self.brk_r, self.brk_w = socket.socketpair()
        self.brk_r.setblocking(False)
        self.brk_w.setblocking(False)
        self.sel.register(self.brk_r, selectors.EVENT_READ, None)
        self.pds: dict[int, PollDesc] = {}
        self.nwaiters = 0

    def open(self, fd: int) -> None:
        os.set_blocking(fd, False)
        with self.lock:
            self.pds[fd] = PollDesc(fd)

    def close(self, fd: int) -> None:
        with self.lock:
            pd = self.pds.pop(fd, None)
            if pd is not None and pd.registered:
                self.sel.unregister(fd)
        os.close(fd)

    def _update(self, pd: PollDesc) -> None:
        ev = (selectors.EVENT_READ if pd.g[READ] else 0) | (selectors.EVENT_WRITE if pd.g[WRITE] else 0)
        if ev and not pd.registered:
            self.sel.register(pd.fd, ev, pd)
            pd.registered = True
        elif ev:
            self.sel.modify(pd.fd, ev, pd)
        elif pd.registered:
            self.sel.unregister(pd.fd)
            pd.registered = False

    def wait(self, g: Any, fd: int, mode: int):
        """``netpollblock`` (NP-2): consume a pending readiness or park in IO wait."""
        self.lock.acquire()
        pd = self.pds[fd]
        if pd.ready[mode]:
            pd.ready[mode] = False
            self.lock.release()
            return
        pd.g[mode] = g
        self.nwaiters += 1
        self._update(pd)
        yield (PARK, "IO wait", self.lock.release)

    def poll(self, delay: float | None) -> list:
        """``netpoll(delay)`` (NP-3): the Gs whose fds became ready."""
        events = self.sel.select(delay)
        gl = []
        with self.lock:
            for key, mask in events:
                pd = key.data
                if pd is None:
                    try:
                        while self.brk_r.recv(512):
                            pass
                    except (BlockingIOError, OSError):
                        pass
                    continue
                if self.pds.get(pd.fd) is not pd:
                    continue
                for mode, bit in ((READ, selectors.EVENT_READ), (WRITE, selectors.EVENT_WRITE)):
                    if mask & bit:
                        if pd.g[mode] is not None:
                            gl.append(pd.g[mode])
                            pd.g[mode] = None
                            self.nwaiters -= 1
                        else:
                            pd.ready[mode] = True
                self._update(pd)
        return gl

    def wakeup(self) -> None:
        """``netpollBreak``: interrupt a blocking poll."""
        try:
            self.brk_w.send(b"x")
        except (BlockingIOError, OSError):
            pass

    def shutdown(self) -> None:
        for fd in list(self.pds):
            try:
                self.close(fd)
            except OSError:
                pass
        self.sel.close()
        self.brk_r.close()
        self.brk_w.close()


# ---------------------------------------------------------------- system calls


def syscall(rt: Any, g: Any, fn: Any, block: bool = False):
    """Run ``fn()`` as a system call: ``entersyscall``/``entersyscallblock``,
    then ``exitsyscall``; without a P the G is requeued globally (SCH-27c)."""
    m = g.m
    rt.sched.entersyscall(m, g, block)
    try:
        res = fn()
    finally:
        ok = rt.sched.exitsyscall(m, g)
    if not ok:
        yield ("stop",)
    return res


def _nanosleep(rt: Any, g: Any, args: tuple):
    yield from syscall(rt, g, lambda: time.sleep(max(args[0], 0) / 1e9))
    return ()


def _blocking_read(rt: Any, g: Any, args: tuple):
    fd, n = args[0], (args[1] if len(args) > 1 else 4096)

    def read() -> bytes:
        _select.select([fd], [], [])
        return os.read(fd, n)
    data = yield from syscall(rt, g, read, block=True)
    return (data.decode(),)


def _pipe(rt: Any, g: Any, args: tuple):
    r, w = os.pipe()
    rt.poller.open(r)
    rt.poller.open(w)
    return (r, w)
    yield


def _socketpair(rt: Any, g: Any, args: tuple):
    a, b = socket.socketpair()
    fa, fb = a.detach(), b.detach()
    rt.poller.open(fa)
    rt.poller.open(fb)
    return (fa, fb)
    yield


def _read(rt: Any, g: Any, args: tuple):
    """``(*os.File).Read``: non-blocking read; EAGAIN parks on the poller."""
    fd, n = args[0], (args[1] if len(args) > 1 else 4096)
    while True:
        try:
            return (os.read(fd, n).decode(),)
        except BlockingIOError:
            yield from rt.poller.wait(g, fd, READ)


def _write(rt: Any, g: Any, args: tuple):
    fd, data = args[0], args[1].encode()
    done = 0
    while done < len(data):
        try:
            done += os.write(fd, data[done:])
        except BlockingIOError:
            yield from rt.poller.wait(g, fd, WRITE)
    return (done,)


def _close(rt: Any, g: Any, args: tuple):
    rt.poller.close(args[0])
    return ()
    yield


NATIVES = {
    "syscall.Nanosleep": _nanosleep,
    "syscall.Read": _blocking_read,
    "os.Pipe": _pipe,
    "syscall.Socketpair": _socketpair,
    "os.File.Read": _read,
    "os.File.Write": _write,
    "os.File.Close": _close,
}
