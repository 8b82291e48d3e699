"""Hostile input over real HTTP and the live socket: a 4xx naming the problem, never a 500 or a traceback.

Found by a probe of the running app (issue #14, item 1 and 6): JSON nested ~500–1000 levels deep answered
500 on every JSON endpoint with a 137–281 KB traceback per request; Last-Event-ID values "²" and 4,300+
digits answered 500.
"""
from __future__ import annotations

import json

import httpx
import pytest
from websockets.sync.client import connect

from app.main import create_app
from app.training.runs import Experiment, RunManager
from app.web.run_engine import limits_from
from app.web.body_guard import content_length
from app.web.json_input import JsonInputError
from tests.live_server import serve
from tests.log_capture import captured_logs, text_of
from tests.sse_client import read_events

SOFTEN = {"logits": [1.0, 2.0], "temperatures": [1.0]}


def json_post_paths(client: httpx.Client) -> list[str]:
    paths = client.get("/openapi.json").json()["paths"]
    return sorted(p for p, ops in paths.items() if "post" in ops and "requestBody" in ops["post"])


def nested(depth: int) -> bytes:
    return b'{"logits": ' + b"[" * depth + b"1" + b"]" * depth + b', "temperatures": [1]}'


@pytest.mark.parametrize("depth", [40, 470, 990, 5000, 200_000])
def test_deeply_nested_json_gets_400_naming_the_limit_on_every_json_endpoint(client, test_settings, depth):
    paths = json_post_paths(client)
    assert {"/api/kd/soften", "/api/kd/loss", "/api/runs", "/api/tinylm/compare"} <= set(paths)
    with captured_logs() as records:
        for path in paths:
            r = client.post(path, content=nested(depth), headers={"content-type": "application/json"})
            assert r.status_code == 400, (path, r.status_code, r.text[:200])
            assert f"at most {test_settings.max_json_depth}" in r.json()["detail"]
    assert not any(r.exc_info for r in records)
    assert len(text_of(records)) < 400 * len(paths)       # one short line per refused request


def test_nesting_within_the_limit_is_validated_as_usual(client):
    r = client.post("/api/kd/soften", content=nested(20), headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][:2] == ["body", "logits"]


def test_brackets_inside_strings_do_not_count_as_nesting(client):
    r = client.post("/api/kd/soften", json={**SOFTEN, "note": "[" * 5000 + '\\"{' * 100})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "note"]


def test_duplicate_keys_are_refused_naming_the_key(client):
    r = client.post("/api/kd/soften", content=b'{"logits": [1, 2], "temperatures": [1], "logits": [5, 0]}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 400 and "duplicate key 'logits'" in r.json()["detail"]


@pytest.mark.parametrize("content_type,body,status,words", [
    ("application/json; charset=latin-1", json.dumps(SOFTEN).encode(), 415, "charset='latin-1'"),
    ("application/json; charset=utf-16", json.dumps(SOFTEN).encode("utf-16"), 415, "UTF-8"),
    ("application/json", b'{"logits": [1], "temperatures": [1], "x": "caf\xe9"}', 400, "not valid UTF-8 (byte 46)"),
    ("application/json", "\ufeff".encode() + json.dumps(SOFTEN).encode(), 400, "byte-order mark"),
    (None, b'{"logits": [1], "logits": [2], "temperatures": [1]}', 400, "duplicate key"),
])
def test_bodies_whose_bytes_do_not_match_their_charset_are_refused(client, content_type, body, status, words):
    headers = {"content-type": content_type} if content_type else {}
    r = client.post("/api/kd/soften", content=body, headers=headers)
    assert r.status_code == status and words in r.json()["detail"]


def test_utf8_declared_in_any_spelling_is_accepted(client):
    for charset in ("utf-8", "UTF-8", "utf8"):
        r = client.post("/api/kd/soften", content=json.dumps(SOFTEN).encode(),
                        headers={"content-type": f"application/json; charset={charset}"})
        assert r.status_code == 200, charset


@pytest.mark.parametrize("value", ["²", "٣", "1" * 5000, "-1", "1.5", "0x10", " "])
def test_content_length_parsing_is_total(value):
    scope = {"headers": [(b"content-length", value.encode())]}
    with pytest.raises(JsonInputError) as refused:
        content_length(scope)
    assert refused.value.status == 400 and "Content-Length" in refused.value.detail


def test_an_8kb_unknown_key_is_named_not_echoed_whole(client):
    key = "k" * 8000
    r = client.post("/api/kd/soften", json={**SOFTEN, key: 1})
    assert r.status_code == 422 and len(r.content) < 1000
    assert r.json()["detail"][0]["loc"][1].startswith("kkkk") and "(8000 characters)" in r.json()["detail"][0]["loc"][1]


def test_a_404_does_not_echo_an_8kb_slug(client):
    for path in ("/lessons/" + "s" * 8000, "/demo/" + "d" * 8000, "/api/runs/" + "r" * 8000):
        r = client.get(path)
        assert r.status_code == 404 and len(r.content) < 12_000 and "s" * 300 not in r.text and "r" * 300 not in r.text


@pytest.fixture(scope="module")
def runs_url(test_settings):
    """A server whose one experiment finishes at once (a step, then done), so a run's stream can be read."""
    def quick(config, device, cancel):
        yield {"type": "step", "step": 1, "loss": 1.0}
        yield {"type": "done"}

    app = create_app(test_settings)
    app.state.run_manager = RunManager({"digits": Experiment(run=quick)}, limits_from(test_settings))
    with serve(app) as url:
        yield url


@pytest.mark.parametrize("value", ["²", "٣", "9" * 4301, "9" * 19, "-1", "1.5", "abc"])
def test_a_last_event_id_that_is_not_an_id_gets_400_naming_the_header(runs_url, value):
    with httpx.Client(base_url=runs_url, timeout=10) as client, captured_logs() as records:
        run = client.post("/api/runs", json={"experiment": "digits", "steps": 10, "device": "cpu"}).json()
        raw = value.encode("latin-1") if value.isascii() or value == "²" else value.encode()  # b"\xb2" reads as "²"
        r = client.get(run["events_url"], headers={"Last-Event-ID": raw})
        assert r.status_code == 400 and "Last-Event-ID" in r.json()["detail"]
    assert not any(rec.exc_info for rec in records)


def test_a_valid_last_event_id_still_resumes(runs_url):
    with httpx.Client(base_url=runs_url, timeout=10) as client:
        run = client.post("/api/runs", json={"experiment": "digits", "steps": 10, "device": "cpu"}).json()
        with client.stream("GET", run["events_url"], headers={"Last-Event-ID": "1"}) as r:
            assert r.status_code == 200
            assert [(e.id, e.event) for e in read_events(r)] == [(2, "done")]
        assert client.get(run["events_url"], headers={"Last-Event-ID": "2"}).status_code == 204


def test_deep_nesting_over_the_socket_gets_a_400_reply_and_the_socket_stays_open(base_url, test_settings):
    url = base_url.replace("http://", "ws://") + "/api/live"
    with connect(url, origin=base_url, open_timeout=10) as ws:
        for depth in (470, 990, 20_000):
            body = "[" * depth + "1" + "]" * depth
            ws.send('{"id": 1, "path": "/api/kd/soften", "body": {"logits": ' + body + ', "temperatures": [1]}}')
            reply = json.loads(ws.recv(timeout=10))
            assert reply["status"] == 400 and reply["id"] is None
            assert f"at most {test_settings.max_json_depth + 1}" in reply["body"]["detail"]
        ws.send('{"id": 2, "path": "/api/kd/soften", "body": {"logits": [1], "logits": [2], "temperatures": [1]}}')
        assert "duplicate key" in json.loads(ws.recv(timeout=10))["body"]["detail"]
        ws.send(json.dumps({"id": 3, "path": "/api/kd/soften", "body": SOFTEN}))
        assert json.loads(ws.recv(timeout=10))["status"] == 200


def test_a_demo_link_with_1500_unknown_keys_gets_one_short_notice(client):
    plain = client.get("/demo/temperature")
    query = "&".join(f"k{i:04d}=1" for i in range(1500))
    r = client.get(f"/demo/temperature?T=3.3&{query}")
    assert r.status_code == 200
    assert r.text.count('class="notice notice-warning"') == 1 and "and 1495 more" in r.text
    assert len(r.content) < len(plain.content) + 2000          # 1,800 keys gave a 204 KB page: every key echoed
