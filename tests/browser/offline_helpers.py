"""Contexts with the offline service worker on (static/sw.js), and a connection that says it is metered."""
from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from app.main import create_app
from app.settings import Settings
from tests.browser.helpers import wait_until
from tests.live_server import serve

# navigator.connection as a phone on mobile data reports it (the Network Information API), before any of the
# page's code runs: the page then leaves the whole course to the reader's "Save the course for offline use".
METERED_CONNECTION = """Object.defineProperty(Navigator.prototype, "connection", { configurable: true,
    get: () => ({ type: "cellular", effectiveType: "4g", saveData: false, downlink: 10, rtt: 50,
                  addEventListener() {}, removeEventListener() {} }) });"""


def watched_context(browser, base_url: str, problems: list[str], *, metered: bool = False):
    """A context with service workers on. A request to another host, an uncaught error or a console error is
    added to `problems`, except the failed API calls that being offline means."""
    context = browser.new_context(base_url=base_url, service_workers="allow")
    if metered:
        context.add_init_script(METERED_CONNECTION)
    context.on("request", lambda r: urlparse(r.url).netloc not in (urlparse(base_url).netloc, "")
               and problems.append(f"request to another host: {r.url}"))

    def watch(page) -> None:
        page.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))
        page.on("console", lambda msg: msg.type == "error" and "/api/" not in msg.location.get("url", "")
                and problems.append(f"console error: {msg.text} at {msg.location.get('url')}"))

    context.on("page", watch)
    return context


@pytest.fixture()
def sw_context(browser, base_url) -> Iterator:
    """A watched context with service workers on; any problem it saw fails the test."""
    problems: list[str] = []
    context = watched_context(browser, base_url, problems)
    yield context
    context.close()
    assert not problems, problems


def wait_for_worker(page) -> None:
    """Until the worker is active and looks after this page (it claims the page once it is active)."""
    page.evaluate("() => navigator.serviceWorker.ready")
    wait_until(page, "() => navigator.serviceWorker.controller !== null")


def kept_addresses(page) -> list[str]:
    """Path + query of everything in the worker's copy (all builds' caches)."""
    return page.evaluate("""async () => {
        const out = [];
        for (const name of await caches.keys()) {
          for (const request of await (await caches.open(name)).keys()) {
            const url = new URL(request.url); out.push(url.pathname + url.search);
          }
        }
        return out; }""")


def wait_for_course(page, timeout_s: float = 60) -> None:
    """Until the worker of this page's build holds the whole course (on a connection that is not metered it
    copies it in the background once it looks after a page)."""
    wait_until(page, """async () => {
        const worker = (await navigator.serviceWorker.getRegistration()).active;
        const status = await new Promise((resolve) => {
          const channel = new MessageChannel();
          channel.port1.onmessage = (event) => resolve(event.data);
          worker.postMessage({ type: 'course-status' }, [channel.port2]);
        });
        return status.state === 'done'; }""", timeout_s=timeout_s)


@contextmanager
def server_of_its_own(tmp_path: Path, cache_dir, wrap: Callable = lambda app: app) -> Iterator:
    """A server over a copy of static/ that a test may change, as a new release would: (app, settings, url,
    what is served). `wrap` puts ASGI middleware around the app (e.g. one that counts requests)."""
    static = tmp_path / "static"
    shutil.copytree(Settings().static_dir, static)
    settings = Settings(cache_dir=cache_dir, static_dir=static)
    app = create_app(settings)
    served = wrap(app)
    with serve(served) as url:
        yield app, settings, url, served

