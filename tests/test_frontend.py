"""The Go frontend on the corpus in tests/go: every program lowers, its IR
dump matches the golden file (UPDATE_GOLDEN=1 rewrites them), and every
program is real Go that `go vet` accepts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from models import ir
from models.lang import compile_go, format_program

HERE = Path(__file__).parent
CORPUS = sorted((HERE / "go").glob("*.go"))
GOLDEN = HERE / "golden"


def entry_of(src: str) -> str:
    m = re.search(r"^func (Test\w+)\(t \*testing\.T\)", src, re.M)
    return m.group(1) if m else "main"


def lower(path: Path) -> ir.Program:
    src = path.read_text()
    return compile_go(src, f"tests/go/{path.name}", entry_of(src))


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 30
    assert any(p.name.endswith("_test.go") for p in CORPUS)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_golden_ir(path: Path):
    got = format_program(lower(path))
    golden = GOLDEN / (path.stem + ".ir")
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(got)
    assert golden.exists(), f"no golden IR for {path.name}: review the IR, then run with UPDATE_GOLDEN=1"
    assert got == golden.read_text()


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_well_formed(path: Path):
    """Operands are in range, targets valid, branches forward, backward jumps
    marked, every instruction has a source position, every called function
    exists, and the program is deterministic."""
    prog = lower(path)
    assert prog.start in prog.functions and prog.entry in prog.functions
    for fn in prog.functions.values():
        assert len(fn.slot_names) == fn.nslots
        assert fn.ncaptures + fn.nparams <= fn.nslots
        assert isinstance(fn.code[-1], (ir.Return, ir.Jump))
        for i, instr in enumerate(fn.code):
            assert type(instr).__name__ in ir.INSTRUCTIONS
            if isinstance(instr, ir.Jump):
                assert 0 <= instr.target < len(fn.code)
                assert instr.back == (instr.target <= i)
            if isinstance(instr, ir.Branch):
                assert i < instr.then < len(fn.code) and i < instr.orelse < len(fn.code)
            if isinstance(instr, (ir.Call, ir.Go, ir.Defer, ir.MakeClosure)) and instr.func is not None:
                assert instr.func in prog.functions, instr.func
            if fn.name != "context.cancel" and not fn.name.startswith("init$"):
                assert instr.pos != ir.NOPOS, (fn.name, i, instr)
    assert format_program(lower(path)) == format_program(prog)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("go") is None, reason="go toolchain not on PATH")
def test_corpus_passes_go_vet(tmp_path: Path):
    (tmp_path / "go.mod").write_text("module x\n\ngo 1.19\n")
    for p in CORPUS:
        d = tmp_path / ("p" + p.stem)
        d.mkdir()
        shutil.copy(p, d / p.name)
    env = dict(os.environ, GOFLAGS="-mod=mod", GOCACHE=os.environ.get("GOCACHE", str(tmp_path / ".cache")))
    r = subprocess.run(["go", "vet", "./..."], cwd=tmp_path, capture_output=True, text=True,
                       env=env, timeout=300)
    assert r.returncode == 0, r.stderr
