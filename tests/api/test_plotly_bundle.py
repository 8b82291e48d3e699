"""The vendored Plotly.js basic bundle: the Python package's plotly.js version, its licence beside it, served
pre-compressed under a versioned URL, and named on every page with charts (loaded there only when needed)."""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import brotli
import plotly

from app.web.assets import PLOTLY_PATH, PLOTLY_URL

VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor" / "plotly.js-basic-dist-min"


def header_version(path: Path) -> str:
    return re.search(r"plotly\.js(?: \(basic - minified\))? v(\d+\.\d+\.\d+)", path.read_text(encoding="utf-8")[:300]).group(1)


def test_the_bundle_is_the_python_packages_plotly_js_version_with_its_licence():
    full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    package = json.loads((VENDOR / "package.json").read_text(encoding="utf-8"))
    assert package["name"] == "plotly.js-basic-dist-min" and package["license"] == "MIT"
    assert header_version(PLOTLY_PATH) == package["version"] == header_version(full)
    assert "(basic - minified)" in PLOTLY_PATH.read_text(encoding="utf-8")[:200]
    assert "MIT License" in (VENDOR / "LICENSE").read_text(encoding="utf-8")
    assert PLOTLY_URL == f"/vendor/plotly-basic-{package['version']}.min.js"


def test_the_bundle_is_served_precompressed_and_immutable(client):
    raw = PLOTLY_PATH.read_bytes()
    for accept, decode in [("br, gzip", brotli.decompress), ("gzip", gzip.decompress), ("identity", bytes)]:
        with client.stream("GET", PLOTLY_URL, headers={"accept-encoding": accept}) as r:
            body = b"".join(r.iter_raw())
        assert r.status_code == 200 and "immutable" in r.headers["cache-control"]
        assert r.headers.get("content-encoding", "identity") == accept.split(",")[0]
        assert decode(body) == raw
    with client.stream("GET", PLOTLY_URL, headers={"accept-encoding": "br"}) as r:
        assert int(r.headers["content-length"]) < 370_000       # 1.19 MB raw


def test_pages_with_charts_name_the_bundle_and_do_not_block_on_it(client):
    for path in ["/lessons/kd-loss", "/demo/temperature"]:
        html = client.get(path).text
        assert f'<meta name="plotly-src" content="{PLOTLY_URL}">' in html
        assert f'<script defer src="{PLOTLY_URL}"' not in html and "plotly.min.js" not in html
    assert "plotly-src" not in client.get("/glossary").text
