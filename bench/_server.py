"""Start the real app in a subprocess (its own process, like production) for benchmarks."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_server import free_port, wait_until_healthy  # noqa: E402


@dataclass(frozen=True)
class Server:
    url: str
    pid: int          # uvicorn's process; with --workers, its workers are its children

    def cpu_seconds(self) -> float:
        """User + system CPU of the server and every process under it, so far."""
        total, todo = 0.0, [self.pid]
        tick = os.sysconf("SC_CLK_TCK")
        while todo:
            pid = todo.pop()
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            todo += [int(c) for c in children]
        return total


def _wait_for_workers(proc: subprocess.Popen, workers: int, timeout: float = 180.0) -> None:
    """Until every worker has said "Application startup complete." (one that is still starting would hold the
    connections the kernel hands it); its log is then drained, unread, on a thread of its own."""
    ready = threading.Event()

    def read() -> None:
        started = 0
        for line in proc.stderr:
            started += "Application startup complete." in line
            if started >= workers:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(timeout):
        raise RuntimeError(f"not every one of {workers} workers started within {timeout:g} s")


@contextmanager
def serving(workers: int = 1, extra_env: dict[str, str] | None = None):
    """uvicorn on a free port (`brewslm serve --workers N` when N > 1); yields a Server."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(extra_env or {})}
    if workers > 1:
        command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", str(workers)]
    else:
        command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port),
                   "--log-level", "warning"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE if workers > 1 else None, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        if workers > 1:
            _wait_for_workers(proc, workers)
        wait_until_healthy(url, proc, timeout=120)
        yield Server(url, proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def running_server(extra_env: dict[str, str] | None = None):
    """The app in one uvicorn process; yields its URL."""
    with serving(1, extra_env) as server:
        yield server.url


@contextmanager
def running_server_process(extra_env: dict[str, str] | None = None):
    """`python -m uvicorn app.main:app` on a free port: (its URL, the Server, whose .pid is the process's)."""
    with serving(1, extra_env) as server:
        yield server.url, server
