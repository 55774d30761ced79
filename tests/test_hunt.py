"""checker.check.check(hunt=True): when a bound stops the exhaustive search, seeded random walks to
final states look for violations; each one found is a real path (it replays on the model), and
nothing they fail to find becomes ``holds``.  A goroutine blocked in a final state is a leak there
(a state without successors is a bottom component of its own), which also lets a reduced search
report it (checker/explore.py ``final_bottoms``)."""

from __future__ import annotations

from checker.check import check
from checker.trace import replay
from gocheck.factory import build_model
from gocheck.spec import load_spec_text

LEAKY = """package main

import "sync"

func main() {
	var wg sync.WaitGroup
	var mu sync.Mutex
	n := 0
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			n++
			mu.Unlock()
		}()
	}
	wg.Wait()
	results := make(chan int)
	go func() { results <- n }()
	if n == 3 {
		return
	}
	<-results
}
"""


def _model(src: str, props: str) -> object:
    body = "".join("  " + ln + "\n" for ln in src.splitlines())
    return build_model(load_spec_text(f"name: t\nsource: |\n{body}properties: {props}\n", "t.yaml"))


def test_walks_find_the_leak_a_bounded_search_cannot_reach() -> None:
    model = _model(LEAKY, "[leak_free, panic_free]")
    cut = check(model, max_states=300)
    assert not cut.stats.complete and cut["leak_free"].verdict.kind == "unknown" and cut.stats.hunt is None
    r = check(_model(LEAKY, "[leak_free, panic_free]"), max_states=300, hunt=True, timeout_s=5)
    leak = r["leak_free"]
    assert leak.verdict.kind == "violated"
    assert leak.verdict.reason == "G5 blocked forever: no continuation from here unblocks it (a final state)"
    assert r["panic_free"].verdict.kind == "unknown"  # walks prove nothing
    assert r.stats.hunt is not None and r.stats.hunt["found"] == ["leak_free"]
    states, _ = replay(model, leak.path)
    assert not model.actions(states[-1]) and states[-1].gs[4].status == "wait"


def test_a_complete_search_does_not_hunt() -> None:
    r = check(_model(LEAKY, "[leak_free]"), hunt=True)
    assert r.stats.complete and r.stats.hunt is None and r["leak_free"].verdict.kind == "violated"


def test_a_reduced_search_reports_a_leak_in_a_final_state() -> None:
    """Liveness is not preserved by the reduction in general, but a final state is final in the
    full graph too (an ample set is never empty where an action is enabled)."""
    r = check(_model(LEAKY, "[leak_free]"), reduce=True)
    assert r.stats.complete and r.stats.reduced > 0
    assert r["leak_free"].verdict.kind == "violated" and r["leak_free"].verdict.reason.endswith("(a final state)")
