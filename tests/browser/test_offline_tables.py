"""Slider tables on a repeat visit, in Chromium with the service worker on: the worker keeps each table its
build's pages were answered (POST /api/tables/*, kept under its address and a hash of the request), so a
repeat visit to lesson 4.3 asks the server for none; a page of a new build never gets an old build's table;
and offline, an explorer whose tables are kept still drags."""
from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from app.web import offline
from tests.browser.helpers import draw_every_chart, wait_until
from tests.browser.offline_helpers import kept_addresses, server_of_its_own, sw_context, wait_for_worker, watched_context  # noqa: F401


class TableRequests:
    """The app, noting every table request that reaches the server: (path, body)."""

    def __init__(self, app) -> None:
        self.app = app
        self.seen: list[tuple[str, bytes]] = []

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/tables/"):
            await self.app(scope, receive, send)
            return
        body: list[bytes] = []

        async def reading():
            message = await receive()
            body.append(message.get("body", b""))
            return message

        await self.app(scope, reading, send)
        self.seen.append((scope["path"], b"".join(body)))


@pytest.fixture()
def counted_server(tmp_path, cache_dir) -> Iterator:
    """A server of its own over a copy of static/ (a test may release a new build), counting table requests."""
    with server_of_its_own(tmp_path, cache_dir, wrap=TableRequests) as server:
        yield server


def kept_tables(page) -> list[dict]:
    """The tables in the worker's copies: their key and the build their answer says it is of."""
    return page.evaluate("""async () => { const out = [];
        for (const name of await caches.keys()) for (const request of await (await caches.open(name)).keys()) {
          if (!new URL(request.url).pathname.startsWith('/api/tables/')) continue;
          out.push({ cache: name, key: request.url, build: (await caches.match(request)).headers.get('X-Build') }); }
        return out; }""")


def read_lesson(context, path: str = "/lessons/kd-loss"):
    page = context.new_page()
    page.goto(path)
    draw_every_chart(page)
    page.wait_for_load_state("networkidle")
    return page


def test_a_repeat_visit_to_lesson_4_3_asks_for_no_table(browser, counted_server):
    app, settings, url, counted = counted_server
    problems: list[str] = []
    context = watched_context(browser, url, problems)
    try:
        first = read_lesson(context)                 # before the worker existed: the page hands it its tables
        wait_for_worker(first)
        distinct = set(counted.seen)
        assert distinct                              # the lesson's explorers asked for their tables
        deadline = time.monotonic() + 30
        while len(kept_tables(first)) < len(distinct):
            assert time.monotonic() < deadline, (kept_tables(first), distinct)
            time.sleep(0.1)
        first.close()
        before = len(counted.seen)
        again = read_lesson(context)
        expect(again.locator("[data-widget=temperature] [data-role=chart]")).to_have_attribute("data-drawn", re.compile("."))
        assert counted.seen[before:] == []
        # A drag on the repeat visit is drawn from the kept table too.
        again.locator("[data-widget=temperature] [data-role=t-slider]").press("End")
        expect(again.locator("[data-widget=temperature] [data-role=chart]")).not_to_have_attribute("data-temperature", "1.00")
        assert counted.seen[before:] == []
    finally:
        context.close()
    assert not problems, problems


def release(app, settings) -> str:
    """What a restart after a change does: a new build id for the pages, the worker and the tables."""
    with (settings.static_dir / "css" / "shell.css").open("a", encoding="utf-8") as css:
        css.write('\nbody { --release: "two"; }\n')
    app.state.build_id = offline.build_id(settings)
    app.state.templates.env.globals["build_id"] = app.state.build_id
    return app.state.build_id


def test_a_new_build_never_gets_the_old_builds_tables(browser, counted_server):
    app, settings, url, counted = counted_server
    problems: list[str] = []
    context = watched_context(browser, url, problems)
    try:
        page = read_lesson(context)
        wait_for_worker(page)
        old_build = app.state.build_id
        wait_until(page, "async () => (await caches.keys()).length === 1")
        page.reload()                                # now through the worker: every table is kept
        draw_every_chart(page)
        page.wait_for_load_state("networkidle")
        asked = set(counted.seen)
        other_tab = context.new_page()               # an open page of the old build keeps the old worker in charge
        other_tab.goto("/glossary")

        new_build = release(app, settings)
        before = len(counted.seen)
        page.reload()                                # a page of the new build, under the old build's worker
        assert page.locator('meta[name="brewslm-build"]').get_attribute("content") == new_build
        draw_every_chart(page)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("navigator.serviceWorker.controller !== null")
        again = set(counted.seen[before:])
        assert again and again <= asked              # the same requests, answered by the server, not the old copy
        tables = kept_tables(page)                   # and the new build's answers were not kept in the old copy
        assert tables and {t["build"] for t in tables} == {old_build}, tables

        other_tab.close()
        page.reload()                                # every open page is new: the new worker takes over
        wait_until(page, f"async () => (await caches.keys()).join() === 'brewslm-learn-{new_build}'", timeout_s=60)
        assert kept_tables(page) == []               # the old tables went with the old copy
        before = len(counted.seen)
        page.reload()
        draw_every_chart(page)
        page.wait_for_load_state("networkidle")
        assert set(counted.seen[before:]) == asked   # asked again, of the new build, and kept as such
        wait_until(page, f"async () => (await caches.keys()).join() === 'brewslm-learn-{new_build}'")
        assert {t["build"] for t in kept_tables(page)} == {new_build}
    finally:
        context.close()
    assert not problems, problems


def test_offline_an_explorer_with_kept_tables_still_drags(sw_context):
    page = read_lesson(sw_context)
    wait_for_worker(page)
    wait_until(page, """async () => { for (const name of await caches.keys())
        for (const r of await (await caches.open(name)).keys()) if (new URL(r.url).pathname === '/api/tables/temperature/T') return true;
        return false; }""")
    sw_context.set_offline(True)
    page.reload()
    widget = page.locator("[data-widget=temperature]")
    chart = widget.locator("[data-role=chart]")
    widget.scroll_into_view_if_needed()
    expect(chart).to_have_attribute("data-temperature", "1.00")
    widget.locator("[data-role=t-slider]").press("End")                 # the slider's last T, from the kept table
    expect(chart).not_to_have_attribute("data-temperature", "1.00")
    expect(widget.locator("[data-role=error]")).to_be_hidden()
    number = widget.locator("[data-role=t-number]")
    number.fill("6.123")                         # a T the slider cannot reach needs the server
    number.press("Enter")
    expect(widget.locator("[data-role=error]")).to_contain_text("You are offline")
