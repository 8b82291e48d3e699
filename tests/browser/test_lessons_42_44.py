"""Lessons 4.2 and 4.4 in Chromium as a learner uses them: the teacher-capture and quality-kept widgets."""
from __future__ import annotations

import json

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.predictions import skip_predictions, stored_lesson

SLOW = 120_000     # ms: the first request trains the teacher; a comparison trains two students


@pytest.fixture(scope="module", autouse=True)
def warm_teacher(base_url):
    """Train (or load) the server's teacher before the pages ask for it."""
    with httpx.Client(base_url=base_url, timeout=300) as c:
        assert c.post("/api/tinylm/teacher", json={}).status_code == 200


def api(page, path, body):
    r = page.request.post(path, data=json.dumps(body), headers={"content-type": "application/json"}, timeout=SLOW)
    assert r.ok, r.text()
    return r.json()


def open_42(page):
    page.goto("/lessons/kd-teacher-capture")
    skip_predictions(page, timeout=SLOW)
    widget = page.locator("[data-widget=teacher-capture]")
    widget.scroll_into_view_if_needed()   # Plotly loads when a chart comes near the viewport
    expect(widget.locator("[data-role=dist-chart] .main-svg").first).to_be_visible(timeout=SLOW)
    return widget


def test_lesson_4_2_reads_in_order(page):
    open_42(page)
    expect(page.locator("h1")).to_have_text("Knowledge distillation I: the teacher and capturing its logits")
    headings = page.locator("h2").all_inner_texts()
    for section in ["A teacher knows more than its answers", "Capturing top-k logprobs",
                    "The file: teacher_capture.jsonl", "What the trainer does with the missing mass",
                    "Key idea", "Key terms", "Check yourself"]:
        assert section in headings
    expect(page.locator(".quiz-question")).to_have_count(6)


def test_teacher_widget_shows_the_servers_distribution_coverage_and_jsonl_line(page):
    widget = open_42(page)
    answer = api(page, "/api/tinylm/teacher", {"example": 3, "position": 1, "k": 1, "temperature": 1.0})
    expect(widget.locator("[data-role=mass-kept]")).to_have_text(f"{100 * answer['mass_kept']:.2f}%")
    expect(widget.locator("[data-role=jsonl-line]")).to_have_text(answer["jsonl_line"])
    expect(widget.locator("[data-role=target]")).to_have_text(answer["target"])
    expect(widget.locator("mark.token")).to_have_text(f"[{answer['target']}]")
    expect(widget.locator("[data-role=status]")).to_have_text(f"Teacher {answer['teacher_id']}, order 3, position 1.")
    bars = page.evaluate("el => el.data[0].y", widget.locator("[data-role=dist-chart]").element_handle())
    assert bars == pytest.approx([d["p"] for d in answer["distribution"][:12]], abs=1e-12)
    cov = page.evaluate("el => el.data[0].y", widget.locator("[data-role=coverage-chart]").element_handle())
    assert cov == pytest.approx(answer["coverage"], abs=1e-12)

    # Keyboard: two steps right on the k slider (it starts at k = 1) -> k = 3, a longer line, more mass kept.
    widget.locator("[data-role=k-slider]").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(widget.locator("[data-role=coverage-chart]")).to_have_attribute("data-k", "3")
    k3 = api(page, "/api/tinylm/teacher", {"example": 3, "position": 1, "k": 3, "temperature": 1.0})
    expect(widget.locator("[data-role=jsonl-line]")).to_have_text(k3["jsonl_line"])
    assert len(json.loads(k3["jsonl_line"])["positions"][1]["ids"]) == 3
    expect(widget.locator("[data-role=mass-kept]")).to_have_text(f"{100 * k3['mass_kept']:.2f}%")
    assert k3["mass_kept"] > answer["mass_kept"]


def test_teacher_widget_position_example_and_table(page):
    widget = open_42(page)
    widget.locator("[data-role=position]").select_option("2")
    example = widget.locator("[data-role=example]")
    example.fill("10")
    example.press("Enter")
    example.blur()
    answer = api(page, "/api/tinylm/teacher", {"example": 10, "position": 2, "k": 1, "temperature": 1.0})
    expect(widget.locator("[data-role=target]")).to_have_text(answer["target"])
    widget.locator("summary", has_text="Show the numbers").first.click()
    rows = widget.locator("[data-role=dist-table] tbody tr")
    expect(rows).to_have_count(31)
    expect(rows.first.locator("th")).to_have_text(answer["distribution"][0]["token"])
    # A bad value is named in the widget, and nothing is sent.
    example.fill("500")
    example.blur()
    expect(widget.locator("[data-role=input-error]")).to_have_text("The order must be a whole number from 0 to 199.")


def test_lesson_4_2_numeric_quiz(page):
    open_42(page)
    q = page.locator('[data-qid="coverage-at-3"]')
    q.locator("input").fill("0.95")
    q.get_by_role("button", name="Check").click()
    expect(q).to_have_class("quiz-question is-correct")


def open_44(page):
    page.goto("/lessons/kd-quality-kept")
    skip_predictions(page, timeout=SLOW)
    widget = page.locator("[data-widget=quality-kept]")
    widget.scroll_into_view_if_needed()   # Plotly loads when a chart comes near the viewport
    expect(widget.locator("[data-role=chart] .main-svg").first).to_be_visible(timeout=SLOW)
    return widget


def test_quality_widget_compares_three_models_from_real_runs(page):
    widget = open_44(page)
    expect(page.locator("h1")).to_have_text("Knowledge distillation III: how much did the student keep?")
    expect(widget.locator("[data-role=status]")).to_contain_text("Done", timeout=SLOW)
    body = {"alpha": 0.5, "temperature": 2, "top_k": 8, "examples": 300, "steps": 400, "seed": 0}
    answer = api(page, "/api/tinylm/compare", body)          # cached: the run the page started
    rows = widget.locator("[data-role=results] tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(1)).to_contain_text(f"{answer['sft']['kl_to_truth']:.3f}")
    expect(rows.nth(2)).to_contain_text(f"{answer['kd']['kl_to_truth']:.3f}")
    q = answer["quality_kept"]
    expect(widget.locator("[data-role=ratio-kd]")).to_have_text(f"{100 * q['accuracy_ratio']['kd']:.1f}%")
    expect(widget.locator("[data-role=gap-kl]")).to_have_text(f"{100 * q['gap_closed']['kl_to_truth']:.1f}%")
    assert answer["kd"]["kl_to_truth"] < answer["sft"]["kl_to_truth"]
    curves = page.evaluate("el => el.data.map(t => t.y)", widget.locator("[data-role=chart]").element_handle())
    assert curves[1] == pytest.approx([r["kl_to_truth"] for r in answer["curves"]["kd"]], abs=1e-12)


def test_quality_widget_reruns_from_the_keyboard_and_names_bad_input(page):
    widget = open_44(page)
    expect(widget.locator("[data-role=status]")).to_contain_text("Done", timeout=SLOW)
    widget.locator("[data-role=steps]").select_option("100")
    seed = widget.locator("[data-role=seed]")
    seed.fill("3")
    seed.press("Enter")                                        # submits the form
    expect(widget.locator("[data-role=chart]")).to_have_attribute("data-seed", "3", timeout=SLOW)
    expect(widget.locator("[data-role=status]")).to_contain_text("seed 3")
    widget.locator("[data-role=alpha]").fill("1.5")
    widget.get_by_role("button", name="Train both students").press("Enter")
    expect(widget.locator("[data-role=input-error]")).to_have_text("alpha must be a number from 0 to 1.")


@pytest.mark.parametrize("path", ["/lessons/kd-teacher-capture", "/lessons/kd-quality-kept"])
def test_no_axe_violations_with_charts_drawn(page, path):
    import re

    from tests.browser.test_accessibility import violations

    page.goto(path)
    skip_predictions(page, timeout=SLOW)      # the page with its answers showing (tests/browser/test_accessibility.py
    #                                           judges it before, with the prediction panels open)
    for chart in page.locator("[data-widget] [data-role$=chart]").all():   # judge the page as people see it
        chart.scroll_into_view_if_needed()                                  # (Plotly loads when a chart is near)
        expect(chart).to_have_attribute("data-drawn", re.compile(".+"), timeout=SLOW)
    assert violations(page) == []


def test_lesson_4_2_predicting_k_is_scored_against_the_teachers_own_coverage(page):
    page.goto("/lessons/kd-teacher-capture")
    widget = page.locator("[data-widget=teacher-capture]")
    panel = widget.locator("[data-role=prediction]")
    expect(widget.locator("[data-role=coverage-chart]")).to_be_hidden()
    expect(widget.locator("[data-role=mass-kept]")).to_be_hidden()
    widget.locator("[data-role=k-slider]").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(panel.locator("[data-role=prediction-value]")).to_have_text("k = 3")
    panel.get_by_role("button", name="Lock my prediction").click()
    expect(panel).to_have_attribute("data-state", "revealed", timeout=SLOW)
    view = api(page, "/api/tinylm/teacher", {"example": 3, "position": 1, "k": 3, "temperature": 1.0})
    k = next(i + 1 for i, c in enumerate(view["coverage"]) if c >= 0.95)
    expect(panel.locator("[data-role=prediction-verdict]")).to_contain_text(
        f"You predicted k = 3. The answer: k = {k}. You were off by {abs(k - 3)}")
    saved = stored_lesson(page, "kd-teacher-capture")["predictions"]["k-for-95"]
    assert (saved["value"], saved["truth"], saved["off"]) == (3, k, abs(k - 3))
    expect(widget.locator("[data-role=coverage-chart]")).to_be_visible()


def test_lesson_4_4_prediction_is_revealed_by_training_both_students(page):
    page.goto("/lessons/kd-quality-kept")
    widget = page.locator("[data-widget=quality-kept]")
    panel = widget.locator("[data-role=prediction]")
    expect(widget.get_by_role("button", name="Train both students")).to_be_disabled()   # no peeking
    panel.get_by_label("Less than a third of the gap.").check()
    panel.get_by_role("button", name="Lock my prediction").click()
    expect(panel).to_have_attribute("data-state", "revealed", timeout=SLOW)
    body = {"alpha": 0.5, "temperature": 2, "top_k": 8, "examples": 300, "steps": 400, "seed": 0}
    answer = api(page, "/api/tinylm/compare", body)                        # the run the truth trained
    gap = answer["quality_kept"]["gap_closed"]["kl_to_truth"]
    band = "worse" if gap < 0 else "under-third" if gap < 1 / 3 else "third-to-two-thirds" if gap < 2 / 3 else "over-two-thirds"
    saved = stored_lesson(page, "kd-quality-kept")["predictions"]["gap-closed"]
    assert (saved["value"], saved["truth"]) == ("under-third", band)
    expect(panel.locator("[data-role=prediction-summary]")).to_contain_text(f"closed {100 * gap:.1f}% of the gap")
    expect(widget.locator("[data-role=status]")).to_contain_text("Done", timeout=SLOW)   # and the widget shows the run
    expect(widget.locator("[data-role=gap-kl]")).to_have_text(f"{100 * gap:.1f}%")
