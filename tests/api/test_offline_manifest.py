"""What the offline worker is given: /sw.js with this build's id, and a manifest whose every page and
file answers 200 and is of the same build."""
from __future__ import annotations

import re

from app.settings import Settings


def build_in(html: str) -> str:
    return re.search(r'<meta name="brewslm-build" content="([0-9a-f]{16})">', html).group(1)


def test_the_worker_carries_the_build_of_the_pages(client):
    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["cache-control"] == "no-cache"
    build = build_in(client.get("/").text)
    assert f'const BUILD = "{build}";' in worker.text and "__BUILD__" not in worker.text


def test_the_manifest_lists_every_page_and_file_and_each_is_there(client):
    manifest = client.get("/offline-manifest.json").json()
    pages, assets = manifest["pages"], manifest["assets"]
    assert {"/", "/glossary", "/offline", "/lessons/kd-teacher-capture", "/lessons/kd-loss",
            "/lessons/kd-quality-kept", "/demo/temperature"} <= set(pages)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert build_in(response.text) == manifest["build"], url
    static = Settings().static_dir
    every_file = {f"/static/{p.relative_to(static).as_posix()}" for p in static.rglob("*") if p.is_file() and p.name != "sw.js"}
    assert every_file <= set(assets)
    for url in assets:
        assert client.get(url).status_code == 200, url


def test_the_offline_page_lists_what_is_kept(client):
    page = client.get("/offline")
    assert page.status_code == 200
    assert "You are offline" in page.text and 'href="/lessons/kd-loss"' in page.text and 'href="/glossary"' in page.text


def test_what_outlives_a_build_by_its_address_says_its_build(client):
    """X-Build on the slider tables and on static files by their plain address (the worker keeps only its own
    build's); not on pages (their meta tag says it) nor on versioned files (their address is their content)."""
    build = build_in(client.get("/").text)
    table = client.post("/api/tables/temperature/T", json={"logits": [4.595, 0.0]})
    assert table.status_code == 200 and table.headers["x-build"] == build
    plain = client.get("/static/js/lib/tables.js")
    assert plain.status_code == 200 and plain.headers["x-build"] == build
    revalidated = client.get("/static/js/lib/tables.js", headers={"If-None-Match": plain.headers["etag"]})
    assert revalidated.status_code == 304 and revalidated.headers["x-build"] == build
    versioned = re.search(r'src="(/static/js/app\.js\?v=[0-9a-f]+)"', client.get("/").text).group(1)
    assert "x-build" not in client.get(versioned).headers
    assert "x-build" not in client.get("/lessons/kd-loss").headers
    assert "x-build" not in client.post("/api/kd/soften", json={"logits": [1.0, 0.0], "temperatures": [1.0]}).headers
