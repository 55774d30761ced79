"""The waits-for graph of deadlocks and leaks (issue 16): model edges (models/waits.py), lock holders
from the trace, the cycle or chain found by networkx, its sentence in the text view and its drawing
with the Go source in the HTML page (headless Chromium)."""

from __future__ import annotations

import re

import pytest

from checker.view import render_text, write_html
from checker.view.waits import waits_graph
from tests.test_view_html import dump_dom, needs_chromium


def cx_of(spec: str, prop: str):
    from tests.test_view_go import go_counterexample
    return go_counterexample(spec, prop)


def test_abba_cycle():
    _, cx = cx_of("abba_deadlock", "deadlock_free")
    # the model's edges (DL oracle: every goroutine asleep): who waits on what, who would serve the WaitGroup
    assert cx.meta["waits_for"] == [["G1", "wg", "sync.WaitGroup.Wait"], ["G2", "b", "sync.Mutex.Lock"],
                                    ["G3", "a", "sync.Mutex.Lock"], ["wg", "G2", "would be served by"],
                                    ["wg", "G3", "would be served by"]]
    assert list(cx.meta["sources"]) == ["main.go"]
    g = waits_graph(cx)
    assert g is not None and g.cycle == ["G2", "b", "G3", "a"]
    assert [e for e in g.edges if e[3]] == [("G2", "b", "sync.Mutex.Lock", True), ("G3", "a", "sync.Mutex.Lock", True),
                                            ("a", "G2", "held by", True), ("b", "G3", "held by", True)]
    assert len(g.nodes) == 6 and len(g.edges) == 7
    assert g.sentences == [
        "Waits-for cycle: G2 waits for b (sync.Mutex.Lock) held by G3, and G3 waits for a (sync.Mutex.Lock) "
        "held by G2: none of them can proceed.",
        "Waiting: G1 waits for wg (sync.WaitGroup.Wait), which would be served by G2 or G3."]


def test_text_view_names_the_cycle():
    m, cx = cx_of("abba_deadlock", "deadlock_free")
    text = render_text(cx, model=m)
    assert ("Waits     Waits-for cycle: G2 waits for b (sync.Mutex.Lock) held by G3, and G3 waits for a "
            "(sync.Mutex.Lock) held by G2: none of them can proceed.") in text


@pytest.mark.parametrize("spec,prop,sentence", [
    ("cond_lost_wakeup", "deadlock_free",
     "Waits-for chain: G2 waits for cond (sync.Cond.Wait), which would be served by G1; G1 waits for done "
     "(chan receive), which no goroutine holds or would serve."),
    ("timeout_leak", "leak_free", "Waits-for chain: G2 waits for ch (chan send), which no goroutine holds or would serve."),
    ("dl_o3_double_lock", "deadlock_free",
     "Waits-for cycle: G1 waits for mu (sync.Mutex.Lock) held by G1: none of them can proceed."),
    ("rlock_recursive", "deadlock_free",
     "Waits-for cycle: G1 waits for mu (sync.RWMutex.RLock) held by G1: none of them can proceed."),
])
def test_chains_and_self_cycles(spec, prop, sentence):
    _, cx = cx_of(spec, prop)
    g = waits_graph(cx)
    assert g is not None and g.sentences[0] == sentence


def test_race_has_no_graph_and_gmp_delegates():
    _, cx = cx_of("racy_counter", "race_free")
    assert "Waits " not in render_text(cx) and "waits_for" not in cx.meta
    _, cx = cx_of("syscall_handoff_noretake", "starvation_free")  # the G-M-P model answers through its GoModel
    assert cx.meta["waits_for"] == [["G1", "system call syscall.Sync", "in"]]


@pytest.mark.slow
@needs_chromium
def test_chromium_page_marks_source_lines_and_draws_the_cycle(tmp_path):
    m, cx = cx_of("abba_deadlock", "deadlock_free")
    dom = dump_dom(tmp_path, write_html(cx, str(tmp_path / "abba.html"), model=m), "#step=7")
    assert 'data-ready="true"' in dom
    marked = re.findall(r'<div class="src-line ([^"]*)" data-line="(\d+)"[^>]*><span class="ln">\d+</span>'
                        r'<span class="gs">([^<]+)</span>', dom)
    # after step 7 (G3: a.Lock() at line 20): G2 at line 13, G3 at 20 (the step's line), G1 at 24
    assert marked == [("here", "13", "G2"), ("here acted", "20", "G3"), ("here", "24", "G1")]
    edges = re.findall(r'class="wedge( cycle)?"[^>]*data-edge="([^"]+)"', dom)
    assert [e for c, e in edges if c] == ["G2-&gt;b", "G3-&gt;a", "a-&gt;G2", "b-&gt;G3"]
    assert len(edges) == 7
    assert "<p>Waits-for cycle: G2 waits for b (sync.Mutex.Lock) held by G3" in dom
    dom0 = dump_dom(tmp_path, str(tmp_path / "abba.html"), "#step=0")
    assert re.findall(r'<span class="gs">([^<]+)</span>', dom0) == ["G1"]
