"""Small steps the browser tests share."""
from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.browser.predictions import skip_predictions

PLOTLY = re.compile(r".*/vendor/plotly-basic-[\d.]+\.min\.js$")   # the bundle's URL (app/web/assets.py)


def draw_every_chart(page) -> None:
    """Bring every chart near the viewport in turn, as a reader scrolling down would (Plotly loads when the
    first one comes near), and wait until each is drawn. Predictions are skipped (a widget asking for one
    keeps its outputs hidden). A fresh server trains the tiny-LM teacher first."""
    skip_predictions(page)
    expect(page.locator("[aria-busy=true]")).to_have_count(0, timeout=120_000)
    charts = page.locator(".chart:not(.heat-grid-chart)")
    for i in range(charts.count()):
        charts.nth(i).scroll_into_view_if_needed()
        expect(charts.nth(i)).to_have_attribute("data-drawn", re.compile(".+"), timeout=120_000)


def hand_to_plotly(chart) -> None:
    """A fast chart shows its SVG first frame until the reader reaches for it (static/js/lib/fast-chart.js):
    bring the pointer over it, as a reader wanting a hover label does, and wait until Plotly has drawn it
    with its traces current."""
    chart.hover()
    expect(chart).to_have_attribute("data-traces", "current", timeout=30_000)


def trace_types(page) -> set[str]:
    return set(page.evaluate("[...document.querySelectorAll('.js-plotly-plot')].flatMap(c => c.data.map(t => t.type || 'scatter'))"))


def wait_until(page, expression: str, arg=None, timeout_s: float = 30) -> None:
    """Poll `expression` (a condition, or a function of `arg`; a promise is awaited) from here until it is
    true: the page's CSP forbids the eval that wait_for_function's in-page polling needs."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression, arg):
        assert time.monotonic() < deadline, f"still false after {timeout_s} s: {expression}"
        time.sleep(0.1)


def refuse_plotly(page) -> list[str]:
    """Abort any request for Plotly.js; the list fills with the URLs asked for."""
    asked: list[str] = []

    def refuse(route) -> None:
        asked.append(route.request.url)
        route.abort()

    page.route(PLOTLY, refuse)
    return asked
