"""POST /api/runs with experiment "tinylm": a live distillation streamed like the digits runs."""
from __future__ import annotations

import time

import httpx
import pytest

from tests.sse_client import follow

DEMO = {"experiment": "tinylm", "device": "cpu", "config": {"alpha": 0.5, "temperature": 2.0, "steps": 400, "seed": 0}}


@pytest.fixture(scope="module")
def slow_client(base_url):
    with httpx.Client(base_url=base_url, timeout=300) as c:
        assert c.post("/api/tinylm/teacher", json={}).status_code == 200      # train the teacher first
        yield c


@pytest.mark.slow
def test_a_tinylm_run_streams_steps_then_done(slow_client):
    start = time.perf_counter()
    created = slow_client.post("/api/runs", json=DEMO)
    assert created.status_code == 202, created.text
    events = follow(slow_client, created.json()["events_url"])
    seconds = time.perf_counter() - start
    steps, done = events[:-1], events[-1]
    assert done.event == "done" and all(e.event == "step" for e in steps)
    assert [e.data["step"] for e in steps] == list(range(8, 401, 8))
    assert {"loss", "ce", "kl", "accuracy", "kl_to_truth"} <= set(steps[0].data)
    final = done.data
    assert final["experiment"] == "tinylm" and final["config"]["steps"] == 400
    assert final["quality_kept"] == pytest.approx(final["student"]["accuracy"] / final["teacher"]["accuracy"])
    assert final["student"]["kl_to_truth"] < steps[0].data["kl_to_truth"]
    state = slow_client.get(f"/api/runs/{created.json()['id']}").json()
    assert state["status"] == "done" and state["experiment"] == "tinylm"
    print(f"demo tinylm run (400 steps) over HTTP: {seconds:.1f} s")


@pytest.mark.parametrize("body, field", [
    ({"omit_class": 3}, "omit_class"), ({"student_hidden": 10}, "student_hidden"),
    ({"temperature": 50.0}, "temperature"),
])
def test_tinylm_settings_it_cannot_use_are_422s_naming_them(client, body, field):
    r = client.post("/api/runs", json={**DEMO, "config": {**DEMO["config"], **body}})
    assert r.status_code == 422
    assert ["body", "config", field] in [d["loc"] for d in r.json()["detail"]]


def test_the_flat_body_is_for_digits_only(client):
    """The first API's flat body sent tinylm settings at the top level; they belong in `config` now."""
    r = client.post("/api/runs", json={"experiment": "tinylm", "top_k": 4, "device": "tpu"})
    assert r.status_code == 422
    details = {tuple(d["loc"]): d["msg"] for d in r.json()["detail"]}
    assert "goes inside `config`" in details[("body", "top_k")]      # not a field at all: says where it belongs
    assert "'auto', 'cpu' or 'cuda'" in details[("body", "device")]    # the other errors are kept as they were
    r = client.post("/api/runs", json={"experiment": "tinylm", "banana": 4})
    assert r.json()["detail"][0]["loc"] == ["body", "banana"] and r.json()["detail"][0]["msg"] == "Extra inputs are not permitted"
    r = client.post("/api/runs", json={"experiment": "tinylm", "alpha": 0.5, "device": "cpu"})
    assert r.status_code == 422
    detail = r.json()["detail"][0]
    assert detail["loc"] == ["body", "config"] and "tinylm settings go in `config`" in detail["msg"]
