"""The types one step of the interpreter works with, below every primitive.

`Tx` is the mutable working copy of a `World` during one step; `GoPanic`
is a Go panic or fatal error with Go's message; `Events` and `Step` are
what a step returns to the schedulers.  Channel, sync, select, atomic and
pipe handlers (`models.chan`, `models.sync`, ...) import these from here
and never import the interpreter (`models.interp`), which imports them:
the step function's modules import in one direction.

`InternalError` is a bug in the checker (an instruction with no handler, a
missing field): it is never reported as a Go panic or as a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from checker.model import BoundExceeded
from models import ir, timeorder
from models.state import DONE, RUN, WAIT, Cond, Data, Frame, G, Mutex, World

if TYPE_CHECKING:
    from models.interp import Interpreter

__all__ = ["BACKGROUND", "DEPTH_LIMIT", "LOCAL_LIMIT", "Events", "GoPanic", "InternalError", "ModelLimitError",
           "Step", "Tx", "fmt_value", "printf", "wrap"]


class InternalError(RuntimeError):
    """A defect of the checker itself (never a Go panic, never a verdict)."""


LOCAL_LIMIT = 100_000
DEPTH_LIMIT = 2_000
MASK = (1 << 64) - 1
#: The value of ``context.Background()``: a context that is never cancelled.
BACKGROUND = "context.Background"


class GoPanic(Exception):
    """The program panics (or hits a fatal error) with Go's message."""

    def __init__(self, msg: str, fatal: bool = False):
        super().__init__(msg)
        self.msg = msg
        self.fatal = fatal
        self.gid = 0
        self.pos: ir.Pos = ir.NOPOS


class ModelLimitError(BoundExceeded):
    """A local run exceeded a bound: the model refuses to guess (never `holds`)."""


@dataclass(slots=True)
class Events:
    """What a step did, for schedulers that keep their own queues (gmp).

    ``spawned``: new goroutine ids; ``woken``: other goroutines made
    runnable (and still runnable after their local instructions ran);
    ``blocked``: the stepping goroutine parked; ``exited``: goroutines that
    ended in this step (the stepper, or a woken or spawned goroutine whose
    local instructions ran to its end);
    ``yielded``: it called ``runtime.Gosched``; ``locals``: local
    instructions run (a time slice counts them); ``ended``: the program is over.
    """

    spawned: list[int] = field(default_factory=list)
    woken: list[int] = field(default_factory=list)
    blocked: bool = False
    exited: list[int] = field(default_factory=list)
    yielded: bool = False
    locals: int = 0
    ended: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    world: World
    events: Events


def wrap(x: int) -> int:
    x &= MASK
    return x - (1 << 64) if x >> 63 else x


def fmt_value(v: Any, verb: str = "v") -> str:
    """A value as fmt prints it with %v (or %q for strings)."""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "<nil>"
    if isinstance(v, str) and verb == "q":
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, ir.Ref):
        return f"0xc{v.obj:09x}"
    if isinstance(v, ir.Closure):
        return f"0x{abs(hash(v.func)) % 0xffffff:06x}"
    return str(v)


def printf(fmt: str, args: list[Any]) -> str:
    """fmt.Sprintf of the model's values (`ir.go_printf`)."""
    return ir.go_printf(fmt, args, fmt_value)


class Tx:
    """A mutable working copy of a `World` during one step."""

    __slots__ = ("m", "gs", "heap", "timers", "output", "panic", "main_done", "ended", "failed",
                 "woken", "locals", "base", "tinfo0", "_tinfo", "unsynced", "actor", "g0", "relock_scan")

    def __init__(self, m: Interpreter, w: World, gs: Any = None, heap: Any = None):
        self.m = m
        #: copies of the world's goroutines and heap (`gs`, `heap`: the transition cache's views
        #: that record what the step reads, `models.memo.Tracked`)
        self.gs = list(w.gs) if gs is None else gs
        self.heap = list(w.heap) if heap is None else heap
        #: the goroutines before the step (`changed`)
        self.g0 = w.gs
        #: a Mutex was written locked or a Cond was written in this step: a goroutine standing at
        #: a Lock may now have to park although the step did not change it (`sync.park_blocked`)
        self.relock_scan = False
        self.timers = list(w.timers)
        self.output = w.output
        self.panic = w.panic
        self.main_done = w.main_done
        self.ended = w.ended
        self.failed = w.failed
        self.woken: list[int] = []
        self.locals = 0
        self.base = len(w.gs)
        self.tinfo0 = w.tinfo
        self._tinfo: dict[tuple[str, int], tuple[int | None, int, tuple[tuple[str, int], ...]]] | None = None
        self.unsynced = w.unsynced
        #: the goroutine whose visible step this is (0: the runtime, a timer or the environment)
        self.actor = 0

    def freeze(self) -> World:
        tinfo = self.tinfo0
        if tinfo or self._tinfo is not None:
            gs = self.gs
            tinfo = timeorder.freeze(self.info(), self.timers, lambda c: gs[c - 1].status != DONE)
        return World(tuple(self.gs), tuple(self.heap), tuple(sorted(self.timers)), self.output,
                     self.panic, self.main_done, self.ended, self.failed, tinfo, self.unsynced)

    # ---- timers (the order: models/timeorder.py)
    def info(self) -> dict[tuple[str, int], tuple[int | None, int, tuple[tuple[str, int], ...]]]:
        if self._tinfo is None:
            self._tinfo = {(e[0], e[1]): (e[2], e[3], e[4]) for e in self.tinfo0}
        return self._tinfo

    def set_timer(self, kind: str, x: int, d: Any, gid: int, sleep: bool = False, rearm: bool = False) -> None:
        """Timer `(kind, x)` of duration `d` is set by goroutine `gid` (0 and
        `rearm`: a ticker re-armed by its firing); `sleep`: it is ``time.Sleep``'s."""
        self.timers.append((kind, x))
        if not self.m.timer_order:
            return
        info = self.info()
        key = timeorder.key_of(d)
        held = () if rearm else timeorder.blockers_for(info, key, gid, sleep)
        hold = key if kind in timeorder.HOLDERS and not (kind == "ticker" and key == 0) else None
        info[(kind, x)] = (hold, 0 if rearm else gid, held)

    def unset_timer(self, timer: tuple[str, int]) -> int | None:
        """Timer `timer` stops being pending (it fires, is stopped or reset, or
        its context is cancelled): it holds nothing back any more.  Returns the
        duration it held others back with (a ticker re-arms with it)."""
        self.timers.remove(timer)
        if self._tinfo is None and not self.tinfo0:
            return None
        info = self.info()
        old = info.pop(timer, None)
        for y, (k, c, b) in list(info.items()):
            if timer in b:
                info[y] = (k, c, tuple(z for z in b if z != timer))
        return old[0] if old else None

    # ---- heap
    def get(self, i: int) -> Any:
        return self.heap[i]

    def put(self, i: int, o: Any) -> None:
        self.heap[i] = o
        if (type(o) is Mutex and o.locked) or type(o) is Cond:
            self.relock_scan = True

    def alloc(self, o: Any) -> int:
        self.heap.append(o)
        return len(self.heap) - 1

    def load(self, ref: Any) -> Any:
        if not isinstance(ref, ir.Ref):
            raise GoPanic("runtime error: invalid memory address or nil pointer dereference")
        for k, v in self.heap[ref.obj].fields:
            if k == ref.field:
                return v
        raise InternalError(f"no field {ref.field!r} in object {ref.obj}")

    def store(self, ref: Any, value: Any) -> None:
        if not isinstance(ref, ir.Ref):
            raise GoPanic("runtime error: invalid memory address or nil pointer dereference")
        d = self.heap[ref.obj]
        self.heap[ref.obj] = Data(tuple((k, value if k == ref.field else v) for k, v in d.fields), d.type)

    # ---- goroutines
    def g(self, gid: int) -> G:
        return self.gs[gid - 1]

    def sites(self, fn: Any) -> list[tuple[int, Any]]:
        """``(gid, fn(g))`` for every goroutine `g` where ``fn(g)`` is not None.  `fn` must be a
        pure function of the goroutine: under the transition cache (`models.memo`) the step then
        depends on ``fn(g)`` only, not on all of `g`, so a scan of every goroutine (who stands
        at this Lock, who is parked on this mutex) does not make the step depend on them all."""
        gs: Any = self.gs
        if type(gs) is list:
            return [(i, x) for i, g in enumerate(gs, 1) if (x := fn(g)) is not None]
        return gs.project(fn)

    def changed(self) -> list[int]:
        """The goroutines this step replaced (an advance, a park, a wake) or started, by gid.
        Under the transition cache, the ones written (a goroutine written back unchanged is in
        it too, which is as good for `sync.park_blocked`)."""
        gs: Any = self.gs
        n = len(self.g0)
        if type(gs) is list:
            g0 = self.g0
            out = [i + 1 for i in range(n) if gs[i] is not g0[i]]
        else:
            out = sorted(i + 1 for i in gs.written if i < n)
        out.extend(range(n + 1, len(gs) + 1))
        return out

    def setg(self, g: G) -> None:
        self.gs[g.gid - 1] = g

    def instr(self, gid: int) -> ir.Instr:
        fr = self.gs[gid - 1].frames[-1]
        return self.m.funcs[fr.func].code[fr.pc]

    def slot(self, gid: int, i: int) -> Any:
        return self.gs[gid - 1].frames[-1].slots[i]

    def advance(self, gid: int, writes: tuple[tuple[int | None, Any], ...] = (), target: int | None = None,
                **fields: Any) -> None:
        """Finish the visible instruction of `gid`: write `writes`, move on."""
        g = self.gs[gid - 1]
        fr = g.frames[-1]
        slots = fr.slots
        if writes:
            lst = list(slots)
            for i, v in writes:
                if i is not None:
                    lst[i] = v
            slots = tuple(lst)
        fr = Frame(fr.func, fr.pc + 1 if target is None else target, slots, fr.defers)
        frames = g.frames[:-1] + (fr,)
        self.gs[gid - 1] = replace(g, frames=frames, status=RUN, wait=(), **fields) if fields else g.moved(frames, RUN, ())

    def park(self, gid: int, reason: tuple[Any, ...], **fields: Any) -> None:
        g = self.gs[gid - 1]
        self.gs[gid - 1] = replace(g, status=WAIT, wait=reason, **fields) if fields else g.moved(g.frames, WAIT, reason)

    def wake(self, gid: int, writes: tuple[tuple[int | None, Any], ...] = (), **fields: Any) -> None:
        """A partner completed `gid`'s operation: it moves on and is runnable."""
        self.advance(gid, writes, **fields)
        self.woken.append(gid)

    def wake_retry(self, gid: int, **fields: Any) -> None:
        """Make `gid` runnable at the same instruction (it will try again)."""
        self.gs[gid - 1] = replace(self.gs[gid - 1], **{"status": RUN, "wait": (), **fields})
        self.woken.append(gid)

    def emit(self, text: str) -> None:
        self.output = self.output + (text,)


