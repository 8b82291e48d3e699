"""The lab in Chromium against a web process whose runs go to a Celery worker through Redis: the very
tests of test_live_run.py, collected again here with this module's server. The page cannot tell."""
from __future__ import annotations

import pytest

from app.training.digits.teacher import DigitsTeacherCache
from tests.browser.test_live_run import (  # noqa: F401 - collected here against the worker-backed server
    test_a_run_started_from_the_form_grows_its_chart_to_the_end, test_bad_settings_are_named_before_and_by_the_server,
    test_cancel_stops_the_run, test_the_demo_page_shows_the_lab_with_its_settings)
from tests.engine_processes import engine_env, start_web, start_worker
from tests.redis_server import running_redis


@pytest.fixture(scope="module")
def base_url(cache_dir, tmp_path_factory):
    """Overrides the session's embedded server for this module: Redis, one worker, one web process."""
    DigitsTeacherCache(cache_dir).get("cpu")
    logs = tmp_path_factory.mktemp("lab-on-workers")
    with running_redis() as redis_server:
        env = engine_env(redis_server.url, cache_dir)
        worker = start_worker(env, logs)
        try:
            web, url = start_web(env, logs)
            try:
                yield url
            finally:
                web.stop()
        finally:
            worker.stop()
