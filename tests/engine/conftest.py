"""Fixtures of the job-engine tests: a test Redis, `brewslm worker` processes and web processes on it.

Module-scoped where the processes can be shared (starting one costs seconds); a test that kills or
stops something starts its own. Faults are made quick to notice: a 3 s heartbeat timeout.
"""
from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from app.training.digits.teacher import DigitsTeacherCache
from tests.engine_processes import engine_env, start_web, start_worker
from tests.live_server import serve
from tests.redis_server import running_redis

HEARTBEAT_TIMEOUT_S = 3


@pytest.fixture(scope="session")
def digits_teacher_on_disk(cache_dir) -> None:
    """Workers load the digits teacher from the session cache instead of each training it."""
    DigitsTeacherCache(cache_dir).get("cpu")


@pytest.fixture(scope="module")
def shared_redis():
    with running_redis() as server:
        yield server


@pytest.fixture(scope="module")
def env(shared_redis, cache_dir, digits_teacher_on_disk) -> dict[str, str]:
    return engine_env(shared_redis.url, cache_dir, run_heartbeat_timeout_s=HEARTBEAT_TIMEOUT_S)


@pytest.fixture(scope="module")
def log_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("engine-logs")


@pytest.fixture(scope="module")
def workers(env, log_dir):
    """Two CPU workers on the shared Redis."""
    procs = []
    try:
        procs = [start_worker(env, log_dir) for _ in range(2)]
        yield procs
    finally:
        for proc in procs:
            proc.stop()


@pytest.fixture(scope="module")
def webs(env, log_dir, workers) -> Iterator[list[str]]:
    """Two web processes on the shared Redis, like two behind a load balancer: their base URLs."""
    started = []
    try:
        for _ in range(2):
            started.append(start_web(env, log_dir))
        yield [url for _, url in started]
    finally:
        for proc, _ in started:
            proc.stop()


def in_process_web(redis_url: str, cache_dir, **settings):
    """A web app on Redis served from a thread of the test process (for settings only one test wants)."""
    return serve(create_app(Settings(cache_dir=cache_dir, redis_url=redis_url,
                                     run_heartbeat_timeout_s=HEARTBEAT_TIMEOUT_S, **settings)))


@pytest.fixture()
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as c:
        yield c
