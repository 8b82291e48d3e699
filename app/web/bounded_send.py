"""Large response bodies go out in pieces, each waiting for the client to take the last.

A Response hands the server its whole body in one message; the server queues all of it in memory if the
client does not read (Plotly.js is 4.8 MB uncompressed). Cut into 64 KB pieces, each `send` waits on
the server's flow control, so a client that reads nothing pins at most a piece or two per connection.
"""
from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PIECE_BYTES = 64 * 1024


class BoundedSend:
    def __init__(self, app: ASGIApp, piece_bytes: int = PIECE_BYTES) -> None:
        self.app = app
        self.piece = piece_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_in_pieces(message: Message) -> None:
            body = message.get("body", b"")
            if message["type"] != "http.response.body" or len(body) <= self.piece:
                await send(message)
                return
            view = memoryview(body)
            for start in range(0, len(body), self.piece):
                last = start + self.piece >= len(body)
                await send({"type": "http.response.body", "body": bytes(view[start:start + self.piece]),
                            "more_body": message.get("more_body", False) if last else True})

        await self.app(scope, receive, send_in_pieces)
