"""Slider tables in Chromium: once a slider's table is in, a drag asks the server nothing and draws the
server's numbers; an exact value the slider cannot reach still asks; the page steps every slider to values
its table holds."""
from __future__ import annotations

import json
import random
import re

import pytest
from playwright.sync_api import expect

from app.widgets import widget_spec
from app.widgets.slider_positions import reachable_values
from tests.browser.helpers import hand_to_plotly
from tests.browser.predictions import skip_predictions
from tests.tables import assert_same

EXPLORERS = ["temperature", "alpha", "t-squared", "reduction", "kl-direction"]
# explorer → {registry parameter: the data-role prefix of its slider}
SLIDERS = {"temperature": {"T": "t"}, "alpha": {"alpha": "alpha", "T": "t"}, "t-squared": {"T": "t"},
           "reduction": {"seq_len": "len", "prompt_len": "prompt", "batch_size": "batch"},
           "kl-direction": {"separation": "sep", "left_weight": "weight"}}

# Traces of the charts (once current) against the server's answer: (chart role, trace index, field).
DRAWN = {
    "temperature": [("chart", 1, lambda a: a["probs"][1])],
    "alpha": [("sweep-chart", 1, lambda a: a["alpha_sweep"]["weighted_kd"]), ("sweep-chart", 2, lambda a: a["alpha_sweep"]["loss"]),
              ("pull-chart", 0, lambda a: [-g for g in a["grad"]["ce"][0]]),
              ("pull-chart", 2, lambda a: [-g for g in a["grad"]["total"][0]])],
    "t-squared": [("chart", 0, lambda a: a["grad_norm"][:-1])],
    "reduction": [("length-chart", 0, lambda a: a["seed_kl"]), ("length-chart", 1, lambda a: a["token_mean_kl"])],
    "kl-direction": [("fit-chart", 0, lambda a: a["teacher"]), ("fit-chart", 2, lambda a: a["reverse"]["probs"]),
                     ("landscape-chart", 1, lambda a: a["reverse_by_mean"])],
}

# The y of every point of a path shape "M x,yLx,y…" (a line drawn by static/js/lib/fast-chart.js).
PATH_YS = "path => path.slice(1).split('L').map((p) => Number(p.split(',')[1]))"


def open_lesson(page):
    page.goto("/lessons/kd-loss")
    skip_predictions(page)   # (a widget asking for a prediction hides its chart, which cannot then be hovered)
    for name in EXPLORERS:
        chart = page.locator(f"[data-widget={name}] [data-role$=chart]").first
        chart.scroll_into_view_if_needed()
        expect(chart).to_have_attribute("data-drawn", re.compile(".+"))


class Traffic:
    """Every request the page makes: live-socket messages and HTTP POSTs to the API."""

    def __init__(self, page) -> None:
        self.sent: list[dict] = []
        page.on("websocket", lambda ws: ws.on("framesent", lambda payload: self.sent.append(json.loads(payload))))
        page.on("request", lambda r: self.sent.append({"path": r.url, "body": r.post_data_json})
                if "/api/" in r.url and r.method == "POST" else None)

    def since(self, start: int) -> list[dict]:
        return self.sent[start:]


def wait_for_table(page, root, param: str) -> None:
    page.wait_for_function("([root, p]) => root.explorer.data.tableFor(p) !== null", arg=[root, param], timeout=30000)


def drawn_and_asked(page, root) -> tuple[dict, dict, dict | None]:
    """The explorer's state, the single request it would send for it, and the answer its tables give."""
    return page.evaluate("""root => {
        const d = root.explorer.data;
        const found = d.fromTables(d.state);
        return [d.state, { path: d.single.path, body: d.single.body(d.state) }, found && found.answer];
    }""", root)


def server_answer(page, request: dict) -> dict:
    r = page.request.post(request["path"], data=json.dumps(request["body"]), headers={"content-type": "application/json"})
    assert r.ok, r.text()
    return r.json()


@pytest.mark.parametrize("widget", EXPLORERS)
def test_the_page_steps_every_slider_to_a_value_its_table_holds(page, widget):
    """Position by position, the values the page's sliders take are the server's (app/widgets/slider_positions.py)."""
    open_lesson(page)
    root = page.locator(f"[data-widget={widget}]").element_handle()
    for param in SLIDERS[widget]:
        values = page.evaluate("""([root, param]) => {
            const s = root.explorer.sliders[param];
            const keep = s.onChange, before = s.value;
            s.onChange = () => {};
            const seen = [];
            for (let p = 0; p <= s.steps; p++) { s.set(s.fromPosition(p), "range"); seen.push(s.value); }
            s.set(before, "range");
            s.onChange = keep;
            return seen;
        }""", [root, param])
        assert sorted(set(values)) == reachable_values(widget_spec(widget).param(param)), (widget, param)


@pytest.mark.parametrize("widget", EXPLORERS)
def test_a_drag_asks_nothing_once_the_table_is_in_and_draws_the_servers_numbers(page, widget):
    traffic = Traffic(page)
    open_lesson(page)
    w = page.locator(f"[data-widget={widget}]")
    root = w.element_handle()
    rng = random.Random(widget)
    for param, role in SLIDERS[widget].items():
        w.locator(f"[data-role={role}-slider]").focus()           # a slider that gets the focus asks for its table
        wait_for_table(page, root, param)
        start = len(traffic.sent)
        forward = rng.random() < 0.5
        for _ in range(rng.randint(3, 12)):
            page.keyboard.press("ArrowRight" if forward else "ArrowLeft")
        page.keyboard.press("End" if forward else "Home")
        page.keyboard.press("ArrowLeft" if forward else "ArrowRight")
        # Nothing for the drag itself: no answer asked for, nor this slider's table again. (Once the explorer
        # is still for a moment it may bring its other sliders' tables up to date: that is not the drag.)
        asked = [m["path"] for m in traffic.since(start)
                 if "/api/kd/" in m["path"] or m["path"].endswith(f"/api/tables/{widget}/{param}")]
        assert asked == [], f"{widget} {param}: a drag asked {asked}"
        state, request, answer = drawn_and_asked(page, root)
        assert answer is not None, f"{widget} {param}: {state} is not in a table"
        server = server_answer(page, request)
        assert_same(server, answer, where=f"{widget} {param} at {state}")
        for chart_role, trace, field in DRAWN[widget]:
            chart = w.locator(f"[data-role={chart_role}]")
            hand_to_plotly(chart)
            plotted = page.evaluate("([el, i]) => el.data[i].y", [chart.element_handle(), trace])
            assert_same(plotted, field(server), where=f"{widget} {param} {chart_role}[{trace}]")


def drag(page, widget: str, role: str, param: str, key: str, presses: int) -> tuple[object, dict]:
    """Press `key` on a slider once its table is in; the explorer's element and the server's answer for where it lands."""
    w = page.locator(f"[data-widget={widget}]")
    w.locator(f"[data-role={role}-slider]").focus()
    wait_for_table(page, w.element_handle(), param)
    for _ in range(presses):
        page.keyboard.press(key)
    _, request, _ = drawn_and_asked(page, w.element_handle())
    return w, server_answer(page, request)


def test_the_drawn_lines_and_bars_are_the_servers_numbers(page):
    """The shapes a drag draws (not only the hover traces under them) sit at the server's numbers."""
    open_lesson(page)
    w, server = drag(page, "kl-direction", "weight", "left_weight", "ArrowLeft", 9)
    hand_to_plotly(w.locator("[data-role=fit-chart]"))
    paths = page.evaluate("el => el.layout.shapes.map((s) => s.path)", w.locator("[data-role=fit-chart]").element_handle())
    assert_same(page.evaluate(f"({PATH_YS})", paths[1]), server["forward"]["probs"])

    w, server = drag(page, "temperature", "t", "T", "ArrowRight", 25)
    hand_to_plotly(w.locator("[data-role=chart]"))
    bars = page.evaluate("el => el.layout.shapes[0].path.split('Z').filter(Boolean).map((r) => Number(r.split('L')[1].split(',')[1]))",
                         w.locator("[data-role=chart]").element_handle())
    assert_same(bars, server["probs"][1])


def test_a_typed_value_the_slider_cannot_reach_asks_the_server_and_one_it_can_does_not(page):
    traffic = Traffic(page)
    open_lesson(page)
    w = page.locator("[data-widget=temperature]")
    root = w.element_handle()
    w.locator("[data-role=t-slider]").focus()
    wait_for_table(page, root, "T")
    reachable = set(reachable_values(widget_spec("temperature").param("T")))
    unreachable = next(f"{t / 100:.2f}" for t in range(1234, 2000) if t / 100 not in reachable)
    number = w.locator("[data-role=t-number]")

    start = len(traffic.sent)
    number.fill(unreachable)
    number.press("Enter")
    expect(w.locator("[data-role=chart]")).to_have_attribute("data-drawn", unreachable)
    asked = [m for m in traffic.since(start) if m["path"].endswith("/api/kd/soften")]
    assert len(asked) == 1 and asked[0]["body"]["temperatures"] == [1, float(unreachable)]

    start = len(traffic.sent)
    on_grid = f"{sorted(reachable)[400]:.2f}"
    number.fill(on_grid)
    number.press("Enter")
    expect(w.locator("[data-role=chart]")).to_have_attribute("data-drawn", on_grid)
    assert traffic.since(start) == []                              # the slider reaches it: from the table
    _, request, answer = drawn_and_asked(page, root)
    assert_same(server_answer(page, request), answer)


def start_a_class(lead, follower, widget: str) -> list[str]:
    """A class led from `lead`'s demo page and followed by `follower`: the messages lead's class socket sends."""
    sent: list[str] = []
    lead.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)) if "/api/classes/" in ws.url else None)
    lead.goto(f"/demo/{widget}")
    expect(lead.locator("body")).to_have_attribute("data-class-ready", "true")
    lead.click('[data-class-action="start"]')
    code = lead.locator('[data-role="class-code"]')
    expect(code).to_have_text(re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}$"))
    follower.goto(f"/join/{code.text_content().replace('-', '')}")
    expect(follower.locator("body")).to_have_attribute("data-following", "true")
    return sent


def test_an_instructors_sweep_faster_than_the_class_message_rate_keeps_the_class(browser, base_url):
    """A drag drawn from a table moves at the input's rate; the states sent to the room are spaced so the
    instructor's socket stays within its message rate (a sweep of every position at once was closed for
    'too many messages'), and the room ends where the instructor did."""
    from tests.browser.conftest import open_watched_page

    pages = [open_watched_page(browser, base_url) for _ in range(2)]
    lead, follower = pages
    try:
        sent = start_a_class(lead, follower, "temperature")
        before = len(sent)
        lead.locator("[data-role=t-slider]").focus()
        wait_for_table(lead, lead.locator("[data-widget]").element_handle(), "T")
        lead.evaluate("""() => {
            const range = document.querySelector("[data-widget] [data-role=t-slider]");
            for (let p = 0; p <= Number(range.max); p++) {
                range.value = String(p);
                range.dispatchEvent(new Event("input", { bubbles: true }));
            }
        }""")
        expect(follower.locator("[data-widget] [data-role=t-number]")).to_have_value("20.00")
        lead.wait_for_timeout(500)
        expect(lead.locator('[data-role="class-status"]')).to_have_text("")
        expect(lead.locator('[data-class-action="start"]')).to_be_hidden()
        states = [m for m in sent[before:] if '"type":"state"' in m]
        assert 1 <= len(states) <= 10, len(states)       # 626 values crossed within a few frames
    finally:
        problems = [p for pg in pages for p in pg.watch.problems]
        for pg in pages:
            pg.context.close()
    assert not problems, problems


def test_a_class_follower_draws_the_instructors_drag_from_a_table_of_its_own(browser, base_url):
    """The instructor's drag is drawn from the instructor's table, so only its state reaches the room; a
    follower sees one slider move and fetches that slider's table itself (POST /api/tables), after which
    the instructor's moves cost the follower no request, and it draws the server's numbers."""
    from tests.browser.conftest import open_watched_page

    pages = [open_watched_page(browser, base_url, viewport={"width": 1280, "height": 720}) for _ in range(2)]
    lead, follower = pages
    try:
        start_a_class(lead, follower, "kl-direction")
        traffic = Traffic(follower)
        lead_root = lead.locator("[data-widget]").element_handle()
        root = follower.locator("[data-widget]").element_handle()

        def same_state() -> dict:
            state = lead.evaluate("root => root.explorer.data.state", lead_root)
            follower.wait_for_function("([root, s]) => JSON.stringify(root.explorer.data.state) === s",
                                       arg=[root, json.dumps(state, separators=(",", ":"))], timeout=15000)
            return state

        lead.locator("[data-role=sep-slider]").focus()
        wait_for_table(lead, lead_root, "separation")
        lead.keyboard.press("ArrowRight")
        same_state()
        wait_for_table(follower, root, "separation")               # asked for by the follower on the first move
        start = len(traffic.sent)
        for _ in range(6):
            lead.keyboard.press("ArrowRight")
            same_state()
        asked = [m["path"] for m in traffic.since(start) if "/api/" in m["path"]]
        assert asked == [], f"the follower asked {asked} for moves its table holds"
        _, request, answer = drawn_and_asked(follower, root)
        assert answer is not None
        assert_same(server_answer(follower, request), answer, where="the follower's drawn answer")
        lead.click('[data-class-action="end"]')
        lead.click('[data-class-action="end"]')
        expect(follower.locator("body")).to_have_attribute("data-class-ended", "true")
    finally:
        problems = [p for pg in pages for p in pg.watch.problems]
        for pg in pages:
            pg.context.close()
    assert not problems, problems
