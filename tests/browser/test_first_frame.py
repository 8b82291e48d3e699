"""Fast charts before Plotly.js: each explorer's charts are drawn as an SVG first frame
(static/js/lib/first-frame.js) that shows the server's numbers and follows the sliders with Plotly never
fetched, and Plotly, once the reader reaches for a chart, draws the same ticks and the same numbers."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import hand_to_plotly, refuse_plotly

# Each explorer's demo page and how many fast charts it draws.
DEMOS = {"temperature": 1, "t-squared": 1, "alpha": 2, "reduction": 1, "kl-direction": 2}


@pytest.mark.parametrize("name", DEMOS)
def test_a_demo_is_drawn_and_driven_with_plotly_never_fetched(page, name):
    asked = refuse_plotly(page)
    page.goto(f"/demo/{name}")
    frames = page.locator(".chart[data-traces=first-frame] > svg.first-frame")
    expect(frames).to_have_count(DEMOS[name])
    chart = page.locator(".chart[data-traces=first-frame]").first
    drawn, picture = chart.get_attribute("data-drawn"), frames.first.inner_html()
    assert drawn and frames.first.locator("text.ff-ytick").count() >= 2
    page.locator(".widget input[type=range]").first.focus()
    for _ in range(8):
        page.keyboard.press("ArrowRight")
    expect(chart).not_to_have_attribute("data-drawn", drawn)     # the move drawn, and the frame redrawn with it
    assert frames.first.inner_html() != picture
    assert asked == [] and page.evaluate("typeof window.Plotly") == "undefined"


def api(page, path: str, body: dict) -> dict:
    r = page.request.post(path, data=json.dumps(body), headers={"content-type": "application/json"})
    assert r.ok, r.text()
    return r.json()


# The T = 1 bars' heights as fractions of the y axis, read from the drawn picture: each bar's pixel height
# against the distance between the "0%" and "100%" tick labels.
BAR_FRACTIONS = """([chart, bars, ticks]) => {
  const centre = (el) => { const r = el.getBoundingClientRect(); return r.top + r.height / 2; };
  const tick = (text) => centre([...chart.querySelectorAll(ticks)].find((t) => t.textContent === text));
  const [zero, one] = [tick('0%'), tick('100%')];
  return [...chart.querySelectorAll(bars)].map((b) => b.getBoundingClientRect())
    .sort((a, b) => a.left - b.left).map((r) => r.height / (zero - one));
}"""


def test_the_first_frame_shows_the_numbers_that_plotly_then_draws(page):
    page.goto("/demo/temperature?preset=tokens&T=2")
    chart = page.locator("[data-role=chart]")
    expect(chart).to_have_attribute("data-drawn", "2.00")
    expect(chart).to_have_attribute("data-traces", "first-frame")
    answer = api(page, "/api/kd/soften", {"logits": [6.0, 4.9, 4.5, 4.2, 3.6, 3.1, 2.4, 1.0], "temperatures": [1, 2]})
    frame = page.evaluate(BAR_FRACTIONS, [chart.element_handle(), "svg.first-frame g.ff-trace rect", "svg.first-frame text.ff-ytick"])
    assert frame == pytest.approx(answer["probs"][0], abs=0.006)
    ticks = {axis: chart.locator(f"svg.first-frame text.ff-{axis}tick").all_text_contents() for axis in "xy"}
    hand_to_plotly(chart)
    expect(chart.locator("svg.first-frame")).to_have_count(0)
    drawn = page.evaluate(BAR_FRACTIONS, [chart.element_handle(), ".barlayer .trace.bars:first-child .point path", ".ytick text"])
    assert drawn == pytest.approx(frame, abs=0.006)
    assert {axis: chart.locator(f".{axis}tick text").all_text_contents() for axis in "xy"} == ticks


@pytest.mark.parametrize("name", ["t-squared", "alpha", "reduction", "kl-direction"])
def test_plotly_takes_over_with_the_first_frames_ticks(page, name):
    page.goto(f"/demo/{name}")
    charts = page.locator(".chart[data-traces]")
    expect(charts).to_have_count(DEMOS[name])
    expect(page.locator(".chart[data-traces=first-frame]")).to_have_count(DEMOS[name])
    before = [{axis: c.locator(f"svg.first-frame text.ff-{axis}tick").all_text_contents() for axis in "xy"}
              for c in charts.all()]
    hand_to_plotly(charts.first)
    for c, ticks in zip(charts.all(), before):
        expect(c).to_have_attribute("data-traces", "current")
        assert {axis: c.locator(f".{axis}tick text").all_text_contents() for axis in "xy"} == ticks


def test_a_pin_on_a_first_frame_brings_plotly_and_shows_the_pin(page):
    page.goto("/demo/temperature?T=2")
    chart = page.locator("[data-role=chart]")
    expect(chart).to_have_attribute("data-traces", "first-frame")
    page.keyboard.press("p")
    page.keyboard.press("ArrowRight")                # a pin shows once the live bars have moved on from it
    expect(chart).to_have_attribute("data-traces", "current")
    expect(chart.locator("svg.first-frame")).to_have_count(0)
    assert chart.evaluate("c => c.data.length") == 3 and "pinned" in chart.evaluate("c => c.data[2].name")


def test_a_hover_when_plotly_cannot_load_keeps_the_first_frame_without_an_error(page):
    """Hover labels are all Plotly adds to a fast chart: when it cannot load, the chart stays as it was
    drawn, nothing but the failed request itself is logged (no unhandled rejection), and the next hover
    tries again."""
    asked = refuse_plotly(page)
    page.goto("/demo/temperature")
    chart = page.locator(".chart[data-traces=first-frame]").first
    expect(chart.locator("svg.first-frame")).to_have_count(1)
    for tries in (1, 2):
        page.mouse.move(1, 1)
        chart.hover()
        for _ in range(50):                                   # asked fills as the route sees the request
            if len(asked) == tries:
                break
            page.wait_for_timeout(100)
        assert len(asked) == tries
        page.wait_for_timeout(300)                            # the rejection, if unhandled, is reported by now
    expect(chart.locator("svg.first-frame")).to_have_count(1)
    problems, page.watch.problems = page.watch.problems, []   # the aborted requests are expected, nothing else
    assert problems and all("Failed to load resource" in p for p in problems), problems
