"""Real processes for the job-engine tests and benchmarks: `brewslm worker`s and uvicorn web servers on a
test Redis, each a subprocess on a free port, stopped (killed if need be) when the block ends.

Each waits until it is really serving: a worker until it has registered its heartbeat in Redis, a web
server until /healthz answers. Their output goes to a log file whose tail is shown when one fails to start.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import redis

from app.training.engine.store import workers_key
from tests.live_server import free_port

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 90.0     # importing torch and celery on a busy 2-core machine can take a while


class Proc:
    """A subprocess with its log; `stop()` is SIGTERM then SIGKILL, `kill()` is SIGKILL at once."""

    def __init__(self, argv: list[str], env: dict[str, str], log_path: Path, name: str = "") -> None:
        self.name = name
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.popen = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env},
                                      stdout=self._log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def log_tail(self, chars: int = 3000) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-chars:]

    def signal(self, sig: int) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        self.popen.wait()
        self._log.close()

    def stop(self, timeout: float = 20.0) -> int:
        self.signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        self.kill()     # a no-op signal when it has exited; closes the log either way
        return self.popen.returncode


def engine_env(redis_url: str, cache_dir: Path, **settings: object) -> dict[str, str]:
    """The environment of a web process or worker: BREWSLM_* settings, e.g. max_run_seconds=1."""
    env = {"BREWSLM_REDIS_URL": redis_url, "BREWSLM_CACHE_DIR": str(cache_dir)}
    env.update({f"BREWSLM_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def _wait(proc: Proc, ready, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not ready():
        if proc.popen.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"{what} did not start (exit status {proc.popen.returncode}):\n{proc.log_tail()}")
        time.sleep(0.1)


def start_worker(env: dict[str, str], log_dir: Path, device: str = "cpu", name: str | None = None) -> Proc:
    name = name or f"test-{device}-{free_port()}"
    proc = Proc([sys.executable, "-m", "app.cli", "worker", "--device", device, "--name", name,
                 "--loglevel", "info"], env, log_dir / f"worker-{name}.log", name)
    client = redis.Redis.from_url(env["BREWSLM_REDIS_URL"], decode_responses=True)
    try:
        # A worker registers its heartbeat when Celery says it is ready, i.e. consuming from its queue.
        _wait(proc, lambda: client.zscore(workers_key(device), name) is not None, f"worker {name}")
    finally:
        client.close()
    return proc


def start_web(env: dict[str, str], log_dir: Path) -> tuple[Proc, str]:
    port = free_port()
    proc = Proc([sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port),
                 "--log-level", "warning"], env, log_dir / f"web-{port}.log")
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(url + "/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    _wait(proc, healthy, f"web server on port {port}")
    return proc, url


@contextmanager
def running(*procs: Proc) -> Iterator[None]:
    """Stop every process at the end of the block, whatever happened in it."""
    try:
        yield
    finally:
        for proc in procs:
            proc.stop()
