// The lab's two live charts. New points are batched and drawn once per animation frame with
// Plotly.extendTraces, so a fast run does not redraw the chart for every event.
import { baseLayout, drawChart } from "../lib/charts.js";
import { markDrawn } from "../lib/explorer.js";

export const RUN_COLORS = [["blue", "#1c7ed6"], ["orange", "#d9480f"], ["green", "#2b8a3e"], ["purple", "#862e9c"]];

// Loss traces per run: total, alpha·CE, (1 − alpha)·T²·KL. Accuracy traces: all digits, the left-out one.
const LOSS_PARTS = [["loss", "solid", "total"], ["weighted_ce", "dash", "α·CE"], ["weighted_kd", "dot", "(1−α)·T²·KL"]];
const ACC_PARTS = [["test_acc", "solid", "test accuracy"], ["omitted_class_acc", "dot", "left-out digit"]];


const positive = (v) => (typeof v === "number" && v > 0 ? v : null);  // log axis: 0 has no place on it
const fraction = (v) => (typeof v === "number" ? v : null);

function traces(run, parts, pick) {
  return parts.map(([key, dash, part], i) => ({
    type: "scatter", mode: "lines", name: run.label, showlegend: false,   // named in the HTML legend
    line: { color: run.color, dash, width: i === 0 ? 2.5 : 1.8 },
    x: run.records.map((r) => r.step), y: run.records.map((r) => pick(r[key])),
    hovertemplate: `step %{x}: %{y:.4g}<extra>${run.label} · ${part}</extra>`,
  }));
}

export class LabCharts {
  constructor(lossEl, accEl, legendEl) {
    this.lossEl = lossEl;
    this.accEl = accEl;
    this.legendEl = legendEl;
    this.runs = [];
    this.pending = new Map();  // run -> records not drawn yet
    this.frame = 0;
    this.generation = 0;   // one per reset: only the latest reset's draws make the charts ready to extend
    this.ready = false;
  }

  /** Redraw everything from the runs' records (when a run is added or removed). */
  reset(runs) {
    this.runs = [...runs];
    this.pending.clear();
    const key = String(this.runs.length);  // the charts' data-drawn: how many runs they show
    // Before the first run: a line saying what will appear, not a pair of bare axes.
    const empty = this.runs.length === 0;
    const waiting = (what) => (empty ? {
      annotations: [{ text: `Press Start:<br>the ${what}<br>appear here.`, xref: "paper", yref: "paper",
                      x: 0.5, y: 0.5, showarrow: false }],
    } : {});
    const axis = (props) => ({ ...props, visible: !empty });
    this.showLegend();
    const lossDrawn = drawChart(this.lossEl, this.runs.flatMap((r) => traces(r, LOSS_PARTS, positive)), baseLayout({
      ...waiting("loss curves"), xaxis: axis({ title: { text: "step" } }),
      yaxis: axis({ title: { text: "loss" }, type: "log" }), uirevision: "lab",
    }));
    const accDrawn = drawChart(this.accEl, this.runs.flatMap((r) => traces(r, ACC_PARTS, fraction)), baseLayout({
      ...waiting("accuracy curves"), xaxis: axis({ title: { text: "step" } }),
      yaxis: axis({ title: { text: "test accuracy" }, range: [0, 1.02], tickformat: ".0%" }), uirevision: "lab",
    }));
    markDrawn(this.lossEl, key, lossDrawn);
    markDrawn(this.accEl, key, accDrawn);
    // Records that arrive before these draws are done wait for them (flush), then extend what they drew.
    const generation = ++this.generation;
    this.ready = false;
    this.drawn = Promise.all([lossDrawn, accDrawn]).then(() => {
      if (generation === this.generation) this.ready = true;
      this.count();
    });
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
      this.drawn.then(() => this.flush());
      return;
    }
    const P = window.Plotly;   // loaded: the charts are drawn
    for (const [el, parts, pick] of [[this.lossEl, LOSS_PARTS, positive], [this.accEl, ACC_PARTS, fraction]]) {
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
