"""The constructs of issue 12 ("Real Go": the GoKer bug kernels): strings,
sync.Map, strconv/strings/fmt/io/runtime/testing additions, variadic
functions, named results changed by deferred closures, sync.Cond over an
RLocker.  Exact verdicts, state counts, outputs and reasons of their specs
(the toolchain test runs them under go run / go run -race; the conformance
test replays the reference runtime's logs of the terminating ones), the
string operations' definition (`ir.str_op`), and the frontend's lowering and
refusals."""

from __future__ import annotations

import textwrap

import pytest

from gocheck.factory import build_model
from gocheck.spec import load_spec_text
from models import ir
from models.errors import InputError
from models.lang import compile_go
from models.tx import fmt_value
from tests.helpers import exit_outputs
from tests.test_semantics_specs import outputs, reason, run

#: Specs of this module with their exact state counts (a changed count is a changed semantics).
STATES = {
    "strings_bytes_race": 20, "strings_bytes_fixed": 10, "syncmap_cache": 179, "syncmap_plain_race": 3676,
    "cond_rlocker_deadlock": 36, "named_results_defer": 51, "numgoroutine_exit": 11, "atomic_value_nil": 11,
    "errors_wrap": 12,
}


@pytest.mark.parametrize("name", sorted(STATES))
def test_spec_gives_expected_verdicts_and_state_count(name):
    spec, _, result = run(name)
    assert result.stats.complete
    got = {k: r.verdict.kind for k, r in result.results.items()}
    want = {p.name: spec.expect.get(p.name, "holds") for p in spec.properties}
    assert got == want
    assert result.stats.states == STATES[name]


def test_string_of_bytes_reads_every_element():
    """string(b) is a read of each element (ir.SliceValues): racing a write of b[0]."""
    assert reason("strings_bytes_race", "race_free") == (
        "data race on b[0]: G1 reads at main.go:12 (s := string(b)) and G2 writes at main.go:9 (b[0] = 'G')")
    assert outputs("strings_bytes_race") == {"go Go\n", "Go Go\n"}
    assert outputs("strings_bytes_fixed") == {"Go o 2\n"}


def test_sync_map_methods_never_race_but_callbacks_may():
    """models/syncmap.py: one atomic step per method; Range's callbacks are the program's code."""
    assert outputs("syncmap_cache") == {"[14 6] 2\n"}
    assert reason("syncmap_plain_race", "race_free") == (
        "data race on c.hits: G2 writes at main.go:23 (c.hits++) and G3 reads at main.go:23 (c.hits++)")
    assert outputs("syncmap_plain_race") == {"1\n", "2\n", "3\n", "4\n"}


def test_cond_over_rlocker_deadlocks_like_cockroach_16167():
    """RW-4: RLock behind a waiting writer while the Cond's L (the read side) is held."""
    assert reason("cond_rlocker_deadlock", "deadlock_free") == (
        "fatal error: all goroutines are asleep - deadlock! (G1 main.go:27 sync.RWMutex.RLock e.mu: e.mu.RLock(); "
        "G2 main.go:16 sync.RWMutex.Lock (waiting for readers) e.mu: e.mu.Lock())")


def test_deferred_closure_sets_named_results():
    assert outputs("named_results_defer") == {"false <nil>\n", "true context canceled\n"}


def test_num_goroutine_may_count_an_exited_goroutine():
    assert outputs("numgoroutine_exit") == {"1\n", "2\n"}


def test_atomic_value_store_of_nil_panics():
    assert reason("atomic_value_nil", "panic_free") == (
        "panic: sync/atomic: store of nil value into Value [G2 at main.go:19]")


def test_errorf_w_wraps_for_is_and_unwrap():
    assert outputs("errors_wrap") == {"op 1: closed true true false\ntrue true false\n"}


def test_wrapped_error_values():
    """A WrappedError is its text for printing, but == only to an equal wrapping (Go: a new pointer)."""
    w = ir.wrap_error("op: %w", ["closed"], "op: closed")
    assert isinstance(w, ir.WrappedError) and str(w) == "op: closed" and w.wrapped == "closed"
    assert w != "op: closed" and "op: closed" != w and w == ir.WrappedError("op: closed", "closed")
    assert ir.wrap_error("op: %v", ["closed"], "op: closed") == "op: closed"  # no %w: a plain error
    assert ir.wrap_error("%w %w", ["a", "b"], "a b") == "a b"  # Go 1.19: one %w only
    assert ir.errors_is(ir.WrappedError("x: y", w), "closed") and not ir.errors_is(w, "other")
    assert ir.str_op("unwrap", (w,)) == ("closed",) and ir.str_op("unwrap", ("closed",)) == (None,)


# --------------------------------------------------------------------------- the string operations


@pytest.mark.parametrize("op,args,want", [
    ("index", ("héllo", 1), (0xC3,)),
    ("slice", ("héllo", 0, 2), ("h\udcc3",)),  # a cut inside é: the bad byte kept (go_string)
    ("slice", ("abc", 1, 3), ("bc",)),
    ("rune", ("héllo", 1), (0xE9, 2)),
    ("rune", (ir.go_string(b"\xffa"), 0), (0xFFFD, 1)),
    ("rune", (ir.go_string(b"\xe4\xb8"), 0), (0xFFFD, 1)),  # a short sequence
    ("fromrune", (19990,), ("世",)),
    ("fromrune", (0xD800,), ("\ufffd",)),
    ("fromrune", (-1,), ("\ufffd",)),
    ("frombytes", ((104, 105, 0xFF),), ("hi\udcff",)),
    ("tobytes", ("hé",), ((104, 0xC3, 0xA9),)),
    ("atoi", ("-42",), (-42, None)),
    ("atoi", ("+7",), (7, None)),
    ("atoi", ("",), (0, 'strconv.Atoi: parsing "": invalid syntax')),
    ("atoi", (" 1",), (0, 'strconv.Atoi: parsing " 1": invalid syntax')),
    ("atoi", ("1_0",), (0, 'strconv.Atoi: parsing "1_0": invalid syntax')),
    ("atoi", ("99999999999999999999",), ((1 << 63) - 1, 'strconv.Atoi: parsing "99999999999999999999": value out of range')),
    ("atoi", ("-9223372036854775808",), (-(1 << 63), None)),
    ("contains", ("héllo", "él"), (True,)),
    ("hasprefix", ("héllo", "hé"), (True,)),
    ("hassuffix", ("héllo", "lo"), (True,)),
    ("strindex", ("héllo", "l"), (3,)),  # a byte offset
    ("strindex", ("abc", "z"), (-1,)),
    ("join", (("a", "b"), ", "), ("a, b",)),
])
def test_str_op(op, args, want):
    assert ir.str_op(op, args) == want


@pytest.mark.parametrize("op,args,msg", [
    ("index", ("abc", 3), "runtime error: index out of range [3] with length 3"),
    ("index", ("abc", -1), "runtime error: index out of range [-1] with length 3"),
    ("slice", ("abc", 0, 5), "runtime error: slice bounds out of range [:5] with length 3"),
    ("slice", ("abc", 2, 1), "runtime error: slice bounds out of range [2:1]"),
])
def test_str_op_panics_like_go(op, args, msg):
    with pytest.raises(ir.GoRuntimeError) as e:
        ir.str_op(op, args)
    assert str(e.value) == msg


def test_go_quote_is_strconv_quote():
    assert ir.go_quote('a"b\\c\n\t\x00\x7f é世') == '"a\\"b\\\\c\\n\\t\\x00\\x7f é世"'
    assert ir.go_quote(ir.go_string(b"\xff")) == '"\\xff"'
    assert ir.go_quote("\u200b") == '"\\u200b"'


def test_strings_compare_bytewise():
    """Go orders strings by bytes: U+FFFD (EF BF BD) sorts before a lone 0xFF byte."""
    assert ir.str_op("less", ("\ufffd", ir.go_string(b"\xff"))) == (True,)


# --------------------------------------------------------------------------- lowering and refusals


def ops(src: str, fn: str = "main", entry: str = "main") -> list[str]:
    return [i.op for i in compile_go(src, "x.go", entry).functions[fn].code]


def test_variadic_call_packs_a_slice():
    """f(1, 2, 3) packs 2, 3; f(1) passes a nil slice; f(1, s...) passes s; g(two()) packs both results."""
    src = ('package main\n\nfunc f(a int, xs ...int) int { return len(xs) }\n\n'
           'func two() (int, int) { return 1, 2 }\n\nfunc g(xs ...int) {}\n\n'
           'func main() {\n\ts := []int{1}\n\t_ = f(1, 2, 3)\n\t_ = f(1)\n\t_ = f(1, s...)\n\tg(two())\n}\n')
    code = compile_go(src, "x.go").functions["main"].code
    assert [i.op for i in code] == ["Const", "SliceLit", "Const", "Const", "Const", "SliceLit", "Call", "Const",
                                    "Const", "Call", "Const", "Call", "Call", "SliceLit", "Call", "Return"]
    assert code[8] == ir.Const(2, None, (12, 6))
    assert code[12].dsts == code[13].srcs and len(code[13].srcs) == 2  # g(two()): both results


def test_sync_map_range_is_a_snapshot_then_loads():
    src = ('package main\n\nimport "sync"\n\nfunc main() {\n\tvar m sync.Map\n'
           '\tm.Range(func(k, v any) bool { return true })\n}\n')
    code = compile_go(src, "x.go").functions["main"].code
    sm = [i for i in code if isinstance(i, ir.SyncMap)]
    assert [i.operator for i in sm] == ["keys", "load"]


BAD = {
    "cleanup_in_helper": ('package p\n\nimport "testing"\n\nfunc setup(t *testing.T) {\n\tt.Cleanup(func() {})\n}\n\n'
                          'func TestX(t *testing.T) {\n\tsetup(t)\n}\n', "TestX",
                          (6, 2, "t.Cleanup outside the test function or a t.Run func literal is outside the supported "
                                 "Go subset; call t.Cleanup in the Test function (or the subtest's func literal) "
                                 "itself")),
    "copy_sync_map": ('package main\n\nimport "sync"\n\nfunc main() {\n\tvar a sync.Map\n\tb := a\n\t_ = b\n}\n', "main",
                      (7, 7, "copying a sync.Map value is outside the supported Go subset; use a pointer "
                             "(go vet: copylocks)")),
    "rune_slice": ('package main\n\nfunc main() {\n\t_ = []rune("x")\n}\n', "main",
                   (4, 6, "conversion from string to []rune is outside the supported Go subset; []byte(s) is "
                          "supported, []rune(s) is not")),
    "fprint_buffer": ('package main\n\nimport (\n\t"fmt"\n\t"io"\n)\n\nvar w io.Writer\n\nfunc main() {\n'
                      '\tfmt.Fprintln(w, 1)\n}\n', "main",
                      (11, 15, "fmt.Fprintln to w is outside the supported Go subset; write to os.Stdout or "
                               "os.Stderr")),
    "unsafe_pointer": ('package main\n\nimport "unsafe"\n\nfunc main() {\n\tx := 1\n'
                       '\t_ = uintptr(unsafe.Pointer(&x))\n}\n', "main",
                       (3, 8, 'import of package "unsafe" is outside the supported Go subset; importable: context, '
                              "errors, fmt, io, log, math/rand, os, runtime, strconv, strings, sync, sync/atomic, "
                              "syscall, testing, time")),
    "printf_float": ('package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Printf("%5.2f\\n", 1.5)\n}\n', "main",
                     (6, 13, "format directive '%5.2f' is not modelled (supported: %% and "
                             "%[-+0 ][width]{v,s,d,t,q,w,c,x,X})")),
    "printf_extra": ('package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Printf("%d\\n", 1, 2)\n}\n', "main",
                     (6, 24, "2 operands for 1 directives: fmt's %!(EXTRA type=value) is not modelled")),
    "time_unix": ('package main\n\nimport "time"\n\nfunc main() {\n\tt := time.Now()\n\t_ = t.Unix()\n}\n', "main",
                  (7, 6, "time.Time.Unix is outside the supported Go subset; supported: Add, After, Before, Equal, "
                         "IsZero, Sub (time is abstract: docs/go-subset.md)")),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_refused_with_position(name):
    src, entry, (line, col, msg) = BAD[name]
    with pytest.raises(InputError) as e:
        compile_go(src, "x.go", entry)
    assert (e.value.line, e.value.col, e.value.message) == (line, col, msg)


def program_outputs(src: str) -> set[str]:
    spec = load_spec_text(f"name: p\nsource: |\n{textwrap.indent(src, '  ')}properties: [panic_free]\n", "p.yaml")
    return {out for out, panic in exit_outputs(build_model(spec)) if panic is None}


def test_narrow_integers_wrap_at_their_width():
    """int8..int32 and uint8..uint32 (also named types based on them, and byte/rune) wrap like Go;
    uint/uint64 are the model's 64-bit int (documented)."""
    src = ("package main\n\nimport \"fmt\"\n\ntype status uint8\n\nfunc main() {\n\tvar x uint8 = 255\n\tx++\n"
           "\tvar y int32 = 1 << 30\n\ty *= 4\n\tvar s status = 250\n\ts += 10\n\tn := 300\n\tb := byte(n)\n"
           "\tvar i8 int8 = 127\n\ti8++\n\tc := ^uint32(0)\n\tfmt.Println(x, y, s, b, i8, c, -i8)\n}\n")
    assert program_outputs(src) == {"0 0 4 44 -128 4294967295 -128\n"}


def test_printf_flags_and_widths_like_go():
    """Outputs of ``go run`` (go1.22) for the directives `ir.go_printf` formats."""
    src = ('package main\n\nimport "fmt"\n\nfunc main() {\n'
           '\tfmt.Printf("[%5d|%-5d|%05d|%+d|% d|%x|%X|%08x]\\n", 42, 42, -42, 7, 7, 255, 255, 3054)\n'
           '\tfmt.Printf("[%q|%10q|%-4s|%6v|%t|%5t|%c|%q|%x]\\n", "a\\"b\\n", "hi", "ab", true, false, true, \'Z\', '
           '\'x\', "hi")\n'
           '\tfmt.Printf("[%d|%v|%s%%|%d]\\n", 1, nil, "x", -3)\n}\n')
    assert program_outputs(src) == {'[   42|42   |-0042|+7| 7|ff|FF|00000bee]\n'
                                    '["a\\"b\\n"|      "hi"|ab  |  true|false| true|Z|\'x\'|6869]\n'
                                    '[1|<nil>|x%|-3]\n'}
    assert ir.go_printf("%d %d", [1], fmt_value) == "1 %!d(MISSING)"
    assert ir.printf_spec_ok("%5.2f") == "%5.2f"
    assert ir.printf_spec_ok("%#v") == "%#v"
    assert ir.printf_spec_ok("ab%") == "%"
    assert ir.printf_spec_ok("%-3d %% %q") is None


def test_printf_reference_formats_alike():
    from reference.values import sprintf
    cases = [("[%5d|%-5d|%05d|%+d|% d|%x]", [42, 42, -42, 7, 7, 255]), ("%q %10q %c", ["a\"b", "hi", 90]),
             ("%v %d", [None, 1])]
    for f, args in cases:
        assert sprintf(f, args) == ir.go_printf(f, args, fmt_value)
