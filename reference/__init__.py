"""The reference runtime: the IR run for real on OS threads (docs/design.md section 9).

An independent implementation of Go's G-M-P runtime: it imports only
``models.ir``, ``models.lang`` and ``models.errors``, never the semantics
modules, so agreement between it and the model means something.
"""

from .api import cli_run, load_program, run, write_log
from .runtime import Controller, RunResult, Runtime

__all__ = ["run", "cli_run", "load_program", "write_log", "RunResult", "Runtime", "Controller"]
