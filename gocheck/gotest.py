"""``python -m checker test [PATTERN ...] [-run REGEX]``: check Go packages the way ``go test`` runs them.

It finds the module from ``go.mod``, loads every package the patterns name
(``./...``, ``./internal/cache``, a directory) with all of its files, its
same-package tests and its ``_test`` package, follows imports between the
module's packages (`models.lang.packages` merges them into one program),
and checks each ``Test*`` function matching ``-run`` with the default
properties, under the defaults of ``gocheck.yaml`` at the module root:

```yaml
properties: [deadlock_free, leak_free, panic_free, race_free]
runtime: {scheduler: abstract}
bounds: {max_states: 200000, timeout_s: 60}
tests:                     # per test: properties, runtime, bounds, expect, skip
  TestPoolShutdown: {bounds: {max_states: 500000}}
  TestKnownLeak: {expect: {leak_free: violated}}
```

Output follows ``go test``: ``=== RUN``, ``--- FAIL: TestX (0.42s)`` with the
property, the reason, the source position and the trace under it,
``--- PASS``, ``ok``/``FAIL`` per package, ``-v`` for the per-property
table, ``-json`` for test2json events; ``--sarif`` and ``--junit`` write
reports for CI.  A test fails when a property is violated (and not expected
to be); a verdict of ``unknown`` is reported and makes the exit status 3
when nothing failed, as for specs.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, TextIO

import yaml

from checker.errors import InputError
from gocheck.pipeline import (
    EXIT_OK,
    EXIT_UNKNOWN,
    EXIT_VIOLATED,
    Options,
    SpecReport,
    check_spec,
    combine,
)
from gocheck.spec import Bounds, Spec, _check_value, _Doc, _options, _properties, load_spec
from models.lang import compile_go
from models.lang.packages import FileMap, GoFile, Part, merge, scan
from models.options import GcOptions, RuntimeOptions
from models.properties import PropertySpec

__all__ = ["Module", "Package", "TestResult", "find_module", "load_any_spec", "load_config", "main_test", "packages_for"]

#: gocheck.yaml keys.
_CONFIG_KEYS = ("properties", "runtime", "bounds", "tests")
_TEST_KEYS = ("properties", "runtime", "bounds", "expect", "skip")
_MAX_FILE = 4 * 1024 * 1024


@dataclass(frozen=True)
class Module:
    root: str
    path: str  # the module path of go.mod
    go: str = ""  # the go directive


@dataclass
class Package:
    """One package directory: its files by role."""

    dir: str
    rel: str  # the directory relative to the module root ("." for the root)
    import_path: str
    name: str = ""
    files: list[GoFile] = field(default_factory=list)  # non-test files
    tests: list[GoFile] = field(default_factory=list)  # same-package _test.go files
    xtests: list[GoFile] = field(default_factory=list)  # package <name>_test files


@dataclass(frozen=True)
class Config:
    properties: tuple[PropertySpec, ...]
    runtime: RuntimeOptions
    bounds: Bounds
    tests: dict[str, dict[str, Any]]
    path: str
    digest: str = ""


@dataclass
class TestResult:
    package: str
    name: str
    file: str
    line: int
    status: str  # pass | fail | skip | unknown
    seconds: float
    report: SpecReport | None = None
    note: str = ""


# --------------------------------------------------------------------------- the module and its packages


def find_module(start: str) -> Module:
    """The module containing `start`: the nearest go.mod at or above it."""
    d = os.path.abspath(start)
    while True:
        gomod = os.path.join(d, "go.mod")
        if os.path.isfile(gomod):
            text = _read(gomod)
            m = re.search(r"^module\s+(\S+)", text, re.M)
            if m is None:
                raise InputError("go.mod has no module directive", gomod, 1, 1)
            g = re.search(r"^go\s+(\S+)", text, re.M)
            return Module(d, m.group(1).strip('"'), g.group(1) if g else "")
        parent = os.path.dirname(d)
        if parent == d:
            raise InputError("no go.mod here or in any parent directory (python -m checker test works on a Go "
                             "module; for one file, write a spec)", start, 1, 1)
        d = parent


def _read(path: str) -> str:
    try:
        if os.path.getsize(path) > _MAX_FILE:
            raise InputError(f"file larger than {_MAX_FILE} bytes", path, 1, 1)
        with open(path, encoding="utf-8") as f:
            return f.read()
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 ({e.reason} at byte {e.start})", path, 1, 1) from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path, 1, 1) from None


def _package_dirs(module: Module, patterns: list[str]) -> list[str]:
    out: list[str] = []
    for pat in patterns or ["."]:
        recursive = pat == "..." or pat.endswith("/...")
        base = pat[: -len("...")].rstrip("/") if recursive else pat
        base = os.path.abspath(base or ".")
        if not base.startswith(module.root):
            raise InputError(f"pattern {pat!r} is outside the module at {module.root}", "<command line>", 1, 1)
        if not os.path.isdir(base):
            raise InputError(f"pattern {pat!r}: no such directory", "<command line>", 1, 1)
        if recursive:
            for d, subdirs, files in os.walk(base):
                subdirs[:] = sorted(s for s in subdirs if not s.startswith((".", "_")) and s not in ("testdata", "vendor")
                                    and not os.path.isfile(os.path.join(d, s, "go.mod")))
                if any(f.endswith(".go") for f in files):
                    out.append(d)
        else:
            if not any(f.endswith(".go") for f in os.listdir(base)):
                raise InputError(f"pattern {pat!r}: no Go files in {base}", "<command line>", 1, 1)
            out.append(base)
    return sorted(dict.fromkeys(out))


def load_package(module: Module, d: str) -> Package:
    rel = os.path.relpath(d, module.root)
    ipath = module.path if rel == "." else f"{module.path}/{rel.replace(os.sep, '/')}"
    pkg = Package(d, rel, ipath)
    for f in sorted(glob.glob(os.path.join(d, "*.go"))):
        src = _read(f)
        if re.search(r"^//go:build\s+ignore\b", src, re.M):
            continue
        gf = scan(os.path.relpath(f, module.root).replace(os.sep, "/"), src)
        if f.endswith("_test.go") and gf.package.endswith("_test"):
            pkg.xtests.append(gf)
        elif f.endswith("_test.go"):
            pkg.tests.append(gf)
        else:
            pkg.files.append(gf)
    names = {g.package for g in pkg.files + pkg.tests}
    if len(names) > 1:
        raise InputError(f"found packages {' and '.join(sorted(names))} in {rel}", d, 1, 1)
    pkg.name = names.pop() if names else (pkg.xtests[0].package.removesuffix("_test") if pkg.xtests else "")
    for x in pkg.xtests:
        if x.package != pkg.name + "_test":
            raise InputError(f"package {x.package} in a test file of package {pkg.name}", x.path, 1, 1)
    return pkg


def packages_for(module: Module, patterns: list[str]) -> list[Package]:
    return [load_package(module, d) for d in _package_dirs(module, patterns)]


# --------------------------------------------------------------------------- one test as a program


def _parts(module: Module, pkg: Package, xtest: bool) -> list[Part]:
    """The package under test (and its external test package) with the module packages they import,
    dependencies first; imports of other modules are an error that names them."""
    cache: dict[str, Package] = {}
    order: list[Part] = []
    state: dict[str, int] = {}

    def imports_of(files: list[GoFile]) -> list[tuple[str, str, int, str]]:
        out = []
        for f in files:
            for _, path, line in f.imports:
                first = path.split("/", 1)[0]
                if path == module.path or path.startswith(module.path + "/"):
                    out.append((path, f.path, line, "module"))
                elif "." in first:
                    raise InputError(f'import of "{path}" from another module: python -m checker test follows '
                                     f"only the packages of module {module.path} (no network, no vendoring)",
                                     os.path.join(module.root, f.path), line, 1)
        return out

    def visit(ipath: str, where: tuple[str, int]) -> None:
        if state.get(ipath) == 2:
            return
        if state.get(ipath) == 1:
            raise InputError(f'import cycle through "{ipath}"', os.path.join(module.root, where[0]), where[1], 1)
        state[ipath] = 1
        rel = ipath[len(module.path):].lstrip("/") or "."
        dep = cache.get(ipath) or load_package(module, os.path.join(module.root, rel))
        cache[ipath] = dep
        if not dep.files:
            raise InputError(f'package "{ipath}" has no Go files', os.path.join(module.root, where[0]), where[1], 1)
        for p, f, line, _ in imports_of(dep.files):
            visit(p, (f, line))
        state[ipath] = 2
        order.append(Part(tuple(dep.files), _prefix(dep.name, ipath), ipath))

    own = pkg.files + pkg.tests
    state[pkg.import_path] = 1
    for p, f, line, _ in imports_of(own):
        if p == pkg.import_path:
            raise InputError("a package cannot import itself", os.path.join(module.root, f), line, 1)
        visit(p, (f, line))
    state[pkg.import_path] = 2
    order.append(Part(tuple(own), "", pkg.import_path))
    if xtest:
        for p, f, line, _ in imports_of(pkg.xtests):
            if p != pkg.import_path:
                visit(p, (f, line))
        tests = frozenset(n for f in pkg.xtests for n, _ in f.tests)
        clash = tests & frozenset().union(*(f.names for f in own))
        if clash:
            f0 = next(f for f in pkg.xtests if any(n in clash for n, _ in f.tests))
            raise InputError(f"test {sorted(clash)[0]} is declared in package {pkg.name} and in {pkg.name}_test",
                             os.path.join(module.root, f0.path), 1, 1)
        order.append(Part(tuple(pkg.xtests), _prefix(pkg.name + "_test", pkg.import_path + "_test"), "<xtest>",
                          keep=tests))
    return order


def _prefix(name: str, ipath: str) -> str:
    return f"{re.sub(r'[^A-Za-z0-9]', '_', name)}_{hashlib.sha1(ipath.encode()).hexdigest()[:4]}__"


@dataclass(frozen=True)
class TestProgram:
    program: Any
    file_map: FileMap
    display: str
    digest: str


def compile_test(module: Module, pkg: Package, test: str, xtest: bool) -> TestProgram:
    """The merged program whose entry is `test` (a function of the package, or of its _test package)."""
    parts = _parts(module, pkg, xtest)
    merged, display, fmap = merge(parts, pkg.name)
    entry = test
    mpath = os.path.join(module.root, pkg.rel, "merged.go")
    try:
        program = compile_go(merged, mpath, entry=entry)
    except InputError as e:
        path, line = fmap.where(e.line) if e.line else (fmap.paths[0], 0)

        def original(m: re.Match[str]) -> str:  # the further errors of the list name merged lines too
            p, n = fmap.where(int(m.group(1)))
            return f"{os.path.join(module.root, p)}:{n}:{m.group(2)}"
        message = re.sub(re.escape(mpath) + r":(\d+):(\d+)", original, e.message)
        raise InputError(message, os.path.join(module.root, path), line, e.col) from None
    program = replace(program, source=display, file_map=fmap)
    digest = hashlib.sha256(merged.encode()).hexdigest()[:16]
    return TestProgram(program, fmap, display, digest)


# --------------------------------------------------------------------------- gocheck.yaml


def load_config(module: Module) -> Config:
    path = os.path.join(module.root, "gocheck.yaml")
    if not os.path.exists(path):
        return Config(tuple(PropertySpec(n) for n in ("deadlock_free", "leak_free", "panic_free", "race_free")),
                      RuntimeOptions(), Bounds(max_states=200_000, timeout_s=60.0), {}, path)
    text = _read(path)
    doc = _Doc(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise InputError(f"YAML syntax error: {e.problem or e.context}", path,
                         (mark.line + 1) if mark else 1, (mark.column + 1) if mark else 1) from None
    if root is None:
        root = yaml.compose("{}", Loader=yaml.SafeLoader)
    top = doc.mapping(root, "gocheck.yaml", _CONFIG_KEYS)
    get = lambda k: top[k][1] if k in top else None  # noqa: E731
    props = _properties(doc, get("properties"), "program")
    runtime = _options(doc, get("runtime"), "runtime", RuntimeOptions)
    bounds = _options(doc, get("bounds"), "bounds", Bounds) if "bounds" in top else \
        Bounds(max_states=200_000, timeout_s=60.0)
    tests: dict[str, dict[str, Any]] = {}
    if "tests" in top:
        for name, (_, node) in doc.mapping(get("tests"), "tests", None).items():
            m = doc.mapping(node, f"tests.{name}", _TEST_KEYS)
            t: dict[str, Any] = {}
            if "properties" in m:
                t["properties"] = _properties(doc, m["properties"][1], "program")
            if "runtime" in m:
                t["runtime"] = _merge_options(doc, m["runtime"][1], "runtime", runtime)
            if "bounds" in m:
                t["bounds"] = _merge_options(doc, m["bounds"][1], "bounds", bounds)
            if "skip" in m:
                t["skip"] = doc.scalar(m["skip"][1], f"tests.{name}.skip", (bool, str))
            if "expect" in m:
                exp = {}
                for k, (_, v) in doc.mapping(m["expect"][1], f"tests.{name}.expect", None).items():
                    exp[k] = _check_value(doc, v, f"tests.{name}.expect.{k}",
                                          doc.scalar(v, f"tests.{name}.expect.{k}", (str,)), str)
                    if exp[k] not in ("holds", "violated", "unknown"):
                        raise doc.error(v, f"tests.{name}.expect.{k} must be holds, violated or unknown")
                t["expect"] = exp
            tests[name] = t
    return Config(props, runtime, bounds, tests, path, hashlib.sha256(text.encode()).hexdigest()[:16])


def _merge_options(doc: _Doc, node: Any, section: str, base: Any) -> Any:
    """Per-test options: the module defaults with this test's keys on top."""
    over = _options(doc, node, section, type(base))
    changed = {k: getattr(over, k) for k in over.__dataclass_fields__
               if getattr(over, k) != getattr(type(base)(), k)}
    return replace(base, **changed)


# --------------------------------------------------------------------------- running


def _tests_of(pkg: Package) -> list[tuple[str, GoFile, int, bool]]:
    out = []
    for f in pkg.tests:
        out += [(n, f, line, False) for n, line in f.tests]
    for f in pkg.xtests:
        out += [(n, f, line, True) for n, line in f.tests]
    return out


def _matches(run: str | None, name: str) -> bool:
    """``-run`` as Go reads it: an unanchored regular expression per slash-separated level."""
    if not run:
        return True
    first = run.split("/", 1)[0]
    return re.search(first, name) is not None


def run_tests(module: Module, pkgs: list[Package], config: Config, options: Options,
              run: str | None) -> Iterator[tuple[Package, TestResult]]:
    for pkg in pkgs:
        for name, f, line, xtest in _tests_of(pkg):
            if not _matches(run, name):
                continue
            yield pkg, check_test(module, pkg, config, options, name, f, line, xtest)


def check_test(module: Module, pkg: Package, config: Config, options: Options, name: str, f: GoFile,
               line: int, xtest: bool) -> TestResult:
    per = config.tests.get(name, {})
    t0 = time.monotonic()
    if per.get("skip"):
        why = per["skip"] if isinstance(per["skip"], str) else "skipped in gocheck.yaml"
        return TestResult(pkg.import_path, name, f.path, line, "skip", 0.0, note=why)
    return _finish(module, pkg, config, options, name, f, line, t0, test_spec(module, pkg, config, name, xtest, f))


#: A test's spec path names the module root, the package directory and the test, so that
#: ``view`` and ``replay`` of its traces rebuild the same program (`load_test_spec`).
SCHEME = "gotest:"


def test_spec(module: Module, pkg: Package, config: Config, name: str, xtest: bool, f: GoFile) -> Spec:
    """The spec of one test: its merged program under the module's (and the test's) settings."""
    per = config.tests.get(name, {})
    tp = compile_test(module, pkg, name, xtest)
    return Spec(path=f"{SCHEME}{module.root}:{pkg.rel}:{name}", name=f"{pkg.import_path}.{name}", about="",
                source=tp.display,
                source_file=os.path.join(module.root, f.path), entry=name,
                runtime=per.get("runtime", config.runtime), gc=GcOptions(),
                properties=per.get("properties", config.properties), expect=per.get("expect", {}),
                bounds=per.get("bounds", config.bounds), sweep={}, outcomes=(), digest=tp.digest + config.digest,
                program=tp.program)


def _finish(module: Module, pkg: Package, config: Config, options: Options, name: str, f: GoFile, line: int,
            t0: float, spec: Spec) -> TestResult:
    report = check_spec(spec, options)
    status = {EXIT_OK: "pass", EXIT_VIOLATED: "fail", EXIT_UNKNOWN: "unknown"}.get(report.exit, "fail")
    return TestResult(pkg.import_path, name, f.path, line, status, time.monotonic() - t0, report)


def load_any_spec(path: str) -> Spec:
    """A spec file, or a test's ``gotest:`` path: what a trace's ``#meta.spec`` may name."""
    return load_test_spec(path) if path.startswith(SCHEME) else load_spec(path)


def load_test_spec(path: str) -> Spec:
    """The spec a ``gotest:ROOT:PKGDIR:TestName`` path names (for view and replay of a test's traces)."""
    try:
        root, rel, name = path[len(SCHEME):].rsplit(":", 2)
    except ValueError:
        raise InputError("a gotest spec path is gotest:MODULE_ROOT:PACKAGE_DIR:TestName", path, 1, 1) from None
    module = find_module(root)
    pkg = load_package(module, os.path.join(module.root, rel))
    for test, f, _, xtest in _tests_of(pkg):
        if test == name:
            return test_spec(module, pkg, load_config(module), name, xtest, f)
    raise InputError(f"package {pkg.import_path} has no test {name}", path, 1, 1)


# --------------------------------------------------------------------------- output


def _end_position(r: TestResult, module: Module, row: dict[str, Any]) -> tuple[str, int]:
    """The Go line where the counterexample ends (for SARIF and the FAIL line)."""
    from checker.trace import read_itf

    if row.get("trace"):
        try:
            cx = read_itf(row["trace"])
            for step in reversed(cx.steps):
                m = re.search(r"\(([\w./-]+\.go):(\d+)\)\s*$", step.action or "")
                if m:
                    return m.group(1), int(m.group(2))
        except InputError:
            pass
    return r.file, r.line


def _failures(r: TestResult) -> list[dict[str, Any]]:
    if r.report is None:
        return []
    return [row for row in r.report.rows if row["verdict"] != "holds" and row["verdict"] != row["expected"]]


def print_text(results: list[tuple[Package, TestResult]], module: Module, out: TextIO, verbose: bool) -> None:
    by_pkg: dict[str, list[TestResult]] = {}
    for pkg, r in results:
        by_pkg.setdefault(pkg.import_path, []).append(r)
    for ipath, rs in by_pkg.items():
        t_pkg = sum(r.seconds for r in rs)
        for r in rs:
            if verbose:
                out.write(f"=== RUN   {r.name}\n")
            word = {"pass": "PASS", "fail": "FAIL", "skip": "SKIP", "unknown": "UNKNOWN"}[r.status]
            if r.status != "pass" or verbose:
                out.write(f"--- {word}: {r.name} ({r.seconds:.2f}s)\n")
            if r.status == "skip":
                out.write(f"    {r.file}:{r.line}: {r.note}\n")
            for row in _failures(r):
                path, line = _end_position(r, module, row)
                out.write(f"    {path}:{line}: {row['property']} {row['verdict']}: {row['reason']}\n")
                if row.get("trace"):
                    out.write(f"        trace: {row['trace']}\n")
            if verbose and r.report is not None:
                st = r.report.stats
                for row in r.report.rows:
                    out.write(f"    {row['property']:<22} {row['verdict']:<9} "
                              f"{'expected ' + row['expected'] if row['expected'] else ''}\n")
                if st:
                    out.write(f"    {st.get('states', 0):,} states, {st.get('transitions', 0):,} transitions\n")
        failed = any(r.status == "fail" for r in rs)
        if failed:
            out.write("FAIL\n")
        out.write(f"{'FAIL' if failed else 'ok  '}\t{ipath}\t{t_pkg:.3f}s\n")


def _now() -> str:
    """RFC 3339 with microseconds, as test2json writes Time."""
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1e6):06d}Z"


def json_events(results: list[tuple[Package, TestResult]], module: Module) -> Iterator[dict[str, Any]]:
    """test2json events (cmd/test2json's TestEvent: Time, Action, Package, Test, Elapsed, Output)."""
    def ev(action: str, pkg: str, test: str | None = None, output: str | None = None,
           elapsed: float | None = None) -> dict[str, Any]:
        e: dict[str, Any] = {"Time": _now(), "Action": action, "Package": pkg}
        if test is not None:
            e["Test"] = test
        if elapsed is not None:
            e["Elapsed"] = round(elapsed, 3)
        if output is not None:
            e["Output"] = output
        return e

    by_pkg: dict[str, list[TestResult]] = {}
    for pkg, r in results:
        by_pkg.setdefault(pkg.import_path, []).append(r)
    for ipath, rs in by_pkg.items():
        yield ev("start", ipath)
        for r in rs:
            yield ev("run", ipath, r.name)
            yield ev("output", ipath, r.name, f"=== RUN   {r.name}\n")
            for row in _failures(r):
                path, line = _end_position(r, module, row)
                yield ev("output", ipath, r.name,
                         f"    {path}:{line}: {row['property']} {row['verdict']}: {row['reason']}\n")
            action = {"pass": "pass", "fail": "fail", "skip": "skip", "unknown": "fail"}[r.status]
            word = {"pass": "PASS", "fail": "FAIL", "skip": "SKIP", "unknown": "FAIL"}[r.status]
            yield ev("output", ipath, r.name, f"--- {word}: {r.name} ({r.seconds:.2f}s)\n")
            yield ev(action, ipath, r.name, elapsed=r.seconds)
        failed = any(r.status in ("fail", "unknown") for r in rs)
        total = sum(r.seconds for r in rs)
        yield ev("output", ipath, None, f"{'FAIL' if failed else 'ok  '}\t{ipath}\t{total:.3f}s\n")
        yield ev("fail" if failed else "pass", ipath, elapsed=total)


def sarif(results: list[tuple[Package, TestResult]], module: Module) -> dict[str, Any]:
    """A SARIF 2.1.0 log: one result per violation, at the Go line where the counterexample ends,
    with the goroutines involved as related locations and the trace as an attachment."""
    rules: dict[str, dict[str, Any]] = {}
    out: list[dict[str, Any]] = []
    for _, r in results:
        for row in _failures(r):
            prop = row["property"].split(":")[0]
            rules.setdefault(prop, {"id": prop, "name": prop.replace(".", "_"),
                                    "shortDescription": {"text": f"Go property {prop}"},
                                    "helpUri": "https://github.com/gocheck/gocheck/blob/main/docs/specs.md"})
            path, line = _end_position(r, module, row)
            res: dict[str, Any] = {
                "ruleId": prop, "level": "error" if row["verdict"] == "violated" else "warning",
                "message": {"text": f"{r.name}: {row['property']} {row['verdict']}: {row['reason']}"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": path, "uriBaseId": "SRCROOT"},
                                                    "region": {"startLine": max(line, 1)}}}],
                "relatedLocations": _related(row, r),
            }
            if row.get("trace"):
                res["attachments"] = [{"artifactLocation": {"uri": os.path.abspath(row["trace"])},
                                       "description": {"text": "counterexample trace (ITF JSON): "
                                                               f"python -m checker view {row['trace']}"}}]
            out.append(res)
    return {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
            "runs": [{"tool": {"driver": {"name": "gocheck", "informationUri": "https://github.com/gocheck/gocheck",
                                          "version": "0.1.0", "rules": list(rules.values())}},
                      "originalUriBaseIds": {"SRCROOT": {"uri": "file://" + module.root.rstrip("/") + "/"}},
                      "results": out}]}


def _related(row: dict[str, Any], r: TestResult) -> list[dict[str, Any]]:
    """Each goroutine's last position along the counterexample."""
    from checker.trace import read_itf

    if not row.get("trace"):
        return []
    try:
        cx = read_itf(row["trace"])
    except InputError:
        return []
    last: dict[str, tuple[str, int]] = {}
    for step in cx.steps:
        m = re.search(r"\(([\w./-]+\.go):(\d+)\)\s*$", step.action or "")
        if m and step.actor:
            last[step.actor] = (m.group(1), int(m.group(2)))
    return [{"id": k, "message": {"text": f"{actor}'s last step"},
             "physicalLocation": {"artifactLocation": {"uri": p, "uriBaseId": "SRCROOT"}, "region": {"startLine": ln}}}
            for k, (actor, (p, ln)) in enumerate(sorted(last.items()))]


def junit(results: list[tuple[Package, TestResult]], module: Module) -> str:
    from xml.sax.saxutils import escape, quoteattr

    by_pkg: dict[str, list[TestResult]] = {}
    for pkg, r in results:
        by_pkg.setdefault(pkg.import_path, []).append(r)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
    for ipath, rs in by_pkg.items():
        fails = sum(r.status in ("fail", "unknown") for r in rs)
        skips = sum(r.status == "skip" for r in rs)
        lines.append(f"  <testsuite name={quoteattr(ipath)} tests=\"{len(rs)}\" failures=\"{fails}\" errors=\"0\" "
                     f"skipped=\"{skips}\" time=\"{sum(r.seconds for r in rs):.3f}\">")
        for r in rs:
            lines.append(f"    <testcase classname={quoteattr(ipath)} name={quoteattr(r.name)} "
                         f"file={quoteattr(r.file)} time=\"{r.seconds:.3f}\">")
            if r.status == "skip":
                lines.append(f"      <skipped message={quoteattr(r.note)}/>")
            for row in _failures(r):
                path, line = _end_position(r, module, row)
                msg = f"{row['property']} {row['verdict']}: {row['reason']}"
                lines.append(f"      <failure message={quoteattr(msg)} type={quoteattr(row['property'])}>"
                             f"{escape(f'{path}:{line}: {msg}')}</failure>")
            lines.append("    </testcase>")
        lines.append("  </testsuite>")
    lines.append("</testsuites>")
    return "\n".join(lines) + "\n"


def main_test(args: Any) -> int:
    """``python -m checker test``: see the module docstring."""
    from checker.errors import UsageError
    from checker.files import atomic_write, check_output_path

    if args.run:
        try:
            re.compile(args.run.split("/", 1)[0])
        except re.error as e:
            raise UsageError(f"-run {args.run!r}: not a regular expression ({e})") from None
    module = find_module(os.getcwd())
    config = load_config(module)
    pkgs = packages_for(module, args.patterns)
    inputs = [os.path.join(module.root, n) for n in ("go.mod", "gocheck.yaml")] + \
        [f.path for pkg in pkgs for f in pkg.files + pkg.tests + pkg.xtests]
    for flag, out_path in (("--sarif", args.sarif), ("--junit", args.junit)):
        if out_path:  # before any work: never over an input (a Go file, go.mod) or a folder
            check_output_path(flag, out_path, inputs)
    options = Options(strategy="bfs", max_states=args.max_states, timeout=args.timeout, por=args.por,
                      traces=args.traces, progress=False)
    results: list[tuple[Package, TestResult]] = []
    out = sys.stdout
    for pkg, r in run_tests(module, pkgs, config, options, args.run):
        results.append((pkg, r))
    if args.json:
        for event in json_events(results, module):
            out.write(json.dumps(event) + "\n")
    else:
        print_text(results, module, out, args.v)
    for pkg in pkgs:
        if not _tests_of(pkg):
            line = f"?   \t{pkg.import_path}\t[no test files]\n"
            if args.json:
                for action, extra in (("start", {}), ("output", {"Output": line}), ("skip", {"Elapsed": 0})):
                    out.write(json.dumps({"Time": _now(), "Action": action, "Package": pkg.import_path, **extra}) + "\n")
            else:
                out.write(line)
    if args.sarif:
        atomic_write(args.sarif, json.dumps(sarif(results, module), indent=2) + "\n")
    if args.junit:
        atomic_write(args.junit, junit(results, module))
    codes = [EXIT_VIOLATED if r.status == "fail" else EXIT_UNKNOWN if r.status == "unknown" else EXIT_OK
             for _, r in results]
    return combine(codes)
