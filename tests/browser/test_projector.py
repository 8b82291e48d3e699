"""The presenter view on a projector, in Chromium: chart first and inside the screen, type for the room,
keys that mean one thing wherever the focus is, a status line that says what is on screen, pins, saved
step sequences, and the live lab's form in its link."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import wait_until

DEMOS = ["temperature", "alpha", "t-squared", "reduction", "kl-direction", "live-run"]
# 1280×720 and 1920×1080 projectors, and 1280×720 at 150% browser zoom (853×480 CSS pixels, 1.5 device px each).
SCREENS = {"1280x720": ({"width": 1280, "height": 720}, 1), "1920x1080": ({"width": 1920, "height": 1080}, 1),
           "1280x720 at 150%": ({"width": 853, "height": 480}, 1.5)}


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def open_demo(page, path: str):
    page.goto(path)
    expect(page.locator("body")).to_have_attribute("data-demo-ready", "true")
    expect(page.locator("[data-widget] .chart:not(.heat-grid-chart)").first).to_have_attribute("data-drawn", re.compile(".+"))
    return page.locator("[data-widget]")


# The charts drawn in the demo's view: Plotly's, or a fast chart's SVG first frame (static/js/lib/first-frame.js).
DRAWN_CHARTS = ".widget-view .chart[data-drawn]:not(.heat-grid-chart)"
Y_TITLE = ".js-plotly-plot .g-ytitle text, .first-frame .ff-ytitle"


def outside(page, selector: str) -> list[str]:
    """Every element matching `selector` that is not wholly inside the viewport (or has no size)."""
    return page.evaluate("""(selector) => [...document.querySelectorAll(selector)].filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width === 0 || r.height === 0 || r.top < 0 || r.left < 0 ||
               r.bottom > window.innerHeight + 0.5 || r.right > window.innerWidth + 0.5;
    }).map((el) => `${el.className} ${JSON.stringify(el.getBoundingClientRect())}`)""", selector)


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("demo", DEMOS)
def test_the_chart_and_its_legend_fit_the_projector(new_page, demo, screen):
    viewport, zoom = SCREENS[screen]
    with new_page(viewport=viewport, device_scale_factor=zoom) as page:
        open_demo(page, f"/demo/{demo}")
        assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight"), "the page scrolls"
        charts = ".widget-view .chart, .widget-view .chart-legend:not([hidden]), .js-plotly-plot .legend"
        assert page.locator(charts).count() >= 1
        assert outside(page, charts) == []
        # Every chart is a usable size, not squeezed to a strip; the position grid's rows a line of type high.
        sizes = page.evaluate(f"[...document.querySelectorAll('{DRAWN_CHARTS}')].map(c => c.getBoundingClientRect().height)")
        assert min(sizes) >= 0.25 * viewport["height"], sizes
        rows = page.evaluate("[...document.querySelectorAll('.heat-grid-row')].map(r => r.getBoundingClientRect().height / parseFloat(getComputedStyle(r).fontSize))")
        assert all(r >= 1.2 for r in rows), rows


def test_the_lab_beside_a_class_panel_keeps_its_tick_labels_apart(new_page):
    """Two charts, a results table and a form beside the class panel at 1280×720: in room-sized type the
    charts' tick labels collided (demo.css steps the lab's type down there)."""
    with new_page(viewport={"width": 1280, "height": 720}) as page:
        lab = open_demo(page, "/demo/live-run?steps=200")
        page.click('[data-class-action="start"]')
        expect(page.locator('[data-role="class-code"]')).to_have_text(re.compile(r"^\w{4}-\w{4}$"))
        lab.get_by_role("button", name="SFT vs KD race").click()
        expect(lab).to_have_attribute("data-state", "finished", timeout=60_000)
        expect(lab.locator(".lab-chart .xtick text").first).to_be_visible()
        collisions = page.evaluate("""[...document.querySelectorAll('.lab-chart .js-plotly-plot')].flatMap((chart) => {
            // (Labels Plotly turned on their side to clear each other have boxes that overlap; their glyphs do not.)
            const boxes = [...chart.querySelectorAll('.xtick text, .ytick text')]
              .filter((t) => t.textContent.trim() && !(t.getAttribute('transform') || '').includes('rotate'))
              .map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }));
            return boxes.flatMap(({ text, r: a }, i) => boxes.slice(i + 1)
              .filter(({ r: b }) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
              .map((b) => `${chart.dataset.role}: ${text} / ${b.text}`));
        })""")
        assert collisions == []


        # Every run's name whole and on screen: Plotly's legend cut them short here ("KD α=0.5 T=4 · 64-…").
        runs = [r.split(":")[0] for r in lab.locator("[data-role=results] tbody tr th").all_inner_texts()]
        legend = lab.locator("[data-role=run-legend] li")
        expect(legend).to_have_count(len(runs))
        names = legend.all_inner_texts()
        assert len(names) == 2 and all("seed" in n and "64-" in n for n in names), names
        assert legend.evaluate_all("(items) => items.every((li) => li.scrollWidth <= li.clientWidth + 1)")
        assert outside(page, "[data-role=run-legend] li") == []


@pytest.mark.parametrize("screen", ["1280x720", "1920x1080"])
@pytest.mark.parametrize("demo", ["temperature", "alpha", "live-run"])
def test_a_class_panel_docks_beside_the_chart_without_pushing_it_off_screen(new_page, demo, screen):
    viewport, zoom = SCREENS[screen]
    with new_page(viewport=viewport, device_scale_factor=zoom) as page:
        open_demo(page, f"/demo/{demo}")
        page.click('[data-class-action="start"]')
        expect(page.locator('[data-role="class-code"]')).to_have_text(re.compile(r"^\w{4}-\w{4}$"))
        # (The charts follow the narrower stage on their next frame.)
        wait_until(page, "() => document.documentElement.scrollHeight <= window.innerHeight", timeout_s=5)
        assert outside(page, ".widget-view .chart, .widget-view .chart-legend:not([hidden]), .js-plotly-plot .legend, .class-code") == []
        # The chart still fills the screen's height, not shrunk to its content; the code on one line.
        sizes = page.evaluate(f"[...document.querySelectorAll('{DRAWN_CHARTS}')].map(c => c.getBoundingClientRect().height)")
        assert min(sizes) >= 0.35 * viewport["height"], sizes
        code = page.locator('[data-role="class-code"]')
        assert code.evaluate("c => c.getClientRects().length === 1 && c.scrollWidth <= c.clientWidth")
        # "Shrink panel" gives the chart the room back.
        panel = page.locator('[data-role="class-panel"]')
        wide = panel.bounding_box()["width"]
        page.click('[data-class-action="hide"]')
        wait_until(page, "(w) => document.querySelector('[data-role=class-panel]').getBoundingClientRect().width < w - 50", wide, timeout_s=5)
        assert outside(page, ".widget-view .chart, .js-plotly-plot .legend, .class-code") == []


def font_px(page, selector: str) -> list[float]:
    return page.evaluate("(s) => [...document.querySelectorAll(s)].filter(e => e.getClientRects().length)"
                         ".map(e => parseFloat(getComputedStyle(e).fontSize))", selector)


@pytest.mark.parametrize("demo", ["temperature", "alpha", "live-run"])
def test_type_for_the_room_is_24px_at_1280_and_grows_with_the_screen(new_page, demo):
    room = {}
    for width, height in [(1280, 720), (1920, 1080)]:
        with new_page(viewport={"width": width, "height": height}) as page:
            open_demo(page, f"/demo/{demo}")
            sizes = {what: font_px(page, selector) for what, selector in {
                "readouts": ".readouts dt, .readouts dd", "labels": ".widget-panel label", "status": ".demo-status",
                "axis titles": ".js-plotly-plot .g-xtitle text, .js-plotly-plot .g-ytitle text, .first-frame .ff-xtitle, .first-frame .ff-ytitle",
                "results": ".lab-results td, .lab-results th"}.items()}
            sizes = {k: v for k, v in sizes.items() if v}
            # The lab's charts have no axes before its first run.
            assert {"labels", "status"} | ({"axis titles"} if demo != "live-run" else set()) <= set(sizes)
            assert min(min(v) for v in sizes.values()) >= 23.5, sizes
            room[width] = sizes["status"][0]
    assert room[1920] >= 1.3 * room[1280]


def test_plus_and_minus_scale_the_type_and_the_charts(page):
    open_demo(page, "/demo/temperature")
    status = page.locator("[data-role=demo-status]")
    before = font_px(page, ".demo-status")[0]
    title = page.locator(Y_TITLE).first   # the chart's first frame's (static/js/lib/first-frame.js), or Plotly's
    chart_before = float(title.evaluate("t => parseFloat(getComputedStyle(t).fontSize)"))
    page.keyboard.press("+")
    page.keyboard.press("+")
    expect(status).to_have_text("Type size 1.2×.")
    assert font_px(page, ".demo-status")[0] == pytest.approx(1.2 * before, rel=0.02)
    wait_until(page, f"(b) => parseFloat(getComputedStyle(document.querySelector('{Y_TITLE}')).fontSize) > b * 1.1",
               chart_before, timeout_s=5)
    page.reload()                                     # remembered for this projector
    expect(page.locator("body")).to_have_attribute("data-type-scale", "1.2")
    page.keyboard.press("-")
    page.keyboard.press("0")
    expect(status).to_have_text("Type size 1×.")
    assert font_px(page, ".demo-status")[0] == pytest.approx(before, rel=0.02)


def test_the_key_list_fits_a_1280x720_screen(new_page):
    with new_page(viewport={"width": 1280, "height": 720}) as page:
        open_demo(page, "/demo/alpha")
        page.keyboard.press("?")
        expect(page.locator("[data-role=keys-dialog]")).to_be_visible()
        assert outside(page, "[data-role=keys-dialog]") == []
        assert page.evaluate("(d => d.scrollHeight <= d.clientHeight)(document.querySelector('[data-role=keys-dialog]'))")


def test_keys_act_the_same_with_the_slider_focused(page):
    w = open_demo(page, "/demo/temperature?preset=tokens&T=2")
    chart = w.locator("[data-role=chart]")
    page.keyboard.press("ArrowRight")                    # no focus: one demo step on the log scale
    expect(chart).not_to_have_attribute("data-temperature", "2.00")
    one_step = float(chart.get_attribute("data-temperature"))
    w.locator("[data-role=t-slider]").focus()
    page.keyboard.press("ArrowRight")                    # focused: the same step, not the slider's own 0.01
    expect(chart).not_to_have_attribute("data-temperature", f"{one_step:.2f}")
    two_steps = float(chart.get_attribute("data-temperature"))
    assert two_steps / one_step == pytest.approx(one_step / 2, rel=0.01)
    page.keyboard.press("ArrowDown")                     # no alpha here: nothing moves, the page does not scroll
    page.keyboard.press("PageDown")
    assert page.evaluate("window.scrollY") == 0
    expect(chart).to_have_attribute("data-temperature", f"{two_steps:.2f}")
    page.keyboard.press("2")                             # a preset, even with the slider focused
    expect(w.get_by_role("button", name="A handwritten 7")).to_have_attribute("aria-pressed", "true")


def test_escape_leaves_a_text_field_so_the_next_digit_picks_a_preset(page):
    w = open_demo(page, "/demo/temperature")
    field = w.locator("[data-role=logits]")
    field.click()
    field.press("End")
    page.keyboard.type(", 3")
    expect(field).to_have_value("4.595, 0, 3")
    page.keyboard.press("Escape")
    expect(field).not_to_be_focused()
    expect(page.locator("[data-role=demo-status]")).to_contain_text("Left the text field")
    page.keyboard.press("3")
    expect(w.get_by_role("button", name="Next token")).to_have_attribute("aria-pressed", "true")
    expect(field).to_have_value("6, 4.9, 4.5, 4.2, 3.6, 3.1, 2.4, 1")


def test_the_status_says_what_is_on_screen_now(page):
    w = open_demo(page, "/demo/alpha")
    status = page.locator("[data-role=demo-status]")
    page.keyboard.press("2")
    expect(status).to_have_text("Teacher is wrong · alpha = 0.50 · T = 2.00")
    page.keyboard.press("ArrowRight")                    # T moves: the status follows, the preset no longer claims it all
    T = w.locator("[data-role=t-number]").input_value()
    expect(status).to_have_text(f"Teacher is wrong · alpha = 0.50 · T = {T}")
    w.locator("[data-role=teacher]").fill("1, 4, 0, 6, -1")
    expect(status).to_have_text(f"Teacher is wrong (edited) · alpha = 0.50 · T = {T}")
    w.get_by_role("button", name="High temperature").click()
    expect(status).to_have_text("High temperature · alpha = 0.50 · T = 8.00")


def test_a_saved_sequence_is_stepped_with_page_down_and_page_up(page):
    steps = [("T=1", "Sharp: the teacher's own view"), ("T=2", ""), ("T=3.31", "80/20"), ("T=10", "Nearly flat")]
    seq = "&".join("seq=" + quote(f"{state}&caption={caption}" if caption else state) for state, caption in steps)
    w = open_demo(page, f"/demo/temperature?preset=peaky&T=5&{seq}")
    chart = w.locator("[data-role=chart]")
    status = page.locator("[data-role=demo-status]")
    expect(chart).to_have_attribute("data-temperature", "5.00")
    page.keyboard.press("PageDown")
    expect(chart).to_have_attribute("data-temperature", "1.00")
    expect(status).to_have_text("Step 1 of 4: Sharp: the teacher's own view · 99/1 pair · T = 1.00")
    assert query(page)["T"] == ["1"] and len(query(page)["seq"]) == 4      # the address keeps the sequence
    w.locator("[data-role=t-slider]").focus()                              # a clicker works whatever has focus
    for T in ("2.00", "3.31", "10.00"):
        page.keyboard.press("PageDown")
        expect(chart).to_have_attribute("data-temperature", T)
    expect(status).to_contain_text("Step 4 of 4: Nearly flat")
    page.keyboard.press("PageDown")
    expect(status).to_have_text("No further step: this is step 4 of 4.")
    page.keyboard.press("PageUp")
    expect(chart).to_have_attribute("data-temperature", "3.31")
    page.keyboard.press("ArrowRight")                                      # moved away: no longer "step 3"
    expect(status).not_to_contain_text("Step 3")
    page.keyboard.press("r")                                               # reset: the link's own view
    expect(chart).to_have_attribute("data-temperature", "5.00")


def test_steps_are_added_in_the_dialog_and_travel_in_the_link(page, new_page):
    w = open_demo(page, "/demo/alpha")
    page.keyboard.press("4")                                               # high temperature, T = 8
    page.get_by_role("button", name="Sequence…").click()
    dialog = page.get_by_role("dialog", name="Sequence of views")
    dialog.get_by_label("Caption").fill("Hot teacher")
    dialog.get_by_role("button", name="Add this view as a step").click()
    expect(dialog.locator("li")).to_have_count(1)
    dialog.get_by_role("button", name="Close").click()
    link = page.url
    assert len(query(page)["seq"]) == 1
    with new_page() as other:
        w2 = open_demo(other, link)
        expect(w2.locator("[data-role=t-number]")).to_have_value("8.00")
        w2.get_by_role("button", name="Student already right").click()
        other.keyboard.press("PageDown")
        expect(other.locator("[data-role=demo-status]")).to_have_text("Step 1 of 1: Hot teacher · High temperature · alpha = 0.50 · T = 8.00")
        expect(w2.get_by_role("button", name="High temperature")).to_have_attribute("aria-pressed", "true")


def test_a_bad_step_in_a_link_is_named_and_dropped(page):
    open_demo(page, "/demo/temperature?seq=" + quote("T=99&caption=Too hot") + "&seq=T%3D2")
    expect(page.locator("[data-role=param-notices]")).to_contain_text("Step 1: Ignored T='99'")
    page.keyboard.press("PageDown")
    expect(page.locator("[data-role=demo-status]")).to_contain_text("Step 1 of 2: Too hot")


def legend_names(chart) -> list[str]:
    return chart.evaluate("c => c.data.filter(t => t.showlegend !== false).map(t => t.name)")


def test_pins_keep_earlier_curves_on_the_chart_until_cleared(page):
    w = open_demo(page, "/demo/temperature?preset=digit&T=1")
    chart = w.locator("[data-role=chart]")
    page.keyboard.press("p")                         # at T = 1 both bar sets are the same: the live ones show it
    expect(page.locator("[data-role=demo-status]")).to_contain_text("Pinned T = 1.00")
    w.locator("[data-role=t-number]").fill("4")
    w.locator("[data-role=t-number]").press("Enter")
    expect(chart).to_have_attribute("data-drawn", "4.00")
    page.keyboard.press("Escape")
    page.keyboard.press("p")
    w.locator("[data-role=t-number]").fill("10")
    w.locator("[data-role=t-number]").press("Enter")
    expect(chart).to_have_attribute("data-drawn", "10.00")
    # (a pin hands a chart still showing its first frame to Plotly, which draws the pins)
    wait_until(page, "() => (document.querySelector('[data-role=chart]').data || []).length === 3", timeout_s=10)
    # The live bars are named in the chart's own HTML legend; Plotly's names the pins.
    expect(w.locator(".chart-legend")).to_have_text(re.compile(r"T = 1\s*T = 10\.00"))
    assert legend_names(chart) == ["T = 4.00 (pinned)"]
    pinned = chart.evaluate("c => c.data[2]")
    assert pinned["y"][7] == pytest.approx(0.42, abs=0.01) and pinned["marker"]["pattern"]["shape"] == "x"  # the 2nd pin
    assert pinned["marker"]["pattern"]["fgcolor"] == "#d9480f"   # the series' colour, though its live trace is drawn invisible
    page.keyboard.press("Escape")
    page.keyboard.press("c")
    wait_until(page, "() => document.querySelector('[data-role=chart]').data.length === 2", timeout_s=5)


def test_pins_on_a_chart_with_its_own_legend_get_plotlys(page):
    w = open_demo(page, "/demo/kl-direction?separation=2")
    fit = w.locator("[data-role=fit-chart]")
    assert fit.evaluate("c => c.liveDraw.layout.showlegend") is False
    page.get_by_role("button", name="Pin P").click()
    page.keyboard.press("Shift+ArrowRight")          # the peaks 2.0 -> 4.5 apart: the teacher moves too
    expect(fit).to_have_attribute("data-drawn", "4.5|0.60")
    wait_until(page, "() => (document.querySelector('[data-role=fit-chart]').data || []).length === 6", timeout_s=10)
    assert fit.evaluate("c => c._fullLayout.showlegend") is True
    at = "(pinned at distance 2.0, left share 0.60)"
    assert legend_names(fit) == [f"teacher (two peaks) {at}", f"best under forward KL (covers) {at}",
                                 f"best under reverse KL (seeks) {at}"]


def test_live_run_answers_the_keys_and_its_link_reopens_it_exactly(page, new_page):
    lab = open_demo(page, "/demo/live-run?alpha=0.25&T=8&student_hidden=16&steps=300&seed=7&omit_class=3")
    page.keyboard.press("ArrowRight")                # T 8 -> 8.5
    page.keyboard.press("Shift+ArrowDown")           # alpha 0.25 -> 0 (held at its limit)
    expect(lab.get_by_label("Temperature T")).to_have_value("8.5")
    expect(lab.get_by_label("alpha (weight on the gold label)")).to_have_value("0")
    lab.get_by_label("Leave a class out").select_option("5")
    expect(page.locator("[data-role=demo-status]")).to_have_text(
        "Next run: KD α=0 T=8.5 · 64-16-10 · seed 7 · no 5s · 300 steps")
    page.keyboard.press("Escape")                    # out of the select: the keys drive the demo again
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("[data-role=demo-status]")).to_contain_text("/demo/live-run?")
    link = page.url
    assert {k: v[0] for k, v in query(page).items()} == {"alpha": "0", "T": "8.5", "student_hidden": "16", "steps": "300",
                                                         "seed": "7", "omit_class": "5"}
    with new_page() as other:
        other_lab = open_demo(other, link)
        for label, value in [("alpha (weight on the gold label)", "0"), ("Temperature T", "8.5"),
                             ("Student hidden width", "16"), ("Steps", "300"), ("Seed", "7"), ("Leave a class out", "5")]:
            expect(other_lab.get_by_label(label)).to_have_value(value)
    page.keyboard.press("r")
    expect(lab.get_by_label("Temperature T")).to_have_value("8")
    expect(lab.get_by_label("Leave a class out")).to_have_value("3")


def test_live_run_accuracy_axis_title_clears_its_tick_labels(new_page):
    with new_page(viewport={"width": 1280, "height": 720}) as page:
        lab = open_demo(page, "/demo/live-run?steps=60")
        lab.get_by_role("button", name="Start").click()
        expect(lab).to_have_attribute("data-state", "finished", timeout=60_000)
        gap = lab.locator("[data-role=acc-chart]").evaluate("""c => {
            const title = c.querySelector('.g-ytitle').getBoundingClientRect();
            const ticks = [...c.querySelectorAll('.ytick text')].map(t => t.getBoundingClientRect());
            return Math.min(...ticks.map(t => t.left)) - title.right; }""")
        assert gap >= 0, f"the axis title overlaps the tick labels by {-gap:.1f} px"
