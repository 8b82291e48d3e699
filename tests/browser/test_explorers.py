"""Each lesson explorer in Chromium: a control moves, the chart shows the server's numbers for that state."""
from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import hand_to_plotly
from tests.browser.predictions import skip_predictions


def api(page, path: str, body: dict) -> dict:
    r = page.request.post(path, data=json.dumps(body), headers={"content-type": "application/json"})
    assert r.ok, r.text()
    return r.json()


def open_lesson(page):
    page.goto("/lessons/kd-loss")
    skip_predictions(page)
    for name in ("alpha", "t-squared", "reduction", "kl-direction"):
        page.locator(f"[data-widget={name}]").scroll_into_view_if_needed()   # Plotly loads when a chart is near
        expect(page.locator(f"[data-widget={name}] [data-role$=chart]").first).to_have_attribute("data-drawn", re.compile(".+"))
    return page


def plotted(page, chart) -> list:
    """The chart's traces, once they have caught up with what its shapes show (static/js/lib/fast-chart.js)."""
    hand_to_plotly(chart)
    return page.evaluate("el => el.data.map(t => t.y)", chart.element_handle())


def test_alpha_slider_redraws_the_sweep_and_the_pulls(page):
    w = open_lesson(page).locator("[data-widget=alpha]")
    w.locator("[data-role=alpha-slider]").focus()
    for _ in range(20):
        page.keyboard.press("ArrowRight")          # 0.50 -> 0.70, one hundredth per key
    expect(w.locator("[data-role=alpha-number]")).to_have_value("0.70")
    expect(w.locator("[data-role=sweep-chart]")).to_have_attribute("data-drawn", "0.70|2.00")
    expect(w.locator("[data-role=pull-chart]")).to_have_attribute("data-drawn", "0.70|2.00")
    answer = api(page, "/api/kd/loss", {"student_logits": [[1.0, 1.5, 0.2, 0.8, -0.5]], "teacher_logits": [[1, 6, 0, 4, -2]],
                                        "labels": [1], "alpha": 0.7, "temperature": 2.0})
    expect(w.locator("[data-role=loss]")).to_have_text(f"{answer['loss']:.3f}")
    expect(w.locator("[data-role=weighted-kd]")).to_have_text(f"{answer['weighted_kd']:.3f}")
    ce_pull, kd_pull, total = plotted(page, w.locator("[data-role=pull-chart]"))
    assert ce_pull == pytest.approx([-g for g in answer["grad"]["ce"][0]], abs=1e-12)
    assert kd_pull == pytest.approx([-g for g in answer["grad"]["kd"][0]], abs=1e-12)
    sweep = plotted(page, w.locator("[data-role=sweep-chart]"))
    assert sweep[2] == pytest.approx(answer["alpha_sweep"]["loss"], abs=1e-12)
    expect(w.locator("[data-role=summary]")).to_contain_text("At alpha 0.70")


def test_wrong_teacher_pulls_away_from_the_gold_label(page):
    w = open_lesson(page).locator("[data-widget=alpha]")
    w.get_by_role("button", name="Teacher is wrong").click()
    expect(w.locator("[data-role=teacher]")).to_have_value("1, 4, 0, 6, -2")
    expect(w.locator("[data-role=pull-chart]")).to_have_attribute("data-drawn", "0.50|2.00")
    hand_to_plotly(w.locator("[data-role=pull-chart]"))
    page.wait_for_function("el => el.data[1].y[3] > 0.3", arg=w.locator("[data-role=pull-chart]").element_handle())
    ce_pull, kd_pull, _ = plotted(page, w.locator("[data-role=pull-chart]"))
    assert max(range(5), key=lambda i: kd_pull[i]) == 3          # the teacher pulls wolf up hardest
    assert max(range(5), key=lambda i: ce_pull[i]) == 1          # the gold label still pulls dog up


def test_teacher_logits_of_the_wrong_length_are_explained(page):
    w = open_lesson(page).locator("[data-widget=alpha]")
    w.locator("[data-role=teacher]").fill("1, 2")
    expect(w.locator("[data-role=teacher-error]")).to_have_text("Give as many teacher logits as student logits (5).")
    expect(w.locator("[data-role=teacher]")).to_have_attribute("aria-invalid", "true")


def test_t_squared_reads_out_the_servers_slopes(page):
    w = open_lesson(page).locator("[data-widget=t-squared]")
    w.locator("[data-role=t-number]").fill("12.5")
    w.locator("[data-role=t-number]").press("Enter")
    expect(w.locator("[data-role=chart]")).to_have_attribute("data-drawn", "12.50")
    grid = [0.5 * 100 ** (i / 47) for i in range(48)]
    answer = api(page, "/api/kd/temperature-gradients", {
        "student_logits": [0.2, 2, 0.3, 0.5, 0.6, 0.1, -0.4, 5, 0.9, 2.5],
        "teacher_logits": [0.4, 3.2, 0.1, 1.1, 0.9, 0.3, -0.6, 9, 0.7, 4.4], "temperatures": [*grid, 12.5]})
    expect(w.locator("[data-role=slope]")).to_have_text(f"{answer['high_t_slope']:.2f}")
    expect(w.locator("[data-role=slope-t2]")).to_have_text(f"{answer['high_t_slope_t2']:.2f}")
    assert -2.3 < answer["high_t_slope"] < -1.9 and abs(answer["high_t_slope_t2"]) < 0.3
    expect(w.locator("[data-role=norm-t]")).to_have_text(f"{answer['grad_norm'][-1]:.2e}".replace("e-0", "e-"))
    curves = plotted(page, w.locator("[data-role=chart]"))
    assert curves[0] == pytest.approx(answer["grad_norm"][:48], rel=1e-9)


def test_reduction_lengthening_raises_the_seed_kl_only(page):
    w = open_lesson(page).locator("[data-widget=reduction]")
    before = float(w.locator("[data-role=seed]").inner_text())
    w.locator("[data-role=len-number]").fill("32")
    w.locator("[data-role=len-number]").press("Enter")
    expect(w.locator("[data-role=length-chart]")).to_have_attribute("data-drawn", "32|6|2")
    answer = api(page, "/api/kd/reduction", {"batch_size": 2, "seq_len": 32, "prompt_len": 6, "vocab": 16,
                                             "temperature": 2.0, "seed": 0})
    expect(w.locator("[data-role=seed]")).to_have_text(f"{answer['seed_kl'][-1]:.3f}")
    expect(w.locator("[data-role=token-mean]")).to_have_text(f"{answer['token_mean_kl'][-1]:.3f}")
    assert answer["seed_kl"][-1] > 1.5 * before


def test_kl_direction_shows_both_best_students(page):
    w = open_lesson(page).locator("[data-widget=kl-direction]")
    w.locator("[data-role=sep-number]").fill("8")
    w.locator("[data-role=sep-number]").press("Enter")
    expect(w.locator("[data-role=fit-chart]")).to_have_attribute("data-drawn", "8.0|0.60")
    answer = api(page, "/api/kd/kl-direction", {"separation": 8.0, "left_weight": 0.6, "width": 1.0})
    expect(w.locator("[data-role=forward]")).to_contain_text(f"peak {answer['forward']['mean']:.2f}")
    expect(w.locator("[data-role=reverse]")).to_contain_text(f"peak {answer['reverse']['mean']:.2f}")
    assert abs(answer["reverse"]["mean"] + 4) < 0.2


def test_every_explorer_has_a_text_alternative_labelled_sliders_and_a_demo_link(page):
    open_lesson(page)
    for name in ["temperature", "alpha", "t-squared", "reduction", "kl-direction"]:
        w = page.locator(f"[data-widget={name}]")
        expect(w.locator("[data-role=summary]")).not_to_be_empty()
        w.get_by_text("Show the numbers").click()
        expect(w.locator("table tbody tr").nth(1)).to_be_visible()   # filled when shown
        for slider in w.locator("input[type=range]").all():
            assert slider.get_attribute("aria-valuetext"), name
            assert w.locator(f"label[for='{slider.get_attribute('id')}']").count() == 1, name
        expect(w.locator("[data-role=demo-link]")).to_have_attribute("href", re.compile(rf"^/demo/{name}\?."))


def test_the_temperature_explorer_shows_a_runner_up_losing_mass_as_t_rises(page):
    w = open_lesson(page).locator("[data-widget=temperature]")
    w.get_by_role("button", name="Two favourites").click()
    expect(w.locator("[data-role=chart]")).to_have_attribute("data-temperature", "4.00")
    logits = [5.0, 4.8] + [1.0] * 10
    answer = api(page, "/api/kd/soften", {"logits": logits, "temperatures": [1, 4]})
    p1, p4 = answer["probs"][0][1], answer["probs"][1][1]
    assert p4 < p1                                                   # the runner-up lost mass
    expect(w.locator("[data-role=runner-up]")).to_have_text(f"tea {100 * p4:.1f}% ({100 * p1:.1f}%)")
    expect(w.locator("[data-role=runner-up-trend]")).to_have_text(f"losing: 4.8 > {answer['mean_logit'][1]:.2f}")
    # The two-class pair: its runner-up always gains.
    w.get_by_role("button", name="99/1 pair").click()
    expect(w.locator("[data-role=runner-up-trend]")).to_contain_text("gaining: 0 <")
