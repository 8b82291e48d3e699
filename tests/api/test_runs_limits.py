"""Server limits on runs: a full queue gets 429 with a reason; the wall-time limit; NaN; device auto."""
from __future__ import annotations

import math
import threading

import httpx
import pytest
import torch

from app.main import create_app
from app.settings import Settings
from app.training.runs import Experiment, RunManager
from app.training.digits.teacher import DigitsTeacherCache
from app.web.run_engine import limits_from
from tests.live_server import serve
from tests.sse_client import follow

BODY = {"experiment": "digits", "steps": 5000, "student_hidden": 16, "device": "cpu"}


def serve_with(settings: Settings, registry=None):
    app = create_app(settings)
    if registry is not None:
        app.state.run_manager = RunManager(registry, limits_from(settings))  # shut down with the app
    return serve(app)


def test_full_queue_gets_429_with_a_reason(test_settings):
    settings = test_settings.model_copy(update={"max_concurrent_runs": 1, "max_queued_runs": 1})
    gate = threading.Event()

    def waits(config, device, cancel):
        while not gate.wait(0.01) and not cancel.is_set():
            pass
        yield {"type": "done"}

    with serve_with(settings, {"digits": Experiment(run=waits)}) as url, httpx.Client(base_url=url) as client:
        ids = [client.post("/api/runs", json=BODY).json()["id"] for _ in range(2)]
        r = client.post("/api/runs", json=BODY)
        assert r.status_code == 429 and r.headers["retry-after"] == "10"
        assert "1 run(s) training and 1 waiting" in r.json()["detail"]
        assert [client.get(f"/api/runs/{i}").json()["status"] for i in ids] == ["running", "queued"]
        gate.set()
        assert follow(client, f"/api/runs/{ids[1]}/events")[-1].event == "done"
        assert client.post("/api/runs", json=BODY).status_code == 202


def test_one_client_cannot_fill_the_queue(test_settings):
    settings = test_settings.model_copy(update={"max_concurrent_runs": 2, "max_queued_runs": 4,
                                                "max_runs_per_client": 2})
    gate = threading.Event()

    def waits(config, device, cancel):
        while not gate.wait(0.01) and not cancel.is_set():
            pass
        yield {"type": "done"}

    with serve_with(settings, {"digits": Experiment(run=waits)}) as url, httpx.Client(base_url=url) as client, \
            httpx.Client(base_url=url, transport=httpx.HTTPTransport(local_address="127.0.0.2")) as other:
        ids = [client.post("/api/runs", json=BODY).json()["id"] for _ in range(2)]
        r = client.post("/api/runs", json=BODY)
        assert r.status_code == 429 and r.headers["retry-after"] == "10"
        assert r.json()["detail"].startswith("per-client limit: you have 2 run(s) queued or training")
        assert r.json()["limit"] == "runs per client"
        assert other.post("/api/runs", json=BODY).status_code == 202     # another client still gets in
        client.delete(f"/api/runs/{ids[0]}")
        assert client.post("/api/runs", json=BODY).status_code == 202    # a cancelled run frees its place
        gate.set()


def test_wall_time_limit_ends_the_run_with_an_error_event(test_settings):
    DigitsTeacherCache(test_settings.cache_dir).get("cpu")  # on disk, so the limit is spent training the student
    settings = test_settings.model_copy(update={"max_run_seconds": 1.0})
    with serve_with(settings) as url, httpx.Client(base_url=url, timeout=30) as client:
        events = follow(client, client.post("/api/runs", json=BODY).json()["events_url"])
    assert events[-1].event == "error"
    assert "wall-time limit of 1 s" in events[-1].data["reason"]
    assert "done" not in [e.event for e in events]


def test_nan_loss_ends_the_run_with_an_error_event_naming_why(test_settings):
    def diverges(config, device, cancel):
        yield {"type": "step", "step": 1, "loss": 2.0}
        yield {"type": "step", "step": 2, "loss": math.inf}

    with serve_with(test_settings, {"digits": diverges}) as url, httpx.Client(base_url=url) as client:
        created = client.post("/api/runs", json=BODY).json()
        events = follow(client, created["events_url"])
        assert [e.event for e in events] == ["step", "error"]
        assert "the loss became inf at step 2" in events[-1].data["reason"]
        state = client.get(f"/api/runs/{created['id']}").json()
        assert state["status"] == "failed" and "inf" in state["error"]


def test_device_auto_follows_the_server_setting(test_settings):
    seen = []

    def records_device(config, device, cancel):
        seen.append(device)
        yield {"type": "done"}

    with serve_with(test_settings.model_copy(update={"device": "cpu"}), {"digits": records_device}) as url, \
            httpx.Client(base_url=url) as client:
        follow(client, client.post("/api/runs", json={**BODY, "device": "auto"}).json()["events_url"])
    assert seen == [torch.device("cpu")]


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_a_digits_run_on_cuda(client):
    events = follow(client, client.post("/api/runs", json={**BODY, "steps": 300, "device": "cuda",
                                                           "omit_class": 3}).json()["events_url"])
    assert events[-1].event == "done" and events[-1].data["device"].startswith("cuda")
    assert events[-1].data["test_acc"] > 0.8


def test_shutting_the_server_down_stops_its_runs(test_settings):
    DigitsTeacherCache(test_settings.cache_dir).get("cpu")
    app = create_app(test_settings)
    with serve(app) as url, httpx.Client(base_url=url) as client:
        run_id = client.post("/api/runs", json=BODY).json()["id"]
        assert client.get(f"/api/runs/{run_id}").json()["status"] == "running"
    run = app.state.run_manager.get(run_id)
    assert run.status == "cancelled"
    assert f"run-{run_id}" not in [t.name for t in threading.enumerate()]
