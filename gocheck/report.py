"""What a check shows: the table, the JSON line, and ``reports/results.md``.

Files are written atomically (a unique temporary file beside the target,
then ``os.replace``), so concurrent runs never interleave lines and an
interrupted ``report`` leaves the previous report whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rich.markup import escape
from rich.table import Table

from checker.files import atomic_write
from gocheck.pipeline import SpecReport, combine

__all__ = ["atomic_write", "json_line", "md_cell", "print_table", "results_markdown"]


def print_table(report: SpecReport, console: Any) -> None:
    """One rich table for a spec (one sweep point), then its statistics, reasons and trace paths."""
    spec = report.spec
    title = escape(spec.name) + (f"  \\[{escape(report.when)}]" if report.when else "")
    table = Table(title=title, title_justify="left", show_lines=False)
    for col in ("property", "verdict", "expected", "states", "transitions", "seconds", "trace"):
        table.add_column(col, justify="right" if col in ("states", "transitions", "seconds") else "left")
    st = report.stats
    colors = {"holds": "green", "violated": "red", "unknown": "yellow", "allowed": "green", "forbidden": "red"}
    for r in report.rows:
        v = r["verdict"]
        ok = r["expected"] is None or r["expected"] == v
        mark = "" if ok else " ✗"
        table.add_row(escape(r["property"]), f"[{colors.get(v, 'white')}]{v}[/]{mark}", r["expected"] or "-",
                      f"{st.get('states', '-'):,}" if st else "-", f"{st.get('transitions', '-'):,}" if st else "-",
                      f"{st.get('seconds', 0):.2f}" if st else "-",
                      f"{r['length']} steps" if r.get("length") is not None and v != "holds" else "")
    for o in report.outcomes:
        v = o["verdict"]
        table.add_row(f"outcome {escape(o['when'])}", f"[{colors.get(v, 'white')}]{v}[/]", o["expected"] or "-", "", "", "",
                      "witness" if o.get("witness") else "")
    console.print(table)
    if st:
        console.print(f"  {st['states']:,} states, {st['transitions']:,} transitions, depth {st['depth']}, "
                      f"{st['seconds']:.2f}s, {st['states_per_s']:,} states/s, peak {st['peak_mb']:.0f} MB"
                      + (f" (POR: {st['reduced']:,} states reduced)" if st.get("por") else "")
                      + (f"  [yellow]fingerprints: P(a state was missed) <= {st['omission_probability']:.2g}[/]"
                         if st.get("store") == "fingerprints" else "")
                      + ("" if st.get("complete", True) else f"  [yellow]incomplete: {st['stop_reason']}[/]"),
                      highlight=False)
        h = st.get("hunt")
        if h:
            console.print(f"  then random walks for {h['seconds']}s ({h['states']:,} states): "
                          + (f"found {', '.join(h['found'])}" if h["found"] else "no violation found"),
                          highlight=False)
    for o in report.outcomes:
        if o.get("witness"):
            console.print(f"  [bold]outcome {escape(o['when'])}[/]: {o['verdict']}, witness: {escape(o['witness'])}", highlight=False)
        elif o.get("reason"):
            console.print(f"  [bold]outcome {escape(o['when'])}[/]: {o['verdict']} ({escape(o['reason'])})", highlight=False)
    for r in report.rows:
        if r["verdict"] != "holds" and (r["reason"] or r["trace"]):
            console.print(f"  [bold]{escape(r['property'])}[/]: {escape(r['reason'] or '')}", highlight=False)
            if r.get("explanation"):
                for line in r["explanation"].splitlines()[1:]:
                    console.print(f"    {escape(line)}", highlight=False)
            if r["trace"]:
                console.print(f"    trace: {escape(r['trace'])}  (python -m checker view {escape(r['trace'])})", highlight=False)


def json_line(report: SpecReport) -> str:
    """The ``--json`` line of one spec (docs/design.md section 4)."""
    props = {r["property"]: {"verdict": r["verdict"], "expected": r["expected"], "trace": r["trace"],
                             "reason": r["reason"] or None, "path": r["path"], "loop": r["loop"],
                             **({"explanation": r["explanation"]} if r.get("explanation") else {})}
             for r in report.rows}
    st = report.stats
    obj = {"spec": report.spec.path, "name": report.spec.name, "properties": props,
           "outcomes": [{k: o.get(k) for k in ("when", "verdict", "expected", "witness")} for o in report.outcomes],
           "stats": {k: st.get(k) for k in ("states", "transitions", "seconds", "depth")} if st else {}}
    if report.when:
        obj["when"] = report.when
    return json.dumps(obj)


def md_cell(text: Any) -> str:
    """`text` safe inside one Markdown table cell (no row or heading can be forged)."""
    s = str(text).replace("\\", "\\\\").replace("|", "\\|")
    return " ".join(s.split())


def results_markdown(reports: Iterable[SpecReport], count: int) -> str:
    """``reports/results.md``: one row per property and outcome of every spec point."""
    lines = ["# Results", "", f"`python -m checker report` over {count} specs.", "",
             "| spec | property | verdict | expected | states | transitions | seconds |",
             "|---|---|---|---|---|---|---|"]
    for report in reports:
        st = report.stats
        name = md_cell(report.spec.name + (f" [{report.when}]" if report.when else ""))
        for r in report.rows:
            lines.append(f"| {name} | {md_cell(r['property'])} | {r['verdict']} | {r['expected'] or '-'} | "
                         f"{st.get('states', '-')} | {st.get('transitions', '-')} | {st.get('seconds', '-')} |")
        for o in report.outcomes:
            lines.append(f"| {name} | outcome `{md_cell(o['when'])}` | {o['verdict']} | {o['expected'] or '-'} | | | |")
    return "\n".join(lines) + "\n"


def summary_mark(report: SpecReport) -> str:
    return "FAIL" if combine([report.exit]) else "ok  "
