"""Hostile and careless input (issue 15): every defect of the issue's list, reproduced and pinned.

Each test names the defect it pins ("defect N" is the issue's numbering).
The rule they share: bad input is exit 2 with a ``file:line:col`` (or flag)
message and no traceback; a bound is ``unknown`` with exit 3; a bug in the
checker is exit 4; no input runs code the user did not ask for, reads
without a size limit, or overwrites an input or a previous result.

Most tests call `gocheck.cli.main` in-process (fast); the ones about a real
process (a crash file, a working directory) use a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from typing import Any

import pytest

from checker.errors import InputError
from checker.examples import PhilFlat
from checker.explore import explore
from checker.files import read_text
from checker.trace import build, read_itf, write_itf
from gocheck.cli import main
from gocheck.spec import MAX_SPEC_BYTES, load_spec, load_spec_text
from models.lang import compile_go

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ABBA = os.path.join(ROOT, "specs", "abba_deadlock.yaml")


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command line in-process: (exit code, stdout, stderr); never a traceback."""
    try:
        code = main(list(args))
    except SystemExit as e:  # argparse's own usage errors
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def subproc(*args: str, cwd: str = ROOT) -> subprocess.CompletedProcess[str]:
    p = subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True, cwd=cwd,
                       timeout=120, env={**os.environ, "PYTHONPATH": ROOT})
    assert "Traceback" not in p.stdout + p.stderr
    return p


def write(tmp_path: Any, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def abba_trace(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> str:
    """abba_deadlock's deadlock_free trace, checked from the repository root with a relative spec path."""
    os.chdir(ROOT)
    code, _, _ = cli(capsys, "specs/abba_deadlock.yaml", "--traces", str(tmp_path / "tr"), "--json")
    assert code == 0
    return str(tmp_path / "tr" / "abba_deadlock.deadlock_free.itf.json")


@pytest.fixture(autouse=True)
def _keep_cwd() -> Any:
    here = os.getcwd()
    yield
    os.chdir(here)


# --------------------------------------------------------------------------- 1: no code runs unasked


def test_defect1_view_and_replay_of_an_evil_trace_run_nothing(tmp_path: Any, capsys: Any) -> None:
    """A trace whose #meta.spec names a `model: os:system` spec: view, replay --trace and
    replay --on reference never import it (the touch never happens)."""
    evil = write(tmp_path, "evil.yaml", 'name: evil\nmodel: "os:system"\nargs: {command: "touch pwned.txt"}\n')
    cx = build(PhilFlat(3, True), "deadlock_free", "stuck", (0, 0, 1, 1), None, spec_path=evil)
    trace = write_itf(cx, str(tmp_path / "t.itf.json"))
    os.chdir(tmp_path)
    code, out, _ = cli(capsys, "view", trace)
    assert code == 0 and "Property  deadlock_free" in out
    code, _, err = cli(capsys, "replay", "--trace", trace)
    assert code == 2 and "is not a registered model" in err
    code, _, err = cli(capsys, "replay", "--on", "reference", trace)
    assert code == 2 and err == (f"error: {trace}:1:1: the spec {evil} is a model spec, not a Go program: "
                                 "there is nothing to run on the reference runtime\n")
    assert not (tmp_path / "pwned.txt").exists()


# --------------------------------------------------------------------------- 2: silent wrong answers


def test_defect2_runq_proof_unknown_args_and_odd_size_are_bad_input(tmp_path: Any, capsys: Any) -> None:
    s = write(tmp_path, "r.yaml", "name: r\nkind: runq_proof\nargs: {varient: put_wide}\n")
    code, _, err = cli(capsys, s)
    assert code == 2 and "varient" in err
    s = write(tmp_path, "r2.yaml", "name: r\nkind: runq_proof\nruntime: {runq_size: 7}\n")
    code, _, err = cli(capsys, s)
    assert code == 2 and "runq_size" in err


def test_defect2_replay_of_an_enabled_path_is_not_a_deadlock(capsys: Any) -> None:
    """`replay abba --path 0/0 --property deadlock_free` said "violated, no enabled action"."""
    os.chdir(ROOT)
    code, out, _ = cli(capsys, "replay", "specs/abba_deadlock.yaml", "--path", "0/0", "--property", "deadlock_free")
    assert code == 0
    assert out.splitlines()[:3] == [
        "Property  (none)",
        "Verdict   no property is violated at the end of this path",
        "Why       deadlock_free is not violated: 1 action(s) are enabled in the last state, so it is not stuck"]
    code, out, _ = cli(capsys, "replay", "specs/abba_deadlock.yaml", "--path", "0/0/0/0/0/0/1/1/0",
                       "--property", "deadlock_free")
    assert code == 0 and out.splitlines()[:2] == ["Property  deadlock_free  (deadlock)", "Verdict   violated"]
    code, _, err = cli(capsys, "replay", "specs/abba_deadlock.yaml", "--path", "0", "--property", "nosuch")
    assert code == 2 and err.startswith("error: --property: the model has no property 'nosuch'")


def test_defect2_replay_of_another_specs_trace_is_an_error(tmp_path: Any, capsys: Any) -> None:
    trace = abba_trace(tmp_path, capsys)
    code, out, err = cli(capsys, "replay", "specs/steal.yaml", "--trace", trace)
    assert code == 2 and out == ""
    assert "was written for the spec specs/abba_deadlock.yaml (digest " in err and "not for specs/steal.yaml" in err


def test_defect2_replay_on_reference_compares_the_digest(tmp_path: Any, capsys: Any) -> None:
    src = open(ABBA).read()
    spec = write(tmp_path, "abba.yaml", src)
    cx = build(PhilFlat(3, True), "deadlock_free", "", (0,), None, spec_path=spec, spec_digest="0000000000000000")
    trace = write_itf(cx, str(tmp_path / "t.itf.json"))
    code, out, err = cli(capsys, "replay", "--on", "reference", trace)
    assert code == 2 and out == ""
    assert "changed since the trace was written (digest 0000000000000000 in the trace" in err


# --------------------------------------------------------------------------- 3: G-M-P traces on reference


def test_defect3_replay_on_reference_of_a_gmp_trace(tmp_path: Any, capsys: Any) -> None:
    os.chdir(ROOT)
    code, _, _ = cli(capsys, "specs/steal_buggy.yaml", "--traces", str(tmp_path), "--json")
    assert code == 0
    trace = str(tmp_path / "steal_buggy.gmp.no_lost_goroutine.itf.json")
    assert read_itf(trace).path == (0, 0, 1)
    code, out, err = cli(capsys, "replay", "--on", "reference", trace)
    assert code == 0 and out == ""
    assert ("gmp.no_lost_goroutine (G2 is in 2 places at once: P0.runnext, running on P1 (duplicated)); "
            "1 schedule entries on 2 P(s); a G-M-P trace") in err
    assert "peak live goroutines: 5" in err


# --------------------------------------------------------------------------- 4: limits in the initial state


def test_defect4_model_limit_in_mains_first_step_is_unknown(tmp_path: Any, capsys: Any) -> None:
    s = write(tmp_path, "rec.yaml", "name: rec\nsource: |\n  package main\n  import \"fmt\"\n"
                                    "  func f(n int) int { return f(n+1) + 1 }\n  func main() { fmt.Println(f(0)) }\n")
    code, out, _ = cli(capsys, s, "--json", "--traces", "none")
    assert code == 3
    props = json.loads(out)["properties"]
    assert {v["verdict"] for v in props.values()} == {"unknown"}
    assert props["deadlock_free"]["reason"] == ("the model hit a bound: main.go:3: goroutine 1 exceeded 2000 "
                                                "nested calls (unbounded recursion?)")


# --------------------------------------------------------------------------- 5: concurrent writes


def test_defect5_concurrent_trace_writes_never_collide(tmp_path: Any) -> None:
    """Two runs writing one trace name used the same fixed `<trace>.tmp`: one failed or left a mix."""
    m = PhilFlat(3, True)
    cxs = [build(m, "deadlock_free", f"run {k}", (0, 0, 1, 1), None) for k in range(8)]
    target = str(tmp_path / "t.itf.json")
    errors: list[BaseException] = []

    def writer(cx: Any) -> None:
        try:
            for _ in range(20):
                write_itf(cx, target)
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(cx,)) for cx in cxs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert read_itf(target).reason in {f"run {k}" for k in range(8)}
    assert os.listdir(tmp_path) == ["t.itf.json"]  # no temporary file left behind


def test_defect5_unwritable_report_is_refused_before_any_work(tmp_path: Any, capsys: Any,
                                                             monkeypatch: Any) -> None:
    out = tmp_path / "rep"
    out.mkdir()
    (out / "results.jsonl").write_text("previous\n")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p).endswith("results.jsonl") else
                        real_access(p, mode))
    code, stdout, err = cli(capsys, "report", "specs/models/phil_flat.yaml", "--out", str(out))
    assert code == 2 and stdout == "" and "results.jsonl: not writable" in err
    assert (out / "results.jsonl").read_text() == "previous\n"


# --------------------------------------------------------------------------- 6: YAML aliases

LAUGHS = "".join(f"  {c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefg", "bcdefgh"))


@pytest.mark.parametrize("text, where, message", [
    ("name: x\nmodel: checker.examples:phil_flat\nargs:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
     + LAUGHS, "s.yaml:4:25", "the value is too large: more than 10000 YAML nodes once its aliases are expanded"),
    ("name: x\nmodel: checker.examples:phil_flat\nargs: {a: &r [*r]}\n", "s.yaml:3:11",
     "the value nests deeper than 50 levels (a recursive alias?)"),
    ("name: x\nmodel: checker.examples:phil_flat\nsweep: {a: &r [*r]}\n", "s.yaml:3:12",
     "the value nests deeper than 50 levels (a recursive alias?)"),
    ("name: x\nmodel: checker.examples:phil_flat\nsweep: {bounds.max_depth: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],\n"
     "  bounds.max_states: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], bounds.timeout_s: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}\n",
     "s.yaml:4:73", "the sweep has more than 1000 points"),
    ("name: x\nargs: " + "[" * 100 + "]" * 100 + "\n", "s.yaml:2:70", "the YAML nests deeper than 64 levels"),
    ("name: x\nargs: [" + "a, " * 60_000 + "]\n", "s.yaml:2:149987", "the YAML holds more than 50000 nodes"),
])
def test_defect6_yaml_aliases_and_nesting_are_bounded(tmp_path: Any, capsys: Any, text: str, where: str,
                                                      message: str) -> None:
    os.chdir(tmp_path)
    write(tmp_path, "s.yaml", text)
    code, _, err = cli(capsys, "s.yaml", "--timeout", "1")
    assert code == 2 and err.startswith(f"error: {where}: {message}"), err


# --------------------------------------------------------------------------- 7: the frontend recursing


def nested_ifs(n: int) -> str:
    return "package main\n\nfunc main() {\n\tx := 1\n" + "if x > 0 {\n" * n + "x++\n" + "}\n" * n + "}\n"


def long_sum(n: int) -> str:
    return "package main\n\nfunc main() {\n\tx := " + " + ".join(["1"] * n) + "\n\t_ = x\n}\n"


@pytest.mark.parametrize("source, where", [(nested_ifs(330), (70, 4)), (long_sum(1000), (4, 7))])
def test_defect7_deep_programs_are_refused_with_a_position(source: str, where: tuple[int, int]) -> None:
    with pytest.raises(InputError) as e:
        compile_go(source, "deep.go")
    assert (e.value.file, e.value.line, e.value.col) == ("deep.go", *where)
    assert e.value.message.startswith("the program nests too deeply (200 syntax levels at most")


def test_defect7_programs_within_the_depth_limit_compile() -> None:
    assert list(compile_go(nested_ifs(60), "ok.go").functions) == ["init$", "main"]
    assert list(compile_go(long_sum(190), "ok.go").functions) == ["init$", "main"]


# --------------------------------------------------------------------------- 8: output paths


def test_defect8_unwritable_trace_folder_still_prints_the_verdicts(tmp_path: Any, capsys: Any) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, out, err = cli(capsys, ABBA, "--json", "--traces", str(blocker / "traces"))
    assert code == 0  # the verdicts are the expected ones; only the trace files are lost
    props = json.loads(out)["properties"]
    assert props["deadlock_free"]["verdict"] == "violated" and props["deadlock_free"]["trace"] is None
    assert err.count("warning: cannot write the trace of") == 3 and "Not a directory" in err


def test_defect8_a_300_character_spec_name_gets_a_trace_file(tmp_path: Any, capsys: Any) -> None:
    s = write(tmp_path, "long.yaml", "name: " + "n" * 300 + "\nmodel: checker.examples:phil_flat\n"
                                     "args: {n: 3, deadlock: true}\nproperties: [deadlock_free]\n")
    code, out, _ = cli(capsys, s, "--json", "--traces", str(tmp_path / "tr"))
    assert code == 1
    trace = json.loads(out)["properties"]["deadlock_free"]["trace"]
    assert os.path.basename(trace) == "n" * 80 + ".deadlock_free.itf.json" and read_itf(trace).path


def test_defect8_view_html_never_overwrites_its_input_or_a_folder(tmp_path: Any, capsys: Any) -> None:
    cx = build(PhilFlat(3, True), "deadlock_free", "stuck", (0, 0, 1, 1), None)
    trace = write_itf(cx, str(tmp_path / "t.itf.json"))
    before = open(trace).read()
    code, _, err = cli(capsys, "view", trace, "--html", trace)
    assert code == 2 and "it would be overwritten" in err and open(trace).read() == before
    code, _, err = cli(capsys, "view", trace, "--html", str(tmp_path))
    assert code == 2 and "is a directory; give a file name" in err
    code, out, _ = cli(capsys, "view", trace, "--html", str(tmp_path / "page.html"))
    assert code == 0 and out.startswith("wrote ") and (tmp_path / "page.html").read_text().startswith("<!DOCTYPE")


def test_defect8_run_log_never_overwrites_the_program(tmp_path: Any, capsys: Any) -> None:
    go = write(tmp_path, "p.go", "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(1)\n}\n")
    code, out, err = cli(capsys, "run", go, "--log", go)
    assert code == 2 and out == "" and "is the input file" in err
    assert open(go).read().startswith("package main")
    code, _, err = cli(capsys, "run", go, "--log", str(tmp_path))
    assert code == 2 and "is a directory" in err
    code, out, _ = cli(capsys, "run", go, "--log", str(tmp_path / "log.jsonl"))
    assert code == 0 and out == "1\n" and (tmp_path / "log.jsonl").read_text().count("\n") >= 2


def test_defect8_report_into_an_unwritable_place_keeps_the_verdicts(tmp_path: Any, capsys: Any) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, out, err = cli(capsys, "report", "specs/models/phil_flat.yaml", "--out", str(blocker / "rep"))
    assert code == 2 and out == "ok   phil-flat-5\n"
    assert "cannot write the report under" in err and "the verdicts are the lines above" in err


# --------------------------------------------------------------------------- 9: the trace reader


def _trace_doc() -> dict[str, Any]:
    return {"#meta": {"format": "gocheck-itf/1", "property": "p", "path": "0/0", "reason": "", "loop": None},
            "vars": ["x"], "states": [{"mbt::actionTaken": "init", "x": 1}, {"mbt::actionTaken": "a", "x": 2}]}


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["states"][1].update(x={"#bigint": "x"}), "state 1: '#bigint' must be a string of decimal digits"),
    (lambda d: d["states"][1].update(x={"#bigint": 7}), "state 1: '#bigint' must be a string of decimal digits"),
    (lambda d: d["states"][1].update(x={"#map": [1, 2, 3]}), "state 1: '#map' must be a list of [key, value] pairs"),
    (lambda d: d["states"][1].update(x={"#set": 3}), "state 1: '#set' must be a list"),
    (lambda d: d["states"][1].update({"mbt::position": {"line": 3}}), "state 1: 'mbt::position' must be a string"),
    (lambda d: d["states"][0].update({"mbt::actor": ["G1"]}), "state 0: 'mbt::actor' must be a string"),
    (lambda d: d["#meta"].update(loop=True), "'#meta.loop' True is not a state index"),
    (lambda d: d["#meta"].update(path="0/-1"), "'#meta.path' '0/-1' holds a negative index"),
    (lambda d: d["#meta"].update(spec=["a"]), "'#meta.spec' must be a string"),
    (lambda d: d["states"][1].update(x=json.loads("[" * 200 + "]" * 200)), "state 1: a value nests deeper than 100"),
])
def test_defect9_trace_reader_refuses_malformed_values(tmp_path: Any, capsys: Any, edit: Any, message: str) -> None:
    doc = _trace_doc()
    edit(doc)
    p = write(tmp_path, "t.json", json.dumps(doc))
    code, _, err = cli(capsys, "view", p)
    assert code == 2 and f"not a valid trace file: {message}" in err, err


def test_defect9_deeply_nested_json_and_huge_traces(tmp_path: Any, capsys: Any, monkeypatch: Any) -> None:
    p = write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    code, _, err = cli(capsys, "view", p)
    assert code == 2 and "not a valid trace file (RecursionError" in err
    import checker.trace
    monkeypatch.setattr(checker.trace, "MAX_TRACE_BYTES", 1000)
    p = write(tmp_path, "big.json", json.dumps(_trace_doc()) + " " * 1000)
    code, _, err = cli(capsys, "view", p)
    assert code == 2 and "trace file is larger than the limit of 1000 bytes" in err


# --------------------------------------------------------------------------- 10: --procs


@pytest.mark.parametrize("loops", ["-1", "1000000000", "x"])
def test_replay_loops_is_range_checked(capsys: Any, loops: str) -> None:
    """`--loops 1000000000` copied a lasso's loop a billion times."""
    code, _, err = cli(capsys, "replay", "--on", "reference", "t.json", "--loops", loops)
    assert code == 2 and "--loops must be" in err


@pytest.mark.parametrize("procs", ["0", "-1", "1000000000", "two"])
def test_defect10_procs_is_range_checked(tmp_path: Any, capsys: Any, procs: str) -> None:
    go = write(tmp_path, "p.go", "package main\n\nfunc main() {\n}\n")
    code, _, err = cli(capsys, "run", go, "--procs", procs)
    assert code == 2 and "--procs must be" in err
    code, _, err = cli(capsys, "replay", "--on", "reference", str(tmp_path / "t.json"), "--procs", procs)
    assert code == 2 and "--procs must be" in err


# --------------------------------------------------------------------------- 11: odd files


def test_defect11_nul_byte_and_devices(tmp_path: Any, capsys: Any) -> None:
    os.chdir(tmp_path)
    write(tmp_path, "nul.yaml", 'name: x\nsource_file: "a\\0b.go"\n')
    code, _, err = cli(capsys, "nul.yaml")
    assert code == 2 and err == "error: nul.yaml:2:14: source_file contains a NUL byte\n"
    code, _, err = cli(capsys, "/dev/zero")
    assert code == 2 and err == "error: /dev/zero:1:1: cannot read spec file: it is a device, pipe or socket, not a regular file\n"
    os.symlink("/dev/zero", tmp_path / "zero.go")
    write(tmp_path, "z.yaml", "name: x\nsource_file: zero.go\n")
    code, _, err = cli(capsys, "z.yaml")
    assert code == 2 and err == ("error: z.yaml:2:14: source_file 'zero.go' is outside the spec's folder; the checker "
                                 "reads only files next to (or below) the spec unless you pass --allow-outside-source\n")
    code, _, err = cli(capsys, "z.yaml", "--allow-outside-source")
    assert code == 2 and "cannot read source_file 'zero.go': cannot read source_file: it is a device" in err
    cx = build(PhilFlat(3, True), "deadlock_free", "", (0,), None, spec_path="/dev/zero")
    code, out, _ = cli(capsys, "view", write_itf(cx, str(tmp_path / "t.itf.json")))
    assert code == 0 and "Property  deadlock_free" in out


def test_defect11_size_limits_hold_before_reading(tmp_path: Any) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("name: x\nabout: '" + "a" * MAX_SPEC_BYTES + "'\n")
    with pytest.raises(InputError, match=r"spec file is larger than the limit of 1048576 bytes \(1048594 bytes\)"):
        load_spec(str(big))
    with pytest.raises(InputError, match="larger than the limit of 10 bytes"):
        read_text(str(big), 10, "x")


def test_defect11_latin1_byte_in_go_is_bad_input(tmp_path: Any, capsys: Any) -> None:
    os.chdir(tmp_path)
    (tmp_path / "lat.go").write_bytes(b"package main\n\nfunc main() { // caf\xe9\n}\n")
    for args in (("run", "lat.go"), ("ir", "lat.go")):
        code, _, err = cli(capsys, *args)
        assert code == 2 and err == "error: lat.go:3:21: Go file must be UTF-8 text: byte 0xe9 is not valid UTF-8\n"
    write(tmp_path, "lat.yaml", "name: x\nsource_file: lat.go\n")
    code, _, err = cli(capsys, "lat.yaml")
    assert code == 2 and err == "error: lat.go:3:21: source_file must be UTF-8 text: byte 0xe9 is not valid UTF-8\n"


# --------------------------------------------------------------------------- 12: confinement, escaping


def test_defect12_source_file_outside_the_spec_folder(tmp_path: Any, capsys: Any) -> None:
    secret = tmp_path / "secret.go"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    sub = tmp_path / "sub"
    sub.mkdir()
    os.chdir(sub)
    for rel in ("../secret.go", str(secret), "/etc/passwd"):
        write(sub, "s.yaml", f"name: x\nsource_file: {rel}\n")
        code, _, err = cli(capsys, "s.yaml")
        assert code == 2 and "root:" not in err
        assert "is outside the spec's folder" in err or "must name a Go file (ending in .go)" in err
    write(sub, "s.yaml", "name: x\nsource_file: ../secret.go\n")
    code, _, err = cli(capsys, "s.yaml", "--allow-outside-source")
    assert code == 2 and err == "error: ../secret.go:1:8: Go syntax error: unexpected '...'\n"


def test_defect12_spec_name_cannot_forge_markdown(tmp_path: Any, capsys: Any) -> None:
    s = write(tmp_path, "inj.yaml", 'name: "x | holds |\\n# Injected"\nmodel: checker.examples:phil_flat\n'
                                    "args: {n: 3}\n")
    code, out, _ = cli(capsys, "report", s, "--out", str(tmp_path / "rep"))
    assert code == 0
    md = (tmp_path / "rep" / "results.md").read_text()
    assert "\n# Injected" not in md and "| x \\| holds \\| # Injected | assertion | holds |" in md


# --------------------------------------------------------------------------- 13: messages, paths


def test_defect13_inline_source_error_points_at_the_yaml_line(tmp_path: Any, capsys: Any) -> None:
    os.chdir(tmp_path)
    write(tmp_path, "il.yaml", "name: il\nsource: |\n  package main\n\n  func main() {\n  \tx := 1 +\n  }\n")
    code, _, err = cli(capsys, "il.yaml")
    assert code == 2 and err == "error: il.yaml:6:11: Go syntax error: unexpected '+'\n"
    write(tmp_path, "q.yaml", 'name: q\nsource: "package main\\nfunc main() { x := 1 + }"\n')
    code, _, err = cli(capsys, "q.yaml")
    assert code == 2 and err == "error: q.yaml:2:9: Go syntax error: unexpected '+' (inline source, Go line 2 col 22)\n"


def test_defect13_entry_error_points_at_entry(tmp_path: Any, capsys: Any) -> None:
    os.chdir(tmp_path)
    write(tmp_path, "e.yaml", "name: e\nentry: nope\nsource: |\n  package main\n  func main() {}\n")
    code, _, err = cli(capsys, "e.yaml")
    assert code == 2 and err == "error: e.yaml:2:8: entry function nope not found\n"


def test_defect13_flag_errors_name_the_flag(tmp_path: Any, capsys: Any) -> None:
    code, _, err = cli(capsys, "specs/models/phil_flat.yaml", "--max-states", "100000000000")
    assert code == 2 and err == "error: --max-states: bounds.max_states must be between 1 and 1e+10, got 100000000000\n"


def test_defect13_traces_replay_from_another_directory(tmp_path: Any, capsys: Any) -> None:
    trace = abba_trace(tmp_path, capsys)
    assert read_itf(trace).spec_path == "specs/abba_deadlock.yaml"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.chdir(elsewhere)
    code, out, err = cli(capsys, "replay", "--trace", trace)
    assert code == 0 and "Verdict   violated" in out and err == ""
    code, out, err = cli(capsys, "view", trace)
    assert code == 0 and "warning" not in out and "cannot be loaded" not in out


def test_defect13_a_moved_tree_finds_its_spec_relative_to_the_trace(tmp_path: Any) -> None:
    (tmp_path / "proj" / "specs").mkdir(parents=True)
    spec = tmp_path / "proj" / "specs" / "a.yaml"
    spec.write_text(open(ABBA).read())
    cx = build(PhilFlat(3, True), "deadlock_free", "", (0,), None, spec_path=str(spec))
    write_itf(cx, str(tmp_path / "proj" / "reports" / "t.itf.json"))
    os.rename(tmp_path / "proj", tmp_path / "moved")
    got = read_itf(str(tmp_path / "moved" / "reports" / "t.itf.json"))
    assert got.spec_file == str(tmp_path / "moved" / "reports" / ".." / "specs" / "a.yaml")


# --------------------------------------------------------------------------- memory, internal errors


def test_max_memory_mb_ends_the_search_unknown(tmp_path: Any, capsys: Any) -> None:
    r = explore(PhilFlat(6), max_memory_mb=1)
    assert not r.stats.complete and r.stats.stop_reason == "max_memory_mb 1 reached"
    # stopped at the first look (128 states expanded, 240 found): no verdict but the witness found on the way
    assert r.stats.states == 240
    assert {n: pr.verdict.kind for n, pr in r.results.items()} == {"assertion": "unknown", "deadlock_free": "unknown",
                                                                  "someone eats": "holds"}
    s = write(tmp_path, "m.yaml", "name: m\nmodel: checker.examples:phil_flat\nargs: {n: 6}\nbounds: {max_memory_mb: 1}\n")
    code, out, _ = cli(capsys, s, "--json", "--traces", "none")
    assert code == 3 and json.loads(out)["properties"]["assertion"]["reason"] == "max_memory_mb 1 reached"


def test_internal_error_exits_4_with_the_traceback_in_a_file(tmp_path: Any) -> None:
    """A bug in the checker is never exit 1: one line, exit 4, the traceback in a temp file."""
    code = ("import sys, gocheck.pipeline as p\n"
            "def boom(*a, **k):\n    raise ZeroDivisionError('boom')\n"
            "p.check_spec = boom\nfrom gocheck.cli import main\nsys.exit(main(sys.argv[1:]))\n")
    r = subprocess.run([sys.executable, "-c", code, "specs/models/phil_flat.yaml"], capture_output=True, text=True,
                       cwd=ROOT, timeout=60, env={**os.environ, "PYTHONPATH": ROOT, "TMPDIR": str(tmp_path)})
    assert r.returncode == 4 and r.stdout == ""
    line, = r.stderr.splitlines()
    assert line.startswith("internal error: ZeroDivisionError: boom -- this is a bug in the checker")
    crash = line.rsplit(" ", 1)[1]
    assert crash.startswith(str(tmp_path)) and "Traceback" in open(crash).read()


def test_load_spec_text_refuses_oversized_text() -> None:
    with pytest.raises(InputError, match="spec is larger than the limit"):
        load_spec_text("name: x\n" + "#" * MAX_SPEC_BYTES, "big.yaml")


# --------------------------------------------------------------------------- beyond the list


@pytest.mark.parametrize("when, message", [
    ("(" * 3000 + "1" + ")" * 3000, "is longer than 200 tokens"),
    ('x == "\\N{foo}"', "cannot parse outcome 'x == \"\\\\N{foo}\"': SyntaxError"),
])
def test_outcome_expressions_are_bounded(tmp_path: Any, capsys: Any, when: str, message: str) -> None:
    """A 3,000-deep outcome was a RecursionError (exit 4); a string Python cannot read a SyntaxError."""
    s = write(tmp_path, "o.yaml", "name: o\nsource: |\n  package main\n  var x int\n  func main() {}\n"
                                  f"outcomes: [{{when: '{when}', expect: allowed}}]\n")
    code, _, err = cli(capsys, s)
    assert code == 2 and err.startswith(f"error: {s}:6:12: ") and message in err, err


def test_spec_name_markup_is_printed_literally(tmp_path: Any, capsys: Any) -> None:
    s = write(tmp_path, "m.yaml", "name: '[bold red]x[/] [link=http://e]y'\nmodel: checker.examples:phil_flat\n"
                                  "args: {n: 3}\n")
    code, out, _ = cli(capsys, s, "--traces", "none")
    assert code == 0 and out.splitlines()[0].strip() == "[bold red]x[/] [link=http://e]y"


def test_two_reports_at_once_leave_whole_files(tmp_path: Any) -> None:
    """Defect 5: two `report` runs at once failed in 2 of 3 rounds and left an invalid line."""
    specs = ["specs/models/phil_flat.yaml", "specs/models/phil_flat_deadlock.yaml", "specs/abba_deadlock.yaml"]
    out = str(tmp_path / "rep")
    procs = [subprocess.Popen([sys.executable, "-m", "checker", "report", *specs, "--out", out], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": ROOT}) for _ in range(2)]
    for p in procs:
        stdout, stderr = p.communicate(timeout=120)
        assert p.returncode == 0 and "Traceback" not in stderr, stderr
    lines = [json.loads(x) for x in open(os.path.join(out, "results.jsonl"))]
    assert [x["name"] for x in lines] == ["phil-flat-5", "phil-flat-5-deadlock", "abba_deadlock"]
    assert sorted(os.listdir(out)) == ["results.jsonl", "results.md", "traces"]
    assert sorted(os.listdir(os.path.join(out, "traces"))) == [
        "abba_deadlock.deadlock_free.itf.json", "abba_deadlock.leak_free.itf.json",
        "abba_deadlock.terminates.itf.json", "phil-flat-5-deadlock.deadlock_free.itf.json"]


def test_interrupted_report_keeps_the_previous_one(tmp_path: Any) -> None:
    """Defect 5: Ctrl-C during `report` cut results.jsonl from 81 lines to 27."""
    import signal
    import time
    big = write(tmp_path, "big.yaml", "name: big\nmodel: checker.examples:phil_flat\nargs: {n: 12}\n")
    out = tmp_path / "rep"
    out.mkdir()
    (out / "results.jsonl").write_text('{"previous": 1}\n')
    (out / "results.md").write_text("# previous\n")
    proc = subprocess.Popen([sys.executable, "-m", "checker", "report", "specs/models/phil_flat.yaml", big,
                             "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": ROOT})
    ticks = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # interrupt once the child has spent 1.2 s of CPU (it is in big's search)
        with open(f"/proc/{proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        if (int(fields[11]) + int(fields[12])) / ticks >= 1.2:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 3 and "Traceback" not in stderr
    assert stdout == "ok   phil-flat-5\n" and "interrupted: the previous report is left as it was" in stderr
    assert (out / "results.jsonl").read_text() == '{"previous": 1}\n'
    assert (out / "results.md").read_text() == "# previous\n"
    assert sorted(os.listdir(out)) == ["results.jsonl", "results.md"]


def test_ir_dump_of_a_huge_line_is_linear_and_cut() -> None:
    """A 1 MiB Go file on one line made `ir` print the whole line per instruction (split again each
    time): quadratic time and gigabytes of output.  Lines are split once and cut at 200 characters."""
    from models.lang import format_program
    src = "package main\n\nfunc main() {\n\tx := 0\n\t" + "x++; " * 20_000 + "\n\t_ = x\n}\n"
    dump = format_program(compile_go(src, "long.go"))
    rows = [r for r in dump.splitlines() if "// 5: x++; x++;" in r]
    assert len(rows) == 40_000 and all(r.endswith(" ...") and len(r) < 300 for r in rows)


def test_go_test_flags_never_crash_or_overwrite(tmp_path: Any, capsys: Any) -> None:
    """`test -run (` was exit 4 (re.error); `test --sarif a_test.go` overwrote the test file."""
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    src = "package m\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) {\n}\n"
    (tmp_path / "a_test.go").write_text(src)
    os.chdir(tmp_path)
    code, _, err = cli(capsys, "test", "-run", "(")
    assert code == 2 and err.startswith("error: -run '(': not a regular expression (missing )")
    code, _, err = cli(capsys, "test", "--sarif", "a_test.go")
    assert code == 2 and err == "error: --sarif a_test.go: is the input file a_test.go; it would be overwritten\n"
    code, _, err = cli(capsys, "test", "--junit", "go.mod")
    assert code == 2 and "is the input file" in err
    assert (tmp_path / "a_test.go").read_text() == src
    code, out, _ = cli(capsys, "test", "--sarif", "out.sarif")
    assert code == 0 and json.loads((tmp_path / "out.sarif").read_text())["version"] == "2.1.0"


@pytest.mark.parametrize("content, message", [
    ('{"rows": [1]}', "not a published verdicts file (TypeError"),
    ("{", "not a published verdicts file (JSONDecodeError"),
])
def test_reproduce_refuses_a_bad_published_file(tmp_path: Any, capsys: Any, content: str, message: str) -> None:
    """A corrupt --published file was exit 4; /dev/zero read until MemoryError."""
    pub = write(tmp_path, "pub.json", content)
    code, _, err = cli(capsys, "reproduce", "--published", pub, "--out", str(tmp_path / "rep"))
    assert code == 2 and err.startswith(f"error: {pub}:1:1: {message}")
    code, _, err = cli(capsys, "reproduce", "--published", "/dev/zero", "--out", str(tmp_path / "rep"))
    assert code == 2 and "it is a device, pipe or socket, not a regular file" in err


def test_hostile_waits_for_graph_does_not_hang_the_view(tmp_path: Any, capsys: Any) -> None:
    """A trace whose #meta.waits_for is a complete graph on 25 nodes (astronomically many simple
    cycles) hung `view`; the cycle search now looks at a bounded number of cycles."""
    cx = build(PhilFlat(3, True), "deadlock_free", "stuck", (0, 0, 1, 1), None, kind="deadlock")
    nodes = ["phil0", "phil1", "phil2"] + [f"G{i}" for i in range(22)]
    cx.meta["waits_for"] = [[a, b, "x"] for a in nodes for b in nodes if a != b]
    trace = write_itf(cx, str(tmp_path / "w.itf.json"))
    code, out, _ = cli(capsys, "view", trace, "--no-spec")
    assert code == 0 and "Waits" in out
    code, out, _ = cli(capsys, "view", trace, "--no-spec", "--html", str(tmp_path / "w.html"))
    assert code == 0


def test_a_step_cannot_allocate_without_limit(tmp_path: Any, capsys: Any) -> None:
    """Doubling a string 40 times in one loop reached 2^33 bytes before the search's periodic memory
    look (MemoryError, exit 4, or the machine's memory); a string past 1 MiB is now a model limit."""
    s = write(tmp_path, "big.yaml", "name: big\nsource: |\n  package main\n  import \"fmt\"\n  func main() {\n"
                                    "  \ts := \"x\"\n  \tfor i := 0; i < 40; i++ {\n  \t\ts = s + s\n  \t}\n"
                                    "  \tfmt.Println(s == \"\")\n  }\n")
    code, out, _ = cli(capsys, s, "--json", "--traces", "none")
    assert code == 3
    assert json.loads(out)["properties"]["panic_free"]["reason"] == (
        "the model hit a bound: a string longer than 1048576 characters (the model's limit)")


def test_a_huge_shift_is_zero_not_a_huge_integer() -> None:
    """`x << 4000000000` built a 500 MB Python integer before wrapping it to 64 bits."""
    from gocheck.factory import build_model
    from tests.helpers import exit_outputs
    spec = load_spec_text("name: sh\nsource: |\n  package main\n  import \"fmt\"\n  func main() {\n  \tx := 3\n"
                          "  \tn := 4000000000\n  \tfmt.Println(x << n, x >> n, -x >> n)\n  }\n", "sh.yaml")
    assert exit_outputs(build_model(spec)) == {("0 0 -1\n", None)}


@pytest.mark.parametrize("flags, message", [
    (["--from", "100000000000000000000", "--to", "-3"], "--from 100000000000000000000: the trace has steps 0..3"),
    (["--from", "3", "--to", "1"], "--from 3 is after --to 1"),
    (["--vars", "phil,nope"], "--vars: the trace has no variable nope; it has: eating, forks, phil"),
    (["--actor", "nope"], "--actor nope: no step of the trace is by it; actors: phil0, phil1, phil2"),
])
def test_view_filters_that_match_nothing_are_errors(tmp_path: Any, capsys: Any, flags: list[str],
                                                    message: str) -> None:
    """They exited 0 with an empty view: a typo in a filter looked like an empty trace."""
    trace = write_itf(build(PhilFlat(3, True), "deadlock_free", "stuck", (0, 0, 1, 1), None), str(tmp_path / "t.json"))
    code, out, err = cli(capsys, "view", trace, *flags)
    assert code == 2 and out == "" and err == f"error: {message}\n"


def test_a_fifo_is_refused_without_blocking(tmp_path: Any, capsys: Any) -> None:
    """Opening a FIFO for reading blocks until a writer comes: inputs are opened non-blocking and
    refused unless they are regular files (a spec, a source_file, a trace)."""
    os.mkfifo(tmp_path / "f.yaml")
    os.mkfifo(tmp_path / "f.go")
    os.chdir(tmp_path)
    code, _, err = cli(capsys, "f.yaml")
    assert code == 2 and err == "error: f.yaml:1:1: cannot read spec file: it is a device, pipe or socket, not a regular file\n"
    write(tmp_path, "s.yaml", "name: s\nsource_file: f.go\n")
    code, _, err = cli(capsys, "s.yaml")
    assert code == 2 and "cannot read source_file 'f.go': cannot read source_file: it is a device, pipe" in err
    code, _, err = cli(capsys, "view", "f.yaml")
    assert code == 2 and "cannot read trace file: it is a device, pipe or socket" in err
