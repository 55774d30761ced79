"""The offline HTML trace page, rendered by real headless Chromium (issue 7).

Pins: one timeline element per step, ``#step=N`` opens step N, names from a
model show as text (no injected element), and the file references no URL.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass

import pytest

from checker.check import check
from checker.examples import PhilFlat, Starver
from checker.model import Property
from checker.trace import build
from checker.view import write_html
from checker.view.html import script_json

CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no /usr/bin/chromium")

EVIL_ACTOR = "<script>alert(1)</script>"
EVIL_VAR = '"><img src=x onerror=alert(1)>'


def dump_dom(tmp_path, html: str, fragment: str = "") -> str:
    r = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=2000", "--dump-dom",
                        f"file://{html}{fragment}"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


@dataclass(frozen=True, slots=True)
class Evil:
    """A model whose names try to inject markup into the page."""

    def init_states(self):
        return [0]

    def actions(self, s):
        return [EVIL_ACTOR] if s < 3 else []

    def next_state(self, s, a):
        return s + 1

    def properties(self):
        return [Property.always(EVIL_VAR, lambda s: s < 3 or f"{EVIL_ACTOR} reached")]

    def view(self, s):
        return {EVIL_VAR: s, "chan": [EVIL_ACTOR] * s}

    def actor(self, s, a):
        return EVIL_ACTOR

    def format_action(self, s, a):
        return f"{EVIL_ACTOR}: ch <- {EVIL_VAR} (x.go:1)"


def phil_page(tmp_path) -> str:
    m = PhilFlat(5, deadlock=True)
    pr = check(m)["deadlock_free"]
    cx = build(m, "deadlock_free", pr.verdict.reason, pr.path, None, kind="deadlock")
    return write_html(cx, str(tmp_path / "phil.html"), model=m)


def test_page_is_self_contained_and_escapes_its_json(tmp_path):
    m = Evil()
    cx = build(m, EVIL_VAR, "x", (0, 0, 0, 0), None, kind="always")
    text = open(write_html(cx, str(tmp_path / "e.html"), model=m), encoding="utf-8").read()
    assert not re.search(r"(https?:|//[a-z]|\bsrc=\"|\bhref=)", text.replace(EVIL_VAR, "")), "external reference"
    data = re.search(r'<script type="application/json" id="trace-data">(.*?)</script>', text, re.S).group(1)
    assert "<" not in data and ">" not in data and "&" not in data
    assert text.count("<script") == 2 and "innerHTML" not in text
    assert script_json({"a": "</script>&"}) == '{"a": "\\u003c/script\\u003e\\u0026"}'


@pytest.mark.slow
@needs_chromium
def test_chromium_renders_every_step_and_the_deep_link(tmp_path):
    html = phil_page(tmp_path)
    dom = dump_dom(tmp_path, html, "#step=3")
    assert 'data-ready="true"' in dom
    steps = re.findall(r'<li class="step[^"]*" data-step="(\d+)"', dom)
    assert steps == [str(i) for i in range(6)]
    current = re.findall(r'<li class="step current" data-step="(\d+)"[^>]*aria-current="step"', dom)
    assert current == ["3"]
    assert "Step 3 of 5: phil 2: think" in dom
    dom0 = dump_dom(tmp_path, html)
    assert re.findall(r'<li class="step current" data-step="(\d+)"', dom0) == ["0"]


@pytest.mark.slow
@needs_chromium
def test_chromium_lasso_page_brackets_the_loop(tmp_path):
    m = Starver()
    pr = check(m)["victim (weak)"]
    cx = build(m, pr.prop.name, pr.verdict.reason, pr.path, pr.loop, kind="progress", fairness="weak")
    dom = dump_dom(tmp_path, write_html(cx, str(tmp_path / "s.html"), model=m), "#step=9")
    assert "back to step 0" in dom and dom.count('class="step in-loop') == 4
    assert re.findall(r'<li class="step in-loop current" data-step="(\d+)"', dom) == ["4"]  # clamped to the last step


@pytest.mark.slow
@needs_chromium
def test_chromium_shows_injection_attempts_as_text(tmp_path):
    m = Evil()
    cx = build(m, EVIL_VAR, f"{EVIL_ACTOR} reached", (0, 0, 0, 0), None, kind="always")
    dom = dump_dom(tmp_path, write_html(cx, str(tmp_path / "evil.html"), model=m), "#step=2")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "\"&gt;&lt;img src=x onerror=alert(1)&gt;" in dom
    assert "<img" not in dom.lower()
    assert len(re.findall(r"<script", dom)) == 2  # the page's own two, nothing injected
    assert "alert(1)</script>" not in dom.split('id="trace-data">')[0]
