"""Runs through the Celery engine: runs per minute completed with 1 and 2 workers, and POST -> first event.

    .venv/bin/python bench/engine_throughput.py [--runs 12] [--steps 2000] [--repeats 2] [--latency-repeats 8]

A burst of `--runs` digits runs (64-32-10 student, `--steps` steps each) is posted at once to one web
process; every worker takes one run at a time, so with 2 workers the figure should be about twice the
1-worker one (each run uses one core) on a machine with two free cores; the bench ends by measuring how
much two direct runs side by side gain on this machine now, the ceiling for that ratio. With the workers
idle and warm, runs are also posted one by one
and the time from POST to the first event is measured (target <= 1 s). Loopback only, bounded.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from _engine import celery_cluster, machine, run_to_end


def burst(url: str, runs: int, steps: int) -> tuple[float, list[str]]:
    body = {"experiment": "digits", "device": "cpu", "config": {"steps": steps, "student_hidden": 32}}
    with httpx.Client(base_url=url, timeout=600) as client, ThreadPoolExecutor(runs) as pool:
        t0 = time.perf_counter()
        results = list(pool.map(lambda i: run_to_end(client, {**body, "config": {**body["config"], "seed": i}}),
                                range(runs)))
        elapsed = time.perf_counter() - t0
    return elapsed, [r[2] for r in results]


def first_event_latency(url: str, repeats: int) -> list[float]:
    body = {"experiment": "digits", "device": "cpu", "config": {"steps": 200}}
    with httpx.Client(base_url=url, timeout=120) as client:
        run_to_end(client, body)                     # warm: the worker has loaded its teacher
        return [run_to_end(client, {**body, "config": {"steps": 200, "seed": i}})[0] for i in range(repeats)]


def machine_parallelism(steps: int) -> float:
    """How much faster two CPU-bound runs finish side by side than one after the other, on this machine
    now (2.0 on two idle cores): the ceiling for the 2-worker / 1-worker ratio."""
    direct = [sys.executable, str(Path(__file__).with_name("_direct_run.py")), str(steps)]
    one = float(subprocess.run(direct, capture_output=True, text=True, check=True).stdout)
    pair = [subprocess.Popen(direct, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    both = [float(p.communicate()[0]) for p in pair]      # each its training time, started together
    return 2 * one / max(both)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=2, help="bursts per worker count, alternated 1, 2, 1, 2")
    parser.add_argument("--latency-repeats", type=int, default=8)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    rates: dict[int, list[float]] = {1: [], 2: []}
    limits = {"max_queued_runs": args.runs, "max_runs_per_client": args.runs}
    for rep in range(args.repeats):
        for workers in (1, 2):            # alternated, so a change in the machine's load hits both alike
            with celery_cluster(workers, **limits) as (url, _, _):
                first_event_latency(url, 1)              # every worker warm before the clock starts
                elapsed, ends = burst(url, args.runs, args.steps)
                rates[workers].append(60 * ends.count("done") / elapsed)
                print(f"{workers} worker(s): {ends.count('done')}/{args.runs} runs of {args.steps} steps done in "
                      f"{elapsed:.1f} s = {rates[workers][-1]:.1f} runs/min   ({machine()})")
                if workers == 1 and rep == 0:
                    lat = first_event_latency(url, args.latency_repeats)
                    print(f"POST -> first event (warm worker, {len(lat)} runs): median "
                          f"{statistics.median(lat):.3f} s, max {max(lat):.3f} s")
    one, two = statistics.median(rates[1]), statistics.median(rates[2])
    print(f"median runs/min: 1 worker {one:.1f}, 2 workers {two:.1f}; 2 workers / 1 worker: {two / one:.2f}x")
    print(f"the machine itself, two direct runs side by side against one: {machine_parallelism(args.steps):.2f}x")
    print(f"machine after: {machine()}")


if __name__ == "__main__":
    main()
