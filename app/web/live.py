"""WS /api/live: the explorers' slider traffic over one WebSocket, answered from the KD operations table.

A slider sends a request per move. In Chromium on a 2-core machine a fetch() costs about 4 ms of its
own on top of the server's work, a WebSocket message about 0.6 ms (bench/slider_latency.py and
docs/BENCHMARKS.md), so the explorers send their moves here and fall back to POST when the socket is not
open. The HTTP endpoints stay the API: this channel serves the same table of operations
(app/web/kd_operations.py), validates with the same models, and answers with the same bodies and status
codes.

    client → {"id": 7, "path": "/api/kd/loss", "body": {…the POST body…}}
    server → {"id": 7, "status": 200, "body": {…the POST answer…}}
             {"id": 7, "status": 422, "body": {"detail": [{"loc": ["body", "temperature"], …}]}}

What one socket may cost the others is bounded (docs/ARCHITECTURE.md, "Limits"): sockets per client
address and in all (past either, accepted and closed with 1013 and the reason); the message size, on the
wire by the server and again here (413); each message's compute, on the loop only when tiny and
otherwise in the shared heavy lane; a work budget per socket and one per client address that a heavy
client waits off, unread; and a reply that a client does not read within
BREWSLM_LIVE_SEND_TIMEOUT_SECONDS ends the conversation. Messages are answered in order, one at a time:
each explorer on a page has at most one request out (static/js/lib/api.js latestOnly).
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.settings import Settings
from app.web.budget import WorkBudget
from app.web.clients import client_address
from app.web.errors import INTERNAL_ERROR, validation_details
from app.web.json_input import JsonInputError, parse_json
from app.web.kd_operations import LIVE_OPERATIONS, Operation, perform
from app.web.limiter import LimitExceeded

log = logging.getLogger("brewslm")
router = APIRouter()

MESSAGE_OVERHEAD_S = 1e-4        # reading and answering one message, charged to the budgets before parsing
PARSE_S_PER_BYTE = 5e-8          # parsing and validating it: ~1 ms for a 20 KB message of 4,096 numbers
_LEADING_ID = re.compile(r'\s*\{\s*"id"\s*:\s*(\d{1,15})\s*[,}]')
_SHAPE = 'a message is {"id": integer, "path": "/api/kd/…", "body": {…}}'


def _reply(reply_id: int | None, status: int, body: Any) -> str:
    return json.dumps({"id": reply_id, "status": status, "body": body}, separators=(",", ":"))


class LiveConversation:
    """One socket's messages, each answered as its POST would be, within its work budgets."""

    def __init__(self, ws: WebSocket, settings: Settings, client_budget: WorkBudget) -> None:
        self.ws = ws
        self.settings = settings
        self.client = client_address(ws.scope)
        self.state = ws.app.state
        self.budgets = (WorkBudget(settings.live_work_per_second, settings.live_work_burst_seconds), client_budget)

    async def _spend(self, cost_s: float) -> None:
        for budget in self.budgets:          # the socket's own, then its client address's
            await budget.spend(cost_s)

    async def answer(self, message: str) -> str:
        """One request message → its reply (never raises: a bad message gets a 4xx reply naming the problem)."""
        await self._spend(MESSAGE_OVERHEAD_S + PARSE_S_PER_BYTE * len(message))
        limit = self.settings.live_max_message_bytes
        if len(message) > limit or len(message.encode()) > limit:
            # Not parsed: its id is read from its head, so the page's request fails at once.
            leading = _LEADING_ID.match(message[:64])
            return _reply(int(leading.group(1)) if leading else None, 413,
                          {"detail": f"message larger than {limit} bytes"})
        try:
            request = parse_json(message, self.settings.max_json_depth + 1)   # +1: the envelope
        except JsonInputError as exc:
            return _reply(None, exc.status, {"detail": exc.detail})
        reply_id, status, body = await self.answer_request(request)
        return f'{{"id":{json.dumps(reply_id)},"status":{status},"body":{body}}}'

    async def answer_request(self, request: Any, operations: dict[str, Operation] = LIVE_OPERATIONS,
                             ) -> tuple[int | None, int, str]:
        """A parsed request {"id", "path", "body"} → (its id, the status, the answer as JSON text), as its
        POST would answer (never raises). The class socket sends its instructor's requests here too, with
        the single answers only as `operations` (each page fetches its tables itself; none is broadcast)."""
        reply_id = request.get("id") if isinstance(request, dict) else None
        if not isinstance(reply_id, int) or isinstance(reply_id, bool):
            reply_id = None
        if reply_id is None or "body" not in request:
            return reply_id, 400, json.dumps({"detail": _SHAPE})
        path = request.get("path")
        op = operations.get(path) if isinstance(path, str) else None
        if op is None:
            return reply_id, 404, json.dumps({"detail": f"no live endpoint {str(path)[:80]!r}; there are {sorted(operations)}"})
        return (reply_id, *await self._perform(op, request["body"]))

    async def _perform(self, op: Operation, raw_body: Any) -> tuple[int, str]:
        try:
            # from_attributes: what FastAPI passes too, so a body that is not an object gets POST's exact error
            body = op.request.model_validate(raw_body, from_attributes=True)
        except ValidationError as exc:
            errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
            return 422, json.dumps({"detail": validation_details(RequestValidationError(errors))})
        try:
            await self._spend(op.cost_s(body))
            answer = await perform(op, body, lane=getattr(self.state, op.lane), client=self.client,
                                   inline_s=self.settings.inline_work_seconds, cache=self.state.answer_cache)
        except LimitExceeded as exc:
            return 429, json.dumps(exc.body())
        except Exception:
            log.exception("unhandled error on live %s", op.path)
            return 500, json.dumps({"detail": INTERNAL_ERROR})
        return 200, answer

    async def send(self, reply: str) -> bool:
        """Send a reply; False when the client is gone or has not read for the send timeout."""
        try:
            await asyncio.wait_for(self.ws.send_text(reply), self.settings.live_send_timeout_seconds)
            return True
        except TimeoutError:
            log.warning("closing a live socket from %s: it read nothing for %g s", self.client,
                        self.settings.live_send_timeout_seconds)
            return False
        except (WebSocketDisconnect, OSError, RuntimeError):
            return False

    async def serve(self) -> None:
        while True:
            message = await self.ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            reply = await self.answer(text) if text is not None else \
                _reply(None, 400, {"detail": "send JSON in text messages, not binary ones"})
            if not await self.send(reply):
                await self._wind_down()
                return

    async def _wind_down(self) -> None:
        """Keep the socket's slot until the connection is really gone: what it has not read is still
        held in memory by the server, and counting it stops a client from piling up such sockets. What it
        still sends is read and dropped, at the pace of its budgets (reading costs too)."""
        try:
            await asyncio.wait_for(self.ws.close(code=1008, reason="reply not read"), 1.0)
        except (TimeoutError, OSError, RuntimeError, WebSocketDisconnect):
            pass
        while (message := await self.ws.receive())["type"] != "websocket.disconnect":
            await self._spend(MESSAGE_OVERHEAD_S + PARSE_S_PER_BYTE * len(message.get("text") or message.get("bytes") or ""))


async def refuse_socket(ws: WebSocket, reason: str) -> None:
    """Accept, then close with 1013 "try again later" and the reason: a browser sees the close code and
    reason (a refused handshake is only "failed"), and the page goes on with POST."""
    log.warning("refused WebSocket %s from %s: %s", ws.url.path, client_address(ws.scope), reason)
    await ws.accept()
    await ws.close(code=1013, reason=reason.encode()[:123].decode(errors="ignore"))


@router.websocket("/api/live")
async def live(ws: WebSocket) -> None:
    state = ws.app.state
    if not state.wire_limits.in_force:
        await refuse_socket(ws, "the live socket is off: the server's message limit is not in force; use POST")
        return
    try:
        hold = state.live_sockets.acquire(client_address(ws.scope))
    except LimitExceeded as exc:
        await refuse_socket(ws, exc.detail)
        return
    client = client_address(ws.scope)
    with hold:
        try:
            await ws.accept()
            await LiveConversation(ws, state.settings, state.live_budgets.join(client)).serve()
        finally:
            state.live_budgets.leave(client)
