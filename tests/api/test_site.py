"""Pages, headers and assets over real HTTP."""
from __future__ import annotations

import re

PAGES = ["/", "/lessons/kd-loss", "/glossary", "/demo/temperature"]


def test_health_reports_device_and_torch(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["device"] in {"cpu", "cuda"}
    assert body["torch"].startswith("2.13")


def test_every_response_carries_the_security_headers(client):
    for path in [*PAGES, "/healthz", "/lessons/missing", "/static/css/app.css"]:
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
    r = client.post("/api/kd/soften", json={})
    assert r.status_code == 422 and "content-security-policy" in r.headers


def test_pages_load_nothing_from_another_host_and_have_no_inline_script(client):
    for path in PAGES:
        html = client.get(path).text
        assert not re.search(r'(src|href)=["\'](https?:)?//', html), path
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert not re.search(r"\son[a-z]+=", html), path


def test_static_assets_use_content_hashed_urls_cached_long(client):
    html = client.get("/").text
    css = re.search(r'href="(/static/css/app.css\?v=[0-9a-f]{12})"', html).group(1)
    assert "immutable" in client.get(css).headers["cache-control"]


def test_unknown_pages_get_a_friendly_404_page(client):
    r = client.get("/lessons/no-such-lesson")
    assert r.status_code == 404 and "no lesson called" in r.text
    r = client.get("/demo/nope")
    assert r.status_code == 404 and "no demo called" in r.text


def test_unpublished_lesson_is_named_not_linked(client):
    overview = client.get("/").text
    assert "Coming soon" in overview or "/lessons/kd-teacher-capture" in overview
    lesson = client.get("/lessons/kd-loss").text
    if client.get("/lessons/kd-teacher-capture").status_code == 404:
        assert 'href="/lessons/kd-teacher-capture"' not in lesson
    else:
        assert 'href="/lessons/kd-teacher-capture"' in lesson


def test_openapi_documents_the_kd_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/kd/soften" in paths
