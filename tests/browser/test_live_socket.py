"""The explorers send their requests over the live WebSocket, and still work over POST when it is refused.

A slider position comes from the slider's table (tests/browser/test_tables.py); what still asks for a
single answer is an exact value the slider cannot reach, typed into its number field: these tests type T
values the alpha explorer's T slider never lands on.
"""
from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from app.widgets import widget_spec
from app.widgets.slider_positions import reachable_values
from tests.browser.helpers import hand_to_plotly

KD_POST = re.compile(r"/api/kd/")
REACHABLE_T = set(reachable_values(widget_spec("alpha").param("T")))
UNREACHABLE_T = [f"{t / 100:.2f}" for t in range(300, 1200, 7) if t / 100 not in REACHABLE_T]


def move_t_to(page, widget, value: str) -> None:
    widget.locator("[data-role=t-number]").fill(value)
    widget.locator("[data-role=t-number]").press("Enter")
    expect(widget.locator("[data-role=sweep-chart]")).to_have_attribute("data-drawn", f"0.50|{value}")
    expect(widget.locator("[data-role=pull-chart]")).to_have_attribute("data-drawn", f"0.50|{value}")


def test_slider_moves_go_over_the_socket_once_it_is_open(page):
    frames = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: frames.append(json.loads(payload))))
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and KD_POST.search(r.url) else None)
    tables = []
    page.on("request", lambda r: tables.append(r.url) if "/api/tables/" in r.url else None)
    page.goto("/lessons/kd-loss")
    w = page.locator("[data-widget=alpha]")
    w.scroll_into_view_if_needed()
    expect(w.locator("[data-role=sweep-chart]")).to_have_attribute("data-drawn", "0.50|2.00")
    # The first requests go by POST while the socket connects: move until a move goes over the socket.
    typed = iter(UNREACHABLE_T)
    for _ in range(40):
        move_t_to(page, w, next(typed))
        if any(f["path"] == "/api/kd/loss" for f in frames):
            break
    else:
        raise AssertionError("no move ever went over the live socket")
    posts.clear()
    start = len(frames)
    values = [next(typed) for _ in range(3)]
    for value in values:
        move_t_to(page, w, value)
    assert posts == []
    sent = [f for f in frames[start:] if f["path"] == "/api/kd/loss"]
    assert [f["body"]["temperature"] for f in sent] == [float(v) for v in values]
    # the T slider's table was asked for once T moved: by POST, beside the socket (static/js/lib/tables.js)
    assert not any(f["path"].startswith("/api/tables/") for f in frames)
    assert any(url.endswith("/api/tables/alpha/T") for url in tables)
    # the dots on the sweep are drawn at the server's numbers for the last move
    answer = page.request.post("/api/kd/loss", data=json.dumps(sent[-1]["body"]),
                               headers={"content-type": "application/json"}).json()
    hand_to_plotly(w.locator("[data-role=sweep-chart]"))   # (drawn as its first frame until reached for)
    dots = page.evaluate("el => el.layout.shapes.filter(s => s.xanchor !== undefined).map(s => [s.xanchor, s.yanchor])",
                         w.locator("[data-role=sweep-chart]").element_handle())
    assert dots == [[0.5, answer["weighted_ce"]], [0.5, answer["weighted_kd"]], [0.5, answer["loss"]]]
    expect(w.locator("[data-role=loss]")).to_have_text(f"{answer['loss']:.3f}")


def test_explorers_fall_back_to_post_when_the_socket_is_refused(page):
    refused = []

    def refuse(ws):
        refused.append(ws.url)
        ws.close()

    page.route_web_socket(re.compile(r"/api/live$"), refuse)
    posts = []
    page.on("request", lambda r: posts.append(r.post_data_json) if r.method == "POST" and r.url.endswith("/api/kd/loss") else None)
    page.goto("/lessons/kd-loss")
    w = page.locator("[data-widget=alpha]")
    w.scroll_into_view_if_needed()   # Plotly loads when a chart comes near the viewport
    expect(w.locator("[data-role=sweep-chart]")).to_have_attribute("data-drawn", "0.50|2.00")
    move_t_to(page, w, UNREACHABLE_T[0])
    assert refused, "the page never tried the live socket"
    assert posts[-1]["temperature"] == float(UNREACHABLE_T[0])
    answer = page.request.post("/api/kd/loss", data=json.dumps(posts[-1]), headers={"content-type": "application/json"}).json()
    expect(w.locator("[data-role=loss]")).to_have_text(f"{answer['loss']:.3f}")
    expect(w.locator("[data-role=error]")).to_be_hidden()
