// A chart whose moving series are layout shapes, so a slider move redraws in about a millisecond.
//
// Plotly redraws a whole chart when any trace's data changes: 5–8 ms of main-thread time per chart on the
// project's 2-core machine, most of it defaults, axes and margins that a slider move does not change
// (docs/BENCHMARKS.md). A change of layout shapes alone is an "arraydraw" edit: Plotly redraws only the
// shapes layer (≈1 ms for a few paths). A change of annotations is not (it replots), so text that moves
// is a shape's label. The series a slider moves are drawn as path shapes in data coordinates, over fixed
// axes; the real traces stay in the chart for their hover labels, drawn invisible, and are brought up to
// date with one full redraw once the chart has been still a moment (or at once when the pointer comes to
// it). A change of axes, categories or series (the chart's key) is a full redraw straight away. The
// chart's data-traces attribute says whether its traces are "current" or "behind" the shapes.
//
// Until Plotly.js has loaded, the chart is an SVG first frame of the same figure (lib/first-frame.js),
// redrawn on every move (data-traces="first-frame"); the pointer coming to the chart (for a hover label)
// or a pin asks for Plotly, and the chart is handed to it, in a task of its own, once it has loaded.
import { chartLook, INVISIBLE, resolveInk } from "./chart-theme.js";
import { withFixedTicks } from "./chart-ticks.js";
import { plotly, reactChart } from "./charts.js";
import { drawFirstFrame, followLook, removeFirstFrame } from "./first-frame.js";
import { askForPlotly, loadedPlotly, nextTask, plotlyLoaded } from "./plotly-loader.js";

const SYNC_AFTER_MS = 250;

const point = (x, y) => `${x},${y}`;
const isNumber = (v) => typeof v === "number" && Number.isFinite(v);

/** A polyline through (xs[i], ys[i]); a missing value (null, NaN) breaks it, as Plotly's connectgaps: false does. */
export function linePath(xs, ys) {
  let path = "";
  let pen = "M";
  ys.forEach((y, i) => {
    if (!isNumber(y)) { pen = "M"; return; }
    path += pen + point(xs[i], y);
    pen = "L";
  });
  return path;
}

/** A step line whose steps sit midway between the points (Plotly's line.shape "hvh"). */
function stepPath(xs, ys) {
  let path = `M${point(xs[0], ys[0])}`;
  for (let i = 1; i < xs.length; i++) {
    const mid = (xs[i - 1] + xs[i]) / 2;
    path += `L${point(mid, ys[i - 1])}L${point(mid, ys[i])}L${point(xs[i], ys[i])}`;
  }
  return path;
}

/** The area between that step line and zero (Plotly's fill "tozeroy"). */
export function stepAreaPath(xs, ys) {
  return `M${point(xs[0], 0)}L${stepPath(xs, ys).slice(1)}L${point(xs[xs.length - 1], 0)}Z`;
}

/** Bars on a category axis: bar i spans category positions i + offset to i + offset + width, 0 to ys[i]. */
export function barsPath(ys, offset, width) {
  return ys.map((y, i) => {
    const x0 = i + offset;
    const x1 = x0 + width;
    return `M${point(x0, 0)}L${point(x0, y)}L${point(x1, y)}L${point(x1, 0)}Z`;
  }).join("");
}

/**
 * Round markers of `radius` pixels at the points, as one path in data coordinates: an ellipse in data units
 * that the chart's fixed axes turn into a circle (so the chart must have been drawn, and its ranges fixed).
 */
export function markersPath(el, xs, ys, radius) {
  const full = el._fullLayout;                                   // Plotly's drawn layout: not there before a first draw
  if (!full || !full._size) return "";
  const size = full._size;                                       // the plot area, in pixels
  const [x0, x1] = full.xaxis.range;
  const [y0, y1] = full.yaxis.range;
  const rx = (radius * (x1 - x0)) / size.w;
  const ry = (radius * (y1 - y0)) / size.h;
  const k = 0.5523;                                               // four cubic Béziers make a circle
  return ys.map((y, i) => {
    if (!isNumber(y)) return "";
    const x = xs[i];
    return `M${point(x + rx, y)}C${point(x + rx, y + k * ry)} ${point(x + k * rx, y + ry)} ${point(x, y + ry)}` +
           `C${point(x - k * rx, y + ry)} ${point(x - rx, y + k * ry)} ${point(x - rx, y)}` +
           `C${point(x - rx, y - k * ry)} ${point(x - k * rx, y - ry)} ${point(x, y - ry)}` +
           `C${point(x + k * rx, y - ry)} ${point(x + rx, y - k * ry)} ${point(x + rx, y)}Z`;
  }).join("");
}

/** A diamond marker of `size` pixels at data point (x, y), like Plotly's marker symbol "diamond". */
export function diamondShape(x, y, color, size = 12) {
  const r = size / 2;
  return { type: "path", path: `M 0,${-r} L ${r},0 L 0,${r} L ${-r},0 Z`, xsizemode: "pixel", ysizemode: "pixel",
           xanchor: x, yanchor: y, fillcolor: color, line: { color: "#fff", width: 1 }, layer: "above" };
}

/** A path shape in data coordinates: a line (color, width, dash) and, with `fill`, a filled area. */
export function pathShape(path, { color, width = 2, dash = "solid", fill = null, layer = "above" }) {
  return { type: "path", path, xref: "x", yref: "y", layer, line: { color, width, dash },
           ...(fill ? { fillcolor: fill } : {}) };
}

/** A trace kept for hover and its readout only: drawn invisible, its hover label in the series' colour. */
export function hoverOnly(trace, color) {
  const hidden = { ...trace, hoverlabel: { ...(trace.hoverlabel || {}), bgcolor: color } };
  if (trace.type === "bar") hidden.marker = { ...(trace.marker || {}), color: INVISIBLE, line: { width: 0 } };
  else hidden.line = { ...(trace.line || {}), color: INVISIBLE };
  if (trace.mode && trace.mode.includes("markers")) hidden.marker = { ...(trace.marker || {}), color: INVISIBLE };
  return hidden;
}

export class FastChart {
  constructor(el) {
    this.el = el;
    this.key = null;
    this.latest = null;         // the full figure last asked for
    this.stale = false;         // the traces (hover) are behind the shapes
    this.timer = null;
    this.frame = null;          // the SVG first frame while Plotly has not drawn the chart
    el.fastChart = this;        // pins (lib/charts.js) sync the traces before freezing them
    el.asksForPlotly = true;    // not loaded for coming near the viewport (lib/plotly-loader.js)
    const reach = () => {
      // Hover labels are Plotly's. If it cannot load, the first frame stays (it is the whole chart, without
      // hover labels) and the next pointer over a chart tries again: nothing to report as an error.
      askForPlotly();
      this.sync();
    };
    // A mouse over the chart reaches for its hover labels; a finger swiping across it is scrolling the page
    // (on a slow phone that must not cost Plotly's bundle), so on a touch screen a tap on the chart does.
    el.addEventListener("pointerenter", (event) => { if (event.pointerType !== "touch") reach(); });
    el.addEventListener("click", reach);
    plotlyLoaded().then(() => this.handToPlotly());
    // The first frame follows the page's look (theme, the demo's type size, paper) and the chart's box.
    followLook(el, () => { if (this.frame) this.drawFrame(); });
  }

  /** The figure as SVG, without Plotly; pins and theme changes read it from el.liveDraw as from Plotly's. */
  drawFrame() {
    const { traces, layout } = this.latest;
    this.el.liveDraw = { traces, layout };
    const frame = drawFirstFrame(this.el, { traces, layout, shapes: this.shapesSpec });
    if (frame) {                             // (none while hidden: drawn when shown)
      this.frame = frame;
      this.el.dataset.traces = "first-frame";
    }
    return Promise.resolve();
  }

  /** Plotly has loaded: it draws the chart (in a task of its own), and the first frame goes. */
  async handToPlotly() {
    if (!this.frame || !this.latest) return;
    await nextTask();
    if (!this.frame) return;                 // a move drew it with Plotly meanwhile
    await this.redraw();
    this.refit();                            // shapes sized from the plot area, now Plotly's
  }

  /** Only the shapes redrawn, in the theme's colours; a later full redraw (theme, pins) keeps them. */
  relayoutShapes(shapes) {
    if (this.el.liveDraw) this.el.liveDraw = { ...this.el.liveDraw, layout: { ...this.el.liveDraw.layout, shapes } };
    return plotly().relayout(this.el, { shapes: resolveInk(shapes, chartLook().ink) });
  }

  /**
   * Show a figure. `key` names everything but the shapes (axes, categories, series, annotations):
   * while it is unchanged only the shapes are redrawn now, and the traces follow once the
   * chart is still. `shapes` may be a function of the chart element, for shapes sized from the drawn plot
   * area (markersPath): after every full redraw (a resize too) it is called again. Returns a promise for
   * what is drawn now.
   */
  draw({ key, traces, layout: given, shapes = [] }) {
    // Both renderers label the same ticks (lib/chart-ticks.js).
    const layout = withFixedTicks(given, traces);
    // A path shape with no path (markers before the plot area is known) is left out.
    this.shapesSpec = shapes;
    this.shapesOf = (el) => (typeof shapes === "function" ? shapes(el) : shapes).filter((sh) => sh.path !== "");
    this.latest = { traces, layout: { ...layout, shapes: this.shapesOf(this.el) } };
    clearTimeout(this.timer);
    if (!this.el.data && !loadedPlotly()) return this.drawFrame();
    if (key !== this.key || !this.el.data) {
      this.key = key;
      return Promise.resolve(this.redraw()).then(() => this.refit());
    }
    this.stale = true;
    this.el.dataset.traces = "behind";
    this.timer = setTimeout(() => this.sync(), SYNC_AFTER_MS);
    return this.relayoutShapes(this.latest.layout.shapes);
  }

  /** Bring the hover traces up to what the shapes show. */
  sync() {
    clearTimeout(this.timer);
    if (this.frame) return;          // nothing drawn by Plotly yet: no traces to be behind
    if (this.stale && this.latest) this.redraw();
  }

  redraw() {
    this.stale = false;
    const drawing = reactChart(this.el, this.latest.traces, this.latest.layout);
    Promise.resolve(drawing).then(() => {
      if (this.frame && this.el.data) {      // Plotly has drawn it: the first frame goes
        removeFirstFrame(this.el);
        this.frame = null;
      }
      if (!this.stale) this.el.dataset.traces = "current";
      // (A draw overtaken by a newer one before Plotly drew this chart at all leaves no Plotly chart yet.)
      if (!this.listening && typeof this.el.on === "function") {   // Plotly resizes a responsive chart on its own: shapes sized in pixels follow
        this.listening = true;
        this.el.on("plotly_afterplot", () => this.refit());
      }
    });
    return drawing;
  }

  /** Shapes sized from the plot area (markers), computed again for the area as it is drawn now. */
  refit() {
    const shapes = this.shapesOf(this.el);
    if (JSON.stringify(shapes) === JSON.stringify(this.latest.layout.shapes)) return undefined;
    this.latest.layout.shapes = shapes;
    return this.relayoutShapes(shapes);
  }
}
