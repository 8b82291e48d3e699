"""A class following the instructor's live runs, over real HTTP and WebSockets: the followers see the runs'
settings and read their events through the class, and never learn a run's id (which would let them cancel it)."""
from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from app.main import create_app
from tests.class_client import Room, start_class
from tests.live_server import serve
from tests.sse_client import follow, read_events

LAB_STATE = {"preset": "race", "alpha": 0.5, "T": 4, "student_hidden": "16", "steps": 120, "seed": 5}
RUN = {"experiment": "digits", "alpha": 0.5, "temperature": 4.0, "steps": 120, "seed": 5, "omit_class": None,
       "student_hidden": 16, "device": "cpu"}


def start_run(client: httpx.Client, **overrides) -> str:
    r = client.post("/api/runs", json={**RUN, **overrides})
    assert r.status_code == 202, r.text
    return r.json()["id"]


def share(lead, runs: list[dict]) -> None:
    lead.send({"type": "runs", "runs": runs})


def test_followers_get_the_runs_settings_and_events_but_never_an_id(client, room):
    session = start_class(str(client.base_url), "live-run", LAB_STATE)
    lead = room.lead(session)
    early = room.follow(session)
    sft, kd = start_run(client, alpha=1.0), start_run(client)
    share(lead, [{"n": 1, "id": sft}, {"n": 2, "id": kd}])
    shared = early.next("runs")
    assert [(r["n"], r["config"]["alpha"]) for r in shared["runs"]] == [(1, 1.0), (2, 0.5)]
    assert all(r["experiment"] == "digits" and len(r["tag"]) == 16 for r in shared["runs"])

    code = session["code"]
    relayed = follow(client, f"/api/classes/{code}/runs/2/events")
    direct = follow(client, f"/api/runs/{kd}/events")
    assert relayed == direct and relayed[-1].event == "done" and len(relayed) == 121    # 120 steps, then done
    # Replay after Last-Event-ID, as EventSource sends it after a drop; past the last event, 204.
    assert follow(client, f"/api/classes/{code}/runs/2/events", last_event_id=25) == direct[25:]
    r = client.get(f"/api/classes/{code}/runs/2/events", headers={"Last-Event-ID": str(direct[-1].id)})
    assert r.status_code == 204
    assert follow(client, f"/api/classes/{code}/runs/1/events") == follow(client, f"/api/runs/{sft}/events")

    # A follower joining now, its page, and everything the early follower was sent: no run id anywhere.
    late = room.open(code, {"type": "follow"})
    welcome = late.next("welcome")
    assert welcome["runs"] == shared["runs"]
    seen = repr(early.seen) + repr(shared) + repr(welcome) + client.get(f"/join/{code}").text
    assert sft not in seen and kd not in seen
    # The instructor's page (it holds the secret) gets its runs back with their ids after a reload.
    reloaded = room.open(code, {"type": "lead", "control": session["control"]})
    assert [r["id"] for r in reloaded.next("welcome")["runs"]] == [sft, kd]


def test_a_follower_cannot_name_runs_and_the_instructors_message_is_checked(client, room):
    session = start_class(str(client.base_url), "live-run", LAB_STATE)
    lead = room.lead(session)
    follower = room.follow(session)
    real = start_run(client, steps=30)
    follower.send({"type": "runs", "runs": [{"n": 1, "id": real}]})
    assert follower.next("error")["status"] == 403
    forged = room.open(session["code"], {"type": "lead", "control": "x" * 43})
    assert forged.closed_with()[0] == 1008
    for runs, field in [([{"n": 1, "id": "0123456789ab"}], "runs.0.id"),      # no such run
                        ([{"n": 1, "id": "../x"}], "runs.0.id"),
                        ([{"n": 0, "id": real}], "runs.0.n"),
                        ([{"n": 1, "id": real}, {"n": 1, "id": real}], "runs.1"),
                        ([{"n": i, "id": real} for i in range(1, 6)], "runs"),    # the lab shows 4 at most
                        ("all of them", "runs")]:
        share(lead, runs)
        problem = lead.next("error")
        assert problem["status"] == 422 and problem["field"] == field, problem
    assert follower.quiet("runs")
    r = client.get(f"/api/classes/{session['code']}/runs/1/events")
    assert r.status_code == 404 and real not in r.text
    follow(client, f"/api/runs/{real}/events")


def test_unknown_slots_classes_and_explorers_without_runs(client, room):
    session = start_class(str(client.base_url), "live-run", LAB_STATE)
    lead = room.lead(session)
    run = start_run(client, steps=30)
    share(lead, [{"n": 3, "id": run}])
    room.follow(session)
    code = session["code"]
    assert client.get(f"/api/classes/{code}/runs/4/events").status_code == 404
    assert client.get(f"/api/classes/{code}/runs/0/events").status_code == 422
    assert client.get(f"/api/classes/{code}/runs/x/events").status_code == 422
    assert client.get("/api/classes/ABCD2345/runs/3/events").status_code == 404
    assert client.get(f"/api/classes/{code}/runs/3/events", headers={"Last-Event-ID": "x1"}).status_code == 400
    assert follow(client, f"/api/classes/{code}/runs/3/events")[-1].event == "done"
    other = room.lead(start_class(str(client.base_url)))               # the temperature explorer has no runs
    share(other, [{"n": 1, "id": run}])
    assert other.next("error")["status"] == 422


@pytest.fixture(scope="module")
def tight_server(test_settings) -> Iterator[tuple[str, object]]:
    app = create_app(test_settings.model_copy(update={"class_sockets_per_client": 3}))
    with serve(app) as url:
        yield url, app


def test_relayed_streams_hold_a_class_connection_and_each_run_is_read_once(tight_server):
    url, app = tight_server
    with httpx.Client(base_url=url, timeout=30) as client:
        room = Room(url)
        run = start_run(client, steps=3000)
        try:
            session = start_class(url, "live-run", LAB_STATE)
            lead = room.lead(session)                          # one place of three
            share(lead, [{"n": 1, "id": run}])
            events = f"/api/classes/{session['code']}/runs/1/events"
            # Two pages read the run to its end (a page that stops reading is cut off by the server).
            with ThreadPoolExecutor(2) as pool:
                pages = [pool.submit(follow, client, events) for _ in range(2)]
                deadline = time.monotonic() + 20
                while app.state.class_sockets.held() < 3 and time.monotonic() < deadline:
                    time.sleep(0.01)
                assert app.state.run_relays.following() == 1     # two pages, one reader of the run
                refused = client.get(events)
                assert refused.status_code == 429
                assert "at most 3 class connections per client" in refused.json()["detail"]
                client.delete(f"/api/runs/{run}")
                first, second = (page.result() for page in pages)
            assert first == second and first[-1].event == "cancelled"
            assert app.state.class_sockets.held() == 1 and app.state.run_relays.following() == 0
        finally:
            room.close()
            client.delete(f"/api/runs/{run}")
