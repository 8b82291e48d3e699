"""Errors people can read: JSON under /api, a page elsewhere; and error handling that cannot itself fail.

Whatever a client sends, the answer is a 4xx naming the problem: an error handler that raised (the 422
writer once recursed on deeply nested input) would turn bad input into a 500 and a traceback in the log.
So every handler here falls back to a plainer answer rather than raise, and `LastResort`, outside
everything (app/main.py), answers 500 for an exception nothing else caught and keeps uvicorn from logging
a second traceback for one FastAPI already reported.
"""
from __future__ import annotations

import json
import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.web.clients import client_address
from app.web.json_input import clip
from app.web.limiter import LimitExceeded
from app.web.responses import send_json_error

log = logging.getLogger("brewslm")

INTERNAL_ERROR = "internal error; the server log has the details"
MAX_ECHO = 200          # characters of a client's input an error message repeats back


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api") or path == "/healthz" or path.startswith("/static")


def _json_safe(value: Any) -> Any:
    """NaN and ±Infinity are what a client may send but cannot be written back as JSON: name them."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def _detail(error: dict[str, Any]) -> dict[str, Any]:
    item = {k: v for k, v in error.items() if k in ("type", "loc", "msg", "ctx", "input")}
    # An unknown field's name is client text too: a key of 8 KB is named, not echoed whole.
    item["loc"] = [clip(p, MAX_ECHO) if isinstance(p, str) else p for p in item.get("loc", ())]
    item = _json_safe(jsonable_encoder(item, custom_encoder={Exception: str}))
    if len(json.dumps(item.get("input"))) > MAX_ECHO:
        item.pop("input")
    return item


def validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    """FastAPI's 422 body, made JSON-safe, with very large echoed inputs left out. Never raises."""
    details = []
    for error in exc.errors():
        try:
            details.append(_detail(error))
        except (ValueError, TypeError, RecursionError):
            details.append({"type": str(error.get("type")), "loc": [clip(str(p), MAX_ECHO) for p in error.get("loc", ())],
                            "msg": clip(str(error.get("msg")), MAX_ECHO)})
    return details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        return JSONResponse({"detail": validation_details(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = clip(exc.detail, MAX_ECHO) if isinstance(exc.detail, str) else exc.detail
        if _wants_json(request):
            return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)
        message = detail if exc.status_code != 404 or detail != "Not Found" else "There is no page at this address."
        try:
            return request.app.state.templates.TemplateResponse(
                request, "error.html", {"status": exc.status_code, "message": message},
                status_code=exc.status_code, headers=exc.headers)
        except Exception:   # a broken template must not turn a 404 into a 500
            log.exception("the error page could not be rendered")
            return PlainTextResponse(str(message), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(LimitExceeded)
    async def limit_exceeded(request: Request, exc: LimitExceeded) -> Response:
        log.warning("429 %s %s from %s: %s", request.method, clip(request.url.path),
                    client_address(request.scope), exc.limit)
        return JSONResponse(exc.body(), status_code=429, headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, clip(request.url.path, MAX_ECHO))
        return JSONResponse({"detail": INTERNAL_ERROR}, status_code=500)


class LastResort:
    """Outermost: an exception that escaped everything gets a 500 (if no answer was started) and one log
    entry. Starlette re-raises after its 500 handler has answered and logged; that one is dropped here so
    the server does not log the same traceback again."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = False

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] in ("http.response.start", "websocket.accept", "websocket.close",
                                   "websocket.http.response.start"):
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        except Exception:
            if started and scope["type"] == "http":
                return          # answered (500) and logged by the app's own handler
            log.exception("unhandled error on %s %s", scope["type"], clip(scope.get("path", ""), MAX_ECHO))
            if started:
                return
            if scope["type"] == "http":
                await send_json_error(send, 500, INTERNAL_ERROR)
            else:
                await send({"type": "websocket.close", "code": 1011})
