"""A class in real Chromium: an instructor on a projector, followers on a laptop and a phone."""
from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import open_watched_page

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
PROJECTOR = {"viewport": {"width": 1280, "height": 720}}


class Room:
    """The pages of one class; every page's console errors fail the test."""

    def __init__(self, browser, base_url: str) -> None:
        self.browser, self.base_url = browser, base_url
        self.pages: list[Page] = []

    def open(self, path: str, base_url: str | None = None, **options) -> Page:
        page = open_watched_page(self.browser, base_url or self.base_url, **options)
        self.pages.append(page)
        page.goto(path)
        return page

    def instructor(self, widget: str = "temperature", query: str = "", base_url: str | None = None) -> tuple[Page, str]:
        """The demo page with a class started: (page, the class code)."""
        lead = self.open(f"/demo/{widget}{query}", base_url, **PROJECTOR)
        expect(lead.locator("body")).to_have_attribute("data-class-ready", "true")
        lead.click('[data-class-action="start"]')
        code = lead.locator('[data-role="class-code"]')
        expect(code).to_have_text(re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}$"))
        return lead, code.text_content().replace("-", "")

    def follower(self, code: str, base_url: str | None = None, **options) -> Page:
        page = self.open(f"/join/{code}", base_url, **options)
        expect(page.locator("body")).to_have_attribute("data-following", "true")
        return page

    def close(self) -> list[str]:
        problems = [p for page in self.pages for p in page.watch.problems]
        for page in self.pages:
            page.context.close()
        return problems


@pytest.fixture()
def room(browser, base_url) -> Iterator[Room]:
    r = Room(browser, base_url)
    yield r
    problems = r.close()
    assert not problems, problems


def set_t(page: Page, value: str) -> None:
    field = page.locator('[data-widget] [data-role="t-number"]')
    field.fill(value)
    field.press("Enter")


def expect_drawn_at(page: Page, T: str, probs: list[float]) -> None:
    """The follower's chart is at T, and its table holds the server's probabilities."""
    widget = page.locator("[data-widget]")
    expect(widget.locator("[data-role=chart]")).to_have_attribute("data-temperature", T)
    expect(widget.locator("[data-role=off-top-t]")).to_have_text(f"{100 * (1 - max(probs)):.1f}%")


def test_a_class_follows_answers_and_sees_the_reveal(room, base_url):
    lead, code = room.instructor()
    expect(lead.locator('[data-role="class-qr"]')).to_be_visible()
    assert lead.evaluate("img => img.complete && img.naturalWidth > 0", lead.locator('[data-role="class-qr"]').element_handle())
    # the join address is shown, and this server (127.0.0.1) is flagged as reachable from this computer only
    expect(lead.locator('[data-role="class-address"]')).to_have_text(re.compile(r"127\.0\.0\.1:\d+/join"))
    expect(lead.locator('[data-role="class-unreachable"]')).to_contain_text("--host 0.0.0.0")

    sockets: dict[str, list[str]] = {"laptop": [], "phone": []}
    laptop = room.follower(code)
    phone = room.follower(code, **PHONE)
    for name, page in (("laptop", laptop), ("phone", phone)):
        page.on("websocket", lambda ws, name=name: sockets[name].append(ws.url))
        page.on("request", lambda r, name=name: sockets[name].append(r.url) if "/api/kd/" in r.url else None)
    expect(lead.locator('[data-role="class-count"]')).to_have_text("2 screens following")
    expect(laptop.locator('[data-role="follow-count"]')).to_have_text("2 screens following")

    set_t(lead, "3.31")
    probs = httpx.post(f"{base_url}/api/kd/soften", json={"logits": [4.595, 0], "temperatures": [3.31]}).json()["probs"][0]
    for page in (laptop, phone):
        expect_drawn_at(page, "3.31", probs)
        expect(page.locator('[data-widget] [data-role="t-number"]')).to_have_value("3.31")
    lead.locator('[data-preset-choice="tokens"]').click()           # a preset: new logits for everyone
    expect(phone.locator('[data-widget] [data-role="logits"]')).to_have_value("6, 4.9, 4.5, 4.2, 3.6, 3.1, 2.4, 1")
    expect(phone.locator('[data-widget] [data-role="t-number"]')).to_have_value("2.00")
    # Following costs the followers no request of their own: every answer came with the instructor's state.
    assert sockets == {"laptop": [], "phone": []}

    lead.locator('[data-preset-choice="peaky"]').click()
    expect(laptop.locator('[data-widget] [data-role="logits"]')).to_have_value("4.595, 0")
    lead.select_option('[data-role="class-question"]', "kd-loss.runner-up-20")
    lead.click('[data-class-action="ask"]')
    for page, guess in ((laptop, "2.5"), (phone, "3.4")):
        card = page.locator('[data-role="follow-question"]')
        expect(card).to_contain_text("runner-up")
        card.locator('[data-role="answer-number"]').fill(guess)
        card.locator('[data-role="answer-number"]').press("Enter")
        card.locator('[data-role="answer-send"]').click()
        expect(card.locator('[data-role="class-locked"]')).to_contain_text(f"Your answer: {float(guess):.2f}")
    view = lead.locator('[data-role="class-question-view"]')
    expect(view.locator('[data-role="histogram-total"]')).to_have_text("2 answers")
    edges = [0.1 * 200 ** (i / 20) for i in range(21)]             # 20 log-even bins from 0.1 to 20
    bin_of = lambda v: max(i for i in range(20) if edges[i] <= v)  # noqa: E731
    counts = [int(c) for c in view.locator(".histogram-bin").evaluate_all("bins => bins.map(b => b.dataset.count)")]
    assert counts == [int(i in (bin_of(2.5), bin_of(3.4))) for i in range(20)]

    lead.click('[data-class-action="reveal"]')
    expect(view.locator('[data-role="class-answer"]')).to_have_text("Answer: T = 3.31")
    expect(laptop.locator('[data-role="class-distance"]')).to_have_text("You said 2.50: 0.81 too low (off by a factor of 1.33).")
    expect(phone.locator('[data-role="class-distance"]')).to_have_text("You said 3.40: 0.09 too high (off by a factor of 1.03).")
    # each learner sees only their own distance; the projector shows none
    expect(laptop.locator("body")).not_to_contain_text("3.40")
    expect(lead.locator("body")).not_to_contain_text("too low")

    lead.click('[data-class-action="end"]')
    lead.click('[data-class-action="end"]')                        # twice: a stray click ends nothing
    for page in (laptop, phone):
        expect(page.locator("body")).to_have_attribute("data-class-ended", "true")
        expect(page.locator('[data-role="follow-mode"]')).to_contain_text("The instructor ended the class.")
    expect(lead.locator('[data-class-action="start"]')).to_be_visible()


def test_detach_refollow_and_an_instructor_reload_keep_the_class(room):
    lead, code = room.instructor("alpha")
    learner = room.follower(code, **PHONE)
    learner.locator('[data-widget] [data-role="alpha-number"]').fill("0.9")
    learner.locator('[data-widget] [data-role="alpha-number"]').press("Enter")
    expect(learner.locator("body")).to_have_attribute("data-following", "false")
    expect(learner.locator('[data-role="follow-mode"]')).to_contain_text("Exploring on your own")
    lead.locator('[data-widget] [data-role="alpha-number"]').fill("0.2")
    lead.locator('[data-widget] [data-role="alpha-number"]').press("Enter")
    expect(learner.locator("[data-widget] [data-role=sweep-chart]")).to_have_attribute("data-drawn", "0.90|2.00")

    learner.click('[data-follow-action="toggle"]')                 # "Follow the instructor"
    expect(learner.locator("[data-widget] [data-role=sweep-chart]")).to_have_attribute("data-drawn", "0.20|2.00")

    lead.reload()                                                  # the class survives the instructor's reload
    expect(lead.locator('[data-role="class-code"]')).to_have_text(f"{code[:4]}-{code[4:]}")
    expect(lead.locator('[data-role="class-count"]')).to_have_text("1 screen following")
    lead.locator('[data-widget] [data-role="alpha-number"]').fill("0.75")
    lead.locator('[data-widget] [data-role="alpha-number"]').press("Enter")
    expect(learner.locator("[data-widget] [data-role=sweep-chart]")).to_have_attribute("data-drawn", "0.75|2.00")


def test_a_dropped_follower_reconnects_to_the_current_state(room):
    lead, code = room.instructor()
    sockets = []

    def relay(ws):
        ws.connect_to_server()
        sockets.append(ws)

    learner = open_watched_page(room.browser, room.base_url, **PHONE)
    room.pages.append(learner)
    learner.route_web_socket(re.compile(r"/api/classes/.*/socket$"), relay)
    learner.goto(f"/join/{code}")
    expect(learner.locator("body")).to_have_attribute("data-following", "true")
    sockets[0].close(code=1012, reason="Wi-Fi dropped")             # the phone loses the network
    expect(learner.locator('[data-role="follow-mode"]')).to_contain_text("Connection lost")
    set_t(lead, "7.5")                                             # the class moves on meanwhile
    expect(learner.locator("[data-widget] [data-role=chart]")).to_have_attribute("data-temperature", "7.50", timeout=15000)
    assert len(sockets) == 2
    expect(learner.locator('[data-role="follow-mode"]')).to_contain_text("Following the instructor")


def test_a_forged_lead_from_a_follower_page_is_refused(room):
    lead, code = room.instructor()
    learner = room.follower(code)
    closed = learner.evaluate("""async (code) => {
        const ws = new WebSocket(`ws://${location.host}/api/classes/${code}/socket`);
        const result = new Promise((resolve) => ws.addEventListener("close", (e) => resolve([e.code, e.reason])));
        ws.addEventListener("open", () => ws.send(JSON.stringify({ type: "lead", control: "a guess at the secret, 43 characters long" })));
        return result;
    }""", code)
    assert closed[0] == 1008 and "secret" in closed[1]
    set_t(lead, "4.00")
    expect(learner.locator("[data-widget] [data-role=chart]")).to_have_attribute("data-temperature", "4.00")


def test_a_class_across_two_processes_sharing_redis(browser, two_processes):
    """The instructor's page on one server process, a phone on the other: one class through Redis."""
    first, second = two_processes
    room = Room(browser, first)
    try:
        lead, code = room.instructor()
        phone = room.follower(code, base_url=second, **PHONE)
        expect(lead.locator('[data-role="class-count"]')).to_have_text("1 screen following")
        set_t(lead, "3.31")
        probs = httpx.post(f"{second}/api/kd/soften", json={"logits": [4.595, 0], "temperatures": [3.31]}).json()["probs"][0]
        expect_drawn_at(phone, "3.31", probs)
        lead.select_option('[data-role="class-question"]', "kd-loss.runner-up-20")
        lead.click('[data-class-action="ask"]')
        card = phone.locator('[data-role="follow-question"]')
        card.locator('[data-role="answer-number"]').fill("3")
        card.locator('[data-role="answer-number"]').press("Enter")
        card.locator('[data-role="answer-send"]').click()
        expect(lead.locator('[data-role="histogram-total"]')).to_have_text("1 answer")
        lead.click('[data-class-action="reveal"]')
        expect(phone.locator('[data-role="class-distance"]')).to_have_text("You said 3.00: 0.31 too low (off by a factor of 1.10).")
    finally:
        problems = room.close()
    assert not problems, problems


def test_class_pages_have_no_axe_violations(room):
    from tests.browser.test_accessibility import violations

    lead, code = room.instructor()
    lead.select_option('[data-role="class-question"]', "free")
    lead.locator('[data-role="class-prompt"]').fill("Set T where the runner-up reaches 20%")
    lead.click('[data-class-action="ask"]')
    learner = room.follower(code, **PHONE)
    expect(learner.locator('[data-role="answer-send"]')).to_be_visible()
    join = room.open("/join")
    for page in (lead, learner, join):
        assert violations(page) == [], page.url
    lead.click('[data-class-action="reveal"]')
    expect(learner.locator('[data-role="class-distance"]')).to_be_visible()
    assert violations(learner) == []
