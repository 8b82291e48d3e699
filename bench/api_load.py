"""API load: latency of POST /api/kd/soften under concurrent clients (a classroom dragging sliders).

    .venv/bin/python bench/api_load.py [--clients 16] [--requests 4000]

Prints p50/p95/p99 latency and throughput. The server runs in its own process; the load generator
is a single asyncio process with that many concurrent clients on loopback.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time

import httpx

from _server import running_server


async def client_loop(client: httpx.AsyncClient, n: int, latencies: list[float], rng: random.Random) -> None:
    for _ in range(n):
        body = {"logits": [rng.uniform(-5, 5) for _ in range(10)], "temperatures": [1.0, rng.uniform(0.1, 20)]}
        t0 = time.perf_counter()
        r = await client.post("/api/kd/soften", json=body)
        latencies.append(time.perf_counter() - t0)
        r.raise_for_status()


async def run(url: str, clients: int, requests: int) -> None:
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        await client_loop(client, 50, [], random.Random(0))  # warm-up
        t0 = time.perf_counter()
        per = requests // clients
        await asyncio.gather(*(client_loop(client, per, latencies, random.Random(i)) for i in range(clients)))
        elapsed = time.perf_counter() - t0
    q = statistics.quantiles(latencies, n=100)
    print(f"POST /api/kd/soften, {clients} concurrent clients, {len(latencies)} requests")
    print(f"  throughput {len(latencies) / elapsed:8.0f} req/s")
    print(f"  latency p50 {q[49] * 1e3:6.1f} ms   p95 {q[94] * 1e3:6.1f} ms   p99 {q[98] * 1e3:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=4000)
    args = parser.parse_args()
    with running_server() as url:
        asyncio.run(run(url, args.clients, args.requests))


if __name__ == "__main__":
    main()
