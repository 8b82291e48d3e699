"""The instructor's runs followed across processes: two web processes share a real Redis, the runs train on a
real `brewslm worker` (the Celery engine), the instructor leads on one process and a follower reads the runs
through the other, without their ids."""
from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.api.test_class_runs import LAB_STATE, RUN
from tests.class_client import Room, start_class
from tests.engine_processes import webs_with_a_worker
from tests.sse_client import follow


@pytest.fixture(scope="module")
def two_webs_one_worker(cache_dir, tmp_path_factory) -> Iterator[list[str]]:
    with webs_with_a_worker(cache_dir, tmp_path_factory.mktemp("class-runs-on-workers")) as urls:
        yield urls


def test_a_follower_on_another_process_reads_the_instructors_runs_from_the_worker(two_webs_one_worker):
    a, b = two_webs_one_worker
    room = Room(a)
    try:
        session = start_class(a, "live-run", LAB_STATE)
        lead = room.lead(session, a)
        far = room.follow(session, b)
        ids = []
        for alpha in (1.0, 0.5):
            created = httpx.post(f"{a}/api/runs", json={**RUN, "alpha": alpha, "steps": 60}, timeout=30)
            assert created.status_code == 202, created.text
            ids.append(created.json()["id"])
        lead.send({"type": "runs", "runs": [{"n": 1, "id": ids[0]}, {"n": 2, "id": ids[1]}]})
        shared = far.next("runs", timeout=30)
        assert [r["config"]["alpha"] for r in shared["runs"]] == [1.0, 0.5]
        assert not any(i in repr(shared) for i in ids)

        with httpx.Client(timeout=60) as client:
            for n, run_id in ((1, ids[0]), (2, ids[1])):
                relayed = follow(client, f"{b}/api/classes/{session['code']}/runs/{n}/events")
                direct = follow(client, f"{a}/api/runs/{run_id}/events")
                assert relayed == direct and relayed[-1].event == "done" and len(relayed) == 61
            replay = follow(client, f"{b}/api/classes/{session['code']}/runs/2/events", last_event_id=30)
            assert replay == direct[30:]
        late = room.open(session["code"], {"type": "follow"}, b)
        assert late.next("welcome")["runs"] == shared["runs"]
    finally:
        room.close()
