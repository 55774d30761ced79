"""``python -m checker test``: Go packages checked the way ``go test`` runs them (issue 18)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from tests.helpers import ROOT

SHOP = os.path.join(ROOT, "examples", "shop")
ENV = {**os.environ, "PYTHONPATH": ROOT}


def gocheck_test(*args: str, cwd: str = SHOP) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "checker", "test", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=ENV)


@pytest.fixture(scope="module")
def whole_module(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], str]:
    out = tmp_path_factory.mktemp("shop")
    traces = str(out / "traces")
    p = gocheck_test("./...", "--traces", traces, "--sarif", str(out / "r.sarif"), "--junit", str(out / "r.xml"))
    return p, str(out)


def test_finds_exactly_the_two_bugs_and_exits_1(whole_module) -> None:
    p, _ = whole_module
    assert p.returncode == 1, p.stderr
    fails = re.findall(r"^--- FAIL: (\w+)", p.stdout, re.M)
    assert fails == ["TestPutWhileReporting", "TestFetchTimeout"]
    assert re.findall(r"^(ok  |FAIL|\?   )\t(\S+)", p.stdout, re.M) == [
        ("FAIL", "example.com/shop/internal/cache"), ("FAIL", "example.com/shop/worker"),
        ("?   ", "example.com/shop")]
    # the lock-order deadlock goes through two files of the package; the leak is the worker's send
    assert ("    internal/cache/len.go:5: deadlock_free violated: fatal error: all goroutines are asleep - deadlock! "
            "(G1 internal/cache/len.go:5 sync.Mutex.Lock c.mu: c.mu.Lock(); G2 internal/cache/stats.go:13 "
            "sync.Mutex.Lock s.mu: s.mu.Lock())") in p.stdout.splitlines()
    assert "    worker/worker.go:27: leak_free violated: G2 blocked forever: no continuation from here unblocks it" \
        in p.stdout.splitlines()


def test_run_selects_tests_as_go_does() -> None:
    p = gocheck_test("./...", "-run", "PutGet", "-v", "--traces", "none")
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.findall(r"^=== RUN   (\w+)", p.stdout, re.M) == ["TestPutGet"]
    assert "    16 states, 15 transitions" in p.stdout
    p = gocheck_test("./worker", "-run", "Fetch", "--traces", "none")
    assert p.returncode == 1 and re.findall(r"^--- FAIL: (\w+)", p.stdout, re.M) == ["TestFetchTimeout"]
    p = gocheck_test("./worker", "-run", "Buffered$", "--traces", "none")
    assert p.returncode == 0 and p.stdout.startswith("ok  \texample.com/shop/worker\t")


_ACTIONS = {"start", "run", "pause", "cont", "pass", "bench", "fail", "output", "skip"}


def test_json_is_a_test2json_stream() -> None:
    """Every line is a TestEvent of cmd/test2json: Time (RFC 3339), Action, Package, and optional
    Test, Elapsed (seconds) and Output; each test runs, outputs, then passes or fails."""
    p = gocheck_test("./...", "-json", "--traces", "none")
    assert p.returncode == 1
    events = [json.loads(line) for line in p.stdout.splitlines()]
    for e in events:
        assert set(e) <= {"Time", "Action", "Package", "Test", "Elapsed", "Output"}, e
        assert e["Action"] in _ACTIONS and isinstance(e["Package"], str)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", e["Time"])
        assert isinstance(e.get("Elapsed", 0.0), (int, float)) and isinstance(e.get("Output", ""), str)
    ends = [(e["Package"], e.get("Test"), e["Action"]) for e in events if e["Action"] in ("pass", "fail", "skip")]
    assert ends == [
        ("example.com/shop/internal/cache", "TestPutGet", "pass"),
        ("example.com/shop/internal/cache", "TestPutWhileReporting", "fail"),
        ("example.com/shop/internal/cache", None, "fail"),
        ("example.com/shop/worker", "TestFetchTimeout", "fail"),
        ("example.com/shop/worker", "TestFetchBuffered", "pass"),
        ("example.com/shop/worker", None, "fail"),
        ("example.com/shop", None, "skip"),
    ]
    for pkg, test, _ in ends:
        if test:
            acts = [e["Action"] for e in events if e["Package"] == pkg and e.get("Test") == test]
            assert acts[0] == "run" and acts[-1] in ("pass", "fail") and set(acts[1:-1]) == {"output"}


@pytest.mark.skipif(shutil.which("gotestsum") is None, reason="gotestsum (Debian package) is not installed")
def test_gotestsum_reads_the_stream() -> None:
    p = subprocess.run(["gotestsum", "--raw-command", "--format", "testname", "--", sys.executable, "-m", "checker",
                        "test", "./...", "-json", "--traces", "none"], cwd=SHOP, capture_output=True, text=True,
                       timeout=300, env=ENV)
    assert p.returncode == 1
    assert "DONE 4 tests, 2 failures" in p.stdout
    assert "FAIL internal/cache.TestPutWhileReporting" in p.stdout and "PASS worker.TestFetchBuffered" in p.stdout


def test_sarif_has_every_field_sarif_2_1_0_requires(whole_module) -> None:
    _, out = whole_module
    with open(os.path.join(out, "r.sarif")) as f:
        log = json.load(f)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "gocheck"
    assert {r["id"] for r in driver["rules"]} == {"deadlock_free", "leak_free"}
    results = run["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results] == [
        ("deadlock_free", "internal/cache/len.go", 5), ("leak_free", "internal/cache/stats.go", 13),
        ("leak_free", "worker/worker.go", 27)]
    for r in results:
        assert r["level"] in ("none", "note", "warning", "error") and r["message"]["text"]
        for k, rel in enumerate(r["relatedLocations"]):
            assert rel["id"] == k and rel["physicalLocation"]["region"]["startLine"] >= 1
        assert os.path.exists(r["attachments"][0]["artifactLocation"]["uri"])
    assert [rel["message"]["text"] for rel in results[0]["relatedLocations"]] == ["G1's last step", "G2's last step"]


def test_junit_report(whole_module) -> None:
    _, out = whole_module
    root = ET.parse(os.path.join(out, "r.xml")).getroot()
    suites = {s.get("name"): (s.get("tests"), s.get("failures")) for s in root.iter("testsuite")}
    assert suites == {"example.com/shop/internal/cache": ("2", "1"), "example.com/shop/worker": ("2", "1")}
    failed = [c.get("name") for c in root.iter("testcase") if c.find("failure") is not None]
    assert failed == ["TestPutWhileReporting", "TestFetchTimeout"]


def _module(tmp_path, files: dict[str, str]) -> str:
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return str(tmp_path)


def test_gocheck_yaml_sets_defaults_and_per_test_overrides(tmp_path) -> None:
    shutil.copytree(SHOP, tmp_path / "shop")
    root = str(tmp_path / "shop")
    (tmp_path / "shop" / "gocheck.yaml").write_text(
        "properties: [deadlock_free, leak_free]\n"
        "tests:\n"
        "  TestFetchTimeout: {expect: {leak_free: violated}}\n"
        "  TestPutWhileReporting: {skip: the lock order is being fixed}\n")
    p = gocheck_test("./...", "-v", "--traces", "none", cwd=root)
    assert p.returncode == 0, p.stdout
    assert "--- SKIP: TestPutWhileReporting (0.00s)" in p.stdout
    assert "    leak_free              violated  expected violated" in p.stdout
    assert "race_free" not in p.stdout
    (tmp_path / "shop" / "gocheck.yaml").write_text("tests:\n  TestX: {procs: 2}\n")
    p = gocheck_test("./...", cwd=root)
    assert p.returncode == 2 and "gocheck.yaml:2:11: unknown key 'procs' in tests.TestX" in p.stderr


def test_imports_of_other_modules_are_named(tmp_path) -> None:
    root = _module(tmp_path, {
        "go.mod": "module example.com/m\n\ngo 1.21\n",
        "a/a_test.go": 'package a\n\nimport (\n\t"testing"\n\n\t"github.com/other/lib"\n)\n\n'
                       "func TestA(t *testing.T) { lib.Do() }\n"})
    p = gocheck_test("./...", cwd=root)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert 'a/a_test.go:6:1: import of "github.com/other/lib" from another module' in p.stderr


def test_shadowing_a_renamed_name_is_refused(tmp_path) -> None:
    """Renaming a package's names while a local variable shadows one could change the program: refuse."""
    root = _module(tmp_path, {
        "go.mod": "module example.com/m\n\ngo 1.21\n",
        "dep/dep.go": "package dep\n\nvar count int\n\nfunc Add() int {\n\tcount := 1\n\treturn count\n}\n",
        "use/use_test.go": 'package use\n\nimport (\n\t"testing"\n\n\t"example.com/m/dep"\n)\n\n'
                           "func TestUse(t *testing.T) { dep.Add() }\n"})
    p = gocheck_test("./...", cwd=root)
    assert p.returncode == 2 and "dep/dep.go:6:2: the local name 'count' shadows a package-level name" in p.stderr


def test_replay_of_a_test_trace_rebuilds_the_test(whole_module) -> None:
    _, out = whole_module
    trace = os.path.join(out, "traces", "example.com_shop_worker.TestFetchTimeout.leak_free.itf.json")
    p = subprocess.run([sys.executable, "-m", "checker", "replay", "--trace", trace], cwd=ROOT, capture_output=True,
                       text=True, timeout=120, env=ENV)
    assert p.returncode == 0, p.stderr
    assert "Spec      gotest:" + SHOP + ":worker:TestFetchTimeout" in p.stdout
    assert "Length    12 steps, 3 actors, 4 context switches" in p.stdout


@pytest.mark.skipif(shutil.which("go") is None, reason="the go toolchain is not on PATH")
def test_the_sample_module_is_real_go() -> None:
    p = subprocess.run(["go", "vet", "./..."], cwd=SHOP, capture_output=True, text=True, timeout=300,
                       env={**os.environ, "GOFLAGS": "-mod=mod", "GOCACHE": os.path.join(SHOP, ".gocache")})
    shutil.rmtree(os.path.join(SHOP, ".gocache"), ignore_errors=True)
    assert p.returncode == 0, p.stderr


def test_every_error_of_the_list_names_its_own_file_and_line(tmp_path) -> None:
    """All offending constructs are listed at once; in a package of several files each one names
    the file and line the user wrote, not the merged program's (gocheck.gotest.compile_test)."""
    root = _module(tmp_path, {
        "go.mod": "module example.com/m\n\ngo 1.19\n",
        "p/a.go": "package p\n\nfunc A() {\nloop:\n\tgoto loop\n}\n",
        "p/b_test.go": 'package p\n\nimport "testing"\n\nfunc TestB(t *testing.T) {\n\tA()\nagain:\n\tgoto again\n}\n'})
    p = gocheck_test("./...", cwd=root)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    lines = [ln for ln in p.stderr.splitlines() if "goto" in ln]
    assert len(lines) == 2, p.stderr
    assert "merged.go" not in p.stderr
    assert any("p/a.go:5:2:" in ln for ln in lines) and any("p/b_test.go:8:2:" in ln for ln in lines), p.stderr
