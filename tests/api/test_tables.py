"""POST /api/tables/*: every row of a slider's table equals the single endpoint's answer at that value, to 1e-12.

Over real HTTP: the table once, then POST /api/kd/* at the row's value, compared field by field.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from websockets.sync.client import connect

from app.web.api_docs import load_examples
from app.web.api_examples import abridged
from app.web.kd_operations import TABLE_OPERATIONS
from app.widgets import widget_spec
from app.widgets.slider_positions import reachable_values
from tests import tables
from tests.class_client import TEMPERATURE_STATE, Room, start_class
from tests.tables import Table, assert_same

RNG = np.random.default_rng(20261128)


def _logits(n: int, scale: float = 3.0) -> list[float]:
    return (RNG.normal(size=n) * scale).round(3).tolist()


def _loss_state(n: int, label: int, **fixed) -> dict:
    return {"student_logits": [_logits(n)], "teacher_logits": [_logits(n)], "labels": [label], "kl_reduction": "seed",
            **fixed}


# (table path, the state the table is asked for, the single endpoint, how a row reads) — unseen inputs,
# and the explorers' own presets.
CASES = {
    "temperature T": ("/api/tables/temperature/T", {"logits": _logits(10)}, "/api/kd/soften", tables.temperature_T),
    "temperature T, 99/1 pair": ("/api/tables/temperature/T", {"logits": [4.595, 0]}, "/api/kd/soften",
                                 tables.temperature_T),
    "alpha alpha": ("/api/tables/alpha/alpha", _loss_state(6, 2, temperature=3.7), "/api/kd/loss", tables.alpha_alpha),
    "alpha alpha, token mean, no label": ("/api/tables/alpha/alpha",
                                          {**_loss_state(4, -100, temperature=0.8), "kl_reduction": "token_mean"},
                                          "/api/kd/loss", tables.alpha_alpha),
    "alpha T": ("/api/tables/alpha/T", _loss_state(5, 1, alpha=0.37), "/api/kd/loss", tables.alpha_T),
    "alpha T, two rows, token mean": ("/api/tables/alpha/T",
                                      {"student_logits": [_logits(3), _logits(3)], "teacher_logits": [_logits(3), _logits(3)],
                                       "labels": [-100, 2], "kl_reduction": "token_mean", "alpha": 0.8},
                                      "/api/kd/loss", tables.alpha_T),
    "t-squared T": ("/api/tables/t-squared/T", {"student_logits": _logits(8), "teacher_logits": _logits(8)},
                    "/api/kd/temperature-gradients", tables.t_squared_T),
    "t-squared T, no pull": ("/api/tables/t-squared/T", {"student_logits": [1.0, 2.0, 0.5], "teacher_logits": [3.0, 4.0, 2.5]},
                             "/api/kd/temperature-gradients", tables.t_squared_T),
    "reduction seq_len": ("/api/tables/reduction/seq_len",
                          {"batch_size": 3, "prompt_len": 9, "vocab": 16, "temperature": 2.0, "seed": 0},
                          "/api/kd/reduction", tables.reduction_seq_len),
    "reduction prompt_len": ("/api/tables/reduction/prompt_len",
                             {"batch_size": 5, "seq_len": 21, "vocab": 12, "temperature": 1.3, "seed": 4},
                             "/api/kd/reduction", tables.reduction_prompt_len),
    "reduction batch_size": ("/api/tables/reduction/batch_size",
                             {"seq_len": 33, "prompt_len": 7, "vocab": 16, "temperature": 2.0, "seed": 0},
                             "/api/kd/reduction", tables.reduction_batch_size),
    "kl-direction separation": ("/api/tables/kl-direction/separation", {"left_weight": 0.5, "width": 1.0},
                                "/api/kd/kl-direction", tables.kl_separation),
    "kl-direction left_weight": ("/api/tables/kl-direction/left_weight", {"separation": 7.3, "width": 0.9},
                                 "/api/kd/kl-direction", tables.kl_left_weight),
}


def _positions(n: int, most: int = 120) -> list[int]:
    """Every row of a short table; of a long one the ends and `most` others drawn at random."""
    if n <= most:
        return list(range(n))
    return sorted({0, n - 1, *RNG.choice(n, size=most, replace=False).tolist()})


@pytest.mark.parametrize("case", CASES)
def test_every_row_is_the_single_answer(client, case):
    path, state, single_path, read = CASES[case]
    r = client.post(path, json=state)
    assert r.status_code == 200, r.text
    table = Table(r.json())
    for i in _positions(len(table.values)):
        body, want = read(table, i, state)
        single = client.post(single_path, json=body)
        assert single.status_code == 200, single.text
        assert_same(single.json(), want, where=f"{case} at {table.values[i]}")


@pytest.mark.parametrize("path,widget,param,state", [
    ("/api/tables/temperature/T", "temperature", "T", {"logits": [1.0]}),
    ("/api/tables/alpha/T", "alpha", "T", {"student_logits": [[1, 2]], "teacher_logits": [[2, 1]], "labels": [0]}),
    ("/api/tables/kl-direction/left_weight", "kl-direction", "left_weight", {}),
    ("/api/tables/reduction/seq_len", "reduction", "seq_len", {}),
])
def test_a_table_has_one_row_per_value_the_slider_reaches(client, path, widget, param, state):
    body = client.post(path, json=state).json()
    table = Table(body)
    assert (body["widget"], body["param"]) == (widget, param)
    reachable = reachable_values(widget_spec(widget).param(param))
    assert table.values.tolist() == reachable
    assert all(len(rows) == len(reachable) for rows in table.rows.values())


def test_the_prompt_table_stops_at_the_sequence_length(client):
    table = Table(client.post("/api/tables/reduction/prompt_len", json={"seq_len": 5}).json())
    assert table.values.tolist() == [0, 1, 2, 3, 4, 5]


def test_the_weight_table_breaks_the_even_tie_the_same_way_as_the_single_answer(client):
    """At equal shares the teacher is mirror-symmetric and its two best reverse-KL students tie: the first
    (the left peak) wins, in the table as in the single answer."""
    table = Table(client.post("/api/tables/kl-direction/left_weight", json={"separation": 6.0}).json())
    i = table.values.tolist().index(0.5)
    single = client.post("/api/kd/kl-direction", json={"separation": 6.0, "left_weight": 0.5}).json()
    assert table.row("reverse_mean", i) == single["reverse"]["mean"] < 0


@pytest.mark.parametrize("path,body,field,words", [
    ("/api/tables/temperature/T", {"logits": list(range(65))}, "logits", "at most 64"),
    ("/api/tables/temperature/T", {"logits": [1, 2], "temperatures": [1]}, "temperatures", "Extra inputs"),
    ("/api/tables/alpha/alpha", {"student_logits": [list(range(40)), list(range(40))],
                                 "teacher_logits": [list(range(40)), list(range(40))], "labels": [0, 0]},
     "student_logits", "at most 64"),
    ("/api/tables/alpha/alpha", {"student_logits": [[1, 2]], "teacher_logits": [[1, 2]], "labels": [0], "alpha": 0.5},
     "alpha", "Extra inputs"),
    ("/api/tables/alpha/T", {"student_logits": [[1, 2]], "teacher_logits": [[1, 2, 3]], "labels": [0]},
     "teacher_logits", "has 3 logits"),
    ("/api/tables/t-squared/T", {"student_logits": [1, 2], "teacher_logits": [1]}, "teacher_logits", "at least 2"),
    ("/api/tables/reduction/batch_size", {"seq_len": 4, "prompt_len": 5}, "prompt_len", "longer than seq_len"),
    ("/api/tables/reduction/batch_size", {"seq_len": 1}, "prompt_len", "prompt_len 6 is longer than seq_len 1"),
    ("/api/kd/reduction", {"seq_len": 2}, "prompt_len", "prompt_len 6 is longer than seq_len 2"),
    ("/api/tables/reduction/seq_len", {"batch_size": 9}, "batch_size", "less than or equal to 8"),
    ("/api/tables/kl-direction/separation", {"left_weight": 0.99}, "left_weight", "less than or equal to 0.95"),
    ("/api/tables/kl-direction/left_weight", {"separation": "far"}, "separation", "number"),
])
def test_bad_table_requests_get_a_422_naming_the_field(client, path, body, field, words):
    r = client.post(path, json=body)
    assert r.status_code == 422, r.text
    assert any(e["loc"][1] == field and words in e["msg"] for e in r.json()["detail"]), r.json()


def test_every_table_answers_over_the_live_socket_exactly_as_its_post(client, base_url):
    cases = {path: state for path, state, _, _ in CASES.values()}
    assert set(cases) == set(TABLE_OPERATIONS)
    with connect(base_url.replace("http://", "ws://") + "/api/live", origin=base_url, open_timeout=10,
                 max_size=2**22) as ws:
        for i, (path, state) in enumerate(cases.items()):
            ws.send(json.dumps({"id": i, "path": path, "body": state}))
            reply = json.loads(ws.recv(timeout=30))
            assert (reply["id"], reply["status"]) == (i, 200), reply
            assert reply["body"] == client.post(path, json=state).json(), path


@pytest.mark.parametrize("path", sorted(TABLE_OPERATIONS))
def test_the_documented_example_is_a_live_answer_with_its_base64_abridged(client, path):
    recorded = load_examples()[f"POST {path}"]
    live = client.post(path, json=recorded["request"]).json()
    assert recorded["responses"]["200"]["body"] == abridged(live)


def test_a_class_move_is_a_single_answer_never_a_table_broadcast_to_the_room(base_url):
    """A table is for the page that asked (each follower fetches its own); the class socket refuses one."""
    room = Room(base_url)
    try:
        session = start_class(base_url)
        lead, follower = room.lead(session), room.follow(session)
        lead.send({"type": "move", "id": 3, "state": TEMPERATURE_STATE, "path": "/api/tables/temperature/T",
                   "body": {"logits": TEMPERATURE_STATE["logits"]}})
        reply = lead.next("reply")
        assert reply["status"] == 404 and "/api/kd/soften" in reply["body"]["detail"]
        assert "/api/tables/" not in reply["body"]["detail"].split("there are")[1]
        assert follower.quiet("state")
    finally:
        room.close()
