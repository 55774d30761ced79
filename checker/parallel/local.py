"""The local backend: one worker process per partition (`multiprocessing`).

The coordinator talks to each worker over a pipe, in a star: it sends a
command, the worker answers.  In a round, every worker expands its batch and
answers with its outboxes, each pickled once into bytes; the coordinator
forwards those bytes to their owners without opening them (a memory copy),
then collects the statuses.  Every worker first reads its whole command
and only then writes its answer, and the coordinator reads every answer
before it writes again, so no pipe can fill up in both directions at once.

Start method: ``fork`` when the coordinator runs no other thread (fast: the
worker inherits the imported modules and the model's code), else
``forkserver`` (forking a threaded process can deadlock).  Either way the
model factory is what builds the worker's model; the fingerprints do not
depend on the process (see `checker.parallel.codec`).  Workers ignore
SIGINT: Ctrl-C reaches the coordinator, which stops after the round.
"""

from __future__ import annotations

import multiprocessing as mp
import pickle
import signal
import threading
import traceback
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

from checker.parallel.driver import PartitionError, PartitionLost
from checker.parallel.partition import ModelFactory, Partition

__all__ = ["LocalBackend"]

def _worker(conn: Connection, factory: ModelFactory, me: int, n: int, names: Sequence[str] | None,
            options: dict[str, Any]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        part = Partition(factory, me, n, names, **options)
    except BaseException:
        conn.send(("error", traceback.format_exc()))
        return
    conn.send(("ok", None))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        method, args = msg
        try:
            if method == "expand":
                boxes = part.expand(*args)
                out: Any = [None if b is None else pickle.dumps(b, protocol=5) for b in boxes]
            elif method == "receive":
                out = part.receive([None if b is None else pickle.loads(b) for b in args[0]])
            else:
                out = getattr(part, method)(*args)
        except BaseException:
            conn.send(("error", traceback.format_exc()))
            continue
        conn.send(("ok", out))


class LocalBackend:
    """`n` worker processes on this machine, each holding one `Partition`."""

    def __init__(self, factory: ModelFactory, n: int, names: Sequence[str] | None, *,
                 max_depth: int = 1_000_000, need_graph: bool = False,
                 memory_limit_mb: float | None = None, start_method: str | None = None):
        if n < 1:
            raise ValueError("workers must be at least 1")
        self.n = n
        self.need_graph = need_graph
        if start_method is None:
            start_method = "fork" if threading.active_count() == 1 else "forkserver"
        ctx: Any = mp.get_context(start_method)
        options = {"max_depth": max_depth, "need_graph": need_graph, "memory_limit_mb": memory_limit_mb}
        self.conns: list[Connection] = []
        self.procs: list[Any] = []
        try:
            for k in range(n):
                mine, theirs = ctx.Pipe()
                p = ctx.Process(target=_worker, args=(theirs, factory, k, n, names, options),
                                name=f"gocheck-partition-{k}", daemon=True)
                p.start()
                theirs.close()
                self.conns.append(mine)
                self.procs.append(p)
            for k in range(n):
                self._recv(k)
        except BaseException:
            self.close()
            raise

    def _recv(self, k: int) -> Any:
        try:
            tag, value = self.conns[k].recv()
        except (EOFError, OSError):
            self.procs[k].join(1)
            raise PartitionLost(f"partition {k} died (exit code {self.procs[k].exitcode})") from None
        if tag == "error":
            raise PartitionError(f"partition {k} failed:\n{value}")
        return value

    def _send(self, k: int, msg: Any) -> None:
        try:
            self.conns[k].send(msg)
        except (BrokenPipeError, OSError):
            raise PartitionLost(f"partition {k} died (exit code {self.procs[k].exitcode})") from None

    def call(self, k: int, method: str, *args: Any) -> Any:
        self._send(k, (method, args))
        return self._recv(k)

    def call_all(self, method: str, *args: Any) -> list[Any]:
        for k in range(self.n):
            self._send(k, (method, args))
        return [self._recv(k) for k in range(self.n)]

    def init(self) -> list[dict[str, Any]]:
        return self.call_all("init")

    def round(self, batch: int, advance: bool, decided: list[str]) -> list[dict[str, Any]]:
        n = self.n
        outs = self.call_all("expand", batch, advance, decided)
        for j in range(n):
            self._send(j, ("receive", ([outs[i][j] for i in range(n)],)))
        got = [self._recv(j) for j in range(n)]
        if self.need_graph and n > 1:
            for i in range(n):
                self._send(i, ("resolve", ([got[j][0][i] for j in range(n)],)))
            for i in range(n):
                self._recv(i)
        return [g[1] for g in got]

    def close(self) -> None:
        for c in self.conns:
            try:
                c.send(None)
            except OSError:
                pass
        for p in self.procs:
            p.join(5)
            if p.is_alive():
                p.terminate()
                p.join(5)
        for c in self.conns:
            c.close()
        self.conns, self.procs = [], []

    def __enter__(self) -> LocalBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
