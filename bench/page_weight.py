"""Page weight: bytes on the wire for each page with everything it loads, first visit and repeat visit.

    .venv/bin/python bench/page_weight.py

Uses headless Chromium (Debian's) and counts encoded response bytes; the repeat visit shows what the
long-cached, content-hashed assets save.
"""
from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright

from _server import running_server

sys.path.insert(0, ".")
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PAGES = ["/", "/lessons/kd-loss", "/glossary", "/demo/temperature"]


def main() -> None:
    with running_server() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print(f"{'page':24} {'first: requests':>16} {'bytes':>12} {'repeat: requests':>17} {'bytes':>10}")
        for path in PAGES:
            context = browser.new_context()
            first, repeat = [], []
            page = context.new_page()
            page.on("requestfinished", lambda req: first.append(max(0, req.sizes()["responseBodySize"])))
            page.goto(base + path, wait_until="networkidle")
            page2 = context.new_page()
            page2.on("requestfinished", lambda req: repeat.append(max(0, req.sizes()["responseBodySize"])))
            page2.goto(base + path, wait_until="networkidle")
            print(f"{path:24} {len(first):16} {sum(first):12,} {len(repeat):17} {sum(repeat):10,}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
