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
                pd: PollDesc | None = key.data
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


# ---------------------------------------------------------------- the Go subset's calls
#
# The frontend lowers ``syscall.Sync()`` to IR ``Syscall`` and ``os.Pipe`` /
# ``(*os.File).Read/Write/Close`` to ``PipeMake``/``PipeRead``/``PipeWrite``/
# ``PipeClose`` (see models/ir.py); the interpreter runs them with these.


class PipeFile:
    """One ``*os.File`` end of ``os.Pipe()``: its fd (non-blocking, on the
    poller), Go's name (``|0`` read end, ``|1`` write end) and closed flag."""

    __slots__ = ("fd", "name", "closed")

    def __init__(self, fd: int, name: str):
        self.fd = fd
        self.name = name
        self.closed = False

    def __repr__(self) -> str:
        return f"&os.File{{{self.name}}}"


def sync_syscall(rt: Any, g: Any):
    """``syscall.Sync()``: a real sync(2) as a system call (SCH-25..27)."""
    yield from syscall(rt, g, os.sync)


def pipe_make(rt: Any) -> tuple[PipeFile, PipeFile]:
    r, w = os.pipe()
    rt.poller.open(r)
    rt.poller.open(w)
    return PipeFile(r, "|0"), PipeFile(w, "|1")


def file_read(rt: Any, g: Any, f: Any, k: int):
    """``n, err := f.Read(buf)`` (len(buf) == k): EAGAIN parks on the poller."""
    if not isinstance(f, PipeFile):
        return 0, "invalid argument"
    while True:
        if f.closed:
            return 0, f"read {f.name}: file already closed"
        if f.name == "|1":
            return 0, f"read {f.name}: bad file descriptor"
        try:
            data = os.read(f.fd, max(int(k), 1))
        except BlockingIOError:
            yield from rt.poller.wait(g, f.fd, READ)
            continue
        except OSError:
            return 0, f"read {f.name}: file already closed"
        return (len(data), None) if data else (0, "EOF")


def file_write(rt: Any, g: Any, f: Any, s: str):
    """``n, err := f.Write([]byte(s))``."""
    if not isinstance(f, PipeFile):
        return 0, "invalid argument"
    if f.closed:
        return 0, f"write {f.name}: file already closed"
    if f.name == "|0":
        return 0, f"write {f.name}: bad file descriptor"
    data = s.encode()
    done = 0
    while done < len(data):
        try:
            done += os.write(f.fd, data[done:])
        except BlockingIOError:
            yield from rt.poller.wait(g, f.fd, WRITE)
        except BrokenPipeError:
            return 0, f"write {f.name}: broken pipe"
    return len(data), None


def file_close(rt: Any, g: Any, f: Any) -> str | None:
    """``err := f.Close()``: a parked reader is readied at once (``netpollunblock``)."""
    if not isinstance(f, PipeFile):
        return "invalid argument"
    if f.closed:
        return f"close {f.name}: file already closed"
    f.closed = True
    p = rt.poller
    woken = []
    with p.lock:
        pd = p.pds.get(f.fd)
        if pd is not None:
            for mode in (READ, WRITE):
                if pd.g[mode] is not None:
                    woken.append(pd.g[mode])
                    pd.g[mode] = None
                    p.nwaiters -= 1
    p.close(f.fd)
    for w in woken:
        rt.ready(w, g.m.p if getattr(g, "m", None) is not None else None)
    return None
