"""The slider tables obey the hardening limits: per client and per server (429 naming which), the body
guard, and a 422 naming the field; and their lane is their own, so a full table lane refuses no single answer.

Over real HTTP against a server whose table lane takes one request per client and two in all. The lane's
slots are held from the test (ClientLimit is thread-safe), so the limits are reached without racing
real computations. Each request is one no one made before: the same request again is answered from the
table cache (app/web/answer_cache.py) without the lane, as the last test shows.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator

import httpx
import pytest

from app.main import create_app
from tests.live_server import serve

TABLE = "/api/tables/temperature/T"
_fresh = itertools.count()


def _fresh_body() -> dict:
    """A table request no one has made yet: a cached answer would be given without the lane."""
    return {"logits": [1.5, -0.5, 0.25 + next(_fresh) / 1024]}


@pytest.fixture(scope="module")
def small_tables(test_settings) -> Iterator[tuple[str, object]]:
    app = create_app(test_settings.model_copy(update={"heavy_per_client": 1, "heavy_waiting": 1}))
    with serve(app) as url:
        yield url, app.state.table_lane


def _post(url: str, source: str, path: str = TABLE, body: object = None) -> httpx.Response:
    body = _fresh_body() if body is None else body
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(base_url=url, timeout=30, transport=transport) as c:
        return c.post(path, json=body)


def test_a_client_with_its_table_requests_in_use_gets_429_naming_the_per_client_limit(small_tables):
    url, lane = small_tables
    with lane.limit.acquire("127.0.0.1"):
        refused = _post(url, "127.0.0.1")
        other = _post(url, "127.0.0.2")          # another address is not refused
        single = _post(url, "127.0.0.1", "/api/kd/soften", {"logits": [1.0, 2.0], "temperatures": [2.0]})
    assert refused.status_code == 429, refused.text
    assert refused.json()["limit"] == "table requests per client"
    assert int(refused.headers["retry-after"]) >= 1
    assert other.status_code == 200, other.text
    assert single.status_code == 200, single.text   # the single answers' lane is another one
    assert _post(url, "127.0.0.1").status_code == 200


def test_a_full_table_lane_gets_429_naming_the_server_limit(small_tables):
    url, lane = small_tables
    with lane.limit.acquire("10.0.0.1"), lane.limit.acquire("10.0.0.2"):
        refused = _post(url, "127.0.0.3")
    assert refused.status_code == 429, refused.text
    assert refused.json()["limit"] == "table requests on this server"
    assert _post(url, "127.0.0.3").status_code == 200


@pytest.mark.parametrize("body,field", [
    ({"logits": []}, "logits"),
    ({"logits": [1.0, "x"]}, "logits"),
    ({}, "logits"),
])
def test_a_bad_table_request_is_a_422_naming_the_field(small_tables, body, field):
    r = _post(small_tables[0], "127.0.0.1", body=body)
    assert r.status_code == 422, r.text[:300]
    assert field in [str(part) for part in r.json()["detail"][0]["loc"]]


def test_a_table_request_past_the_body_limits_is_refused_before_it_is_read(small_tables, test_settings):
    url = small_tables[0]
    big = _post(url, "127.0.0.1", body={"logits": [0.5] * (test_settings.max_body_bytes // 4)})
    assert big.status_code == 413, big.text
    deep: object = [1.0]
    for _ in range(test_settings.max_json_depth + 2):
        deep = [deep]
    nested = _post(url, "127.0.0.1", body={"logits": deep})
    assert nested.status_code == 400 and "deep" in nested.text, nested.text


def test_the_same_table_again_comes_from_the_cache_even_with_the_lane_full(small_tables, client):
    """A class asks for one table from every page: computed once, then a copy, with no lane slot needed."""
    url, lane = small_tables
    body = _fresh_body()
    first = _post(url, "127.0.0.1", body=body)
    assert first.status_code == 200
    with lane.limit.acquire("127.0.0.1"), lane.limit.acquire("10.0.0.1"):
        again = [_post(url, "127.0.0.1", body=body), _post(url, "127.0.0.9", body=body)]
    assert [r.status_code for r in again] == [200, 200]
    assert all(r.content == first.content for r in again)
    assert first.json() == client.post(TABLE, json=body).json()      # the same as another server computes
