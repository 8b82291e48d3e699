"""Dark and light, in Chromium: the system's choice by default, a remembered toggle, readable text and charts
in both (axe colour contrast, and the charts' own text measured); and the lesson on paper."""
from __future__ import annotations

import re
from pathlib import Path

import axe_playwright_python
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import draw_every_chart

AXE_JS = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
PAGES = ["/", "/glossary", "/lessons/kd-teacher-capture", "/lessons/kd-loss", "/lessons/kd-quality-kept", "/join", "/offline"]

# WCAG contrast of an rgb() colour against another, and the page's background behind an element.
CONTRAST_JS = """
(() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const [x, y] = [lum(rgb(a)), lum(rgb(b))].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor; const parts = rgb(c);
      if (parts.length === 3 || (parts.length === 4 && parts[3] > 0.9)) return c;
    }
    return getComputedStyle(document.documentElement).backgroundColor;
  };
  return { ratio, background };
})()
"""


def contrast_problems(page) -> list[str]:
    page.evaluate(AXE_JS)
    axe = page.evaluate("""async () => (await axe.run(document, { runOnly: ["color-contrast"] })).violations
        .flatMap(v => v.nodes.slice(0, 5).map(n => `${n.target.join(" ")}: ${n.any.map(a => a.message).join("; ")}`))""")
    # axe skips SVG text: measure every chart's labels (ticks, titles, legend, notes) and the heat grid's.
    charts = page.evaluate(f"""(() => {{
        const {{ ratio, background }} = {CONTRAST_JS};
        const texts = [...document.querySelectorAll('.js-plotly-plot .main-svg text, .heat-grid span')]
          .filter((t) => t.textContent.trim() && t.getClientRects().length);
        return texts.map((t) => {{
          const fill = t.tagName === 'text' ? getComputedStyle(t).fill : getComputedStyle(t).color;
          const r = ratio(fill, background(t.closest('.chart') || t));
          return r < 4.5 ? `chart text "${{t.textContent.trim()}}" ${{fill}}: ${{r.toFixed(2)}}:1` : null;
        }}).filter(Boolean).slice(0, 5);
    }})()""")
    return axe + charts


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_text_and_charts_are_readable_in_both_themes(new_page, path, scheme):
    with new_page(color_scheme=scheme) as page:
        page.goto(path)
        draw_every_chart(page)
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
        background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
        assert (background == "rgb(13, 17, 23)") == (scheme == "dark"), background
        assert contrast_problems(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_prediction_panels_and_a_class_on_a_phone_are_readable_in_both_themes(browser, base_url, new_page, scheme):
    from tests.browser.test_classroom import PHONE, Room

    with new_page(color_scheme=scheme) as page:       # a lesson as it opens: its predictions still asked
        page.goto("/lessons/kd-loss")
        expect(page.locator("[data-widget][data-predicting]").first).to_be_visible()
        assert contrast_problems(page) == []
    room = Room(browser, base_url)
    try:
        lead, code = room.instructor()
        lead.select_option('[data-role="class-question"]', "kd-loss.runner-up-20")
        lead.click('[data-class-action="ask"]')
        learner = room.follower(code, **PHONE, color_scheme=scheme)
        expect(learner.locator('[data-role="answer-send"]')).to_be_visible()
        assert contrast_problems(learner) == []
        learner.click('[data-follow-action="toggle"]')       # exploring alone: the bar's other colour
        expect(learner.locator("body")).to_have_attribute("data-following", "false")
        assert contrast_problems(learner) == []
    finally:
        problems = room.close()
    assert not problems, problems


def test_the_contrast_check_can_fail(page):
    page.goto("/glossary")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<p style=\"color:#ccc\">faint</p>')")
    assert any("faint" in p or "contrast" in p for p in contrast_problems(page))


@pytest.mark.parametrize("demo", ["temperature", "alpha", "t-squared", "reduction", "kl-direction", "live-run"])
def test_the_projector_theme_stays_whatever_the_site_theme(new_page, demo):
    with new_page(color_scheme="light") as page:
        page.goto(f"/demo/{demo}")
        expect(page.locator("[data-widget] .chart:not(.heat-grid-chart)").first).to_have_attribute("data-drawn", re.compile(".+"))
        assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") == "rgb(0, 0, 0)"
        assert contrast_problems(page) == []


def test_the_theme_toggle_is_remembered_and_redraws_the_charts(page):
    page.goto("/lessons/kd-loss")
    chart = page.locator("#temperature-1 [data-role=chart]")
    chart.scroll_into_view_if_needed()
    expect(chart).to_have_attribute("data-drawn", re.compile(".+"))
    toggle = page.get_by_role("button", name="Dark theme")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    ink = "c => getComputedStyle(c.querySelector('.ytick text, .ff-ytick')).fill"   # Plotly's or the first frame's"
    light_ink = chart.evaluate(ink)
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.wait_for_function("(l) => getComputedStyle(document.querySelector('#temperature-1 :is(.ytick text, .ff-ytick)')).fill !== l",
                           arg=light_ink)
    assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") == "rgb(13, 17, 23)"
    page.goto("/glossary")                           # another page: the server renders it dark, no flash
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    html = page.evaluate("fetch('/glossary').then(r => r.text())")
    assert '<html lang="en" data-theme="dark">' in html
    page.get_by_role("button", name="Dark theme").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") == "rgb(255, 255, 255)"


def test_a_chosen_theme_overrides_the_system(new_page):
    with new_page(color_scheme="dark") as page:
        page.goto("/")
        expect(page.get_by_role("button", name="Dark theme")).to_have_attribute("aria-pressed", "true")
        page.get_by_role("button", name="Dark theme").click()
        page.reload()
        assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") == "rgb(255, 255, 255)"


def test_print_hides_the_controls_and_prints_charts_whole_in_black_on_white(new_page):
    with new_page(color_scheme="dark") as page:   # a reader in dark mode presses Print
        page.goto("/lessons/kd-loss")
        draw_every_chart(page)
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        hidden = ["nav", ".toc", "button", ".preset-row", "input[type=range]", "input[type=text]",
                  "[data-role=demo-link]", ".quiz-actions", ".site-footer", ".chart-data"]
        shown = page.evaluate("(sels) => sels.filter(s => [...document.querySelectorAll(s)].some(e => e.getClientRects().length))",
                              hidden)
        assert shown == []
        assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") == "rgb(255, 255, 255)"
        # (The live lab before any run prints a sentence instead of its empty charts.)
        assert page.locator(".widget-live-run[data-state=idle] [data-role=loss-chart]").is_hidden()
        charts = page.evaluate("""[...document.querySelectorAll('.js-plotly-plot')]
            .filter(c => !c.closest('.widget-live-run[data-state=idle]')).map(c => ({
            width: c._fullLayout.width, visible: c.getClientRects().length > 0,
            ink: getComputedStyle(c.querySelector('.ytick text')).fill, breakInside: getComputedStyle(c).breakInside }))""")
        assert len(charts) >= 7
        assert all(c["visible"] and c["width"] <= 640 and c["ink"] == "rgb(0, 0, 0)" and c["breakInside"] == "avoid"
                   for c in charts), charts
        # The quiz: every question and its choices, as boxes to tick; the explorer's state in words.
        assert page.locator(".quiz-question").first.is_visible()
        assert page.locator(".choices label").first.evaluate("l => getComputedStyle(l, '::before').content") in ('"○"', '"☐"')
        expect(page.locator("#temperature-1 [data-role=summary]")).to_be_visible()
        link = page.locator(".lesson-body a[href^='/'], .lesson-facts a[href^='/']").first
        assert "/lessons/" in link.evaluate("a => getComputedStyle(a, '::after').content")
        page.emulate_media(media="screen")
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        page.wait_for_function("document.querySelector('.js-plotly-plot')._fullLayout.width > 640")


def test_a_lesson_prints_on_far_fewer_pages_than_the_screen_would(new_page):
    def pages(pdf: bytes) -> int:
        return len(re.findall(rb"/Type\s*/Page[^s]", pdf))

    with new_page() as page:
        page.goto("/lessons/kd-loss")
        draw_every_chart(page)
        on_paper = pages(page.pdf(format="A4"))
        page.emulate_media(media="screen")          # the same lesson printed as the screen shows it
        as_on_screen = pages(page.pdf(format="A4"))
    assert 3 <= on_paper <= 0.7 * as_on_screen, (on_paper, as_on_screen)


def test_a_lesson_printed_before_predicting_asks_on_paper_and_shows_its_charts(new_page):
    with new_page() as page:
        page.goto("/lessons/kd-loss")
        for chart in page.locator("[data-widget] .chart").all():     # as a reader scrolling down, without predicting
            chart.scroll_into_view_if_needed()
        waiting = page.locator("#temperature-1[data-predicting]")
        expect(waiting.locator("[data-role=chart]")).to_have_attribute("data-drawn", re.compile(".+"))
        expect(waiting.locator("[data-role=chart]")).to_be_hidden()      # on screen: kept until a prediction
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        expect(waiting.locator("[data-role=chart]")).to_be_visible()
        expect(waiting.locator(".readouts")).to_be_visible()
        panel = waiting.locator("[data-role=prediction]")
        expect(panel.locator(".prediction-prompt")).to_be_visible()
        assert panel.locator(".prediction-current").evaluate("p => getComputedStyle(p, '::after').content") == '"____________"'
        expect(panel.locator("output")).to_be_hidden()                    # not the slider's position as an answer
        assert panel.locator("button").count() >= 2 and all(b.is_hidden() for b in panel.locator("button").all())


@pytest.mark.parametrize("path", ["/", "/glossary", "/join"])
def test_other_pages_print_without_the_sites_controls(new_page, path):
    with new_page(color_scheme="dark") as page:
        page.goto(path)
        page.emulate_media(media="print")
        shown = page.evaluate("""[...document.querySelectorAll('nav, button, .button, input, select, .site-footer, .theme-toggle')]
            .filter(e => e.getClientRects().length).map(e => e.outerHTML.slice(0, 80))""")
        assert shown == []
        assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") == "rgb(255, 255, 255)"
        assert page.locator("h1").first.is_visible()
