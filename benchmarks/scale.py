"""Scaling of the partitioned search (checker.parallel); writes reports/scale.md.

    python benchmarks/scale.py            # PhilFlat(10, deadlock): 1,048,576 states; Ray: 1/8/16 actors
    python benchmarks/scale.py --quick    # small sizes, a smoke run (about a minute)
    python benchmarks/scale.py --skip-ray # local backend only
    python benchmarks/scale.py --work-split  # only: N partitions run in turn in one process (CPU per partition)
    python benchmarks/scale.py --go fanout:5 # only: a Go program of benchmarks/perf_programs.py, unreduced,
                                             # single process, 1 and 2 workers; appended to --out

Measures, on one spec of at least a million states (the dining
philosophers of checker/examples.py, `PhilFlat(10, deadlock=True)`, the same
transition system as SPIN's phil_flat.pml):

- wall time and CPU time of the single-process `explore()` and of the local
  backend with 1 and 2 workers (speed-up of 2 workers over 1);
- memory per worker (resident growth of its table, and its peak RSS);
- the cost of moving a state between partitions, two ways: the extra CPU
  of the 2-worker run over the 1-worker run divided by the states it moved,
  and a direct timing of each step (encode, pickle the outbox, the pipe,
  unpickle, decode: CPU time, except the pipe's round trip, which is wall);
- a simulated cluster: the same search with 1, 8 and 16 Ray actors on this
  machine (PhilFlat(9, deadlock), 262,144 states), and the per-round latency
  of 1, 8 and 16 actors on a tiny model; docs/scale.md uses these to model
  16 and 64 workers.

Wall-clock times on a shared 2-core machine depend on what else runs; the
report records the load average next to every figure.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import pickle
import platform
import sys
import time
from array import array
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from checker.examples import PhilFlat  # noqa: E402
from checker.explore import explore  # noqa: E402
from checker.parallel import run_parallel  # noqa: E402
from checker.parallel.codec import decode, make_encoder, owner  # noqa: E402


def load() -> str:
    return "%.1f" % os.getloadavg()[0]


def single(n: int) -> dict[str, Any]:
    t0, c0 = time.monotonic(), time.process_time()
    r = explore(PhilFlat(n, True))
    return {"wall": time.monotonic() - t0, "cpu": time.process_time() - c0, "states": r.stats.states,
            "transitions": r.stats.transitions, "peak_mb": r.stats.peak_mb, "load": load(),
            "deadlock": len(r["deadlock_free"].path or ()) - 1}


def parallel(n: int, workers: int, ray: str | None = None, batch: int = 20_000) -> dict[str, Any]:
    t0 = time.monotonic()
    run = run_parallel(functools.partial(PhilFlat, n, True), workers, ray=ray, batch=batch)
    wall = time.monotonic() - t0
    r = run.result
    parts = run.partitions
    return {"wall": wall, "search": r.stats.seconds, "states": r.stats.states, "transitions": r.stats.transitions,
            "rounds": run.rounds, "levels": run.levels, "coord_cpu": run.coordinator_cpu,
            "coord_mb": run.coordinator_mb, "cpu": [p["cpu"] for p in parts], "busy": [p["busy"] for p in parts],
            "sent": sum(p["sent"] for p in parts), "part_states": [p["states"] for p in parts],
            "grown_mb": [p["grown_mb"] for p in parts], "peak_mb": [p["peak_mb"] for p in parts],
            "load": load(), "deadlock": len(r["deadlock_free"].path or ()) - 1,
            "verdicts": {k: v.verdict.kind for k, v in r.results.items()}}


def work_split(n: int, parts: int, batch: int = 20_000, factory: Any = None) -> dict[str, Any]:
    """The partitions' work without processes: all `parts` partitions run in
    turn in this process, round by round, outboxes handed over directly.
    The CPU time of each partition is the work it would do on its own core,
    free of the operating system's scheduling and of any transport.
    `factory`: another model than `PhilFlat(n, deadlock=True)`."""
    from checker.parallel.partition import Partition
    if factory is None:
        factory = functools.partial(PhilFlat, n, True)
    ps = [Partition(factory, k, parts) for k in range(parts)]
    cpu = [0.0] * parts
    for k, p in enumerate(ps):
        c = time.process_time()
        p.init()
        cpu[k] += time.process_time() - c
    advance = True
    while True:
        outs = []
        for k, p in enumerate(ps):
            c = time.process_time()
            outs.append(p.expand(batch, advance, []))
            cpu[k] += time.process_time() - c
        for j, p in enumerate(ps):
            c = time.process_time()
            p.receive([outs[i][j] for i in range(parts)])
            cpu[j] += time.process_time() - c
        advance = not any(p.pos < len(p.cur) for p in ps)
        if advance and not any(p.next for p in ps):
            break
    return {"parts": parts, "cpu": cpu, "states": sum(len(p.keys) for p in ps),
            "part_states": [len(p.keys) for p in ps], "transitions": sum(p.transitions for p in ps),
            "sent": sum(p.sent for p in ps), "load": load()}


def _go_factory(program: str, n: int, codec: str = "wire", key: bool = True) -> Any:
    """A picklable factory of the Go model of benchmarks/perf_programs.py's `program`(`n`):
    `codec` ``wire`` (the model's `state_codec`, `models.wire`) or ``pickle`` (the engine's
    default, the hook switched off); without `key`, no `partition_key` (the CRC of the bytes)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from perf_programs import spec_text

    from gocheck.spec import load_spec_text
    spec = load_spec_text(spec_text(program, n), f"{program}_{n}.yaml")
    return functools.partial(_go_model, spec, codec, key)


def _go_model(spec: Any, codec: str, key: bool) -> Any:
    from gocheck.factory import build
    m = build(spec)
    if codec == "pickle":
        m.state_codec = None
    if not key:
        m.partition_key = None
    return m


def _go_parallel(factory: Any, workers: int) -> dict[str, Any]:
    t0 = time.monotonic()
    run = run_parallel(factory, workers)
    res = run.result
    return {"wall": time.monotonic() - t0, "states": res.stats.states, "transitions": res.stats.transitions,
            "cpu": [p["cpu"] for p in run.partitions], "coord_cpu": run.coordinator_cpu,
            "sent": sum(p["sent"] for p in run.partitions), "rounds": run.rounds, "load": load(),
            "part_states": [p["states"] for p in run.partitions], "grown_mb": [p["grown_mb"] for p in run.partitions],
            "peak_mb": [p["peak_mb"] for p in run.partitions], "table_mb": [p["table_mb"] for p in run.partitions],
            "verdicts": {k: v.verdict.kind for k, v in res.results.items()}}


def go_runs(program: str, n: int, codec: str = "wire", crc: bool = True) -> dict[str, Any]:
    """A Go program of benchmarks/perf_programs.py without partial-order reduction (the
    partitioned search has none): the single-process `check()`, 1 and 2 workers (with the
    model's partition key) and, with `crc`, 2 workers with the CRC owner.  The workers build
    the model from the compiled spec, so this also checks that the Go model's states encode
    identically in every process (same counts)."""
    from checker.check import check
    factory = _go_factory(program, n, codec)
    codec_us = go_codec_cost(program, min(n, 6))
    print(codec_us, flush=True)
    t0, c0 = time.monotonic(), time.process_time()
    r = check(factory(), reduce=False)
    out: dict[str, Any] = {"program": f"{program}({n})", "arg": f"{program}:{n}", "codec": codec, "single": {
        "wall": time.monotonic() - t0, "cpu": time.process_time() - c0, "states": r.stats.states,
        "transitions": r.stats.transitions, "load": load(), "peak_mb": r.stats.peak_mb,
        "verdicts": {k: v.verdict.kind for k, v in r.results.items()}}, "codec_us": codec_us}
    del r  # the workers are forked from this process: they would inherit its states
    gc.collect()
    print(out, flush=True)
    for w in (1, 2):
        out[w] = _go_parallel(factory, w)
        print(w, out[w], flush=True)
    if crc and getattr(factory(), "partition_key", None) is not None:
        out["crc"] = _go_parallel(_go_factory(program, n, codec, key=False), 2)
        print("crc", out["crc"], flush=True)
    return out


def go_codec_cost(program: str, n: int, count: int = 20_000) -> dict[str, float]:
    """µs per state of the two codecs on `count` real successors (BFS order, as a search meets them):
    the pickle with the memo off (the engine's default) and `models.wire` (the Go model's hook),
    writing every successor and reading them back in another codec (cold: nothing interned; warm:
    the same states again)."""
    import pickle as pk

    from models.wire import WorldCodec
    m = _go_factory(program, n)()
    init = m.init_states()[0]
    seen, frontier, succ = {init}, [init], []
    i = 0
    while len(succ) < count:
        st = frontier[i]
        i += 1
        for a in m.actions(st):
            t = m.next_state(st, a)
            succ.append(t)
            if t not in seen:
                seen.add(t)
                frontier.append(t)
    succ = succ[:count]
    gc.collect()
    gc.disable()  # the collector's passes would land in one codec's loop or the other's
    enc = make_encoder()
    us = 1e6 / count
    c0 = time.process_time()
    old = [enc(t) for t in succ]
    c1 = time.process_time()
    _ = [pk.loads(d) for d in old]
    c2 = time.process_time()
    wire = WorldCodec()
    c3 = time.process_time()
    new = [wire.encode(t) for t in succ]
    c4 = time.process_time()
    other = WorldCodec()
    _ = [other.decode(d) for d in new]
    c5 = time.process_time()
    _ = [other.decode(d) for d in new]
    c6 = time.process_time()
    gc.enable()
    return {"pickle encode": (c1 - c0) * us, "pickle decode": (c2 - c1) * us, "wire encode": (c4 - c3) * us,
            "wire decode (cold)": (c5 - c4) * us, "wire decode (warm)": (c6 - c5) * us,
            "pickle bytes": sum(map(len, old)) / count, "wire bytes": sum(map(len, new)) / count}


def go_report(g: dict[str, Any]) -> str:
    one, two, single = g[1], g[2], g["single"]
    same = (single["states"] == one["states"] == two["states"]
            and single["transitions"] == one["transitions"] == two["transitions"]
            and single["verdicts"] == one["verdicts"] == two["verdicts"])
    if "crc" in g:
        same = same and (g["crc"]["states"], g["crc"]["transitions"], g["crc"]["verdicts"]) == \
            (two["states"], two["transitions"], two["verdicts"])
    codec = "`models.wire` (the model's `state_codec`)" if g["codec"] == "wire" else "the pickle (hook off)"
    lines = ["", f"## A Go program: {g['program']} of benchmarks/perf_programs.py, no partial-order reduction", "",
             f"`python benchmarks/scale.py --go {g['arg']}`" + (" --go-codec pickle" if g["codec"] != "wire" else "")
             + f": {single['states']:,} states, {single['transitions']:,} transitions; codec {codec}; "
             + ("counts and verdicts equal in every search." if same else "**COUNTS DIFFER**."), "",
             "| search | wall s | CPU s per worker | coordinator CPU s | states moved | states per worker | "
             "table growth MB per worker | peak RSS MB per worker | rounds | load |",
             "|---|---|---|---|---|---|---|---|---|---|",
             f"| `check(reduce=False)` single process | {_f(single['wall'])} | {_f(single['cpu'])} | - | - | - | - | "
             f"{_f(single['peak_mb'], 0)} | - | {single['load']} |"]
    rows = [(f"local, {w} worker{'s' if w > 1 else ''}", g[w]) for w in (1, 2)]
    if "crc" in g:
        rows.append(("local, 2 workers, CRC owner (no partition key)", g["crc"]))
    for label, r in rows:
        lines.append(f"| {label} | {_f(r['wall'])} | {', '.join(_f(c) for c in r['cpu'])} | {_f(r['coord_cpu'])} | "
                     f"{r['sent']:,} | {', '.join(f'{x:,}' for x in r['part_states'])} | "
                     f"{', '.join(_f(x, 0) for x in r['grown_mb'])} | {', '.join(_f(x, 0) for x in r['peak_mb'])} | "
                     f"{r['rounds']} | {r['load']} |")
    cpu1 = sum(one["cpu"]) + one["coord_cpu"]
    cpu2 = sum(two["cpu"]) + two["coord_cpu"]
    lines += ["", f"- Speed-up of 2 workers over 1: wall **{one['wall'] / two['wall']:.2f}x**; CPU critical path "
              f"(1 worker's CPU / the busier of 2) **{one['cpu'][0] / max(two['cpu']):.2f}x**; 2 workers over the "
              f"single-process `check()`: wall {single['wall'] / two['wall']:.2f}x.",
              f"- 1 worker against `check()`: {one['cpu'][0] / single['cpu']:.2f}x the CPU.",
              f"- Moving a state: the 2-worker run spent {_f(cpu2 - cpu1)} s more CPU than the 1-worker run for "
              f"{two['sent']:,} moved states: {1e6 * (cpu2 - cpu1) / max(1, two['sent']):.2f} µs per moved state.",
              f"- A stored state costs a worker about {2**20 * sum(one['grown_mb']) / one['states']:,.0f} bytes of "
              f"resident growth (1 worker), its table {2**20 * sum(one['table_mb']) / one['states']:,.0f} bytes counted.",
              f"- Verdicts: {', '.join(f'{k}: {v}' for k, v in two['verdicts'].items())}.", ""]
    if "codec_us" in g:
        cu = g["codec_us"]
        lines += ["Codec costs per state (µs of CPU, 20,000 successors in BFS order):", "",
                  "| codec | encode | decode | bytes per state |", "|---|---|---|---|",
                  f"| pickle, memo off (engine default) | {cu['pickle encode']:.1f} | {cu['pickle decode']:.1f} | "
                  f"{cu['pickle bytes']:,.0f} |",
                  f"| `models.wire` | {cu['wire encode']:.1f} | {cu['wire decode (cold)']:.1f} cold, "
                  f"{cu['wire decode (warm)']:.1f} warm | {cu['wire bytes']:,.0f} |", ""]
    return "\n".join(lines)


def _echo(conn: Any) -> None:
    while True:
        data = conn.recv_bytes()
        if not data:
            return
        conn.send_bytes(data)


def move_cost(n: int, count: int = 20_000) -> dict[str, float]:
    """Per-state cost of each step a moved state takes (µs), on real successor states."""
    import multiprocessing as mp
    model = PhilFlat(n, True)
    states: list[Any] = []
    frontier = list(model.init_states())
    while len(states) < count:
        s = frontier.pop(0)
        for a in model.actions(s):
            succ = model.next_state(s, a)
            states.append(succ)
            frontier.append(succ)
    states = states[:count]
    enc = make_encoder()
    t = time.process_time()
    data = [enc(s) for s in states]
    t_enc = time.process_time() - t
    t = time.process_time()
    _ = [owner(d, 2) for d in data]
    t_own = time.process_time() - t
    box = (data, array("q", range(count)), array("l", [0] * count))
    t = time.process_time()
    blob = pickle.dumps(box, protocol=5)
    t_pick = time.process_time() - t
    ctx = mp.get_context("fork")
    mine, theirs = ctx.Pipe()
    p = ctx.Process(target=_echo, args=(theirs,), daemon=True)
    p.start()
    t = time.perf_counter()
    rounds = 10
    for _ in range(rounds):
        mine.send_bytes(blob)
        mine.recv_bytes()
    t_pipe = (time.perf_counter() - t) / rounds / 2
    mine.send_bytes(b"")
    p.join()
    t = time.process_time()
    back = pickle.loads(blob)
    t_unpick = time.process_time() - t
    t = time.process_time()
    _ = [decode(d) for d in back[0]]
    t_dec = time.process_time() - t
    table: dict[bytes, int] = {}
    t = time.process_time()
    for i, d in enumerate(back[0]):
        table.setdefault(d, i)
    t_dict = time.process_time() - t
    us = 1e6 / count
    out = {"encode": t_enc * us, "owner": t_own * us, "pickle outbox": t_pick * us, "pipe (one way)": t_pipe * us,
           "unpickle outbox": t_unpick * us, "decode": t_dec * us, "table lookup": t_dict * us,
           "bytes per state": len(blob) / count}
    out["total (excl. encode, owner)"] = sum(out[k] for k in ("pickle outbox", "pipe (one way)", "unpickle outbox",
                                                              "decode", "table lookup"))
    return out


def round_latency(actors: int, ray: str | None) -> dict[str, float]:
    """Seconds per round when the work is nil: PhilFlat(3) has 27 levels, batch 1 forces many rounds."""
    t0 = time.monotonic()
    run = run_parallel(functools.partial(PhilFlat, 3, True), actors, ray=ray, batch=1)
    return {"rounds": run.rounds, "per_round_ms": 1000 * run.result.stats.seconds / max(1, run.rounds),
            "setup_s": time.monotonic() - t0 - run.result.stats.seconds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    ap.add_argument("--skip-ray", action="store_true")
    ap.add_argument("--out", default="reports/scale.md")
    ap.add_argument("--work-split", action="store_true",
                    help="only measure the partitions' CPU in one process (1, 2, 4) and append it to --out")
    ap.add_argument("--go", metavar="PROGRAM:N",
                    help="only run a Go program of benchmarks/perf_programs.py (e.g. workerpool:6) and append it to --out")
    ap.add_argument("--go-codec", choices=("wire", "pickle"), default="wire",
                    help="with --go: the Go model's codec (models.wire) or the engine's pickle")
    ap.add_argument("--parts", metavar="N,N,...", default="",
                    help="with --work-split: these partition counts (e.g. 16,64), with a 1-partition base run")
    ap.add_argument("--no-key", action="store_true", help="with --work-split --go: the CRC owner, not the model's key")
    ap.add_argument("--skip-go", action="store_true", help="leave out the Go program (workerpool:6, ~8 minutes)")
    args = ap.parse_args()
    if args.work_split and (args.go or args.parts):
        return work_split_main(args)
    if args.go:
        program, _, size = args.go.partition(":")
        text = go_report(go_runs(program, int(size), args.go_codec, crc=args.go_codec == "wire"))
        print(text)
        with open(args.out, "a", encoding="utf-8") as f:
            f.write(text)
        return
    if args.work_split:
        n = 7 if args.quick else 10
        rows = [work_split(n, k) for k in (1, 2, 4)]
        base = rows[0]["cpu"][0]
        lines = ["", f"## Work split without processes: PhilFlat({n}, deadlock=True)", "",
                 "`python benchmarks/scale.py --work-split`: the partitions run in turn in one process, so each "
                 "one's CPU time is what it would use on a free core, with no transport and no scheduler.", "",
                 "| partitions | CPU s per partition | max | speed-up bound (1 partition / max) | states moved | load |",
                 "|---|---|---|---|---|---|"]
        for r in rows:
            lines.append(f"| {r['parts']} | {', '.join(_f(c) for c in r['cpu'])} | {_f(max(r['cpu']))} | "
                         f"{base / max(r['cpu']):.2f}x | {r['sent']:,} | {r['load']} |")
        text = "\n".join(lines) + "\n"
        print(text)
        with open(args.out, "a", encoding="utf-8") as f:
            f.write(text)
        return
    n, sim_n = (7, 6) if args.quick else (10, 9)
    cmd = "python benchmarks/scale.py" + (" --quick" if args.quick else "") + (" --skip-ray" if args.skip_ray else "") \
        + (" --skip-go" if args.skip_go else "")
    print(f"explore() PhilFlat({n}, deadlock) ...", flush=True)
    base = single(n)
    print(base, flush=True)
    runs = {}
    for w in (1, 2):
        print(f"local backend, {w} worker(s) ...", flush=True)
        runs[w] = parallel(n, w)
        print(runs[w], flush=True)
    moves = move_cost(n)
    print(moves, flush=True)
    sim: dict[int, dict[str, Any]] = {}
    lat: dict[int, dict[str, float]] = {}
    if not args.skip_ray:
        import ray

        from checker.parallel.ray_backend import connect
        connect("local", 16)
        try:
            for a in (1, 8, 16):
                print(f"Ray, {a} actors, PhilFlat({sim_n}, deadlock) ...", flush=True)
                lat[a] = round_latency(a, "auto")
                sim[a] = parallel(sim_n, a, ray="auto")
                print(lat[a], sim[a], flush=True)
        finally:
            ray.shutdown()
        lat_local = {a: round_latency(a, None) for a in (1, 2)}
    else:
        lat_local = {a: round_latency(a, None) for a in (1, 2)}
    go = None if args.skip_go else go_runs("workerpool", 4 if args.quick else 6)
    write_report(args.out, cmd, n, sim_n, base, runs, moves, sim, lat, lat_local, go)
    print(f"wrote {args.out}")


def work_split_main(args: Any) -> None:
    """``--work-split --parts 16,64 [--go PROGRAM:N]``: the work split of PhilFlat(10) (or of a Go
    program, with its partition key) at 1 and the given partition counts: states moved, the
    partitions' balance and CPU, appended to --out (the figures docs/scale.md's model takes)."""
    counts = [1] + [int(x) for x in args.parts.split(",") if x] if args.parts else [1, 2, 4]
    if args.go:
        program, _, size = args.go.partition(":")
        factory = _go_factory(program, int(size), key=not args.no_key)
        title, n = f"{program}({size}), Go, " + ("the CRC owner" if args.no_key else "its partition key"), 0
    else:
        n = 7 if args.quick else 10
        factory, title = None, f"PhilFlat({n}, deadlock=True)"
    rows = []
    for k in counts:
        rows.append(work_split(n, k, factory=factory))
        print(rows[-1]["parts"], max(rows[-1]["cpu"]), rows[-1]["sent"], flush=True)
    base = rows[0]["cpu"][0]
    cmd = f"python benchmarks/scale.py --work-split --parts {args.parts}" + (f" --go {args.go}" if args.go else "") \
        + (" --no-key" if args.no_key else "")
    lines = ["", f"## Work split at many partitions: {title}", "",
             f"`{cmd}`: the partitions in turn in one process (CPU per partition, no transport); "
             f"{rows[0]['states']:,} states, {rows[0]['transitions']:,} transitions.", "",
             "| partitions | CPU s, sum | CPU s, max | states moved (M) | M / transitions | states per partition "
             "(min-max) | largest over the mean | work bound (1 partition / max) | load |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ps = r["part_states"]
        lines.append(f"| {r['parts']} | {_f(sum(r['cpu']))} | {_f(max(r['cpu']))} | {r['sent']:,} | "
                     f"{r['sent'] / r['transitions']:.2f} | {min(ps):,}-{max(ps):,} | "
                     f"{max(ps) / (r['states'] / r['parts']) - 1:+.0%} | {base / max(r['cpu']):.1f}x | {r['load']} |")
    text = "\n".join(lines) + "\n"
    print(text)
    with open(args.out, "a", encoding="utf-8") as f:
        f.write(text)


def _f(x: float, d: int = 2) -> str:
    return f"{x:,.{d}f}"


def write_report(path: str, cmd: str, n: int, sim_n: int, base: dict[str, Any], runs: dict[int, dict[str, Any]],
                 moves: dict[str, float], sim: dict[int, dict[str, Any]], lat: dict[int, dict[str, float]],
                 lat_local: dict[int, dict[str, float]], go: dict[str, Any] | None = None) -> None:
    one, two = runs[1], runs[2]
    cpu1 = sum(one["cpu"]) + one["coord_cpu"]
    cpu2 = sum(two["cpu"]) + two["coord_cpu"]
    move_us = 1e6 * (cpu2 - cpu1) / max(1, two["sent"])
    crit2 = max(two["cpu"])
    lines = [
        "# Scaling the partitioned search", "",
        f"Written by `{cmd}` on {platform.node() or 'this machine'}: {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}.  The machine is shared: the 1-minute load average is given with every run, "
        "and wall-clock times move with it; CPU times much less.", "",
        f"## PhilFlat({n}, deadlock=True): {base['states']:,} states, {base['transitions']:,} transitions", "",
        "| search | wall s | CPU s (all processes) | states/s (wall) | rounds | states moved | deadlock trace | load |",
        "|---|---|---|---|---|---|---|---|",
        f"| `explore()` single process | {_f(base['wall'])} | {_f(base['cpu'])} | "
        f"{base['states'] / base['wall']:,.0f} | - | - | {base['deadlock']} steps | {base['load']} |",
    ]
    for w, r in runs.items():
        lines.append(f"| local, {w} worker{'s' if w > 1 else ''} | {_f(r['wall'])} | "
                     f"{_f(sum(r['cpu']) + r['coord_cpu'])} | {r['states'] / r['wall']:,.0f} | {r['rounds']} | "
                     f"{r['sent']:,} | {r['deadlock']} steps | {r['load']} |")
    lines += [
        "",
        f"- Speed-up of 2 workers over 1 (wall): **{one['wall'] / two['wall']:.2f}x**; over the single-process "
        f"`explore()`: {base['wall'] / two['wall']:.2f}x.",
        f"- CPU critical path: the busier of the 2 workers used {_f(crit2)} s of CPU against {_f(sum(one['cpu']))} s "
        f"for the 1 worker: {sum(one['cpu']) / crit2:.2f}x is the speed-up with a free core per worker "
        f"(no other load), before the barrier waits.",
        f"- Per-worker CPU at 2 workers: {', '.join(_f(c) for c in two['cpu'])} s; states per partition: "
        f"{', '.join(f'{s:,}' for s in two['part_states'])}.",
        "",
        "### Memory per worker", "",
        "| run | table growth per worker (MB) | peak RSS per worker (MB) | coordinator peak RSS (MB) |",
        "|---|---|---|---|",
        f"| `explore()` | - | {_f(base['peak_mb'], 0)} (the one process) | - |",
    ]
    for w, r in runs.items():
        lines.append(f"| {w} worker{'s' if w > 1 else ''} | {', '.join(_f(g, 0) for g in r['grown_mb'])} | "
                     f"{', '.join(_f(g, 0) for g in r['peak_mb'])} | {_f(r['coord_mb'], 0)} |")
    lines += [
        "",
        f"A stored state costs a worker about {2**20 * sum(one['grown_mb']) / one['states']:,.0f} bytes here "
        f"(its canonical bytes as the key of a dict, the parent/action/depth arrays; the frontier's decoded "
        f"states are transient).",
        "",
        "### Moving a state between partitions", "",
        f"- Measured in the search: the 2-worker run spent {_f(cpu2 - cpu1)} s more CPU than the 1-worker run "
        f"and moved {two['sent']:,} states: **{move_us:.2f} µs of CPU per moved state** (all processes, the "
        f"coordinator's forwarding included).",
        "- Step by step (µs per state, batches of 20,000 real successors):", "",
        "| step | µs |", "|---|---|",
    ]
    for k, v in moves.items():
        lines.append(f"| {k} | {v:.2f} |" if k != "bytes per state" else f"| {k} | {v:.0f} bytes |")
    lines += ["", "Per-round latency when there is no work (a round is: expand, exchange, store):", "",
              "| backend | partitions | rounds | ms per round |", "|---|---|---|---|"]
    for a, x in lat_local.items():
        lines.append(f"| local | {a} | {x['rounds']:.0f} | {x['per_round_ms']:.2f} |")
    for a, x in lat.items():
        lines.append(f"| Ray | {a} | {x['rounds']:.0f} | {x['per_round_ms']:.2f} |")
    if sim:
        lines += ["", f"## Simulated cluster: Ray actors on this machine, PhilFlat({sim_n}, deadlock=True), "
                  f"{sim[1]['states']:,} states", "",
                  "| actors | wall s (with actor start) | search s | actor CPU s (sum) | max actor CPU s | rounds | states moved | "
                  "states per actor (min-max) | table growth per actor MB (max) | load |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for a, r in sim.items():
            lines.append(f"| {a} | {_f(r['wall'])} | {_f(r['search'])} | {_f(sum(r['cpu']))} | {_f(max(r['cpu']))} | {r['rounds']} | "
                         f"{r['sent']:,} | {min(r['part_states']):,}-{max(r['part_states']):,} | "
                         f"{_f(max(r['grown_mb']), 1)} | {r['load']} |")
        lines += ["", "Every run found the same counts and a deadlock trace of the same length "
                  f"({', '.join(str(r['deadlock']) for r in sim.values())} steps).  docs/scale.md turns these "
                  "figures into a model for 16 and 64 workers."]
    lines.append("")
    if go is not None:
        lines.append(go_report(go))
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
