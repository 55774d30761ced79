"""Reference runtime throughput versus plain Python concurrency.

Two workloads, each written three ways -- Go run by the reference runtime
(``reference.run``, event log off), Python ``threading`` + ``queue``, and
``asyncio`` -- printed as rates and as ratios in one run:

- spawn: start N goroutines/threads/tasks that each finish at once (WaitGroup);
- ping-pong: two goroutines bounce a value over unbuffered channels R times.

    python benchmarks/bench_reference.py [--n 5000] [--rounds 5000] [--procs 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import queue
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import reference  # noqa: E402
from models.lang import compile_go  # noqa: E402

SPAWN = """package main

import "sync"

func main() {
	var wg sync.WaitGroup
	for i := 0; i < %d; i++ {
		wg.Add(1)
		go func() {
			wg.Done()
		}()
	}
	wg.Wait()
}
"""

PINGPONG = """package main

func main() {
	ping := make(chan int)
	pong := make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
	}()
	v := 0
	for i := 0; i < %d; i++ {
		ping <- v
		v = <-pong
	}
	close(ping)
}
"""


def timed(f) -> float:
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def go(src: str, procs: int) -> float:
    prog = compile_go(src, "bench.go")

    def f() -> None:
        r = reference.run(prog, procs=procs, record=False, timeout_s=600)
        assert r.exit_code == 0, r.stderr
    return timed(f)


def threads_spawn(n: int) -> float:
    def f() -> None:
        ts = [threading.Thread(target=lambda: None) for _ in range(n)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    return timed(f)


def threads_pingpong(rounds: int) -> float:
    def f() -> None:
        ping: queue.Queue = queue.Queue(maxsize=1)
        pong: queue.Queue = queue.Queue(maxsize=1)

        def echo() -> None:
            while (v := ping.get()) is not None:
                pong.put(v + 1)
        t = threading.Thread(target=echo)
        t.start()
        v = 0
        for _ in range(rounds):
            ping.put(v)
            v = pong.get()
        ping.put(None)
        t.join()
    return timed(f)


def asyncio_spawn(n: int) -> float:
    async def main() -> None:
        async def nop() -> None:
            return None
        await asyncio.gather(*(asyncio.create_task(nop()) for _ in range(n)))
    return timed(lambda: asyncio.run(main()))


def asyncio_pingpong(rounds: int) -> float:
    async def main() -> None:
        ping: asyncio.Queue = asyncio.Queue(maxsize=1)
        pong: asyncio.Queue = asyncio.Queue(maxsize=1)

        async def echo() -> None:
            while (v := await ping.get()) is not None:
                await pong.put(v + 1)
        t = asyncio.create_task(echo())
        v = 0
        for _ in range(rounds):
            await ping.put(v)
            v = await pong.get()
        await ping.put(None)
        await t
    return timed(lambda: asyncio.run(main()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=5000, help="goroutines to spawn")
    ap.add_argument("--rounds", type=int, default=5000, help="ping-pong round trips")
    ap.add_argument("--procs", type=int, default=2)
    a = ap.parse_args()
    rows = [
        ("spawn+finish", "goroutines/s", a.n, go(SPAWN % a.n, a.procs), threads_spawn(a.n), asyncio_spawn(a.n)),
        ("ping-pong", "round trips/s", a.rounds, go(PINGPONG % a.rounds, a.procs),
         threads_pingpong(a.rounds), asyncio_pingpong(a.rounds)),
    ]
    print(f"reference runtime, procs={a.procs}, Python {sys.version.split()[0]}")
    print(f"{'workload':14} {'unit':14} {'reference':>12} {'threading':>12} {'asyncio':>12} "
          f"{'ref/thread':>10} {'ref/async':>10}")
    for name, unit, n, tg, tt, ta in rows:
        rg, rthr, ras = n / tg, n / tt, n / ta
        print(f"{name:14} {unit:14} {rg:12,.0f} {rthr:12,.0f} {ras:12,.0f} {rg / rthr:10.2f} {rg / ras:10.3f}")


if __name__ == "__main__":
    main()
