"""Answers sent straight from ASGI middleware, where no framework Response is at hand."""
from __future__ import annotations

import json

from starlette.types import Send


async def send_json_error(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] = (),
                          **extra: object) -> None:
    """`{"detail": ...}` with `status`: the shape of every other error the API gives."""
    body = json.dumps({"detail": detail, **extra}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})
