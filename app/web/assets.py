"""Static files, and Plotly.js from the installed `plotly` package, gzipped once and cached for a year.

The bundle is 4.8 MB raw and about 1.5 MB gzipped; compressing it per request would cost ~0.3 s of CPU
each time, so it is compressed on first use and kept in memory. Its URL carries the Plotly version, so
a new version is a new URL and the long cache is safe.
"""
from __future__ import annotations

import gzip
import hashlib
import threading
from functools import lru_cache
from pathlib import Path

import plotly
from fastapi import APIRouter, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

PLOTLY_PATH = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PLOTLY_URL = f"/vendor/plotly-{plotly.__version__}.min.js"
YEAR = 365 * 24 * 3600

router = APIRouter()


class _Bundle:
    """The raw and gzipped bytes of one file, built once on first use (thread-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._raw: bytes | None = None
        self._gz: bytes | None = None

    def load(self) -> tuple[bytes, bytes]:
        with self._lock:
            if self._raw is None:
                self._raw = self.path.read_bytes()
                self._gz = gzip.compress(self._raw, compresslevel=9, mtime=0)
            return self._raw, self._gz  # type: ignore[return-value]


plotly_bundle = _Bundle(PLOTLY_PATH)


def _accepts_gzip(request: Request) -> bool:
    return "gzip" in request.headers.get("accept-encoding", "").lower()


@router.get(PLOTLY_URL, include_in_schema=False)
async def get_plotly_js(request: Request) -> Response:
    """Plotly.js, gzipped when the client accepts it, immutable for a year."""
    raw, gz = plotly_bundle.load()
    headers = {"Cache-Control": f"public, max-age={YEAR}, immutable", "Vary": "Accept-Encoding"}
    if _accepts_gzip(request):
        headers["Content-Encoding"] = "gzip"
        return Response(gz, media_type="text/javascript", headers=headers)
    return Response(raw, media_type="text/javascript", headers=headers)


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
