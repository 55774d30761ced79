"""Reading input files with a size limit, writing output files atomically.

Every file the checker reads on the user's behalf (a spec, a Go source, a
trace) goes through `read_text`: it refuses anything that is not a regular
file (``/dev/zero``, a FIFO, a directory) and anything larger than the
caller's limit *before* reading it all, so no input can make the checker
allocate until the machine runs out.  Every file it writes goes through
`atomic_write`: a unique temporary name in the target's directory, then
`os.replace`, so concurrent runs never share a temporary file and a reader
(or a Ctrl-C) sees the old file or the new one, never a part.

>>> import tempfile, os
>>> d = tempfile.mkdtemp()
>>> p = atomic_write(os.path.join(d, "a.txt"), "hello\\n")
>>> read_text(p, 100, "test file")
'hello\\n'
>>> read_text(p, 3, "test file")
Traceback (most recent call last):
...
checker.errors.InputError: ...: test file is larger than the limit of 3 bytes (6 bytes)
"""

from __future__ import annotations

import os
import stat
import tempfile

from checker.errors import InputError, UsageError

__all__ = ["MIB", "atomic_write", "check_output_path", "read_text", "same_file"]

MIB = 1024 * 1024


def read_text(path: str, limit: int, what: str) -> str:
    """The UTF-8 text of the regular file `path`, at most `limit` bytes; `InputError` otherwise."""
    if "\0" in path:
        raise InputError(f"cannot read {what}: its name contains a NUL byte", path.replace("\0", "\\0"), 1, 1)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(f"{what} not found", path, 1, 1) from None
    except OSError as e:
        raise InputError(f"cannot read {what}: {e.strerror or e}", path, 1, 1) from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            kind = "a directory" if stat.S_ISDIR(st.st_mode) else "a device, pipe or socket"
            raise InputError(f"cannot read {what}: it is {kind}, not a regular file", path, 1, 1)
        if st.st_size > limit:
            raise InputError(f"{what} is larger than the limit of {limit} bytes ({st.st_size} bytes)", path, 1, 1)
        try:
            data = f.read(limit + 1)
        except OSError as e:
            raise InputError(f"cannot read {what}: {e.strerror or e}", path, 1, 1) from None
    if len(data) > limit:
        raise InputError(f"{what} is larger than the limit of {limit} bytes", path, 1, 1)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise InputError(f"{what} must be UTF-8 text: byte 0x{data[e.start]:02x} is not valid UTF-8", path,
                         line, col) from None


def same_file(a: str, b: str) -> bool:
    """Whether `a` and `b` name the same existing file."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def atomic_write(path: str, text: str) -> str:
    """Write `text` to `path` all at once, through a unique temporary file in the same directory."""
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    if os.path.isdir(path):
        raise IsADirectoryError(21, "Is a directory", path)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix="-" + os.path.basename(path)[-40:], dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def check_output_path(flag: str, out: str, inputs: list[str]) -> None:
    """Refuse (`UsageError`) an output path that is a directory, one of the `inputs`, or not writable:
    before any work is done, so a run never ends in an OSError with its result unprinted."""
    if os.path.isdir(out):
        raise UsageError(f"{flag} {out}: is a directory; give a file name")
    for src in inputs:
        if same_file(out, src):
            raise UsageError(f"{flag} {out}: is the input file {src}; it would be overwritten")
    folder = os.path.dirname(out) or "."
    if os.path.isdir(folder) and not os.access(folder, os.W_OK) or os.path.exists(out) and not os.access(out, os.W_OK):
        raise UsageError(f"{flag} {out}: not writable")
