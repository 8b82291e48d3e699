"""Runs through the Celery engine, started on one web process and followed, read and cancelled on another."""
from __future__ import annotations

import os
import time

import pytest

from tests.sse_client import follow, read_events

SMALL = {"experiment": "digits", "device": "cpu", "config": {"steps": 200, "seed": 3, "student_hidden": 16}}
LONG = {"experiment": "digits", "device": "cpu", "config": {"steps": 5000, "seed": 1, "student_hidden": 16}}


def strip(events):
    """Events without their timings, which differ from run to run."""
    return [(e.id, e.event, {k: v for k, v in e.data.items() if k not in ("elapsed_s", "steps_per_s")})
            for e in events]


def test_an_engine_run_matches_the_embedded_run(webs, http, client):
    engine = http.post(f"{webs[0]}/api/runs", json=SMALL)
    embedded = client.post("/api/runs", json=SMALL)      # the session's server, no Redis: threads
    assert engine.status_code == embedded.status_code == 202
    through_engine = follow(http, webs[0] + engine.json()["events_url"])
    in_process = follow(client, embedded.json()["events_url"])
    assert through_engine[-1].event == "done"
    assert strip(through_engine) == strip(in_process)


def test_events_replay_and_resume_on_another_web_process(webs, http):
    a, b = webs
    created = http.post(f"{a}/api/runs", json=SMALL).json()
    events = follow(http, b + created["events_url"])
    assert [e.event for e in events] == ["step"] * 100 + ["done"]
    assert [e.id for e in events] == list(range(1, 102))
    assert follow(http, a + created["events_url"]) == events                     # a late subscriber
    assert follow(http, b + created["events_url"], last_event_id=40) == events[40:]
    assert http.get(b + created["events_url"], headers={"Last-Event-ID": "101"}).status_code == 204
    state = http.get(f"{b}/api/runs/{created['id']}").json()
    assert state["status"] == "done" and state["final"] == events[-1].data and state["device"] == "cpu"
    assert state["config"] == SMALL["config"] and state["experiment"] == "digits"


def test_cancel_on_another_web_process(webs, http):
    a, b = webs
    created = http.post(f"{a}/api/runs", json=LONG).json()
    seen = []
    with http.stream("GET", a + created["events_url"]) as response:
        for event in read_events(response):
            seen.append(event)
            if len(seen) == 3:
                r = http.delete(f"{b}/api/runs/{created['id']}")
                assert r.status_code == 200 and r.json() == {"id": created["id"], "status": "cancelled"}
    assert seen[-1].event == "cancelled" and seen[-2].data["step"] < 5000
    assert http.get(f"{a}/api/runs/{created['id']}").json()["status"] == "cancelled"


def test_a_queued_run_is_cancelled_at_once_and_never_trains(webs, http):
    a, b = webs
    busy = [http.post(f"{a}/api/runs", json=LONG).json() for _ in range(2)]   # both workers busy
    queued = http.post(f"{a}/api/runs", json=SMALL).json()
    assert http.get(f"{b}/api/runs/{queued['id']}").json()["status"] == "queued"
    assert http.delete(f"{b}/api/runs/{queued['id']}").json()["status"] == "cancelled"
    for run in busy:
        http.delete(f"{b}/api/runs/{run['id']}")
    time.sleep(1.0)      # a worker now takes the queued run's message, and its claim refuses it
    events = follow(http, a + queued["events_url"])
    assert [(e.event, e.data) for e in events] == [("cancelled", {"reason": "cancelled before it started"})]
    assert http.get(f"{a}/api/runs/{queued['id']}").json()["status"] == "cancelled"


def test_workers_leave_the_cpu_to_the_web_processes_first(workers):
    assert all(os.getpriority(os.PRIO_PROCESS, w.pid) == 10 for w in workers)


def test_unknown_runs_are_404_on_every_process(webs, http):
    for url in webs:
        assert http.get(f"{url}/api/runs/nope").status_code == 404
        assert http.get(f"{url}/api/runs/nope/events").status_code == 404
        assert http.delete(f"{url}/api/runs/nope").status_code == 404


@pytest.mark.parametrize("body, loc", [
    ({"experiment": "digits", "device": "cpu", "config": {"alpha": 3}}, ["body", "config", "alpha"]),
    ({"experiment": "tinylm", "device": "cpu", "config": {"top_k": 0}}, ["body", "config", "top_k"]),
    ({"experiment": "digits", "device": "cpu", "config": {"steps": 10**6}}, ["body", "config", "steps"]),
    ({"experiment": "digits", "device": "cuda", "config": {}}, ["body", "device"]),   # no CUDA worker
])
def test_the_same_422s_as_the_embedded_engine(webs, http, body, loc):
    r = http.post(f"{webs[1]}/api/runs", json=body)
    assert r.status_code == 422 and loc in [d["loc"] for d in r.json()["detail"]]
