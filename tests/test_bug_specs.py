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
    "bugs/k8s_128638_map_writes_fixed": 82, "bugs/k8s_13058_wg_negative": 53,
    "bugs/k8s_13058_wg_negative_fixed": 52, "bugs/k8s_5316_ctx_timeout_leak": 24,
    "bugs/k8s_5316_ctx_timeout_leak_fixed": 24, "bugs/k8s_5316_timeout_leak": 20,
    "bugs/k8s_5316_timeout_leak_fixed": 20, "bugs/k8s_58107_rlock_cond_wait": 2668,
    "bugs/k8s_58107_rlock_cond_wait_fixed": 2191, "bugs/k8s_62464_recursive_rlock": 129,
    "bugs/k8s_62464_recursive_rlock_fixed": 80, "bugs/k8s_80284_unlocked_write": 57,
    "bugs/k8s_80284_unlocked_write_fixed": 97, "bugs/k8s_81091_counter_race": 440,
    "bugs/k8s_81091_counter_race_fixed": 220, "bugs/moby_22941_loop_closure": 1599,
    "bugs/moby_22941_loop_closure_fixed": 150, "bugs/moby_28462_lock_chan": 98,
    "bugs/moby_28462_lock_chan_fixed": 152, "bugs/moby_36114_double_lock": 3,
    "bugs/moby_36114_double_lock_fixed": 7, "bugs/serving_3148_reactor_race": 40,
    "bugs/serving_3148_reactor_race_fixed": 46, "bugs/syncthing_4829_double_rlock": 11,
    "bugs/syncthing_4829_double_rlock_fixed": 20,
    # bugs1
    "bugs/k8s_12782_cacher_callback_abba": 120, "bugs/k8s_12782_cacher_callback_abba_fixed": 115,
    "bugs/k8s_30872_informer_callback_abba": 76, "bugs/k8s_30872_informer_callback_abba_fixed": 66,
    "bugs/k8s_134083_errors_append": 282, "bugs/k8s_134083_errors_append_fixed": 248,
    "bugs/containers_image_2155_shared_append": 332, "bugs/containers_image_2155_shared_append_fixed": 224,
    "bugs/serving_3068_pool_send_on_closed": 276, "bugs/serving_3068_pool_send_on_closed_fixed": 297,
    "bugs/cadvisor_3803_double_close": 2047, "bugs/cadvisor_3803_double_close_fixed": 2087,
    "bugs/cockroach_4407_wg_add_race": 61, "bugs/cockroach_4407_wg_add_race_fixed": 142,
    "bugs/nomad_10301_shared_headers": 240, "bugs/nomad_10301_shared_headers_fixed": 1410,
    "bugs/grpc_5854_double_close": 470, "bugs/grpc_5854_double_close_fixed": 665,
    # bugs2
    "bugs/prometheus_3941_timer_drain_hang": 432, "bugs/prometheus_3941_timer_drain_hang_fixed": 863,
    "bugs/nomad_15134_missing_timer_reset": 37, "bugs/nomad_15134_missing_timer_reset_fixed": 115,
    "bugs/etcd_6857_status_after_stop": 231, "bugs/etcd_6857_status_after_stop_fixed": 277,
    "bugs/moby_33781_undrained_probe": 602, "bugs/moby_33781_undrained_probe_fixed": 578,
    "bugs/k8s_85017_first_error_leak": 28, "bugs/k8s_85017_first_error_leak_fixed": 28,
    "bugs/cockroach_96302_unchecked_ctx_send": 293, "bugs/cockroach_96302_unchecked_ctx_send_fixed": 327,
    "bugs/grpc_862_dial_never_closed": 50, "bugs/grpc_862_dial_never_closed_fixed": 58,
    "bugs/moby_30408_cond_wait_error": 69, "bugs/moby_30408_cond_wait_error_fixed": 94,
    "bugs/moby_29733_cond_no_broadcast": 69, "bugs/moby_29733_cond_no_broadcast_fixed": 75,
    "bugs/restful_168_double_checked_lock": 299, "bugs/restful_168_double_checked_lock_fixed": 166,
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
                                 "bugs/moby_22941_loop_closure", "bugs/k8s_128638_map_writes",
                                 # bugs1
                                 "bugs/k8s_134083_errors_append", "bugs/containers_image_2155_shared_append",
                                 "bugs/serving_3068_pool_send_on_closed", "bugs/cockroach_4407_wg_add_race",
                                 "bugs/nomad_10301_shared_headers",
                                 # bugs2
                                 "bugs/restful_168_double_checked_lock")]


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


def test_bugs1_messages_and_outcomes() -> None:
    """The first reason a user reads for each kind of bug added by issue 12's
    bugs1 batch, and what the races do to the output (tests.helpers.exit_outputs)."""
    from tests.test_semantics_specs import outputs

    assert reason("bugs/k8s_12782_cacher_callback_abba", "deadlock_free").startswith(
        "fatal error: all goroutines are asleep - deadlock!")
    assert reason("bugs/cadvisor_3803_double_close", "panic_free").startswith("panic: close of closed channel")
    assert reason("bugs/grpc_5854_double_close", "panic_free") == "panic: close of closed channel [G4 at main.go:19]"
    assert reason("bugs/serving_3068_pool_send_on_closed", "panic_free").startswith("panic: send on closed channel")
    assert reason("bugs/serving_3068_pool_send_on_closed", "race_free").startswith("data race on WaitGroup i.wg")
    assert reason("bugs/cockroach_4407_wg_add_race", "race_free").startswith("data race on WaitGroup s.stop")
    assert reason("bugs/nomad_10301_shared_headers", "panic_free").startswith(
        "fatal error: concurrent map read and map write")
    assert reason("bugs/containers_image_2155_shared_append", "panic_free") in (
        "panic: layer l1 wrapped key-l2 [G2 at main.go:17]", "panic: layer l2 wrapped key-l1 [G3 at main.go:17]")
    # Two appends from the same length lose an error; the mutex keeps both.
    assert outputs("bugs/k8s_134083_errors_append") == {"1 pods still mounted\n", "2 pods still mounted\n"}
    assert outputs("bugs/k8s_134083_errors_append_fixed") == {"2 pods still mounted\n"}
    # The shared backing array: a layer's slot can be left empty by the other's overwrite.
    assert outputs("bugs/containers_image_2155_shared_append_fixed") == {"[key-l1 key-l2] 3 4\n"}
    assert "[key-l1 key-l2] 3 4\n" in outputs("bugs/containers_image_2155_shared_append")


def test_bugs2_messages() -> None:
    """The new kernels fail for the intended reason: the blocked operation the report describes."""
    drain = reason("bugs/prometheus_3941_timer_drain_hang", "deadlock_free")
    assert drain.startswith("fatal error: all goroutines are asleep - deadlock!") and "<-timer.C" in drain
    assert "select timer.C, stopCh" in reason("bugs/nomad_15134_missing_timer_reset", "deadlock_free")
    assert "chan send n.status" in reason("bugs/etcd_6857_status_after_stop", "deadlock_free")
    assert "chan send spanCh" in reason("bugs/cockroach_96302_unchecked_ctx_send", "deadlock_free")
    assert "sync.Cond.Wait p.activateWait" in reason("bugs/moby_30408_cond_wait_error", "deadlock_free")
    assert "sync.Cond.Wait p.activateWait" in reason("bugs/moby_29733_cond_no_broadcast", "deadlock_free")
    assert reason("bugs/restful_168_double_checked_lock", "race_free").startswith("data race on ws.pathExpr")
    for leak in ("moby_33781_undrained_probe", "k8s_85017_first_error_leak", "grpc_862_dial_never_closed"):
        assert reason("bugs/" + leak, "leak_free").endswith("blocked forever: no continuation from here unblocks it")


def test_negative_counter_panics_after_the_add() -> None:
    """WG-2/WG-3: Go stores the negative counter before it panics, so the released main goroutine
    may re-read the state first and panic "reused before previous Wait has returned" (seen under
    `go run -race` on k8s_13058); main may also print and exit before either panic."""
    from gocheck.factory import build_model
    from tests.helpers import exit_outputs, spec
    assert exit_outputs(build_model(spec("bugs/k8s_13058_wg_negative"))) == {
        ("deleted\n", None),
        ("", "panic: sync: negative WaitGroup counter [G2 at main.go:19]"),
        ("deleted\n", "panic: sync: negative WaitGroup counter [G2 at main.go:19]"),
        ("", "panic: sync: WaitGroup is reused before previous Wait has returned [G1 at main.go:23]"),
    }
