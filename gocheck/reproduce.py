"""``python -m checker reproduce [--quick] [--out DIR]``: every table and figure, from scratch.

It regenerates what the README and docs/ show, into `DIR` (default
``reports/``):

- ``verdicts/<family>.md``: verdict tables by family (scheduler mechanisms,
  channels and sync patterns, memory-model litmus, GC barrier variants,
  real-bug kernels with each bug beside its fixed twin), with state counts
  and the trace of every violation; ``verdicts.json`` holds the same rows;
- ``growth.csv`` and ``growth.png/.svg``: state-space growth against the
  number of goroutines of the fan-out program, with and without each
  reduction;
- ``spin.csv`` and ``spin.png/.svg``: time and memory against SPIN on the
  Promela twins (when SPIN and gcc are installed; ``benchmarks/perf.py``
  measures the full set);
- ``runtime.json`` and ``runtime_latency.png/.svg``: scheduling latency and
  steal counts of the reference runtime on a stealing program;
- ``litmus.md`` and ``litmus.png/.svg``: the litmus outcome matrix;
- ``environment.json``: Python, z3, Go, SPIN and gcc versions, the git
  commit, CPU count and date.

Then it compares every verdict with the committed ``reports/verdicts.json``
(the published one) and fails loudly, exit 1, naming each difference.
Tables carry no timings, so two runs give identical tables (timings are in
the CSV files and figures only).  ``--quick`` is the subset CI runs.
"""

from __future__ import annotations

import csv
import glob
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from gocheck.pipeline import EXIT_OK, EXIT_VIOLATED, Options, SpecReport, check_all, check_spec
from gocheck.report import atomic_write, md_cell
from gocheck.spec import load_spec_text

__all__ = ["FAMILIES", "family_of", "main_reproduce"]

#: Verdict-table families, in the order the report lists them.
FAMILIES = ("Scheduler mechanisms", "Channels and sync patterns", "Memory-model litmus", "GC barrier variants",
            "Real-bug kernels", "Python models")

#: Specs of the quick subset (CI): a few of every family.
QUICK = ("abba_deadlock", "abba_fixed", "racy_counter", "counter_mutex", "double_close", "double_close_fixed",
         "timeout_leak", "timeout_fixed", "steal", "steal_no_steal", "runq_proof", "litmus/L1", "litmus/L4",
         "litmus/L9", "gc/v0", "gc/v2", "models/phil_flat")


def family_of(path: str, spec: Any) -> str:
    rel = os.path.relpath(path, "specs").replace(os.sep, "/")
    if rel.startswith("litmus/"):
        return "Memory-model litmus"
    if rel.startswith("gc/"):
        return "GC barrier variants"
    if rel.startswith("bugs/"):
        return "Real-bug kernels"
    if spec.kind == "model":
        return "Python models"
    if spec.kind == "runq_proof" or spec.runtime.scheduler == "gmp":
        return "Scheduler mechanisms"
    return "Channels and sync patterns"


def _spec_paths(quick: bool) -> list[str]:
    paths = sorted(glob.glob(os.path.join("specs", "**", "*.yaml"), recursive=True))
    if quick:
        wanted = {os.path.join("specs", q + ".yaml") for q in QUICK}
        paths = [p for p in paths if p in wanted]
    return paths


# --------------------------------------------------------------------------- verdict tables


def verdict_rows(reports: list[tuple[str, SpecReport]]) -> list[dict[str, Any]]:
    rows = []
    for path, rep in reports:
        fam = family_of(path, rep.spec)
        for r in rep.rows:
            rows.append({"family": fam, "spec": rep.spec.name + (f" [{rep.when}]" if rep.when else ""),
                         "path": path.replace(os.sep, "/"), "property": r["property"], "verdict": r["verdict"],
                         "expected": r["expected"], "states": rep.stats.get("states"),
                         "transitions": rep.stats.get("transitions"),
                         "trace": os.path.basename(r["trace"]) if r.get("trace") else None,
                         "length": r.get("length") if r["verdict"] == "violated" else None})
        for o in rep.outcomes:
            rows.append({"family": fam, "spec": rep.spec.name, "path": path.replace(os.sep, "/"),
                         "property": f"outcome {o['when']}", "verdict": o["verdict"], "expected": o["expected"],
                         "states": rep.stats.get("states"), "transitions": rep.stats.get("transitions"),
                         "trace": None, "length": None})
    return rows


def _twin_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Real bugs: each bug's rows, then its fixed twin's (NAME and NAME_fixed)."""
    def key(r: dict[str, Any]) -> tuple[str, int]:
        base = re.sub(r"_fixed$", "", r["spec"])
        return base, 1 if r["spec"].endswith("_fixed") else 0
    return sorted(rows, key=key)


def verdict_tables(rows: list[dict[str, Any]], out: str) -> list[str]:
    written = []
    os.makedirs(os.path.join(out, "verdicts"), exist_ok=True)
    for fam in FAMILIES:
        fr = [r for r in rows if r["family"] == fam]
        if not fr:
            continue
        if fam == "Real-bug kernels":
            fr = _twin_order(fr)
        lines = [f"# {fam}", "", "| spec | property | verdict | expected | states | transitions | counterexample |",
                 "|---|---|---|---|---|---|---|"]
        for r in fr:
            cx = f"{r['length']} steps: traces/{r['trace']}" if r["trace"] else ""
            lines.append(f"| {md_cell(r['spec'])} | {md_cell(r['property'])} | {r['verdict']} | "
                         f"{r['expected'] or '-'} | {r['states'] if r['states'] is not None else '-'} | "
                         f"{r['transitions'] if r['transitions'] is not None else '-'} | {cx} |")
        name = re.sub(r"[^a-z0-9]+", "_", fam.lower()).strip("_") + ".md"
        written.append(atomic_write(os.path.join(out, "verdicts", name), "\n".join(lines) + "\n"))
    return written


def published_verdicts(path: str) -> dict[tuple[str, str, str], str] | None:
    """The committed verdicts, keyed by (spec path, spec, property); None when there are none."""
    if not os.path.exists(path):
        return None
    from checker.errors import InputError
    from checker.files import MIB, read_text
    text = read_text(path, 64 * MIB, "published verdicts file")
    try:
        return {(r["path"], r["spec"], r["property"]): r["verdict"] for r in json.loads(text)["rows"]}
    except (ValueError, RecursionError, KeyError, TypeError) as e:
        raise InputError(f"not a published verdicts file ({type(e).__name__}: {str(e)[:80]})", path, 1, 1) from None


def compare_with_published(rows: list[dict[str, Any]], old: dict[tuple[str, str, str], str] | None,
                           where: str) -> list[str]:
    """Differences between this run's verdicts and the committed ones (spec, property: old -> new)."""
    if old is None:
        return [f"no published verdicts at {where}"]
    diffs = []
    for r in rows:
        k = (r["path"], r["spec"], r["property"])
        if k not in old:
            diffs.append(f"{r['spec']}: {r['property']}: not in the published verdicts (now {r['verdict']})")
        elif old[k] != r["verdict"]:
            diffs.append(f"{r['spec']}: {r['property']}: published {old[k]}, now {r['verdict']}")
    return diffs


# --------------------------------------------------------------------------- figures

FANOUT = """package main

import "sync"

func main() {
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for i := 0; i < N; i++ {
		wg.Add(1)
		go func(v int) {
			defer wg.Done()
			mu.Lock()
			total += v
			mu.Unlock()
		}(i)
	}
	wg.Wait()
}
"""


def _fanout_spec(n: int) -> Any:
    body = "".join("  " + line + "\n" for line in FANOUT.replace("N", str(n)).splitlines())
    return load_spec_text(f"name: fanout{n}\nsource: |\n{body}properties: [deadlock_free, panic_free, race_free]\n"
                          "bounds: {max_states: 3000000, timeout_s: 900}\n", f"fanout{n}.yaml")


def growth(out: str, quick: bool) -> list[dict[str, Any]]:
    """States of the fan-out program for N goroutines, with each reduction on and off."""
    ns = range(1, 4) if quick else range(1, 6)
    rows = []
    series = (("no reduction", Options(traces="none", no_por=True, no_dead_reset=True)),
              ("dead-variable reset", Options(traces="none", no_por=True)),
              ("partial-order reduction + dead-variable reset (default)", Options(traces="none")))
    for label, opts in series:
        for n in ns:
            rep = check_spec(_fanout_spec(n), opts)
            rows.append({"reduction": label, "goroutines": n, "states": rep.stats["states"],
                         "transitions": rep.stats["transitions"], "seconds": rep.stats["seconds"],
                         "peak_mb": rep.stats["peak_mb"]})
    _write_csv(os.path.join(out, "growth.csv"), rows)
    _plot(out, "growth", "State space of the fan-out program", "goroutines", "states (log scale)",
          {lab: [(r["goroutines"], r["states"]) for r in rows if r["reduction"] == lab] for lab, _ in series},
          logy=True)
    return rows


def spin_compare(out: str, quick: bool) -> list[dict[str, Any]]:
    """Time and memory against SPIN on the Promela twin of the dining philosophers (phil_flat)."""
    if shutil.which("spin") is None or shutil.which("gcc") is None:
        return []
    from checker.check import check
    from checker.examples import PhilFlat

    pml = os.path.join("benchmarks", "promela", "phil_flat.pml")
    rows = []
    for n in ((4, 5) if quick else (4, 5, 6, 7, 8)):
        work = os.path.join(out, ".spin")
        os.makedirs(work, exist_ok=True)
        subprocess.run(["spin", f"-DN={n}", "-a", os.path.abspath(pml)], cwd=work, check=True, capture_output=True)
        subprocess.run(["gcc", "-O2", "-DSAFETY", "-DNOREDUCE", "-DMEMLIM=8000", "-o", "pan", "pan.c"], cwd=work,
                       check=True, capture_output=True)
        t0 = time.perf_counter()
        text = subprocess.run(["./pan", "-m10000000", "-w20"], cwd=work, check=True, capture_output=True,
                              text=True).stdout
        wall = time.perf_counter() - t0
        elapsed = re.search(r"elapsed time ([\d.e+-]+) seconds", text)
        spin_s = float(elapsed.group(1)) if elapsed else wall
        mem = re.search(r"([\d.]+)\s+total actual memory usage", text)
        t0 = time.perf_counter()
        r = check(PhilFlat(n))
        ours = time.perf_counter() - t0
        rows.append({"n": n, "spin_states": int(re.search(r"(\d+) states, stored", text).group(1)),  # type: ignore[union-attr]
                     "our_states": r.stats.states, "spin_s": round(spin_s, 4), "our_s": round(ours, 4),
                     "spin_mb": float(mem.group(1)) if mem else None, "our_peak_mb": r.stats.peak_mb})
        shutil.rmtree(work, ignore_errors=True)
    _write_csv(os.path.join(out, "spin.csv"), rows)
    _plot(out, "spin", "Dining philosophers: time to verdict", "philosophers", "seconds (log scale)",
          {"SPIN (spin -a, gcc, pan)": [(r["n"], r["spin_s"]) for r in rows],
           "gocheck": [(r["n"], r["our_s"]) for r in rows]}, logy=True)
    return rows


def runtime_metrics(out: str, quick: bool) -> dict[str, Any]:
    """Scheduling latency and steals of the reference runtime on a program that makes Ps steal."""
    import reference
    from models.lang import compile_go

    path = os.path.join("tests", "go_ref", "steal_work.go")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        program = compile_go(f.read(), path)
    runs: list[dict[str, Any]] = []
    for seed in range(2 if quick else 10):
        res = reference.run(program, procs=2, seed=seed, observe=True)
        stats = {k: v for k, v in res.stats.items() if isinstance(v, (int, float))}
        runs.append({"seed": seed, "exit": res.exit_code, "stats": stats,
                     "latency": res.metrics.get("/sched/latencies:seconds")})
    atomic_write(os.path.join(out, "runtime.json"), json.dumps(runs, indent=1) + "\n")
    keys = sorted({k for r in runs for k in r["stats"] if "steal" in k or "preempt" in k})
    _plot(out, "runtime_steals", "Reference runtime, 2 Ps: steals and preemptions per run", "run (seed)", "count",
          {k: [(r["seed"], r["stats"].get(k, 0)) for r in runs] for k in keys})
    hists = [r["latency"] for r in runs if r["latency"]]
    if hists:
        bounds = hists[0]["buckets"]
        total = [sum(h["counts"][i] for h in hists) for i in range(len(hists[0]["counts"]))]
        _plot(out, "runtime_latency", "Reference runtime: runnable-to-running latency (all runs)",
              "bucket upper bound (s, log scale)", "goroutine starts",
              {"/sched/latencies:seconds": [(b, c) for b, c in zip(bounds[1:], total) if b > 0]}, logx=True)
    return {"runs": len(runs), "series": keys}


def litmus_matrix(reports: list[tuple[str, SpecReport]], out: str) -> str:
    rows = [(rep.spec.name, o) for path, rep in reports if path.replace(os.sep, "/").startswith("specs/litmus/")
            for o in rep.outcomes]
    lines = ["# Litmus outcome matrix", "", "| test | outcome | Go's memory model | expected |", "|---|---|---|---|"]
    for name, o in rows:
        lines.append(f"| {name} | `{md_cell(o['when'])}` | {o['verdict']} | {o['expected'] or '-'} |")
    path = atomic_write(os.path.join(out, "litmus.md"), "\n".join(lines) + "\n")
    if rows:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        names = list(dict.fromkeys(n for n, _ in rows))
        width = max(len([1 for n, _ in rows if n == x]) for x in names)
        grid = [[0.5] * width for _ in names]
        for i, nm in enumerate(names):
            for j, (_, o) in enumerate([r for r in rows if r[0] == nm]):
                grid[i][j] = 1.0 if o["verdict"] == "allowed" else 0.0 if o["verdict"] == "forbidden" else 0.5
        fig, ax = plt.subplots(figsize=(4, max(3, len(names) * 0.28)))
        ax.imshow(grid, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
        ax.set_yticks(range(len(names)), names, fontsize=7)
        ax.set_xticks(range(width), [f"outcome {k + 1}" for k in range(width)], fontsize=7)
        ax.set_title("Litmus outcomes (green allowed, red forbidden)", fontsize=8)
        fig.tight_layout()
        for ext in ("png", "svg"):
            fig.savefig(os.path.join(out, f"litmus.{ext}"), metadata={"Date": None} if ext == "svg" else None)
        plt.close(fig)
    return path


def _write_csv(path: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _plot(out: str, name: str, title: str, xlabel: str, ylabel: str, series: dict[str, list[tuple[Any, Any]]],
          logy: bool = False, logx: bool = False) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.4))
    for label, pts in series.items():
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=label)
    if logy:
        ax.set_yscale("log")
    if logx:
        ax.set_xscale("log")
    ax.set_title(title, fontsize=9)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7)
    fig.tight_layout()
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(out, f"{name}.{ext}"), metadata={"Date": None} if ext == "svg" else None)
    plt.close(fig)


# --------------------------------------------------------------------------- environment


def _version(cmd: list[str]) -> str | None:
    if shutil.which(cmd[0]) is None:
        return None
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (p.stdout or p.stderr).strip().splitlines()
    return text[0] if text else None


def environment() -> dict[str, Any]:
    import z3

    commit = _version(["git", "rev-parse", "HEAD"])
    dirty = bool(_version(["git", "status", "--porcelain"]))
    return {"python": platform.python_version(), "z3": z3.get_version_string(), "go": _version(["go", "version"]),
            "spin": _version(["spin", "-V"]), "gcc": _version(["gcc", "--version"]), "git_commit": commit,
            "git_dirty": dirty, "cpus": os.cpu_count(), "platform": platform.platform(),
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


# --------------------------------------------------------------------------- the command


def main_reproduce(args: Any, progress: Callable[[str], None] | None = None) -> int:
    say = progress or (lambda s: print(s, flush=True))
    out = args.out
    os.makedirs(out, exist_ok=True)
    t0 = time.monotonic()
    old = published_verdicts(args.published)  # read before this run may overwrite it
    paths = _spec_paths(args.quick)
    options = Options(traces=os.path.join(out, "traces"), progress=False)
    reports: list[tuple[str, SpecReport]] = []
    for path in paths:
        for rep in check_all([path], options):
            reports.append((path, rep))
        say(f"checked {path}")
    rows = verdict_rows(reports)
    data = {"quick": args.quick, "specs": len(paths), "rows": rows}
    atomic_write(os.path.join(out, "verdicts.json"), json.dumps(data, indent=1, sort_keys=True) + "\n")
    tables = verdict_tables(rows, out)
    litmus_matrix(reports, out)
    say("verdict tables written: " + ", ".join(os.path.basename(t) for t in tables))
    growth(out, args.quick)
    say("growth figure written")
    spin_compare(out, args.quick)
    say("SPIN comparison written")
    runtime_metrics(out, args.quick)
    say("runtime metrics written")
    env = environment()
    env["seconds"] = round(time.monotonic() - t0, 1)
    env["quick"] = args.quick
    atomic_write(os.path.join(out, "environment.json"), json.dumps(env, indent=1) + "\n")
    diffs = compare_with_published(rows, old, args.published)
    unexpected = [r for r in rows if r["expected"] is not None and r["verdict"] != r["expected"]]
    for r in unexpected:
        print(f"UNEXPECTED: {r['spec']}: {r['property']}: {r['verdict']} (expected {r['expected']})", file=sys.stderr)
    for d in diffs:
        print(f"CHANGED: {d}", file=sys.stderr)
    say(f"reproduced into {out} in {env['seconds']} s")
    return EXIT_VIOLATED if diffs or unexpected else EXIT_OK
