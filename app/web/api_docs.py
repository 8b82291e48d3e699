"""The API's documentation at /docs: Swagger UI served by this app (from the `swagger-ui-bundle-v2`
package, Apache-2.0), started by our own script, so it loads under the site's CSP and with no network
beyond this server. Every operation carries a summary (in its route) and a request and response example
recorded from the real API (app/web/api_examples.json; see app/web/api_examples.py).

ReDoc is not served: it needs a CDN or a second 1 MB bundle for the same content; /redoc sends
readers to /docs.
"""
from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from swagger_ui_bundle import swagger_ui_path

from app.web.deps import TemplatesDep

SWAGGER_DIR = Path(str(swagger_ui_path))
SWAGGER_VERSION = SWAGGER_DIR.name.removeprefix("swagger-ui-")
SWAGGER_URL = f"/vendor/swagger-ui-{SWAGGER_VERSION}"
SWAGGER_FILES = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript"}
EXAMPLES_FILE = Path(__file__).with_name("api_examples.json")
YEAR = 365 * 24 * 3600

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
async def get_docs(request: Request, templates: TemplatesDep):
    """Swagger UI for /openapi.json."""
    return templates.TemplateResponse(request, "api_docs.html", {"swagger_url": SWAGGER_URL})


@router.get("/redoc")
async def get_redoc() -> RedirectResponse:
    return RedirectResponse("/docs", status_code=308)


@router.get(SWAGGER_URL + "/{name}")
async def get_swagger_file(name: str) -> FileResponse:
    """Swagger UI's own files; the version is in the address, so they are cached for a year."""
    if name not in SWAGGER_FILES:
        raise HTTPException(404, f"no file {name!r} in Swagger UI {SWAGGER_VERSION}")
    return FileResponse(SWAGGER_DIR / name, media_type=SWAGGER_FILES[name],
                        headers={"Cache-Control": f"public, max-age={YEAR}, immutable"})


def load_examples(path: Path = EXAMPLES_FILE) -> dict:
    """{"METHOD /path": {"request": body | None, "responses": {status: {"content_type", "body"}}}}."""
    return json.loads(path.read_text(encoding="utf-8"))


def add_examples(schema: dict, examples: dict) -> dict:
    """Put each recorded request and response into the OpenAPI schema as that operation's examples."""
    for key, recorded in examples.items():
        method, path = key.split(" ", 1)
        operation = schema["paths"][path][method.lower()]
        if recorded.get("request") is not None:
            content = operation["requestBody"]["content"]["application/json"]
            content["examples"] = {"example": {"summary": recorded.get("summary", "A request"),
                                               "value": recorded["request"]}}
        for status, response in recorded["responses"].items():
            documented = operation["responses"].setdefault(status, {"description": response["description"]})
            documented.setdefault("content", {}).setdefault(response["content_type"], {})["example"] = response["body"]
    return schema


def document_examples(app: FastAPI) -> None:
    """Make app.openapi() include the recorded examples (built once, on the first request for it)."""
    plain = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = add_examples(plain(), load_examples())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
