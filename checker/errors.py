"""The one error type for bad input: specs, Go source, trace files.

Every message names ``file:line:col`` and what is allowed, so the CLI can
print it and exit with code 2 without a traceback.
"""

from __future__ import annotations


class InputError(Exception):
    """Bad user input at a position.  ``str(e)`` is ``file:line:col: message``.

    >>> str(InputError("unknown key 'procz' (did you mean 'procs'?)", "s.yaml", 3, 5))
    "s.yaml:3:5: unknown key 'procz' (did you mean 'procs'?)"
    """

    def __init__(self, message: str, file: str = "<input>", line: int = 0, col: int = 0):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.col = col

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


#: The spec loader's name for the same type.
SpecError = InputError


class UsageError(InputError):
    """A bad command-line flag: the message names the flag, not a file position.

    >>> str(UsageError("--max-states: must be at most 10000000000"))
    '--max-states: must be at most 10000000000'
    """

    def __init__(self, message: str):
        super().__init__(message, "<command line>", 0, 0)

    def __str__(self) -> str:
        return self.message
