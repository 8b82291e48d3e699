"""WS /api/live: the explorers' slider traffic over one WebSocket, answered by the POST /api/kd/* handlers.

A slider sends a request per move. In Chromium on a 2-core machine a fetch() costs about 4 ms of its
own on top of the server's work, a WebSocket message about 0.6 ms (bench/slider_latency.py and
docs/BENCHMARKS.md), so the explorers send their moves here and fall back to POST when the socket is not
open. The HTTP endpoints stay the API: this channel runs the very same handlers, validates with the very
same models, and answers with the same bodies and status codes.

    client → {"id": 7, "path": "/api/kd/loss", "body": {…the POST body…}}
    server → {"id": 7, "status": 200, "body": {…the POST answer…}}
             {"id": 7, "status": 422, "body": {"detail": [{"loc": ["body", "temperature"], …}]}}
"""
from __future__ import annotations

import json
import logging
import typing
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from app.web import api_kd
from app.web.errors import validation_details

log = logging.getLogger("brewslm")
router = APIRouter()

Handler = Callable[[Any], Awaitable[BaseModel]]


def _routes_of(api: APIRouter) -> dict[str, tuple[type[BaseModel], Handler]]:
    """Every POST endpoint of `api` whose one argument is a JSON body model: path → (model, handler)."""
    routes = {}
    for route in api.routes:
        if isinstance(route, APIRoute) and route.methods == {"POST"}:
            hints = typing.get_type_hints(route.endpoint)
            routes[route.path] = (hints["body"], route.endpoint)
    return routes


LIVE_ROUTES = _routes_of(api_kd.router)


def same_origin(ws: WebSocket) -> bool:
    """Browsers let any site open a WebSocket to localhost; only this server's own pages may use this one."""
    origin = ws.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == ws.headers.get("host")


def _reply(reply_id: int | None, status: int, body: Any) -> dict[str, Any]:
    return {"id": reply_id, "status": status, "body": body}


async def answer(message: str, max_bytes: int) -> dict[str, Any]:
    """One request message → its reply (never raises: a bad message gets a 4xx reply naming the problem)."""
    try:
        request = json.loads(message)
    except (ValueError, RecursionError) as exc:   # RecursionError: "[[[[…" nested past Python's limit
        return _reply(None, 400, {"detail": f"message is not JSON: {exc}"})
    # Checked after parsing (uvicorn caps a message at twice the limit) so the 413 carries the id and
    # the page's request fails at once instead of waiting for an answer that never comes.
    if len(message.encode()) > max_bytes:
        return _reply(_reply_id(request), 413, {"detail": f"message larger than {max_bytes} bytes"})
    return await answer_request(request)


def _reply_id(request: Any) -> int | None:
    reply_id = request.get("id") if isinstance(request, dict) else None
    return reply_id if isinstance(reply_id, int) and not isinstance(reply_id, bool) else None


async def answer_request(request: Any) -> dict[str, Any]:
    """One parsed request {"id", "path", "body"} → its reply, as POST would answer it (never raises).
    The class socket (app/web/class_socket.py) sends its instructor's requests through here too."""
    reply_id = _reply_id(request)
    if reply_id is None or "body" not in request:
        return _reply(reply_id, 400, {"detail": 'a message is {"id": integer, "path": "/api/kd/…", "body": {…}}'})
    path = request.get("path")
    route = LIVE_ROUTES.get(path) if isinstance(path, str) else None
    if route is None:
        return _reply(reply_id, 404, {"detail": f"no live endpoint {path!r}; there are {sorted(LIVE_ROUTES)}"})
    model, handler = route
    try:
        # from_attributes: what FastAPI passes too, so a body that is not an object gets POST's exact error
        body = model.model_validate(request["body"], from_attributes=True)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        return _reply(reply_id, 422, {"detail": validation_details(RequestValidationError(errors))})
    except Exception:
        return _internal_error(reply_id, path)
    try:
        result = await handler(body)
    except Exception:
        return _internal_error(reply_id, path)
    return _reply(reply_id, 200, result.model_dump(mode="json"))


def _internal_error(reply_id: int, path: str) -> dict[str, Any]:
    log.exception("unhandled error on live %s", path)
    return _reply(reply_id, 500, {"detail": "internal error; the server log has the details"})


@router.websocket("/api/live")
async def live(ws: WebSocket) -> None:
    if not same_origin(ws):
        await ws.close(code=1008, reason="cross-origin")
        return
    await ws.accept()
    max_bytes = ws.app.state.settings.max_body_bytes
    # Answered in order, one at a time: each is a few milliseconds of torch, and each explorer on the page
    # has at most one request out (static/js/lib/api.js latestOnly).
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        reply = await answer(text, max_bytes) if text is not None else \
            {"id": None, "status": 400, "body": {"detail": "send JSON in text messages, not binary ones"}}
        try:
            await ws.send_text(_encode(reply))
        except WebSocketDisconnect:
            return


def _encode(reply: dict[str, Any]) -> str:
    try:
        return json.dumps(reply, separators=(",", ":"), allow_nan=False)
    except ValueError:   # a NaN in an answer: a server bug, reported as POST would report it
        log.error("non-finite number in the live answer to message %s", reply.get("id"))
        return json.dumps({"id": reply.get("id"), "status": 500,
                           "body": {"detail": "internal error; the server log has the details"}})
