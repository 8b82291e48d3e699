"""A test's view of a class session: start one over HTTP, and lead or follow it over its real WebSocket."""
from __future__ import annotations

import contextlib
import json
import time
from typing import Any

import httpx
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

TEMPERATURE_STATE = {"preset": "peaky", "T": 2.0, "logits": [4.595, 0.0]}


def start_class(base_url: str, widget: str = "temperature", state: dict | None = None) -> dict:
    r = httpx.post(f"{base_url}/api/classes", json={"widget": widget, "state": state or TEMPERATURE_STATE}, timeout=30)
    assert r.status_code == 201, r.text
    return r.json()


class Page:
    """One page's class socket; `next(kind)` waits for the next message of that kind, keeping the others."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.seen: list[dict[str, Any]] = []

    def send(self, message: dict | str) -> None:
        self.ws.send(message if isinstance(message, str) else json.dumps(message))

    def next(self, kind: str, timeout: float = 10.0) -> dict[str, Any]:
        for i, message in enumerate(self.seen):
            if message["type"] == kind:
                return self.seen.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.01, deadline - time.monotonic())))
            if message["type"] == kind:
                return message
            self.seen.append(message)

    def quiet(self, kind: str, seconds: float = 0.5) -> bool:
        """True when no message of that kind arrives within `seconds`."""
        try:
            self.next(kind, timeout=seconds)
        except TimeoutError:
            return True
        return False

    def closed_with(self, timeout: float = 10.0) -> tuple[int, list[dict]]:
        """(close code, the messages that came before it) once the server closes the socket."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                self.seen.append(json.loads(self.ws.recv(timeout=max(0.01, deadline - time.monotonic()))))
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else 1006, self.seen


class Room:
    """Opens pages on a class and closes them all at the end of the test."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.stack = contextlib.ExitStack()

    def open(self, code: str, hello: dict | None, base_url: str | None = None) -> Page:
        base = base_url or self.base_url
        ws = self.stack.enter_context(_socket(f"{base.replace('http', 'ws', 1)}/api/classes/{code}/socket", base))
        page = Page(ws)
        if hello is not None:
            with contextlib.suppress(ConnectionClosed):     # a refused page may be closed before it says hello
                page.send(hello)
        return page

    def lead(self, session: dict, base_url: str | None = None) -> Page:
        page = self.open(session["code"], {"type": "lead", "control": session["control"]}, base_url)
        page.next("welcome")
        return page

    def follow(self, session: dict, base_url: str | None = None) -> Page:
        page = self.open(session["code"], {"type": "follow"}, base_url)
        page.next("welcome")
        return page

    def close(self) -> None:
        self.stack.close()


@contextlib.contextmanager
def _socket(url: str, origin: str):
    with contextlib.suppress(ConnectionClosed):     # closed by the server with a reason: what tests expect
        with connect(url, origin=origin, open_timeout=10, max_size=2**22) as ws:
            yield ws


def soften_move(T: float, logits: list[float], move_id: int = 1) -> dict:
    """What the temperature explorer sends when the instructor moves T (static/js/class/lead.js)."""
    return {"type": "move", "id": move_id, "state": {"preset": "peaky", "T": T, "logits": logits},
            "path": "/api/kd/soften", "body": {"logits": logits, "temperatures": [1, T]}}
