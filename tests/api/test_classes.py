"""Class sessions over real HTTP and WebSockets: start, lead, follow, questions, the end, and the rules."""
from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import pytest
from websockets.exceptions import ConnectionClosed

from app.main import create_app
from tests.class_client import TEMPERATURE_STATE, Room, soften_move, start_class
from tests.live_server import serve


def test_starting_a_class_gives_a_code_a_join_link_a_qr_code_and_a_secret(client):
    r = client.post("/api/classes", json={"widget": "temperature", "state": TEMPERATURE_STATE})
    assert r.status_code == 201
    made = r.json()
    assert r.headers["cache-control"] == "no-store"
    assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}", made["code"])
    assert made["display_code"] == f"{made['code'][:4]}-{made['code'][4:]}"
    assert made["join_url"].endswith(f"/join/{made['code']}") and made["control"] not in made["join_url"]
    assert len(made["control"]) >= 40 and made["control"] not in made["qr_url"]
    assert made["reachable"] is False and "--host 0.0.0.0" in made["address_note"]   # the tests serve on 127.0.0.1
    qr = client.get(made["qr_url"])
    assert qr.status_code == 200 and qr.headers["content-type"] == "image/svg+xml"
    assert qr.text.startswith("<svg") and made["join_url"] in qr.text and "http" not in qr.text.replace(made["join_url"], "").replace("http://www.w3.org/2000/svg", "")
    page = client.get(f"/join/{made['code']}")
    assert page.status_code == 200 and 'data-role="follow-bar"' in page.text and made["control"] not in page.text


@pytest.mark.parametrize("body,field", [
    ({"widget": "nope", "state": {}}, ["body", "widget"]),
    ({"widget": "temperature", "state": {"T": 99}}, ["body", "state", "T"]),
    ({"widget": "temperature", "state": {"logits": [1, "x"]}}, ["body", "state", "logits"]),
    ({"widget": "alpha", "state": {"student": [1, 2, 3], "teacher": [1, 2]}}, ["body", "state", "teacher"]),
    ({"widget": "temperature"}, ["body", "state"]),
    ({"widget": "temperature", "state": {}, "extra": 1}, ["body", "extra"]),
])
def test_a_bad_class_is_refused_naming_the_field(client, body, field):
    r = client.post("/api/classes", json=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == field


def test_the_instructors_move_is_computed_once_and_reaches_every_follower(client, room):
    session = start_class(client.base_url.__str__())
    lead = room.lead(session)
    followers = [room.follow(session) for _ in range(3)]
    move = soften_move(3.31, [4.595, 0.0])
    lead.send(move)
    reply = lead.next("reply")
    expected = client.post("/api/kd/soften", json=move["body"]).json()
    assert reply["status"] == 200 and reply["body"] == expected
    for follower in followers:
        frame = follower.next("state")
        assert frame["state"] == move["state"] and frame["request"] == {"path": move["path"], "body": move["body"]}
        assert frame["answer"] == expected
        assert abs(frame["answer"]["probs"][1][1] - 0.1997) < 1e-4     # the runner-up near 20% at T = 3.31
    assert lead.next("count")["followers"] == 3


def test_a_joining_follower_lands_on_the_current_state(client, room):
    session = start_class(str(client.base_url))
    lead = room.lead(session)
    lead.send(soften_move(5.5, [1.0, 2.0, 3.0]))
    lead.next("reply")
    late = room.open(session["code"], {"type": "follow"})
    welcome = late.next("welcome")
    assert welcome["state"]["state"]["T"] == 5.5 and welcome["state"]["answer"]["temperatures"] == [1.0, 5.5]


def test_a_state_only_message_moves_followers_without_an_answer(client, room):
    session = start_class(str(client.base_url))
    lead, follower = room.lead(session), room.follow(session)
    lead.send({"type": "state", "state": {"preset": "tokens", "T": 2.0}})
    frame = follower.next("state")
    assert frame["state"] == {"preset": "tokens", "T": 2.0} and frame["answer"] is None


def test_an_invalid_state_is_refused_to_the_instructor_only(client, room):
    session = start_class(str(client.base_url))
    lead, follower = room.lead(session), room.follow(session)
    lead.send({"type": "state", "state": {"T": 1e9}})
    problem = lead.next("error")
    assert problem["status"] == 422 and "T" in problem["detail"]
    assert follower.quiet("state")


def test_a_follower_can_only_answer(client, room):
    session = start_class(str(client.base_url))
    room.lead(session)
    forger, other = room.follow(session), room.follow(session)
    for forged in [soften_move(9.0, [4.595, 0.0]), {"type": "state", "state": {"T": 9.0}}, {"type": "ask", "question": "x"},
                   {"type": "reveal"}, {"type": "end"}, {"type": "lead", "control": session["control"]}]:
        forger.send(forged)
        assert forger.next("error")["status"] == 403
    assert other.quiet("state") and other.quiet("end")


@pytest.mark.parametrize("control", ["guess", "x" * 43, None, 12345])
def test_a_wrong_secret_cannot_lead(client, room, control):
    session = start_class(str(client.base_url))
    page = room.open(session["code"], {"type": "lead", "control": control})
    code, messages = page.closed_with()
    assert code == 1008 and "secret" in messages[-1]["detail"]


def test_another_classs_secret_cannot_lead_this_one(client, room):
    mine, theirs = start_class(str(client.base_url)), start_class(str(client.base_url))
    page = room.open(mine["code"], {"type": "lead", "control": theirs["control"]})
    assert page.closed_with()[0] == 1008


def test_a_socket_must_say_its_role_first(client, room):
    session = start_class(str(client.base_url))
    page = room.open(session["code"], {"type": "answer", "ask_id": "x", "value": 1})
    code, messages = page.closed_with()
    assert code == 1008 and "first message" in messages[-1]["detail"]


def test_other_origins_cannot_open_a_class_socket(base_url):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    session = start_class(base_url)
    with pytest.raises((InvalidStatus, Exception)):
        with connect(f"{base_url.replace('http', 'ws')}/api/classes/{session['code']}/socket",
                     origin="http://evil.test", open_timeout=5) as ws:
            ws.send('{"type": "follow"}')
            ws.recv(timeout=5)


def test_a_question_is_answered_counted_and_revealed(client, room):
    session = start_class(str(client.base_url))
    lead = room.lead(session)
    learners = [room.follow(session) for _ in range(4)]
    lead.send({"type": "ask", "question": "kd-loss.runner-up-20"})
    asked = lead.next("question")["question"]
    assert asked["status"] == "open" and asked["answer"] is None and asked["param"] == "T" and len(asked["edges"]) == 21
    for learner in learners:
        assert learner.next("question")["question"]["ask_id"] == asked["ask_id"]
    for learner, guess in zip(learners, [2.0, 2.1, 3.3, 15.0]):
        learner.send({"type": "answer", "ask_id": asked["ask_id"], "value": guess})
        assert learner.next("answered")["value"] == guess
    counts = lead.next("counts")
    while sum(counts["counts"]) < 4:
        counts = lead.next("counts")
    edges = asked["edges"]
    expected = [0] * 20
    for guess in (2.0, 2.1, 3.3, 15.0):
        expected[max(i for i in range(20) if edges[i] <= guess)] += 1
    assert counts["counts"] == expected
    assert learners[0].quiet("counts")                                   # learners don't see the guesses before the reveal
    learners[0].send({"type": "answer", "ask_id": asked["ask_id"], "value": 4.0})
    assert learners[0].next("error")["status"] == 409                    # one answer per page
    lead.send({"type": "reveal"})
    revealed = lead.next("question")["question"]
    assert revealed["status"] == "revealed" and revealed["counts"] == expected
    assert revealed["answer"] == pytest.approx(4.595 / 1.3862943611198906, abs=1e-6)   # ln 99 / ln 4 with 4.595 ≈ ln 99
    for learner in learners:
        assert learner.next("question")["question"]["answer"] == revealed["answer"]
    late = room.follow(session)
    late.send({"type": "answer", "ask_id": asked["ask_id"], "value": 3.0})
    assert "closed" in late.next("error")["detail"]


@pytest.mark.parametrize("value", [0.01, 25, "3", None, True, float("inf")])
def test_an_impossible_answer_is_refused(client, room, value):
    session = start_class(str(client.base_url))
    lead, learner = room.lead(session), room.follow(session)
    lead.send({"type": "ask", "question": "kd-loss.runner-up-20"})
    ask_id = learner.next("question")["question"]["ask_id"]
    learner.send('{"type": "answer", "ask_id": "%s", "value": %s}' % (ask_id, "Infinity" if value == float("inf")
                 else {None: "null", True: "true", "3": '"3"'}.get(value, value)))
    assert learner.next("error")["status"] == 422


def test_a_choice_question_and_a_free_prompt(client, room):
    session = start_class(str(client.base_url), state={"preset": "tokens", "T": 1.0,
                                                       "logits": [6.0, 4.9, 4.5, 4.2, 3.6, 3.1, 2.4, 1.0]})
    lead, learner = room.lead(session), room.follow(session)
    lead.send({"type": "ask", "question": "temperature.runner-up-1-to-4"})
    asked = learner.next("question")["question"]
    assert asked["kind"] == "choice" and asked["options"] == ["rises", "falls", "stays the same"]
    learner.send({"type": "answer", "ask_id": asked["ask_id"], "value": 0})
    learner.next("answered")
    lead.send({"type": "reveal"})
    assert learner.next("question")["question"]["answer"] == 1     # the runner-up falls: 0.178 at T=2, 0.158 at T=4
    lead.send({"type": "ask", "prompt": "Set T where the top class falls below a third.", "param": "T"})
    free = learner.next("question")["question"]
    assert free["id"] == "free" and free["prompt"].startswith("Set T")
    lead.send({"type": "state", "state": {"preset": "tokens", "T": 4.25}})
    learner.next("state")
    lead.send({"type": "reveal"})
    assert learner.next("question")["question"]["answer"] == 4.25      # the instructor's slider at the reveal
    for bad in [{"type": "ask", "prompt": "", "param": "T"}, {"type": "ask", "prompt": "x" * 201, "param": "T"},
                {"type": "ask", "prompt": "ok", "param": "logits"}, {"type": "ask", "question": "alpha.terms-equal"}]:
        lead.send(bad)
        assert lead.next("error")["status"] == 422


def test_a_question_this_state_cannot_answer_is_refused_when_asked(client, room):
    # Three nearly equal logits: the top class is under 60% already at the slider's lowest T.
    session = start_class(str(client.base_url), state={"preset": "flat", "T": 1.0, "logits": [0.05, 0.0, 0.0]})
    lead = room.lead(session)
    lead.send({"type": "ask", "question": "temperature.top-60"})
    problem = lead.next("error")
    assert problem["status"] == 422 and "does not fall through 60%" in problem["detail"]


def test_ending_the_class_tells_everyone_and_forgets_it(client, room):
    session = start_class(str(client.base_url))
    lead, learner = room.lead(session), room.follow(session)
    lead.send({"type": "end"})
    assert learner.next("end")["reason"] == "The instructor ended the class."
    assert learner.closed_with()[0] == 1000
    assert client.get(f"/join/{session['code']}").status_code == 404
    late = room.open(session["code"], {"type": "follow"})
    assert late.closed_with()[0] == 4404


def test_the_instructor_can_come_back_with_the_secret(client, room):
    session = start_class(str(client.base_url))
    first = room.lead(session)
    learner = room.follow(session)
    first.ws.close()
    again = room.lead(session)                   # a reload: same secret, new socket
    again.send(soften_move(7.0, [4.595, 0.0]))
    assert again.next("reply")["status"] == 200
    assert learner.next("state")["state"]["T"] == 7.0


# -- limits, each on a server of its own with small numbers ------------------------------------------

@pytest.fixture()
def small_server(test_settings) -> Iterator[str]:
    settings = test_settings.model_copy(update={
        "class_max_followers": 2, "class_max_classes": 3, "class_failed_joins": 4, "class_creates_per_hour": 100,
        "class_message_bytes": 2048, "class_follow_rate": 2.0, "class_idle_minutes": 0.02,
        "class_sockets_per_client": 4})
    with serve(create_app(settings)) as url:
        yield url


def test_limits_hold_with_clear_messages(small_server):
    import httpx

    room = Room(small_server)
    try:
        session = start_class(small_server)
        room.lead(session)
        room.follow(session), room.follow(session)
        full = room.open(session["code"], {"type": "follow"})
        code, messages = full.closed_with()
        assert code == 4429 and "full" in messages[-1]["detail"]

        start_class(small_server), start_class(small_server)
        r = httpx.post(f"{small_server}/api/classes", json={"widget": "temperature", "state": {}})
        assert r.status_code == 429 and "3 classes" in r.json()["detail"] and r.headers["retry-after"]
    finally:
        room.close()


def test_a_flooding_or_oversized_page_is_closed_and_the_others_go_on(small_server):
    room = Room(small_server)
    try:
        session = start_class(small_server)
        lead = room.lead(session)
        flooder, calm = room.follow(session), room.follow(session)
        with contextlib.suppress(ConnectionClosed):   # the server may close it before the 30th goes out
            for _ in range(30):
                flooder.send({"type": "answer", "ask_id": "x", "value": 1})
        code, _ = flooder.closed_with()
        assert code == 1008
        lead.send(soften_move(3.0, [4.595, 0.0]))
        assert calm.next("state")["state"]["T"] == 3.0
        lead.send({"type": "state", "state": {"logits": [1.0] * 64, "T": 1.0, "preset": "x" * 2000}})
        assert lead.closed_with()[0] == 1009
    finally:
        room.close()


def test_wrong_codes_are_limited_per_client_so_codes_cannot_be_enumerated(small_server):
    import httpx

    session = start_class(small_server)
    with httpx.Client(base_url=small_server) as c:
        for guess in ["AAAA2222", "AAAA2223", "nonsense", "BBBB3333"]:
            assert c.get(f"/join/{guess}").status_code == 404
        blocked = c.get(f"/join/{session['code']}")                 # even the right code, for the rest of the window
        assert blocked.status_code == 429 and "Too many wrong class codes" in blocked.text
        assert c.get(f"/api/classes/{session['code']}/qr.svg").status_code == 429
        assert c.get("/join", params={"code": session["code"]}).status_code == 429


def test_an_idle_class_ends_and_its_followers_are_told(small_server):
    room = Room(small_server)
    try:
        session = start_class(small_server)            # idle time 1.2 s on this server
        lead = room.lead(session)
        learner = room.follow(session)
        lead.ws.close()
        assert learner.next("end", timeout=10)["reason"] == "The class has ended."
        assert learner.closed_with()[0] == 1000
    finally:
        room.close()


def test_a_connected_instructor_keeps_the_class_alive_past_its_idle_time(small_server):
    import time

    room = Room(small_server)
    try:
        session = start_class(small_server)            # idle time 1.2 s on this server
        lead = room.lead(session)
        learner = room.follow(session)
        time.sleep(3)
        assert learner.quiet("end", seconds=0.5)
        lead.send(soften_move(2.0, [1.0, 0.0]))
        assert learner.next("state")["state"]["T"] == 2.0
    finally:
        room.close()


def test_without_its_redis_a_class_is_a_clear_503(test_settings):
    import httpx

    from tests.live_server import free_port

    settings = test_settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    with serve(create_app(settings)) as url:
        r = httpx.post(f"{url}/api/classes", json={"widget": "temperature", "state": {}}, timeout=30)
        assert r.status_code == 503 and "Redis" in r.json()["detail"]
        page = httpx.get(f"{url}/join/ABCD2345", timeout=30)
        assert page.status_code == 503 and "Redis" in page.text
        assert httpx.get(f"{url}/demo/temperature", timeout=30).status_code == 200     # the rest works


def test_wrong_secrets_count_toward_the_same_limit(small_server):
    import httpx

    session = start_class(small_server)
    room = Room(small_server)
    try:
        for _ in range(4):
            assert room.open(session["code"], {"type": "lead", "control": "y" * 43}).closed_with()[0] == 1008
        assert httpx.get(f"{small_server}/join/{session['code']}").status_code == 429
    finally:
        room.close()


def test_class_sockets_per_client_are_capped_like_live_sockets(small_server):
    room = Room(small_server)
    try:
        session = start_class(small_server)
        room.lead(session)
        room.follow(session), room.follow(session)          # the followers limit (2) is not the one tested
        room.open(session["code"], None)                    # the fourth socket: the cap is 4 per client address
        fifth = room.open(session["code"], None)
        code, _ = fifth.closed_with()
        assert code == 1013 and fifth.ws.close_reason.startswith("at most 4 class connections per client address")
    finally:
        room.close()
