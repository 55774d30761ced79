"""Mutation testing of the semantics, the engine, the schedulers, the memory model and the
reference runtime (issue 20): does the suite fail when a rule of Go is broken?

For each module, mutmut (``[tool.mutmut]`` in pyproject.toml) makes single-edit mutants of it
(operators, constants, comparisons, arguments, returns) and runs the module's fast targeted test
selection against each; a mutant the tests do not fail on "survives".  Each module runs in its own
scratch copy of the repository (mutmut writes a ``mutants/`` tree next to the sources, and the
selection differs per module), then the script writes reports/mutation.md: per module the score,
the command, the duration, and every survivor with its diff and verdict.  A survivor is either a
gap (a test should be written) or argued equivalent in benchmarks/mutation_equivalent.json
(keyed by module and the mutant's changed lines, so a stale argument stops matching when the
code changes): the score counts killed / (mutants - equivalent).

It is slow (minutes per module on 2 cores) and not part of CI:

    python benchmarks/mutation.py                      # every module below
    python benchmarks/mutation.py models/chan.py ...   # some modules
    python benchmarks/mutation.py --jobs 2 --report reports/mutation.md models/chan.py
    python benchmarks/mutation.py --budget 3600 --workdir /tmp/m-interp models/interp.py   # a slice

A run for some modules keeps the other modules' sections of an existing report.  A module too big
for one sitting runs in slices: ``--budget`` interrupts mutmut after that many seconds (the mutants
not reached stay "not checked"), ``--workdir`` keeps the scratch copy, and the same command again
resumes there (mutmut skips the mutants that have a result).  The report then says "partial": the
score is over the mutants checked so far, and the count of those not checked is shown.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = ROOT / "benchmarks" / "mutation_equivalent.json"

SEMANTICS = [
    "tests/test_semantics_ir.py",
    "tests/test_semantics_specs.py",
    "tests/test_rules_survivors.py",
    "tests/test_rules_named.py",
    "tests/test_mutation_kills.py",
]

#: The engine's two big graphs (a million states; SPIN's philosophers): seconds each, ten times that
#: under mutmut's trampolines, and every engine mutant would run them.
ENGINE_HEAVY = ["--deselect", "tests/test_engine.py::test_million_state_graph_liveness",
                "--deselect", "tests/test_engine.py::test_phil_flat_matches_spin_no_reduction"]

#: The reference runtime's tests are all marked slow (real threads), yet the whole of tests/test_reference.py
#: and tests/test_conformance.py takes about 9 s: its modules run them (``ALL_MARKS``), but not the ones whose
#: verdict depends on wall-clock timing or statistics, which mutmut's slower trampolines could flip.
REFERENCE_TIMING = [
    "--deselect", "tests/test_reference.py::test_mutex_enters_starvation_mode_after_1ms_waits",
    "--deselect", "tests/test_reference.py::test_select_chooses_uniformly_among_ready_cases",
    "--deselect", "tests/test_reference.py::test_preemption_lets_main_run_past_a_spinning_goroutine",
    "--deselect", "tests/test_reference.py::test_stress_worker_pool_10000_goroutines_on_4_ms",
    "--deselect", "tests/test_reference.py::test_dl_o5_sleeper_delays_the_report",
    "--deselect", "tests/test_conformance.py::test_ping_pong_pair_does_not_starve_main_on_real_threads",
    "--deselect",
    "tests/test_conformance.py::test_ping_pong_pair_starves_main_on_real_threads_without_slice_inheritance",
    "--deselect", "tests/test_conformance.py::test_mutex_starvation_lasso_on_real_threads",
]

#: Modules whose selection runs slow-marked tests too (no ``-m 'not slow'``).
ALL_MARKS = {"reference/objects.py", "reference/syncprims.py"}

#: module -> its targeted test selection (fast tests that exercise it; pytest options pass through).
SELECTIONS: dict[str, list[str]] = {
    "models/chan.py": SEMANTICS,
    "models/select.py": SEMANTICS,
    "models/sync.py": [*SEMANTICS, "tests/test_constructs.py", "tests/test_datatypes.py", "tests/test_bug_specs.py",
                       "tests/test_starvation_mode.py"],
    "models/atomic.py": SEMANTICS,
    "models/interp.py": [*SEMANTICS, "tests/test_time.py", "tests/test_timer_order.py",
                         "tests/test_mutation_kills_interp.py",
                         "tests/test_variadic.py::test_test_helpers_forward_to_t_logf_and_t_errorf"],
    "checker/explore.py": ["tests/test_engine.py", "tests/test_semantics_specs.py", "tests/test_mutation_kills.py",
                           "tests/test_mutation_kills_engine.py", *ENGINE_HEAVY],
    "checker/liveness.py": [
        "tests/test_engine.py",
        "tests/test_semantics_specs.py",
        "tests/test_rules_survivors.py",
        "tests/test_mutation_kills.py",
        *ENGINE_HEAVY,
    ],
    "models/sched/gmp.py": ["tests/test_gmp.py", "tests/test_gmp_sys.py", "tests/test_rules_survivors.py",
                            "tests/test_rules_named.py", "tests/test_mutation_kills_gmp.py"],
    "models/sched/gmp_queues.py": ["tests/test_gmp.py", "tests/test_gmp_sys.py", "tests/test_rules_survivors.py",
                                   "tests/test_rules_named.py"],
    "models/memory/hb.py": ["tests/test_memory_hb.py", "tests/test_race_explain.py", "tests/test_rules_named.py",
                            "tests/test_mutation_kills.py"],
    "reference/objects.py": ["tests/test_reference.py", "tests/test_conformance.py", "tests/test_rules_survivors.py",
                             "tests/test_rules_named.py", "tests/test_mutation_kills_reference.py", *REFERENCE_TIMING],
    "reference/syncprims.py": ["tests/test_reference.py", "tests/test_conformance.py",
                               "tests/test_rules_survivors.py", "tests/test_rules_named.py",
                               "tests/test_mutation_kills_reference.py", *REFERENCE_TIMING],
}

KILLED = {"killed", "caught by type check", "timeout", "segfault"}
#: A mutant a budgeted run did not reach (or interrupted): neither killed nor surviving yet.
UNCHECKED = {"not checked", "check was interrupted by user"}


@dataclass
class Mutant:
    name: str
    status: str
    diff: str = ""
    equivalent: str = ""  # the argument, when argued equivalent
    later: str = ""  # the test added after the run that kills it (verified by applying the mutant by hand)

    @property
    def key(self) -> str:
        return mutant_key(self.diff)


@dataclass
class ModuleRun:
    module: str
    selection: list[str]
    command: str
    seconds: float
    mutants: list[Mutant] = field(default_factory=list)
    error: str = ""

    @property
    def checked(self) -> list[Mutant]:
        return [m for m in self.mutants if m.status not in UNCHECKED]

    def unchecked(self) -> int:
        return len(self.mutants) - len(self.checked)

    def counts(self) -> tuple[int, int, int]:
        """(killed, equivalent, total) over the mutants checked (all of them unless the run is partial)."""
        checked = self.checked
        killed = sum(1 for m in checked if m.status in KILLED)
        equivalent = sum(1 for m in checked if m.status not in KILLED and m.equivalent)
        return killed, equivalent, len(checked)

    def later(self) -> int:
        return sum(1 for m in self.checked if m.status not in KILLED and not m.equivalent and m.later)

    def score(self) -> float:
        killed, equivalent, total = self.counts()
        return 100.0 * killed / max(1, total - equivalent)


def mutant_key(diff: str) -> str:
    """The mutant's changed lines, stripped: stable across runs while the code stays the same."""
    lines = [ln[0] + ln[1:].strip() for ln in diff.splitlines()
             if ln[:1] in "+-" and not ln.startswith(("---", "+++"))]
    return "\n".join(lines)


def load_equivalent() -> dict[str, dict[str, dict[str, str]]]:
    """module -> {changed lines -> {"why": the argument that no behaviour can change} or
    {"killed_by": a test added after a run that kills the mutant, checked by applying it by hand}}."""
    if not EQUIVALENT.exists():
        return {}
    raw = json.loads(EQUIVALENT.read_text())
    return {mod: {e["change"]: e for e in entries} for mod, entries in raw.items()}


def mutmut_section(module: str, selection: list[str]) -> str:
    sel = ", ".join(json.dumps(t) for t in selection)
    marks = "" if module in ALL_MARKS else '"-m", "not slow", '
    return (
        "[tool.mutmut]\n"
        'source_paths = ["checker", "models", "reference", "gocheck"]\n'
        f"only_mutate = [{json.dumps(module)}]\n"
        'also_copy = ["specs", "tests", "docs", "examples", "benchmarks", "pyproject.toml"]\n'
        f"pytest_add_cli_args_test_selection = [{sel}]\n"
        f'pytest_add_cli_args = [{marks}"-p", "no:cacheprovider", "--benchmark-disable", "-x", "-q"]\n'
        "mutate_only_covered_lines = true\n"
        "use_git_change_detection = false\n"
    )


def scratch_copy(dest: Path) -> None:
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           check=True, capture_output=True, text=True).stdout.splitlines()
    for f in files:
        src = ROOT / f
        if src.is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f)


def with_section(pyproject: str, section: str) -> str:
    """pyproject.toml text with its ``[tool.mutmut]`` table replaced by `section`."""
    out = re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", "", pyproject)
    return out.rstrip("\n") + "\n\n" + section


def run_mutmut(command: str, work: Path, budget: float | None) -> tuple[int, str]:
    """Run mutmut in `work`; past `budget` seconds interrupt it (SIGINT: mutmut stops its workers and
    keeps every result it has).  Returns (exit code or -SIGINT when stopped, its output's tail)."""
    with open(work / "mutmut.log", "w") as log:
        # Its own process group: mutmut forks a worker per mutant, and the stop must reach it too.
        proc = subprocess.Popen(command.split(), cwd=work, stdout=log, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)
        try:
            code = proc.wait(timeout=budget)
        except subprocess.TimeoutExpired:
            for sig, wait in ((signal.SIGINT, 60), (signal.SIGTERM, 30), (signal.SIGKILL, None)):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
            code = -signal.SIGINT
    return code, (work / "mutmut.log").read_text()[-2000:]


def run_module(module: str, jobs: int, keep: bool, budget: float | None = None,
               workdir: Path | None = None) -> ModuleRun:
    selection = [t for t in SELECTIONS[module] if t.startswith("-") or "::" in t or (ROOT / t).exists()]
    resume = workdir is not None and (workdir / "mutants").is_dir()
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
        keep = True
    work = workdir if workdir is not None else Path(tempfile.mkdtemp(prefix="gocheck-mutation-"))
    command = f"{sys.executable} -m mutmut run --max-children {jobs}"
    run = ModuleRun(module, selection, command, 0.0)
    spent = work / "seconds-so-far"
    try:
        if not resume:
            scratch_copy(work)
            pp = work / "pyproject.toml"
            pp.write_text(with_section(pp.read_text(), mutmut_section(module, selection)))
        t0 = time.monotonic()
        code, tail = run_mutmut(command, work, budget)
        run.seconds = time.monotonic() - t0 + (float(spent.read_text()) if spent.exists() else 0.0)
        spent.write_text(f"{run.seconds:.1f}\n")
        if code not in (0, -signal.SIGINT):
            run.error = tail.strip()
        res = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=work,
                             capture_output=True, text=True)
        for line in res.stdout.splitlines():
            m = re.match(r"\s+(\S+): (.+)$", line)
            if m:
                run.mutants.append(Mutant(m.group(1), m.group(2).strip()))
        for mut in run.mutants:
            if mut.status not in KILLED | UNCHECKED:
                show = subprocess.run([sys.executable, "-m", "mutmut", "show", mut.name], cwd=work,
                                      capture_output=True, text=True)
                mut.diff = "\n".join(show.stdout.splitlines()[1:]).strip()
    finally:
        if keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    notes = load_equivalent().get(module, {})
    for mut in run.mutants:
        if mut.status not in KILLED:
            note = notes.get(mut.key, {})
            mut.equivalent = note.get("why", "")
            mut.later = note.get("killed_by", "")
    return run


def render_module(run: ModuleRun) -> str:
    killed, equivalent, total = run.counts()
    later = run.later()
    unchecked = run.unchecked()
    survivors = [m for m in run.checked if m.status not in KILLED]
    gaps = [m for m in survivors if not m.equivalent and not m.later]
    after = 100.0 * (killed + later) / max(1, total - equivalent)
    out = [
        f"## {run.module}",
        "",
        f"<!-- stats: killed={killed} equivalent={equivalent} later={later} total={total} "
        f"seconds={run.seconds:.0f} unchecked={unchecked} -->",
        f"- score: **{run.score():.1f}%** ({killed} killed of {total - equivalent} non-equivalent mutants; "
        f"{total} mutants, {equivalent} argued equivalent, {len(survivors) - equivalent} surviving)",
    ]
    if unchecked:
        out.append(f"- **partial run**: {total} of {total + unchecked} mutants checked, {unchecked} not reached "
                   f"within the time budget; the score is over the checked ones")
    if later:
        out.append(f"- after the run: {later} of the survivors are killed by tests added since (each checked by "
                   f"applying the mutant by hand): **{after:.1f}%**, {len(gaps)} left")
    marks = "" if run.module in ALL_MARKS else "-m 'not slow' "
    out += [
        f"- tests: `{' '.join(run.selection)}` (`{marks}-x`)",
        f"- command: `{run.command}` in a scratch copy with `only_mutate = [\"{run.module}\"]`; "
        f"duration {run.seconds:.0f} s",
    ]
    if run.error:
        out += ["", "mutmut reported an error:", "", "```", run.error, "```"]
    groups = (("Surviving (no test fails)", gaps),
              ("Killed by a test added after this run (or a kill mutmut cannot see), checked by applying the mutant "
               "by hand", [m for m in survivors if m.later and not m.equivalent]),
              ("Argued equivalent", [m for m in survivors if m.equivalent]))
    for title, group in groups:
        if not group:
            continue
        out += ["", f"### {title}", ""]
        for m in group:
            if m.equivalent:
                verdict = f"equivalent: {m.equivalent}"
            elif m.later:
                verdict = f"{m.status} in this run; killed by `{m.later}`"
            else:
                verdict = f"{m.status}: a gap in the tests"
            out += [f"- `{m.name}` ({verdict})", "", "```diff", m.diff, "```", ""]
    return "\n".join(out).rstrip() + "\n"


HEADER = """# Mutation testing

Produced by `python benchmarks/mutation.py` (mutmut, configured in pyproject.toml's
`[tool.mutmut]`; the script runs one module at a time in a scratch copy with the module's
targeted test selection).  Score = killed / (mutants - argued equivalent); a timeout counts as
killed (the mutant made the tests hang), "no tests" and "survived" count as surviving.
Equivalent mutants are argued one by one in benchmarks/mutation_equivalent.json and shown below
each module.  A survivor that a test written after the run kills (the mutant applied by hand to a
copy of the tree, the test run and seen failing) is listed with that test and counted in the
"score with them" column; the next run of the module counts it as killed.  Slow: not part of CI.

    python benchmarks/mutation.py MODULE...   # run (mutmut 3, one mutant at a time), save, render
    python benchmarks/mutation.py --render    # re-render from reports/mutation.json
    python benchmarks/mutation.py --budget 2700 --workdir DIR models/interp.py   # a slice; again to resume

A module too big for one sitting is run in slices (`--budget`): its row then says "partial" and its
score is over the mutants checked so far.  The reference runtime's modules run its slow-marked tests
(real threads, about 9 s in all) except those whose verdict depends on wall-clock timing.

Durations are wall-clock on a shared 2-core machine (the first runs of chan, select, sync, atomic,
liveness, gmp_queues often had two module runs at once; later runs ran alone at `nice -n 19`, interp's
at `nice -n 10`).  After the modules: notes on models/interp.py's run (two real bugs its survivors
showed, fixed since) and the suite's running time with and without the tests issue 20 added.
"""


def save_runs(path: Path, runs: list[ModuleRun]) -> None:
    """Keep each module's raw result (every mutant's name and status, the survivors' diffs) next to
    the report, so ``--render`` can redo the report after an equivalence argument is added."""
    data = json.loads(path.read_text()) if path.exists() else {}
    for r in runs:
        data[r.module] = {"selection": r.selection, "command": r.command, "seconds": r.seconds, "error": r.error,
                          "mutants": [[m.name, m.status, m.diff] for m in r.mutants]}
    path.write_text(json.dumps(data, indent=0) + "\n")


def load_runs(path: Path) -> list[ModuleRun]:
    notes = load_equivalent()
    runs = []
    for mod, d in json.loads(path.read_text()).items():
        run = ModuleRun(mod, d["selection"], d["command"], d["seconds"], [Mutant(*m) for m in d["mutants"]], d["error"])
        for mut in run.mutants:
            if mut.status not in KILLED:
                note = notes.get(mod, {}).get(mut.key, {})
                mut.equivalent, mut.later = note.get("why", ""), note.get("killed_by", "")
        runs.append(run)
    return runs


def write_report(path: Path, runs: list[ModuleRun]) -> None:
    sections: dict[str, str] = {}
    notes: list[str] = []  # sections that are not a module's (e.g. "Suite time"): kept, after the modules
    if path.exists():
        text = path.read_text()
        for chunk in re.split(r"(?m)^(?=## )", text)[1:]:
            mod = chunk.splitlines()[0][3:].strip()
            if mod in SELECTIONS:
                sections[mod] = chunk.rstrip() + "\n"
            else:
                notes.append(chunk.rstrip() + "\n")
    for r in runs:
        sections[r.module] = render_module(r)
    summary = ["", "| module | score | killed | equivalent | mutants | killed by later tests | score with them | duration |",
               "|---|---|---|---|---|---|---|---|"]
    totals = [0, 0, 0, 0, 0]  # killed, equivalent, later, checked, not checked
    missing = []
    for mod in SELECTIONS:
        text = sections.get(mod, "")
        m = re.search(r"<!-- stats: killed=(\d+) equivalent=(\d+) later=(\d+) total=(\d+) seconds=(\d+)"
                      r"(?: unchecked=(\d+))? -->", text)
        old = re.search(r"\((\d+) killed of \d+ non-equivalent mutants; (\d+) mutants, (\d+) argued equivalent.*?"
                        r"duration (\d+) s", text, re.S)
        if m or old:
            if m:
                k, e, later, t, sec = (int(x) for x in m.groups()[:5])
                unchecked = int(m.group(6) or 0)
            else:
                assert old is not None
                k, t, e, sec = (int(x) for x in old.groups())
                later = unchecked = 0
            score, after = 100.0 * k / max(1, t - e), 100.0 * (k + later) / max(1, t - e)
            partial = f" (partial: {t} of {t + unchecked} checked)" if unchecked else ""
            summary.append(f"| {mod} | {score:.1f}%{partial} | {k} | {e} | {t} | {later} | {after:.1f}% | {sec} s |")
            for i, v in enumerate((k, e, later, t, unchecked)):
                totals[i] += v
        else:
            summary.append(f"| {mod} | not run | | | | | | |")
            missing.append(mod)
    k, e, later, t, unchecked = totals
    summary.append(f"| **all run** | **{100.0 * k / max(1, t - e):.1f}%** | {k} | {e} | {t} | {later} | "
                   f"**{100.0 * (k + later) / max(1, t - e):.1f}%** | |")
    overall = []
    if unchecked:
        overall.append(f"{unchecked} mutants of partially run modules are not checked yet")
    if missing:
        overall.append(f"not run: {', '.join(missing)}")
    if overall:
        summary += ["", "Overall: " + "; ".join(overall) + "."]
    body = HEADER + "\n".join(summary) + "\n\n" + "\n".join(
        [*(sections[m] for m in SELECTIONS if m in sections), *notes])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("modules", nargs="*", help=f"modules to mutate (default: all of {', '.join(SELECTIONS)})")
    ap.add_argument("--jobs", type=int, default=1, help="mutants run in parallel (mutmut --max-children)")
    ap.add_argument("--report", type=Path, default=ROOT / "reports" / "mutation.md")
    ap.add_argument("--keep", action="store_true", help="keep the scratch copies (to inspect mutants/)")
    ap.add_argument("--budget", type=float, default=None,
                    help="seconds per module: then stop mutmut; the mutants not reached stay unchecked (partial run)")
    ap.add_argument("--workdir", type=Path, default=None,
                    help="scratch copy to use and keep (one module); if it holds a run already, resume it")
    ap.add_argument("--render", action="store_true",
                    help="only rewrite the report from the saved results (after editing the equivalence arguments)")
    args = ap.parse_args(argv)
    saved = args.report.with_suffix(".json")
    if args.render:
        write_report(args.report, load_runs(saved))
        return 0
    modules = args.modules or list(SELECTIONS)
    unknown = [m for m in modules if m not in SELECTIONS]
    if unknown:
        print(f"error: no test selection for {', '.join(unknown)}", file=sys.stderr)
        return 2
    if args.workdir is not None and len(modules) != 1:
        print("error: --workdir takes one module", file=sys.stderr)
        return 2
    runs = []
    for mod in modules:
        run = run_module(mod, args.jobs, args.keep, args.budget, args.workdir)
        killed, equivalent, total = run.counts()
        partial = f", {run.unchecked()} not checked" if run.unchecked() else ""
        print(f"{mod}: {run.score():.1f}% ({killed}/{total - equivalent}, {equivalent} equivalent{partial}) "
              f"in {run.seconds:.0f} s" + (" ERROR" if run.error else ""), flush=True)
        runs.append(run)
        save_runs(saved, [run])
        write_report(args.report, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
