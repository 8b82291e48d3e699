"""The explorers' API while runs train: /api/kd/soften and /api/kd/loss at 32 concurrent connections,
with four runs training against with none, on the Celery engine (runs on 4 workers) and the embedded one.

    .venv/bin/python bench/load_while_training.py [--connections 32] [--rate 5] [--seconds 15]
                                                  [--engine celery|embedded|both]

Open loop, like a room of learners dragging sliders: each connection sends one request every 1/rate
seconds (soften and loss alternately) whether or not the last answer has come, so a slow server shows
as latency, not as fewer requests. Prints p50/p95/p99 and errors (targets: p99 <= 100 ms, 0 errors).
Loopback only, bounded by --seconds.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import threading
import time
from contextlib import ExitStack

import httpx

from _engine import celery_cluster, embedded_server, machine

RUN = {"experiment": "digits", "device": "cpu", "config": {"steps": 5000, "student_hidden": 32}}


def bodies(rng: random.Random):
    soften = {"logits": [rng.uniform(-5, 5) for _ in range(10)], "temperatures": [1.0, rng.uniform(0.5, 20)]}
    loss = {"student_logits": [[rng.uniform(-3, 3) for _ in range(10)]],
            "teacher_logits": [[rng.uniform(-3, 3) for _ in range(10)]], "labels": [rng.randrange(10)],
            "alpha": rng.uniform(0, 1), "temperature": rng.uniform(1, 8)}
    return [("/api/kd/soften", soften), ("/api/kd/loss", loss)]


async def connection(client: httpx.AsyncClient, rate: float, until: float, lat: list, errors: list, seed: int):
    rng = random.Random(seed)
    pending = []

    async def one(path, body):
        t0 = time.perf_counter()
        try:
            r = await client.post(path, json=body)
            (lat if r.status_code == 200 else errors).append(time.perf_counter() - t0)
        except httpx.HTTPError:
            errors.append(time.perf_counter() - t0)

    tick = time.perf_counter() + rng.uniform(0, 1 / rate)
    while tick < until:
        await asyncio.sleep(max(0.0, tick - time.perf_counter()))
        path, body = bodies(rng)[len(pending) % 2]
        pending.append(asyncio.ensure_future(one(path, body)))
        tick += 1 / rate
    await asyncio.gather(*pending)


async def load(url: str, connections: int, rate: float, seconds: float) -> tuple[list, list]:
    lat, errors = [], []
    # One HTTP connection per simulated client.
    clients = [httpx.AsyncClient(base_url=url, timeout=30, limits=httpx.Limits(max_connections=1))
               for _ in range(connections)]
    try:
        for c in clients:                                  # open every connection before the clock starts
            await c.get("/healthz")
        until = time.perf_counter() + seconds
        await asyncio.gather(*(connection(c, rate, until, lat, errors, i) for i, c in enumerate(clients)))
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return lat, errors


class KeepTraining:
    """Keeps `n` runs training on the server until stopped (a finished run is replaced at once)."""

    def __init__(self, url: str, n: int) -> None:
        self.url, self.n, self.stop = url, n, threading.Event()
        self.threads = [threading.Thread(target=self._loop, args=(i,), daemon=True) for i in range(n)]
        self.started = 0

    def _loop(self, i: int) -> None:
        with httpx.Client(base_url=self.url, timeout=120) as client:
            while not self.stop.is_set():
                run = client.post("/api/runs", json={**RUN, "config": {**RUN["config"], "seed": i}}).json()
                self.started += 1
                while not self.stop.wait(0.2):
                    if client.get(f"/api/runs/{run['id']}").json()["status"] not in ("queued", "running"):
                        break
                else:
                    client.delete(f"/api/runs/{run['id']}")

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def wait_training(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.url) as client:
            while time.monotonic() < deadline:
                if self.started >= self.n:
                    time.sleep(2.0)                      # past the first steps (teacher loaded)
                    return
                time.sleep(0.1)
        raise RuntimeError("runs did not start")

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join()


def report(label: str, lat: list, errors: list) -> None:
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [float("nan")] * 99
    print(f"  {label:<22} {len(lat):6d} ok {len(errors):4d} errors   p50 {q[49] * 1e3:7.1f} ms   "
          f"p95 {q[94] * 1e3:7.1f} ms   p99 {q[98] * 1e3:7.1f} ms")


def measure(url: str, args, runs: int, label: str) -> None:
    with ExitStack() as stack:
        if runs:
            stack.enter_context(KeepTraining(url, runs)).wait_training()
        lat, errors = asyncio.run(load(url, args.connections, args.rate, args.seconds))
    report(label, lat, errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rate", type=float, default=5.0, help="requests per second per connection")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--engine", choices=("celery", "embedded", "both"), default="both")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"{args.connections} connections x {args.rate:g} req/s = {args.connections * args.rate:g} req/s for "
          f"{args.seconds:g} s, soften and loss alternately")
    if args.engine in ("celery", "both"):
        print("Celery engine: one web process, 4 workers (runs train in the workers)")
        with celery_cluster(4) as (url, _, _):
            measure(url, args, 0, "no runs")
            measure(url, args, 4, "4 runs training")
    if args.engine in ("embedded", "both"):
        print("embedded engine: one web process, runs on its threads (max 4 at once)")
        with embedded_server(max_concurrent_runs=4) as (url, _):
            measure(url, args, 0, "no runs")
            measure(url, args, 4, "4 runs training")
    print(f"machine after: {machine()}")


if __name__ == "__main__":
    main()
