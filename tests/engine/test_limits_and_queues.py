"""The engine keeps the embedded limits: per-client and server queue limits (429 naming which, with
Retry-After), the step and wall-time limits, NaN -> error; and a queue per device."""
from __future__ import annotations

import math
import threading
import time

import httpx
import pytest
import redis

from app.training.engine.store import workers_key
from app.training.engine.worker import RunExecutor
from app.training.runs import Experiment
from tests.engine.conftest import in_process_web
from tests.sse_client import follow

LONG = {"experiment": "digits", "device": "cpu", "config": {"steps": 5000, "seed": 4, "student_hidden": 16}}
SHORT = {"experiment": "digits", "device": "cpu", "config": {"steps": 50, "seed": 4, "student_hidden": 16}}


def wait_status(http, url, run_id, status, timeout=30.0):
    deadline = time.monotonic() + timeout
    while (now := http.get(f"{url}/api/runs/{run_id}").json()["status"]) != status:
        assert time.monotonic() < deadline, f"run {run_id} is {now}, not {status}"
        time.sleep(0.05)


def test_per_client_and_server_limits(shared_redis, workers, cache_dir, http):
    with in_process_web(shared_redis.url, cache_dir, max_runs_per_client=2, max_queued_runs=1) as url, \
            httpx.Client(base_url=url, timeout=60, transport=httpx.HTTPTransport(local_address="127.0.0.2")) as other:
        mine = []
        for _ in range(2):                   # one at a time: the server's queue holds only one waiting run
            mine.append(http.post(f"{url}/api/runs", json=LONG).json()["id"])
            wait_status(http, url, mine[-1], "running")       # both workers end up busy with this client's runs
        r = http.post(f"{url}/api/runs", json=LONG)
        assert r.status_code == 429 and r.headers["retry-after"] == "10"
        assert r.json()["detail"].startswith("per-client limit: you have 2 run(s) queued or training")
        assert r.json()["limit"] == "runs per client"

        theirs = other.post("/api/runs", json=LONG)           # another address: its own allowance
        assert theirs.status_code == 202 and theirs.json()["status"] == "queued"
        r = other.post("/api/runs", json=LONG)                # but the server's queue holds one
        assert r.status_code == 429 and r.json()["detail"].startswith("server limit: 1 run(s) waiting")
        assert r.json()["limit"] == "runs queued on the server" and r.headers["retry-after"] == "10"

        for run_id in [*mine, theirs.json()["id"]]:
            http.delete(f"{url}/api/runs/{run_id}")
            wait_status(http, url, run_id, "cancelled")
        assert http.post(f"{url}/api/runs", json=SHORT).status_code == 202  # room again


def test_the_wall_time_limit_of_the_web_process_holds_on_the_worker(shared_redis, workers, cache_dir, http):
    with in_process_web(shared_redis.url, cache_dir, max_run_seconds=1.0) as url:
        events = follow(http, url + http.post(f"{url}/api/runs", json=LONG).json()["events_url"])
    assert events[-1].event == "error" and "wall-time limit of 1 s" in events[-1].data["reason"]
    assert "done" not in [e.event for e in events]


def test_a_cuda_run_never_lands_on_a_cpu_worker(shared_redis, workers, cache_dir, http):
    client = redis.Redis.from_url(shared_redis.url, decode_responses=True)
    seconds, _ = client.time()
    client.zadd(workers_key("cuda"), {"pretend-gpu-box": seconds + 60})   # a cuda worker that never consumes
    try:
        with in_process_web(shared_redis.url, cache_dir) as url:
            cuda = http.post(f"{url}/api/runs", json={**SHORT, "device": "cuda"}).json()
            cpu = http.post(f"{url}/api/runs", json=SHORT).json()
            assert follow(http, url + cpu["events_url"])[-1].event == "done"      # the cpu workers are free…
            time.sleep(1.0)
            state = http.get(f"{url}/api/runs/{cuda['id']}").json()
            assert state["status"] == "queued" and state["device"] == "cuda"      # …and never take the cuda run
            assert http.delete(f"{url}/api/runs/{cuda['id']}").json()["status"] == "cancelled"
    finally:
        client.zrem(workers_key("cuda"), "pretend-gpu-box")
        client.close()


def diverges(config, device, cancel):
    yield {"type": "step", "step": 1, "loss": 2.0}
    yield {"type": "step", "step": 2, "loss": math.inf}


def never_ends(config, device, cancel):
    while not cancel.wait(0.01):
        pass
    yield {"type": "step", "step": 1, "loss": 1.0}


@pytest.mark.parametrize("run_fn, max_wall_s, reason", [
    (diverges, 60.0, "the loss became inf at step 2"),
    (never_ends, 0.5, "wall-time limit of 0.5 s"),
])
def test_the_worker_side_fails_runs_as_the_embedded_engine_does(redis_server, cache_dir, http, run_fn, max_wall_s,
                                                               reason):
    """The worker's executor (without Celery around it) with a stand-in experiment, on a real Redis."""
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    seconds, _ = client.time()
    client.zadd(workers_key("cpu"), {"executor-under-test": seconds + 60})
    executor = RunExecutor(client, {"digits": Experiment(run=run_fn)}, "executor-under-test",
                           max_wall_s=max_wall_s, max_events=100, finished_ttl_s=60)
    try:
        with in_process_web(redis_server.url, cache_dir) as url:
            created = http.post(f"{url}/api/runs", json=SHORT).json()
            worker = threading.Thread(target=executor.execute, args=(created["id"],))
            worker.start()
            events = follow(http, url + created["events_url"])
            worker.join()
            assert events[-1].event == "error" and reason in events[-1].data["reason"]
            state = http.get(f"{url}/api/runs/{created['id']}").json()
            assert state["status"] == "failed" and reason in state["error"]
            executor.execute(created["id"])          # a redelivered message: the claim refuses a finished run
            assert follow(http, url + created["events_url"]) == events
    finally:
        client.close()
