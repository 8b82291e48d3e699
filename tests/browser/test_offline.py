"""Offline, in Chromium with the service worker on: after one visit on a connection that is not metered
every page reloads offline fully styled, demo links opened before keep their settings, explorers keep their last chart, and a new build
of the app replaces the old copy cleanly."""
from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from app.web import offline
from tests.browser.helpers import wait_until
from tests.browser.offline_helpers import server_of_its_own, sw_context, wait_for_course, wait_for_worker  # noqa: F401 (a fixture)
from tests.browser.predictions import skip_predictions

LESSONS = {"kd-teacher-capture": "Knowledge distillation I: the teacher and capturing its logits",
           "kd-loss": "Knowledge distillation II: the KD loss",
           "kd-quality-kept": "Knowledge distillation III: how much did the student keep?"}


def every_loaded_file_is_kept(page) -> list[str]:
    """The scripts and stylesheets this page loaded that the worker's copy lacks (none, we expect)."""
    return page.evaluate("""async () => {
        const urls = performance.getEntriesByType('resource').map(e => e.name)
          .filter(u => /^[/](static|vendor)[/]/.test(new URL(u).pathname));
        const missing = [];
        for (const u of urls) if (!(await caches.match(u, { ignoreVary: true }))) missing.push(u);
        return urls.length ? missing : ['no files loaded?']; }""")


def is_styled(page) -> bool:
    """The site's stylesheets applied: the header has its bottom rule and the body its font."""
    return page.evaluate("""() => {
        const header = getComputedStyle(document.querySelector('.site-header, .demo-bar'));
        const sheets = [...document.styleSheets].filter(s => s.href && s.href.includes('/static/css/'));
        return sheets.length >= 2 && sheets.every(s => s.cssRules.length > 0)
          && header.borderBottomStyle !== 'none' || header.backgroundColor !== 'rgba(0, 0, 0, 0)'; }""")


def test_after_one_visit_every_page_reloads_offline_styled(sw_context):
    page = sw_context.new_page()
    page.goto("/")          # one visit, no reload: the worker takes this page over and copies the whole course
    wait_for_worker(page)   # (the connection is not metered), which the overview's offline control shows
    expect(page.locator("[data-role=offline-course]")).to_have_attribute("data-state", "done", timeout=60_000)
    lesson = sw_context.new_page()
    lesson.goto("/lessons/kd-loss")
    skip_predictions(lesson)
    lesson.locator("[data-widget=temperature]").scroll_into_view_if_needed()   # Plotly loads when a chart is near
    expect(lesson.locator("[data-widget=temperature] [data-role=chart]")).to_have_attribute("data-drawn", re.compile("."))
    assert every_loaded_file_is_kept(lesson) == []       # the chart library too, whatever its address
    lesson.close()
    sw_context.set_offline(True)
    page.reload()
    expect(page.locator("h1")).to_have_text("Distillation: teaching a small model with a big one")
    assert is_styled(page)
    expect(page.locator('.lesson-card[data-slug="kd-loss"] .progress-text')).to_have_text("Not started")
    for slug, title in LESSONS.items():
        page.goto(f"/lessons/{slug}")
        expect(page.locator("h1")).to_have_text(title)
        assert is_styled(page), slug
        expect(page.locator(".quiz-question").first).to_be_visible()
    page.goto("/glossary")
    expect(page.locator("h1")).to_have_text("Glossary")
    assert is_styled(page)
    # An address never opened: the site's own offline page, styled, with what is kept here.
    page.goto("/demo/alpha?alpha=0.9")
    expect(page.locator("h1")).to_have_text("You are offline")
    assert is_styled(page)
    expect(page.get_by_role("link", name="Lesson 4.3: Knowledge distillation II: the KD loss")).to_be_visible()


def test_an_explorer_offline_keeps_its_last_chart_and_catches_up_when_back(sw_context):
    page = sw_context.new_page()
    page.goto("/lessons/kd-loss")
    wait_for_worker(page)
    wait_for_course(page)        # the background copy (the connection is not metered), the chart library with it
    skip_predictions(page)
    chart = page.locator("[data-widget=temperature] [data-role=chart]")
    chart.scroll_into_view_if_needed()
    expect(chart).to_have_attribute("data-drawn", re.compile("."))
    expect(chart).to_have_attribute("data-temperature", "1.00")
    sw_context.set_offline(True)
    expect(page.locator("#notices")).to_contain_text("You are offline")
    widget = page.locator("[data-widget=temperature]")
    number = widget.locator("[data-role=t-number]")
    number.fill("6")
    number.press("Enter")
    error = widget.locator("[data-role=error]")
    expect(error).to_contain_text("You are offline, so the server cannot be reached.")
    expect(error).to_contain_text("The chart keeps the last state it drew")
    expect(chart).to_have_attribute("data-temperature", "1.00")            # still the last drawn state
    expect(chart.locator(":is(svg.first-frame, .main-svg)").first).to_be_visible()
    sw_context.set_offline(False)
    expect(chart).to_have_attribute("data-temperature", "6.00")            # asked again by itself
    expect(error).to_be_hidden()
    expect(page.locator("#notices")).not_to_contain_text("You are offline")

    # Reloaded offline: an explorer whose slider table the worker kept draws from it (tests/browser/
    # test_offline_tables.py drags it); one whose answers came only from the server says plainly that the
    # numbers need the server.
    sw_context.set_offline(True)
    page.reload()
    expect(page.locator("h1")).to_have_text(LESSONS["kd-loss"])
    expect(chart).to_have_attribute("data-temperature", "1.00")
    expect(widget.locator("[data-role=error]")).to_be_hidden()
    t_squared_error = page.locator("[data-widget=t-squared] [data-role=error]")
    expect(t_squared_error).to_be_visible()
    expect(t_squared_error).to_contain_text("You are offline")


def test_demo_links_with_settings_work_offline_when_opened_before(sw_context):
    page = sw_context.new_page()
    page.goto("/demo/alpha?alpha=0.3")      # the very first visit: opened before the worker existed
    wait_for_worker(page)
    wait_for_course(page)
    expect(page.locator("[data-widget=alpha] [data-role=alpha-number]")).to_have_value("0.30")
    # Opened while the worker looks after the site: kept as it is fetched.
    page.goto("/demo/temperature?T=7")
    expect(page.locator("[data-widget=temperature] [data-role=t-number]")).to_have_value("7.00")
    wait_until(page, """async () => { const keys = await (await caches.open((await caches.keys())[0])).keys();
        return ['/demo/alpha?alpha=0.3', '/demo/temperature?T=7'].every(u => keys.some(k => k.url.endsWith(u))); }""")
    sw_context.set_offline(True)
    for url, role, value in [("/demo/alpha?alpha=0.3", "alpha-number", "0.30"), ("/demo/temperature?T=7", "t-number", "7.00")]:
        page.goto(url)
        expect(page.locator(f"[data-role={role}]")).to_have_value(value)
        assert is_styled(page), url


@pytest.fixture()
def own_server(tmp_path, cache_dir) -> Iterator:
    """A server of its own, over a copy of static/ this test may change, as a new release would."""
    with server_of_its_own(tmp_path, cache_dir) as (app, settings, url, _):
        yield app, settings, url


def release(app, settings) -> str:
    """What a restart after a change does: a new build id for the pages and the worker."""
    app.state.build_id = offline.build_id(settings)
    app.state.templates.env.globals["build_id"] = app.state.build_id
    return app.state.build_id


MARKER = "() => getComputedStyle(document.body).getPropertyValue('--release').trim()"


def build_of(page) -> str:
    return page.locator('meta[name="brewslm-build"]').get_attribute("content")


def test_a_new_release_replaces_the_copy_cleanly(browser, own_server):
    app, settings, url = own_server
    context = browser.new_context(base_url=url, service_workers="allow")
    try:
        page = context.new_page()
        page.goto("/")
        wait_for_worker(page)
        wait_for_course(page)                       # so the new build copies the whole course as it installs
        other_tab = context.new_page()
        other_tab.goto("/glossary")
        old_build = app.state.build_id
        assert page.evaluate(MARKER) == ""

        with (settings.static_dir / "css" / "shell.css").open("a", encoding="utf-8") as css:
            css.write('\nbody { --release: "two"; }\n')
        new_build = release(app, settings)
        assert new_build != old_build

        page.reload()                               # online: the new release at once
        assert build_of(page) == new_build and page.evaluate(MARKER) == '"two"'
        # The new worker copies the new release beside the old copy, and waits: the other tab is old.
        wait_until(page, f"""async () => (await caches.keys()).includes('brewslm-learn-{new_build}')
            && (await navigator.serviceWorker.getRegistration()).waiting !== null""", timeout_s=60)

        context.set_offline(True)
        page.reload()                               # offline while an old page is open: all old, from the old copy
        assert build_of(page) == old_build and page.evaluate(MARKER) == ""

        context.set_offline(False)
        other_tab.close()
        page.reload()                               # every open page is new now: the new worker takes over
        wait_until(page, f"""async () => (await caches.keys()).join() === 'brewslm-learn-{new_build}'
            && (await navigator.serviceWorker.getRegistration()).waiting === null""", timeout_s=60)
        context.set_offline(True)
        page.reload()                               # offline: all new
        assert build_of(page) == new_build and page.evaluate(MARKER) == '"two"'
        page.goto("/lessons/kd-loss")
        assert build_of(page) == new_build and is_styled(page)
    finally:
        context.close()
