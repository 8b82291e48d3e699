"""Slider latency: from a slider input to every chart of its explorer showing that input's numbers.

    .venv/bin/python bench/slider_latency.py [--moves 120]

Opens lesson 4.3 in headless Chromium against the real app (uvicorn in its own process) and, for each
slider of each explorer, moves it to a new random position `--moves` times, one move at a time (a move
that changes nothing, like a prompt longer than its sequence, is not counted). Each move is timed inside
the page with performance.now(): from dispatching the `input` event to the moment the explorer marks
every one of its charts as drawn for that exact state (`data-drawn`, set when Plotly has drawn it).
As in normal use the numbers come from the slider's table (POST /api/tables/*, over the live socket):
10 warm-up moves, then the bench waits until the table is in, so the moves measured are drawn from it.
Requests made during the measured moves (none are expected) are counted and printed with their round
trip, timed from send() to the answer. Prints p50/p95/max per slider, and the machine it ran on.
The server runs torch on one intra-op thread, as the app always does (app.device.use_one_cpu_thread).
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics

from playwright.sync_api import sync_playwright

from _server import running_server

CHROMIUM = os.environ.get("BREWSLM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# explorer -> (the data-drawn key its charts must reach, built from its number fields;
#              its sliders, main one first: (slider role, the registry parameter whose table it reads))
EXPLORERS = {
    "temperature": ("[n('t-number')].join('|')", [("t-slider", "T")]),
    "alpha": ("[n('alpha-number'), n('t-number')].join('|')", [("alpha-slider", "alpha"), ("t-slider", "T")]),
    "t-squared": ("[n('t-number')].join('|')", [("t-slider", "T")]),
    "reduction": ("[n('len-number'), n('prompt-number'), n('batch-number')].join('|')",
                  [("len-slider", "seq_len"), ("prompt-slider", "prompt_len"), ("batch-slider", "batch_size")]),
    "kl-direction": ("[n('sep-number'), n('weight-number')].join('|')", [("sep-slider", "separation"),
                                                                          ("weight-slider", "left_weight")]),
}

MEASURE = """async ([widget, slider, keyExpr, moves]) => {
  const root = document.querySelector(`[data-widget="${widget}"]`);
  const range = root.querySelector(`[data-role="${slider}"]`);
  const charts = [...root.querySelectorAll('[data-role$="chart"]')];
  const n = (role) => root.querySelector(`[data-role="${role}"]`).value;
  const expectedKey = new Function("n", `return ${keyExpr};`);
  const max = Number(range.max);
  let seed = 12345;
  const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const times = [];
  performance.clearResourceTimings();
  window.__liveRoundTrips = [];
  let skipped = 0;
  for (let i = 0; i < moves; i++) {
    let pos;
    do { pos = Math.floor(random() * (max + 1)); } while (String(pos) === range.value);
    const before = expectedKey(n);
    const t0 = performance.now();
    range.value = String(pos);
    range.dispatchEvent(new Event("input", { bubbles: true }));
    const want = expectedKey(n);
    // A move that changes nothing (the prompt slider past the sequence's end snaps back) is not a move.
    if (want === before) { i -= 1; skipped += 1; if (skipped > 10 * moves) throw new Error("slider changes nothing"); continue; }
    // Done when every chart of the explorer shows this state.
    const allDrawn = () => charts.every((c) => c.dataset.drawn === want);
    if (!allDrawn()) {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no chart for ${want} after 5 s`)), 5000);
        const obs = new MutationObserver(() => {
          if (allDrawn()) { obs.disconnect(); clearTimeout(timer); resolve(); }
        });
        for (const c of charts) obs.observe(c, { attributes: true, attributeFilter: ["data-drawn"] });
      });
    }
    times.push(performance.now() - t0);
  }
  // The server round trip of each move: a message on the live socket (timed by TIME_LIVE_SOCKET), or a
  // POST if the socket was not open, from the browser's resource timings.
  const fetches = performance.getEntriesByType("resource").filter((e) => e.name.includes("/api/")).map((e) => e.duration);
  return { times, roundTrips: [...window.__liveRoundTrips, ...fetches], posts: fetches.length };
}"""

# Installed before the page's scripts: times each live-socket request from send() to its answer.
TIME_LIVE_SOCKET = """(() => {
  window.__liveRoundTrips = [];
  const sentAt = new Map();
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => {
        const id = JSON.parse(e.data).id;
        if (sentAt.has(id)) { window.__liveRoundTrips.push(performance.now() - sentAt.get(id)); sentAt.delete(id); }
      });
    }
    send(data) { sentAt.set(JSON.parse(data).id, performance.now()); super.send(data); }
  };
})();"""


def cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=120)
    args = parser.parse_args()
    with running_server() as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.add_init_script(TIME_LIVE_SOCKET)
        page.goto(url + "/lessons/kd-loss")
        # Predict-then-see panels hide an explorer's charts until the learner predicts: skip them.
        for skip in page.locator("[data-action=skip-prediction]").all():
            skip.click()
        page.wait_for_selector("[data-predicting]", state="detached")
        for name in EXPLORERS:
            page.wait_for_selector(f'[data-widget="{name}"] [data-role$="chart"][data-drawn]')
        print(f"Slider latency, {args.moves} moves per slider (input event -> every chart drawn with the numbers of the slider's table)")
        print(f"  machine: {os.cpu_count()} cores, {cpu_model()}; load average {os.getloadavg()[0]:.2f}; "
              f"Chromium {browser.version}")
        worst = 0.0
        for name, (key, sliders) in EXPLORERS.items():
            root = page.locator(f'[data-widget="{name}"]').element_handle()
            for slider, param in sliders:
                page.evaluate(MEASURE, [name, slider, key, 10])                      # warm-up, not counted
                page.wait_for_function("([root, p]) => root.explorer.data.tableFor(p) !== null", arg=[root, param])
                result = page.evaluate(MEASURE, [name, slider, key, args.moves])
                times = result["times"]
                q = statistics.quantiles(times, n=100)
                worst = max(worst, q[94])
                trips = result["roundTrips"]
                asked = (f"{len(trips)} requests, round trip p50 {statistics.median(trips):.1f} ms, "
                         f"{result['posts']} by POST") if trips else "no request"
                print(f"  {name + ' ' + slider.removesuffix('-slider'):<20} p50 {q[49]:6.1f} ms   p95 {q[94]:6.1f} ms   "
                      f"max {max(times):6.1f} ms   ({asked})")
        print(f"  worst p95 {worst:.1f} ms (target: ≤ 16.7 ms, one frame at 60 Hz); "
              f"load average now {os.getloadavg()[0]:.2f}")
        browser.close()


if __name__ == "__main__":
    main()
