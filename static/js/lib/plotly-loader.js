// Plotly.js (1.2 MB even as the basic bundle) is fetched only when the first chart that needs it comes near
// the viewport: a lesson read from the top shows its text without paying for charts below the fold. Fast
// charts draw a first frame without it (lib/first-frame.js) and ask for it when the reader reaches for
// what only Plotly does (a hover label, a pin); the live lab, when a run is started (or about to be).
// The bundle's URL comes from <meta name="plotly-src"> (templates/_partials/plotly.html).

const NEAR = "100% 0px";   // "near": within one screen height above or below the viewport
let loading = null;

function bundleUrl() {
  const meta = document.querySelector('meta[name="plotly-src"]');
  if (!meta) throw new Error("This page does not say where Plotly.js is, so charts cannot be drawn.");
  return meta.content;
}

/** Start loading Plotly.js now (once); resolves with window.Plotly. */
export function loadPlotly() {
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      if (window.Plotly) { resolve(window.Plotly); announceLoaded(window.Plotly); return; }
      const script = document.createElement("script");
      script.src = bundleUrl();
      script.async = true;
      script.addEventListener("load", () => {
        if (!window.Plotly) { reject(new Error("Plotly.js loaded but did not start, so charts cannot be drawn.")); return; }
        resolve(window.Plotly);
        announceLoaded(window.Plotly);
      });
      script.addEventListener("error", () => {
        loading = null;   // the next chart that asks tries again (a dropped connection, a server restarting)
        script.remove();
        reject(new Error("Plotly.js did not load, so charts cannot be drawn."));
      });
      document.head.append(script);
    });
  }
  return loading;
}

/** Start loading Plotly for what may soon need it (a hover label, a pin, a run about to start), without
 * waiting on it: a failure is not this caller's to report, and the next ask (or loadPlotly) tries again. */
export function askForPlotly() {
  if (!loadedPlotly()) loadPlotly().catch(() => {});
}

let announceLoaded;
const loaded = new Promise((resolve) => { announceLoaded = resolve; });

/** Resolves with Plotly once it has loaded, whatever asked for it; asks for nothing itself. */
export function plotlyLoaded() {
  return loaded;
}

let nearby = null;   // resolves once a chart is near the viewport (or Plotly was asked for another way)
let signalNear;

/** Resolves with Plotly once a chart is near the viewport and the bundle has loaded. */
export function whenPlotly() {
  if (!nearby) watchCharts();
  return nearby.then(loadPlotly);
}

/**
 * Resolves in a task of its own: a chart's first draw (its Plotly set-up, 60–100 ms on a slow phone)
 * then runs apart from the bundle's start-up and from the other charts', so the page can answer a tap
 * in between instead of freezing for all of them at once.
 */
export function nextTask() {
  if (window.scheduler && typeof window.scheduler.yield === "function") return window.scheduler.yield();
  return new Promise((resolve) => { setTimeout(resolve, 0); });
}

/** Plotly if it has already loaded, else null (for code that must not wait). */
export function loadedPlotly() {
  return window.Plotly || null;
}

function watchCharts() {
  nearby = new Promise((resolve) => { signalNear = resolve; });
  const charts = document.querySelectorAll(".chart:not(.heat-grid-chart)");
  if (!("IntersectionObserver" in window) || !charts.length) { signalNear(); return; }
  const observer = new IntersectionObserver((entries) => {
    // A chart that draws a first frame without Plotly (lib/first-frame.js: fast charts, the lab's empty charts)
    // asks for it itself when it needs it (el.asksForPlotly): only the others need it near.
    if (!entries.some((e) => e.isIntersecting && !e.target.asksForPlotly)) return;
    observer.disconnect();
    signalNear();
  }, { rootMargin: NEAR });
  charts.forEach((chart) => observer.observe(chart));
  // Printing needs every chart drawn, wherever it is on the page.
  window.addEventListener("beforeprint", () => signalNear(), { once: true });
}
