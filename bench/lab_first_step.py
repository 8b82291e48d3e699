"""How soon a live run's first step is on the lab's chart, on a slow phone: 4× CPU slowdown, 9 Mbps, 40 ms.

    .venv/bin/python bench/lab_first_step.py --runs 3

The lab loads Plotly.js only when a run starts (docs/ARCHITECTURE.md, "First frames"), so its first point
waits for the bundle as well as for the server. For each run a fresh browser context (nothing cached) opens
/demo/live-run under the same throttling as bench/explorer_ready.py, waits until its empty charts are drawn,
and starts a run by pressing Enter in a field: at once (the focus on the form starts Plotly's download
only a moment before), and after 2 s in the form (a reader choosing settings: the download has a head
start). The page itself records, from the run's start: when its first step event arrived, and when the
first point was on the chart (its data-points). The medians of --runs runs are printed.
"""
from __future__ import annotations

import argparse
import statistics

from explorer_ready import app_and_chromium, slow_phone_page

PATH = "/demo/live-run?steps=60&student_hidden=16"

# Resolves, once the first point is drawn, with the ms from the form's submission to the first step event
# and to the first point on the chart.
TIMES_SCRIPT = """
window.__firstStep = new Promise((resolve) => {
  document.addEventListener("submit", () => {
    const start = performance.now();
    let step = null;
    const check = () => {
      const lab = document.querySelector("[data-widget=live-run]");
      const run = lab.explorer.own[0];
      if (step === null && run && run.records.length) step = performance.now() - start;
      if (Number(lab.querySelector("[data-role=loss-chart]").dataset.points) > 0) {
        resolve({ step, drawn: performance.now() - start });
        return;
      }
      requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  }, true);
});
"""


def first_step(browser, url: str, throttle: bool = True, settle_ms: int = 0) -> dict:
    page = slow_phone_page(browser, throttle)
    page.add_init_script(TIMES_SCRIPT)
    page.goto(url)
    page.locator("[data-widget=live-run] [data-role=loss-chart][data-drawn]").wait_for()
    seed = page.get_by_label("Seed")
    seed.focus()
    page.wait_for_timeout(settle_ms)
    seed.press("Enter")
    times = page.evaluate("window.__firstStep")
    page.locator("[data-widget=live-run][data-state=finished]").wait_for(timeout=60_000)
    page.context.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with app_and_chromium() as (base, browser):
        first_step(browser, base + PATH, throttle=False)     # once, so the teacher's first training is not counted
        for settle_ms, when in [(0, "run started at once"), (2000, "after 2 s in the form")]:
            runs = [first_step(browser, base + PATH, settle_ms=settle_ms) for _ in range(args.runs)]
            for key, what in [("step", "first step event arrived"), ("drawn", "first point on the chart")]:
                values = [r[key] / 1000 for r in runs]
                print(f"{when:22} {what:26} {statistics.median(values):6.2f} s   "
                      f"({', '.join(f'{v:.2f}' for v in values)})", flush=True)


if __name__ == "__main__":
    main()
