"""Processes for the job-engine benchmarks: a Redis, `brewslm worker`s and a web process on it, or a
web process with the embedded engine. Teachers come from var/cache (trained once, here, if missing)."""
from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.settings import get_settings  # noqa: E402
from app.training.digits.teacher import DigitsTeacherCache  # noqa: E402
from tests.engine_processes import Proc, engine_env, start_web, start_worker  # noqa: E402
from tests.redis_server import running_redis  # noqa: E402
from tests.sse_client import read_events  # noqa: E402

CACHE = get_settings().cache_dir


def teacher_on_disk() -> None:
    DigitsTeacherCache(CACHE).get("cpu")


@contextmanager
def celery_cluster(workers: int, **settings: object) -> Iterator[tuple[str, Proc, list[Proc]]]:
    """A fresh Redis, `workers` CPU workers and one web process: (its URL, the web process, the workers)."""
    teacher_on_disk()
    with running_redis() as redis_server, tempfile.TemporaryDirectory() as logs:
        env = engine_env(redis_server.url, CACHE, **settings)
        procs: list[Proc] = []
        try:
            procs = [start_worker(env, Path(logs)) for _ in range(workers)]
            web, url = start_web(env, Path(logs))
            try:
                yield url, web, procs
            finally:
                web.stop()
        finally:
            for proc in procs:
                proc.stop()


@contextmanager
def embedded_server(**settings: object) -> Iterator[tuple[str, Proc]]:
    """One web process with the embedded engine (no Redis): runs train on its threads."""
    teacher_on_disk()
    with tempfile.TemporaryDirectory() as logs:
        env = {"BREWSLM_CACHE_DIR": str(CACHE), **{f"BREWSLM_{k.upper()}": str(v) for k, v in settings.items()}}
        env["BREWSLM_REDIS_URL"] = ""
        web, url = start_web(env, Path(logs))
        try:
            yield url, web
        finally:
            web.stop()


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def run_to_end(client: httpx.Client, body: dict) -> tuple[float, float, str]:
    """POST a run and follow it: (seconds to its first event, seconds to its last, the last event's type)."""
    t0 = time.perf_counter()
    created = client.post("/api/runs", json=body)
    created.raise_for_status()
    first = None
    last = "none"
    with client.stream("GET", created.json()["events_url"]) as response:
        for event in read_events(response):
            if first is None:
                first = time.perf_counter() - t0
            last = event.event
    return first if first is not None else float("nan"), time.perf_counter() - t0, last


def machine() -> str:
    load = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
