"""Which Host names the app answers, and which origins may change things: the DNS-rebinding guard.

A page on evil.test can make its own name resolve to 127.0.0.1; the browser then sends it our answers and
lets it open our socket, because to the browser it is evil.test talking to itself. The Host header gives
it away: pages, the API and every socket answer only the names configured here (400 otherwise). And a
request that changes something (POST, PUT, PATCH, DELETE; every WebSocket) from a page of another origin
is refused (403), since browsers send such requests cross-site with the learner's network position.

Allowed: localhost, 127.0.0.1 and [::1]; the interface the server is bound to (BREWSLM_HOST, unless a
wildcard); BREWSLM_ALLOWED_HOSTS. `app.state.allowed_hosts` is a set that start-up code may extend (the
classroom mode adds the room's address); "*" in it turns the check off (behind a proxy that checks).
"""
from __future__ import annotations

import logging
from collections.abc import Set
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from app.settings import Settings
from app.web.clients import client_address
from app.web.json_input import clip
from app.web.responses import send_json_error

log = logging.getLogger("brewslm")

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARD_BINDS = ("0.0.0.0", "::", "")
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def allowed_hosts(settings: Settings) -> set[str]:
    names = {*LOOPBACK_NAMES, *settings.allowed_hosts}
    if settings.host not in WILDCARD_BINDS:
        names.add(settings.host.lower())
    return names


def host_name(value: str) -> str | None:
    """The name in a Host header ("Example.org.:8000" -> "example.org", "[::1]:80" -> "::1"); None if malformed."""
    try:
        parts = urlsplit(f"//{value}")
        parts.port            # raises ValueError for a port that is not a number in range
    except ValueError:
        return None
    if parts.hostname is None or parts.username is not None or parts.path or parts.query or parts.fragment:
        return None
    return parts.hostname.rstrip(".")


def _headers(scope: Scope) -> dict[bytes, str]:
    return {k: v.decode("latin-1") for k, v in scope.get("headers", [])}


def same_origin(headers: dict[bytes, str]) -> bool:
    """No Origin (not a browser, or a same-origin GET), or one whose host:port is the Host it was sent to."""
    origin = headers.get(b"origin")
    if origin is None:
        return True
    try:
        return urlsplit(origin).netloc.lower() == headers.get(b"host", "").lower() != ""
    except ValueError:
        return False


class HostCheck:
    """400 for a Host this server does not answer; 403 for a cross-origin write or socket."""

    def __init__(self, app: ASGIApp, allowed: Set[str]) -> None:
        self.app = app
        self.allowed = allowed   # read per request: start-up code may add names

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        host = headers.get(b"host")
        if host is not None and "*" not in self.allowed and host_name(host) not in self.allowed:
            await self._refuse(scope, send, 400, f"this server does not answer to the host {clip(host)!r}; "
                                                 "a name it should answer goes in BREWSLM_ALLOWED_HOSTS")
            return
        writes = scope["type"] == "websocket" or scope["method"] in UNSAFE_METHODS
        if writes and not same_origin(headers):
            await self._refuse(scope, send, 403, f"requests from pages of {clip(headers[b'origin'])!r} are refused")
            return
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, send: Send, status: int, detail: str) -> None:
        log.warning("refused %s %s from %s: %s", scope.get("method", "WebSocket"), clip(scope["path"]),
                    client_address(scope), detail)
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": ""})   # the handshake gets 403
        else:
            await send_json_error(send, status, detail)
