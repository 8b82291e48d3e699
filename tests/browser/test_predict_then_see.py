"""Predict, then see, in Chromium (lesson 4.3): the widget hides its answer until the learner commits; the
prediction is locked and saved before the server is asked; the reveal is the server's number, scored."""
from __future__ import annotations

import json
import math

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import hand_to_plotly
from tests.browser.predictions import stored_lesson

RUNNER_UP = "**/api/predictions/kd-loss/runner-up-20"


def api_truth(page, pid: str, state: dict) -> dict:
    r = page.request.post(f"/api/predictions/kd-loss/{pid}", data=json.dumps({"state": state}),
                          headers={"content-type": "application/json"})
    assert r.ok, r.text()
    return r.json()


def test_a_slider_prediction_is_locked_before_the_reveal_and_scored_against_the_servers_number(page):
    page.goto("/lessons/kd-loss")
    w = page.locator("[data-widget=temperature]")
    panel = w.locator("[data-role=prediction]")
    expect(w).to_have_attribute("data-predicting", "true")
    expect(w.locator("[data-role=chart]")).to_be_hidden()          # the answer is not on screen yet
    expect(w.locator("[data-role=runner-up]")).to_be_hidden()

    held = []
    page.route(RUNNER_UP, lambda route: held.append(route))        # hold the server's answer for a moment
    number = w.locator("[data-role=t-number]")
    number.fill("2.5")
    number.press("Enter")
    expect(panel.locator("[data-role=prediction-value]")).to_have_text("T = 2.50")
    panel.get_by_role("button", name="Lock my prediction").click()
    for _ in range(50):                                            # the route handler runs while Playwright waits
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the page never asked the server for the truth"

    # Locked: the slider cannot move, the prediction is already saved, the answer still hidden.
    expect(w.locator("[data-role=t-slider]")).to_be_disabled()
    expect(number).to_be_disabled()
    expect(panel.get_by_role("button", name="Lock my prediction")).to_be_disabled()
    expect(w.locator("[data-role=chart]")).to_be_hidden()
    saved = stored_lesson(page, "kd-loss")["predictions"]["runner-up-20"]
    assert (saved["value"], saved["truth"], saved["off"]) == (2.5, None, None)
    sent = held[0].request.post_data_json
    assert sent["state"]["logits"] == [4.595, 0] and sent["state"]["T"] == 2.5
    held[0].continue_()

    # Revealed: the server's number, how far off the prediction was, and the widget's outputs.
    expect(panel).to_have_attribute("data-state", "revealed")
    truth = api_truth(page, "runner-up-20", sent["state"])["truth"]
    assert truth == pytest.approx(4.595 / math.log(4), rel=1e-10)
    off = abs(2.5 - truth)
    expect(panel.locator("[data-role=prediction-verdict]")).to_have_text(
        f"You predicted T = 2.5. The answer: T = {truth:.2f}. You were off by {off:.2f} ({round(100 * off / truth)}%).")
    expect(panel.locator("[data-role=prediction-summary]")).to_contain_text(f"20.0% at T = {truth:.2f}")
    saved = stored_lesson(page, "kd-loss")["predictions"]["runner-up-20"]
    assert saved["value"] == 2.5 and saved["truth"] == pytest.approx(truth, rel=1e-12)
    assert saved["off"] == pytest.approx(off, rel=1e-12)
    expect(w).not_to_have_attribute("data-predicting", "true")
    expect(w.locator("[data-role=chart]")).to_be_visible()
    expect(number).to_be_enabled()

    # "Move the slider to the answer" shows the 80/20 split itself.
    panel.get_by_role("button", name="Move the slider to the answer").click()
    expect(w.locator("[data-role=chart]")).to_have_attribute("data-temperature", f"{truth:.2f}")
    hand_to_plotly(w.locator("[data-role=chart]"))                 # Plotly's hover traces caught up
    bars = page.evaluate("el => el.data[1].y", w.locator("[data-role=chart]").element_handle())
    assert bars[1] == pytest.approx(0.2, abs=1e-3)

    # A reload keeps the revealed prediction: nothing hidden, the verdict still there.
    page.reload()
    panel = page.locator("[data-widget=temperature] [data-role=prediction]")
    expect(panel).to_have_attribute("data-state", "revealed")
    expect(panel.locator("[data-role=prediction-verdict]")).to_contain_text(f"off by {off:.2f}")
    expect(page.locator("[data-widget=temperature] [data-role=chart]")).to_be_visible()


def test_a_choice_prediction_is_scored_against_the_servers_autograd(page):
    page.goto("/lessons/kd-loss")
    w = page.locator("[data-widget=t-squared]")
    panel = w.locator("[data-role=prediction]")
    expect(w.locator("[data-role=chart]")).to_be_hidden()
    panel.get_by_role("button", name="Lock my prediction").click()
    expect(panel.locator("[data-role=prediction-status]")).to_have_text("Choose one answer first.")
    panel.get_by_label("It stays within a quarter of its size: T² holds it steady.").check()
    panel.get_by_role("button", name="Lock my prediction").click()
    expect(panel).to_have_attribute("data-state", "revealed")
    state = {"preset": "digit", "T": 4, "student": [0.2, 2, 0.3, 0.5, 0.6, 0.1, -0.4, 5, 0.9, 2.5],
             "teacher": [0.4, 3.2, 0.1, 1.1, 0.9, 0.3, -0.6, 9, 0.7, 4.4]}
    answer = api_truth(page, "pull-1-to-4", state)
    assert answer["truth"] == "grows"
    expect(panel.locator("[data-role=prediction-verdict]")).to_have_text(
        "You predicted “It stays within a quarter of its size: T² holds it steady”. "
        "The answer: “It grows by more than a quarter”.")
    expect(panel.locator("[data-role=prediction-summary]")).to_have_text(answer["summary"])
    saved = stored_lesson(page, "kd-loss")["predictions"]["pull-1-to-4"]
    assert (saved["value"], saved["truth"], saved["off"]) == ("flat", "grows", None)
    expect(panel.get_by_label("It grows by more than a quarter.")).to_be_disabled()
    expect(w.locator("[data-role=chart]")).to_be_visible()
    expect(w.locator("[data-role=pull-change]")).to_contain_text(f"×{answer['detail']['ratio']:.2f}")


def test_a_prediction_locked_while_the_server_was_unreachable_is_revealed_on_the_next_visit(page, allow_console_errors):
    page.goto("/lessons/kd-loss")
    page.route(RUNNER_UP, lambda route: route.abort())
    w = page.locator("[data-widget=temperature]")
    w.locator("[data-role=t-number]").fill("4")
    w.locator("[data-role=t-number]").press("Enter")
    w.get_by_role("button", name="Lock my prediction").click()
    status = w.locator("[data-role=prediction-status]")
    expect(status).to_contain_text("Your prediction is kept")
    expect(w.locator("[data-role=chart]")).to_be_hidden()           # no answer, so nothing revealed
    assert stored_lesson(page, "kd-loss")["predictions"]["runner-up-20"]["value"] == 4
    page.unroute(RUNNER_UP)
    page.reload()
    panel = page.locator("[data-widget=temperature] [data-role=prediction]")
    expect(panel).to_have_attribute("data-state", "revealed")
    expect(panel.locator("[data-role=prediction-verdict]")).to_contain_text("You predicted T = 4.")
    assert stored_lesson(page, "kd-loss")["predictions"]["runner-up-20"]["truth"] == pytest.approx(3.3146, abs=1e-3)


def test_skipping_shows_the_answer_and_records_no_prediction(page):
    page.goto("/lessons/kd-loss")
    w = page.locator("[data-widget=temperature]")
    w.get_by_role("button", name="Skip: just show me").click()
    panel = w.locator("[data-role=prediction]")
    expect(panel).to_have_attribute("data-state", "revealed")
    expect(panel.locator("[data-role=prediction-verdict]")).to_have_text("You skipped the prediction. The answer: T = 3.31.")
    assert "runner-up-20" not in stored_lesson(page, "kd-loss")["predictions"]
    expect(w.locator("[data-role=chart]")).to_be_visible()


def test_a_prediction_of_something_that_never_happens_is_kept_as_revealed(page):
    page.goto("/lessons/kd-loss")
    w = page.locator("[data-widget=temperature]")
    w.locator("[data-role=logits]").fill("0.3, 0, 0, 0, 0, 0, 0, 0, 0, 0")   # no class ever reaches 20%
    w.locator("[data-role=t-number]").fill("5")
    w.locator("[data-role=t-number]").press("Enter")
    w.get_by_role("button", name="Lock my prediction").click()
    panel = w.locator("[data-role=prediction]")
    expect(panel).to_have_attribute("data-state", "revealed")
    expect(panel.locator("[data-role=prediction-verdict]")).to_have_text(
        "You predicted T = 5. For this state it never happens, so there is nothing to score.")
    assert stored_lesson(page, "kd-loss")["predictions"]["runner-up-20"] | {"at": 0} == \
        {"value": 5, "truth": "never", "off": None, "at": 0}
    page.reload()                                  # revealed stays revealed: not asked again for other logits
    panel = page.locator("[data-widget=temperature] [data-role=prediction]")
    expect(panel).to_have_attribute("data-state", "revealed")
    expect(panel.locator("[data-role=prediction-verdict]")).to_contain_text("never happens")
