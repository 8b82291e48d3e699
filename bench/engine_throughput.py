"""Runs through the Celery engine: runs per minute completed with 1 and 2 workers, and POST -> first event.

    .venv/bin/python bench/engine_throughput.py [--runs 12] [--steps 1000] [--latency-repeats 8]

A burst of `--runs` digits runs (64-32-10 student, `--steps` steps each) is posted at once to one web
process; every worker takes one run at a time, so with 2 workers the figure should be about twice the
1-worker one (each run uses one core). Then, with the workers idle and warm, runs are posted one by one
and the time from POST to the first event is measured (target <= 1 s). Loopback only, bounded.
"""
from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--latency-repeats", type=int, default=8)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    rates = {}
    limits = {"max_queued_runs": args.runs, "max_runs_per_client": args.runs}
    for workers in (1, 2):
        with celery_cluster(workers, **limits) as (url, _, _):
            first_event_latency(url, 1)              # every worker warm before the clock starts
            elapsed, ends = burst(url, args.runs, args.steps)
            rates[workers] = 60 * ends.count("done") / elapsed
            print(f"{workers} worker(s): {ends.count('done')}/{args.runs} runs of {args.steps} steps done in "
                  f"{elapsed:.1f} s = {rates[workers]:.1f} runs/min")
            if workers == 1:
                lat = first_event_latency(url, args.latency_repeats)
                print(f"POST -> first event (warm worker, {len(lat)} runs): median {statistics.median(lat):.3f} s, "
                      f"max {max(lat):.3f} s")
    print(f"2 workers / 1 worker: {rates[2] / rates[1]:.2f}x")
    print(f"machine after: {machine()}")


if __name__ == "__main__":
    main()
