// The lab's two live charts. New points are batched and drawn once per animation frame with
// Plotly.extendTraces, so a fast run does not redraw the chart for every event.
//
// Before a run the charts show only a note ("Press Start"), so they need no Plotly: until it has loaded
// they are drawn as first frames (lib/first-frame.js) of the very figure Plotly would draw (hidden axes, the
// note in the middle). Starting a run (or showing runs restored from a class) loads Plotly at once; the
// steps that stream in meanwhile wait in `pending` and are drawn as soon as Plotly has drawn the charts.
import { baseLayout, drawChart } from "../lib/charts.js";
import { markDrawn } from "../lib/explorer.js";
import { drawFirstFrame, followLook, removeFirstFrame } from "../lib/first-frame.js";
import { askForPlotly, loadedPlotly, loadPlotly, plotlyLoaded } from "../lib/plotly-loader.js";

export const RUN_COLORS = [["blue", "#1c7ed6"], ["orange", "#d9480f"], ["green", "#2b8a3e"], ["purple", "#862e9c"]];

// Loss traces per run: total, alpha·CE, (1 − alpha)·T²·KL. Accuracy traces: all digits, the left-out one.
const LOSS_PARTS = [["loss", "solid", "total"], ["weighted_ce", "dash", "α·CE"], ["weighted_kd", "dot", "(1−α)·T²·KL"]];
const ACC_PARTS = [["test_acc", "solid", "test accuracy"], ["omitted_class_acc", "dot", "left-out digit"]];

const positive = (v) => (typeof v === "number" && v > 0 ? v : null);  // log axis: 0 has no place on it
const fraction = (v) => (typeof v === "number" ? v : null);

const LOSS = { parts: LOSS_PARTS, pick: positive, what: "loss curves", yaxis: { title: { text: "loss" }, type: "log" } };
const ACCURACY = { parts: ACC_PARTS, pick: fraction, what: "accuracy curves",
                   yaxis: { title: { text: "test accuracy" }, range: [0, 1.02], tickformat: ".0%" } };

// What an empty chart says: before the first run; while Plotly loads for a run; if it could not load.
const NOTES = {
  idle: (what) => `Press Start:<br>the ${what}<br>appear here.`,
  loading: (what) => `Loading the chart<br>for the ${what}…`,
  failed: (what) => `The ${what}<br>could not be drawn.`,
};

function traces(run, parts, pick) {
  return parts.map(([key, dash, part], i) => ({
    type: "scatter", mode: "lines", name: run.label, showlegend: false,   // named in the HTML legend
    line: { color: run.color, dash, width: i === 0 ? 2.5 : 1.8 },
    x: run.records.map((r) => r.step), y: run.records.map((r) => pick(r[key])),
    hovertemplate: `step %{x}: %{y:.4g}<extra>${run.label} · ${part}</extra>`,
  }));
}

/** A chart's figure: the runs' curves, or with no runs, hidden axes and `note` in the middle. */
function figure(chart, runs, note) {
  const empty = runs.length === 0;
  const axis = (props) => ({ ...props, visible: !empty });   // not a pair of bare axes before the first run
  return {
    traces: runs.flatMap((r) => traces(r, chart.parts, chart.pick)),
    layout: baseLayout({
      ...(empty ? { annotations: [{ text: note(chart.what), xref: "paper", yref: "paper", x: 0.5, y: 0.5, showarrow: false }] } : {}),
      xaxis: axis({ title: { text: "step" } }), yaxis: axis(chart.yaxis), uirevision: "lab",
    }),
  };
}

export class LabCharts {
  /** `onError(message)` is told when the charts cannot be drawn (Plotly.js did not load). */
  constructor(lossEl, accEl, legendEl, onError) {
    this.lossEl = lossEl;
    this.accEl = accEl;
    this.legendEl = legendEl;
    this.onError = onError;
    this.charts = [[lossEl, LOSS], [accEl, ACCURACY]];
    this.runs = [];
    this.pending = new Map();  // run -> records not drawn yet
    this.frame = 0;
    this.generation = 0;   // one per reset: only the latest reset's draws make the charts ready to extend
    this.ready = false;
    this.note = null;      // while the charts are first frames: what they say (NOTES)
    for (const [el] of this.charts) {
      el.asksForPlotly = true;   // not loaded for coming near the viewport (lib/plotly-loader.js)
      followLook(el, () => { if (this.note) this.drawFrames(); });
    }
    // Plotly loaded for another chart of the page (or on a second try): it takes the first frames over, as
    // it does fast charts. (A run's own reset is already drawing them when they say "loading".)
    plotlyLoaded().then(() => { if (this.note && this.note !== NOTES.loading) this.reset(this.runs); });
  }

  /** Start loading Plotly now, for a run about to start (the pointer or focus on the lab's controls). */
  prepare() {
    askForPlotly();   // a failure is reported when a run needs it (reset)
  }

  /** Redraw everything from the runs' records (when a run is added or removed). */
  reset(runs) {
    this.runs = [...runs];
    this.pending.clear();
    this.showLegend();
    const generation = ++this.generation;
    this.ready = false;
    const key = String(this.runs.length);  // the charts' data-drawn: how many runs they show
    if (!loadedPlotly()) {
      this.note = this.runs.length ? NOTES.loading : NOTES.idle;
      this.drawFrames();
      if (!this.runs.length) {
        this.charts.forEach(([el]) => markDrawn(el, key));
        this.drawn = Promise.resolve();
        return;
      }
    }
    // The figures from the records as they are now: records that arrive later wait in `pending`.
    const figures = this.charts.map(([el, chart]) => [el, figure(chart, this.runs, NOTES.idle)]);
    this.drawn = loadPlotly().then(() => {
      if (generation !== this.generation) return null;
      return Promise.all(figures.map(([el, { traces: data, layout }]) => drawChart(el, data, layout).then(() => {
        removeFirstFrame(el);
        markDrawn(el, key);
      })));
    }).then(() => {
      if (generation !== this.generation) return;
      this.note = null;
      this.ready = true;
      this.count();
    });
    this.drawn.catch((err) => {
      if (generation !== this.generation) return;
      this.note = NOTES.failed;
      this.drawFrames();
      this.onError(err.message);
    });
  }

  /** The empty charts as first frames saying `this.note`; a hidden chart is drawn when shown (followLook). */
  drawFrames() {
    for (const [el, chart] of this.charts) drawFirstFrame(el, { ...figure(chart, [], this.note), shapes: [] });
  }

  /** One entry per run, in its colour: the runs' full names, which Plotly's legend cut short on narrow charts. */
  showLegend() {
    this.legendEl.hidden = this.runs.length === 0;
    this.legendEl.replaceChildren(...this.runs.map((run) => {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.setAttribute("aria-hidden", "true");
      swatch.style.borderTopColor = run.color;
      item.append(swatch, run.label);
      return item;
    }));
  }

  /** Queue a record of a run already on the charts; it is drawn on the next animation frame. */
  push(run, record) {
    if (!this.runs.includes(run)) return;
    if (!this.pending.has(run)) this.pending.set(run, []);
    this.pending.get(run).push(record);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  flush() {
    this.frame = 0;
    if (!this.ready) {
      this.drawn.then(() => this.flush(), () => {});   // (kept in the runs' records for the next reset)
      return;
    }
    const P = window.Plotly;   // loaded: the charts are drawn
    for (const [el, { parts, pick }] of this.charts) {
      const update = { x: [], y: [] };
      const indices = [];
      this.pending.forEach((records, run) => {
        const base = this.runs.indexOf(run) * parts.length;
        parts.forEach(([key], i) => {
          indices.push(base + i);
          update.x.push(records.map((r) => r.step));
          update.y.push(records.map((r) => pick(r[key])));
        });
      });
      if (indices.length) P.extendTraces(el, update, indices);
    }
    this.pending.clear();
    this.count();
  }

  /** Points drawn so far, for tests and for the charts' text alternative. */
  count() {
    const drawn = (this.lossEl.data || []).filter((_, i) => i % LOSS_PARTS.length === 0)
      .reduce((n, t) => n + t.x.length, 0);
    this.lossEl.dataset.points = String(drawn);
    this.accEl.dataset.points = String(drawn);
  }

  describe(summary) {
    this.lossEl.setAttribute("aria-label", `Loss curves. ${summary} The numbers are in the table below the charts.`);
    this.accEl.setAttribute("aria-label", `Accuracy curves. ${summary} The numbers are in the table below the charts.`);
  }
}
