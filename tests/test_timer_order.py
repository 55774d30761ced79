"""``runtime.timers: ordered`` (models/timeorder.py): with one P a timer is
held back by an earlier-set timer of strictly shorter known duration when Go
would run that one first (TM-1..TM-6 of docs/go-semantics.md), and by
nothing else.

Each rule has a program that shows it: what the order removes (``any``
reaches more endings), what it must leave (equal durations, unknown
durations, several Ps, a context deadline, a timer set by another
goroutine).  The soundness checks: under ``ordered`` every program reaches
a subset of its endings under ``any``, Go's recorded outputs stay reachable
(under both schedulers), and a few generated programs run with ``go run``
print only what the model reaches.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess

import pytest

from checker.check import check
from gocheck.factory import build_model
from gocheck.spec import apply_override, load_spec, load_spec_text
from models.outputs import find_output, outputs
from tests.helpers import SPECS
from tests.sched_corpus import CORPUS, corpus_spec, names, recorded

#: The corpus programs whose order depends on timers (tests/sched_corpus, one P each).
TIMER_CORPUS = ["after_select", "ctx_vs_timer", "sleep_sees_timer", "sleeps", "sleep_vs_work", "ticker_first",
                "timer_stop"]


def _spec(src: str, **runtime: object):
    body = "".join("  " + line + "\n" if line.strip() else "\n" for line in src.splitlines())
    s = load_spec_text(f"name: t\nsource: |\n{body}", "t.yaml")
    for k, v in {"procs": 1, **runtime}.items():
        s = apply_override(s, "runtime." + k, v)
    return s


def endings(src: str, **runtime: object) -> set[str]:
    """Every stdout the program can end with (exit or panic: the panic message appended)."""
    res = outputs(build_model(_spec(src, **runtime)), 200_000)
    assert res.complete
    return {e.output + (f"<{e.end}>" if e.end != "exit" else "") for e in res.endings}


def go_main(body: str, imports: str = '"fmt"\n\t"runtime"\n\t"time"') -> str:
    return f"package main\n\nimport (\n\t{imports}\n)\n\nfunc main() {{\n\truntime.GOMAXPROCS(1)\n{body}}}\n"


TIMER_STOP = go_main("""\tt := time.NewTimer(10 * time.Millisecond)
\ttime.Sleep(30 * time.Millisecond)
\tfmt.Println(t.Stop())
""")


# ---------------------------------------------------------------------------- the rule, case by case


def test_tm2_a_later_longer_timer_of_the_same_goroutine_waits_for_the_earlier_one():
    """TM-1, TM-2: main's 10 ms timer is set before its 30 ms sleep, so the sleep
    cannot end before the timer fired: Stop reports false.  Under both
    schedulers; ``timers: any`` keeps the old freedom."""
    for sched in ("abstract", "gmp"):
        assert endings(TIMER_STOP, scheduler=sched) == {"false\n"}
        assert endings(TIMER_STOP, scheduler=sched, timers="any") == {"false\n", "true\n"}


def test_tm4_a_sleep_is_held_back_by_another_goroutines_timer_but_a_timer_is_not():
    """TM-4: ``time.Sleep`` reads the clock and parks with nothing run in between,
    so a goroutine's 20 ms sleep waits for main's earlier 10 ms timer; a 20 ms
    ``NewTimer`` set by that goroutine may have read the clock before main's
    timer went into the heap (preemption, GC assist in ``newobject``), so it
    is not held back."""
    sleep = go_main("""\tt := time.NewTimer(10 * time.Millisecond)
\tdone := make(chan bool)
\tgo func() {
\t\tSTALL
\t\tselect {
\t\tcase <-t.C:
\t\t\tfmt.Println("fired")
\t\tdefault:
\t\t\tfmt.Println("pending")
\t\t}
\t\tdone <- true
\t}()
\t<-done
""")
    assert endings(sleep.replace("STALL", "time.Sleep(20 * time.Millisecond)")) == {"fired\n"}
    assert endings(sleep.replace("STALL", "<-time.NewTimer(20 * time.Millisecond).C")) == {"fired\n", "pending\n"}
    assert endings(sleep.replace("STALL", "<-time.After(20 * time.Millisecond)")) == {"fired\n", "pending\n"}


def test_tm2_equal_durations_and_a_later_shorter_timer_fire_in_either_order():
    """TM-2: equal ``when``s run in heap order, not insertion order, and nanotime
    may read the same twice: equal durations hold nothing back.  A shorter timer
    set later may fire before or after (how much time passed is unknown)."""
    prog = go_main("""\ta := time.After(D1 * time.Millisecond)
\tb := time.After(D2 * time.Millisecond)
\tselect {
\tcase <-a:
\t\tfmt.Println("a")
\tcase <-b:
\t\tfmt.Println("b")
\t}
""")
    run = dict(scheduler="gmp", preempt="never", startup="fixed")
    assert endings(prog.replace("D1", "10").replace("D2", "20"), **run) == {"a\n"}
    assert endings(prog.replace("D1", "10").replace("D2", "10"), **run) == {"a\n", "b\n"}
    assert endings(prog.replace("D1", "20").replace("D2", "10"), **run) == {"a\n", "b\n"}


def test_tm1_durations_the_model_does_not_know_hold_nothing_back():
    """TM-1: only a duration that is the value Go computes orders timers.  A
    program that calls ``time.Since`` has abstract durations in its state (0 or
    "a lot"), so none of its timers is ordered; nor is a ``context.WithDeadline``
    (its ``time.Time`` is abstract)."""
    since = TIMER_STOP.replace("\tt := time.NewTimer", "\t_ = time.Since(time.Now())\n\tt := time.NewTimer")
    assert endings(since) == {"false\n", "true\n"}
    ctx = go_main("""\tt := time.NewTimer(10 * time.Millisecond)
\tctx, cancel := context.WithDeadline(context.Background(), time.Now())
\tdefer cancel()
\tselect {
\tcase <-ctx.Done():
\t\tfmt.Println("deadline")
\tcase <-t.C:
\t\tfmt.Println("timer")
\t}
""", '"context"\n\t"fmt"\n\t"runtime"\n\t"time"')
    run = dict(scheduler="gmp", preempt="never", startup="fixed")
    assert endings(ctx, **run) == {"deadline\n", "timer\n"}
    assert endings(ctx.replace("WithDeadline", "WithTimeout").replace("time.Now()", "50*time.Millisecond"),
                   **run) == {"timer\n"}


def test_tm3_with_several_ps_timers_fire_in_any_order():
    """TM-3: each P has its own heap and a busy P runs none of its timers, so
    with procs > 1 (Go measured: a later, longer timer first in 100 and 140 of 200 runs)
    ``ordered`` is ``any``, under both schedulers."""
    for sched in ("abstract", "gmp"):
        assert endings(TIMER_STOP, scheduler=sched, procs=2) == {"false\n", "true\n"}


def test_tm6_a_context_deadline_holds_nothing_back():
    """TM-6: a ``WithTimeout`` context is cancelled by the goroutine its
    ``AfterFunc`` starts, which may run after a later, longer timer's effect:
    ``ctx.Err()`` may still be nil when a 50 ms ``After`` set after a 10 ms
    timeout has fired.  (The context is itself held back by earlier timers:
    ctx_vs_timer in the corpus.)"""
    prog = go_main("""\tctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
\tdefer cancel()
\t<-time.After(50 * time.Millisecond)
\tfmt.Println(ctx.Err())
""", '"context"\n\t"fmt"\n\t"runtime"\n\t"time"')
    assert endings(prog) == {"<nil>\n", "context deadline exceeded\n"}


def test_tm5_stop_releases_reset_sets_anew_and_a_ticker_rearms():
    """TM-5: a stopped timer holds nothing back (else the 30 ms timer would wait
    for ever); ``Reset`` sets a new deadline, read now, so the reset timer is
    held back by the shorter one set before; a ticker's first tick holds back
    a longer timer set after it (corpus ticker_first), its later ticks only
    sleeps that start after the tick (the next deadline is at most a period
    after it)."""
    stop = go_main("""\tt1 := time.NewTimer(10 * time.Millisecond)
\tt2 := time.NewTimer(30 * time.Millisecond)
\tt1.Stop()
\t<-t2.C
\tfmt.Println("done")
""")
    for order, states in (("ordered", 20), ("any", 21)):  # any: t2 may also fire before t1.Stop
        res = check(build_model(_spec(stop, timers=order)), "bfs")
        assert (res.stats.complete, res.stats.states) == (True, states)
        assert {k: r.verdict.kind for k, r in res.results.items()} == dict.fromkeys(
            ("deadlock_free", "leak_free", "panic_free", "race_free"), "holds")
    assert endings(stop) == {"done\n"}
    reset = go_main("""\tt := time.NewTimer(10 * time.Millisecond)
\tu := time.NewTimer(20 * time.Millisecond)
\tt.Reset(50 * time.Millisecond)
\tselect {
\tcase <-t.C:
\t\tfmt.Println("t")
\tcase <-u.C:
\t\tfmt.Println("u")
\t}
""")
    run = dict(scheduler="gmp", preempt="never", startup="fixed")
    assert endings(reset, **run) == {"u\n"}
    assert endings(reset.replace("50 *", "5 *"), **run) == {"t\n", "u\n"}
    ticks = go_main("""\ttk := time.NewTicker(10 * time.Millisecond)
\tu := time.NewTimer(15 * time.Millisecond)
\t<-tk.C
\tselect {
\tcase <-tk.C:
\t\tfmt.Println("tick")
\tcase <-u.C:
\t\tfmt.Println("timer")
\t}
\ttk.Stop()
""")
    # the second tick against a timer set before it: free
    assert endings(ticks, **run) == {"tick\n", "timer\n"}
    # a 25 ms sleep that starts after the first tick: the second tick (<= 10 ms later) comes first
    rearm = go_main("""\ttk := time.NewTicker(10 * time.Millisecond)
\t<-tk.C
\ttime.Sleep(25 * time.Millisecond)
\tselect {
\tcase <-tk.C:
\t\tfmt.Println("tick")
\tdefault:
\t\tfmt.Println("no tick")
\t}
\ttk.Stop()
""")
    assert endings(rearm) == {"tick\n"}
    assert endings(rearm, timers="any") == {"tick\n", "no tick\n"}


def _worlds(model):
    from tests.helpers import reachable
    for s in reachable(model, 100_000):
        yield model.world_of(s)


def test_tm2_afterfunc_holds_back_a_later_sleep():
    """TM-2, TM-6: an ``AfterFunc``'s firing starts its goroutine at once, so it
    holds back main's later, longer sleep: the sleep's timer is not offered
    while the AfterFunc timer is pending."""
    prog = go_main("""\tdone := make(chan bool, 1)
\ttime.AfterFunc(10*time.Millisecond, func() { done <- true })
\ttime.Sleep(30 * time.Millisecond)
\tselect {
\tcase <-done:
\t\tfmt.Println("func started")
\tdefault:
\t\tfmt.Println("not yet")
\t}
""")
    m = build_model(_spec(prog))
    seen = 0
    for w in _worlds(m):
        if ("sleep", 1) in w.timers and any(k == "afterfunc" for k, _ in w.timers):
            seen += 1
            assert m.interp.fireable(w) == [t for t in w.timers if t[0] == "afterfunc"]
    assert seen == 1
    # the func's goroutine may still be queued when main wakes: both outputs stay
    assert endings(prog) == {"func started\n", "not yet\n"}


# ---------------------------------------------------------------------------- soundness


def _corpus_endings(name: str, order: str, **over: object) -> set[tuple[str, str]]:
    res = outputs(build_model(corpus_spec(name, {"runtime.timers": order, **over})), 300_000)
    assert res.complete
    return {(e.output, e.end) for e in res.endings}


@pytest.mark.parametrize("name", TIMER_CORPUS)
def test_ordered_reaches_a_subset_of_any_and_every_go_output(name):
    """For each corpus program with timers, under gmp (preemption off, Go's
    start) and under the abstract scheduler with one P: ``ordered`` reaches a
    subset of ``any``'s endings, and every output Go printed in 200 runs
    (``tests/sched_corpus/NAME.json``) is among them.  TM-2."""
    go = {(r["output"], r["end"]) for r in recorded(name)}
    for over in ({"runtime.preempt": "never", "runtime.startup": "fixed"}, {"runtime.scheduler": "abstract"}):
        old, new = _corpus_endings(name, "any", **over), _corpus_endings(name, "ordered", **over)
        assert new <= old
        assert go <= new, (over, go - new)


#: Endings under (gmp, preemption off, Go's start): any -> ordered, per timer corpus program.
TIGHTER = {"after_select": (2, 1), "ctx_vs_timer": (2, 1), "sleep_sees_timer": (2, 1), "sleeps": (6, 6),
           "sleep_vs_work": (1, 1), "ticker_first": (2, 1), "timer_stop": (2, 1)}


@pytest.mark.parametrize("name", TIMER_CORPUS)
def test_ordered_is_as_tight_as_go_on_the_timer_corpus(name):
    """With preemption off five of the timer programs end exactly as Go does
    (one ending) under ``ordered`` and two ways under ``any``; ``sleeps`` keeps
    six: a goroutine woken by one sleep may still be queued when the next
    sleep fires (TM-2: one ``checkTimers`` may run several expired timers)."""
    over = {"runtime.preempt": "never", "runtime.startup": "fixed"}
    got = (len(_corpus_endings(name, "any", **over)), len(_corpus_endings(name, "ordered", **over)))
    assert got == TIGHTER[name]


def test_every_timer_spec_gives_the_same_states_and_verdicts_with_one_p():
    """The specs under specs/ that set timers do not change under ``ordered``:
    as written they run on two Ps (TM-3), and even on one P none of them sets a
    timer that another one holds back."""
    names_ = ["timeout_leak", "timeout_fixed", "dl_o5_sleeper", "bugs/k8s_5316_ctx_timeout_leak",
              "bugs/k8s_5316_timeout_leak", "rlock_recursive", "stdlib_tour"]
    for name in names_:
        rows = []
        for order in ("any", "ordered"):
            s = load_spec(os.path.join(SPECS, name + ".yaml"),
                          overrides={"runtime.procs": 1, "runtime.timers": order})
            res = check(build_model(s), "bfs")
            rows.append((res.stats.states, {k: r.verdict.kind for k, r in res.results.items()}))
        assert rows[0] == rows[1], name


def test_a_false_alarm_that_needed_an_impossible_timer_order_is_gone():
    """A worker that wakes from a 50 ms sleep and panics unless main's 10 ms
    heartbeat timer has fired: with one P Go never panics (TM-2, TM-4), and
    ``ordered`` proves it; ``any`` reports the panic, and with two Ps the
    panic is real (TM-3: the timers may sit in two Ps' heaps)."""
    prog = go_main("""\thb := time.NewTimer(10 * time.Millisecond)
\tdone := make(chan bool)
\tgo func() {
\t\ttime.Sleep(50 * time.Millisecond)
\t\tselect {
\t\tcase <-hb.C:
\t\tdefault:
\t\t\tpanic("heartbeat missed")
\t\t}
\t\tdone <- true
\t}()
\t<-done
\tfmt.Println("ok")
""")
    got = {}
    for label, rt in (("ordered", {}), ("any", {"timers": "any"}), ("two Ps", {"procs": 2})):
        res = check(build_model(_spec(prog, **rt)), "bfs")
        got[label] = (res.stats.states, res.results["panic_free"].verdict.kind)
    assert got == {"ordered": (21, "holds"), "any": (37, "violated"), "two Ps": (37, "violated")}


# ---------------------------------------------------------------------------- against Go


def _random_program(rng: random.Random) -> str:
    """main sets 2-3 timers (After or NewTimer, constant durations, in random
    order), one goroutine sleeps; then main reports, three times, which of the
    channels is ready first (a blocking select) and the goroutine prints
    whether main's first timer had fired when it woke."""
    n = rng.randint(2, 3)
    ds = [rng.choice([5, 10, 15, 20, 30]) for _ in range(n)]
    lines = []
    for i, d in enumerate(ds):
        if rng.random() < 0.5:
            lines.append(f"\tc{i} := time.After({d} * time.Millisecond)")
        else:
            lines.append(f"\tt{i} := time.NewTimer({d} * time.Millisecond)\n\tc{i} := t{i}.C")
    sd = rng.choice([5, 10, 25, 40])
    lines.append(f"""\tprobe := time.NewTimer({rng.choice([5, 12, 35])} * time.Millisecond)
\tdone := make(chan string, 1)
\tgo func() {{
\t\ttime.Sleep({sd} * time.Millisecond)
\t\tselect {{
\t\tcase <-probe.C:
\t\t\tdone <- "probe fired"
\t\tdefault:
\t\t\tdone <- "probe pending"
\t\t}}
\t}}()""")
    lines.append("\tfor k := 0; k < " + str(n) + "; k++ {\n\t\tselect {")
    for i in range(n):
        lines.append(f"\t\tcase <-c{i}:\n\t\t\tfmt.Println({i})\n\t\t\tc{i} = nil")
    lines.append("\t\t}\n\t}\n\tfmt.Println(<-done)")
    return go_main("\n".join(lines) + "\n")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("go") is None, reason="needs the Go toolchain")
def test_generated_timer_programs_print_only_what_the_model_reaches(tmp_path):
    """Five generated one-P timer programs, each run 30 times by Go: every output
    is reachable under ``ordered`` (abstract and gmp).  TM-2, TM-4."""
    rng = random.Random(19)
    for k in range(5):
        src = _random_program(rng)
        d = tmp_path / f"p{k}"
        d.mkdir()
        (d / "go.mod").write_text("module p\n\ngo 1.19\n")
        (d / "main.go").write_text(src)
        subprocess.run(["go", "build", "-o", "p", "."], cwd=d, check=True, capture_output=True, timeout=300)
        seen = {subprocess.run([str(d / "p")], capture_output=True, text=True, timeout=30).stdout for _ in range(30)}
        for sched in ("abstract", "gmp"):
            m = build_model(_spec(src, scheduler=sched))
            for out in seen:
                assert find_output(m, out, "exit", 300_000) is not None, (k, sched, out, src)


def test_the_timer_corpus_is_recorded():
    for name in TIMER_CORPUS:
        assert name in names()
        with open(os.path.join(CORPUS, name + ".json"), encoding="utf-8") as f:
            assert json.load(f)["runs"] == 200


@pytest.mark.slow
def test_the_reference_runtime_fires_one_ps_timers_in_deadline_order():
    """The reference runtime (reference/) keeps its timers in one heap by real
    deadline (monotonic clock) and runs the expired ones in order, so with one
    P it prints Go's output on each timer corpus program (TM-2), three runs
    each, and only what the ordered model reaches."""
    import reference
    from models.lang import compile_go

    for name in TIMER_CORPUS:
        path = os.path.join(CORPUS, name + ".go")
        with open(path, encoding="utf-8") as f:
            program = compile_go(f.read(), path)
        go = {r["output"] for r in recorded(name)}
        model = _corpus_endings(name, "ordered", **{"runtime.scheduler": "abstract"})
        for seed in range(3):
            r = reference.run(program, procs=1, seed=seed, timeout_s=20)
            assert r.exit_code == 0 and r.output in go, (name, r.output)
            assert (r.output, "exit") in model


@pytest.mark.parametrize("name", TIMER_CORPUS)
def test_partial_order_reduction_keeps_the_ordered_endings(name):
    """Under ``ordered`` setting a timer no longer commutes with setting another
    (TM-4: a later sleep is held back by an earlier timer, not the other way
    round), and a held-back timer is released by whoever fires or stops its
    holder: `models.por` treats ``Sleep``/``After`` as touching everything and
    does not reduce a state with a held-back timer.  Reduction gives the same
    verdicts and terminal outputs as full exploration (one P, abstract)."""
    from tests.test_por import differential

    full, red = differential(corpus_spec(name, {"runtime.scheduler": "abstract"}))
    assert red.stats.states <= full.stats.states


def test_two_sleeps_do_not_commute_under_ordered():
    """TM-4 and `models.por`: two goroutines about to sleep 10 and 20 ms.  Under
    ``any`` the sleeps commute and one of them is an ample set; under
    ``ordered`` the 20 ms sleep set after the 10 ms one is held back by it and
    not the other way round, so the state is expanded fully."""
    prog = go_main("""\tvar wg sync.WaitGroup
\twg.Add(2)
\tgo func() {
\t\ttime.Sleep(10 * time.Millisecond)
\t\tfmt.Println("a")
\t\twg.Done()
\t}()
\tgo func() {
\t\ttime.Sleep(20 * time.Millisecond)
\t\tfmt.Println("b")
\t\twg.Done()
\t}()
\twg.Wait()
""", '"fmt"\n\t"runtime"\n\t"sync"\n\t"time"')
    got = {}
    for order in ("any", "ordered"):
        m = build_model(_spec(prog, timers=order))
        for w in _worlds(m):
            ops = [m.interp.instr_of(g).op if g.status == "run" else None for g in w.gs]
            if ops == [None, "Sleep", "Sleep"]:
                got[order] = m.persistent_set(w, m.actions(w))
    assert got == {"any": [0], "ordered": None}
    assert endings(prog) == endings(prog, timers="any") == {"a\nb\n", "b\na\n"}


def test_the_switch_is_a_checked_runtime_option():
    """``runtime.timers``: ordered (default), any, never; anything else (the old
    value ``fire`` included: it is ``any`` now) is an input error at its place."""
    from checker.errors import InputError
    from models.options import RuntimeOptions

    assert RuntimeOptions().timers == "ordered"
    head = "name: t\nsource: |\n  package main\n  func main() {}\nruntime:\n  timers: "
    for v in ("ordered", "any", "never"):
        assert load_spec_text(head + v + "\n", "t.yaml").runtime.timers == v
    with pytest.raises(InputError, match=r"t.yaml:6:11: runtime.timers must be one of ordered, any, never, got 'fire'"):
        load_spec_text(head + "fire\n", "t.yaml")
