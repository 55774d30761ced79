"""Cross-check the model against the real Go toolchain.

Every semantics spec's program is built with ``go build`` and ``go build
-race`` (Go 1.19 module in a temp dir) and each binary runs a few times
with a timeout.  Whatever Go reports must be something the model also
reaches: a deadlock ("all goroutines are asleep") means the model violates
``deadlock_free``; a panic or fatal error must be a panic the model reaches
(same message, same Go line in the traceback) with the same output before
it; "WARNING: DATA RACE" means the model violates ``race_free``; a normal
exit prints an output the model can print by the time main returns.  A
run that times out is accepted only when the spec does not claim
``terminates: holds``.  Skipped only when ``go`` is not on PATH.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pytest

from gocheck.spec import load_spec
from models.lang.program import parse_go_version
from tests.helpers import exit_outputs
from tests.test_bug_specs import STATES as BUG_STATES
from tests.test_constructs import STATES as CONSTRUCT_STATES
from tests.test_datatypes import STATES as DATA_STATES
from tests.test_semantics_specs import SPECS, STATES, run

SPEC_NAMES = sorted(STATES.keys() | DATA_STATES.keys() | BUG_STATES.keys() | CONSTRUCT_STATES.keys())

RUNS = 3
TIMEOUT_S = 1.0

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("go") is None, reason="the go toolchain is not on PATH")]


@pytest.fixture(scope="module")
def binaries():
    """{(spec, race): path of the built binary}, built in parallel, once."""
    root = tempfile.mkdtemp(prefix="gocheck-toolchain-")
    env = dict(os.environ, GOFLAGS="-mod=mod", GO111MODULE="on", CGO_ENABLED="1")
    jobs = []
    for name in SPEC_NAMES:
        spec = load_spec(os.path.join(SPECS, name + ".yaml"), compile=False)
        d = os.path.join(root, name)
        os.makedirs(d)
        with open(os.path.join(d, "go.mod"), "w") as f:
            f.write(f"module {name.replace('/', '_')}\n\ngo 1.19\n")
        with open(os.path.join(d, "main.go"), "w") as f:
            f.write(spec.source)
        jobs += [(name, False, d), (name, True, d)]

    def build(job):
        name, race, d = job
        out = os.path.join(d, "prog-race" if race else "prog")
        cmd = ["go", "build", "-o", out] + (["-race"] if race else []) + ["."]
        r = subprocess.run(cmd, cwd=d, env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, f"{name}: go build failed:\n{r.stderr}"
        return (name, race), out

    with ThreadPoolExecutor(max_workers=4) as pool:
        built = dict(pool.map(build, jobs))
    yield built
    shutil.rmtree(root, ignore_errors=True)


def go_runs(path: str) -> list[tuple[str, str, int | None]]:
    out = []
    for _ in range(RUNS):
        try:
            r = subprocess.run([path], capture_output=True, text=True, timeout=TIMEOUT_S)
            out.append((r.stdout, r.stderr, r.returncode))
        except subprocess.TimeoutExpired as e:
            stdout = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            out.append((stdout, "", None))
    return out


_PANIC = re.compile(r"^(panic: .*|fatal error: .*)$", re.M)


@functools.lru_cache(maxsize=1)
def toolchain_version() -> str:
    """The installed Go's language version ("1.19"): its rules are what the binaries run."""
    r = subprocess.run(["go", "env", "GOVERSION"], capture_output=True, text=True, timeout=60)
    m = re.match(r"go(\d+\.\d+)", r.stdout.strip())
    return m.group(1) if m else ""


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_what_go_reports_the_model_reaches(name, binaries):
    spec, _, _ = run(name)
    # The binaries run the installed toolchain's language rules (Go 1.19 here: per-loop
    # for-clause variables), so the model is compiled with that version's rules to compare.
    have = toolchain_version()
    if have and parse_go_version(spec.go) != parse_go_version(have) and \
            load_spec(spec.path, overrides={"go": have}).program != spec.program:
        spec, model, result = run(name, go=have)
    else:
        spec, model, result = run(name)
    verdict = {k: r.verdict.kind for k, r in result.results.items()}
    exits = exit_outputs(model)
    model_panics = {(out, p.split(" [G")[0]): p for out, p in exits if p}
    clean = {out for out, p in exits if p is None}
    for race in (False, True):
        for stdout, stderr, code in go_runs(binaries[(name, race)]):
            where = f"{name} ({'-race' if race else 'plain'}): exit {code}\nstdout:\n{stdout}\nstderr:\n{stderr[:2000]}"
            if code is None:
                assert spec.expect.get("terminates", "holds") != "holds" or "terminates" not in verdict, where
                continue
            if "WARNING: DATA RACE" in stderr:
                assert verdict.get("race_free") == "violated", where
                continue
            m = _PANIC.search(stderr)
            if m and "deadlock!" in m.group(1):
                assert verdict["deadlock_free"] == "violated", where
                assert result["deadlock_free"].verdict.reason.startswith(m.group(1)), where
                continue
            if m:
                key = (stdout, m.group(1))
                assert key in model_panics, f"{where}\nmodel panics: {sorted(model_panics)}"
                line = model_panics[key].split(" at ")[-1].rstrip("]")
                assert line in stderr, f"{where}\nexpected the Go line {line} in the traceback"
                continue
            if code == 1:  # log.Fatal: the message on stderr, os.Exit(1)
                fatal = {out for out, p in exits if p and p.startswith("log.Fatal: ")}
                assert stdout in fatal, f"{where}\nmodel log.Fatal outputs: {sorted(fatal)}"
                continue
            assert code == 0, where
            assert stdout in clean, f"{where}\nmodel outputs: {sorted(clean)}"
