"""Class fan-out: one instructor moving a slider, many followers receiving each move (loopback only).

    .venv/bin/python bench/class_fanout.py [--followers 200] [--seconds 20] [--rate 30] [--redis] [--compression none] [--nice 10] [--no-pin]

The instructor's page sends its moves as the real page does (one request in flight; the newest state
goes next), at `--rate` moves a second for `--seconds`. For each move, every follower's receipt time
is recorded; the figures are p50/p95 from the instructor sending a move to a follower receiving it,
the instructor's own round trip (the answer to its move) alone and while the room follows, and the
server's resident memory per follower. With --redis, two server processes share a redis-server
started here: the instructor on the first, the followers split across both.

The followers run in a process of their own, apart from the instructor's (so the instructor's round
trip is not delayed by 200 sockets' reading in its own event loop); both use the same monotonic clock.
With --nice 10 that process yields the CPU to the server and the instructor, as a room's own devices
would: the server's and instructor's figures are then nearer a real room's, and the followers' receipt
times (taken by that low-priority process) an upper bound.
In a real room the followers' reading happens on forty devices, not on the server's machine. By default
(on a machine with 2 or more CPUs) the followers' process is therefore pinned to a CPU of its own and the
servers, their redis-server and the instructor to the others, so the load generator does not take the
instructor's CPU; `--no-pin` lets every process run anywhere, as an upper bound on what a room sharing
the server's machine would see.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import re
import statistics
import sys
import time
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

from _server import ROOT, running_server_process

sys.path.insert(0, str(ROOT))

LOGITS = [4.595, 0.0]
T_IN_FRAME = re.compile(r'"state":\{[^}]*"T":([0-9.eE+-]+)')


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def quantiles(values: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(values, n=100)
    return q[49] * 1e3, q[94] * 1e3


COMPRESSION = {"deflate": "deflate", "none": None}


async def socket(base: str, code: str, hello: str, compression: str = "deflate"):
    # Browsers ask for per-message deflate, and uvicorn grants it unless told otherwise.
    ws = await connect(f"{base.replace('http', 'ws', 1)}/api/classes/{code}/socket", origin=base, max_size=2**22,
                       compression=COMPRESSION[compression])
    await ws.send(hello)
    await ws.recv()                                    # the welcome
    return ws


class Instructor:
    """Moves T like the page: a move every 1/rate s; while one is unanswered, only the newest waits."""

    def __init__(self, ws, rate: float) -> None:
        self.ws, self.rate = ws, rate
        self.sent: dict[float, float] = {}             # T → when its move was sent
        self.round_trips: list[float] = []
        self.replied = asyncio.Event()

    async def read(self) -> None:
        async for message in self.ws:
            if message.startswith('{"type":"reply"'):
                self.replied.set()

    async def move(self, i: int) -> None:
        T = round(1.0 + (i % 1800) * 0.01, 2) + (i // 1800) * 0.001     # distinct T per move, within 0.1..20
        body = f'{{"logits":[4.595,0.0],"temperatures":[1,{T}]}}'
        self.replied.clear()
        t0 = time.perf_counter()
        self.sent[T] = t0
        await self.ws.send(f'{{"type":"move","id":{i},"state":{{"preset":"peaky","T":{T},"logits":[4.595,0.0]}},'
                           f'"path":"/api/kd/soften","body":{body}}}')
        await self.replied.wait()
        self.round_trips.append(time.perf_counter() - t0)

    async def drag(self, seconds: float) -> int:
        reader = asyncio.create_task(self.read())
        start, i = time.perf_counter(), 0
        try:
            while time.perf_counter() - start < seconds:
                await self.move(i)
                i += 1
                next_tick = start + i / self.rate
                if next_tick > time.perf_counter():      # late: the next move goes at once, like latestOnly
                    await asyncio.sleep(next_tick - time.perf_counter())
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        return i


async def follow(ws, arrivals: list[tuple[float, float]]) -> None:
    """Record (T, when) for each state this follower receives, until its socket closes."""
    with contextlib.suppress(Exception):
        async for message in ws:
            at = time.perf_counter()
            match = T_IN_FRAME.search(message) if message.startswith('{"type":"state"') else None
            if match:
                arrivals.append((float(match.group(1)), at))


async def followers_run(bases: list[str], code: str, count: int, compression: str, ready, stop):
    sockets = [await socket(bases[i % len(bases)], code, '{"type":"follow"}', compression) for i in range(count)]
    arrivals: list[list[tuple[float, float]]] = [[] for _ in sockets]
    tasks = [asyncio.create_task(follow(ws, mine)) for ws, mine in zip(sockets, arrivals)]
    ready.set()
    await asyncio.get_running_loop().run_in_executor(None, stop.wait)
    await asyncio.sleep(1.0)                            # the last moves arrive
    for ws in sockets:
        await ws.close()
    await asyncio.gather(*tasks, return_exceptions=True)
    return arrivals


def pin(pid: int, cpus: set[int]) -> None:
    """Every thread of a process (torch's included) onto these CPUs."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(ProcessLookupError):
            os.sched_setaffinity(int(task.name), cpus)


def split_cpus() -> tuple[set[int], set[int]] | None:
    """(the followers' CPU, everyone else's), or None where there is only one CPU to use."""
    cpus = sorted(os.sched_getaffinity(0))
    return ({cpus[-1]}, set(cpus[:-1])) if len(cpus) >= 2 else None


def followers_process(bases, code, count, compression, nice, cpus, ready, stop, results) -> None:
    os.nice(nice)
    if cpus:
        pin(os.getpid(), cpus)
    results.put(asyncio.run(followers_run(bases, code, count, compression, ready, stop)))


async def run(bases: list[str], pid: int, followers: int, seconds: float, rate: float, compression: str,
              nice: int, followers_cpus: set[int] | None) -> None:
    session = httpx.post(f"{bases[0]}/api/classes", json={"widget": "temperature",
                                                          "state": {"preset": "peaky", "T": 1.0, "logits": LOGITS}}).json()
    lead_hello = f'{{"type":"lead","control":"{session["control"]}"}}'
    lead = Instructor(await socket(bases[0], session["code"], lead_hello, compression), rate)

    await lead.drag(seconds)                            # alone, as long as followed: nobody follows yet
    alone = lead.round_trips[5:]
    lead.round_trips, lead.sent = [], {}

    rss_before = rss_kib(pid)
    spawn = multiprocessing.get_context("spawn")
    ready, stop, results = spawn.Event(), spawn.Event(), spawn.Queue()
    child = spawn.Process(target=followers_process, args=(bases, session["code"], followers, compression, nice,
                                                          followers_cpus, ready, stop, results))
    child.start()
    await asyncio.get_running_loop().run_in_executor(None, ready.wait)
    await asyncio.sleep(1.0)
    rss_after = rss_kib(pid)

    cpu0, t0 = cpu_seconds(pid), time.perf_counter()
    moves = await lead.drag(seconds)
    cpu = (cpu_seconds(pid) - cpu0) / (time.perf_counter() - t0)
    stop.set()
    arrivals = await asyncio.get_running_loop().run_in_executor(None, results.get)
    child.join()
    await lead.ws.close()

    delays = [at - lead.sent[T] for mine in arrivals for T, at in mine if T in lead.sent]
    received = [sum(T in lead.sent for T, _ in mine) for mine in arrivals]
    a50, a95 = quantiles(alone)
    f50, f95 = quantiles(lead.round_trips)
    d50, d95 = quantiles(delays)
    print(f"{followers} followers on {len(bases)} process(es), {moves} moves in {seconds:g} s ({moves / seconds:.1f}/s), "
          f"sockets ask for compression: {compression}, followers' process at nice {nice}, "
          + (f"on CPU {sorted(followers_cpus)} apart from the rest" if followers_cpus else "not pinned"))
    print(f"  move → follower received   p50 {d50:6.1f} ms   p95 {d95:6.1f} ms   max {max(delays) * 1e3:6.1f} ms")
    print(f"  states received per follower: median {statistics.median(received):.0f} of {moves} "
          f"(fewer when a follower was behind: it gets the newest, never a backlog)")
    print(f"  instructor's round trip alone       p50 {a50:6.1f} ms   p95 {a95:6.1f} ms")
    print(f"  instructor's round trip, followed   p50 {f50:6.1f} ms   p95 {f95:6.1f} ms   (p95 ratio {f95 / a95:.2f})")
    print(f"  server CPU (process 1) while the room follows: {100 * cpu:.0f}% of one core")
    print(f"  server memory (process 1): {(rss_after - rss_before) / max(1, followers // len(bases)):.0f} KiB per "
          f"follower ({rss_before / 1024:.0f} → {rss_after / 1024:.0f} MiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rate", type=float, default=30)
    parser.add_argument("--redis", action="store_true", help="two server processes sharing a redis-server")
    parser.add_argument("--nice", type=int, default=0, choices=range(0, 20), metavar="0-19",
                        help="lower the followers' process's priority, so the load generator takes CPU only "
                             "when the server and the instructor do not need it")
    parser.add_argument("--no-pin", action="store_true",
                        help="let the followers' process share every CPU with the servers and the instructor")
    parser.add_argument("--compression", choices=sorted(COMPRESSION), default="deflate",
                        help="what the pages' sockets ask for (browsers: deflate)")
    args = parser.parse_args()
    if not 1 <= args.followers <= 1000 or not 1 <= args.seconds <= 120 or not 1 <= args.rate <= 60:
        parser.error("bounded: 1–1000 followers, 1–120 s, 1–60 moves a second")
    env = {"BREWSLM_CLASS_MAX_FOLLOWERS": str(args.followers + 10)}
    with contextlib.ExitStack() as stack:
        if args.redis:
            from tests.redis_server import RedisProcess, require_redis_server

            redis = RedisProcess(require_redis_server())
            redis.start()
            stack.callback(redis.stop)
            env["BREWSLM_REDIS_URL"] = redis.url
        first, process = stack.enter_context(running_server_process(env))
        bases, others = [first], []
        if args.redis:
            second, second_process = stack.enter_context(running_server_process(env))
            bases.append(second)
            others.append(second_process.pid)
        split = None if args.no_pin else split_cpus()
        if split:
            for server_pid in [process.pid, *others] + ([redis.process.pid] if args.redis else []):
                pin(server_pid, split[1])
            pin(os.getpid(), split[1])
        asyncio.run(run(bases, process.pid, args.followers, args.seconds, args.rate, args.compression, args.nice,
                        split[0] if split else None))


if __name__ == "__main__":
    main()
