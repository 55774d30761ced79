"""DRF-SC agreement on random programs: hypothesis writes small Go programs
(two or three goroutines; plain and atomic loads and stores, channel
operations, locks), compiles them with compile_go, and checks that the
outcomes the explicit SC exploration reaches are exactly the axiomatic
model's allowed outcomes when the program is race-free, and a subset otherwise."""

from __future__ import annotations

from itertools import product

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checker.check import check
from gocheck.factory import build_model
from gocheck.spec import load_spec_text
from models.memory import check_outcomes
from tests.helpers import sc_finals

WRITE_OPS = ["x = {k}", "y = {k}", "atomic.StoreInt32(&a, {k})", "ch <- {k}", "mu.Lock()\n\t\tx = {k}\n\t\tmu.Unlock()"]
READ_OPS = ["{r} = x", "{r} = y", "{r} = atomic.LoadInt32(&a)", "{r} = <-ch", "mu.Lock()\n\t\t{r} = x\n\t\tmu.Unlock()"]


@st.composite
def programs(draw: st.DrawFn) -> tuple[str, list[str]]:
    ngo = draw(st.integers(2, 3))
    bodies: list[list[str]] = [[] for _ in range(ngo)]
    results: list[str] = []
    sends = recvs = 0
    for g in range(ngo):
        for _ in range(draw(st.integers(1, 2))):
            if len(results) < 2 and draw(st.booleans()):
                op = draw(st.sampled_from(READ_OPS))
                if "<-ch" in op:
                    if recvs >= 1:
                        continue
                    recvs += 1
                r = f"r{len(results) + 1}"
                results.append(r)
                bodies[g].append(op.format(r=r))
            else:
                op = draw(st.sampled_from(WRITE_OPS))
                if "ch <-" in op:
                    if sends >= 2:
                        continue
                    sends += 1
                bodies[g].append(op.format(k=draw(st.integers(1, 2))))
    if recvs > sends:  # every receive has a sender: no program blocks forever
        bodies[0].append("ch <- 1")
    gos = "".join("\tgo func() {\n" + "".join(f"\t\t{s}\n" for s in b) + "\t\twg.Done()\n\t}()\n" for b in bodies)
    rvars = ", ".join(["x", "y", "a"] + results)
    src = (f"package main\n\nimport (\n\t\"sync\"\n\t\"sync/atomic\"\n)\n\nvar {rvars} int32\nvar ch = make(chan int32, 2)\n"
           f"var mu sync.Mutex\nvar wg sync.WaitGroup\n\nfunc main() {{\n\tatomic.StoreInt32(&a, 0)\n"
           f"\twg.Add({ngo})\n{gos}\twg.Wait()\n}}\n")
    return src, results


def _spec(src: str, results: list[str]):
    outs = [" && ".join(f"{r} == {v}" for r, v in zip(results, vals)) for vals in product((0, 1, 2), repeat=len(results))]
    text = "name: random\nsource: |\n" + "".join(f"  {line}\n" for line in src.splitlines()) + \
        "properties: [race_free]\noutcomes:\n" + "".join(f"  - {{when: \"{o}\"}}\n" for o in outs)
    return load_spec_text(text, "random.yaml"), outs


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_sc_outcomes_agree_with_axiomatic_outcomes(prog: tuple[str, list[str]]) -> None:
    src, results = prog
    assume(results)  # a program that records nothing has no outcome to compare
    spec, outs = _spec(src, results)
    race_free = check(build_model(spec))["race_free"].verdict.kind == "holds"
    finals = sc_finals(spec)  # asserts that the explicit exploration was complete
    reached = {tuple(env[r] for r in results) for env in finals}
    verdicts = check_outcomes(spec, None)
    allowed = {vals for vals, v in zip(product((0, 1, 2), repeat=len(results)), verdicts) if v.verdict == "allowed"}
    assert all(v.verdict in ("allowed", "forbidden") for v in verdicts), src
    if race_free:
        assert reached == allowed, src
    else:
        assert reached <= allowed, src
