"""``time.Time`` values: abstract instants (docs/go-subset.md, `models.ir.TIME_NOW`).

The zero Time plus durations is exact; every clock reading (``time.Now()``, a timer's tick) is an
instant whose distance to any other reading is unknown, so Before/After/Equal/Sub of two readings
are choices: every outcome some durations give is explored (plus some no durations give, never
fewer).  A reading against a zero-based value compares exactly (the zero Time is year 1).
Constructs whose result would depend on the wall clock are refused with file:line:col.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from checker.check import check
from gocheck.factory import build_model
from gocheck.spec import load_spec_text
from models.errors import InputError
from models.lang import compile_go
from tests.helpers import exit_outputs

CORPUS = Path(__file__).parent / "go" / "64_time.go"


def _model(src: str):
    text = "name: time\nsource: |\n" + "".join(f"  {line}\n" if line else "\n" for line in src.splitlines()) + \
        "properties: [deadlock_free, panic_free, race_free]\n"
    return build_model(load_spec_text(text, "time.yaml"))


def _outputs(body: str, imports: str = '"fmt"\n\t"time"') -> set[str]:
    src = f"package main\n\nimport (\n\t{imports}\n)\n\nfunc main() {{\n{body}}}\n"
    return {out for out, panic in exit_outputs(_model(src)) if panic is None}


def test_zero_based_instants_are_exact() -> None:
    """The zero Time plus durations: Add, Sub, Before, After, Equal and IsZero as Go computes them."""
    assert _outputs("\tvar z time.Time\n\tu := z.Add(time.Hour)\n"
                    "\tfmt.Println(z.IsZero(), u.IsZero(), u.Sub(z) == time.Hour, z.Sub(u) == -time.Hour,\n"
                    "\t\tz.Before(u), u.After(z), z.Equal(z), u.Equal(z), z.Add(0).IsZero())\n") == \
        {"true false true true true true true false true\n"}


def test_a_reading_against_the_zero_time_is_exact_and_sub_saturates() -> None:
    """time/time.go Sub: now minus the zero Time overflows Duration, so it is maxDuration (and the
    other way minDuration); the zero Time is before every reading."""
    assert _outputs("\tvar z time.Time\n\tn := time.Now()\n"
                    "\tfmt.Println(n.IsZero(), z.Before(n), n.After(z), n.Equal(z),\n"
                    "\t\tn.Sub(z) == time.Duration(1<<63-1), z.Sub(n) == time.Duration(-1<<63),\n"
                    "\t\ttime.Since(z) == time.Duration(1<<63-1), time.Until(z) == time.Duration(-1<<63))\n") == \
        {"false true true false true true true true\n"}


def test_two_readings_compare_either_way() -> None:
    """Two readings may be any distance apart: each comparison is a choice, Sub is the offsets'
    difference, or that plus or minus 2^50 ns."""
    outs = _outputs("\ta := time.Now()\n\tb := time.Now().Add(time.Second)\n\td := b.Sub(a)\n"
                    "\tfmt.Println(a.Before(b), d == time.Second, d > time.Hour, d < 0)\n")
    assert outs == {f"{x} {y} {z} {w}\n" for x in ("true", "false")
                    for y, z, w in (("true", "false", "false"), ("false", "true", "false"), ("false", "false", "true"))}


def test_since_and_until_offset_the_reading() -> None:
    """time.Since/Until: the clock read now is no time, or a lot (2^50 ns), after the argument's reading."""
    assert _outputs("\td := time.Now().Add(5 * time.Second)\n"
                    "\tfmt.Println(time.Until(d) == 5*time.Second, time.Since(d) == -5*time.Second)\n") == \
        {f"{x} {y}\n" for x in ("true", "false") for y in ("true", "false")}


def test_a_timer_tick_is_a_reading() -> None:
    """A value received from a timer channel is a clock reading: not zero, after the zero Time,
    either way against another reading."""
    assert _outputs("\tvar z time.Time\n\tstart := time.Now()\n\tt := <-time.After(time.Millisecond)\n"
                    "\tfmt.Println(t.IsZero(), t.After(z), t.After(start))\n") == \
        {"false true true\n", "false true false\n"}


def test_corpus_program_includes_what_go_prints() -> None:
    """tests/go/64_time.go: an expiring cache.  Go prints "1 true true false true / true true"
    (test_go_prints_one_of_the_model_outputs); the model's outputs include it, and the exact
    columns (IsZero of the zero Time and of a reading, the zero Time before a reading) never vary."""
    model = _model(CORPUS.read_text())
    r = check(model, "bfs")
    assert {k: v.verdict.kind for k, v in r.results.items()} == {
        "deadlock_free": "holds", "panic_free": "holds", "race_free": "holds"}
    assert r.stats.states == 102
    outs = {out for out, panic in exit_outputs(model) if panic is None}
    assert "1 true true false true\ntrue true\n" in outs
    assert len(outs) == 16
    assert {o.split("\n")[0].split(" ", 2)[2] for o in outs} == {"true false true"}


REFUSED = {
    "eq": ("\ta, b := time.Now(), time.Now()\n\tfmt.Println(a == b)\n", (10, 14),
           "comparing time.Time values with == is outside the supported Go subset; use t.Equal(u) (time is "
           "abstract: which of two clock readings is later is a choice)"),
    "print": ("\tfmt.Println(time.Now())\n", (9, 14),
              "printing a time.Time is outside the supported Go subset; its text is the wall clock, which is "
              "abstract here"),
    "method": ("\tfmt.Println(time.Now().Unix())\n", (9, 14),
               "time.Time.Unix is outside the supported Go subset; supported: Add, After, Before, Equal, IsZero, "
               "Sub (time is abstract: docs/go-subset.md)"),
    "map_key": ("\tm := map[time.Time]int{}\n\tfmt.Println(len(m))\n", (9, 11),
                "map keys of type time.Time is outside the supported Go subset; keys are integers, strings, "
                "booleans, pointers or channels"),
    "order": ("\ta, b := time.Now(), time.Now()\n\tfmt.Println(a < b)\n", (10, 14),
              "invalid operation: operator < not defined on time.Time"),
    "iface": ("\tvar x any = time.Now()\n\tfmt.Println(x != nil)\n", (9, 6),
              "a time.Time stored in an interface is outside the supported Go subset; its comparisons and text "
              "depend on the wall clock, which is abstract here"),
    "switch": ("\tt := time.Now()\n\tswitch t {\n\tcase time.Now():\n\t\tfmt.Println(1)\n\t}\n", (10, 9),
               "a switch on a time.Time value is outside the supported Go subset; use t.Equal(u) (its cases "
               "compare with ==)"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_wall_clock_dependent_constructs_are_refused_with_position(name: str) -> None:
    body, (line, col), message = REFUSED[name]
    src = f'package main\n\nimport (\n\t"fmt"\n\t"time"\n)\n\nfunc main() {{\n{body}}}\n'
    with pytest.raises(InputError) as exc:
        compile_go(src, "x.go")
    assert (exc.value.line, exc.value.col, exc.value.message) == (line, col, message)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("go") is None, reason="the go toolchain is not on PATH")
def test_go_prints_one_of_the_model_outputs() -> None:
    """The corpus program under the real toolchain prints an output the model can print."""
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "go.mod"), "w") as f:
            f.write("module t\n\ngo 1.19\n")
        shutil.copy(CORPUS, os.path.join(d, "main.go"))
        r = subprocess.run(["go", "run", "."], cwd=d, capture_output=True, text=True, timeout=300,
                           env=dict(os.environ, GOFLAGS="-mod=mod"))
    assert r.returncode == 0, r.stderr
    model = _model(CORPUS.read_text())
    assert r.stdout in {out for out, panic in exit_outputs(model) if panic is None}
