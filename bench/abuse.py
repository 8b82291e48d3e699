"""A well-behaved learner's latency and the server's memory while a hostile client does its worst.

    .venv/bin/python bench/abuse.py [--seconds 10]

The server runs as `python -m uvicorn app.main:app` (uvicorn's own defaults: the app must bring its own
limits) in its own process, on loopback. The learner (127.0.0.2) drags a slider: a soften request over
the live socket every 20 ms, and GET /healthz over HTTP every 100 ms. A hostile client (127.0.0.1, in its
own process) runs one attack at a time, each for --seconds:

  heavy-sockets     8 sockets, each keeping 25 of the largest soften requests queued (issue #14, item 2)
  big-messages      sockets sending messages past the wire limit, over and over (item 3)
  unread-sockets    sockets up to the per-client cap, each asking for ~360 KB answers and reading none (item 3)
  compare-loop      4 connections looping uncached tiny-LM comparisons (item 4)

Prints, per attack, the learner's p50/p95 against the same learner alone, and the server's peak RSS
against its idle RSS, and the CPU the server and the attacker used per second of the attack (all of it
on the same cores as the learner). Targets: p95 within 2× of alone and under 100 ms; memory never above 1.5× idle.
Not a test: it measures (bounded in time; everything it starts is stopped).
"""
from __future__ import annotations

import argparse
import json
import logging
import multiprocessing as mp
import os
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from _server import running_server_process

LEARNER, HOSTILE = "127.0.0.2", "127.0.0.1"
MOVE = {"logits": [2.0, 1.0, 0.5, -1.0, 0.0, 3.0, 1.5, -0.5], "temperatures": [1.0, 2.0]}
HEAVY = {"logits": [0.25 * (i % 40) for i in range(4096)], "temperatures": [1.0, 2.0, 3.0, 4.0]}


def live(url: str, source: str, **kwargs):
    port = int(url.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    return connect(url.replace("http://", "ws://") + "/api/live", sock=sock, origin=url, open_timeout=10, **kwargs)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds the process has used (threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the hostile client: one function per attack, run in its own process until `stop` is set ---

def heavy_sockets(url: str, stop) -> None:
    def one() -> None:
        try:
            with live(url, HOSTILE, max_size=None) as ws:
                sent = 0
                for _ in range(25):
                    ws.send(json.dumps({"id": sent, "path": "/api/kd/soften", "body": HEAVY}))
                    sent += 1
                while not stop.is_set():
                    ws.recv(timeout=30)
                    ws.send(json.dumps({"id": sent, "path": "/api/kd/soften", "body": HEAVY}))
                    sent += 1
        except (ConnectionClosed, TimeoutError, OSError):
            pass

    threads = [threading.Thread(target=one, daemon=True) for _ in range(8)]
    for t in threads:
        t.start()
    stop.wait()


def big_messages(url: str, stop) -> None:
    message = '{"id": 1, "path": "/api/kd/soften", "body": {"logits": [' + "0," * 600_000 + "0]}}"   # 1.2 MB
    while not stop.is_set():
        try:
            with live(url, HOSTILE, max_size=None, compression="deflate") as ws:
                for _ in range(20):
                    ws.send(message)
                ws.recv(timeout=5)
        except (ConnectionClosed, TimeoutError, OSError):
            pass


def unread_sockets(url: str, stop) -> None:
    held = []
    for _ in range(120):                     # past the per-client cap of 100: the rest are refused
        try:
            ws = live(url, HOSTILE, max_queue=1, max_size=None)
            for i in range(30):
                ws.send(json.dumps({"id": i, "path": "/api/kd/soften", "body": HEAVY}))
            held.append(ws)
        except (ConnectionClosed, TimeoutError, OSError):
            pass
    stop.wait()
    for ws in held:
        ws.socket.close()


def compare_loop(url: str, stop) -> None:
    def one(k: int) -> None:
        seed = 1000 + 100 * k
        with httpx.Client(base_url=url, timeout=120,
                          transport=httpx.HTTPTransport(local_address=HOSTILE)) as client:
            while not stop.is_set():
                seed += 1
                client.post("/api/tinylm/compare", json={"steps": 400, "examples": 300, "seed": seed})

    threads = [threading.Thread(target=one, args=(k,), daemon=True) for k in range(4)]
    for t in threads:
        t.start()
    stop.wait()


ATTACKS = {"heavy-sockets": heavy_sockets, "big-messages": big_messages, "unread-sockets": unread_sockets,
           "compare-loop": compare_loop}


def _hostile(name: str, url: str, stop) -> None:
    logging.getLogger("websockets").setLevel(logging.CRITICAL)   # its sockets are closed on it, on purpose
    ATTACKS[name](url, stop)


# --- the learner and the measurement ---

def learner(url: str, seconds: float, pid: int) -> dict[str, list[float]]:
    moves: list[float] = []
    health: list[float] = []
    rss: list[float] = []
    deadline = time.monotonic() + seconds
    with live(url, LEARNER) as ws, httpx.Client(base_url=url, timeout=30,
                                                 transport=httpx.HTTPTransport(local_address=LEARNER)) as http:
        i = 0
        next_health = time.monotonic()
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            ws.send(json.dumps({"id": i, "path": "/api/kd/soften", "body": MOVE}))
            reply = json.loads(ws.recv(timeout=30))
            moves.append(time.perf_counter() - t0)
            assert reply["status"] == 200, reply
            if time.monotonic() >= next_health:
                t0 = time.perf_counter()
                assert http.get("/healthz").status_code == 200
                health.append(time.perf_counter() - t0)
                rss.append(rss_mib(pid))
                next_health += 0.1
            i += 1
            time.sleep(max(0.0, 0.02 - (time.perf_counter() - t0)))
    return {"moves": moves, "health": health, "rss": rss}


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1e3 if len(values) > 1 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--attacks", nargs="*", default=list(ATTACKS))
    args = parser.parse_args()
    print(f"load average at the start: {os.getloadavg()}")
    with running_server_process() as (url, server):
        pid = server.pid
        learner(url, 2.0, pid)                                  # warm-up
        httpx.post(url + "/api/tinylm/teacher", json={}, timeout=600)   # the tiny-LM teacher, trained once
        time.sleep(1.0)
        idle = rss_mib(pid)
        alone = learner(url, args.seconds, pid)
        print(f"idle RSS {idle:.0f} MiB")
        print(f"{'attack':16} {'slider p50':>10} {'p95':>8} {'healthz p95':>12} {'peak RSS':>9} {'÷ idle':>7}"
              f" {'server CPU':>11} {'attacker CPU':>13}")
        print(f"{'(alone)':16} {p(alone['moves'], 50):8.1f}ms {p(alone['moves'], 95):6.1f}ms "
              f"{p(alone['health'], 95):10.1f}ms {max(alone['rss']):7.0f}MiB {max(alone['rss']) / idle:6.2f}")
        ctx = mp.get_context("spawn")
        for name in args.attacks:
            stop = ctx.Event()
            attacker = ctx.Process(target=_hostile, args=(name, url, stop), daemon=True)
            attacker.start()
            time.sleep(2.0)                                     # let the attack get going
            cpu_before = (cpu_s(pid), cpu_s(attacker.pid))
            under = learner(url, args.seconds, pid)
            cpu = [(cpu_s(pid) - cpu_before[0]) / args.seconds, (cpu_s(attacker.pid) - cpu_before[1]) / args.seconds]
            stop.set()
            attacker.join(30)
            if attacker.is_alive():
                attacker.kill()
            peak = max(under["rss"])
            print(f"{name:16} {p(under['moves'], 50):8.1f}ms {p(under['moves'], 95):6.1f}ms "
                  f"{p(under['health'], 95):10.1f}ms {peak:7.0f}MiB {peak / idle:6.2f}"
                  f" {cpu[0]:9.2f} s/s {cpu[1]:11.2f} s/s", flush=True)
            time.sleep(3.0)                                     # let the server settle between attacks
    print(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
