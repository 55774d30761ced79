"""Record Go's output distribution for every program of the scheduling corpus.

For each ``NAME.go`` here: build it once with ``go build``, run the binary
``--runs`` times (200 by default) and write ``NAME.json``: the ``go
version``, the machine's CPU count (Go's default GOMAXPROCS), the number of
runs and a map from each distinct stdout (with its end: ``exit``, or
``panic``/``fatal`` when the process died) to how many runs printed it.

Usage (from the repository root; needs the Go toolchain)::

    python tests/sched_corpus/record.py [--runs 200] [NAME ...]
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def record(path: str, runs: int, version: str) -> dict[str, object]:
    name = os.path.splitext(os.path.basename(path))[0]
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "go.mod"), "w", encoding="utf-8") as f:
            f.write("module corpus\n\ngo 1.19\n")
        with open(path, encoding="utf-8") as src, open(os.path.join(d, "main.go"), "w", encoding="utf-8") as dst:
            dst.write(src.read())
        exe = os.path.join(d, name)
        subprocess.run(["go", "build", "-o", exe, "."], cwd=d, check=True, capture_output=True, timeout=600)
        counts: collections.Counter[tuple[str, str]] = collections.Counter()
        for _ in range(runs):
            r = subprocess.run([exe], capture_output=True, text=True, timeout=60)
            end = "exit" if r.returncode == 0 else ("panic" if "panic:" in r.stderr else "fatal")
            counts[(r.stdout, end)] += 1
    outs = [{"output": o, "end": e, "count": n} for (o, e), n in counts.most_common()]
    return {"program": f"{name}.go", "go_version": version, "cpus": os.cpu_count(), "runs": runs,
            "outputs": outs}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*")
    ap.add_argument("--runs", type=int, default=200)
    args = ap.parse_args(argv)
    version = subprocess.run(["go", "version"], capture_output=True, text=True, check=True).stdout.strip()
    paths = sorted(glob.glob(os.path.join(HERE, "*.go")))
    if args.names:
        paths = [p for p in paths if os.path.splitext(os.path.basename(p))[0] in args.names]
    for p in paths:
        data = record(p, args.runs, version)
        with open(os.path.splitext(p)[0] + ".json", "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
        top = data["outputs"][0]  # type: ignore[index]
        print(f"{data['program']}: {len(data['outputs'])} distinct outputs; "  # type: ignore[arg-type]
              f"most frequent {top['count']}/{args.runs}", flush=True)
    with open(os.path.join(HERE, "GO_VERSION"), "w", encoding="utf-8") as f:
        f.write(f"{version}\ncpus {os.cpu_count()}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
