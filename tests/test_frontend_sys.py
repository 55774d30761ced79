"""The frontend's system-call and os.Pipe subset (issue 5): what lowers to
`Syscall`/`PipeMake`/`PipeRead`/`PipeWrite`/`PipeClose`, and the exact
errors for everything else.

Accepted, exactly:
- ``syscall.Sync()`` as a statement (no result) -> ``Syscall("syscall.Sync")``;
- ``r, w, err := os.Pipe()`` (any of the three may be ``_``) -> ``PipeMake``
  (err is nil);
- ``buf := make([]byte, K)``, K a constant >= 1: the only slice; the
  variable may only be passed to ``(*os.File).Read``;
- ``n, err := f.Read(buf)`` -> ``PipeRead``; ``n, err := f.Write([]byte(s))``
  with a string s -> ``PipeWrite``; ``err := f.Close()`` -> ``PipeClose``
  (results may be dropped); ``*os.File`` as a variable, parameter or field type.
"""

from __future__ import annotations

import pytest

from models import ir
from models.errors import InputError
from models.lang import compile_go

H = "package main\n\n"


def ops(src: str, fn: str = "main") -> list[str]:
    return [i.op for i in compile_go(src, "main.go").functions[fn].code]


def test_syscall_sync_lowers_to_syscall():
    p = compile_go(H + 'import "syscall"\n\nfunc main() {\n\tsyscall.Sync()\n}\n', "main.go")
    code = p.functions["main"].code
    assert isinstance(code[0], ir.Syscall) and code[0].name == "syscall.Sync" and code[0].pos == (6, 2)
    assert ir.Syscall.VISIBLE and ir.INSTRUCTIONS["Syscall"] is ir.Syscall


def test_pipe_read_write_close_lower():
    src = H + ('import "os"\n\nfunc use(f *os.File) { f.Close() }\n\nfunc main() {\n'
               '\tr, w, err := os.Pipe()\n\t_ = err\n\tbuf := make([]byte, 3)\n'
               '\tn, e := w.Write([]byte("ab"))\n\t_, _ = n, e\n\tr.Read(buf)\n\tuse(w)\n}\n')
    p = compile_go(src, "main.go")
    code = p.functions["main"].code
    kinds = [type(i) for i in code]
    assert ir.PipeMake in kinds and ir.PipeWrite in kinds and ir.PipeRead in kinds
    rd = next(i for i in code if isinstance(i, ir.PipeRead))
    assert rd.dst_n is None and rd.dst_err is None
    buf_const = next(i for i in code if isinstance(i, ir.Const) and i.value == 3)
    assert rd.buf == buf_const.dst
    assert [type(i) for i in p.functions["use"].code][0] is ir.PipeClose
    assert not ir.PipeMake.VISIBLE and ir.PipeRead.VISIBLE and ir.PipeWrite.VISIBLE and ir.PipeClose.VISIBLE


BAD = {
    "os_exit": ('import "os"\n\nfunc main() { os.Exit(1) }\n',
                (5, 15, "os.Exit is outside the supported Go subset; supported: os.Pipe and the "
                        "Read/Write/Close methods of its *os.File ends")),
    "syscall_getpid": ('import "syscall"\n\nfunc main() { syscall.Getpid() }\n',
                       (5, 15, "syscall.Getpid is outside the supported Go subset; supported: "
                               "syscall.Sync (a blocking system call)")),
    # a program that uses os.Pipe: make([]byte, K) is a pipe read buffer (elsewhere a []byte slice)
    "bytes_var_len": ('import "os"\n\nfunc main() {\n\tos.Pipe()\n\tn := 2\n\tb := make([]byte, n)\n\t_ = b\n}\n',
                      (8, 20, "make([]byte, n) with a non-constant or zero length is outside the supported "
                              "Go subset; the read buffer's length must be a constant >= 1")),
    "bytes_other_use": ('import (\n\t"fmt"\n\t"os"\n)\n\nfunc main() {\n\tos.Pipe()\n\tb := make([]byte, 1)\n'
                        '\tfmt.Println(b)\n}\n',
                        (11, 14, "this use of the []byte buffer b is outside the supported Go subset; a "
                                 "buffer made by make([]byte, K) may only be passed to (*os.File).Read")),
    "write_var": ('import "os"\n\nfunc main() {\n\t_, w, _ := os.Pipe()\n\tb := make([]byte, 1)\n'
                  '\tw.Write(b)\n}\n',
                  (8, 10, "this argument of (*os.File).Write is outside the supported Go subset; write a "
                          "conversion []byte(s) of a string s")),
    "read_conv": ('import "os"\n\nfunc main() {\n\tr, _, _ := os.Pipe()\n\tr.Read([]byte("x"))\n}\n',
                  (7, 9, "this argument of (*os.File).Read is outside the supported Go subset; pass a "
                         "variable made by buf := make([]byte, K)")),
    "file_name": ('import "os"\n\nfunc main() {\n\tr, _, _ := os.Pipe()\n\t_ = r.Name()\n}\n',
                  (7, 6, "(*os.File).Name is outside the supported Go subset; supported on *os.File (from "
                         "os.Pipe): Read(buf) with buf := make([]byte, K), Write([]byte(s)), Close()")),
    "go_pipe": ('import "os"\n\nfunc main() {\n\tgo os.Pipe()\n}\n',
                (6, 5, "go of os.Pipe is outside the supported Go subset")),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_rejections_are_precise(name):
    src, (line, col, msg) = BAD[name]
    with pytest.raises(InputError) as e:
        compile_go(H + src, "main.go")
    got = (e.value.line, e.value.col, e.value.message if hasattr(e.value, "message") else str(e.value))
    assert (got[0], got[1]) == (line, col), got
    assert msg in got[2], got
