"""Lighthouse 12 on every page, desktop and mobile: performance, accessibility and best-practices scores,
with the timings behind the performance score.

    .venv/bin/python bench/lighthouse.py                 # every page, both form factors
    .venv/bin/python bench/lighthouse.py --pages /demo/alpha --form-factors mobile --runs 3

Lighthouse comes from npm (not committed): the first run installs `lighthouse@12` into bench/.lighthouse/
(git-ignored; needs `npm` and the network once), or run `npm install --prefix bench/.lighthouse lighthouse@12`
yourself. It drives Debian's Chromium (CHROME_PATH, default /usr/bin/chromium) headless against the app
served by uvicorn in its own process. Mobile is Lighthouse's default: a mid-range phone with simulated
throttling (4× CPU slowdown, 150 ms RTT, 1.6 Mbps); desktop is its `desktop` preset (40 ms, 10 Mbps, no CPU
slowdown). Every page is opened once before it is measured, so one-off server work (the tiny-LM teacher's
training, compressing the Plotly bundle) is not counted. With --runs N each page is measured N times and
the median performance run is reported. The reports are written to var/lighthouse/.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from _server import ROOT, running_server

sys.path.insert(0, str(ROOT))
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.helpers import draw_every_chart  # noqa: E402

PAGES = ["/", "/lessons/kd-teacher-capture", "/lessons/kd-loss", "/lessons/kd-quality-kept", "/glossary",
         "/demo/temperature", "/demo/alpha", "/demo/t-squared", "/demo/reduction", "/demo/kl-direction",
         "/demo/live-run", "/join", "/offline"]
LIGHTHOUSE_DIR = ROOT / "bench" / ".lighthouse"
LIGHTHOUSE_CLI = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
REPORTS = ROOT / "var" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices"]
TIMINGS = ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
           "speed-index"]


def ensure_lighthouse() -> Path:
    if not LIGHTHOUSE_CLI.exists():
        npm = shutil.which("npm")
        if not npm:
            sys.exit("Lighthouse needs Node.js and npm: install them, then run this again.")
        print("Installing lighthouse@12 into bench/.lighthouse/ (once) …", flush=True)
        subprocess.run([npm, "install", "--prefix", str(LIGHTHOUSE_DIR), "--no-audit", "--no-fund", "lighthouse@12"],
                       check=True)
    return LIGHTHOUSE_CLI


def run_lighthouse(cli: Path, url: str, form_factor: str, out: Path) -> dict:
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    command = ["node", str(cli), url, "--quiet", "--output=json", f"--output-path={out}",
               f"--only-categories={','.join(CATEGORIES)}", "--max-wait-for-load=60000",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": chrome})
    return json.loads(out.read_text(encoding="utf-8"))


def summary(report: dict) -> dict:
    audits = report["audits"]
    row = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    row.update({t: audits[t]["numericValue"] for t in TIMINGS})
    row["bytes"] = audits["total-byte-weight"]["numericValue"]
    row["failed"] = sorted(a["id"] for c in CATEGORIES[1:] for a in report["categories"][c]["auditRefs"]
                           if a["weight"] and (audits[a["id"]]["score"] is not None) and audits[a["id"]]["score"] < 1)
    return row


def warm_up(base: str, pages: list[str]) -> None:
    """Open every page once and draw its charts: the server's one-off work (training the tiny-LM teacher,
    compressing the Plotly bundle) happens here, not inside a measurement."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        for path in pages:
            page.goto(base + path)
            draw_every_chart(page)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", nargs="+", default=PAGES)
    parser.add_argument("--form-factors", nargs="+", default=["desktop", "mobile"], choices=["desktop", "mobile"])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    cli = ensure_lighthouse()
    REPORTS.mkdir(parents=True, exist_ok=True)
    print(f"load average at the start: {os.getloadavg()[0]:.2f} (2 cores; figures under load are not comparable)")
    with running_server() as base:
        warm_up(base, args.pages)
        print(f"{'page':28} {'form':8} {'perf':>4} {'a11y':>4} {'bp':>4} {'FCP':>7} {'LCP':>7} {'TBT':>6} {'CLS':>6} "
              f"{'SI':>7} {'KiB':>6}  below 100")
        for path in args.pages:
            for form_factor in args.form_factors:
                rows = []
                for run in range(args.runs):
                    name = (path.strip("/").replace("/", "_") or "overview") + f"-{form_factor}-{run + 1}.json"
                    rows.append(summary(run_lighthouse(cli, base + path, form_factor, REPORTS / name)))
                row = sorted(rows, key=lambda r: r["performance"])[len(rows) // 2]
                spread = f" (perf {min(r['performance'] for r in rows)}–{max(r['performance'] for r in rows)})" if args.runs > 1 else ""
                print(f"{path:28} {form_factor:8} {row['performance']:4} {row['accessibility']:4} {row['best-practices']:4} "
                      f"{row['first-contentful-paint']:6.0f}ms {row['largest-contentful-paint']:6.0f}ms "
                      f"{row['total-blocking-time']:5.0f}ms {row['cumulative-layout-shift']:6.3f} "
                      f"{row['speed-index']:6.0f}ms {row['bytes'] / 1024:6.0f}  {' '.join(row['failed']) or '-'}{spread}",
                      flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}; reports in {REPORTS.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
