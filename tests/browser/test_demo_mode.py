"""Presenter view in Chromium: driven from the keyboard, its state in the address bar, links that reopen it."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect


def query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def open_demo(page, path: str):
    page.goto(path)
    expect(page.locator("body")).to_have_attribute("data-demo-ready", "true")
    expect(page.locator("[data-widget] [data-role$=chart]").first).to_have_attribute("data-drawn", re.compile(".+"))
    return page.locator("[data-widget]")


def test_keys_drive_the_alpha_demo_and_the_address_bar_follows(page):
    w = open_demo(page, "/demo/alpha")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")                   # alpha 0.50 -> 0.60 in steps of 0.05
    expect(w.locator("[data-role=sweep-chart]")).to_have_attribute("data-drawn", "0.60|2.00")
    assert query(page)["alpha"] == "0.6"
    page.keyboard.press("ArrowRight")                # T up one step on the log scale
    expect(w.locator("[data-role=t-number]")).not_to_have_value("2.00")
    T = w.locator("[data-role=t-number]").input_value()
    expect(w.locator("[data-role=sweep-chart]")).to_have_attribute("data-drawn", f"0.60|{T}")
    assert float(query(page)["T"]) == float(T) > 2
    page.keyboard.press("Shift+ArrowDown")           # a big step: 0.60 -> 0.35
    expect(w.locator("[data-role=alpha-number]")).to_have_value("0.35")

    page.keyboard.press("2")                         # preset 2: the wrong teacher
    expect(w.get_by_role("button", name="Teacher is wrong")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-role=demo-status]")).to_have_text("Teacher is wrong · alpha = 0.50 · T = 2.00")
    assert query(page)["preset"] == "wrong-teacher" and query(page)["teacher"] == "1,4,0,6,-2"

    page.keyboard.press("r")                         # back to what the link opened: the default view
    expect(w.get_by_role("button", name="Teacher agrees with the label")).to_have_attribute("aria-pressed", "true")
    expect(w.locator("[data-role=sweep-chart]")).to_have_attribute("data-drawn", "0.50|2.00")


def test_keys_leave_text_fields_alone(page):
    w = open_demo(page, "/demo/alpha")
    field = w.locator("[data-role=student]")
    field.click()
    field.press("End")
    field.type("2?")                                 # typed into the field: no preset switch, no key list
    expect(field).to_have_value("1, 1.5, 0.2, 0.8, -0.52?")
    expect(page.locator("[data-role=keys-dialog]")).to_be_hidden()
    expect(w.get_by_role("button", name="Teacher agrees with the label")).to_have_attribute("aria-pressed", "true")


def test_question_mark_shows_the_keys_and_escape_hides_them(page):
    open_demo(page, "/demo/t-squared")
    dialog = page.locator("[data-role=keys-dialog]")
    expect(dialog).to_be_hidden()
    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Full screen")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_presenter_tools_work_on_the_live_lab(page):
    page.goto("/demo/live-run")
    expect(page.locator("body")).to_have_attribute("data-demo-ready", "true")
    page.get_by_role("button", name="Keys").click()
    expect(page.locator("[data-role=keys-dialog]")).to_be_visible()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("[data-role=demo-status]")).to_contain_text("/demo/live-run")


def test_f_toggles_full_screen(page):
    open_demo(page, "/demo/temperature")
    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement !== null")
    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement === null")


def test_a_copied_link_reopens_exactly_the_same_view(page, browser, base_url):
    w = open_demo(page, "/demo/t-squared")
    page.keyboard.press("3")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    T = w.locator("[data-role=t-number]").input_value()
    expect(w.locator("[data-role=chart]")).to_have_attribute("data-drawn", T)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("[data-role=demo-status]")).to_contain_text(page.url)
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == page.url
    slope = w.locator("[data-role=slope]").inner_text()

    other = browser.new_context(base_url=base_url).new_page()
    other.goto(link)
    w2 = other.locator("[data-widget]")
    expect(w2.locator("[data-role=chart]")).to_have_attribute("data-drawn", T)
    expect(w2.locator("[data-role=student]")).to_have_value("0, 0, 0, 0")
    expect(w2.get_by_role("button", name="Student far from teacher")).to_have_attribute("aria-pressed", "true")
    expect(w2.locator("[data-role=slope]")).to_have_text(slope)
    assert other.url == link
    other.context.close()


def test_the_lessons_demo_link_carries_the_explorers_state(page):
    page.goto("/lessons/kd-loss")
    w = page.locator("[data-widget=alpha]")
    w.get_by_role("button", name="Student already right").click()
    w.locator("[data-role=alpha-number]").fill("0.25")
    w.locator("[data-role=alpha-number]").press("Enter")
    expect(w.locator("[data-role=sweep-chart]")).to_have_attribute("data-drawn", "0.25|2.00")
    w.get_by_role("link", name="Open in demo mode").click()
    demo = open_demo(page, page.url)
    assert urlparse(page.url).path == "/demo/alpha"
    expect(demo.locator("[data-role=alpha-number]")).to_have_value("0.25")
    expect(demo.locator("[data-role=student]")).to_have_value("-1, 5, -2, 0.5, -3")
    expect(demo.locator("[data-role=sweep-chart]")).to_have_attribute("data-drawn", "0.25|2.00")
    expect(page.locator("[data-role=param-notices]")).to_have_count(0)


def test_the_temperature_demo_opens_from_the_documented_link(page):
    w = open_demo(page, "/demo/temperature?T=3.3&logits=4.6,0")
    expect(w.locator("[data-role=chart]")).to_have_attribute("data-drawn", "3.30")
    expect(w.locator("[data-role=logits]")).to_have_value("4.6, 0")
    page.keyboard.press("ArrowLeft")
    expect(w.locator("[data-role=chart]")).not_to_have_attribute("data-drawn", "3.30")
    assert float(query(page)["T"]) < 3.3


def test_a_bad_query_value_falls_back_with_a_visible_notice(page):
    w = open_demo(page, "/demo/t-squared?T=999&student=1,x")
    notices = page.locator("[data-role=param-notices] .notice")
    expect(notices).to_have_count(2)
    expect(notices.first).to_contain_text("Ignored T='999'")
    expect(w.locator("[data-role=t-number]")).to_have_value("4.00")        # the preset's T
    expect(w.locator("[data-role=chart]")).to_have_attribute("data-drawn", "4.00")
    assert query(page)["T"] == "4"                                        # the address bar shows what is drawn
