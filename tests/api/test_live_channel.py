"""WS /api/live over a real WebSocket: the same answers as POST /api/kd/*, the same 422s, clear errors."""
from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.reference import kd_reference

# One body per endpoint, none of them the explorers' defaults.
BODIES = {
    "/api/kd/soften": {"logits": [0.3, 2.5, -1.0, 4.2], "temperatures": [0.7, 3.0]},
    "/api/kd/loss": {"student_logits": [[0.5, 1.0, -0.2], [2.0, -1.0, 0.3]], "teacher_logits": [[1.5, 0.2, 0.0], [0.1, 3.0, -2.0]],
                     "labels": [2, -100], "alpha": 0.35, "temperature": 3.5, "kl_reduction": "token_mean"},
    "/api/kd/temperature-gradients": {"student_logits": [0.1, 1.2, -0.4], "teacher_logits": [0.9, 2.0, -1.1],
                                      "temperatures": [0.5, 2.0, 8.0, 32.0]},
    "/api/kd/reduction": {"batch_size": 3, "seq_len": 11, "prompt_len": 4, "vocab": 16, "temperature": 2.0, "seed": 0},
    "/api/kd/kl-direction": {"separation": 4.5, "left_weight": 0.3, "width": 1.0},
}


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://") + "/api/live"


@pytest.fixture()
def live(base_url: str) -> Iterator[ClientConnection]:
    with connect(ws_url(base_url), origin=base_url, open_timeout=10) as ws:
        yield ws


def ask(ws: ClientConnection, message: dict | str) -> dict:
    ws.send(message if isinstance(message, str) else json.dumps(message))
    return json.loads(ws.recv(timeout=10))


def test_every_explorer_endpoint_answers_exactly_as_its_post(client, live):
    assert set(BODIES) == {"/api/kd/soften", "/api/kd/loss", "/api/kd/temperature-gradients", "/api/kd/reduction",
                           "/api/kd/kl-direction"}
    for i, (path, body) in enumerate(BODIES.items()):
        over_http = client.post(path, json=body)
        assert over_http.status_code == 200, over_http.text
        reply = ask(live, {"id": i, "path": path, "body": body})
        assert reply["id"] == i and reply["status"] == 200
        assert reply["body"] == over_http.json(), path


def test_the_loss_over_the_socket_matches_the_float64_reference(live):
    body = BODIES["/api/kd/loss"]
    reply = ask(live, {"id": 1, "path": "/api/kd/loss", "body": body})
    ce, kl, loss = kd_reference(np.array(body["student_logits"]), np.array(body["teacher_logits"]),
                                np.array(body["labels"]), body["alpha"], body["temperature"], "token_mean")
    assert reply["body"]["ce"] == pytest.approx(ce, rel=1e-9)
    assert reply["body"]["kl"] == pytest.approx(kl, rel=1e-9)
    assert reply["body"]["loss"] == pytest.approx(loss, rel=1e-9)


@pytest.mark.parametrize("path,bad", [
    ("/api/kd/soften", {"logits": [1.0, 2.0], "temperatures": [0.0]}),
    ("/api/kd/loss", {**BODIES["/api/kd/loss"], "alpha": 1.5}),
    ("/api/kd/kl-direction", {"separation": "far", "left_weight": 0.3, "width": 1.0}),
    ("/api/kd/reduction", {**BODIES["/api/kd/reduction"], "prompt_len": 20}),
    ("/api/kd/soften", {"logits": [1.0, float("nan")], "temperatures": [1.0]}),
    ("/api/kd/soften", {"logits": [1.0], "temperatures": [1.0], "extra": 1}),
    ("/api/kd/loss", None),
    ("/api/kd/reduction", [1, 2]),
])
def test_bad_bodies_get_the_same_422_as_post(client, live, path, bad):
    over_http = client.post(path, content=json.dumps(bad), headers={"Content-Type": "application/json"})
    assert over_http.status_code == 422
    reply = ask(live, {"id": 5, "path": path, "body": bad})
    assert reply == {"id": 5, "status": 422, "body": over_http.json()}
    assert all(d["loc"][0] == "body" for d in reply["body"]["detail"])


def test_a_bad_message_gets_a_clear_4xx_and_the_socket_stays_usable(live):
    assert ask(live, "not json")["status"] == 400
    assert "not JSON" in ask(live, "{")["body"]["detail"]
    missing_id = ask(live, {"path": "/api/kd/soften", "body": {}})
    assert missing_id["status"] == 400 and '"id"' in missing_id["body"]["detail"]
    unknown = ask(live, {"id": 3, "path": "/api/runs", "body": {}})
    assert unknown["status"] == 404 and unknown["id"] == 3 and "/api/kd/loss" in unknown["body"]["detail"]
    for bad_path in ([1], {"a": 1}, None):
        assert ask(live, {"id": 4, "path": bad_path, "body": {}})["status"] == 404
    assert ask(live, {"id": True, "path": "/api/kd/soften", "body": {}})["status"] == 400
    assert ask(live, "[" * 100_000)["status"] == 400          # nested past Python's recursion limit
    live.send(b"\x00\x01")
    assert "text messages" in json.loads(live.recv(timeout=10))["body"]["detail"]
    # still answering after all of that
    assert ask(live, {"id": 9, "path": "/api/kd/soften", "body": BODIES["/api/kd/soften"]})["status"] == 200


def test_a_message_over_the_size_limit_is_refused(live, test_settings):
    limit = test_settings.live_max_message_bytes
    big = json.dumps({"id": 1, "path": "/api/kd/soften", "body": {"logits": [1.0] * 10, "pad": "x" * limit}})
    reply = ask(live, big)
    assert reply["status"] == 413 and str(limit) in reply["body"]["detail"]
    assert reply["id"] == 1   # so the page's request fails at once rather than timing out
    assert ask(live, {"id": 2, "path": "/api/kd/soften", "body": BODIES["/api/kd/soften"]})["status"] == 200


def test_other_sites_cannot_open_the_socket(base_url):
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url(base_url), origin="http://evil.example", open_timeout=10)
    assert refused.value.response.status_code == 403
