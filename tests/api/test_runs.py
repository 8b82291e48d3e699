"""/api/runs over real HTTP: a digits run followed to its end, replay, resume, cancel, errors."""
from __future__ import annotations

import time

import httpx
import pytest
import torch

from tests.sse_client import follow, read_events

SMALL = {"experiment": "digits", "alpha": 0.5, "temperature": 4.0, "steps": 200, "seed": 3,
         "omit_class": None, "student_hidden": 16, "device": "cpu"}


def start(client: httpx.Client, **overrides) -> dict:
    r = client.post("/api/runs", json={**SMALL, **overrides})
    assert r.status_code == 202, r.text
    return r.json()


@pytest.mark.slow  # the first run of a session trains the teacher (~4 s) when its cache is cold
def test_a_run_streams_its_steps_and_ends_with_done(client):
    created = start(client, omit_class=3, steps=300)
    assert created["status"] in ("queued", "running")
    assert created["events_url"] == f"/api/runs/{created['id']}/events"
    with client.stream("GET", created["events_url"]) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        events = list(read_events(response))
    steps, done = events[:-1], events[-1]
    assert done.event == "done" and all(e.event == "step" for e in steps)
    assert [e.id for e in events] == list(range(1, len(events) + 1))
    assert [e.data["step"] for e in steps] == list(range(3, 301, 3))
    first = steps[0].data
    assert {"loss", "ce", "kl", "weighted_ce", "weighted_kd", "train_acc", "test_acc",
            "omitted_class_acc"} <= set(first)
    assert first["loss"] == pytest.approx(first["weighted_ce"] + first["weighted_kd"], rel=1e-5)
    final = done.data
    assert len(final["per_class_test_acc"]) == 10
    assert final["quality_kept"] == pytest.approx(final["test_acc"] / final["teacher_test_acc"])
    assert final["omitted_class"] == 3 and final["bias_fix"]["bias"] is not None
    state = client.get(f"/api/runs/{created['id']}").json()
    assert state["status"] == "done" and state["final"] == final
    assert state["config"]["student_hidden"] == 16 and state["device"] == "cpu"


def test_unset_settings_take_the_experiments_defaults(client):
    created = client.post("/api/runs", json={"steps": 50, "alpha": None})
    assert created.status_code == 202
    events = follow(client, created.json()["events_url"])
    assert events[-1].event == "done" and events[-1].data["student"] == "64-32-10"  # DigitsRunConfig's width
    state = client.get(f"/api/runs/{created.json()['id']}").json()
    assert state["experiment"] == "digits" and state["config"] == {"steps": 50}


def test_late_subscriber_replay_and_resume(client):
    created = start(client, steps=100)
    everything = follow(client, created["events_url"])
    assert everything[-1].event == "done"
    assert follow(client, created["events_url"]) == everything  # late: the whole run so far
    assert follow(client, created["events_url"], last_event_id=40) == everything[40:]
    # Resuming after the last event of a finished run: 204, which tells EventSource to stop reconnecting.
    r = client.get(created["events_url"], headers={"Last-Event-ID": str(everything[-1].id)})
    assert r.status_code == 204


def test_same_config_same_numbers_over_http(client):
    a, b = (follow(client, start(client, seed=21)["events_url"]) for _ in range(2))
    strip = lambda evs: [{k: v for k, v in e.data.items() if k not in ("elapsed_s", "steps_per_s")} for e in evs]
    assert strip(a) == strip(b)


def test_cancel_mid_run(client):
    created = start(client, steps=5000)
    with client.stream("GET", created["events_url"]) as response:
        seen = []
        for event in read_events(response):
            seen.append(event)
            if len(seen) == 3:
                r = client.delete(f"/api/runs/{created['id']}")
                assert r.status_code == 200 and r.json() == {"id": created["id"], "status": "cancelled"}
    assert seen[-1].event == "cancelled" and seen[-2].data["step"] < 5000
    assert client.get(f"/api/runs/{created['id']}").json()["status"] == "cancelled"


def test_api_answers_while_a_run_trains(client):
    created = start(client, steps=5000)
    try:
        time.sleep(0.3)
        latencies = []
        for _ in range(7):
            started = time.perf_counter()
            assert client.get("/healthz").status_code == 200
            latencies.append(time.perf_counter() - started)
        assert client.get(f"/api/runs/{created['id']}").json()["status"] == "running"  # still training
        # Median, so one scheduling hiccup on a loaded 2-core machine does not decide it.
        assert sorted(latencies)[3] < 0.5, latencies
    finally:
        client.delete(f"/api/runs/{created['id']}")


@pytest.mark.parametrize("path", ["/api/runs/nope", "/api/runs/nope/events"])
def test_unknown_run_is_404(client, path):
    assert client.get(path).status_code == 404
    assert client.delete("/api/runs/nope").status_code == 404


@pytest.mark.parametrize("change, field", [
    ({"alpha": 1.5}, "alpha"),
    ({"alpha": "0.5"}, "alpha"),
    ({"temperature": 0}, "temperature"),
    ({"temperature": 50.0}, "temperature"),       # beyond what the digits experiment allows
    ({"steps": 0}, "steps"),
    ({"steps": 10**6}, "steps"),                  # beyond the server's limit
    ({"seed": -1}, "seed"),
    ({"omit_class": 10}, "omit_class"),
    ({"student_hidden": 4}, "student_hidden"),
    ({"student_hidden": 65}, "student_hidden"),
    ({"device": "tpu"}, "device"),
    ({"experiment": "imagenet"}, "experiment"),
    ({"lr": 0.1}, "lr"),                          # unknown fields are errors, not ignored
])
def test_bad_configs_get_422_naming_the_field(client, change, field):
    r = client.post("/api/runs", json={**SMALL, **change})
    assert r.status_code == 422, r.text
    assert field in [e["loc"][-1] for e in r.json()["detail"]]


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the answer on a machine without CUDA")
def test_cuda_without_cuda_is_422_naming_device(client):
    r = client.post("/api/runs", json={**SMALL, "device": "cuda"})
    assert r.status_code == 422
    detail = r.json()["detail"][0]
    assert detail["loc"] == ["body", "device"] and "CUDA" in detail["msg"]


def test_unknown_experiment_is_422_naming_the_field(client):
    r = client.post("/api/runs", json={**SMALL, "experiment": "imagenet"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "experiment"]


def test_not_json_is_422(client):
    r = client.post("/api/runs", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422
