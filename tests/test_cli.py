"""The command line on Python-model specs: tables, JSON, exit codes, traces."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from checker.examples import PhilFlat
from checker.trace import read_itf, replay

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*args: str, cwd: str = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True, cwd=cwd)


def spec(tmp_path, text: str, name: str = "s.yaml") -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_bundled_model_spec_holds() -> None:
    p = run("specs/models/phil_flat.yaml", "--traces", "none")
    assert p.returncode == 0, p.stderr
    assert "819 states, 2,517 transitions" in p.stdout


def test_expected_violation_exits_0_and_writes_replayable_trace(tmp_path) -> None:
    p = run("specs/models/phil_flat_deadlock.yaml", "--json", "--traces", str(tmp_path))
    assert p.returncode == 0, p.stderr
    obj = json.loads(p.stdout)
    dl = obj["properties"]["deadlock_free"]
    assert (dl["verdict"], dl["expected"], dl["path"]) == ("violated", "violated", "0/0/1/1/1/1")
    assert obj["stats"] == {"states": 1022, "transitions": 3320, "seconds": obj["stats"]["seconds"], "depth": 25}
    cx = read_itf(dl["trace"])
    assert cx.path == (0, 0, 1, 1, 1, 1) and cx.property == "deadlock_free"
    assert len(cx.steps) == 6 and cx.steps[-1].view["phil"] == ["one"] * 5
    states, _ = replay(PhilFlat(5, True), cx.path)
    assert PhilFlat(5, True).actions(states[-1]) == []


def test_unexpected_violation_exits_1(tmp_path) -> None:
    s = spec(tmp_path, "name: dl\nmodel: checker.examples:phil_flat\nargs: {n: 4, deadlock: true}\n")
    p = run(s, "--traces", "none")
    assert p.returncode == 1
    assert "violated" in p.stdout


def test_bound_exits_3_and_never_holds(tmp_path) -> None:
    s = spec(tmp_path, "name: big\nmodel: checker.examples:phil_flat\nargs: {n: 8}\nbounds: {max_states: 500}\n")
    p = run(s, "--json", "--traces", "none")
    assert p.returncode == 3
    props = json.loads(p.stdout)["properties"]
    assert props["assertion"]["verdict"] == "unknown"
    assert "max_states 500" in props["assertion"]["reason"]
    p = run(s, "--max-states", "100000", "--traces", "none")
    assert p.returncode == 0


def test_sweep_runs_once_per_point(tmp_path) -> None:
    s = spec(tmp_path, "name: sw\nmodel: checker.examples:phil_flat\nargs: {n: 3}\n"
                       "sweep: {bounds.max_states: [5, 1000]}\n")
    p = run(s, "--json", "--traces", "none", "--no-hunt")  # no random walks after the 5-state bound
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    assert [x["when"] for x in lines] == ["bounds.max_states=5", "bounds.max_states=1000"]
    assert [x["properties"]["assertion"]["verdict"] for x in lines] == ["unknown", "holds"]
    assert p.returncode == 3


def test_unknown_model_property_is_bad_input(tmp_path) -> None:
    s = spec(tmp_path, "name: x\nmodel: checker.examples:phil_flat\nproperties: [asertion]\n")
    p = run(s)
    assert p.returncode == 2
    assert "did you mean 'assertion'" in p.stderr and "s.yaml:3:14" in p.stderr


def test_bad_model_reference(tmp_path) -> None:
    s = spec(tmp_path, "name: x\nmodel: checker.nothere:f\n")
    p = run(s, "--allow-python-models")
    assert p.returncode == 2 and "cannot load model" in p.stderr and "Traceback" not in p.stderr


def test_spec_cannot_run_arbitrary_code(tmp_path) -> None:
    """Issue 15, defect 1: a spec naming os:system must not run it (no flag given)."""
    s = spec(tmp_path, "name: evil\nmodel: \"os:system\"\nargs: {command: \"touch pwned.txt\"}\n")
    p = subprocess.run([sys.executable, "-m", "checker", s], cwd=tmp_path, capture_output=True, text=True,
                       timeout=60, env={**os.environ, "PYTHONPATH": ROOT})
    assert p.returncode == 2 and "is not a registered model" in p.stderr and "--allow-python-models" in p.stderr
    assert not (tmp_path / "pwned.txt").exists()


def test_dfs_and_random_strategies(tmp_path) -> None:
    p = run("specs/models/phil_flat_deadlock.yaml", "--strategy", "dfs", "--json", "--traces", "none")
    assert json.loads(p.stdout)["properties"]["deadlock_free"]["verdict"] == "violated"
    p = run("specs/models/phil_flat.yaml", "--strategy", "random", "--walks", "20", "--json", "--traces", "none")
    assert p.returncode == 3
    assert json.loads(p.stdout)["properties"]["assertion"]["verdict"] == "unknown"


def test_report_writes_a_results_table(tmp_path) -> None:
    p = run("report", "specs/models/phil_flat.yaml", "specs/runq_broken.yaml", "--out", str(tmp_path))
    assert p.returncode == 0, p.stderr
    md = (tmp_path / "results.md").read_text()
    assert "| phil-flat-5 | assertion | holds | - | 819 | 2517 |" in md
    assert "| runq-ring-broken | runq.put | violated | violated |" in md
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    assert [json.loads(x)["name"] for x in lines] == ["phil-flat-5", "runq-ring-broken"]


def test_race_counterexample_explains_the_missing_synchronization(tmp_path) -> None:
    p = run("specs/racy_counter.yaml", "--json", "--traces", str(tmp_path))
    assert p.returncode == 0, p.stderr
    race = json.loads(p.stdout)["properties"]["race_free"]
    assert race["verdict"] == "violated" and race["expected"] == "violated"
    assert race["reason"] == "data race on counter: G2 writes at main.go:15 (counter++) and G3 reads at main.go:15 (counter++)"
    assert race["explanation"].startswith("data race on counter: G2's write at main.go:15 (counter++) and G3's read "
                                          "at main.go:15 (counter++) are not ordered by happens-before")
    cx = read_itf(race["trace"])
    assert cx.meta["explanation"] == race["explanation"]
    view = run("view", race["trace"])
    assert "Missing   data race on counter" in view.stdout


def test_ctrl_c_stops_cleanly_with_statistics(tmp_path) -> None:
    import signal
    import time
    s = spec(tmp_path, "name: big\nmodel: checker.examples:phil_flat\nargs: {n: 12}\n")
    proc = subprocess.Popen([sys.executable, "-m", "checker", s, "--traces", "none", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    # Interrupt once the child has spent a second of CPU time (it is exploring by then), however
    # loaded the machine is: /proc/PID/stat fields 14 and 15 are user and system clock ticks.
    ticks = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with open(f"/proc/{proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        if (int(fields[11]) + int(fields[12])) / ticks >= 1.0:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 3
    assert "Traceback" not in err
    obj = json.loads(out)
    assert obj["stats"]["states"] > 0
    props = obj["properties"]
    assert (props["assertion"]["verdict"], props["assertion"]["reason"]) == ("unknown", "interrupted")
    assert (props["deadlock_free"]["verdict"], props["deadlock_free"]["reason"]) == ("unknown", "interrupted")
    assert props["someone eats"]["verdict"] == "holds"  # reached before the interrupt: a witness exists


def test_ir_subcommand_prints_go_lines(tmp_path) -> None:
    go = tmp_path / "p.go"
    go.write_text("package main\n\nfunc main() {\n\tch := make(chan int, 1)\n\tch <- 1\n\t<-ch\n}\n")
    p = run("ir", str(go))
    assert p.returncode == 0, p.stderr
    assert "Send" in p.stdout and "// 5: ch <- 1" in p.stdout
    bad = tmp_path / "bad.go"
    bad.write_text("package main\n\nfunc main() {\n\tgoto L\nL:\n}\n")
    p = run("ir", str(bad))
    assert p.returncode == 2 and f"{bad}:4:2:" in p.stderr and "goto" in p.stderr
