"""Frontend throughput: lower ~1,000 lines of Go and print lines/second.

    python benchmarks/bench_frontend.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.lang import compile_go  # noqa: E402

HEADER = '''package main

import (
	"fmt"
	"sync"
)

type Counter struct {
	sync.Mutex
	n int
}

func (c *Counter) Inc() {
	c.Lock()
	defer c.Unlock()
	c.n++
}
'''

TEMPLATE = '''
func worker{i}(c *Counter, ch chan int, wg *sync.WaitGroup) {{
	defer wg.Done()
	total := 0
	for j := 0; j < 3; j++ {{
		select {{
		case v := <-ch:
			total += v
		default:
			c.Inc()
		}}
		if total > 10 && j != 2 {{
			break
		}}
	}}
	done := make(chan bool, 1)
	go func() {{
		total++
		done <- true
	}}()
	<-done
	fmt.Println(total)
}}
'''


def build(lines: int = 1000) -> str:
    parts = [HEADER]
    i = 0
    while sum(p.count("\n") for p in parts) < lines - 10:
        parts.append(TEMPLATE.format(i=i))
        i += 1
    calls = "\n".join(f"\tgo worker{k}(c, ch, &wg)" for k in range(i))
    parts.append(f"\nfunc main() {{\n\tc := &Counter{{}}\n\tch := make(chan int)\n\tvar wg sync.WaitGroup\n"
                 f"\twg.Add({i})\n{calls}\n\twg.Wait()\n}}\n")
    return "".join(parts)


def main() -> None:
    src = build()
    nlines = src.count("\n")
    compile_go(src, "bench.go")  # warm up
    runs = 5
    t0 = time.perf_counter()
    for _ in range(runs):
        prog = compile_go(src, "bench.go")
    dt = (time.perf_counter() - t0) / runs
    ninstr = sum(len(f.code) for f in prog.functions.values())
    print(f"lowered {nlines} lines ({len(prog.functions)} functions, {ninstr} instructions) "
          f"in {dt * 1000:.1f} ms: {nlines / dt:,.0f} lines/s")


if __name__ == "__main__":
    main()
