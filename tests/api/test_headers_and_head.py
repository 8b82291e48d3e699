"""Security headers on every response, 500s and refusals included; HEAD wherever GET works."""
from __future__ import annotations

import httpx
import pytest

from app.main import create_app
from app.web.security import SECURITY_HEADERS
from tests.live_server import serve
from tests.log_capture import captured_logs

GET_PATHS = ["/", "/lessons/kd-loss", "/glossary", "/demo/temperature", "/healthz", "/openapi.json", "/docs",
             "/sw.js", "/static/css/app.css", "/lessons/missing"]


def assert_security_headers(response: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS:
        assert response.headers.get(name.decode()) == value.decode(), (response.url, name)


@pytest.fixture(scope="module")
def failing_url(test_settings):
    """The real app plus two routes that fail the way a server bug would."""
    app = create_app(test_settings)

    async def broken_api() -> dict:
        raise RuntimeError("a bug in an API handler")

    async def broken_page() -> str:
        raise ZeroDivisionError("a bug in a page handler")

    app.add_api_route("/api/broken", broken_api)
    app.add_api_route("/broken-page", broken_page)
    with serve(app) as url:
        yield url


@pytest.mark.parametrize("path", ["/api/broken", "/broken-page"])
def test_a_500_carries_the_security_headers_and_is_logged_once(failing_url, path):
    with captured_logs() as records, httpx.Client(base_url=failing_url) as client:
        r = client.get(path)
    assert r.status_code == 500
    assert r.json() == {"detail": "internal error; the server log has the details"}
    assert_security_headers(r)
    tracebacks = [rec for rec in records if rec.exc_info]
    assert len(tracebacks) == 1 and tracebacks[0].name == "brewslm"


def test_refusals_carry_the_security_headers_too(client):
    refusals = [
        client.post("/api/kd/soften", content=b"[" * 100 + b"]" * 100, headers={"content-type": "application/json"}),
        client.post("/api/kd/soften", content=b"x" * 2_000_000),
        client.post("/api/kd/soften", json={}),
        client.get("/api/runs/nope"),
        client.put("/api/kd/soften", json={}),
    ]
    assert [r.status_code for r in refusals] == [400, 413, 422, 404, 405]
    for r in refusals:
        assert_security_headers(r)


@pytest.mark.parametrize("path", GET_PATHS)
def test_head_answers_wherever_get_does_with_the_same_status_and_headers(client, path):
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code
    assert head.content == b""
    for name in ("content-type", "content-length", "cache-control", "content-security-policy"):
        assert head.headers.get(name) == got.headers.get(name), (path, name)


def test_head_on_a_post_only_path_is_405_like_get(client):
    assert client.get("/api/kd/soften").status_code == 405
    assert client.head("/api/kd/soften").status_code == 405
