"""Reference runtime machinery the Go subset cannot reach yet: blocking system
calls (P hand-off, sysmon retake) and the network poller, driven by
hand-built IR that calls the runtime's natives; plus run-queue unit checks."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import reference
from models import ir
from reference.sched import G, Scheduler

pytestmark = pytest.mark.slow  # real threads and real timing: the full run, not the edit loop


def fn(name, code, nslots=8, ncaptures=0, nparams=0):
    return ir.Function(name, ncaptures, nparams, 0, nslots, ("",) * nslots, tuple(code))


def program(*funcs):
    return ir.Program("sys.go", "", {f.name: f for f in funcs}, (), "main", "main")


def L(n):
    return (n, 1)


def call(dsts, name, *args, line=0):
    return ir.Call(tuple(dsts), name, None, tuple(args), L(line))


MAIN_WAITS_TWICE = [
    ir.MakeChan(0, ir.INT, None, L(2)),
    ir.MakeClosure(1, "g2", (0,), L(3)),
    ir.Go(None, 1, (), L(3)),
    ir.Recv(None, None, 0, 0, L(4)),
    ir.Recv(None, None, 0, 0, L(5)),
    ir.Return((), L(6)),
]


def test_blocking_syscall_p_is_retaken_by_sysmon():  # SCH-25, SCH-28, SCH-24
    g2 = fn("g2", [
        ir.MakeClosure(1, "g3", (0,), L(10)),
        ir.Go(None, 1, (), L(10)),            # g3 sits in P0's runnext ...
        ir.Const(2, 60_000_000, L(11)),
        call((), "syscall.Nanosleep", 2, line=11),  # ... while g2 holds P0 in _Psyscall
        ir.Const(3, "g2 back", L(12)),
        ir.Print("println", (3,), L(12)),
        ir.Send(0, 3, L(13)),
        ir.Return((), L(14)),
    ], ncaptures=1)
    g3 = fn("g3", [
        ir.Const(1, "g3", L(20)),
        ir.Print("println", (1,), L(20)),
        ir.Send(0, 1, L(21)),
        ir.Return((), L(22)),
    ], ncaptures=1)
    r = reference.run(program(fn("main", MAIN_WAITS_TWICE), g2, g3), procs=1, timeout_s=10)
    assert (r.exit_code, r.output) == (0, "g3\ng2 back\n")
    assert r.stats["retakes"] >= 1 and r.stats["ms"] >= 2


def test_entersyscallblock_hands_off_at_once():  # SCH-26
    g2 = fn("g2", [
        call((1, 2), "os.Pipe", line=10),
        ir.MakeClosure(3, "g3", (0, 2), L(11)),
        ir.Go(None, 3, (), L(11)),
        call((4,), "syscall.Read", 1, line=12),  # a blocking read in a syscall
        ir.Print("println", (4,), L(13)),
        ir.Send(0, 4, L(14)),
        ir.Return((), L(15)),
    ], ncaptures=1)
    g3 = fn("g3", [  # can only run if the P was handed off
        ir.Const(2, "data", L(20)),
        call((3,), "os.File.Write", 1, 2, line=20),
        ir.Send(0, 3, L(21)),
        ir.Return((), L(22)),
    ], ncaptures=2)
    r = reference.run(program(fn("main", MAIN_WAITS_TWICE), g2, g3), procs=1, timeout_s=10)
    assert (r.exit_code, r.output) == (0, "data\n")
    assert r.stats["handoffs"] >= 1


def test_netpoll_parks_reader_in_io_wait_and_readies_it():  # NP-2..4, SCH-15
    main = fn("main", [
        call((0, 1), "os.Pipe", line=2),
        ir.MakeClosure(2, "writer", (1,), L(3)),
        ir.Go(None, 2, (), L(3)),
        call((3,), "os.File.Read", 0, line=4),
        ir.Print("println", (3,), L(5)),
        ir.Return((), L(6)),
    ])
    writer = fn("writer", [
        ir.Const(1, 20_000_000, L(10)),
        ir.Sleep(1, L(10)),
        ir.Const(2, "ping", L(11)),
        call((3,), "os.File.Write", 0, 2, line=11),
        ir.Return((), L(12)),
    ], ncaptures=1)
    r = reference.run(program(main, writer), procs=2, timeout_s=10)
    assert (r.exit_code, r.output, r.stderr) == (0, "ping\n", "")


def test_dl_o6_io_waiter_is_not_a_deadlock():
    main = fn("main", [
        call((0, 1), "os.Pipe", line=2),
        call((3,), "os.File.Read", 0, line=3),
        ir.Return((), L(4)),
    ])
    r = reference.run(program(main), procs=1, timeout_s=0.5)
    assert r.timed_out and r.exit_code == 124
    assert r.leaked == ["goroutine 1 [IO wait]: main.main at sys.go:3"]


def _sched(procs=2, size=8):
    rt = SimpleNamespace(rand=__import__("random").Random(1), dead=False)
    return Scheduler(rt, procs, size, 10)


def test_sch_oracle_2_runq_overflow_moves_half_plus_one():
    s = _sched(size=256)
    p = s.ps[0]
    for i in range(256):
        s.runqput(p, G(i, "f", 0), False)
    s.runqput(p, G(999, "f", 0), False)
    assert p.tail - p.head == 128
    assert [g.id for g in s.globq] == list(range(128)) + [999]


def test_runnext_kicks_previous_to_tail_and_steal_takes_half():  # SCH-8, SCH-21
    s = _sched(size=8)
    p0, p1 = s.ps
    p0.status = "running"
    for i in range(5):
        s.runqput(p0, G(i, "f", 0), True)
    assert p0.runnext.id == 4 and [p0.ring[i % 8].id for i in range(p0.head, p0.tail)] == [0, 1, 2, 3]
    got = s.runqsteal(p1, p0, False)
    assert got.id == 1 and [p1.ring[i % 8].id for i in range(p1.head, p1.tail)] == [0]
    assert s.runqget(p0)[0].id == 4 and s.runqget(p0) == (p0.ring[2 % 8], False)
