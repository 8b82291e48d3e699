"""Real headless Chromium (Debian's) driven by Playwright against the live test server.

Every page a test opens is watched: a console error, an uncaught exception, a CSP violation or a
request to another host fails the test.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("BREWSLM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.path):
            item.add_marker(pytest.mark.browser)
    # Browser tests last: the session's Playwright keeps an event loop running on the main thread, and a
    # later test's asyncio.run() would find it ("cannot be called from a running event loop").
    items.sort(key=lambda item: "tests/browser" in str(item.path))


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not os.path.exists(CHROMIUM):
        message = (f"no Chromium at {CHROMIUM}: install Debian's `chromium` (apt-get install -y chromium) "
                   "or set BREWSLM_CHROMIUM")
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it, so its absence there is a real failure
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class PageWatch:
    def __init__(self) -> None:
        self.problems: list[str] = []


def open_watched_page(browser, base_url: str, **context_options):
    """A page in a context of its own (viewport, touch, colour scheme… as given; service workers off,
    requests to other hosts refused), whose console errors, uncaught exceptions and foreign requests
    are collected in `page.watch.problems`. Close it with `page.context.close()`."""
    # Service workers off: requests they serve would bypass the route guard below. test_offline turns them on.
    options = {"viewport": {"width": 1280, "height": 900}, "service_workers": "block", **context_options}
    context = browser.new_context(base_url=base_url, **options)
    watch = PageWatch()
    host = urlparse(base_url).netloc

    def guard(route) -> None:
        if urlparse(route.request.url).netloc not in (host, ""):
            watch.problems.append(f"request to another host: {route.request.url}")
            route.abort()
        else:
            route.continue_()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.on("console", lambda msg: msg.type == "error" and watch.problems.append(f"console error: {msg.text}"))
    pg.on("pageerror", lambda exc: watch.problems.append(f"uncaught: {exc}"))
    pg.watch = watch
    return pg


@contextmanager
def watched_page(browser, base_url: str, **context_options) -> Iterator:
    """open_watched_page as a `with` block: closed at its end, which fails on any problem it saw."""
    pg = open_watched_page(browser, base_url, **context_options)
    try:
        yield pg
    finally:
        pg.context.close()
    assert not pg.watch.problems, pg.watch.problems


@pytest.fixture()
def page(browser, base_url: str) -> Iterator:
    with watched_page(browser, base_url) as pg:
        yield pg


@pytest.fixture()
def new_page(browser, base_url: str):
    """Open more watched pages with their own context options: `with new_page(viewport=…, has_touch=True) as pg:`."""
    return lambda **options: watched_page(browser, base_url, **options)


@pytest.fixture()
def allow_console_errors(page) -> None:
    """For tests that provoke a failed request on purpose: forget the console errors it logs."""
    yield
    page.watch.problems[:] = [p for p in page.watch.problems if not p.startswith("console error")]
