"""Page weight: bytes on the wire for each page with everything it loads, first visit and repeat visit.

    .venv/bin/python bench/page_weight.py

Headless Chromium (Debian's) reads each page to its end, as a reader would: every chart comes near the
viewport, so Plotly.js (fetched only then) and every explorer's first answer are counted. Bytes are
what crossed the wire (encoded bodies plus response headers; the app compresses text responses). The
repeat visit is a second tab in the same browser, so long-cached, content-hashed files come from its
cache, and what the offline service worker keeps (static/sw.js) from its cache. Requests the service
worker makes are counted once (a response it hands the page is not counted again). Slider moves after
the first answer travel over the page's WebSocket and are not counted. The offline copy the service worker
fetches on a first visit (every page and file of the build, for reading offline) is shown in a column of
its own: it is fetched after the page has loaded, not for it.
"""
from __future__ import annotations

import os
import sys

from playwright.sync_api import sync_playwright

from _server import ROOT, running_server

sys.path.insert(0, str(ROOT))
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.helpers import draw_every_chart  # noqa: E402

PAGES = ["/", "/lessons/kd-teacher-capture", "/lessons/kd-loss", "/lessons/kd-quality-kept", "/glossary",
         "/demo/temperature", "/demo/alpha", "/demo/live-run", "/join"]


def visit(context, url: str) -> dict[str, int]:
    """One visit in `context`: the page's own requests and bytes (on opening, and after reading to the end),
    and the bytes the service worker fetched meanwhile for its offline copy (static/sw.js), waited for
    until the worker is active so that the next visit starts from a finished copy."""
    page_sizes: list[int] = []
    worker_sizes: list[int] = []
    page = context.new_page()

    def count(request) -> None:
        response = request.response()
        if response is None or response.from_service_worker:
            return            # the worker's own request for it is counted (context events include the worker's)
        s = request.sizes()
        size = max(0, s["responseBodySize"]) + max(0, s["responseHeadersSize"])
        (worker_sizes if request.service_worker else page_sizes).append(size)

    context.on("requestfinished", count)
    page.goto(url, wait_until="networkidle")
    opened = sum(page_sizes)
    draw_every_chart(page)
    page.wait_for_load_state("networkidle")
    page.evaluate("Promise.race([navigator.serviceWorker.ready, new Promise((r) => setTimeout(r, 60000))])")
    page.wait_for_load_state("networkidle")
    page.close()
    context.remove_listener("requestfinished", count)
    return {"requests": len(page_sizes), "opened": opened, "read": sum(page_sizes), "worker": sum(worker_sizes),
            "worker_requests": len(worker_sizes)}


def main() -> None:
    print(f"load average: {os.getloadavg()[0]:.2f}")
    with running_server() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        warm = browser.new_context()   # the server's one-off work (teacher training, compressing Plotly) first
        for path in PAGES:
            visit(warm, base + path)
        warm.close()
        print(f"{'page':28} {'first: requests':>15} {'on opening':>11} {'read to the end':>16} {'offline copy':>22} "
              f"{'repeat: requests':>17} {'read to the end':>16}")
        for path in PAGES:
            context = browser.new_context()
            first = visit(context, base + path)
            repeat = visit(context, base + path)
            copy = f"{first['worker'] / 1024:.1f} KiB ({first['worker_requests']})"
            print(f"{path:28} {first['requests']:15} {first['opened'] / 1024:9.1f} KiB {first['read'] / 1024:12.1f} KiB "
                  f"{copy:>22} {repeat['requests'] + repeat['worker_requests']:17} "
                  f"{(repeat['read'] + repeat['worker']) / 1024:12.1f} KiB", flush=True)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
