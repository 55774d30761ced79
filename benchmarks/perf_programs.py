"""The Go programs of benchmarks/perf.py, as spec texts parametrised by N.

Each program has a Promela twin in benchmarks/promela/ (same shape: the
mutex as a guarded bit, a channel as a Promela channel, a WaitGroup as a
counter); see reports/perf.md for how far the twins agree.
"""

from __future__ import annotations

import json

PROPS = "[deadlock_free, panic_free, race_free]"


def _spec(name: str, about: str, src: str, props: str = PROPS) -> str:
    body = "".join(f"  {line}\n" if line else "\n" for line in src.splitlines())
    return f"name: {name}\nabout: {json.dumps(about)}\nsource: |\n{body}properties: {props}\n"


def fanout_src(n: int) -> str:
    """Issue 13's program: N goroutines add to a mutex-protected total; main waits."""
    return f"""package main

import "sync"

func main() {{
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for i := 0; i < {n}; i++ {{
		wg.Add(1)
		go func(v int) {{
			defer wg.Done()
			mu.Lock()
			total += v
			mu.Unlock()
		}}(i)
	}}
	wg.Wait()
}}
"""


def philosophers_src(n: int, ordered: bool) -> str:
    """N philosophers with sync.Mutex forks eating for ever; `ordered`: the
    last one takes its forks in the other order (resource ordering, no deadlock)."""
    gos = []
    for i in range(n):
        a, b = i, (i + 1) % n
        if ordered and i == n - 1:
            a, b = b, a
        gos.append(f"\tgo phil(&f{a}, &f{b})\n")
    forks = "".join(f"\tvar f{i} sync.Mutex\n" for i in range(n))
    return f"""package main

import "sync"

func phil(first *sync.Mutex, second *sync.Mutex) {{
	for {{
		first.Lock()
		second.Lock()
		second.Unlock()
		first.Unlock()
	}}
}}

func main() {{
{forks}	var wg sync.WaitGroup
	wg.Add(1)
{"".join(gos)}	wg.Wait()
}}
"""


def workerpool_src(n: int) -> str:
    """3 workers drain N jobs from a buffered channel into a mutex-protected sum."""
    return f"""package main

import "sync"

func main() {{
	jobs := make(chan int, {n})
	var wg sync.WaitGroup
	var mu sync.Mutex
	sum := 0
	for w := 0; w < 3; w++ {{
		wg.Add(1)
		go func() {{
			defer wg.Done()
			for j := range jobs {{
				mu.Lock()
				sum += j
				mu.Unlock()
			}}
		}}()
	}}
	for i := 0; i < {n}; i++ {{
		jobs <- i
	}}
	close(jobs)
	wg.Wait()
}}
"""


def pipeline_src(n: int) -> str:
    """gen -> square -> main over unbuffered channels; main takes N values,
    then cancels the context and waits for both stages to return."""
    return f"""package main

import (
	"context"
	"sync"
)

func gen(ctx context.Context, out chan int, wg *sync.WaitGroup) {{
	defer wg.Done()
	for i := 0; ; i++ {{
		select {{
		case out <- i:
		case <-ctx.Done():
			return
		}}
	}}
}}

func square(ctx context.Context, in chan int, out chan int, wg *sync.WaitGroup) {{
	defer wg.Done()
	for {{
		select {{
		case v := <-in:
			select {{
			case out <- v * v:
			case <-ctx.Done():
				return
			}}
		case <-ctx.Done():
			return
		}}
	}}
}}

func main() {{
	ctx, cancel := context.WithCancel(context.Background())
	a := make(chan int)
	b := make(chan int)
	var wg sync.WaitGroup
	wg.Add(2)
	go gen(ctx, a, &wg)
	go square(ctx, a, b, &wg)
	for k := 0; k < {n}; k++ {{
		<-b
	}}
	cancel()
	wg.Wait()
}}
"""


#: name -> (source of N, Promela twin file, extra spin -D flags, about)
PROGRAMS = {
    "fanout": (fanout_src, "fanout.pml", (), "N goroutines: Lock, total += v, Unlock, wg.Done; main waits"),
    "phil_deadlock": (lambda n: philosophers_src(n, False), "philosophers_go.pml", (),
                      "N philosophers, mutex forks, left then right (deadlocks)"),
    "phil_ordered": (lambda n: philosophers_src(n, True), "philosophers_go.pml", ("-DORDERED",),
                     "N philosophers, mutex forks, the last one right first (no deadlock)"),
    "workerpool": (workerpool_src, "workerpool.pml", (), "3 workers, N jobs on a buffered channel, WaitGroup"),
    "pipeline": (pipeline_src, "pipeline.pml", (), "gen -> square -> main, N values, then cancel"),
}


def spec_text(name: str, n: int) -> str:
    src, _, _, about = PROGRAMS[name]
    return _spec(f"{name}_{n}", about, src(n))
