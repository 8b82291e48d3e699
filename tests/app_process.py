"""The app as a real server process (uvicorn in a subprocess) on a free port, for tests that need more
than one process: e.g. two web processes sharing one Redis."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.live_server import free_port


@contextmanager
def app_process(env: dict[str, str], timeout: float = 60.0) -> Iterator[str]:
    """Yield the base URL of `uvicorn app.main:app` started with BREWSLM_* settings from `env`."""
    port = free_port()
    log = tempfile.TemporaryFile(mode="w+")       # a file, not a pipe: a chatty server never blocks on it
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=log, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"the app process exited: {log.read()[-2000:]}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the app process did not answer /healthz in time")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
