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
