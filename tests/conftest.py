"""Fixtures shared by every layer: a live server of the real app and an HTTP client to it."""
from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from tests.live_server import serve


@pytest.fixture(scope="session", autouse=True)
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """One teacher cache for the whole session, fresh each run: code that reads BREWSLM_CACHE_DIR
    (the tiny-LM teacher) and the test server's settings share it, so each teacher trains once."""
    path = tmp_path_factory.mktemp("cache")
    previous = os.environ.get("BREWSLM_CACHE_DIR")
    os.environ["BREWSLM_CACHE_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("BREWSLM_CACHE_DIR", None)
    else:
        os.environ["BREWSLM_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def test_settings(cache_dir) -> Settings:
    # Every test's classes come from 127.0.0.1 and most are never ended: the class limits are tested on
    # servers of their own (tests/api/test_classes.py), not by the order the suite happens to run in.
    return Settings(cache_dir=cache_dir, class_max_classes=100_000, class_creates_per_hour=100_000)


@pytest.fixture(scope="session")
def tinylm(test_settings: Settings):
    """The tiny-LM experiment (its teacher and memo) over the session's cache, shared by the unit tests."""
    from app.training.tinylm.experiment import TinyLMExperiment

    return TinyLMExperiment(test_settings.cache_dir)


@pytest.fixture(scope="session")
def base_url(test_settings: Settings) -> Iterator[str]:
    with serve(create_app(test_settings)) as url:
        yield url


@pytest.fixture()
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as c:
        yield c


@pytest.fixture()
def redis_server():
    """A fresh redis-server on a free port (see tests/redis_server.py); skipped where none can be had."""
    from tests.redis_server import running_redis

    with running_redis() as server:
        yield server


@pytest.fixture(scope="session")
def two_processes(cache_dir) -> Iterator[tuple[str, str]]:
    """Two app processes (uvicorn) sharing one real redis-server: (first URL, second URL). Their classes
    go idle after 3 s, so tests of the idle end are quick."""
    from tests.app_process import app_process
    from tests.redis_server import running_redis

    with running_redis() as redis:
        env = {"BREWSLM_REDIS_URL": redis.url, "BREWSLM_CLASS_IDLE_MINUTES": "0.05", "BREWSLM_CACHE_DIR": str(cache_dir)}
        with app_process(env) as first, app_process(env) as second:
            yield first, second
