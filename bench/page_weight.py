"""Page weight: bytes on the wire for each page with everything it loads, first visit and repeat visit.

    .venv/bin/python bench/page_weight.py

Headless Chromium (Debian's) reads each page to its end, as a reader would: every chart comes near the
viewport, so Plotly.js (fetched only then) and every explorer's first answer are counted. Bytes are
what crossed the wire (encoded bodies plus response headers; the app compresses text responses). The
repeat visit is a second tab in the same browser, so long-cached, content-hashed files come from its
cache, and what the offline service worker keeps (static/sw.js: files, pages, slider tables) from its cache.
Requests the service worker makes are counted once (a response it hands the page is not counted again):
one that fetches what the page asked it for is the page's load, the others (what it keeps for offline use)
go in a column of their own. Slider moves after the first answer travel over the
page's WebSocket and are not counted.

Each page is visited twice over, in two browser contexts: on a connection that is not metered (the worker
copies the whole course in the background once it looks after the page; its fetches, waited for until the
copy is done, are "worker, copy allowed"), and on one reported as metered (navigator.connection: cellular,
the copy deferred to the reader's "Save the course for offline use"; the worker keeps only the page, the
files it loaded, its tables and the /offline page: "worker, copy deferred"). The repeat visit is measured in
the metered context, where no copy runs beside it.
"""
from __future__ import annotations

import os
import re
import sys
from collections import Counter

from playwright.sync_api import expect, sync_playwright

from _server import ROOT, running_server

sys.path.insert(0, str(ROOT))
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.helpers import draw_every_chart  # noqa: E402
from tests.browser.predictions import skip_predictions  # noqa: E402
from tests.browser.offline_helpers import METERED_CONNECTION, wait_for_course, wait_for_worker  # noqa: E402

PAGES = ["/", "/lessons/kd-teacher-capture", "/lessons/kd-loss", "/lessons/kd-quality-kept", "/glossary",
         "/demo/temperature", "/demo/alpha", "/demo/live-run", "/join"]


def visit(context, url: str, *, whole_course: bool) -> dict[str, int]:
    """One visit in `context`: the page's own requests and bytes (on opening, and after reading to the end),
    and the bytes the service worker fetched meanwhile (static/sw.js), waited for until the worker is active
    and looks after the page, and with `whole_course` until its copy of the course is done."""
    direct: list[int] = []                     # the page's requests that went to the network itself
    through_worker: list[str] = []             # the page's requests the worker answered
    by_worker: list[tuple[str, int]] = []      # the worker's own requests to the network
    page = context.new_page()

    def count(request) -> None:
        response = request.response()
        if response is None:
            return
        s = request.sizes()
        size = max(0, s["responseBodySize"]) + max(0, s["responseHeadersSize"])
        if request.service_worker:
            by_worker.append((f"{request.method} {request.url}", size))
        elif response.from_service_worker:
            through_worker.append(f"{request.method} {request.url}")
        else:
            direct.append(size)

    def split() -> tuple[list[int], list[int]]:
        """(the page's load, the worker's own fetches): a worker request for what the page asked it for, of
        which it had no copy, is the page's load passed on; the rest is the worker keeping things."""
        wanted = Counter(through_worker)
        page_sizes, worker_sizes = list(direct), []
        for key, size in by_worker:
            if wanted[key] > 0:
                wanted[key] -= 1
                page_sizes.append(size)
            else:
                worker_sizes.append(size)
        return page_sizes, worker_sizes

    context.on("requestfinished", count)
    page.goto(url, wait_until="networkidle")
    opened = sum(split()[0])
    # Read as a reader who scrolls without pointing at a chart: a mouse left over one as the page scrolls
    # beneath it reaches for its hover labels, which loads Plotly (static/js/lib/fast-chart.js).
    expect(page.locator("[aria-busy=true]")).to_have_count(0, timeout=120_000)   # its prediction is asked
    skip_predictions(page)
    page.mouse.move(0, 0)
    charts = page.locator(".chart:not(.heat-grid-chart)")      # as draw_every_chart, without its clicks
    for i in range(charts.count()):
        charts.nth(i).scroll_into_view_if_needed()
        expect(charts.nth(i)).to_have_attribute("data-drawn", re.compile(".+"), timeout=120_000)
    page.wait_for_load_state("networkidle")
    wait_for_worker(page)
    if whole_course:
        wait_for_course(page, timeout_s=120)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)       # what the page handed the worker to keep (a first visit's files, tables)
    page.wait_for_load_state("networkidle")
    page.close()
    context.remove_listener("requestfinished", count)
    page_sizes, worker_sizes = split()
    return {"requests": len(page_sizes), "opened": opened, "read": sum(page_sizes), "worker": sum(worker_sizes),
            "worker_requests": len(worker_sizes)}


def kib(size: int, requests: int | None = None) -> str:
    return f"{size / 1024:.1f} KiB" + (f" ({requests})" if requests is not None else "")


def main() -> None:
    print(f"load average: {os.getloadavg()[0]:.2f}")
    with running_server() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        warm = browser.new_context(service_workers="block")   # the server's one-off work (teacher, Plotly) first
        for path in PAGES:
            page = warm.new_page()
            page.goto(base + path, wait_until="networkidle")
            draw_every_chart(page)
            page.close()
        warm.close()
        print(f"{'page':28} {'first: requests':>15} {'on opening':>11} {'read to the end':>16} "
              f"{'worker, copy allowed':>22} {'worker, copy deferred':>22} {'repeat: requests':>17} {'read to the end':>16}")
        for path in PAGES:
            allowed = browser.new_context()
            first_allowed = visit(allowed, base + path, whole_course=True)
            allowed.close()
            metered = browser.new_context()
            metered.add_init_script(METERED_CONNECTION)
            first = visit(metered, base + path, whole_course=False)
            repeat = visit(metered, base + path, whole_course=False)
            metered.close()
            print(f"{path:28} {first['requests']:15} {kib(first['opened']):>11} {kib(first['read']):>16} "
                  f"{kib(first_allowed['worker'], first_allowed['worker_requests']):>22} "
                  f"{kib(first['worker'], first['worker_requests']):>22} "
                  f"{repeat['requests'] + repeat['worker_requests']:17} {kib(repeat['read'] + repeat['worker']):>16}",
                  flush=True)
        browser.close()


if __name__ == "__main__":
    main()
