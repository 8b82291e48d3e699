"""What the offline service worker needs: the worker itself (with this build's id written in), the list
of pages and files to keep (/offline-manifest.json), and the page shown offline for an address never opened.

The build id is a hash of everything that shapes a page or a file the browser keeps (static files,
templates, lessons and the app's Python source), so any change to the app is a new worker with its own
complete copy; see static/sw.js. Responses whose content follows the build but whose address does not
(unversioned static files, the slider tables) carry the build id in an X-Build header, so the worker keeps
only what is of its own build.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.settings import PROJECT_ROOT, Settings
from app.web.deps import TemplatesDep, TrackDep
from app.web.pages import DEMO_WIDGETS

router = APIRouter(include_in_schema=False)
WORKER = "sw.js"
NO_CACHE = {"Cache-Control": "no-cache"}
BUILD_HEADER = "X-Build"


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def build_id(settings: Settings) -> str:
    """16 hex chars that change whenever a page or a kept file could."""
    digest = hashlib.sha256()
    for root in (settings.static_dir, settings.templates_dir, settings.lessons_dir, PROJECT_ROOT / "app"):
        for path in _files(root):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def offline_pages(app: FastAPI) -> list[str]:
    track = app.state.track
    return ["/", "/glossary", "/offline", *(f"/lessons/{slug}" for slug in track.lessons),
            *(f"/demo/{name}" for name in DEMO_WIDGETS if name in app.state.widgets)]


def offline_assets(app: FastAPI) -> list[str]:
    """Every static file by its plain address (ES modules import each other without a version). The
    addresses the pages use (versioned files, the chart library) the worker reads from the pages themselves."""
    static_dir: Path = app.state.settings.static_dir
    return [f"/static/{p.relative_to(static_dir).as_posix()}" for p in _files(static_dir) if p.name != WORKER]


@router.get("/sw.js")
async def get_service_worker(request: Request) -> Response:
    """The worker, from the site's root so its scope covers every page; never cached by HTTP, so the
    browser sees a new build on its next visit."""
    source = (request.app.state.settings.static_dir / WORKER).read_text(encoding="utf-8")
    body = source.replace("__BUILD__", request.app.state.build_id, 1)
    return Response(body, media_type="text/javascript", headers=NO_CACHE)


@router.get("/offline-manifest.json")
async def get_offline_manifest(request: Request) -> JSONResponse:
    """What a worker of this build keeps: {build, pages, assets}."""
    app = request.app
    return JSONResponse({"build": app.state.build_id, "pages": offline_pages(app), "assets": offline_assets(app)},
                        headers=NO_CACHE)


@router.get("/offline", response_class=HTMLResponse)
async def get_offline_page(request: Request, track: TrackDep, templates: TemplatesDep):
    """Shown by the worker, offline, for an address this device never opened."""
    return templates.TemplateResponse(request, "offline.html", {"track": track})


def _follows_the_build(scope: Scope) -> bool:
    """A slider table (its answer is the server's code) or a static file by its plain address (no ?v=hash)."""
    path: str = scope["path"]
    return path.startswith("/api/tables/") or (path.startswith("/static/") and b"v=" not in scope.get("query_string", b""))


class BuildStamp:
    """Adds X-Build: <build id> to the responses the worker keeps by an address that outlives a build."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _follows_the_build(scope):
            await self.app(scope, receive, send)
            return
        build = scope["app"].state.build_id      # read per request: a test may move the app to a new build

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(BUILD_HEADER, build)
            await send(message)

        await self.app(scope, receive, stamped)
