"""The live lab before Plotly.js: its empty charts are SVG first frames (static/js/lib/first-frame.js) that
say what Plotly's empty charts say, where they say it; Plotly is fetched only when a run is started (or the
reader reaches for Start), and a run started before it has loaded still has every step drawn."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PLOTLY, refuse_plotly
from tests.sse_client import follow

LAB = "[data-widget=live-run]"
NOTE = "svg.first-frame text.ff-annotation"
CHARTS = {"loss-chart": "loss curves", "acc-chart": "accuracy curves"}

# The centre, type size and colour of a chart's note (the first frame's, or Plotly's annotation).
NOTE_LOOK = """(chart, selector) => {
  const text = chart.querySelector(selector);
  const box = text.getBoundingClientRect();
  const style = getComputedStyle(text);
  return { x: box.left + box.width / 2, y: box.top + box.height / 2, size: parseFloat(style.fontSize), fill: style.fill };
}"""


def note_lines(chart) -> list[str]:
    return chart.locator(f"{NOTE} tspan").all_text_contents()


@pytest.mark.parametrize("path", ["/demo/live-run", "/lessons/kd-loss"])
def test_the_empty_lab_is_drawn_with_plotly_never_fetched(page, path):
    asked = refuse_plotly(page)
    page.goto(path)
    lab = page.locator(LAB)
    lab.scroll_into_view_if_needed()
    for role, what in CHARTS.items():
        chart = lab.locator(f"[data-role={role}]")
        expect(chart).to_have_attribute("data-drawn", "0")
        expect(chart.locator(NOTE)).to_have_count(1)
        assert note_lines(chart) == ["Press Start:", f"the {what}", "appear here."]
        # Plotly's empty lab chart hides its axes (no ticks, no titles): so does the frame.
        assert chart.locator("svg.first-frame text").count() == 1
    page.wait_for_load_state("networkidle")
    assert asked == [] and page.evaluate("typeof window.Plotly") == "undefined"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_plotly_takes_the_empty_charts_over_where_their_frames_drew_them(new_page, scheme):
    with new_page(color_scheme=scheme) as page:
        requested: list[str] = []
        page.on("request", lambda r: PLOTLY.match(r.url) and requested.append(r.url))
        page.goto("/demo/live-run")
        lab = page.locator(LAB)
        charts = [lab.locator(f"[data-role={role}]") for role in CHARTS]
        for chart in charts:
            expect(chart.locator(NOTE)).to_have_count(1)
        frames = [chart.evaluate(NOTE_LOOK, NOTE) for chart in charts]
        assert requested == []
        lab.locator("[data-role=start]").hover()       # the reader reaching for Start: Plotly starts loading
        for chart, frame in zip(charts, frames):
            expect(chart.locator(".annotation-text")).to_have_count(1, timeout=30_000)
            expect(chart.locator("svg.first-frame")).to_have_count(0)
            drawn = chart.evaluate(NOTE_LOOK, ".annotation-text")
            assert drawn["size"] == frame["size"] and drawn["fill"] == frame["fill"], (drawn, frame)
            assert drawn["x"] == pytest.approx(frame["x"], abs=2) and drawn["y"] == pytest.approx(frame["y"], abs=3)
            assert chart.locator(".xtick, .ytick, .g-xtitle text, .g-ytitle text").count() == 0
        assert len(requested) == 1 and lab.get_attribute("data-state") == "idle"


def test_a_run_started_before_plotly_has_loaded_has_every_step_drawn(page, client):
    held = []   # the request for Plotly, answered only once the whole run has streamed in
    page.route(PLOTLY, lambda route: held.append(route))
    page.goto("/demo/live-run?steps=120&student_hidden=16")
    lab = page.locator(LAB)
    loss = lab.locator("[data-role=loss-chart]")
    expect(loss).to_have_attribute("data-drawn", "0")
    lab.get_by_role("button", name="Start", exact=True).click()
    expect(lab).to_have_attribute("data-state", "finished", timeout=60_000)
    assert len(held) == 1                              # asked for when the run started, not before
    assert note_lines(loss) == ["Loading the chart", "for the loss curves…"]
    held[0].continue_()
    expect(loss.locator("svg.first-frame")).to_have_count(0)
    expect(loss).to_have_attribute("data-drawn", "1")
    run_id = lab.evaluate("(lab) => lab.explorer.own[0].live.id")
    steps = [e.data["step"] for e in follow(client, f"/api/runs/{run_id}/events") if e.event == "step"]
    assert len(steps) >= 10
    expect(loss).to_have_attribute("data-points", str(len(steps)))
    # Every curve of both charts has every step the server sent, in order.
    for role, curves in [("loss-chart", 3), ("acc-chart", 2)]:
        assert lab.locator(f"[data-role={role}]").evaluate("(c) => c.data.map((t) => t.x)") == [steps] * curves


def test_when_plotly_fails_to_load_the_lab_says_so_and_the_next_run_draws_both(page, allow_console_errors):
    refused: list[str] = []

    def refuse_once(route) -> None:   # a dropped connection, the first time only
        if refused:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route(PLOTLY, refuse_once)
    page.goto("/demo/live-run?steps=60&student_hidden=16")
    lab = page.locator(LAB)
    loss = lab.locator("[data-role=loss-chart]")
    lab.get_by_role("button", name="Start", exact=True).click()
    expect(lab.locator("[data-role=error]")).to_contain_text("Plotly.js did not load")
    expect(loss.locator(NOTE)).to_contain_text("could not be drawn")
    expect(lab).to_have_attribute("data-state", "finished", timeout=60_000)
    lab.get_by_role("button", name="Start", exact=True).click()     # tries Plotly again
    expect(loss).to_have_attribute("data-drawn", "2", timeout=30_000)
    expect(lab).to_have_attribute("data-state", "finished", timeout=60_000)
    expect(lab.locator("[data-role=error]")).to_be_hidden()
    records = lab.evaluate("(lab) => lab.explorer.own.map((run) => run.records.length)")
    assert len(refused) == 1 and records[0] > 0
    expect(loss).to_have_attribute("data-points", str(sum(records)))


def test_the_empty_charts_follow_the_theme_toggle_without_plotly(page):
    page.goto("/lessons/kd-loss")
    note = page.locator(f"{LAB} [data-role=loss-chart] {NOTE}")
    note.scroll_into_view_if_needed()
    light = note.evaluate("(text) => getComputedStyle(text).fill")
    page.get_by_role("button", name="Dark theme").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(note).not_to_have_css("fill", light)       # the frame redrawn in the dark theme's ink
    assert page.evaluate("typeof window.Plotly") == "undefined"
