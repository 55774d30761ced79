"""Shared test configuration.

The ``slow`` marker keeps ``python -m pytest -m "not slow"`` (the edit-test loop) short: besides the
tests marked where they are defined (real threads, the Go toolchain, a browser, big explorations),
the tests below are the slowest of the rest (property-based differential runs, subprocess-driven CLI
scenarios, the largest refinement checks) and run in the full suite only.  `.ci/run` runs everything.
"""

from __future__ import annotations

import pytest

#: Node ids (file::test, or file::test[param]) that the edit-test loop skips.
SLOW_IN_EDIT_LOOP = {
    "tests/test_reductions.py::test_random_waitgroup_programs_agree",
    "tests/test_cli.py::test_dfs_and_random_strategies",
    "tests/test_cli.py::test_ctrl_c_stops_cleanly_with_statistics",
    "tests/test_cli.py::test_bound_exits_3_and_never_holds",
    "tests/test_memory_random.py::test_sc_outcomes_agree_with_axiomatic_outcomes",
    "tests/test_por.py::test_random_programs_agree",
    "tests/test_por.py::test_fanout_reduces[4]",
    "tests/test_gmp_refinement.py::test_semantics_specs_refine_abstract_under_gmp[2-once_do]",
    "tests/test_gmp_refinement.py::test_semantics_specs_refine_abstract_under_gmp[2-fan_in]",
    "tests/test_gotest.py::test_run_selects_tests_as_go_does",
    "tests/test_gotest.py::test_gocheck_yaml_sets_defaults_and_per_test_overrides",
    "tests/test_parallel.py::test_fingerprints_agree_across_interpreters",
    "tests/test_hostile.py::test_interrupted_report_keeps_the_previous_one",
    "tests/test_view.py::test_cli_view_lasso_loads_the_spec_named_in_meta",
    "tests/test_view.py::test_cli_replay_path_and_divergence",
    "tests/test_view.py::test_cli_view_prints_the_golden_text",
    "tests/test_view.py::test_cli_replay_trace_warns_when_the_spec_changed",
    "tests/test_gotest.py::test_the_sample_module_is_real_go",
    "tests/test_cli.py::test_ir_subcommand_prints_go_lines",
    "tests/test_cli.py::test_race_counterexample_explains_the_missing_synchronization",
    "tests/test_gmp.py::test_readme_command_exits_zero",
    "tests/test_parallel.py::test_memory_limit_per_partition",
    "tests/test_gmp_refinement.py::test_semantics_specs_refine_abstract_under_gmp[2-cond_fixed]",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    known = set()
    for item in items:
        if item.nodeid in SLOW_IN_EDIT_LOOP:
            item.add_marker(pytest.mark.slow)
            known.add(item.nodeid)
    if len(items) > 1000 and known != SLOW_IN_EDIT_LOOP:  # a whole-suite run: every listed test must exist
        missing = sorted(SLOW_IN_EDIT_LOOP - known)
        raise pytest.UsageError(f"tests/conftest.py lists tests that do not exist: {missing}")
