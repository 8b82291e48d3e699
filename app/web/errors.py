"""Errors people can read: JSON under /api, a page elsewhere."""
from __future__ import annotations

import json
import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("brewslm")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path == "/healthz"


def _json_safe(value: Any) -> Any:
    """NaN and ±Infinity are what a client may send but cannot be written back as JSON: name them."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    """FastAPI's 422 body, made JSON-safe, with very large echoed inputs left out."""
    details = []
    for error in exc.errors():
        item = {k: v for k, v in error.items() if k in ("type", "loc", "msg", "ctx", "input")}
        item = _json_safe(jsonable_encoder(item, custom_encoder={Exception: str}))
        if len(json.dumps(item.get("input"))) > 200:
            item.pop("input")
        details.append(item)
    return details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        return JSONResponse({"detail": validation_details(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request) or request.url.path.startswith("/static"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        templates = request.app.state.templates
        message = exc.detail if exc.status_code != 404 or exc.detail != "Not Found" else \
            "There is no page at this address."
        return templates.TemplateResponse(request, "error.html",
                                          {"status": exc.status_code, "message": message},
                                          status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return JSONResponse({"detail": "internal error; the server log has the details"}, status_code=500)
