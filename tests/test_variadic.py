"""Variadic functions (Go spec, "Passing arguments to ... parameters"): the
final ``...T`` parameter is a ``[]T``; extra arguments are packed into a new
slice (nil when there are none); ``f(a, s...)`` passes ``s`` itself, sharing
its backing array; print-like library calls take a forwarded ``args...``
(fmt, log, testing).  Exact lowering, model and reference-runtime outputs
(pinned against ``go run``), the specs' verdicts and reasons (their state
counts are in tests/test_datatypes.py STATES, which the toolchain test also
runs under ``go run -race``), and the errors for what Go itself refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

import reference
from checker.check import check
from gocheck.factory import build_model
from gocheck.spec import load_spec_text
from models import ir
from models.errors import InputError
from models.lang import compile_go
from tests.helpers import exit_outputs
from tests.test_semantics_specs import outputs, reason

HERE = Path(__file__).parent

#: What `go run tests/go/70_variadic.go` prints (Go 1.19).
GO_OUTPUT_70 = """4 pool 1 default
0 5 3 6 7
true false false
p none q 3
> 4 workers named pool
> no args
> method value true
> field 7
2 5
12 20
dial db:5432: timeout
x 2
x2
x2 true
go 6
> deferred log 1
deferred 6
"""


#: What `go run tests/go/72_variadic_methods.go` prints.
GO_OUTPUT_72 = "3 r/a/b q\nk 1\nfirst k 1\nz-9\ntrue\n"


def ops(fn: ir.Function) -> list[str]:
    return [i.op for i in fn.code]


def prog(body: str, top: str = "", imports: str = '"fmt"') -> ir.Program:
    return compile_go(f"package main\n\nimport ({imports})\n\n{top}\nfunc main() {{\n{body}\n}}\n", "v.go")


def spec_of(name: str, src: str, props: str = "[deadlock_free, panic_free, race_free]"):
    body = "".join("  " + ln + "\n" if ln else "\n" for ln in src.splitlines())
    return load_spec_text(f"name: {name}\nsource: |\n{body}properties: {props}\n", f"{name}.yaml")


# ---------------------------------------------------------------- lowering


def test_extra_arguments_are_packed_into_a_new_slice_none_is_nil():
    p = prog("_ = sum(1, 2)\n_ = sum()", top="func sum(xs ...int) int { return len(xs) }\n")
    code = p.functions["main"].code
    assert ops(p.functions["main"]) == ["Const", "Const", "SliceLit", "Call", "Const", "Call", "Return"]
    lit, call = code[2], code[3]
    assert isinstance(lit, ir.SliceLit) and lit.elem == ir.INT and isinstance(call, ir.Call)
    assert call.args == (lit.dst,)
    nil, call2 = code[4], code[5]
    assert isinstance(nil, ir.Const) and nil.value is None and isinstance(call2, ir.Call) and call2.args == (nil.dst,)
    sig = p.functions["sum"]
    assert (sig.nparams, sig.slot_names[0]) == (1, "xs")


def test_spread_passes_the_slice_itself():
    p = prog("s := []int{1}\n_ = sum(s...)", top="func sum(xs ...int) int { return len(xs) }\n")
    code = p.functions["main"].code
    call = next(c for c in code if isinstance(c, ir.Call))
    assert call.args == (p.functions["main"].slot_names.index("s"),)
    assert sum(isinstance(c, ir.SliceLit) for c in code) == 1  # only s's own literal


def test_arguments_convert_to_the_element_type():
    p = prog('logf("%d", 1, "a")', top="func logf(f string, args ...interface{}) {}\n")
    assert ops(p.functions["main"]) == ["Const", "Const", "MakeIface", "Const", "MakeIface", "SliceLit", "Call",
                                        "Return"]


def test_multi_valued_call_fills_fixed_then_variadic_parameters():
    p = prog("_ = f(g())", top="func g() (int, int, int) { return 1, 2, 3 }\n"
             "func f(a int, xs ...int) int { return a + len(xs) }\n")
    code = p.functions["main"].code
    assert ops(p.functions["main"]) == ["Call", "SliceLit", "Call", "Return"]
    g, lit, f = code[0], code[1], code[2]
    assert isinstance(g, ir.Call) and isinstance(lit, ir.SliceLit) and isinstance(f, ir.Call)
    assert lit.srcs == g.dsts[1:] and f.args == (g.dsts[0], lit.dst)


def test_forwarded_args_are_read_by_one_step_then_printed():
    """``fmt.Printf(format, args...)``: one SliceValues step reads the
    elements (each a race candidate) into a tuple, the Print's `spread`."""
    p = prog("", top='func logf(format string, args ...interface{}) {\n\tfmt.Printf(format, args...)\n}\n')
    code = p.functions["logf"].code
    assert ops(p.functions["logf"]) == ["SliceValues", "Print", "Return"]
    sv, pr = code[0], code[1]
    assert isinstance(sv, ir.SliceValues) and sv.s == 1 and sv.visible
    assert isinstance(pr, ir.Print) and pr.kind == "printf" and pr.args == (0,) and pr.spread == sv.dst


def test_forwarded_args_go_through_string_methods_only_when_the_program_has_them():
    top = ('type T struct{}\n\nfunc (T) String() string { return "t" }\n\n'
           'func logf(format string, args ...interface{}) string {\n\treturn fmt.Sprintf(format, args...)\n}\n')
    fn = prog("", top=top).functions["logf"]
    code = ops(fn)
    assert code[:3] == ["SliceValues", "SliceLen", "MakeSlice"] and "TupleGet" in code and "IfaceMethod" in code
    assert code[-3:] == ["SliceValues", "Format", "Return"]
    # the loop over the values is local but for its backward jump: the methods' code runs in it
    assert [i.op for i in fn.code if i.visible] == ["SliceValues", "Jump", "SliceValues"]


def test_a_constant_format_skips_methods_for_non_v_s_q_verbs():
    top = ('type T int\n\nfunc (T) String() string { return "t" }\n\n'
           'func show(args ...interface{}) string {\n\treturn fmt.Sprintf("%d %v", args...)\n}\n')
    fn = prog("", top=top).functions["show"]
    consts = [i.value for i in fn.code if isinstance(i, ir.Const) and isinstance(i.value, int)]
    assert 0 in consts  # position 0 (%d) is compared and printed as is


def test_deferred_print_reads_its_args_when_it_runs():
    """``defer fmt.Println(args...)``: the slice is evaluated at the defer
    statement, its elements are read by the wrapper when it runs."""
    p = prog("args := []interface{}{1}\ndefer fmt.Println(args...)\nargs[0] = 2")
    d = next(i for i in p.functions["main"].code if isinstance(i, ir.Defer))
    assert d.func is not None and d.func.startswith("print.println@")
    w = p.functions[d.func]
    assert (w.nparams, ops(w)) == (1, ["SliceValues", "Print", "Return"])
    assert outputs_of("package main\n\nimport \"fmt\"\n\nfunc main() {\n\targs := []interface{}{1}\n"
                      "\tdefer fmt.Println(args...)\n\targs[0] = 2\n}\n") == {"2\n"}


def test_go_statement_packs_arguments_at_the_statement():
    p = prog("go f(1, 2)\nselect {}", top="func f(xs ...int) {}\n")
    assert ops(p.functions["main"])[:4] == ["Const", "Const", "SliceLit", "Go"]


def test_variadic_func_types():
    from models.lang.gotypes import GT, INT, STRING

    p = prog("var f Option = func(xs ...int) {}\nf(1)\nvar g func(string, ...int) int\n_ = g",
             top="type Option func(...int)\n")
    assert ops(p.functions["main"])[:5] == ["MakeClosure", "Move", "Const", "SliceLit", "Call"]

    t = GT("func", params=(STRING, GT("slice", elem=INT)), results=(INT,), variadic=True)
    assert str(t) == "func(string, ...int) (int)"
    assert t != GT("func", params=(STRING, GT("slice", elem=INT)), results=(INT,))


# ---------------------------------------------------------------- running: model, reference runtime, go run


def outputs_of(src: str) -> set[str]:
    model = build_model(spec_of("v", src))
    return {out for out, panic in exit_outputs(model) if panic is None}


@pytest.mark.parametrize("name,want", [("70_variadic", GO_OUTPUT_70), ("72_variadic_methods", GO_OUTPUT_72)])
def test_corpus_program_prints_what_go_prints_in_the_model_and_the_runtime(name: str, want: str):
    src = (HERE / "go" / f"{name}.go").read_text()
    assert outputs_of(src) == {want}
    prog_ = compile_go(src, f"{name}.go")
    for procs in (1, 2):
        r = reference.run(prog_, procs=procs, seed=0, timeout_s=20)
        assert (r.exit_code, r.output) == (0, want)


def test_calls_of_computed_func_values():
    """``f()(x)``, ``fs[i](x)``: the func value is an expression's result
    (``defer trace("op")()`` calls trace at the defer statement)."""
    src = ('package main\n\nimport "fmt"\n\nfunc trace(s string) func() {\n\tfmt.Println("enter", s)\n'
           '\treturn func() { fmt.Println("leave", s) }\n}\n\nfunc main() {\n\tdefer trace("main")()\n'
           '\tfs := []func(...int) int{func(xs ...int) int { return len(xs) }}\n\tfmt.Println(fs[0](1, 2))\n}\n')
    assert outputs_of(src) == {"enter main\n2\nleave main\n"}


def test_logger_called_variadically_from_goroutines():
    assert outputs("variadic_logger") == {"worker 0: started\nworker 1: started\nstate: logger(2 lines)\n",
                                          "worker 1: started\nworker 0: started\nstate: logger(2 lines)\n"}
    assert reason("variadic_logger_deadlock", "deadlock_free") == (
        "fatal error: all goroutines are asleep - deadlock! (G1 main.go:25 sync.Mutex.Lock l.mu: l.mu.Lock())")


def test_spread_slice_shares_its_backing_array():
    assert reason("variadic_shared_slice", "race_free") == (
        "data race on vals[0]: G2 writes at main.go:14 (xs[i] *= k) and G3 reads at main.go:14 (xs[i] *= k)")
    outs = outputs("variadic_shared_slice")
    assert len(outs) == 36 and {"6 18\n", "18 9\n", "6 9\n"} <= outs  # both orders, and lost updates
    assert outputs("variadic_shared_slice_fixed") == {"6 9\n"}


def test_forwarded_args_race_with_a_writer():
    """fmt reads the elements of a forwarded slice: a goroutine writing one
    of them concurrently is a data race on that element (not on a copy)."""
    src = ('package main\n\nimport "fmt"\n\nfunc logf(format string, args ...interface{}) {\n'
           '\t_ = fmt.Sprintf(format, args...)\n}\n\nfunc main() {\n\targs := []interface{}{1}\n'
           '\tdone := make(chan bool)\n\tgo func() {\n\t\targs[0] = 2\n\t\tdone <- true\n\t}()\n'
           '\tlogf("%v", args...)\n\t<-done\n}\n')
    res = check(build_model(spec_of("fwd", src)))
    assert res["race_free"].verdict.kind == "violated"
    assert res["race_free"].verdict.reason == (
        "data race on args: G1 reads at main.go:6 (_ = fmt.Sprintf(format, args...)) and G2 writes at main.go:13 "
        "(args[0] = 2)")


def test_forwarded_stringer_runs_in_the_print():
    """A String method reached through args... runs inside the print and may block."""
    src = ('package main\n\nimport (\n\t"fmt"\n\t"sync"\n)\n\ntype S struct{ mu sync.Mutex }\n\n'
           'func (s *S) String() string {\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\treturn "s"\n}\n\n'
           'func logf(format string, args ...interface{}) {\n\tfmt.Printf(format, args...)\n}\n\n'
           'func main() {\n\ts := &S{}\n\tlogf("%v %d\\n", s, 1)\n\ts.mu.Lock()\n\tlogf("%v\\n", s)\n}\n')
    res = check(build_model(spec_of("str", src)))
    assert res["deadlock_free"].verdict.kind == "violated"
    assert res["deadlock_free"].verdict.reason == (
        "fatal error: all goroutines are asleep - deadlock! (G1 main.go:11 sync.Mutex.Lock s.mu: s.mu.Lock())")


def test_test_helpers_forward_to_t_logf_and_t_errorf():
    src = (HERE / "go" / "71_variadic_log_test.go").read_text().replace("c.n == 6", "c.n == 7").replace("c.n, 6)", "c.n, 7)")
    res = check(build_model(_test_spec(src)))
    assert res["panic_free"].verdict.kind == "violated"
    assert res["panic_free"].verdict.reason == "test failed: main.go:47: total = 6, want 7"  # t.Helper: the caller


def _test_spec(src: str):
    body = "".join("  " + ln + "\n" if ln else "\n" for ln in src.splitlines())
    return load_spec_text(f"name: helpers\nentry: TestVariadicHelpers\nsource: |\n{body}"
                          "properties: [panic_free]\n", "helpers.yaml")


# ---------------------------------------------------------------- what Go refuses, and what the subset refuses

ERRORS = {
    "non_variadic": ("func f(a int) {}\n", "s := []int{1}\nf(s...)",
                     (9, 3, "cannot use ... in call to non-variadic f")),
    "spread_count": ("func f(a int, xs ...int) {}\n", "s := []int{1}\nf(s...)",
                     (9, 1, "not enough arguments in call to f: 1 given with ..., 2 wanted")),
    "too_few": ("func f(a, b int, xs ...int) {}\n", "f(1)",
                (8, 1, "not enough arguments in call to f: 1 given, at least 2 wanted")),
    "print_mixed": ("", 'args := []interface{}{1}\nfmt.Println("a", args...)',
                    (8, 18, "have 1 argument(s) before ... in call to fmt.Println, which takes 0 (the slice must "
                             "be the whole variadic part)")),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_go_errors_are_reported_at_their_position(name: str):
    top, body, (line, col, msg) = ERRORS[name]
    with pytest.raises(InputError) as exc:
        prog(body, top=top)
    assert (exc.value.line, exc.value.col, exc.value.message) == (line, col, msg)
