"""HEAD wherever GET works: answered by the GET handler, with the same status and headers and no body.

FastAPI routes declared with @get answer HEAD with 405, unlike Starlette's own routes and HTTP's rule
(RFC 9110 §9.3.2). One middleware instead of a second method on every route, including future ones.
"""
from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        finished = False

        async def send_without_body(message: Message) -> None:
            nonlocal finished
            if message["type"] == "http.response.start":
                await send(message)
            elif message["type"] == "http.response.body" and not finished:
                # The first body message ends the response; a stream (SSE) then sees its client gone.
                finished = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, send_without_body)
