"""Fuzzing every door hostile input comes through (issue 15): the spec loader, the trace
reader, the command line and the Go frontend.

The only assertions are the documented outcomes: the loaders return a value
or raise `InputError` (exit 2), and the command line exits 0, 1, 2 or 3,
never 4 (a bug in the checker) and never with a traceback.  Hypothesis runs
derandomized (the same examples on every run, so CI is not flaky); set
``GOCHECK_FUZZ_EXAMPLES=2000`` and ``GOCHECK_FUZZ_RANDOM=1`` to fuzz harder.
"""

from __future__ import annotations

import glob
import json
import os
import tempfile
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.errors import InputError
from checker.examples import PhilFlat
from checker.trace import build, read_itf, to_itf
from gocheck.cli import main
from gocheck.spec import load_spec_text
from models.lang import compile_go

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC_TEXTS = [open(p).read() for p in sorted(glob.glob(os.path.join(ROOT, "specs", "*.yaml")))[:12]]
EXAMPLES = int(os.environ.get("GOCHECK_FUZZ_EXAMPLES", "0"))
DERANDOMIZE = not os.environ.get("GOCHECK_FUZZ_RANDOM")


def fuzz(n: int = 60) -> Any:
    return settings(max_examples=EXAMPLES or n, deadline=None, derandomize=DERANDOMIZE,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large, HealthCheck.filter_too_much])


def loads_or_input_error(fn: Any, *args: Any, **kw: Any) -> Any:
    """`fn(*args)`: a value or an `InputError`; anything else fails the test."""
    try:
        return fn(*args, **kw)
    except InputError as e:
        assert str(e) and e.file is not None
        return None


def cli(*argv: str) -> tuple[int, str]:
    """Run the command line in-process and return (exit code, stderr); only documented exits."""
    import contextlib
    import io
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 2
    text = out.getvalue() + err.getvalue()
    assert code in (0, 1, 2, 3), (argv, code, text[-2000:])
    assert "Traceback" not in text and "internal error" not in text, (argv, text[-2000:])
    return code, err.getvalue()


# --------------------------------------------------------------------------- the spec loader

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=20), st.sampled_from(["main", "gmp", "abstract", "holds", "violated",
                                                           "deadlock_free", "race_free", "runq_proof", "program"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                      max_leaves=12)
TOP = ["name", "about", "source", "source_file", "entry", "runtime", "gc", "properties", "expect", "bounds",
       "sweep", "outcomes", "kind", "model", "args", "runtime.procs", "bogus"]
SECTION = {"runtime": ["scheduler", "procs", "runq_size", "steal", "main_exit", "timers", "time_slice", "x"],
           "bounds": ["max_states", "max_depth", "timeout_s", "max_memory_mb"],
           "gc": ["barrier", "allocate", "workers"]}


@st.composite
def spec_docs(draw: st.DrawFn) -> str:
    doc: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(TOP), max_size=7, unique=True)):
        if key in SECTION and draw(st.booleans()):
            doc[key] = {k: draw(values) for k in draw(st.lists(st.sampled_from(SECTION[key]), max_size=3, unique=True))}
        elif key == "source" and draw(st.booleans()):
            doc[key] = draw(go_programs())
        else:
            doc[key] = draw(values)
    return yaml.safe_dump(doc, allow_unicode=True)


@fuzz()
@given(spec_docs())
def test_fuzz_structured_specs(text: str) -> None:
    loads_or_input_error(load_spec_text, text, "fuzz.yaml")


@fuzz()
@given(st.sampled_from(SPEC_TEXTS), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 4),
                                                       st.text(alphabet="&*[]{}:|>-!'\"#\n \t\\0aZ", max_size=4)),
                                             min_size=1, max_size=4))
def test_fuzz_mutated_specs(text: str, edits: list[tuple[int, int, str]]) -> None:
    """Real specs with a few characters deleted and YAML-significant ones inserted."""
    for at, cut, ins in edits:
        at %= len(text) + 1
        text = text[:at] + ins + text[at + cut:]
    loads_or_input_error(load_spec_text, text, "fuzz.yaml")


@fuzz()
@given(st.text(max_size=300))
def test_fuzz_arbitrary_text_as_a_spec(text: str) -> None:
    loads_or_input_error(load_spec_text, text, "fuzz.yaml", compile=False)


# --------------------------------------------------------------------------- the trace reader

def _good() -> dict[str, Any]:
    cx = build(PhilFlat(3, True), "deadlock_free", "stuck", (0, 0, 1, 1), None, spec_path="nowhere.yaml",
               kind="deadlock")
    cx.meta.update(waits_for=[["phil0", "fork1", "waits for"], ["fork1", "phil1", "held by"]],
                   sources={"main.go": "package main\n"}, explanation="a\nb", when="runtime.procs=2")
    return to_itf(cx)


_GOOD = _good()
json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                                     st.text(max_size=10)),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(st.sampled_from(["#bigint", "#map", "#set", "x",
                                                                                    "line"]), inner, max_size=2)),
                           max_leaves=8)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, prefix + (i,))
    return out


PATHS = _paths(_GOOD)[1:]


@fuzz()
@given(st.lists(st.tuples(st.sampled_from(PATHS), json_values), min_size=1, max_size=3))
def test_fuzz_trace_reader(edits: list[tuple[tuple[Any, ...], Any]]) -> None:
    """A valid trace with a few values replaced by arbitrary JSON: read_itf and `view --no-spec`."""
    doc = json.loads(json.dumps(_GOOD))
    for path, value in edits:
        node = doc
        try:
            for k in path[:-1]:
                node = node[k]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "t.itf.json")
        with open(p, "w") as f:
            json.dump(doc, f)
        loads_or_input_error(read_itf, p)
        code, _ = cli("view", p, "--no-spec")
        assert code in (0, 2)
        code, _ = cli("view", p, "--msc", "--no-spec")
        assert code in (0, 2)
        code, _ = cli("view", p, "--no-spec", "--html", os.path.join(d, "t.html"), "--chrome", os.path.join(d, "c.json"))
        assert code in (0, 2)


@fuzz()
@given(st.binary(max_size=200))
def test_fuzz_trace_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "t.itf.json")
        with open(p, "wb") as f:
            f.write(data)
        assert loads_or_input_error(read_itf, p) is None


# --------------------------------------------------------------------------- the command line

_SPEC = ("name: fuzz\nmodel: checker.examples:phil_flat\nargs: {n: 3, deadlock: true}\n"
         "bounds: {max_depth: 40, timeout_s: 20}\n")
_MOD = "module example.com/fuzz\n\ngo 1.21\n"
_GO = "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(1)\n}\n"
ODD = ["0", "-1", "(", "go.mod", "Test.*", "1", "2", "3", "1e309", "nan", "inf", "", "\x01", "x" * 300, "0/0", "0/-1", "../x", "/dev/zero",
       "s.yaml", "p.go", "t.itf.json", "out.html", ".", "0/0/1/1", "0/1/2/0/1", "deadlock_free", "assertion",
       "phil0", "phil,forks", "bfs", "random"]
FLAGS = {
    "check": ["--strategy", "--max-states", "--timeout", "--seed", "--walks", "--por", "--json", "--traces",
              "--allow-outside-source", "--bogus"],
    "view": ["--full", "--vars", "--actor", "--from", "--to", "--msc", "--html", "--chrome", "--no-spec"],
    "replay": ["--path", "--loop", "--trace", "--property", "--from", "--to", "--msc", "--html"],
    "run": ["--procs", "--log", "--seed"],
    "ir": ["--entry"],
    "report": ["--out", "--max-states", "--strategy"],
    "test": ["-run", "-v", "-json", "--sarif", "--junit", "--max-states", "--timeout", "--por", "--traces"],
}
POSITIONAL = {"check": ["s.yaml", "p.go", "nope.yaml", "/dev/zero", "."], "view": ["t.itf.json", "s.yaml", "nope"],
              "replay": ["s.yaml", "nope.yaml"], "run": ["p.go", "s.yaml", "nope.go"],
              "ir": ["p.go", "s.yaml", "nope.go", "/dev/zero"], "report": ["s.yaml"],
              "test": ["./...", ".", "..", "/etc", "nope"]}


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    cmd = draw(st.sampled_from(sorted(FLAGS)))
    argv = [] if cmd == "check" else [cmd]
    argv += draw(st.lists(st.sampled_from(POSITIONAL[cmd]), min_size=0, max_size=2))
    for flag in draw(st.lists(st.sampled_from(FLAGS[cmd]), max_size=4)):
        argv.append(flag)
        if draw(st.booleans()):
            argv.append(draw(st.sampled_from(ODD)))
    if cmd == "check" and "--max-states" not in argv:
        argv += ["--max-states", "5000"]
    if cmd in ("check", "report") and "--walks" in argv:
        argv += ["--walks", "20"]
    return argv


@pytest.fixture(scope="module")
def workdir() -> Any:
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "s.yaml"), "w") as f:
            f.write(_SPEC)
        with open(os.path.join(d, "p.go"), "w") as f:
            f.write(_GO)
        with open(os.path.join(d, "go.mod"), "w") as f:
            f.write(_MOD)
        cx = build(PhilFlat(3, True), "deadlock_free", "stuck", (0, 0, 1, 1), None,
                   spec_path=os.path.join(d, "s.yaml"))
        with open(os.path.join(d, "t.itf.json"), "w") as f:
            json.dump(to_itf(cx), f)
        os.chdir(d)
        try:
            yield d
        finally:
            os.chdir(here)


@fuzz(40)
@given(command_lines())
def test_fuzz_command_line(workdir: str, argv: list[str]) -> None:
    """Random subcommands, flags and odd values: documented exits only, and the inputs survive."""
    cli(*argv)
    assert open(os.path.join(workdir, "s.yaml")).read() == _SPEC
    assert open(os.path.join(workdir, "p.go")).read() == _GO
    assert open(os.path.join(workdir, "go.mod")).read() == _MOD


# --------------------------------------------------------------------------- the Go frontend

EXPRS = ["x", "1", "x + 1", "x * 2 - y", "(x)", "-x", "x % 3", "x / (y + 1)", "len(s)", "f(x)", "x == y", "!b",
         "b && x > 0", "<-ch", "1 << 70", "\"s\" + s", "nil", "undefined", "x +", "f(", "[]int{1}"]
SIMPLE = ["x = {e}", "y := {e}", "x++", "ch <- {e}", "mu.Lock()", "mu.Unlock()", "wg.Add(1)", "wg.Done()",
          "fmt.Println({e})", "_ = {e}", "return", "break", "panic({e})", "go f(x)", "defer mu.Unlock()",
          "select {{}}", "x, y = y, x", "var z int = {e}", "goto L"]


@st.composite
def statements(draw: st.DrawFn, depth: int) -> str:
    kind = draw(st.sampled_from(["simple"] * 3 + (["if", "for", "block", "go", "select", "switch"] if depth else [])))
    e = draw(st.sampled_from(EXPRS))
    if kind == "simple":
        return draw(st.sampled_from(SIMPLE)).format(e=e)
    body = "\n".join(draw(st.lists(statements(depth - 1), min_size=0, max_size=3)))
    if kind == "if":
        return f"if {e} {{\n{body}\n}} else {{\n{body}\n}}"
    if kind == "for":
        return f"for i := 0; i < 2; i++ {{\n{body}\n}}"
    if kind == "go":
        return f"go func() {{\n{body}\n}}()"
    if kind == "select":
        return f"select {{\ncase v := <-ch:\n_ = v\n{body}\ncase ch <- 1:\ndefault:\n{body}\n}}"
    if kind == "switch":
        return f"switch x {{\ncase 1:\n{body}\ndefault:\n}}"
    return "{\n" + body + "\n}"


@st.composite
def go_programs(draw: st.DrawFn) -> str:
    body = "\n".join(draw(st.lists(statements(draw(st.integers(0, 3))), max_size=6)))
    return ("package main\n\nimport (\n\t\"fmt\"\n\t\"sync\"\n)\n\nvar mu sync.Mutex\nvar wg sync.WaitGroup\n"
            "var ch = make(chan int, 1)\n\nfunc f(n int) int {\n\treturn n + 1\n}\n\n"
            f"func main() {{\n\tx, y, b, s := 0, 1, true, \"a\"\n\t_, _, _, _ = x, y, b, s\n{body}\n}}\n")


@fuzz()
@given(go_programs())
def test_fuzz_generated_go_programs(src: str) -> None:
    loads_or_input_error(compile_go, src, "fuzz.go")


@fuzz(25)
@given(go_programs())
def test_fuzz_generated_go_programs_are_checked(src: str) -> None:
    """The whole pipeline on the programs that compile: verdicts within a small bound, or bad input."""
    text = "name: fuzz\nsource: |\n" + "".join(f"  {line}\n" for line in src.splitlines()) + \
           "bounds: {max_states: 300, max_depth: 60}\n"
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "g.yaml")
        with open(p, "w") as f:
            f.write(text)
        cli(p, "--json", "--traces", os.path.join(d, "tr"))


@fuzz(20)
@given(st.integers(1, 400), st.sampled_from(["if x > 0 {\n", "for {\n", "{\n", "go func() {\n"]),
       st.sampled_from(["x + ", "f(", "(", "-"]), st.integers(1, 2000))
def test_fuzz_deep_and_wide_go(depth: int, opener: str, term: str, width: int) -> None:
    """Deep nesting, long expressions and many statements: a program or a clean error, never a RecursionError."""
    closer = "}()\n" if opener.startswith("go") else "}\n"
    deep = "package main\n\nfunc f(n int) int {\n\treturn n\n}\n\nfunc main() {\n\tx := 1\n" + opener * depth + \
        "x++\n" + closer * depth + "\t_ = x\n}\n"
    loads_or_input_error(compile_go, deep, "deep.go")
    close = {"x + ": "", "f(": ")", "(": ")", "-": ""}[term]
    long = "package main\n\nfunc f(n int) int {\n\treturn n\n}\n\nfunc main() {\n\tx := 1\n\ty := " + \
        term * min(width, 600) + "x" + close * min(width, 600) + "\n\t_ = y\n}\n"
    loads_or_input_error(compile_go, long, "long.go")
    wide = "package main\n\nfunc main() {\n\tx := 0\n" + "\tx++\n" * width + "\t_ = x\n}\n"
    assert loads_or_input_error(compile_go, wide, "wide.go") is not None
