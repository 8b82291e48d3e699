"""Phones (360×740 and 390×844, touch) in Chromium: nothing scrolls sideways, a swipe over a chart scrolls
the page and never zooms it, no toolbar covers a label, and help text does not talk about keys."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PLOTLY, draw_every_chart, hand_to_plotly, wait_until
from tests.browser.predictions import skip_predictions

PAGES = ["/", "/glossary", "/lessons/kd-teacher-capture", "/lessons/kd-loss", "/lessons/kd-quality-kept",
         "/demo/temperature", "/demo/alpha", "/demo/t-squared", "/demo/reduction", "/demo/kl-direction", "/demo/live-run",
         "/join", "/offline", "/docs"]
PHONES = {"360x740": {"width": 360, "height": 740}, "390x844": {"width": 390, "height": 844}}


def phone(new_page, size="360x740"):
    return new_page(viewport=PHONES[size], has_touch=True, is_mobile=True, device_scale_factor=2)


def sideways(page) -> list[str]:
    """What pokes out of the page's right edge at this width (outside any box that scrolls by itself)."""
    return page.evaluate("""() => {
        const w = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll('body *')].filter((el) => {
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.right <= w + 0.5) return false;
            // inside a box that scrolls by itself (a wide table, a code block): that box scrolls, not the page
            for (let p = el.parentElement; p; p = p.parentElement) {
                const o = getComputedStyle(p).overflowX;
                if ((o === 'auto' || o === 'scroll' || o === 'hidden') && p.getBoundingClientRect().right <= w + 0.5) return false;
            }
            return true;
        }).slice(0, 5).map((el) => `${el.tagName}.${el.className} right=${el.getBoundingClientRect().right}`);
        if (document.documentElement.scrollWidth > w) wide.push(`page ${document.documentElement.scrollWidth} px wide`);
        window.scrollTo(10000, window.scrollY);
        if (window.scrollX !== 0) wide.push(`scrolled sideways by ${window.scrollX} px`);
        return wide;
    }""")


@pytest.mark.parametrize("path", PAGES)
def test_no_page_scrolls_sideways_at_360px(new_page, path):
    with phone(new_page) as page:
        page.goto(path)
        expect(page.locator("body")).to_be_visible()
        assert sideways(page) == []                       # as it opens (a lesson's predictions still asked)
        draw_every_chart(page)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")  # tables too
        assert sideways(page) == []


@pytest.mark.parametrize("demo", ["temperature", "alpha", "t-squared", "reduction", "kl-direction", "live-run"])
def test_demo_pages_on_a_phone_have_no_text_under_12px(new_page, demo):
    with phone(new_page) as page:
        page.goto(f"/demo/{demo}")
        expect(page.locator("body")).to_have_attribute("data-demo-ready", "true")
        small = page.evaluate("""[...document.querySelectorAll('body *')].filter((el) =>
            [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) && el.getClientRects().length &&
            !el.closest('.visually-hidden, dialog:not([open])') && parseFloat(getComputedStyle(el).fontSize) < 12)
            .slice(0, 5).map((el) => `${el.className || el.tagName}: ${getComputedStyle(el).fontSize}`)""")
        assert small == []


def test_a_class_followed_on_a_phone_never_scrolls_sideways(browser, base_url):
    from tests.browser.test_classroom import PHONE, Room

    room, small_phone = Room(browser, base_url), {**PHONE, "viewport": PHONES["360x740"]}
    try:
        lead, code = room.instructor()
        lead.select_option('[data-role="class-question"]', "kd-loss.runner-up-20")
        lead.click('[data-class-action="ask"]')
        learner = room.follower(code, **small_phone)
        expect(learner.locator('[data-role="answer-send"]')).to_be_visible()
        assert sideways(learner) == []
        lead.click('[data-class-action="reveal"]')
        expect(learner.locator('[data-role="class-answer"]')).to_be_visible()
        assert sideways(learner) == []
        assert sideways(room.open("/join", **small_phone)) == []
    finally:
        problems = room.close()
    assert not problems, problems


def swipe_up(page, box, distance=250) -> None:
    """A real touch drag (Chromium's input pipeline, as a finger would): down to up over `box`."""
    cdp = page.context.new_cdp_session(page)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.75
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for i in range(1, 11):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y - distance * i / 10}]})
        time.sleep(0.016)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


@pytest.mark.parametrize("size", PHONES)
@pytest.mark.parametrize("path, chart", [("/demo/temperature", "[data-role=chart]"),
                                         ("/lessons/kd-loss", "#alpha-1 [data-role=pull-chart]")])
def test_a_swipe_over_a_chart_scrolls_the_page_and_leaves_its_axes(new_page, size, path, chart):
    with phone(new_page, size) as page:
        page.goto(path)
        target = page.locator(chart)
        target.scroll_into_view_if_needed()
        expect(target).to_have_attribute("data-drawn", re.compile(".+"))
        # Its SVG first frame lets a swipe through to the page as well
        scrolled = page.evaluate("window.scrollY")
        swipe_up(page, target.bounding_box())
        page.wait_for_function("(y) => window.scrollY > y + 100", arg=scrolled)
        page.evaluate("window.scrollTo(0, 0)")                 # back, for the same swipe over Plotly's chart
        target.scroll_into_view_if_needed()
        hand_to_plotly(target)
        ranges = "c => JSON.stringify([c._fullLayout.xaxis.range, c._fullLayout.yaxis.range])"
        before, scrolled = target.evaluate(ranges), page.evaluate("window.scrollY")
        swipe_up(page, target.bounding_box())
        page.wait_for_function("(y) => window.scrollY > y + 100", arg=scrolled)
        assert target.evaluate(ranges) == before
        # No zoom-and-pan leftovers: no drag tip, no toolbar, and a double tap does nothing to the axes.
        assert page.locator(".plotly-notifier, .modebar").count() == 0
        target.dblclick()
        assert target.evaluate(ranges) == before


def test_a_swipe_over_a_first_frame_costs_no_plotly_and_a_tap_brings_it(new_page):
    """On a slow phone a finger scrolling across a chart is not reaching for its hover labels: Plotly's
    bundle is fetched for a tap on the chart, not for a swipe over it (static/js/lib/fast-chart.js)."""
    with phone(new_page) as page:
        asked: list[str] = []
        page.on("request", lambda r: PLOTLY.search(r.url) and asked.append(r.url))
        page.goto("/demo/temperature")
        chart = page.locator("[data-role=chart]")
        chart.scroll_into_view_if_needed()
        expect(chart).to_have_attribute("data-traces", "first-frame")
        scrolled = page.evaluate("window.scrollY")
        swipe_up(page, chart.bounding_box())
        page.wait_for_function("(y) => window.scrollY > y + 100", arg=scrolled)
        page.wait_for_timeout(300)
        assert asked == [] and page.evaluate("typeof window.Plotly") == "undefined"
        page.evaluate("window.scrollTo(0, 0)")
        chart.scroll_into_view_if_needed()
        chart.tap()
        expect(chart).to_have_attribute("data-traces", "current", timeout=30_000)   # Plotly has taken it over
        assert len(asked) == 1


def test_the_swipe_check_can_fail(new_page):
    """Guard: with Plotly's zoom turned back on, the same swipe zooms the chart instead of scrolling."""
    with phone(new_page) as page:
        page.goto("/demo/temperature")
        chart = page.locator("[data-role=chart]")
        chart.scroll_into_view_if_needed()
        hand_to_plotly(chart)
        chart.evaluate("c => Plotly.relayout(c, {dragmode: 'zoom', 'xaxis.fixedrange': false, 'yaxis.fixedrange': false})")
        before, scrolled = chart.evaluate("c => JSON.stringify(c._fullLayout.yaxis.range)"), page.evaluate("window.scrollY")
        swipe_up(page, chart.bounding_box())
        page.wait_for_function("(b) => JSON.stringify(document.querySelector('[data-role=chart]')._fullLayout.yaxis.range) !== b",
                               arg=before)
        assert page.evaluate("window.scrollY") == scrolled


def test_the_slider_sits_above_its_chart_and_touch_help_drops_the_keys(new_page):
    with phone(new_page, "390x844") as page:
        page.goto("/lessons/kd-loss")
        skip_predictions(page)
        widget = page.locator("#temperature-1")
        widget.scroll_into_view_if_needed()
        slider = widget.locator("[data-role=t-slider]").bounding_box()
        chart = widget.locator("[data-role=chart]").bounding_box()
        view = widget.locator(".widget-view").bounding_box()              # the chart's own legend, then the chart
        readouts = widget.locator(".readouts").bounding_box()
        assert 0 < view["y"] - (slider["y"] + slider["height"]) < 80      # only its help line between them
        assert chart["y"] - view["y"] < 60                                # and above the chart only its legend
        assert readouts["y"] > chart["y"] + chart["height"]              # the readouts come after the chart
        expect(widget.locator(".key-help")).to_be_hidden()
        expect(widget.locator(".field-help").filter(has_text="Log scale")).to_be_visible()
    with new_page() as desktop:
        desktop.goto("/lessons/kd-loss")
        expect(desktop.locator("#temperature-1 .key-help")).to_have_text("Arrow keys step, Page Up/Down jump.")
        expect(desktop.locator("#temperature-1 .key-help")).to_be_visible()


@pytest.mark.parametrize("path", ["/lessons/kd-teacher-capture", "/lessons/kd-loss", "/lessons/kd-quality-kept"])
def test_axis_titles_clear_the_ticks_and_legends_at_360px(new_page, path):
    with phone(new_page) as page:
        page.goto(path)
        draw_every_chart(page)
        overlaps = page.evaluate(OVERLAPS)
        assert overlaps == []
        # and the same once Plotly has taken over the fast charts from their first frames
        if page.locator(".chart[data-traces]").count():
            hand_to_plotly(page.locator(".chart[data-traces]").first)
            wait_until(page, "() => !document.querySelector('svg.first-frame')")
            assert page.evaluate(OVERLAPS) == []


# Axis titles over tick labels or legend names, in Plotly's charts and in fast charts' first frames.
OVERLAPS = """[...document.querySelectorAll('.js-plotly-plot, .chart > svg.first-frame')].flatMap((chart) => {
    const boxes = (sel) => [...chart.querySelectorAll(sel)].filter(e => e.textContent.trim())
      .map(e => ({ name: e.textContent.trim(), r: e.getBoundingClientRect() }));
    const hit = (a, b) => a.r.left < b.r.right - 1 && b.r.left < a.r.right - 1 && a.r.top < b.r.bottom - 1 && b.r.top < a.r.bottom - 1;
    const titles = boxes('.g-xtitle text, .g-ytitle text, .ff-xtitle, .ff-ytitle');
    const others = boxes('.xtick text, .ytick text, .legendtext, .ff-xtick, .ff-ytick');
    const role = chart.dataset.role || chart.parentElement.dataset.role;
    return titles.flatMap(t => others.filter(o => hit(t, o)).map(o => `${role}: "${t.name}" over "${o.name}"`));
})"""


# The "α = …" label at the top of the alpha sweep's marker line, and the chart's tick labels and titles.
ALPHA_LABEL = """(chart) => {
    const label = [...chart.querySelectorAll('text')].find((t) => t.textContent.startsWith('α ='));
    const r = label.getBoundingClientRect();
    const box = chart.getBoundingClientRect();
    const hits = [...chart.querySelectorAll('.xtick text, .ytick text, .ff-xtick, .ff-ytick, .g-xtitle text, .g-ytitle text, .ff-xtitle, .ff-ytitle')]
      .filter((t) => { const o = t.getBoundingClientRect();
                       return r.left < o.right - 1 && o.left < r.right - 1 && r.top < o.bottom - 1 && o.top < r.bottom - 1; })
      .map((t) => t.textContent);
    return { size: parseFloat(getComputedStyle(label).fontSize), hits,
             inside: r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom };
}"""


@pytest.mark.parametrize("alpha", ["0.50", "0.80"])
def test_the_alpha_label_is_readable_on_a_phone(new_page, alpha):
    """Drawn at 0.8 × the chart's type it was 10 px in a lesson on a phone; at least 12 px, on either side of the line."""
    with phone(new_page) as page:
        page.goto("/lessons/kd-loss")
        skip_predictions(page)
        chart = page.locator("#alpha-1 [data-role=sweep-chart]")
        chart.scroll_into_view_if_needed()
        expect(chart).to_have_attribute("data-drawn", re.compile(".+"))
        slider = page.locator("#alpha-1 [data-role=alpha-slider]")
        slider.focus()
        for _ in range(round(100 * (float(alpha) - 0.5))):   # one hundredth a key; the label changes side past 0.5
            page.keyboard.press("ArrowRight")
        expect(chart).to_have_attribute("data-drawn", re.compile(f"^{alpha}[|]"))
        for drawn_by in ("first frame", "Plotly"):
            if drawn_by == "Plotly":
                hand_to_plotly(chart)
            label = chart.evaluate(ALPHA_LABEL)
            assert label["size"] >= 12 and label["inside"] and label["hits"] == [], (drawn_by, label)


# Text a chart cuts off: past the chart's box, or (a label clipped with the plot, e.g. a band's) past the
# plot area. The plot area: Plotly's drag cover, or the first frame's clip rectangle (its SVG is drawn 1:1).
TEXT_CUT_OFF = """[...document.querySelectorAll('.chart > svg.first-frame, .js-plotly-plot')].flatMap((chart) => {
    const box = chart.closest('.chart').getBoundingClientRect();
    let area = chart.querySelector('.nsewdrag')?.getBoundingClientRect();
    if (chart.matches('svg')) {
        const s = chart.getBoundingClientRect(), r = chart.querySelector('clipPath rect');
        const [x, y] = [s.left + +r.getAttribute('x'), s.top + +r.getAttribute('y')];
        area = { left: x, top: y, right: x + +r.getAttribute('width'), bottom: y + +r.getAttribute('height') };
    }
    const outside = (r, b) => r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 || r.bottom > b.bottom + 1;
    const role = chart.dataset.role || chart.parentElement.dataset.role;
    return [...chart.querySelectorAll('text')].filter((t) => t.textContent.trim() && t.getClientRects().length)
      .filter((t) => outside(t.getBoundingClientRect(), t.closest('[clip-path]') ? area : box))
      .map((t) => `${role}: "${t.textContent.trim()}"`);
})"""


@pytest.mark.parametrize("path", ["/demo/temperature", "/demo/alpha", "/demo/t-squared", "/demo/reduction",
                                  "/demo/kl-direction", "/lessons/kd-loss"])
def test_no_chart_text_is_cut_off_at_360px(new_page, path):
    """The T² chart's "high-T slope" band label, centred on a band narrower than itself, and the KL landscape's
    x title ran off their charts."""
    with phone(new_page) as page:
        page.goto(path)
        draw_every_chart(page)
        assert page.evaluate(TEXT_CUT_OFF) == []              # the first frames
        chart = page.locator(".chart[data-traces]").first
        hand_to_plotly(chart)
        page.mouse.move(1, 1)                                 # no hover label left showing
        wait_until(page, "() => !document.querySelector('svg.first-frame')")
        assert page.evaluate(TEXT_CUT_OFF) == []              # and Plotly's
