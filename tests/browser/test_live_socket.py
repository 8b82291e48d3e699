"""The explorers send slider moves over the live WebSocket, and still work over POST when it is refused."""
from __future__ import annotations

import json
import re

from playwright.sync_api import expect

KD_POST = re.compile(r"/api/kd/")


def move_alpha_to(page, widget, value: str) -> None:
    widget.locator("[data-role=alpha-number]").fill(value)
    widget.locator("[data-role=alpha-number]").press("Enter")
    expect(widget.locator("[data-role=sweep-chart]")).to_have_attribute("data-drawn", f"{value}|2.00")
    expect(widget.locator("[data-role=pull-chart]")).to_have_attribute("data-drawn", f"{value}|2.00")


def test_slider_moves_go_over_the_socket_once_it_is_open(page):
    frames = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: frames.append(json.loads(payload))))
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and KD_POST.search(r.url) else None)
    page.goto("/lessons/kd-loss")
    w = page.locator("[data-widget=alpha]")
    w.scroll_into_view_if_needed()   # Plotly loads when a chart comes near the viewport
    expect(w.locator("[data-role=sweep-chart]")).to_have_attribute("data-drawn", "0.50|2.00")
    # The first requests go by POST while the socket connects: move until a move goes over the socket.
    for i in range(40):
        move_alpha_to(page, w, f"{0.20 + i / 100:.2f}")
        if any(f["path"] == "/api/kd/loss" for f in frames):
            break
    else:
        raise AssertionError("no move ever went over the live socket")
    posts.clear()
    frames.clear()
    for value in ("0.61", "0.62", "0.63"):
        move_alpha_to(page, w, value)
    assert posts == []
    sent = [f for f in frames if f["path"] == "/api/kd/loss"]
    assert [f["body"]["alpha"] for f in sent] == [0.61, 0.62, 0.63]
    # the dots on the sweep are drawn at the server's numbers for the last move
    answer = page.request.post("/api/kd/loss", data=json.dumps(sent[-1]["body"]),
                               headers={"content-type": "application/json"}).json()
    dots = page.evaluate("el => el.layout.shapes.filter(s => s.type === 'path').map(s => [s.xanchor, s.yanchor])",
                         w.locator("[data-role=sweep-chart]").element_handle())
    assert dots == [[0.63, answer["weighted_ce"]], [0.63, answer["weighted_kd"]], [0.63, answer["loss"]]]
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
    move_alpha_to(page, w, "0.80")
    assert refused, "the page never tried the live socket"
    assert posts[-1]["alpha"] == 0.8
    answer = page.request.post("/api/kd/loss", data=json.dumps(posts[-1]), headers={"content-type": "application/json"}).json()
    expect(w.locator("[data-role=loss]")).to_have_text(f"{answer['loss']:.3f}")
    expect(w.locator("[data-role=error]")).to_be_hidden()
