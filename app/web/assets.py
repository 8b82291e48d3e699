"""Static files, and the vendored Plotly.js basic bundle, pre-compressed once and cached for a year.

The bundle (static/vendor/plotly.js-basic-dist-min, see static/vendor/README.md) is 1.2 MB raw, 357 KB as
brotli 9 and 395 KB as gzip 9. It is compressed once, off the event loop, on first use (about 0.1 s), and
kept in memory. (Brotli 11 would save another 28 KB but costs 1.5 s of CPU, several seconds on a busy
machine, for the first visitor after every start.) Its URL carries the plotly.js version, so a new version is a new URL and
the long cache (and the service worker's cache-first rule for /vendor/) is safe.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import threading
from functools import lru_cache
from pathlib import Path

import brotli
from fastapi import APIRouter, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from app.settings import PROJECT_ROOT
from app.web.compression import choose_encoding

PLOTLY_DIR = PROJECT_ROOT / "static" / "vendor" / "plotly.js-basic-dist-min"
PLOTLY_PATH = PLOTLY_DIR / "plotly-basic.min.js"
PLOTLY_VERSION = json.loads((PLOTLY_DIR / "package.json").read_text(encoding="utf-8"))["version"]
PLOTLY_URL = f"/vendor/plotly-basic-{PLOTLY_VERSION}.min.js"
YEAR = 365 * 24 * 3600

router = APIRouter()


class _Bundle:
    """The raw, brotli and gzip bytes of one file, built once on first use (thread-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._encoded: dict[str | None, bytes] | None = None

    def load(self) -> dict[str | None, bytes]:
        with self._lock:
            if self._encoded is None:
                raw = self.path.read_bytes()
                self._encoded = {None: raw, "br": brotli.compress(raw, quality=9),
                                 "gzip": gzip.compress(raw, compresslevel=9, mtime=0)}
            return self._encoded


plotly_bundle = _Bundle(PLOTLY_PATH)


@router.get(PLOTLY_URL, include_in_schema=False)
async def get_plotly_js(request: Request) -> Response:
    """Plotly.js basic, brotli or gzip as the client accepts, immutable for a year."""
    encoded = await run_in_threadpool(plotly_bundle.load)
    coding = choose_encoding(request.headers.get("accept-encoding", ""))
    headers = {"Cache-Control": f"public, max-age={YEAR}, immutable", "Vary": "Accept-Encoding"}
    if coding:
        headers["Content-Encoding"] = coding
    return Response(encoded[coding], media_type="text/javascript", headers=headers)


class CachedStaticFiles(StaticFiles):
    """Our own CSS/JS: URLs carry a content hash (see `static_url`), so they can be cached for a year."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        query = scope.get("query_string", b"")
        if response.status_code == 200:
            response.headers["Cache-Control"] = (f"public, max-age={YEAR}, immutable" if b"v=" in query
                                                 else "no-cache")
        return response


@lru_cache(maxsize=512)
def _file_hash(path: Path, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def make_static_url(static_dir: Path):
    """`static_url("js/app.js")` -> "/static/js/app.js?v=<hash>"; the hash follows the file's content."""

    def static_url(relative: str) -> str:
        path = static_dir / relative
        try:
            version = _file_hash(path, path.stat().st_mtime_ns)
        except FileNotFoundError:
            raise FileNotFoundError(f"static file not found: {relative}") from None
        return f"/static/{relative}?v={version}"

    return static_url
