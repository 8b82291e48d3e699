"""A real redis-server on a free loopback port, for the tests of what runs on Redis.

Shared by every test that needs Redis (class sessions, the job engine): each use starts its own server
(`--save ''`: nothing written to disk), never the system service. Where no redis-server binary can be
had the tests skip with a message saying how to get one; under CI (which installs it) that is a failure.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.live_server import free_port

REDIS_SERVER = os.environ.get("BREWSLM_REDIS_SERVER") or shutil.which("redis-server") or "/usr/bin/redis-server"


def require_redis_server() -> str:
    """The redis-server binary, or skip (fail under CI) with how to install it."""
    if not os.path.exists(REDIS_SERVER):
        message = (f"no redis-server at {REDIS_SERVER}: install Debian's `redis-server` "
                   "(apt-get install -y redis-server) or set BREWSLM_REDIS_SERVER")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_SERVER


class RedisProcess:
    """One running redis-server: its URL, and stop/start to test what happens when Redis goes away."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 10.0) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited at start (status {self.process.returncode})")
            if _answers_ping(self.port):
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("redis-server did not answer PING in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def running_redis() -> Iterator[RedisProcess]:
    """A fresh redis-server for the duration of the block."""
    server = RedisProcess(require_redis_server())
    server.start()
    try:
        yield server
    finally:
        server.stop()
