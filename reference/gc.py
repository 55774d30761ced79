"""A real concurrent mark-sweep collector on its own thread, beside mutator threads.

This is the reference runtime's counterpart of `models.gc`: the same phases
(GO_SEMANTICS GC-9) and barrier variants (GC-4, GC-6), but on real threads
sharing one heap, so an unsafe barrier loses a reachable object on a real
interleaving.  It runs a stress workload, not the interpreter's Go heap (see
docs/gc.md: the interpreter's heap is not instrumented yet).

- Mutators run a loop of pointer moves (load into a stack slot, heap store,
  drop, allocate, direct hand-off into the other mutator's stack).  Each
  operation runs while the mutator holds its own lock: between two
  operations it is at a safe point, where the collector can suspend it
  (``suspendG``, SCH-34) by taking that lock.
- The collector: STW #1 (every mutator lock) turns the barrier on (or, with
  ``fence=False``, only later, one mutator at a time: V9) and snapshots the
  stacks; concurrent mark runs root jobs (globals, one stack at a time)
  and grey draining in a random order; the ragged barrier flushes each
  mutator's write-barrier buffer (skipped with ``flush=False``: V10);
  STW #2 optionally rescans the stacks (V2); sweep frees and **poisons**
  every white object.
- The poisoned-object check: a mutator that loads through a poisoned
  object, or the audit at the end of STW #2 that finds a poisoned object
  reachable from a root, reports the lost object (GC-SAFE).

Python threads switch at bytecode boundaries; ``sys.setswitchinterval`` is
lowered during a run and the mutators yield between operations so that
interleavings are dense.
"""

from __future__ import annotations

import random
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["VARIANTS", "GcRun", "Lost", "run_once", "stress"]

WHITE, GREY, BLACK = 0, 1, 2

#: GO_SEMANTICS 5.4 variants: barrier and switches.
VARIANTS: dict[str, dict[str, Any]] = {
    "V0": {"barrier": "none"},
    "V1": {"barrier": "dijkstra"},
    "V2": {"barrier": "dijkstra", "rescan": True},
    "V3": {"barrier": "yuasa"},
    "V4": {"barrier": "yuasa", "stacks_first": True},
    "V5": {"barrier": "hybrid"},
    "V6": {"barrier": "go", "wbbuf": True},
    "V7": {"barrier": "hybrid", "allocate": "white"},
    "V8": {"barrier": "hybrid", "chan_barrier": False},
    "V9": {"barrier": "hybrid", "fence": False},
    "V10": {"barrier": "go", "wbbuf": True, "flush": False},
    "V11": {"barrier": "hybrid", "any_grey": True},
}


class Lost(Exception):
    """A reachable object was freed (GC-SAFE violated)."""


class Obj:
    __slots__ = ("name", "f", "colour", "poisoned")

    def __init__(self, name: str) -> None:
        self.name = name
        self.f: Obj | None = None
        self.colour = WHITE
        self.poisoned = False


@dataclass
class Config:
    barrier: str = "go"
    rescan: bool = False
    stacks_first: bool = False
    allocate: str = "black"
    chan_barrier: bool = True
    fence: bool = True
    wbbuf: bool = False
    flush: bool = True
    any_grey: bool = False


class Mutator:
    """A goroutine: a stack of pointer slots, a lock held during each operation."""

    def __init__(self, idx: int, nslots: int) -> None:
        self.idx = idx
        self.slots: list[Obj | None] = [None] * nslots
        self.lock = threading.Lock()
        self.black = False
        self.barrier_on = False
        self.wbuf: list[Obj] = []


@dataclass
class GcRun:
    """One collection cycle beside the workload: what was lost, if anything."""

    lost: str | None = None
    freed: int = 0
    ops: int = 0
    log: list[str] = field(default_factory=list)


class World:
    def __init__(self, cfg: Config, seed: int) -> None:
        self.cfg = cfg
        self.rng = random.Random(seed)
        self.globals: list[Obj | None] = []
        self.muts = [Mutator(0, 2), Mutator(1, 2)]
        self.marking = False
        self.grey: list[Obj] = []
        self.glock = threading.Lock()  # the grey queue (gcWork)
        self.lost: str | None = None
        self.ops = 0
        self.done = threading.Event()
        self.all_objs: list[Obj] = []
        a, b, w = self.new("A"), self.new("B"), self.new("W")
        a.f = w
        self.globals = [a, b]

    def new(self, name: str, mut: Mutator | None = None) -> Obj:
        o = Obj(name)
        if self.marking and self.cfg.allocate == "black":
            o.colour = BLACK  # GC-11
        self.all_objs.append(o)
        return o

    # ------------------------------------------------------------- barrier
    def shade(self, o: Obj | None, m: Mutator | None = None) -> None:
        if o is None or o.colour != WHITE:
            return
        if self.cfg.wbbuf and m is not None:
            m.wbuf.append(o)  # recorded, greyed at the next flush (GC-6)
            return
        with self.glock:
            if o.colour == WHITE:
                o.colour = GREY
                self.grey.append(o)

    def barrier(self, m: Mutator, old: Obj | None, new: Obj | None, peer: Mutator | None = None) -> None:
        if not m.barrier_on:
            return
        b = self.cfg.barrier
        grey_stack = not m.black or (peer is not None and not peer.black)
        if self.cfg.any_grey:
            grey_stack = not all(x.black for x in self.muts)
        if b in ("yuasa", "hybrid", "go"):
            self.shade(old, m)
        if b in ("dijkstra", "go") or (b == "hybrid" and grey_stack):
            self.shade(new, m)

    # ------------------------------------------------------------- mutator operations
    def load(self, o: Obj | None) -> Obj | None:
        if o is not None and o.poisoned:
            self.lost = self.lost or f"a mutator loaded through freed object {o.name}"
            raise Lost(self.lost)
        return o.f if o is not None else None

    def store(self, m: Mutator, o: Obj | None, v: Obj | None) -> None:
        if o is None:
            return
        if o.poisoned:
            self.lost = self.lost or f"a mutator stored into freed object {o.name}"
            raise Lost(self.lost)
        self.barrier(m, o.f, v)
        o.f = v

    def handoff(self, m: Mutator, peer: Mutator, slot: int, v: Obj | None) -> None:
        """A direct channel copy into `peer`'s stack (chan.go sendDirect, GC-14)."""
        with peer.lock:
            if self.cfg.chan_barrier:
                self.barrier(m, peer.slots[slot], v, peer)
            peer.slots[slot] = v

    def mutate(self, m: Mutator, step: int) -> None:
        """One operation of mutator `m`'s loop: every hiding move of GO_SEMANTICS 5.4
        (load+delete V0/V1, a move into a black object V3, an allocation kept on the
        stack V7, a direct hand-off V8), with pauses in which W sits on one stack only."""
        a, b = self.globals[0], self.globals[1]
        assert a is not None and b is not None
        s = m.slots
        k = step % 16
        if m.idx == 0:
            if k == 0:
                s[0] = self.load(a)               # p = a.f
            elif k == 1:
                self.store(m, b, s[0])            # b.f = p
            elif k == 2:
                self.store(m, a, None)            # a.f = nil
            elif k == 3:
                s[0] = None                       # p = nil: W under B only
            elif k == 4:
                s[0] = self.load(b)               # p = b.f
            elif k == 5:
                self.store(m, b, None)            # b.f = nil: W on this stack only (V0/V1)
            elif k == 8:
                self.store(m, b, s[0])            # b.f = p: into a maybe-black B (V3)
            elif k == 9:
                s[0] = None
            elif k == 10:
                s[0] = self.load(b)
            elif k == 11:
                self.store(m, b, None)
            elif k == 12:
                self.handoff(m, self.muts[1], 0, s[1])  # send N, held by this stack only (V8)
                s[1] = None
            elif k == 13:
                s[1] = self.new("N")              # a fresh object kept on the stack (V7)
            elif k == 14:
                self.store(m, b, s[0])            # W back under B
            elif k == 15:
                s[0] = None
        else:
            if k == 14 and s[0] is not None and a.f is None:
                self.store(m, a, s[0])            # a.f = q: W back under A
            elif k == 15 and a.f is s[0]:
                s[0] = None

    # ------------------------------------------------------------- collector
    def stop_the_world(self) -> None:
        for m in self.muts:
            m.lock.acquire()

    def start_the_world(self) -> None:
        for m in self.muts:
            m.lock.release()

    def drain_one(self) -> bool:
        with self.glock:
            if not self.grey:
                return False
            o = self.grey.pop(self.rng.randrange(len(self.grey)))
        if o.f is not None:
            self.shade(o.f)
        o.colour = BLACK
        return True

    def scan_stack(self, m: Mutator) -> None:
        with m.lock:  # suspendG at a safe point
            for p in m.slots:
                self.shade(p)
            m.black = True

    def flush(self, m: Mutator) -> bool:
        with m.lock:
            buf, m.wbuf = m.wbuf, []
        had = False
        for o in buf:
            if o.colour == WHITE:
                had = True
            self.shade(o)
        return had

    def reachable(self) -> set[int]:
        seen: set[int] = set()
        todo = [o for o in self.globals if o is not None]
        for m in self.muts:
            todo += [o for o in m.slots if o is not None]
        while todo:
            o = todo.pop()
            if id(o) in seen:
                continue
            seen.add(id(o))
            if o.f is not None:
                todo.append(o.f)
        return seen

    def collect(self, log: list[str]) -> int:
        cfg, rng = self.cfg, self.rng
        time.sleep(rng.random() * 0.03)  # let the mutators get going: the cycle starts anywhere in their loop
        self.stop_the_world()  # STW #1: sweep termination, mark setup
        self.marking = True
        for m in self.muts:
            m.barrier_on = cfg.fence
            m.black = False
        jobs: list[Any] = ["globals"] + list(self.muts)
        if cfg.stacks_first:  # pure Yuasa: every stack scanned in the STW (V4)
            for m in self.muts:
                for p in m.slots:
                    self.shade(p)
                m.black = True
            jobs = ["globals"]
        self.start_the_world()
        late = [m for m in self.muts if not m.barrier_on]
        while True:
            while jobs or self.grey:
                if late and rng.random() < 0.3:  # V9: the barrier reaches the other Ps late
                    late.pop().barrier_on = True
                if jobs and (not self.grey or rng.random() < 0.5):
                    j = jobs.pop(rng.randrange(len(jobs)))
                    if j == "globals":
                        for o in self.globals:
                            self.shade(o)
                    else:
                        self.scan_stack(j)
                else:
                    self.drain_one()
                time.sleep(rng.random() * 0.0005)
            for m in late:
                m.barrier_on = True
            late = []
            if cfg.wbbuf and cfg.flush and any([self.flush(m) for m in self.muts]):
                continue  # the ragged barrier found work: back to marking
            self.stop_the_world()  # STW #2: mark termination
            if cfg.wbbuf and cfg.flush and any(m.wbuf for m in self.muts):
                for m in self.muts:
                    buf, m.wbuf = m.wbuf, []
                    for o in buf:
                        self.shade(o)
                self.start_the_world()
                continue  # #27993
            break
        if cfg.rescan:
            for m in self.muts:
                for p in m.slots:
                    self.shade(p)
            while self.drain_one():
                pass
        self.marking = False
        for m in self.muts:
            m.barrier_on = False
            m.wbuf = []
        reach = self.reachable()
        freed = 0
        for o in self.all_objs:
            if o.colour == WHITE and not o.poisoned:
                o.poisoned = True  # sweep frees it: poison, so any later use is caught
                freed += 1
                if id(o) in reach and self.lost is None:
                    self.lost = f"sweep freed {o.name}, which a root still reaches"
            o.colour = WHITE if not o.poisoned else o.colour
        self.all_objs = [o for o in self.all_objs if not o.poisoned]
        log.append(f"freed {freed}")
        self.start_the_world()
        return freed


def run_once(variant: str, seed: int, ops: int = 20_000) -> GcRun:
    """One cycle of the collector beside two mutators looping until it ends (at most `ops` operations each)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown GC variant '{variant}'; known: {', '.join(VARIANTS)}")
    w = World(Config(**VARIANTS[variant]), seed)
    run = GcRun()
    errors: list[BaseException] = []

    def mutator(m: Mutator) -> None:
        try:
            for step in range(ops):
                with m.lock:
                    w.mutate(m, step)
                    w.ops += 1
                if m.idx == 0 and step % 16 in (3, 6, 9, 12) or m.idx == 1 and step % 16 == 7:
                    time.sleep(0.004)  # compute for a while with W held by one stack or one object only
                elif step % 2 == 0:
                    time.sleep(0)
                if w.done.is_set() and step % 16 == 15:
                    return
        except Lost:
            return
        except BaseException as e:  # pragma: no cover - a bug in the workload
            errors.append(e)

    def collector() -> None:
        try:
            run.freed = w.collect(run.log)
        finally:
            w.done.set()

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        threads = [threading.Thread(target=mutator, args=(m,), daemon=True) for m in w.muts]
        threads.append(threading.Thread(target=collector, daemon=True))
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        sys.setswitchinterval(old)
    if errors:
        raise errors[0]
    run.lost, run.ops = w.lost, w.ops
    return run


def stress(variant: str, runs: int, seed: int = 0) -> tuple[int, int | None, str | None]:
    """Run `runs` cycles; return (runs done, the 1-based run that lost an object or None, what was lost)."""
    for i in range(runs):
        r = run_once(variant, seed + i)
        if r.lost:
            return i + 1, i + 1, r.lost
    return runs, None, None
