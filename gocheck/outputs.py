"""``python -m checker outputs SPEC``: what the program can print, and how it ends.

Every output the program can have printed when its process ends, with the
end (``exit``: main returned; ``panic``; ``deadlock``) and a witness: the
action path (the checker's path format) and a trace file per witness
(``python -m checker view TRACE``).  Under the abstract scheduler this is
the language's answer; under ``runtime.scheduler: gmp`` the runtime's.
The search is `models.outputs.outputs`; a search stopped by
``--max-states`` says so and exits 3 (the list may be incomplete).

``--json``: one object per line, ``{"output", "end", "path"}`` (plus
``panic`` and ``trace``), then a last line ``{"complete", "states"}``.
"""

from __future__ import annotations

import argparse
import json
import os

from checker.trace import build, write_itf
from gocheck.factory import build_model
from gocheck.pipeline import EXIT_OK, EXIT_UNKNOWN, slug
from gocheck.spec import load_spec
from models.outputs import outputs

__all__ = ["add_parser_args", "main_outputs"]


def add_parser_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", metavar="SPEC")
    p.add_argument("--json", action="store_true", help="one JSON object per ending, one per line")
    p.add_argument("--max-states", type=int, default=None, help="stop the search after this many states")
    p.add_argument("--traces", default=os.path.join("reports", "traces"),
                   help="directory for the witness trace files ('none' to write none)")


def main_outputs(args: argparse.Namespace) -> int:
    spec = load_spec(args.spec)
    model = build_model(spec)
    limit = args.max_states or spec.bounds.max_states
    res = outputs(model, limit)
    rows = []
    for n, e in enumerate(res.endings, start=1):
        row = e.as_json()
        if args.traces != "none":
            reason = f"ends by {e.end}" + (f" ({e.panic})" if e.panic else "") + f" printing {e.output!r}"
            cx = build(model, "outputs", reason, e.path, None, spec_path=spec.path, spec_digest=spec.digest,
                       kind="outputs", found_by="bfs")
            row["trace"] = write_itf(cx, os.path.join(args.traces, f"{slug(spec.name)}.outputs.{n}.itf.json"))
        rows.append(row)
    if args.json:
        for row in rows:
            print(json.dumps(row))
        print(json.dumps({"complete": res.complete, "states": res.states}))
    else:
        print(f"{spec.name}: {len(rows)} ending(s) under the {spec.runtime.scheduler} scheduler, "
              f"{res.states:,} states" + ("" if res.complete else f" -- INCOMPLETE: {res.stop_reason}"))
        for n, row in enumerate(rows, start=1):
            end = row["end"] + (f" ({row['panic']})" if "panic" in row else "")
            text = row["output"].rstrip("\n").replace("\n", " | ") or "(nothing)"
            print(f"  {n}. {end}: {text}")
            print(f"     path {row['path']}" + (f"  trace {row['trace']}" if "trace" in row else ""))
    return EXIT_OK if res.complete else EXIT_UNKNOWN
