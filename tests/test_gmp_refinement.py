"""Refinement (docs/design.md section 6): every gmp execution, projected onto goroutine
steps, is an execution of the abstract scheduler.

The gmp model is explored completely; for every edge that is a goroutine step
(or a timer), the same ``(gid, choice)`` step must be enabled in the abstract
scheduler at the projected world and lead to the projected successor;
scheduler-only moves (run, steal, preempt) must leave the world unchanged.
Since every gmp path starts at the abstract initial world, induction over the
path gives refinement.  Also checked on every state: the scheduler never
invents a deadlock (a world with a runnable goroutine has a gmp action), and
the scheduler invariants hold.
"""

from __future__ import annotations

import os

import pytest

from gocheck.spec import apply_override, load_spec
from models.sched.abstract import AbstractScheduler
from models.sched.gmp import GmpModel
from models.sched.gmp_props import lost_goroutine, work_conservation
from models.state import RUN

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPECS = os.path.join(ROOT, "specs")

# gmp specs (as written) and semantics specs of other issues run under gmp with their own programs
GMP_SPECS = ["steal", "steal_no_steal", "steal_runnext_no_inherit", "steal_no_global_check"]
SEMANTICS = ["ch_fifo", "fan_in", "cond_fixed", "timeout_fixed", "ctx_pipeline", "dl_o5_sleeper",
             "select_default", "once_do"]


def _refines(spec, max_states: int = 60_000) -> int:
    model = GmpModel(spec.program, spec.runtime, ())
    abstract = AbstractScheduler(model.interp)
    check_wc = work_conservation(spec.runtime.steal) if spec.runtime.steal != "none" else None
    seen = set(model.init_states())
    assert {s.world for s in seen} == {model.go.init_states()[0]}
    todo = list(seen)
    while todo:
        s = todo.pop()
        w = s.world
        assert lost_goroutine(s) is True, lost_goroutine(s)
        if check_wc is not None:
            assert check_wc(s) is True
        acts = model.actions(s)
        if not w.ended and any(g.status == RUN for g in w.gs):
            assert acts, f"gmp deadlock with runnable goroutines: {s}"
        enabled = abstract.actions(w)
        for a in acts:
            t = model.next_state(s, a)
            b = model._abstract(a)
            if b is None:
                assert t.world == w, f"scheduler move {a} changed the world"
            else:
                assert b in enabled, f"{a} is not an abstract step at this world ({b} not in {enabled})"
                assert abstract.next(w, b).world == t.world, f"{a} differs from abstract {b}"
            if t not in seen:
                seen.add(t)
                todo.append(t)
                assert len(seen) <= max_states, "refinement check: state space larger than expected"
    return len(seen)


@pytest.mark.parametrize("name", GMP_SPECS)
def test_gmp_specs_refine_abstract(name):
    spec = load_spec(os.path.join(SPECS, name + ".yaml"))
    assert _refines(spec) > 0


@pytest.mark.parametrize("name", SEMANTICS)
@pytest.mark.parametrize("procs", [1, 2])
def test_semantics_specs_refine_abstract_under_gmp(name, procs):
    spec = load_spec(os.path.join(SPECS, name + ".yaml"))
    spec = apply_override(spec, "runtime.scheduler", "gmp")
    spec = apply_override(spec, "runtime.procs", procs)
    spec = apply_override(spec, "runtime.runq_size", 2)
    spec = apply_override(spec, "runtime.global_check_every", 3)
    spec = apply_override(spec, "runtime.time_slice", 6)
    assert _refines(spec) > 0


def test_buggy_steal_is_caught_by_the_refinement_invariants():
    """The check above is not vacuous: the buggy steal breaks no_lost_goroutine on the way."""
    spec = load_spec(os.path.join(SPECS, "steal_buggy.yaml"))
    with pytest.raises(AssertionError, match="duplicated"):
        _refines(spec)
