"""hypothesis.stateful: the runtime's primitives against the model's (docs/design.md section 9).

The state machine's rules append operations (channel send/receive/close,
select, Mutex, RWMutex, WaitGroup, Cond) to the op lists of three
goroutines (main is the first); at teardown the program is generated as
Go, compiled by the frontend, run on the reference runtime (3 seeds,
procs 1 and 2) and explored on the abstract model.  Each observed end,
``(kind, stdout)`` with kind ``exit``/``panic``/``deadlock``, must be one
the model can reach: ``exit`` when main returns (the process ends there),
``panic`` at a panic, ``deadlock`` in a state where every goroutine is
blocked.
"""

from __future__ import annotations

import re
from collections import deque

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule

import reference
from gocheck.factory import build_model
from gocheck.spec import load_spec_text

pytestmark = pytest.mark.slow  # real threads and real timing: the full run, not the edit loop

MAX_OPS = 4
NG = 3

OPS = {
    "send_c": "c <- {k}",
    "recv_c": 'fmt.Println("{g} rc", <-c)',
    "send_u": "u <- {k}",
    "recv_u": 'fmt.Println("{g} ru", <-u)',
    "close_c": "close(c)",
    "select": ('select {{\n\tcase v := <-c:\n\t\tfmt.Println("{g} sc", v)\n\tcase u <- {k}:\n'
               '\t\tfmt.Println("{g} su")\n\tdefault:\n\t\tfmt.Println("{g} sd")\n\t}}'),
    "select_block": ('select {{\n\tcase v, ok := <-c:\n\t\tfmt.Println("{g} bc", v, ok)\n\tcase v := <-u:\n'
                     '\t\tfmt.Println("{g} bu", v)\n\t}}'),
    "lock": 'mu.Lock()\n\tfmt.Println("{g} L")\n\tmu.Unlock()',
    "rlock": 'rw.RLock()\n\tfmt.Println("{g} R")\n\trw.RUnlock()',
    "wlock": 'rw.Lock()\n\tfmt.Println("{g} W")\n\trw.Unlock()',
    "wg_add": "wg.Add(1)",
    "wg_done": "wg.Done()",
    "wg_wait": 'wg.Wait()\n\tfmt.Println("{g} waited")',
    "cond_wait": 'mu.Lock()\n\tcond.Wait()\n\tfmt.Println("{g} woke")\n\tmu.Unlock()',
    "signal": "mu.Lock()\n\tcond.Signal()\n\tmu.Unlock()",
    "broadcast": "mu.Lock()\n\tcond.Broadcast()\n\tmu.Unlock()",
}


def go_source(progs: list[list[str]]) -> str:
    """The Go program: main spawns goroutines 2.. (their op lists), then runs its own."""
    used = " ".join(OPS[o] for p in progs for o in p)
    decl = []
    if re.search(r"\bc\b", used):
        decl.append("c := make(chan int, 1)")
    if re.search(r"\bu\b", used):
        decl.append("u := make(chan int)")
    if "mu." in used or "cond." in used:
        decl.append("var mu sync.Mutex")
    if "cond." in used:
        decl.append("cond := sync.NewCond(&mu)")
    if "rw." in used:
        decl.append("var rw sync.RWMutex")
    if "wg." in used:
        decl.append("var wg sync.WaitGroup")
    body = []
    k = 0

    def ops(g: int, lst: list[str], indent: str) -> list[str]:
        nonlocal k
        out = []
        for o in lst:
            k += 1
            out.append(indent + OPS[o].format(g=f"g{g}", k=k).replace("\n\t", "\n" + indent))
        return out

    for g in range(1, len(progs)):
        if progs[g]:
            body.append("\tgo func() {")
            body += ops(g + 1, progs[g], "\t\t")
            body.append("\t}()")
    body += ops(1, progs[0], "\t")
    imports = ['"fmt"'] + (['"sync"'] if "sync." in " ".join(decl) else [])
    return ("package main\n\nimport (\n" + "".join(f"\t{i}\n" for i in imports) + ")\n\nfunc main() {\n"
            + "".join(f"\t{d}\n" for d in decl) + "\tfmt.Print(\"\")\n" + "\n".join(body) + "\n}\n")


def spec_text(src: str) -> str:
    return "name: stateful\nsource: |\n" + "".join("  " + ln + "\n" for ln in src.splitlines()) + \
        "properties: [deadlock_free, panic_free]\nbounds: {max_states: 200000}\n"


def model_ends(model, max_states: int = 200_000) -> set[tuple[str, str]]:
    """Every (kind, output) the model can end with (see the module docstring)."""
    out: set[tuple[str, str]] = set()
    s0 = model.init_states()[0]
    seen = {s0}
    q = deque([s0])
    while q:
        s = q.popleft()
        acts = model.actions(s)
        if not acts and not s.ended and not s.main_done and not s.panic:
            out.add(("deadlock", "".join(s.output)))
        for a in acts:
            t = model.next_state(s, a)
            if t.main_done and not s.main_done:
                out.add(("exit", "".join(t.output)))
            if t.panic and not s.panic:
                out.add(("panic", "".join(t.output)))
            if t not in seen:
                if len(seen) >= max_states:
                    raise RuntimeError("too many states")
                seen.add(t)
                q.append(t)
    return out


def runtime_end(r) -> tuple[str, str]:
    if r.timed_out:
        return ("timeout", r.output)
    if r.exit_code == 0:
        return ("exit", r.output)
    if "all goroutines are asleep - deadlock!" in r.stderr:
        return ("deadlock", r.output)
    if r.stderr.startswith(("panic:", "fatal error:")):
        return ("panic", r.output)
    return (f"exit {r.exit_code}", r.output + r.stderr)


class PrimitivesMachine(RuleBasedStateMachine):
    """Random programs of 3 goroutines x up to 4 operations on shared primitives."""

    def __init__(self) -> None:
        super().__init__()
        self.progs: list[list[str]] = [[] for _ in range(NG)]

    @rule(g=st.integers(0, NG - 1), op=st.sampled_from(sorted(OPS)))
    def add_op(self, g: int, op: str) -> None:
        if len(self.progs[g]) < MAX_OPS:
            self.progs[g].append(op)

    def teardown(self) -> None:
        if not any(self.progs):
            return
        src = go_source(self.progs)
        spec = load_spec_text(spec_text(src), "stateful.yaml")
        ends = model_ends(build_model(spec))
        for procs in (1, 2):
            for seed in range(3):
                r = reference.run(spec.program, procs=procs, seed=seed, timeout_s=10)
                got = runtime_end(r)
                assert got in ends, f"runtime ended {got} (stderr {r.stderr[:200]!r}); model allows {sorted(ends)}\n{src}"


PrimitivesMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=9, deadline=None,
                                               suppress_health_check=[HealthCheck.too_slow])
TestPrimitives = PrimitivesMachine.TestCase


def test_generated_source_compiles_and_agrees_on_a_fixed_example():
    progs = [["send_c", "select", "wg_wait"], ["recv_c", "lock", "wg_add"], ["cond_wait", "signal"]]
    spec = load_spec_text(spec_text(go_source(progs)), "stateful.yaml")
    ends = model_ends(build_model(spec))
    assert any(k == "exit" for k, _ in ends)
    r = reference.run(spec.program, procs=2, seed=0, timeout_s=10)
    assert runtime_end(r) in ends
