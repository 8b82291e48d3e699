"""The live lab in Chromium: start runs, watch the charts grow to the end, cancel, see errors."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

LAB = "[data-widget=live-run]"


def points(page) -> int:
    return int(page.locator(f"{LAB} [data-role=loss-chart]").get_attribute("data-points") or 0)


def open_lab(page, url="/lessons/kd-loss"):
    page.goto(url)
    lab = page.locator(LAB)
    lab.scroll_into_view_if_needed()
    # Before a run the charts are first frames (Plotly loads when a run starts: test_live_run_first_frame.py).
    expect(lab.locator("[data-role=loss-chart]")).to_have_attribute("data-drawn", "0")
    return lab


def test_a_run_started_from_the_form_grows_its_chart_to_the_end(page):
    lab = open_lab(page)
    lab.get_by_label("Steps").fill("600")
    lab.get_by_label("Student hidden width").select_option("16")
    lab.get_by_role("button", name="Start").click()
    # The chart grows while the run trains: a first point, then more, then all 100 logged steps.
    page.wait_for_function("() => Number(document.querySelector('[data-widget=live-run] [data-role=loss-chart]').dataset.points) > 0")
    expect(lab).to_have_attribute("data-state", "finished", timeout=60_000)
    assert points(page) == 100
    traces = page.evaluate("() => document.querySelector('[data-widget=live-run] [data-role=loss-chart]').data"
                           ".map(t => [t.name, t.x.length, t.x[t.x.length - 1]])")
    assert [t[1:] for t in traces] == [[100, 600]] * 3  # total, alpha·CE, (1 − alpha)·T²·KL
    assert "64-16-10" in traces[0][0]
    progress = lab.get_by_role("progressbar")
    expect(progress).to_have_attribute("aria-valuenow", "100")
    results = lab.locator("[data-role=results] tbody tr")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("done")
    expect(results.first).to_contain_text(re.compile(r"\d+\.\d%"))
    # The charts' text alternative: the logged numbers, in a table a keyboard user can open.
    lab.locator("summary", has_text="Show the numbers").click()
    expect(lab.locator("[data-role=curve-table] tbody tr")).to_have_count(10)
    assert "test accuracy" in lab.locator("[data-role=acc-chart]").get_attribute("aria-label")


@pytest.mark.slow
def test_the_missing_3_preset(page):
    lab = open_lab(page)
    lab.get_by_role("button", name="The missing 3").click()
    expect(lab).to_have_attribute("data-state", "finished", timeout=90_000)
    rows = lab.locator("[data-role=results] tbody tr")
    expect(rows).to_have_count(2)
    sft, kd = rows.nth(0).inner_text(), rows.nth(1).inner_text()
    assert "SFT" in sft and "digit 3: 0.0%" in sft
    kd_three = float(re.search(r"digit 3: ([\d.]+)%", kd).group(1))
    assert kd_three >= 80.0
    # The bias fix columns (checked by the preset) come from the server's done event.
    expect(lab.locator("[data-role=results] thead")).to_contain_text("bias fix")
    assert re.search(r"\+\d+\.\d\d", kd)
    assert points(page) == 200


def test_cancel_stops_the_run(page):
    lab = open_lab(page)
    lab.get_by_label("Steps").fill("5000")
    lab.get_by_role("button", name="Start").click()
    page.wait_for_function("() => Number(document.querySelector('[data-widget=live-run] [data-role=loss-chart]').dataset.points) > 2")
    lab.get_by_role("button", name="Cancel").click()
    expect(lab).to_have_attribute("data-state", "finished")
    expect(lab.locator("[data-role=results] tbody tr").first).to_contain_text("cancelled")
    assert points(page) < 100


def test_bad_settings_are_named_before_and_by_the_server(page, allow_console_errors):
    lab = open_lab(page)
    lab.get_by_label("alpha (weight on the gold label)").fill("1.5")
    lab.get_by_role("button", name="Start").click()
    expect(lab.get_by_role("alert")).to_contain_text("alpha (weight on the gold label) must be from 0 to 1")
    expect(lab.get_by_label("alpha (weight on the gold label)")).to_have_attribute("aria-invalid", "true")
    # A setting only the server knows is too big: its 422 names the field.
    lab.get_by_label("alpha (weight on the gold label)").fill("0.5")
    page.route("**/api/runs", lambda route: route.continue_(post_data=route.request.post_data.replace(
        '"steps":600', '"steps":999999')))
    lab.get_by_label("Steps").fill("600")
    lab.get_by_role("button", name="Start").click()
    expect(lab.get_by_role("alert")).to_contain_text("steps: at most 5000 steps on this server")
    expect(lab.locator("[data-role=results] tbody tr")).to_have_count(0)


def test_the_demo_link_carries_the_settings_and_bad_ones_fall_back(page):
    lab = open_lab(page)
    lab.get_by_label("Temperature T").fill("6")
    lab.get_by_label("Leave a class out").select_option("5")
    href = lab.get_by_role("link", name="Open in demo mode").get_attribute("href")
    assert href.startswith("/demo/live-run?") and "T=6" in href and "omit_class=5" in href
    lab = open_lab(page, "/demo/live-run?alpha=oops&student_hidden=7&omit_class=12")
    expect(lab.get_by_label("alpha (weight on the gold label)")).to_have_value("0.5")
    expect(lab.get_by_label("Student hidden width")).to_have_value("32")
    expect(lab.get_by_label("Leave a class out")).to_have_value("")


def test_the_demo_page_shows_the_lab_with_its_settings(page):
    lab = open_lab(page, "/demo/live-run?alpha=0.25&T=8&steps=300&omit_class=3")
    expect(lab.get_by_label("alpha (weight on the gold label)")).to_have_value("0.25")
    expect(lab.get_by_label("Temperature T")).to_have_value("8")
    expect(lab.get_by_label("Leave a class out")).to_have_value("3")
    lab.get_by_role("button", name="Start").click()
    expect(lab).to_have_attribute("data-state", "finished", timeout=60_000)
    expect(lab.locator("[data-role=results] tbody tr").first).to_contain_text("no 3s")


def test_the_lab_is_keyboard_operable(page):
    lab = open_lab(page)
    lab.get_by_label("Steps").fill("200")
    lab.get_by_label("Steps").press("Enter")  # submitting the form from the keyboard starts a run
    expect(lab).to_have_attribute("data-state", "finished", timeout=60_000)
    expect(lab.locator("[data-role=results] tbody tr")).to_have_count(1)


def test_a_busy_server_and_no_server_are_explained(page, allow_console_errors):
    lab = open_lab(page)
    page.route("**/api/runs", lambda route: route.fulfill(
        status=429, content_type="application/json",
        body='{"detail": "2 run(s) training and 8 waiting, the most this server allows (2 + 8); try again"}'))
    lab.get_by_role("button", name="Start").click()
    expect(lab.get_by_role("alert")).to_contain_text("The server is busy: 2 run(s) training and 8 waiting")
    page.unroute("**/api/runs")
    page.route("**/api/runs", lambda route: route.abort())
    lab.get_by_role("button", name="Start").click()
    expect(lab.get_by_role("alert")).to_contain_text("Could not reach the server")
    expect(lab.locator("[data-role=results] tbody tr")).to_have_count(0)
    expect(lab).to_have_attribute("data-state", "idle")


def test_the_lab_has_no_axe_violations_after_a_run(page):
    from axe_playwright_python.sync_playwright import Axe

    lab = open_lab(page)
    lab.get_by_label("Steps").fill("200")
    lab.get_by_label("Leave a class out").select_option("3")
    lab.get_by_role("button", name="Start").click()
    expect(lab).to_have_attribute("data-state", "finished", timeout=60_000)
    lab.get_by_label("Show the bias fix on the left-out class (Hinton et al. 2015, §3)").check()
    lab.locator("summary", has_text="Show the numbers").click()
    violations = Axe().run(page, context="[data-widget=live-run]").response["violations"]
    assert [(v["id"], v["help"]) for v in violations] == []


def test_four_runs_overlay_and_a_fifth_replaces_the_oldest(page):
    lab = open_lab(page)
    lab.get_by_label("Steps").fill("50")
    for seed in range(5):
        lab.get_by_label("Seed", exact=True).fill(str(seed))
        lab.get_by_role("button", name="Start").click()
        expect(lab.locator("[data-role=results] tbody tr").last).to_contain_text(f"seed {seed}")
        expect(lab).to_have_attribute("data-state", "finished", timeout=30_000)
    rows = lab.locator("[data-role=results] tbody tr")
    expect(rows).to_have_count(4)
    # Run 1 made room; its colour went to run 5.
    assert [r.split(":")[0].strip() for r in rows.all_inner_texts()] == [
        "Run 2 (orange)", "Run 3 (green)", "Run 4 (purple)", "Run 5 (blue)"]
    names = lab.locator("[data-role=run-legend] li").all_inner_texts()   # the runs' HTML legend, for both charts
    assert len(names) == 4 and all(f"seed {s}" in n for s, n in zip(range(1, 5), names))
    assert points(page) == 4 * 50
