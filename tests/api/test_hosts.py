"""The DNS-rebinding guard: pages, the API and the socket answer only the configured Host names, and
cross-origin writes and sockets are refused."""
from __future__ import annotations

import socket

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from app.main import create_app
from tests.live_server import serve

REBOUND = "evil.test:8790"     # a page on evil.test whose name now resolves to this server


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://") + "/api/live"


def connect_as(base_url: str, host: str, origin: str):
    """A WebSocket to this server that says `Host: host`, as a browser does after DNS rebinding."""
    port = int(base_url.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    return connect(f"ws://{host}/api/live", sock=sock, origin=origin, open_timeout=10)


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/", None), ("GET", "/lessons/kd-loss", None), ("GET", "/healthz", None),
    ("GET", "/openapi.json", None), ("GET", "/static/css/app.css", None),
    ("POST", "/api/kd/soften", {"logits": [1, 2], "temperatures": [1]}),
    ("POST", "/api/runs", {"experiment": "digits", "steps": 10}),
])
def test_a_rebinding_host_is_refused_everywhere(client, method, path, body):
    r = client.request(method, path, json=body, headers={"Host": REBOUND, "Origin": f"http://{REBOUND}"})
    assert r.status_code == 400 and "evil.test" in r.json()["detail"]
    assert "content-security-policy" in r.headers


def test_a_rebinding_host_cannot_open_the_socket(base_url):
    with pytest.raises(InvalidStatus) as refused:
        connect_as(base_url, REBOUND, origin=f"http://{REBOUND}")
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST.", "[::1]", "127.0.0.1:1"])
def test_loopback_names_are_answered_on_any_port(client, host):
    assert client.get("/healthz", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["127.0.0.1.evil.test", "localhost@evil.test", "[::1", "a:b", "127.0.0.2"])
def test_malformed_or_unknown_hosts_are_refused(client, host):
    assert client.get("/healthz", headers={"Host": host}).status_code == 400


def test_cross_origin_writes_are_refused_and_same_origin_ones_pass(client, base_url):
    body = {"logits": [1, 2], "temperatures": [1]}
    assert client.post("/api/kd/soften", json=body, headers={"Origin": "http://evil.test"}).status_code == 403
    assert client.post("/api/kd/soften", json=body, headers={"Origin": "null"}).status_code == 403
    assert client.post("/api/kd/soften", json=body, headers={"Origin": base_url}).status_code == 200
    assert client.post("/api/kd/soften", json=body).status_code == 200          # not a browser: no Origin
    assert client.get("/healthz", headers={"Origin": "http://evil.test"}).status_code == 200   # reads are fine


def test_configured_names_are_answered_and_can_be_added_at_start_up(test_settings):
    app = create_app(test_settings.model_copy(update={"allowed_hosts": ("room.local",)}))
    app.state.allowed_hosts.add("10.1.2.3")
    with serve(app) as url, httpx.Client(base_url=url) as client:
        for host in ("room.local:8000", "10.1.2.3", "127.0.0.1"):
            assert client.get("/healthz", headers={"Host": host}).status_code == 200, host
        assert client.get("/healthz", headers={"Host": "other.local"}).status_code == 400
        with connect_as(url, "room.local:8000", origin="http://room.local:8000") as ws:
            ws.send('{"id": 1, "path": "/api/kd/soften", "body": {"logits": [1, 2], "temperatures": [1]}}')
            assert '"status":200' in ws.recv(timeout=10)


def test_allowed_hosts_setting_reads_a_comma_separated_list(monkeypatch):
    from app.settings import Settings

    monkeypatch.setenv("BREWSLM_ALLOWED_HOSTS", "Room.Local, 192.168.1.20 ,")
    assert Settings().allowed_hosts == ("room.local", "192.168.1.20")
