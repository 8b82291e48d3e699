"""A class on the live distillation lab in real Chromium: the instructor races SFT against KD on the projector,
a phone follows the same runs through the class (never holding their ids), reloads mid-run and catches up."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_classroom import PHONE, Room, room  # noqa: F401 - its `room` fixture, the pages' watch
from tests.engine_processes import webs_with_a_worker

LAB = '[data-widget="live-run"]'


def table_text(page: Page, role: str) -> list[str]:
    return page.locator(f'{LAB} [data-role="{role}"] tbody tr').all_inner_texts()


def test_a_phone_follows_the_instructors_race_and_catches_up_after_a_reload(room):
    lead, code = room.instructor("live-run")
    phone = room.follower(code, **PHONE)
    lab, follower = lead.locator(LAB), phone.locator(LAB)
    expect(lead.locator('[data-role="class-count"]')).to_have_text("1 screen following")
    expect(lead.locator('[data-role="class-ask"]')).to_be_hidden()       # nothing to ask about on the lab

    # The form is the class's state: the phone shows the instructor's settings as they change.
    lab.get_by_label("Student hidden width").select_option("16")
    lab.get_by_label("Seed").fill("7")
    expect(follower.get_by_label("Student hidden width")).to_have_value("16")
    expect(follower.get_by_label("Seed")).to_have_value("7")

    lab.get_by_role("button", name="SFT vs KD race").click()
    expect(follower.locator('[data-preset-choice="race"]')).to_have_attribute("aria-pressed", "true")
    expect(follower).to_have_attribute("data-state", "running", timeout=30_000)
    expect(follower.locator('[data-role="results"] tbody tr')).to_have_count(2)
    expect(follower.get_by_role("button", name="Cancel")).to_be_disabled()   # a follower cannot cancel the class's runs

    # The phone's page never learns a run's id: not in its page, not in any address it asked for.
    ids = lead.evaluate("() => document.querySelector('[data-widget=\"live-run\"]').explorer.classRuns().map((r) => r.id)")
    assert len(ids) == 2
    # Mid-run, the phone reloads: it catches up from the first step, then goes on live.
    expect(follower.locator('[data-role="status"]')).to_contain_text("step", timeout=30_000)
    phone.reload()
    expect(phone.locator("body")).to_have_attribute("data-following", "true")
    follower = phone.locator(LAB)
    expect(follower.locator('[data-role="results"] tbody tr')).to_have_count(2)

    expect(lab).to_have_attribute("data-state", "finished", timeout=120_000)
    expect(follower).to_have_attribute("data-state", "finished", timeout=30_000)
    # Every step on the phone's charts too (drawn once Plotly, asked for when the class's runs came, loaded).
    points = lab.locator("[data-role=loss-chart]").get_attribute("data-points")
    assert int(points) > 0
    expect(follower.locator("[data-role=loss-chart]")).to_have_attribute("data-points", points)
    # The same numbers on both screens: the final table and every logged step behind the charts.
    assert table_text(phone, "results") == table_text(lead, "results")
    assert len(table_text(lead, "results")) == 2 and "SFT (α=1)" in table_text(lead, "results")[0]
    assert table_text(phone, "curve-table") == table_text(lead, "curve-table")
    asked = phone.evaluate("() => performance.getEntriesByType('resource').map((e) => e.name).join(' ')")
    assert "/api/classes/" in asked and not any(i in asked or i in phone.content() for i in ids)

    # Exploring on one's own: the phone's own (empty) lab; following again: the class's runs.
    phone.get_by_role("button", name="Explore on my own").click()
    expect(follower).to_have_attribute("data-state", "idle")
    expect(follower.get_by_role("button", name="Cancel")).to_be_disabled()
    phone.get_by_role("button", name="Follow the instructor").click()
    expect(follower).to_have_attribute("data-state", "finished")
    assert table_text(phone, "results") == table_text(lead, "results")


def test_the_instructors_reload_keeps_the_class_runs(room):
    lead, code = room.instructor("live-run", "?steps=300&student_hidden=16")
    phone = room.follower(code, **PHONE)
    lead.locator(LAB).get_by_role("button", name="Start").click()
    expect(phone.locator(LAB)).to_have_attribute("data-state", "running", timeout=30_000)
    lead.reload()
    lab = lead.locator(LAB)
    expect(lab.locator('[data-role="results"] tbody tr')).to_have_count(1)      # its run, followed again
    expect(lab).to_have_attribute("data-state", "finished", timeout=60_000)
    expect(phone.locator(LAB)).to_have_attribute("data-state", "finished", timeout=30_000)
    assert table_text(phone, "results") == table_text(lead, "results")
    lab.get_by_role("button", name="Clear runs").click()                         # the class's charts clear too
    expect(phone.locator(f'{LAB} [data-role="results"] tbody tr')).to_have_count(0)


@pytest.fixture(scope="module")
def two_webs_one_worker(cache_dir, tmp_path_factory) -> Iterator[list[str]]:
    with webs_with_a_worker(cache_dir, tmp_path_factory.mktemp("class-lab-on-workers")) as urls:
        yield urls


def test_a_phone_on_another_process_follows_runs_trained_on_a_worker(browser, two_webs_one_worker):
    first, second = two_webs_one_worker
    room = Room(browser, first)
    try:
        lead, code = room.instructor("live-run", "?steps=200&student_hidden=16", base_url=first)
        phone = room.follower(code, base_url=second, **PHONE)
        lab = lead.locator(LAB)
        lab.get_by_role("button", name="Start").click()
        lab.get_by_label("alpha (weight on the gold label)").fill("1")
        lab.get_by_role("button", name="Start").click()
        expect(lab).to_have_attribute("data-state", "finished", timeout=120_000)
        expect(phone.locator(f'{LAB} [data-role="results"] tbody tr')).to_have_count(2)
        expect(phone.locator(LAB)).to_have_attribute("data-state", "finished", timeout=30_000)
        assert table_text(phone, "results") == table_text(lead, "results")
        assert table_text(phone, "curve-table") == table_text(lead, "curve-table")
    finally:
        problems = room.close()
    assert not problems, problems
