"""The whole course for offline use, in Chromium with the service worker on and the connection reported as
metered (navigator.connection: cellular): nothing beyond the page is copied unasked; "Save the course for
offline use", pressed from the keyboard, copies it with progress to done, which a reload still shows; a copy
that fails says why and tries again."""
from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import wait_until
from tests.browser.offline_helpers import kept_addresses, wait_for_worker, watched_context

# Every text the control's file count shows, as the page shows it (a copy on this machine takes a second).
RECORD_COUNTS = """() => {
    window.courseCounts = [];
    const count = document.querySelector('[data-role="course-count"]');
    new MutationObserver(() => window.courseCounts.push(count.textContent)).observe(count, { childList: true, characterData: true, subtree: true });
}"""


@pytest.fixture()
def metered(browser, base_url) -> Iterator:
    problems: list[str] = []
    context = watched_context(browser, base_url, problems, metered=True)
    asked: list[str] = []           # every address the pages and the worker asked the server for
    context.on("request", lambda r: asked.append(urlparse(r.url).path))
    yield context, asked
    context.close()
    assert not problems, problems


def open_overview(context):
    page = context.new_page()
    page.goto("/")
    wait_for_worker(page)
    wait_until(page, "async () => !!(await caches.match('/'))")      # the first visit's page, kept
    return page, page.locator("[data-role=offline-course]")


def test_on_a_metered_connection_the_course_is_copied_only_on_request(metered):
    context, asked = metered
    page, control = open_overview(context)
    expect(control).to_have_attribute("data-state", "none")
    expect(control).to_contain_text("On a metered or slow connection the course is not copied by itself.")
    page.wait_for_timeout(1500)                  # time for a background copy to start, if one were wrong enough to
    page.wait_for_load_state("networkidle")
    assert [path for path in asked if path.startswith(("/lessons/", "/demo/"))] == []
    kept = kept_addresses(page)
    assert "/" in kept and "/offline" in kept and "/lessons/kd-loss" not in kept
    offline_page = context.new_page()            # the offline page says which of its links this device lacks
    offline_page.goto("/offline")
    expect(offline_page.locator('.offline-list li:has(a[href="/lessons/kd-loss"])')).to_contain_text("(not saved on this device)")
    expect(offline_page.locator('.offline-list li:has(a[href="/"])')).not_to_contain_text("not saved")
    offline_page.close()

    page.evaluate(RECORD_COUNTS)
    button = page.get_by_role("button", name="Save the course for offline use")
    button.focus()
    page.keyboard.press("Enter")
    expect(control).to_have_attribute("data-state", "done", timeout=60_000)
    expect(control.get_by_role("status")).to_have_text(
        "Saved: every lesson, demo and the glossary open on this device without a connection.")
    expect(button).to_be_hidden()
    counts = [tuple(map(int, m.groups())) for text in page.evaluate("window.courseCounts")
              if (m := re.fullmatch(r"(\d+) of (\d+) files", text))]
    assert len(counts) >= 2, page.evaluate("window.courseCounts")
    manifest = page.evaluate("fetch('/offline-manifest.json').then(r => r.json())")
    total = counts[-1][1]
    assert {t for _, t in counts} == {total} and total >= len(manifest["pages"]) + len(manifest["assets"])
    assert [d for d, _ in counts] == sorted(d for d, _ in counts) and counts[-1][0] == total
    assert all(address in kept_addresses(page) for address in manifest["pages"] + manifest["assets"])

    page.reload()                                # the worker knows what it has
    expect(control).to_have_attribute("data-state", "done")
    context.set_offline(True)
    page.goto("/lessons/kd-quality-kept")        # never opened, kept by the copy
    expect(page.locator("h1")).to_have_text("Knowledge distillation III: how much did the student keep?")


def test_a_copy_that_fails_says_why_and_tries_again(metered):
    context, _ = metered
    page, control = open_overview(context)
    blocked = "**/static/js/widgets/alpha.js*"   # a file of the course the overview does not load
    context.route(blocked, lambda route: route.abort())
    page.get_by_role("button", name="Save the course for offline use").click()
    expect(control).to_have_attribute("data-state", "failed", timeout=60_000)
    status = control.get_by_role("status")
    expect(status).to_contain_text("The copy stopped: the server could not be reached.")
    expect(status).to_contain_text(re.compile(r"\d+ of \d+ files are saved; “Try again” fetches the rest\."))
    context.unroute(blocked)
    retry = page.get_by_role("button", name="Try again")
    retry.focus()
    page.keyboard.press("Enter")
    expect(control).to_have_attribute("data-state", "done", timeout=60_000)
    assert "/static/js/widgets/alpha.js" in kept_addresses(page)
