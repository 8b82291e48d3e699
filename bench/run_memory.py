"""The web server's memory after 100 runs against after 10 (target: within 10%), for both engines.

    .venv/bin/python bench/run_memory.py [--runs 100] [--steps 200] [--engine celery|embedded|both]

Runs are posted four at a time and each is followed to its end over SSE, as the lab does; the web
process's resident memory (VmRSS) is read after run 10 and after the last. In the embedded engine the
runs live in the web process; with Celery they live in Redis and the workers (their memory is printed
too). Loopback only, bounded by --runs.
"""
from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor

import httpx

from _engine import celery_cluster, embedded_server, machine, rss_mb, run_to_end

BODY = {"experiment": "digits", "device": "cpu", "config": {"student_hidden": 32, "omit_class": 3}}


def run_many(url: str, start: int, count: int, steps: int) -> list[str]:
    with httpx.Client(base_url=url, timeout=120) as client, ThreadPoolExecutor(4) as pool:
        body = {**BODY, "config": {**BODY["config"], "steps": steps}}
        return list(pool.map(lambda i: run_to_end(client, {**body, "config": {**body["config"], "seed": i}})[2],
                             range(start, start + count)))


def measure(url: str, web_pid: int, runs: int, steps: int, others: list[tuple[str, int]]) -> None:
    ends = run_many(url, 0, 10, steps)
    after_10 = rss_mb(web_pid)
    others_10 = [rss_mb(pid) for _, pid in others]
    ends += run_many(url, 10, runs - 10, steps)
    after_all = rss_mb(web_pid)
    print(f"  runs done: {ends.count('done')}/{len(ends)}")
    print(f"  web process RSS: {after_10:.1f} MB after 10 runs, {after_all:.1f} MB after {runs} "
          f"({100 * (after_all / after_10 - 1):+.1f}%)")
    for (name, pid), before in zip(others, others_10):
        now = rss_mb(pid)
        print(f"  {name} RSS: {before:.1f} MB after 10 runs, {now:.1f} MB after {runs} "
              f"({100 * (now / before - 1):+.1f}%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--engine", choices=("celery", "embedded", "both"), default="both")
    args = parser.parse_args()
    print(f"machine: {machine()}; {args.runs} digits runs of {args.steps} steps, 4 at a time")
    if args.engine in ("embedded", "both"):
        print("embedded engine")
        with embedded_server(max_concurrent_runs=4, max_runs_per_client=8) as (url, web):
            measure(url, web.pid, args.runs, args.steps, [])
    if args.engine in ("celery", "both"):
        print("Celery engine, 2 workers")
        with celery_cluster(2, max_runs_per_client=8) as (url, web, workers):
            measure(url, web.pid, args.runs, args.steps, [(f"worker {i + 1}", w.pid) for i, w in enumerate(workers)])
    print(f"machine after: {machine()}")


if __name__ == "__main__":
    main()
