"""Response compression (app/web/compression.py) over real HTTP: text is packed, streams are not."""
from __future__ import annotations

import gzip
import re

import brotli
import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route

from app.web.compression import CompressionMiddleware, choose_encoding
from tests.live_server import serve
from tests.sse_client import read_events


def raw_get(base_url: str, path: str, accept: str) -> httpx.Response:
    """The bytes as sent: httpx decodes only what it is asked to read, so read the raw stream."""
    with httpx.Client(base_url=base_url, timeout=30) as c, c.stream("GET", path, headers={"accept-encoding": accept}) as r:
        r.raw_body = b"".join(r.iter_raw())
        return r


def decode(r: httpx.Response) -> bytes:
    coding = r.headers.get("content-encoding")
    return {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[coding](r.raw_body)


def asset_paths(client) -> dict[str, str]:
    html = client.get("/lessons/kd-loss").text
    return {"html": "/lessons/kd-loss",
            "css": re.search(r'href="(/static/css/app.css\?v=\w+)"', html).group(1),
            "js": re.search(r'src="(/static/js/quiz.js\?v=\w+)"', html).group(1),
            "json": "/openapi.json"}


@pytest.mark.parametrize("accept, coding", [("br, gzip, deflate", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip"),
                                            ("identity", None), ("", None)])
def test_html_css_js_and_json_are_compressed_as_the_client_accepts(client, base_url, accept, coding):
    for kind, path in asset_paths(client).items():
        plain = raw_get(base_url, path, "identity")
        r = raw_get(base_url, path, accept)
        assert r.status_code == 200, (kind, r.status_code)
        assert r.headers.get("content-encoding") == coding, kind
        assert "accept-encoding" in r.headers.get("vary", "").lower(), kind
        assert int(r.headers["content-length"]) == len(r.raw_body), kind
        assert decode(r) == plain.raw_body, kind
        if coding:
            assert len(r.raw_body) < 0.5 * len(plain.raw_body), (kind, len(r.raw_body), len(plain.raw_body))


def test_a_compressed_static_file_revalidates_with_its_weak_etag(client, base_url):
    path = asset_paths(client)["css"]
    r = client.get(path, headers={"accept-encoding": "br"})
    assert r.headers["content-encoding"] == "br" and r.headers["etag"].startswith('W/"')
    again = client.get(path, headers={"accept-encoding": "br", "if-none-match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_small_bodies_go_out_as_they_are_and_head_says_what_get_sends(client, base_url):
    r = client.get("/healthz", headers={"accept-encoding": "br, gzip"})
    assert r.status_code == 200 and "content-encoding" not in r.headers
    get = raw_get(base_url, "/glossary", "br")
    head = client.head("/glossary", headers={"accept-encoding": "br"})
    assert head.content == b"" and head.headers["content-encoding"] == "br"
    assert head.headers["content-length"] == get.headers["content-length"] == str(len(get.raw_body))


def test_run_event_streams_are_never_compressed(client):
    created = client.post("/api/runs", json={"experiment": "digits", "steps": 30, "seed": 1, "student_hidden": 8}).json()
    with client.stream("GET", created["events_url"], headers={"accept-encoding": "br, gzip"}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in response.headers
        events = list(read_events(response))
    assert events[-1].event == "done"


def test_a_streamed_body_is_compressed_chunk_by_chunk_without_a_length():
    chunks = [f"<p>chunk {i} {'x' * 3000}</p>\n".encode() for i in range(20)]

    async def stream(request):
        async def body():
            for c in chunks:
                yield c
        return StreamingResponse(body(), media_type="text/html")

    async def events(request):
        async def body():
            yield b"data: 1\n\n" + b": pad\n" * 200
        return StreamingResponse(body(), media_type="text/event-stream")

    app = Starlette(routes=[Route("/stream", stream), Route("/events", events),
                            Route("/png", lambda r: PlainTextResponse("x" * 5000, media_type="image/png"))])
    app.add_middleware(CompressionMiddleware)
    with serve(app) as url:
        r = raw_get(url, "/stream", "gzip")
        assert r.headers["content-encoding"] == "gzip" and "content-length" not in r.headers
        assert decode(r) == b"".join(chunks)
        assert len(r.raw_body) < len(b"".join(chunks)) / 10
        for path in ("/events", "/png"):
            assert "content-encoding" not in raw_get(url, path, "br, gzip").headers, path


@pytest.mark.parametrize("header, expected", [
    ("gzip, deflate, br", "br"), ("GZIP", "gzip"), ("br;q=0", None), ("br; q=0.0, gzip;q=0.5", "gzip"),
    ("*", "br"), ("*;q=0", None), ("deflate", None), ("br;q=abc, gzip", "gzip"), ("", None),
])
def test_choose_encoding_reads_accept_encoding(header, expected):
    assert choose_encoding(header) == expected
