"""Constructs outside the Go subset: each is one InputError naming the
construct, at the right line and column."""

from __future__ import annotations

import pytest

from models.errors import InputError
from models.lang import compile_go

H = "package main\n\n"
CASES = {
 "goto": H + 'func main() {\nL:\n\tgoto L\n}\n',
 "map": H + 'import "sync"\n\nfunc main() {\n\tm := map[string]sync.Mutex{}\n\t_ = m\n}\n',
 "reflect": H + 'import "reflect"\n\nfunc main() { _ = reflect.TypeOf(1) }\n',
 "unsafe": H + 'import "unsafe"\n\nfunc main() { var x int; _ = unsafe.Sizeof(x) }\n',
 "generics": H + 'func id[T any](x T) T { return x }\n\nfunc main() { _ = id(1) }\n',
 "generic_type": H + 'type Box[T any] struct { v T }\n\nfunc main() {}\n',
 "syntax": H + 'func main() {\n\tx := \n}\n',
 "unknown_func": H + 'func main() {\n\tfoo(1)\n}\n',
 "slice": H + 'import "sync"\n\nfunc main() {\n\tvar s []sync.WaitGroup\n\t_ = s\n}\n',
 "array": H + 'func main() {\n\tn := 3\n\tvar a [n]int\n\t_ = a\n}\n',
 "interface": H + 'type C interface{ ~int }\n\nfunc main() {}\n',
 "type_switch": H + 'func main() {\n\tx := 1\n\tswitch x.(type) {\n\t}\n}\n',
 "method_value": H + 'import "sync"\n\nfunc main() {\n\tvar m sync.Mutex\n\tf := m.Lock\n\t_ = f\n}\n',
 "float": H + 'func main() {\n\tx := 1.5\n\t_ = x\n}\n',
 "fmt_sscan": H + 'import "fmt"\n\nfunc main() {\n\tfmt.Sscan("x")\n}\n',
 "os": H + 'import "os"\n\nfunc main() { os.Exit(1) }\n',
 "cond_copy": H + 'import "sync"\n\nfunc main() {\n\tvar a sync.Cond\n\tb := a\n\t_ = b\n}\n',
 "time_unix": H + 'import "time"\n\nfunc main() {\n\t_ = time.Now().Unix()\n}\n',
 "range_int": H + 'func main() {\n\tn := 3\n\tfor i := range n {\n\t\t_ = i\n\t}\n}\n',
 "append": H + 'func main() {\n\tappend(nil, 1)\n}\n',
 "ctx_cause": H + 'import "context"\n\nfunc main() {\n\tcontext.Cause(context.Background())\n}\n',
 "goto_label": H + 'func main() {\nL:\n\tprintln()\n}\n',
 "no_main": H + 'func helper() {}\n',
 "local_type": H + 'func main() {\n\ttype T struct{}\n}\n',
 "unknown_var": H + 'func main() {\n\tx = 1\n}\n',
 "time_parse": H + 'import "time"\n\nfunc main() {\n\t_, _ = time.ParseDuration("1s")\n}\n',
 "variadic_sync": H + 'import "sync"\n\nfunc lockAll(ms ...sync.Mutex) {}\n\nfunc main() {}\n',
 "anon_embed_int": H + 'var s struct {\n\tint\n\tn int\n}\n\nfunc main() { _ = s }\n',
 "struct_named_result": H + 'type point struct{ x int }\n\nfunc f() (p point) {\n\tdefer func() { p.x++ }()\n'
                        '\treturn point{1}\n}\n\nfunc main() { _ = f() }\n',
}

EXPECTED = {
    'goto': (5, 2, 'goto is outside the supported Go subset'),
    'map': (6, 7, 'maps of sync.Mutex values is outside the supported Go subset; use a map of pointers, map[string]*sync.Mutex'),
    'reflect': (3, 8, 'import of package "reflect" is outside the supported Go subset; importable: context, errors, fmt, io, log, math/rand, os, runtime, strconv, strings, sync, sync/atomic, syscall, testing, time'),
    'unsafe': (3, 8, 'import of package "unsafe" is outside the supported Go subset; importable: context, errors, fmt, io, log, math/rand, os, runtime, strconv, strings, sync, sync/atomic, syscall, testing, time'),
    'generics': (3, 8, 'generics (type parameters) is outside the supported Go subset'),
    'generic_type': (3, 9, 'generics (type parameters) is outside the supported Go subset'),
    'syntax': (4, 6, "Go syntax error: missing 'identifier'"),
    'unknown_func': (4, 2, 'undefined: foo'),
    'slice': (6, 8, 'slices of sync.WaitGroup values is outside the supported Go subset; use a slice of pointers, []*sync.WaitGroup'),
    'array': (5, 9, 'array lengths that are not constants is outside the supported Go subset'),
    'interface': (3, 19, 'negated type is outside the supported Go subset'),
    'type_switch': (5, 2, 'x (variable of type int) is not an interface'),
    'method_value': (7, 7, 'method values of sync.Mutex is outside the supported Go subset; call the method directly'),
    'float': (4, 7, 'floating-point numbers is outside the supported Go subset'),
    'fmt_sscan': (6, 2, 'fmt.Sscan is outside the supported Go subset; supported: fmt.Println, fmt.Print, fmt.Printf, Sprintf, Sprint, Sprintln, Errorf'),
    'os': (5, 15, 'os.Exit is outside the supported Go subset; supported: os.Pipe and the Read/Write/Close methods of its *os.File ends'),
    'cond_copy': (7, 7, 'copying a sync.Cond value is outside the supported Go subset; use a pointer (Go panics: sync.Cond is copied)'),
    'time_unix': (6, 6, 'time.Time.Unix is outside the supported Go subset; supported: Add, After, Before, Equal, IsZero, Sub (time is abstract: docs/go-subset.md)'),
    'range_int': (5, 17, 'range over int is outside the supported Go subset; range over a channel, a slice or a map'),
    'append': (4, 9, 'invalid argument: first argument to append must be a slice; have nil'),
    'ctx_cause': (6, 2, 'context.Cause is outside the supported Go subset; supported: context.Background, TODO, WithCancel, WithTimeout, WithDeadline, WithValue'),
    'goto_label': (5, 2, 'builtin println is outside the supported Go subset; use fmt.Println'),
    'no_main': (1, 1, 'entry function main not found'),
    'local_type': (4, 2, 'local type declarations is outside the supported Go subset; declare types at package level'),
    'unknown_var': (4, 2, 'undefined: x'),
    'variadic_sync': (5, 14, 'slices of sync.Mutex values is outside the supported Go subset; use ...*sync.Mutex'),
    'anon_embed_int': (4, 2, 'embedding int is outside the supported Go subset; embed structs, interfaces or sync types'),
    'struct_named_result': (5, 11, 'named results of struct type is outside the supported Go subset; leave the results unnamed, or return a pointer'),
    'time_parse': (6, 9, 'time.ParseDuration is outside the supported Go subset; supported: time.Sleep, After, NewTimer, NewTicker, Tick, AfterFunc, Now, Since, Until, time.Duration and duration constants, time.Time and its Add, Sub, Before, After, Equal, IsZero'),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rejected_with_position(name: str):
    line, col, message = EXPECTED[name]
    with pytest.raises(InputError) as exc:
        compile_go(CASES[name], "x.go")
    e = exc.value
    assert (e.line, e.col, e.message) == (line, col, message)
    assert str(e) == f"x.go:{line}:{col}: {message}"


def test_every_case_has_an_expectation():
    assert set(CASES) == set(EXPECTED)


def test_named_constructs():
    assert "goto" in EXPECTED["goto"][2]
    assert "map" in EXPECTED["map"][2]
    assert '"reflect"' in EXPECTED["reflect"][2]
    assert '"unsafe"' in EXPECTED["unsafe"][2]
    assert "generics" in EXPECTED["generics"][2]
    assert "syntax error" in EXPECTED["syntax"][2]
    assert EXPECTED["unknown_func"][2] == "undefined: foo"


def test_test_entry_requires_testing_signature():
    src = 'package foo\n\nimport "testing"\n\nfunc TestX(n int) {}\n\nfunc use(t *testing.T) {}\n'
    with pytest.raises(InputError, match="must have signature func"):
        compile_go(src, "x_test.go", entry="TestX")


def test_entry_main_needs_package_main():
    with pytest.raises(InputError, match="needs package main"):
        compile_go("package foo\n\nfunc main() {}\n", "x.go")
