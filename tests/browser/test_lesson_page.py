"""Lesson 4.3 in Chromium as a learner uses it: sections, the temperature explorer, the quiz."""
from __future__ import annotations

import json
import math

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import hand_to_plotly
from tests.browser.predictions import skip_predictions

SECTIONS = ["Term one: cross-entropy on the hard label", "Term two: KL divergence to the teacher",
            "Temperature: softening the distribution", "Why the T² factor?", "In code",
            "Where it lives in BrewSLM", "Try it: a live distillation run", "Key idea", "Key terms", "Check yourself"]


def open_lesson(page, predict: bool = False):
    """The lesson with its explorers' outputs showing (predictions skipped), unless `predict`."""
    page.goto("/lessons/kd-loss")
    if not predict:
        skip_predictions(page)
        page.locator("[data-widget=temperature]").scroll_into_view_if_needed()
        # drawn: its first frame (static/js/lib/first-frame.js), or Plotly's chart once Plotly has loaded
        expect(page.locator("[data-widget=temperature] [data-role=chart] :is(svg.first-frame, .main-svg)").first).to_be_visible()
    return page


def lesson_read_time(slug: str):
    from app.content import load_track
    from app.settings import Settings
    from app.web.templating import known_widgets, make_templates, widget_renderer

    settings = Settings()
    templates = make_templates(settings.templates_dir, settings.static_dir)
    track = load_track(settings.lessons_dir, widget_renderer(templates), known_widgets(settings.templates_dir))
    return track.lesson(slug).read_time


def drawn_temperature(page) -> str:
    return page.locator("[data-widget=temperature] [data-role=chart]").get_attribute("data-temperature")


def test_the_lesson_shows_every_section(page):
    open_lesson(page)
    expect(page.locator("h1")).to_have_text("Knowledge distillation II: the KD loss")
    headings = page.locator("h2").all_inner_texts()
    for section in SECTIONS:
        assert section in headings
    expect(page.locator(".lesson-facts")).to_contain_text("Advanced")
    read_time = lesson_read_time("kd-loss")
    expect(page.locator(".lesson-facts")).to_contain_text(f"~{read_time.minutes} min")
    assert read_time.minutes >= 20          # about 2,000 words, six explorers and seven questions
    expect(page.locator(".key-terms dt")).to_have_count(6)
    expect(page.locator(".quiz-question")).to_have_count(7)


def test_moving_the_slider_redraws_bars_and_readouts_with_the_servers_numbers(page):
    open_lesson(page)
    widget = page.locator("[data-widget=temperature]")
    assert drawn_temperature(page) == "1.00"  # the lesson starts the 99/1 pair at T = 1, for its prediction
    slider = widget.locator("[data-role=t-slider]")
    slider.focus()
    for key in ["PageUp"] * 3 + ["ArrowRight"] * 5:
        page.keyboard.press(key)
    shown = widget.locator("[data-role=t-number]").input_value()
    expect(widget.locator("[data-role=chart]")).to_have_attribute("data-temperature", shown)
    T = float(shown)
    assert T > 3.31

    answer = page.request.post("/api/kd/soften", data=json.dumps({"logits": [4.595, 0], "temperatures": [1, T]}),
                               headers={"content-type": "application/json"}).json()
    chart = widget.locator("[data-role=chart]")
    hand_to_plotly(chart)                                           # Plotly's hover traces follow the drawn bars
    bars = page.evaluate("el => el.data.map(t => t.y)", chart.element_handle())
    assert bars[1] == pytest.approx(answer["probs"][1], abs=1e-12)
    expect(widget.locator("[data-role=entropy-t]")).to_have_text(f"{answer['entropy_bits'][1]:.3f} bits")
    expect(widget.locator("[data-role=off-top-t]")).to_have_text(f"{100 * answer['mass_off_top'][1]:.1f}%")
    # Higher T, flatter: more mass off the top than at T = 1 (~1.0%).
    assert answer["mass_off_top"][1] > 0.2


def test_typing_logits_and_an_exact_temperature(page):
    open_lesson(page)
    widget = page.locator("[data-widget=temperature]")
    widget.locator("[data-role=logits]").fill("1, 2, 3")
    number = widget.locator("[data-role=t-number]")
    number.fill("2")
    number.press("Enter")
    expect(widget.locator("[data-role=chart]")).to_have_attribute("data-temperature", "2.00")
    z = [v / 2 for v in (1, 2, 3)]
    probs = [math.exp(v) / sum(math.exp(u) for u in z) for v in z]
    expect(widget.locator("[data-role=off-top-t]")).to_have_text(f"{100 * (1 - max(probs)):.1f}%")
    widget.locator("[data-role=logits]").fill("1, two")
    expect(widget.locator("[data-role=logits-error]")).to_have_text("“two” is not a number.")


def test_presets_switch_the_distribution(page):
    open_lesson(page)
    widget = page.locator("[data-widget=temperature]")
    widget.get_by_role("button", name="A handwritten 7").click()
    widget.locator(".chart-data summary").click()          # the table is filled when it is shown
    expect(widget.locator("[data-role=table] tbody tr")).to_have_count(10)
    expect(widget.get_by_role("button", name="A handwritten 7")).to_have_attribute("aria-pressed", "true")


def answer_first_question_correctly(page):
    q = page.locator('[data-qid="kl-direction"]')
    q.get_by_label("KL(teacher_T ‖ student_T), the forward KL").check()
    q.get_by_role("button", name="Check").click()
    expect(q).to_have_class("quiz-question is-correct")
    return q


def test_answers_survive_a_reload(page):
    open_lesson(page)
    answer_first_question_correctly(page)
    numeric = page.locator('[data-qid="t-for-70-30"]')
    numeric.locator("input").fill("2.5")
    numeric.get_by_role("button", name="Check").click()
    expect(numeric).to_have_class("quiz-question is-wrong")
    expect(page.locator(".quiz .progress-text")).to_have_text("1 of 7 correct")

    page.reload()
    q = page.locator('[data-qid="kl-direction"]')
    expect(q).to_have_class("quiz-question is-correct")
    expect(q.get_by_label("KL(teacher_T ‖ student_T), the forward KL")).to_be_checked()
    expect(page.locator('[data-qid="t-for-70-30"] input')).to_have_value("2.5")
    expect(page.locator(".quiz .progress-text")).to_have_text("1 of 7 correct")

    page.goto("/")
    expect(page.locator('.lesson-card[data-slug="kd-loss"] .progress-text')).to_have_text("1 of 7 correct")


def test_numeric_answer_accepts_the_computed_temperature(page):
    open_lesson(page)
    q = page.locator('[data-qid="t-for-70-30"]')
    q.locator("input").fill(f"{math.log(9) / math.log(7 / 3):.2f}")
    q.get_by_role("button", name="Check").click()
    expect(q).to_have_class("quiz-question is-correct")
    expect(q.locator(".quiz-working")).to_contain_text("ln 9 / ln(7/3)")


def test_reset_my_answers_clears_this_lesson(page):
    open_lesson(page)
    answer_first_question_correctly(page)
    page.get_by_role("button", name="Reset my answers").click()
    dialog = page.get_by_role("dialog", name="Reset “Knowledge distillation II: the KD loss”?")
    dialog.get_by_role("button", name="Cancel").click()                 # asked first: cancel keeps it
    expect(page.locator('[data-qid="kl-direction"]')).to_have_class("quiz-question is-correct")
    page.get_by_role("button", name="Reset my answers").click()
    dialog.get_by_role("button", name="Reset this lesson").click()
    expect(page.locator('[data-qid="kl-direction"]')).to_have_class("quiz-question")
    expect(page.locator("#notices")).to_contain_text("was reset")
    expect(page.locator("#notices").get_by_role("button", name="Undo")).to_be_visible()
    page.reload()
    expect(page.locator(".quiz .progress-text")).to_have_text("Not started")


def test_a_click_lands_on_controls_below_a_chart(page):
    # Plotly injects styles; if the CSP blocked them its SVG layers would cover the page and eat clicks.
    open_lesson(page)
    hand_to_plotly(page.locator("[data-widget=temperature] [data-role=chart]"))
    button = page.locator("[data-widget=temperature]").get_by_role("button", name="Nearly flat")
    button.click(timeout=3000)  # a real click: fails if something else sits on top of the button
    expect(button).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("() => [...document.styleSheets].some(s => s.ownerNode && s.ownerNode.id && s.ownerNode.id.startsWith('plotly'))")


def test_a_fast_drag_over_a_slow_server_never_draws_an_older_temperature(page, allow_console_errors):
    # Every move asks the server here: no live socket (POST, which can be slowed) and no table of T.
    page.add_init_script("delete window.WebSocket")
    page.route("**/api/tables/**", lambda route: route.fulfill(status=503, body="{}"))
    open_lesson(page)
    import random
    import time

    rng = random.Random(4)

    def slow(route):
        time.sleep(rng.uniform(0.0, 0.08))  # answers arrive late and unevenly
        route.continue_()

    page.route("**/api/kd/soften", slow)
    chart = page.locator("[data-widget=temperature] [data-role=chart]")
    page.evaluate("""el => { window.__drawn = [];
        new MutationObserver(() => window.__drawn.push(Number(el.dataset.temperature)))
          .observe(el, { attributes: true, attributeFilter: ["data-temperature"] }); }""", chart.element_handle())
    slider = page.locator("[data-widget=temperature] [data-role=t-slider]")
    slider.focus()
    for _ in range(60):
        page.keyboard.press("ArrowRight")
    final = page.locator("[data-widget=temperature] [data-role=t-number]").input_value()
    expect(chart).to_have_attribute("data-temperature", final)
    drawn = page.evaluate("() => window.__drawn")
    assert drawn == sorted(drawn), drawn            # moving right only: never a step back to an older T
    assert len(drawn) < 60                          # stale states were skipped, not queued
