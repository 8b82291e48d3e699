"""The Plotly.js basic bundle in Chromium: it has every trace type the widgets draw, and a lesson fetches it
only when its first chart comes near the viewport."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from app.web.assets import PLOTLY_URL
from tests.browser.helpers import draw_every_chart, hand_to_plotly, trace_types
from tests.browser.predictions import skip_predictions

CHART_PAGES = ["/lessons/kd-teacher-capture", "/lessons/kd-loss", "/lessons/kd-quality-kept", "/demo/live-run"]


def test_the_bundle_has_every_trace_type_the_widgets_draw(page):
    used: set[str] = set()
    for path in CHART_PAGES:
        page.goto(path)
        draw_every_chart(page)
        used |= trace_types(page)
        if path == "/demo/live-run":   # the lab's curves appear once a run has steps
            page.get_by_label("Steps").fill("30")
            page.get_by_role("button", name="Start", exact=True).click()   # not "Start a class"
            expect(page.locator("[data-widget]")).to_have_attribute("data-state", "finished", timeout=60_000)
            used |= trace_types(page)
        registered = set(page.evaluate("Object.keys(Plotly.PlotSchema.get().traces)"))
        assert page.evaluate("Plotly.version") == re.search(r"plotly-basic-([\d.]+)\.min\.js", PLOTLY_URL).group(1)
    assert used == {"bar", "scatter"}
    assert used <= registered and "heatmap" not in registered     # the basic bundle, not the full one


def test_a_lesson_fetches_plotly_only_when_a_chart_comes_near(new_page):
    with new_page(viewport={"width": 1280, "height": 720}) as page:
        requested: list[str] = []
        page.on("request", lambda r: PLOTLY_URL in r.url and requested.append(r.url))
        page.goto("/lessons/kd-loss")
        page.wait_for_load_state("networkidle")
        first_chart = page.locator(".chart").first
        assert first_chart.evaluate("c => c.getBoundingClientRect().top") > 2 * 720   # well below the fold
        assert requested == [] and page.evaluate("typeof window.Plotly") == "undefined"
        skip_predictions(page)   # (a widget asking for a prediction hides its chart; the clicks pass every chart)
        first_chart.scroll_into_view_if_needed()
        expect(first_chart).to_have_attribute("data-drawn", re.compile(".+"))
        # An explorer's chart is drawn as its SVG first frame (static/js/lib/first-frame.js): Plotly is
        # fetched, once, when the reader reaches for the chart.
        expect(first_chart).to_have_attribute("data-traces", "first-frame")
        assert requested == []
        hand_to_plotly(first_chart)
        assert len(requested) == 1
    with new_page() as page:                                     # pages without charts never fetch it
        requested = []
        page.on("request", lambda r: "/vendor/" in r.url and requested.append(r.url))
        for path in ["/", "/glossary"]:
            page.goto(path)
            page.wait_for_load_state("networkidle")
        assert requested == []
