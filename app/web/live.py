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


def _same_origin(ws: WebSocket) -> bool:
    """Browsers let any site open a WebSocket to localhost; only this server's own pages may use this one."""
    origin = ws.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == ws.headers.get("host")


async def answer(message: str, max_bytes: int) -> dict[str, Any]:
    """One request message → its reply (never raises: a bad message gets a 4xx reply naming the problem)."""
    if len(message.encode()) > max_bytes:
        return {"id": None, "status": 413, "body": {"detail": f"message larger than {max_bytes} bytes"}}
    try:
        request = json.loads(message)
    except ValueError as exc:
        return {"id": None, "status": 400, "body": {"detail": f"message is not JSON: {exc}"}}
    if not isinstance(request, dict) or not isinstance(request.get("id"), int) or "body" not in request:
        return {"id": request.get("id") if isinstance(request, dict) else None, "status": 400,
                "body": {"detail": 'a message is {"id": integer, "path": "/api/kd/…", "body": {…}}'}}
    reply_id = request["id"]
    route = LIVE_ROUTES.get(request.get("path"))
    if route is None:
        return {"id": reply_id, "status": 404,
                "body": {"detail": f"no live endpoint {request.get('path')!r}; there are {sorted(LIVE_ROUTES)}"}}
    model, handler = route
    try:
        body = model.model_validate(request["body"])
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        return {"id": reply_id, "status": 422, "body": {"detail": validation_details(RequestValidationError(errors))}}
    try:
        result = await handler(body)
    except Exception:
        log.exception("unhandled error on live %s", request["path"])
        return {"id": reply_id, "status": 500, "body": {"detail": "internal error; the server log has the details"}}
    return {"id": reply_id, "status": 200, "body": result.model_dump(mode="json")}


@router.websocket("/api/live")
async def live(ws: WebSocket) -> None:
    if not _same_origin(ws):
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
