"""The Go-subset frontend: tree-sitter-go parse -> checked, typed lowering -> IR.

Public API:

- `compile_go(source, file="<source>", entry="main") -> models.ir.Program`
- `format_program(program) -> str` (the ``python -m checker ir`` dump)

Both raise nothing but `models.errors.InputError` for bad input.
"""

from models.lang.dump import format_program
from models.lang.program import CANCEL_FUNC, START, compile_go

__all__ = ["compile_go", "format_program", "START", "CANCEL_FUNC"]
