"""One class served by two app processes sharing a real Redis: the instructor on one, followers on both."""
from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from app.main import create_app
from tests.class_client import Room, soften_move, start_class
from tests.live_server import serve


def test_followers_on_another_process_follow_count_answer_and_are_told_the_end(two_processes):
    a, b = two_processes
    room = Room(a)
    try:
        session = start_class(a)
        lead = room.lead(session, a)
        far = [room.follow(session, b) for _ in range(2)]
        near = room.follow(session, a)
        assert lead.next("count")["followers"] >= 1
        counts = [far[0].next("count")["followers"]]
        while counts[-1] < 3:
            counts.append(far[0].next("count")["followers"])      # joins on both processes, counted together

        move = soften_move(3.31, [4.595, 0.0])
        lead.send(move)
        answer = lead.next("reply")["body"]
        for page in (*far, near):
            frame = page.next("state")
            assert frame["state"]["T"] == 3.31 and frame["answer"] == answer

        lead.send({"type": "ask", "question": "kd-loss.runner-up-20"})
        ask_id = far[0].next("question")["question"]["ask_id"]
        for page, guess in zip((*far, near), (2.0, 3.3, 3.3)):
            page.send({"type": "answer", "ask_id": ask_id, "value": guess})
            page.next("answered")
        total = 0
        while total < 3:
            total = sum(lead.next("counts")["counts"])
        lead.send({"type": "reveal"})
        revealed = far[1].next("question")["question"]
        while revealed["status"] != "revealed":
            revealed = far[1].next("question")["question"]
        assert revealed["status"] == "revealed" and sum(revealed["counts"]) == 3
        assert revealed["answer"] == pytest.approx(3.3146, abs=1e-3)

        late = room.open(session["code"], {"type": "follow"}, b)     # a late joiner on B gets A's latest state
        assert late.next("welcome")["state"]["state"]["T"] == 3.31

        lead.send({"type": "end"})
        for page in (*far, near, late):
            assert page.next("end")["reason"] == "The instructor ended the class."
    finally:
        room.close()


def test_a_class_left_idle_ends_on_every_process(two_processes):
    a, b = two_processes
    room = Room(a)
    try:
        session = start_class(a)                                   # idle time: 3 s on these processes
        lead = room.lead(session, a)
        far = room.follow(session, b)
        lead.ws.close()
        assert far.next("end", timeout=15)["reason"] == "The class has ended."
    finally:
        room.close()


def test_a_wrong_secret_is_refused_on_the_other_process_too(two_processes):
    a, b = two_processes
    room = Room(a)
    try:
        session = start_class(a)
        forged = room.open(session["code"], {"type": "lead", "control": "x" * 43}, b)
        assert forged.closed_with()[0] == 1008
        lead = room.lead(session, b)                               # the real secret leads from either process
        lead.send(soften_move(2.5, [1.0, 0.0]))
        assert lead.next("reply")["status"] == 200
    finally:
        room.close()


# -- limits that many requests at once must not slip past (a check, then a count, did with Redis) ------------

@pytest.fixture()
def tight_redis_server(test_settings, redis_server) -> Iterator[str]:
    settings = test_settings.model_copy(update={
        "redis_url": redis_server.url, "class_failed_joins": 5, "class_max_classes": 3, "class_creates_per_hour": 100})
    with serve(create_app(settings)) as url:
        yield url


def _all_at_once(url: str, requests: list[tuple[str, str, dict | None]]) -> Counter:
    async def send() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=url, timeout=30, limits=httpx.Limits(max_connections=len(requests))) as c:
            return await asyncio.gather(*[c.request(method, path, json=body) for method, path, body in requests])
    return Counter(r.status_code for r in asyncio.run(send()))


def test_wrong_codes_sent_all_at_once_get_no_more_answers_than_the_limit(tight_redis_server):
    guesses = [f"/join/{code}" for code in sorted({f"ABCD{a}{b}{c}{d}" for a in "2345" for b in "6789"
                                                   for c in "ABCD" for d in "EFGH"})[:80]]
    statuses = _all_at_once(tight_redis_server, [("GET", guess, None) for guess in guesses])
    assert statuses[404] <= 5 and statuses[404] + statuses[429] == 80, statuses


def test_classes_started_all_at_once_stay_within_the_servers_limit(tight_redis_server):
    body = {"widget": "temperature", "state": {}}
    statuses = _all_at_once(tight_redis_server, [("POST", "/api/classes", body)] * 12)
    assert statuses[201] <= 3 and statuses[201] + statuses[429] == 12, statuses
