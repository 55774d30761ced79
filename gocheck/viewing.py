"""``python -m checker view TRACE`` and ``python -m checker replay SPEC --path P``.

The spec-loading half of viewing: the renderers are `checker.view` (they
know nothing of specs or Go); this module finds the model a trace belongs
to and hands both to them.

Both print the same view; ``replay`` rebuilds the trace by running the path on
the spec's model (so it shows the spec as it is now) and warns, SPIN-style,
when the spec changed since a trace file was written.  Bad input of any kind
(a corrupt trace, a path that does not fit) is an `InputError`: the CLI prints
it and exits with code 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from checker.errors import InputError, UsageError
from checker.files import check_output_path, same_file
from checker.model import evaluate
from checker.trace import Counterexample, ReplayError, build, read_itf, replay
from checker.view.analysis import LassoStory
from checker.view.chrome import write_chrome
from checker.view.html import write_html
from checker.view.msc import render_msc
from checker.view.text import annotate, render_text
from gocheck.factory import build as build_checkable
from gocheck.gotest import load_any_spec as load_spec
from gocheck.spec import apply_override

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def _display_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("what to show")
    g.add_argument("--full", action="store_true", help="whole states instead of only what changed")
    g.add_argument("--vars", default=None, metavar="A,B", help="only these variables (comma-separated)")
    g.add_argument("--actor", default=None, metavar="G2", help="only the steps of this actor")
    g.add_argument("--from", dest="start", type=int, default=None, metavar="N", help="first step to show")
    g.add_argument("--to", dest="end", type=int, default=None, metavar="M", help="last step to show")
    g.add_argument("--msc", action="store_true", help="a message sequence chart (one column per actor/channel/lock)")
    g.add_argument("--html", default=None, metavar="OUT.html", help="write one self-contained offline HTML page")
    g.add_argument("--chrome", default=None, metavar="OUT.json",
                   help="write Chrome trace-event JSON (open in Perfetto or chrome://tracing)")


def parser(cmd: str = "view") -> argparse.ArgumentParser:
    """The argument parser of ``view`` or ``replay``."""
    if cmd == "view":
        p = argparse.ArgumentParser(prog="python -m checker view",
                                    description="Show a counterexample trace file (ITF JSON).")
        p.add_argument("trace", metavar="TRACE.itf.json")
        p.add_argument("--no-spec", action="store_true",
                       help="do not load the trace's spec (no lasso analysis, no explain marks)")
    elif cmd == "replay":
        p = argparse.ArgumentParser(prog="python -m checker replay",
                                    description="Re-run an action-index path on a spec's model and show it.")
        p.add_argument("spec", nargs="?", default=None, metavar="SPEC",
                       help="spec file (default with --trace: the spec the trace names)")
        p.add_argument("--path", default=None, metavar="0/3/1", help="initial-state index, then action indices")
        p.add_argument("--loop", type=int, default=None, metavar="K", help="the path is a lasso back to step K")
        p.add_argument("--trace", default=None, metavar="FILE", help="replay the path of this trace file")
        p.add_argument("--property", default=None, help="the property the path violates (default: detected)")
    else:
        raise ValueError(f"no view command {cmd!r}")
    _display_options(p)
    return p


def _check_display(cx: Counterexample, args: argparse.Namespace) -> None:
    """What to show must exist in the trace: a filter that matches nothing is a mistake, not an empty view."""
    last = len(cx.steps) - 1
    for flag, n in (("--from", args.start), ("--to", args.end)):
        if n is not None and not 0 <= n <= last:
            raise UsageError(f"{flag} {n}: the trace has steps 0..{last}")
    if args.start is not None and args.end is not None and args.start > args.end:
        raise UsageError(f"--from {args.start} is after --to {args.end}")
    if args.actor and not args.msc:
        actors = sorted({st.actor for st in cx.steps if st.actor})
        if args.actor not in actors:
            raise UsageError(f"--actor {args.actor}: no step of the trace is by it; actors: {', '.join(actors)}")
    wanted = _vars(args) or []
    names = {k for st in cx.steps for k in st.view}
    unknown = [v for v in wanted if v not in names]
    if unknown:
        shown = sorted(names)
        raise UsageError(f"--vars: the trace has no variable {', '.join(unknown)}; it has: "
                         f"{', '.join(shown[:30])}{' ...' if len(shown) > 30 else ''}")


def _vars(args: argparse.Namespace) -> list[str] | None:
    return [v.strip() for v in args.vars.split(",") if v.strip()] if args.vars else None


def _emit(cx: Counterexample, args: argparse.Namespace, story: LassoStory | None, marks: list[bool] | None,
          notes: list[str]) -> int:
    _check_display(cx, args)
    inputs = [x for x in (getattr(args, "trace", None), getattr(args, "spec", None), cx.spec_file or cx.spec_path) if x]
    for flag, out_path in (("--chrome", args.chrome), ("--html", args.html)):
        if out_path:
            check_output_path(flag, out_path, inputs)
    if args.chrome:
        out = write_chrome(cx, args.chrome)
        print(f"wrote {out}  (open it in https://ui.perfetto.dev or chrome://tracing)")
        if not args.html:
            return EXIT_OK
    if args.html:
        out = write_html(cx, args.html, story=story, marks=marks)
        print(f"wrote {out}  (open it in a browser; add #step=N to the address to open step N)")
        return EXIT_OK
    text = render_text(cx, story=story, marks=marks, full=args.full, vars=_vars(args), actor=args.actor,
                       start=args.start, end=args.end, notes=notes)
    if args.msc:
        head = text.split("\n\n", 1)[0]
        text = head + "\n\n" + render_msc(cx, actor=args.actor, start=args.start, end=args.end)
    enc = (getattr(sys.stdout, "encoding", None) or "utf-8").lower()
    if "utf" not in enc and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    sys.stdout.write(text)
    return EXIT_OK


def main(args: argparse.Namespace) -> int:
    """``view``: show a trace file."""
    for flag, out_path in (("--chrome", args.chrome), ("--html", args.html)):
        if out_path:
            check_output_path(flag, out_path, [args.trace])
    cx = read_itf(args.trace)
    notes: list[str] = []
    story: LassoStory | None = None
    marks: list[bool] | None = None
    model, note = (None, "--no-spec was given") if args.no_spec else model_for(cx)
    if model is not None:
        if note:
            notes.append(note)
        story, marks = annotate(cx, model)
    elif cx.loop is not None:
        story = LassoStory(False, note)
    elif cx.kind in ("always", "deadlock"):
        notes.append(f"the steps that do not matter cannot be marked: {note}")
    return _emit(cx, args, story, marks, notes)


def _parse_path(text: str) -> tuple[int, ...]:
    try:
        path = tuple(int(x) for x in text.strip().split("/") if x != "")
    except ValueError:
        raise UsageError(f"--path {text!r} is not a list of integers separated by '/' (like 0/3/1)") from None
    if not path or any(k < 0 for k in path):
        raise UsageError(f"--path {text!r} must start with the initial-state index and hold no negative numbers")
    return path


def _detect(model: Any, states: list[Any], wanted: str | None, loop: int | None = None) -> tuple[Any, str]:
    """The property the path's end violates (the one asked for, else the first safety one that fails).

    A property asked for is checked on the path too: the answer is None (and why) when the path does
    not violate it, so a replay never shows a verdict the path does not have."""
    props = list(model.properties())
    last = states[-1]
    if wanted is not None:
        prop = next((p for p in props if p.name == wanted), None)
        if prop is None:
            raise UsageError(f"--property: the model has no property {wanted!r}; it has: "
                             f"{', '.join(p.name for p in props)}")
        if prop.kind == "always":
            r = evaluate(prop.cond, last)
            if r is None:
                return None, f"{wanted} is not violated: its invariant holds in the last state"
            return prop, r or "the invariant fails"
        if prop.kind == "deadlock":
            acts = model.actions(last)
            if acts:
                return None, (f"{wanted} is not violated: {len(acts)} action(s) are enabled in the last state, "
                              "so it is not stuck")
            r = evaluate(prop.cond, last)
            if r is None:
                return None, f"{wanted} is not violated: the last state is a proper end"
            return prop, r or "no action is enabled"
        if prop.is_liveness:
            if loop is None:
                return None, f"{wanted} is a liveness property: only a lasso (--loop K) can violate it"
            return prop, ""
        return None, f"{wanted} ({prop.kind}) is not violated by a single path"
    for p in props:
        if p.kind == "always":
            r = evaluate(p.cond, last)
            if r is not None:
                return p, r or "the invariant fails"
        if p.kind == "deadlock" and not model.actions(last):
            r = evaluate(p.cond, last)
            if r is not None:
                return p, r or "no action is enabled"
    return None, "the last state violates no safety property"


def replay_main(args: argparse.Namespace) -> int:
    """``replay``: re-run a path on the spec's model and show it like ``view``."""
    old: Counterexample | None = None
    if args.trace:
        old = read_itf(args.trace)
    spec_path = args.spec or ((old.spec_file or old.spec_path) if old else None)
    if not spec_path:
        raise UsageError("replay needs a SPEC (or a --trace file that names one)")
    if args.path is not None:
        path = _parse_path(args.path)
    elif old is not None:
        path = old.path
    else:
        raise UsageError("replay needs --path 0/3/1 (or --trace FILE)")
    loop = args.loop if args.loop is not None else (old.loop if old is not None and args.path is None else None)
    spec = load_spec(spec_path)
    model = build_checkable(spec, allow_code=getattr(args, "allow_python_models", False))
    if not hasattr(model, "next_state"):
        raise InputError(f"{spec_path} is a {spec.kind} spec, answered by a solver: it has no paths to replay",
                         spec_path, 1, 1)
    notes: list[str] = []
    changed = bool(old and old.spec_digest and old.spec_digest != spec.digest)
    if changed and old is not None and args.spec and old.spec_path and \
            not same_file(args.spec, old.spec_file or old.spec_path):
        raise UsageError(f"the trace {args.trace} was written for the spec {old.spec_path} (digest {old.spec_digest}), "
                         f"not for {args.spec} (digest {spec.digest}); replay it without SPEC, or give --path to "
                         "replay a path of your own on this spec")
    if changed and old is not None:
        msg = (f"warning: {spec_path} changed since the trace was written (digest {old.spec_digest} in the "
               f"trace, {spec.digest} now); the replay shows the spec as it is now")
        print(msg, file=sys.stderr)
        notes.append(msg)
    try:
        states, _ = replay(model, path, spec_path)
    except ReplayError as e:
        print(f"error: the path does not replay on {spec_path}: {e.message}", file=sys.stderr)
        if changed:
            print("  the spec changed since the trace was written: that is the likely cause", file=sys.stderr)
        return EXIT_BAD_INPUT
    if loop is not None:
        if not 0 <= loop < len(states) - 1:
            raise UsageError(f"--loop {loop} is not a step before the last one (0..{len(states) - 2})")
        if states[loop] != states[-1]:
            raise UsageError(f"--loop {loop}: the path does not return to the state after step {loop}; "
                             "it is not a lasso")
    wanted = args.property or (old.property if old is not None and args.path is None else None)
    prop, reason = _detect(model, states, wanted, loop)
    if old is not None and prop is not None and prop.name == old.property and old.reason and not changed \
            and args.path is None:
        reason = old.reason
    if prop is None:
        notes.append(reason)
    cx = build(model, prop.name if prop else "(none)", reason, path, loop, spec_path=spec_path,
               spec_digest=spec.digest, kind=prop.kind if prop else "",
               fairness=prop.fairness if prop is not None and prop.is_liveness else "",
               found_by=(old.found_by if old is not None and args.path is None else "replay"))
    story, marks = annotate(cx, model)
    return _emit(cx, args, story, marks, notes)


#: Options a trace may record as set on the command line (`gocheck.pipeline`), applied on replay.
_REPLAY_OVERRIDES = frozenset({"runtime.mutex_starvation"})


def model_for(cx: Counterexample) -> tuple[Any, str]:
    """The model of the spec a trace names (or None) and a note on what went wrong or changed.

    Viewing never runs code the user did not ask for: a trace that names a
    spec with an unregistered Python model gets no model (see `gocheck.factory`)."""
    if not cx.spec_path:
        return None, "the trace names no spec (#meta.spec is empty)"
    try:
        spec = load_spec(cx.spec_file or cx.spec_path)
        over = cx.meta.get("overrides") or {}
        if not isinstance(over, dict) or set(over) - _REPLAY_OVERRIDES:
            return None, f"the trace's #meta.overrides may only set {', '.join(sorted(_REPLAY_OVERRIDES))}"
        for key, value in over.items():  # validated like a sweep's value: data, never code
            spec = apply_override(spec, key, value)
        model = build_checkable(spec)
    except InputError as e:
        return None, f"the spec {cx.spec_path} cannot be loaded ({e})"
    if not hasattr(model, "next_state"):
        return None, f"the spec {cx.spec_path} is answered by a solver, not by a model"
    note = ""
    if cx.spec_digest and spec.digest != cx.spec_digest:
        note = (f"warning: {cx.spec_path} changed since the trace was written (digest {cx.spec_digest} in the "
                f"trace, {spec.digest} now)")
    return model, note
