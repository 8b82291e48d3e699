"""Time until each explorer is usable on a slow phone: 4× CPU slowdown, 9 Mbps down and up, 40 ms latency.

    .venv/bin/python bench/explorer_ready.py --runs 3

For every demo page (one explorer filling the screen) and for lesson 4.3 opened at its first explorer
(/lessons/kd-loss#temperature-1-frame), a fresh browser context (nothing cached) opens the page under
Chromium's CPU throttling and network emulation (DevTools protocol), and the page itself records
`performance.now()` (milliseconds since the navigation started) at the moment every chart of the
explorer in view shows the server's first answer (each chart's `data-drawn`). From then on the
sliders answer. The median of --runs runs is printed with the spread.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
from contextlib import contextmanager

from playwright.sync_api import sync_playwright

from _server import ROOT, running_server

sys.path.insert(0, str(ROOT))
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PAGES = ["/demo/temperature", "/demo/alpha", "/demo/t-squared", "/demo/reduction", "/demo/kl-direction",
         "/demo/live-run", "/lessons/kd-loss#temperature-1-frame"]
NETWORK = {"offline": False, "latency": 40, "downloadThroughput": 9e6 / 8, "uploadThroughput": 9e6 / 8}
CPU_SLOWDOWN = 4

# Resolves with performance.now() once every chart of the first explorer on the page has been drawn.
READY_SCRIPT = """
window.__explorerReady = new Promise((resolve) => {
  const check = () => {
    const root = document.querySelector(location.hash ? `${location.hash} [data-widget]` : '[data-widget]');
    const charts = root ? [...root.querySelectorAll('.chart:not(.heat-grid-chart)')] : [];
    if (charts.length && charts.every((c) => c.dataset.drawn)) { resolve(performance.now()); return; }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
});
"""


@contextmanager
def app_and_chromium():
    """The app in its own process and a headless Chromium: yields (the app's URL, the browser). Prints the
    load average before and after (the machine is shared)."""
    print(f"load average at the start: {os.getloadavg()[0]:.2f}")
    with running_server() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield base, browser
        browser.close()
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


def slow_phone_page(browser, throttle: bool = True):
    """A page in a fresh context (nothing cached) on a 412×823 touch screen, throttled unless told not to;
    close its context (`page.context.close()`) when done."""
    context = browser.new_context(viewport={"width": 412, "height": 823}, is_mobile=True, has_touch=True,
                                  service_workers="block")
    page = context.new_page()
    if throttle:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", NETWORK)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    return page


def time_to_ready(browser, url: str, throttle: bool = True) -> float:
    page = slow_phone_page(browser, throttle)
    context = page.context
    page.add_init_script(READY_SCRIPT)
    page.goto(url, wait_until="commit")
    ready = page.evaluate("window.__explorerReady")
    context.close()
    return ready


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with app_and_chromium() as (base, browser):
        for path in PAGES:                     # once unthrottled, so one-off server work is not counted
            time_to_ready(browser, base + path, throttle=False)
        print(f"{'page':40} {'usable after (median)':>22} {'runs':>20}")
        for path in PAGES:
            times = [time_to_ready(browser, base + path) for _ in range(args.runs)]
            spread = ", ".join(f"{t / 1000:.2f}" for t in times)
            print(f"{path:40} {statistics.median(times) / 1000:20.2f} s   {spread}", flush=True)


if __name__ == "__main__":
    main()
