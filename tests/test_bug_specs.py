"""specs/bugs/: kernels of real concurrency bugs from public reports of large
Go projects (each spec's ``about`` cites its issue or pull request), each
with a ``_fixed`` twin written from the fix.  Every bug gives the verdicts
its ``expect`` names, every twin holds everything, and the state counts are
pinned (a changed count is a changed semantics).  The toolchain test
(tests/test_go_toolchain.py) runs them all under ``go run`` and ``go run -race``.
"""

from __future__ import annotations

import pytest

from tests.test_semantics_specs import reason, run

#: Every bug spec and twin with its exact state count (bfs, full exploration).
STATES = {
    "bugs/cockroach_16141_rlock_via_string": 53, "bugs/cockroach_16141_rlock_via_string_fixed": 44,
    "bugs/cockroach_584_missing_unlock": 145, "bugs/cockroach_584_missing_unlock_fixed": 163,
    "bugs/datadog_4545_lazy_init_race": 165, "bugs/datadog_4545_lazy_init_race_fixed": 110,
    "bugs/etcd_4876_field_race": 30, "bugs/etcd_4876_field_race_fixed": 15,
    "bugs/etcd_7443_send_under_lock": 307, "bugs/etcd_7443_send_under_lock_fixed": 363,
    "bugs/etcd_8194_config_race": 267, "bugs/etcd_8194_config_race_fixed": 112,
    "bugs/grpc_1424_undrained_notify": 16, "bugs/grpc_1424_undrained_notify_fixed": 13,
    "bugs/grpc_1748_global_race": 24, "bugs/grpc_1748_global_race_fixed": 14,
    "bugs/grpc_660_undrained_done": 13, "bugs/grpc_660_undrained_done_fixed": 13,
    "bugs/grpc_795_missing_unlock": 145, "bugs/grpc_795_missing_unlock_fixed": 161,
    "bugs/hugo_3251_rlock_after_lock": 314, "bugs/hugo_3251_rlock_after_lock_fixed": 452,
    "bugs/istio_16224_drain_under_lock": 38, "bugs/istio_16224_drain_under_lock_fixed": 26,
    "bugs/istio_8967_chan_field_race": 28, "bugs/istio_8967_chan_field_race_fixed": 15,
    "bugs/k8s_10182_lock_chan": 226, "bugs/k8s_10182_lock_chan_fixed": 331, "bugs/k8s_128638_map_writes": 66,
    "bugs/k8s_128638_map_writes_fixed": 106, "bugs/k8s_13058_wg_negative": 40,
    "bugs/k8s_13058_wg_negative_fixed": 52, "bugs/k8s_5316_ctx_timeout_leak": 24,
    "bugs/k8s_5316_ctx_timeout_leak_fixed": 24, "bugs/k8s_5316_timeout_leak": 20,
    "bugs/k8s_5316_timeout_leak_fixed": 20, "bugs/k8s_58107_rlock_cond_wait": 2668,
    "bugs/k8s_58107_rlock_cond_wait_fixed": 2191, "bugs/k8s_62464_recursive_rlock": 129,
    "bugs/k8s_62464_recursive_rlock_fixed": 80, "bugs/k8s_80284_unlocked_write": 57,
    "bugs/k8s_80284_unlocked_write_fixed": 121, "bugs/k8s_81091_counter_race": 440,
    "bugs/k8s_81091_counter_race_fixed": 220, "bugs/moby_22941_loop_closure": 1805,
    "bugs/moby_22941_loop_closure_fixed": 180, "bugs/moby_28462_lock_chan": 98,
    "bugs/moby_28462_lock_chan_fixed": 152, "bugs/moby_36114_double_lock": 3,
    "bugs/moby_36114_double_lock_fixed": 7, "bugs/serving_3148_reactor_race": 40,
    "bugs/serving_3148_reactor_race_fixed": 58, "bugs/syncthing_4829_double_rlock": 11,
    "bugs/syncthing_4829_double_rlock_fixed": 20,
}

BUGS = sorted(n for n in STATES if not n.endswith("_fixed"))


@pytest.mark.parametrize("name", sorted(STATES))
def test_bug_spec_verdicts_and_state_count(name: str) -> None:
    spec, _, result = run(name)
    assert result.stats.complete
    got = {k: r.verdict.kind for k, r in result.results.items()}
    want = {p.name: spec.expect.get(p.name, "holds") for p in spec.properties}
    assert got == want
    assert result.stats.states == STATES[name]


@pytest.mark.parametrize("name", BUGS)
def test_every_bug_has_a_twin_that_holds_and_cites_a_report(name: str) -> None:
    spec, _, result = run(name)
    twin, _, tres = run(name + "_fixed")
    assert any(v == "violated" for v in spec.expect.values())
    assert all(r.verdict.kind == "holds" for r in tres.results.values())
    assert [p.name for p in spec.properties] == [p.name for p in twin.properties]
    assert "https://github.com/" in spec.about and "https://github.com/" in twin.about


def test_the_corpus_is_large_enough() -> None:
    assert len(BUGS) >= 20 and len(STATES) >= 40


def test_some_messages() -> None:
    """A few reasons, pinned: what a user reads first."""
    assert reason("bugs/k8s_13058_wg_negative", "panic_free").startswith("panic: sync: negative WaitGroup counter")
    assert reason("bugs/k8s_81091_counter_race", "race_free").startswith("data race on ")
    assert "concurrent map writes" in reason("bugs/k8s_128638_map_writes", "panic_free")
    assert reason("bugs/moby_36114_double_lock", "deadlock_free").startswith(
        "fatal error: all goroutines are asleep - deadlock!")


RACY = [n for n in BUGS if n in ("bugs/grpc_1748_global_race", "bugs/istio_8967_chan_field_race",
                                 "bugs/etcd_8194_config_race", "bugs/etcd_4876_field_race",
                                 "bugs/k8s_80284_unlocked_write", "bugs/k8s_81091_counter_race",
                                 "bugs/serving_3148_reactor_race", "bugs/datadog_4545_lazy_init_race",
                                 "bugs/moby_22941_loop_closure", "bugs/k8s_128638_map_writes")]


@pytest.mark.parametrize("name", RACY)
def test_race_traces_agree_with_happens_before(name: str) -> None:
    """The race_free counterexample's last two accesses are unordered by happens-before
    along the trace's events (models/memory/trace_events.py), never INCONSISTENT."""
    from models.memory.trace_events import INCONSISTENT, explain_race

    _, model, result = run(name)
    r = result["race_free"]
    assert r.verdict.kind == "violated" and r.path is not None
    text = explain_race(model, r.path)
    assert text.startswith("data race on ") and not text.startswith(INCONSISTENT)
