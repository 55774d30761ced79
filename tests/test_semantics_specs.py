"""Every semantics spec gives the verdicts its ``expect:`` names; oracles DL-O1..O9
and docs/go-semantics.md section 7 are pinned here by name, with exact state counts.

DL-O6 (main blocked while another goroutine waits on network I/O: no report)
is not applicable: the Go subset has no netpoll construct, so no goroutine
can wait on I/O.
"""

from __future__ import annotations

import os

import pytest

from checker.check import check
from gocheck.factory import build_model
from gocheck.spec import apply_override, load_spec, load_spec_text
from models.errors import InputError
from tests.helpers import exit_outputs, outcome_results

SPECS = os.path.join(os.path.dirname(__file__), "..", "specs")

#: Every spec this module owns, with its exact state count (a changed count is a changed semantics),
#: with the default dead-variable reset (`models.deadslots`).
STATES = {
    "dl_o1_recv_unbuffered": 2, "dl_o2_empty_select": 2, "dl_o3_double_lock": 3, "dl_o5_sleeper": 7,
    "dl_o7_partial_deadlock": 11, "dl_o8_goexit": 5, "dl_o9_nil_channel": 6,
    "ch_send_closed": 4, "ch_close_nil": 3, "ch_close_wakes_sender": 15, "ch_recv_closed": 7, "ch_fifo": 21, "ch_close_wakes_all": 52,
    "select_closed_send": 8, "select_default": 7, "mutex_double_unlock": 4, "rw_runlock_unlocked": 2,
    "rw_unlock_unlocked": 3, "wg_negative": 6, "once_do": 79,
    "worker_pool": 317, "fan_in": 64, "pipeline_backpressure": 231, "graceful_shutdown": 2036,
    "ctx_pipeline": 26, "ctx_pipeline_leak": 19, "runaway_fanout": 98, "runaway_fanout_fixed": 188,
    "timeout_leak": 20, "timeout_fixed": 20, "abba_deadlock": 106, "abba_fixed": 86,
    "rlock_recursive": 22, "rlock_fixed": 26, "double_close": 73, "double_close_fixed": 80,
    "wg_misuse": 427, "wg_fixed": 140, "cond_lost_wakeup": 32, "cond_fixed": 40,
    "racy_counter": 99, "counter_mutex": 138, "mutex_starvation": 22, "mutex_starvation_fixed": 23,
    "atomic_plain_race": 36, "atomic_plain_fixed": 16, "loopvar_go121": 549, "loopvar_go122": 331,
    "mutex_copy": 321, "mutex_copy_fixed": 122, "recover_missing": 422, "recover_worker": 1078, "stdlib_tour": 302, "heap_churn": 53, "log_fatal": 32,
    "locker_iface": 19,
    "fmt_stringer": 18, "select_send_close": 30, "select_send_close_fixed": 24,
    "named_result_report": 92, "named_result_report_fixed": 131, "named_result_recover": 309,
}

#: Bug specs and their fixed twins: the twin must hold everything.
TWINS = {
    "ctx_pipeline_leak": "ctx_pipeline", "runaway_fanout": "runaway_fanout_fixed", "timeout_leak": "timeout_fixed",
    "abba_deadlock": "abba_fixed", "rlock_recursive": "rlock_fixed", "double_close": "double_close_fixed",
    "wg_misuse": "wg_fixed", "cond_lost_wakeup": "cond_fixed", "racy_counter": "counter_mutex",
    "mutex_starvation": "mutex_starvation_fixed", "atomic_plain_race": "atomic_plain_fixed",
    "loopvar_go121": "loopvar_go122", "mutex_copy": "mutex_copy_fixed", "recover_missing": "recover_worker",
    "select_send_close": "select_send_close_fixed",
    "named_result_report": "named_result_report_fixed",
}

_cache: dict[str, tuple] = {}


def run(name: str, **overrides):
    key = name + repr(sorted(overrides.items()))
    # Under mutation testing (benchmarks/mutation.py) every test must run the code it checks: mutmut
    # runs, per mutant, only the tests it saw calling the mutated function.
    if key not in _cache or "MUTANT_UNDER_TEST" in os.environ:
        spec = load_spec(os.path.join(SPECS, name + ".yaml"), overrides=overrides or None)
        model = build_model(spec)
        _cache[key] = (spec, model, check(model, "bfs"))
    return _cache[key]


def verdicts(name: str, **overrides) -> dict[str, str]:
    return {k: r.verdict.kind for k, r in run(name, **overrides)[2].results.items()}


def reason(name: str, prop: str) -> str:
    return run(name)[2][prop].verdict.reason


def outputs(name: str) -> set[str]:
    """What the program can print by the time main returns (panicking runs excluded)."""
    _, model, _ = run(name)
    return {out for out, panic in exit_outputs(model) if panic is None}


@pytest.mark.parametrize("name", sorted(STATES))
def test_spec_gives_expected_verdicts_and_state_count(name):
    spec, _, result = run(name)
    assert result.stats.complete
    got = {k: r.verdict.kind for k, r in result.results.items()}
    want = {p.name: spec.expect.get(p.name, "holds") for p in spec.properties}
    assert got == want
    assert result.stats.states == STATES[name]


@pytest.mark.parametrize("bug,fixed", sorted(TWINS.items()))
def test_every_bug_has_a_fixed_twin_that_holds(bug, fixed):
    assert "violated" in verdicts(bug).values()
    assert set(verdicts(fixed).values()) == {"holds"}


# ---------------------------------------------------------------- DL-O1..O9 (docs/go-semantics.md 6.2)


def test_dl_o1_receive_from_fresh_channel_is_a_deadlock():
    """DL-2: no M runs, every goroutine is waiting (count > 0): "all goroutines are asleep"."""
    assert reason("dl_o1_recv_unbuffered", "deadlock_free").startswith("fatal error: all goroutines are asleep - deadlock!")
    assert "chan receive" in reason("dl_o1_recv_unbuffered", "deadlock_free")


def test_dl_o2_empty_select_is_a_deadlock():
    assert "select (no cases)" in reason("dl_o2_empty_select", "deadlock_free")


def test_dl_o3_double_lock_is_a_deadlock():
    """MU-6: no re-entrancy: a goroutine that locks a mutex it holds deadlocks."""
    assert "sync.Mutex.Lock mu: mu.Lock()" in reason("dl_o3_double_lock", "deadlock_free")
    assert run("dl_o3_double_lock")[2]["deadlock_free"].path == (0, 0, 0)


def test_dl_o4_recursive_rlock_behind_pending_writer_deadlocks():
    r = reason("rlock_recursive", "deadlock_free")
    assert "sync.RWMutex.RLock mu" in r and "sync.RWMutex.Lock (waiting for readers) mu" in r


def test_dl_o5_no_deadlock_while_a_timer_is_pending():
    # timers fire: the report comes after the sleeper's timer fired and it exited
    spec, model, result = run("dl_o5_sleeper")
    path = result["deadlock_free"].path
    s = model.init_states()[path[0]]
    acts = []
    for k in path[1:]:
        a = model.actions(s)[k]
        acts.append(a)
        s = model.next_state(s, a)
    assert ("timer", "sleep", 2) in acts
    # timers never fire: the sleeper keeps a pending timer, so Go never reports (DL-2.6)
    assert verdicts("dl_o5_sleeper", **{"runtime.timers": "never"})["deadlock_free"] == "holds"


def test_dl_o7_partial_deadlock_is_no_deadlock_but_a_leak():
    v = verdicts("dl_o7_partial_deadlock")
    assert v["deadlock_free"] == "holds" and v["leak_free"] == "violated"
    assert reason("dl_o7_partial_deadlock", "leak_free").startswith("G2, G3 blocked forever")


def test_dl_o8_goexit_in_main():
    """DL-2.4: main called Goexit and no goroutine is left: Go's message names Goexit."""
    assert reason("dl_o8_goexit", "deadlock_free") == \
        "fatal error: no goroutines (main called runtime.Goexit) - deadlock!"


def test_dl_o9_goroutine_on_nil_channel_counts_as_asleep():
    r = reason("dl_o9_nil_channel", "deadlock_free")
    assert "chan send (nil chan)" in r and "sync.WaitGroup.Wait wg" in r


# ---------------------------------------------------------------- section 7: channel, select, sync oracles


def test_ch4_send_on_closed_channel_panics_with_go_message_and_line():
    assert reason("ch_send_closed", "panic_free") == "panic: send on closed channel [G1 at main.go:6]"


def test_ch6_close_panics():
    assert reason("ch_close_nil", "panic_free").startswith("panic: close of nil channel")
    assert reason("double_close", "panic_free").startswith("panic: close of closed channel")


def test_ch5_drained_then_zero_false():
    """CH-5.3: a closed channel yields its buffered values first, then (zero, false)."""
    assert outputs("ch_recv_closed") == {"1 true 0 false\n"}


def test_ch3_fifo_with_blocked_sender_moving_to_tail():
    """CH-5.4: receiving from a full buffer with a parked sender takes the head and moves the
    sender's value (3) to the tail, so the order stays 1 2 3."""
    assert outputs("ch_fifo") == {"1 2 3\n"}


def test_ch6_close_wakes_every_receiver():
    assert outputs("ch_close_wakes_all") == {"0 false\n0 false\n"}


def test_sel5_send_case_on_closed_channel_panics_or_the_receive_wins():
    assert reason("select_closed_send", "panic_free").startswith("panic: send on closed channel")
    assert outputs("select_closed_send") == {"received 7\n"}


def test_rd5_select_send_case_not_chosen_races_close():
    """RD-5: selectgo reads the channel of every send case it polls (random poll order), so a
    send case that is not chosen still races an unordered close: `go run -race` reports it on
    select_send_close (40 of 50 runs); the fixed twin orders the close after the select (MM-12)."""
    assert reason("select_send_close", "race_free") == (
        "data race on channel ch: G2 selects with a send case on it at main.go:8 (select {) and G3 closes it "
        "at main.go:16 (close(ch)) (a close must be synchronized with every send, and a select reads the "
        "channel of every send case it polls, whichever case it picks)")
    assert run("select_send_close")[2]["race_free"].path == (0, 0, 0, 2)
    assert reason("select_send_close", "panic_free") == "panic: send on closed channel [G2 at main.go:8]"
    assert verdicts("select_send_close_fixed")["race_free"] == "holds"


def test_sel2_default_only_when_no_case_is_ready():
    assert outputs("select_default") == {"got 5\ndefault\n"}


def test_mu4_rw2_rw3_fatal_errors():
    assert reason("mutex_double_unlock", "panic_free").startswith("fatal error: sync: unlock of unlocked mutex")
    assert reason("rw_runlock_unlocked", "panic_free").startswith("fatal error: sync: RUnlock of unlocked RWMutex")
    assert reason("rw_unlock_unlocked", "panic_free").startswith("fatal error: sync: Unlock of unlocked RWMutex")


def test_wg2_negative_counter_panics():
    assert reason("wg_negative", "panic_free").startswith("panic: sync: negative WaitGroup counter")


def test_once_runs_f_exactly_once():
    assert outputs("once_do") == {"init\n"}


def test_mu5_starvation_mode_hands_off_to_the_starving_waiter():
    assert verdicts("mutex_starvation")["starvation_free"] == "violated"
    assert reason("mutex_starvation", "starvation_free").startswith("G1 stays pending forever")
    assert verdicts("mutex_starvation_fixed")["starvation_free"] == "holds"


# ---------------------------------------------------------------- patterns: what each finding says


def test_race_reason_names_both_accesses_with_variable_and_line():
    assert reason("racy_counter", "race_free") == (
        "data race on counter: G2 writes at main.go:15 (counter++) and G3 reads at main.go:15 (counter++)")


def test_wg_misuse_is_reported_as_add_racing_wait():
    assert "WaitGroup misuse: Add racing Wait" in reason("wg_misuse", "race_free")
    assert outputs("wg_misuse") == {"0\n", "1\n", "2\n"}
    assert outputs("wg_fixed") == {"2\n"}


def test_runaway_fanout_counts_live_goroutines():
    assert reason("runaway_fanout", "max_goroutines") == "4 live goroutines, more than 3"


def test_timeout_leak_leaves_the_sender_blocked():
    assert reason("timeout_leak", "leak_free").startswith("G2 blocked forever")
    assert outputs("timeout_leak") == {"42\n", "timeout\n"}


def test_abba_counterexample_is_the_shortest_interleaving():
    spec, model, result = run("abba_deadlock")
    path = result["deadlock_free"].path
    s = model.init_states()[path[0]]
    lines = []
    for k in path[1:]:
        a = model.actions(s)[k]
        lines.append(model.format_action(s, a))
        s = model.next_state(s, a)
    assert lines[-4:] == ["G2: a.Lock() (main.go:12)", "G3: b.Lock() (main.go:19)",
                          "G2: b.Lock() (main.go:13)", "G3: a.Lock() (main.go:20)"]
    view = model.view(s)
    assert view["a"] == "Mutex(locked=true waiters=G3)"
    assert view["G2"] == "G2 main.go:13 sync.Mutex.Lock b: b.Lock()"


def test_pipeline_outputs():
    assert outputs("worker_pool") == {"6\n"}
    assert outputs("pipeline_backpressure") == {"14\n"}
    assert outputs("fan_in") == {"3\n"}
    assert outputs("ctx_pipeline") == {"0 1\n"}
    assert outputs("graceful_shutdown") == {"drained 6\n"}
    assert outputs("racy_counter") == {"1\n", "2\n"}
    assert outputs("counter_mutex") == {"2\n"}


def test_main_exit_exit_ends_the_program_and_blocked_goroutines_leak():
    v = verdicts("timeout_fixed", **{"runtime.main_exit": "exit"})
    assert v["leak_free"] == "holds"
    v = verdicts("dl_o7_partial_deadlock", **{"runtime.main_exit": "exit"})
    assert v["leak_free"] == "violated"


# ---------------------------------------------------------------- model construction and outcomes


LITMUS = """
name: mp
source: |
  package main

  import "sync"

  var x, y, r1, r2 int

  func main() {
      var wg sync.WaitGroup
      wg.Add(2)
      go func() {
          defer wg.Done()
          x = 1
          y = 1
      }()
      go func() {
          defer wg.Done()
          r1 = y
          r2 = x
      }()
      wg.Wait()
  }
properties: [race_free]
outcomes:
  - {when: "r1 == 1 && r2 == 0", expect: forbidden}
  - {when: "r1 == 0 && r2 == 0", expect: allowed}
  - {when: "r1 == 1 && r2 == 1", expect: allowed}
"""


def test_outcomes_under_sequential_consistency():
    spec = load_spec_text(LITMUS, "mp.yaml")
    got = [(o.when, o.reachable) for o in outcome_results(spec)]
    assert got == [("r1 == 1 && r2 == 0", False), ("r1 == 0 && r2 == 0", True), ("r1 == 1 && r2 == 1", True)]
    assert verdicts_of(spec)["race_free"] == "violated"


def verdicts_of(spec) -> dict[str, str]:
    return {k: r.verdict.kind for k, r in check(build_model(spec)).results.items()}


def test_properties_of_other_schedulers_are_input_errors():
    spec = load_spec_text("name: t\nsource: |\n  package main\n  func main() {}\nproperties: [deadlock_free, "
                          "gmp.no_lost_goroutine]\n", "t.yaml")
    with pytest.raises(InputError, match="gmp.no_lost_goroutine.*runtime.scheduler: gmp"):
        build_model(spec)
    spec = apply_override(spec, "runtime.procs", 1)
    with pytest.raises(InputError):
        build_model(spec)


def test_close_wakes_a_parked_sender_which_panics():
    """CH-6/CH-4.7: a sender parked on the channel is woken by close and panics when it runs."""
    from models.state import WAIT

    _, model, result = run("ch_close_wakes_sender")
    woken = 0
    for s in result.states:
        g2 = s.gs[1] if len(s.gs) > 1 else None
        if g2 is None or g2.status != WAIT:
            continue
        for a in model.actions(s):
            t = model.next_state(s, a)
            if t.gs[1].wait[:1] == ("panic",):
                woken += 1
                assert t.gs[1].wait[1] == "send on closed channel"
    assert woken == 1
    assert reason("ch_close_wakes_sender", "panic_free") == "panic: send on closed channel [G2 at main.go:8]"


def test_wg_misuse_reaches_both_of_gos_misuse_panics():
    """WG-2/WG-3 (sync/waitgroup.go): the release of Wait is a step of its own,
    so an Add can land before it (Add called concurrently with Wait) or after
    it, before the woken Wait re-checks the counter (reused)."""
    _, model, _ = run("wg_misuse")
    panics = {p.split(" [")[0] for _, p in exit_outputs(model) if p is not None}
    assert panics == {"panic: sync: WaitGroup misuse: Add called concurrently with Wait",
                      "panic: sync: WaitGroup is reused before previous Wait has returned"}


def test_atomic_racing_plain_access_is_a_race():
    """MM-18: an atomic.AddInt32 racing a plain n++ is a data race (go run -race reports it)."""
    assert reason("atomic_plain_race", "race_free").startswith("data race on n: ")
    assert "a plain access racing an atomic one is a data race" in reason("atomic_plain_race", "race_free")


def test_loop_variable_rule_follows_the_go_version():
    """Go 1.22 made a for clause's variables per iteration: under 1.21 rules the
    goroutines read the one i main increments (a race; sum may be 4), under 1.22
    rules each reads its own (sum is always 0+1)."""
    assert "data race on i: " in reason("loopvar_go121", "race_free")
    assert outputs("loopvar_go121") == {"1 2\n", "2 2\n", "3 2\n", "4 2\n"}
    assert outputs("loopvar_go122") == {"1 2\n"}
    assert verdicts("loopvar_go122", go="1.21")["race_free"] == "violated"


def test_copied_mutex_is_a_different_lock():
    """A value receiver copies sync.Mutex (go vet copylocks): each call locks its own copy."""
    assert reason("mutex_copy", "race_free").startswith("data race on n: ")
    assert outputs("mutex_copy") == {"1\n", "2\n"}
    assert outputs("mutex_copy_fixed") == {"2\n"}


def test_recovered_panic_is_not_a_violation():
    """recover() in a deferred call stops the panic; the worker goes on (Go spec, Handling panics)."""
    assert reason("recover_missing", "panic_free").startswith("panic: bad item [G")
    assert outputs("recover_worker") == {"skipped: bad item\n6\n"}


RAND = """name: rand_bound
source: |
  package main

  import (
  \t"fmt"
  \t"math/rand"
  )

  func main() {
  \tfmt.Println(rand.Intn(N))
  }
properties: [panic_free]
"""


def test_rand_intn_is_explored_over_its_range_and_a_cut_is_unknown():
    """rand.Intn(n) is a choice over 0..n-1 (every value a successor); more values
    than runtime.rand_values stop the search: the verdict is unknown, naming the bound."""
    spec = load_spec_text(RAND.replace("N", "3"), "rand.yaml")
    model = build_model(spec)
    assert {out for out, _ in exit_outputs(model)} == {"0\n", "1\n", "2\n"}
    big = check(build_model(load_spec_text(RAND.replace("N", "1000"), "rand.yaml")), "bfs")
    v = big["panic_free"].verdict
    assert v.kind == "unknown" and "runtime.rand_values=100" in v.reason
    zero = check(build_model(load_spec_text(RAND.replace("N", "0"), "rand.yaml")), "bfs")
    assert zero["panic_free"].verdict.reason.startswith("panic: invalid argument to Intn")


def test_stdlib_tour_outputs():
    """Timer.Stop reports whether the timer was pending; a deadline's Err is
    'context deadline exceeded' through a value context; Errorf wraps with %w."""
    outs = outputs("stdlib_tour")
    assert "stopped true\ncontext deadline exceeded 7\nop 1: closed true 1! a1 2\n" in outs
    assert "fired\ncontext deadline exceeded 7\nop 0: closed true 0! a1 2\n" in outs
    assert "stopped false\ncontext deadline exceeded 7\nop 2: closed true 2! a1 2\n" in outs
    assert len(outs) == 18  # 3 timer outcomes x 3 rand values x slow or not


def test_fmt_calls_error_and_string_methods():
    """fmt/print.go handleMethods: Error() first, then String(); a value does not use
    pointer-receiver methods; a nil error prints <nil> (agrees with go run)."""
    assert outputs("fmt_stringer") == {"store(2) 2\nstate-3 state-4\ncode 7 plain\nstate-5\n<nil>\n"}
    assert outputs("locker_iface") == {"3\n"}


def test_deferred_closure_sees_the_error_return_set():
    """Go spec, "Return statements" and "Defer statements": ``return X`` sets the named
    result before the deferred calls run, so the deferred ``if err != nil { errc <- err }``
    sends and, nobody receiving before wg.Wait returns, the program deadlocks (the model
    used to give the deferred closure the zero value and say holds)."""
    assert reason("named_result_report", "deadlock_free") == (
        "fatal error: all goroutines are asleep - deadlock! (G1 main.go:31 sync.WaitGroup.Wait wg: wg.Wait(); "
        "G3 main.go:12 chan send errc: errc <- err)")
    assert outputs("named_result_report_fixed") == {"fetch 2 failed\n"}


def test_named_results_set_by_recover_and_by_a_deferred_wrapper():
    """The recovered frame returns the named results its deferred recover set; the caller's
    deferred closure wraps the error its ``return handle(item)`` set (Go spec, "Handling panics")."""
    assert outputs("named_result_recover") == {"2\nprocess: item -1: negative\n"}
