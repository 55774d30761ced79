"""A deterministic text dump of a lowered program (``python -m checker ir``).

One header per function, then one line per instruction: index, a ``*`` for
a visible instruction (a scheduling point), the op and its operands (slots
as ``s3(x)``, jump targets as ``@12``), and the Go line it came from::

    func main  captures=0 params=0 results=0 slots=3
       0    MakeChan  dst=s0(ch) elem=int cap=-            // 4: ch := make(chan int)
       1 *  Send      ch=s0(ch) src=s1                     // 5: ch <- 1
"""

from __future__ import annotations

from typing import Any

from models import ir

SLOT_FIELDS = frozenset({"dst", "src", "a", "b", "cond", "ch", "ptr", "base", "index", "cap",
                         "locker", "ctx", "parent", "m", "wg", "delta", "once", "d", "v", "fslot",
                         "ok", "dst_r", "dst_w", "dst_n", "dst_err", "f", "buf", "data",
                         "s", "len", "to", "frm", "k", "t", "lo", "hi", "max", "spread", "x"})
SLOT_TUPLES = frozenset({"dsts", "args", "captures", "srcs", "keys", "vals"})
TARGETS = frozenset({"target", "then", "orelse"})


def _slot(fn: ir.Function, s: int | None) -> str:
    if s is None:
        return "-"
    name = fn.slot_names[s] if 0 <= s < len(fn.slot_names) else "?"
    return f"s{s}({name})" if name else f"s{s}"


def _operand(fn: ir.Function, instr: ir.Instr, name: str, value: Any) -> str:
    if isinstance(instr, ir.Branch) and name == "cond":
        return _slot(fn, value)
    if isinstance(instr, (ir.CondWait, ir.CondRelock, ir.CondSignal, ir.CondLocker)) and name == "cond":
        return _slot(fn, value)
    if name in TARGETS:
        return f"@{value}"
    if name in SLOT_FIELDS:
        return _slot(fn, value)
    if name in SLOT_TUPLES:
        return "(" + ", ".join(_slot(fn, s) for s in value) + ")"
    if name == "cases":
        return "[" + "; ".join(_case(fn, c) for c in value) + "]"
    if isinstance(value, ir.Type):
        return _type(value)
    if value is None:
        return "-"
    return repr(value)


def _type(t: ir.Type) -> str:
    if t.kind == "struct" and t.fields:
        return t.name + "{" + ", ".join(f"{n} {_type(ft)}" for n, ft in t.fields) + "}"
    return str(t)


def _case(fn: ir.Function, c: ir.SelectCase) -> str:
    if c.kind == "send":
        return f"send {_slot(fn, c.ch)} <- {_slot(fn, c.val)}"
    return f"recv {_slot(fn, c.val)}, {_slot(fn, c.ok)} = <-{_slot(fn, c.ch)} zero={c.zero!r}"


def format_function(fn: ir.Function, program: ir.Program | None = None) -> str:
    lines = [f"func {fn.name}  captures={fn.ncaptures} params={fn.nparams} "
             f"results={fn.nresults} slots={fn.nslots}"]
    width = len(str(len(fn.code)))
    for i, instr in enumerate(fn.code):
        ops = " ".join(f"{n}={_operand(fn, instr, n, v)}" for n, v in instr.operands())
        mark = "*" if instr.visible else " "
        body = f"  {i:>{width}} {mark} {instr.op:<10} {ops}"
        line, _ = instr.pos
        src = program.line(line) if program is not None and line else ""
        tail = f"// {line}: {src}" if line else "// -"
        lines.append(f"{body:<70} {tail}".rstrip())
    return "\n".join(lines)


def format_program(program: ir.Program) -> str:
    """The IR dump of every function (start first, then by name), plus globals."""
    out = [f"// {program.file}: start={program.start} entry={program.entry}"]
    for g in program.globals:
        out.append(f"global {g.name} {_type(g.type)}  // {g.pos[0]}: {program.line(g.pos[0])}")
    names = [program.start] + sorted(n for n in program.functions if n != program.start)
    for name in names:
        fn = program.functions.get(name)
        if fn is not None:
            out.append("")
            out.append(format_function(fn, program))
    return "\n".join(out) + "\n"
