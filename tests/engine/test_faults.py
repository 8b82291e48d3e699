"""Faults through the Celery engine: a worker killed or shut down mid-run, Redis going away, a web
process restarted mid-run. Each test has its own Redis and worker, so it can break them."""
from __future__ import annotations

import signal
import time

import httpx
import pytest

from tests.engine.conftest import HEARTBEAT_TIMEOUT_S, in_process_web
from tests.engine_processes import engine_env, start_web, start_worker
from tests.sse_client import follow, read_events

LONG = {"experiment": "digits", "device": "cpu", "config": {"steps": 5000, "seed": 2, "student_hidden": 16}}
REAPED_WITHIN_S = HEARTBEAT_TIMEOUT_S + 3   # the timeout, a follower's 1 s read, and slack for a busy machine


@pytest.fixture()
def own(redis_server, cache_dir, digits_teacher_on_disk, tmp_path):
    """This test's Redis, the environment of its processes and a directory for their logs."""
    return redis_server, engine_env(redis_server.url, cache_dir, run_heartbeat_timeout_s=HEARTBEAT_TIMEOUT_S), tmp_path


def first_steps(http, url, created, n=2):
    """Read `n` step events (the run is training), leaving the stream."""
    with http.stream("GET", url + created["events_url"]) as response:
        events = []
        for event in read_events(response):
            events.append(event)
            if len(events) == n:
                return events
    raise AssertionError(f"the run ended early: {events}")


def test_a_worker_killed_mid_run_ends_it_with_an_error(own, cache_dir, http):
    redis_server, env, logs = own
    worker = start_worker(env, logs)
    try:
        with in_process_web(redis_server.url, cache_dir) as url:
            created = http.post(f"{url}/api/runs", json=LONG).json()
            first_steps(http, url, created)
            worker.kill()                                   # SIGKILL: no chance to say goodbye
            killed = time.monotonic()
            events = follow(http, url + created["events_url"], last_event_id=2)
            waited = time.monotonic() - killed
            assert events[-1].event == "error" and "stopped answering" in events[-1].data["reason"]
            assert waited <= REAPED_WITHIN_S, waited
            state = http.get(f"{url}/api/runs/{created['id']}").json()
            assert state["status"] == "failed" and worker.name in state["error"]
    finally:
        worker.stop()


def test_a_worker_shut_down_mid_run_ends_it_cleanly(own, cache_dir, http):
    redis_server, env, logs = own
    worker = start_worker(env, logs)
    try:
        with in_process_web(redis_server.url, cache_dir) as url:
            created = http.post(f"{url}/api/runs", json=LONG).json()
            first_steps(http, url, created)
            worker.signal(signal.SIGTERM)
            assert worker.popen.wait(timeout=20) == 0            # it exits by itself, and cleanly
            events = follow(http, url + created["events_url"], last_event_id=2)
            assert events[-1].event == "error" and "was shut down" in events[-1].data["reason"]
            assert all(e.event == "step" for e in events[:-1]) and len(events) < 99    # stopped, not finished
    finally:
        worker.stop()


def test_redis_going_away_gives_503s_and_the_lessons_keep_working(own, cache_dir, http):
    redis_server, env, logs = own
    worker = start_worker(env, logs)
    try:
        with in_process_web(redis_server.url, cache_dir) as url:
            done = follow(http, url + http.post(f"{url}/api/runs", json={**LONG, "config": {"steps": 50}})
                          .json()["events_url"])
            assert done[-1].event == "done"
            redis_server.stop()
            for method, path, body in [("POST", "/api/runs", LONG), ("GET", "/api/runs/abc", None),
                                       ("DELETE", "/api/runs/abc", None), ("GET", "/api/runs/abc/events", None)]:
                r = http.request(method, url + path, json=body)
                assert r.status_code == 503, (path, r.text)
                assert "Redis" in r.json()["detail"] and int(r.headers["retry-after"]) > 0
            soften = http.post(f"{url}/api/kd/soften", json={"logits": [2.0, 0.0], "temperatures": [1.0, 4.0]})
            assert soften.status_code == 200
            assert http.get(f"{url}/lessons/kd-loss").status_code == 200
            assert http.get(f"{url}/healthz").status_code == 200

            redis_server.start()                            # back (empty): the worker reconnects by itself
            deadline = time.monotonic() + 60
            while (r := http.post(f"{url}/api/runs", json={**LONG, "config": {"steps": 50}})).status_code == 503:
                assert time.monotonic() < deadline, r.text
                time.sleep(0.5)
            assert r.status_code == 202, r.text
            assert follow(http, url + r.json()["events_url"])[-1].event == "done"
    finally:
        worker.stop()


def test_a_web_process_restarted_mid_run_loses_nothing(own, http):
    redis_server, env, logs = own
    worker = start_worker(env, logs)
    try:
        web, url = start_web(env, logs)
        try:
            created = http.post(f"{url}/api/runs", json=LONG).json()
            seen = first_steps(http, url, created)
        finally:
            web.kill()
        web, url = start_web(env, logs)                     # a new process: nothing in its memory
        try:
            rest = follow(http, url + created["events_url"], last_event_id=seen[-1].id)
        finally:
            web.stop()
        events = seen + rest
        assert [e.id for e in events] == list(range(1, len(events) + 1))
        assert events[-1].event == "done" and [e.data["step"] for e in events[:-1]] == list(range(50, 5001, 50))
    finally:
        worker.stop()
