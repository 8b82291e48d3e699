"""Request bodies, checked before the app sees them: a size cap (413), then the JSON rules of json_input.

Plain ASGI middleware (not BaseHTTPMiddleware), so streamed responses pass through untouched. A body is
read whole here (it is at most `max_bytes`), checked, and handed on to the app as one message.
"""
from __future__ import annotations

import logging
from email.message import Message

from starlette.types import ASGIApp, Message as AsgiMessage, Receive, Scope, Send

from app.web.header_values import plain_number
from app.web.clients import client_address
from app.web.json_input import JsonInputError, JsonSyntaxError, check_charset, clip, decode_utf8, parse_json
from app.web.responses import send_json_error

log = logging.getLogger("brewslm")


def content_length(scope: Scope) -> int | None:
    """The declared Content-Length; None when absent; JsonInputError(400) when it is not one plain number."""
    values = [v for k, v in scope.get("headers", []) if k == b"content-length"]
    if not values:
        return None
    value = plain_number(values[0].decode("latin-1"))
    if len(set(values)) > 1 or value is None:
        raise JsonInputError(400, "Content-Length must be one whole number of bytes")
    return value


def _is_json(content_type: str | None) -> bool:
    """What FastAPI would parse as JSON: no Content-Type at all, application/json or application/*+json."""
    if not content_type:
        return True
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (subtype == "json" or subtype.endswith("+json"))


class RequestBodyGuard:
    """413 past `max_bytes` (declared or counted); for JSON bodies, UTF-8, nesting and duplicate keys."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_json_depth: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_json_depth = max_json_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        try:
            declared = content_length(scope)
            if declared is not None and declared > self.max_bytes:
                raise JsonInputError(413, self._too_large())
            body, disconnected = await self._read(receive)
            if disconnected:
                return
            content_type = _header(scope, b"content-type")
            if body and _is_json(content_type):
                check_charset(content_type)
                parse_json(decode_utf8(body), self.max_json_depth)
        except JsonSyntaxError:
            pass    # FastAPI answers 422 naming where the JSON breaks
        except JsonInputError as refused:
            log.warning("refused %s %s from %s: %s", scope["method"], clip(scope["path"]), client_address(scope),
                        refused.detail)
            await send_json_error(send, refused.status, refused.detail)
            return

        delivered = False

        async def replay() -> AsgiMessage:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return b"", True
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise JsonInputError(413, self._too_large())
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), False

    def _too_large(self) -> str:
        return f"request body larger than {self.max_bytes} bytes"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None
