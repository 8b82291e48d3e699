"""One class served by two app processes sharing a real Redis: the instructor on one, followers on both."""
from __future__ import annotations

import pytest

from tests.class_client import Room, soften_move, start_class


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
