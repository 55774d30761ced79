"""Slices and maps end to end (models/datatypes.py): verdicts and exact
state counts of the data-type specs, race reports on elements and maps,
map iteration orders, and the Go toolchain's agreement (tests/test_go_toolchain.py
runs these specs too; tests/test_conformance.py replays the reference
runtime's logs of the terminating ones)."""

from __future__ import annotations

import os
import textwrap

import pytest

from checker.check import check
from gocheck.factory import build_model
from gocheck.spec import apply_override, load_spec, load_spec_text
from models import ir
from models.errors import InputError
from models.lang import compile_go
from tests.helpers import exit_outputs
from tests.test_semantics_specs import SPECS, outputs, reason, run

#: Data-type specs with their exact state counts (a changed count is a changed semantics).
STATES = {
    "slice_elems": 43, "slice_elem_race": 58, "slice_append_race": 201, "slice_append_fixed": 180,
    "slice_alias": 10, "slice_index_panic": 4, "map_writes_race": 71, "map_writes_fixed": 110,
    "map_read_write_race": 38, "map_range_order": 17, "map_nil_write": 8,
    "callback_abba": 122, "callback_fixed": 176, "chan_of_structs": 66,
    "iface_assert_panic": 3, "stringer_rlock_reentry": 58, "stringer_rlock_fixed": 72, "iface_method_race": 116,
    "slice_struct_results": 142, "fmt_stringer_rlock": 69, "fmt_stringer_fixed": 79,
    "range_capture_go121": 147, "range_capture_go122": 101,
    "variadic_logger": 1129, "variadic_logger_deadlock": 400, "variadic_shared_slice": 5530,
    "variadic_shared_slice_fixed": 855,
}

TWINS = {"slice_append_race": "slice_append_fixed", "map_writes_race": "map_writes_fixed",
         "callback_abba": "callback_fixed", "stringer_rlock_reentry": "stringer_rlock_fixed",
         "fmt_stringer_rlock": "fmt_stringer_fixed", "variadic_logger_deadlock": "variadic_logger",
         "variadic_shared_slice": "variadic_shared_slice_fixed"}


@pytest.mark.parametrize("name", sorted(STATES))
def test_spec_gives_expected_verdicts_and_state_count(name):
    spec, _, result = run(name)
    assert result.stats.complete
    got = {k: r.verdict.kind for k, r in result.results.items()}
    want = {p.name: spec.expect.get(p.name, "holds") for p in spec.properties}
    assert got == want
    assert result.stats.states == STATES[name]


def test_race_on_an_element_names_the_element():
    assert reason("slice_elem_race", "race_free") == (
        "data race on s[0]: G2 writes at main.go:15 (s[0] = i) and G3 writes at main.go:15 (s[0] = i)")


def test_racy_append_races_on_the_slice_variable():
    assert reason("slice_append_race", "race_free").startswith("data race on results: ")
    assert outputs("slice_append_race") == {"1\n", "2\n"}  # an append can be lost
    assert outputs("slice_append_fixed") == {"2\n"}


def test_append_aliases_within_capacity_and_copies_beyond():
    assert outputs("slice_alias") == {"[0] [0 2] [0 2] [9 2 3] 3 4\n[9 7] [7] 1 1\n"}


def test_index_out_of_range_is_gos_panic():
    assert reason("slice_index_panic", "panic_free") == (
        "panic: runtime error: index out of range [5] with length 3 [G1 at main.go:6]")
    assert reason("map_nil_write", "panic_free") == "panic: assignment to entry in nil map [G1 at main.go:10]"


def test_concurrent_map_writes_are_gos_fatal_error_and_a_race():
    """runtime/map.go: a write sets hashWriting; a second writer, or a reader,
    meeting it throws.  The write is two steps (MapWriting, MapStore)."""
    assert reason("map_writes_race", "race_free").startswith("data race on map m (concurrent map writes): G2 writes")
    assert reason("map_writes_race", "panic_free") == "fatal error: concurrent map writes [G3 at main.go:15]"
    assert reason("map_read_write_race", "panic_free") == (
        "fatal error: concurrent map read and map write [G1 at main.go:21]")
    assert reason("map_read_write_race", "race_free").startswith(
        "data race on map r.names (concurrent map read and map write): G1 reads at main.go:21")


def test_every_map_iteration_order_is_explored():
    assert outputs("map_range_order") == {"x 1\ny 2\n", "y 2\nx 1\n"}


def test_permutation_numbering_is_a_bijection():
    items = (1, 2, 3, 4)
    seen = {ir.permutation(items, k) for k in range(24)}
    assert len(seen) == 24
    assert all(ir.permutation_index(ir.permutation(items, k), items) == k for k in range(24))


def test_grow_cap_follows_go_1_19():
    assert [ir.grow_cap(c, c + 1) for c in (0, 1, 2, 4, 8, 256, 512)] == [1, 2, 4, 8, 16, 512, 832]
    assert ir.grow_cap(2, 7) == 7


def test_lock_order_inversion_through_a_callback():
    assert reason("callback_abba", "deadlock_free") == (
        "fatal error: all goroutines are asleep - deadlock! (G1 main.go:14 sync.Mutex.Lock n.mu: n.mu.Lock(); "
        "G2 main.go:33 sync.Mutex.Lock c.mu: c.mu.Lock())")
    assert outputs("callback_fixed") == {"0\n", "1\n", "2\n"}


def test_struct_values_through_channels_are_copies():
    assert outputs("chan_of_structs") == {"10 2\n0 false\n"}


@pytest.mark.parametrize("bug", sorted(TWINS))
def test_fixed_twins_hold_everything(bug):
    _, _, result = run(TWINS[bug])
    assert all(r.verdict.kind == "holds" for r in result.results.values())


def test_type_assertion_panics_like_go():
    assert reason("iface_assert_panic", "panic_free") == (
        "panic: interface conversion: interface {} is string, not int [G1 at main.go:9]")


def test_rlock_reentry_through_a_stringer_deadlocks():
    assert reason("stringer_rlock_reentry", "deadlock_free").startswith(
        "fatal error: all goroutines are asleep - deadlock! (G1 main.go:21 sync.RWMutex.RLock p.mu")
    assert outputs("stringer_rlock_fixed") == {"peer 10.0.0.1 sent\n"}


def test_race_through_dynamic_dispatch():
    assert reason("iface_method_race", "race_free").startswith("data race on c.hits: G2 writes at main.go:17")
    assert outputs("iface_method_race") == {"1\n", "2\n", "3\n"}


def test_every_construct_outside_the_subset_is_reported_at_once():
    """Lowering goes on past an unsupported construct (its statement is
    skipped), so one run lists them all, each at its file:line:col; errors
    that only follow from a skipped statement are not reported."""
    src = ('package main\n\nimport (\n\t"fmt"\n\t"reflect"\n\t"unsafe"\n)\n\ntype T struct {\n\tf float64\n}\n\n'
           'func main() {\n\tvar x int\n\tfmt.Println(unsafe.Sizeof(x), reflect.TypeOf(x))\n\ty := 2.5\n\t_ = y\n'
           '\tgoto end\nend:\n}\n')
    with pytest.raises(InputError) as exc:
        compile_go(src, "bad.go")
    lines = str(exc.value).splitlines()
    assert [ln.split(": ")[0] for ln in lines] == ["bad.go:5:2", "bad.go:6:2", "bad.go:10:4", "bad.go:16:7",
                                                    "bad.go:18:2", "bad.go:19:1"]
    assert lines[2] == "bad.go:10:4: floating-point and complex types is outside the supported Go subset"
    assert lines[4] == "bad.go:18:2: goto is outside the supported Go subset"
    assert (exc.value.line, exc.value.col) == (5, 2)


def test_struct_elements_are_values():
    """Elements of a []T of structs are per-element variables, and append's
    growth copies them (the old slice's later write is not in the new one)."""
    assert outputs("slice_struct_results") == {"10 1 true 3 4\n"}


def test_fmt_calls_string_and_its_lock_deadlocks():
    """fmt.Sprintf("%s", m) calls m.String() (fmt/print.go handleMethods),
    which read-locks while the caller holds the read lock and a writer waits."""
    assert reason("fmt_stringer_rlock", "deadlock_free").startswith(
        "fatal error: all goroutines are asleep - deadlock! (G1 main.go:17 sync.RWMutex.RLock m.mu")
    assert outputs("fmt_stringer_fixed") == {"m1 has 0 hits\n", "m1 has 1 hits\n"}


def test_range_variables_are_per_iteration_from_go_1_22():
    assert reason("range_capture_go121", "race_free").startswith("data race on it: G1 writes at main.go:13")
    assert run("range_capture_go122")[2]["race_free"].verdict.kind == "holds"


def test_map_order_canonical_keeps_the_sorted_order_only():
    assert outputs_of(apply_override(load_spec(os.path.join(SPECS, "map_range_order.yaml")), "runtime.map_order",
                                     "canonical")) == {"x 1\ny 2\n"}


def test_too_many_iteration_orders_is_unknown_not_holds():
    src = ("package main\n\nimport \"fmt\"\n\nfunc main() {\n\tm := map[int]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, "
           "7: 7}\n\tt := 0\n\tfor k := range m {\n\t\tt += k\n\t}\n\tfmt.Println(t)\n}\n")
    spec = load_spec_text(f"name: bigmap\nsource: |\n{textwrap.indent(src, '  ')}properties: [deadlock_free, "
                          "panic_free]\n", "bigmap.yaml")
    result = check(build_model(spec))
    assert {k: r.verdict.kind for k, r in result.results.items()} == {"deadlock_free": "unknown",
                                                                      "panic_free": "unknown"}
    assert "range over a map of 7 keys has 5040 iteration orders" in result["panic_free"].verdict.reason
    canon = apply_override(spec, "runtime.map_order", "canonical")
    assert {k: r.verdict.kind for k, r in check(build_model(canon)).results.items()} == {
        "deadlock_free": "holds", "panic_free": "holds"}


def outputs_of(spec) -> set[str]:
    return {out for out, panic in exit_outputs(build_model(spec)) if panic is None}
