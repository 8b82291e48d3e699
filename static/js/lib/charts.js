// Plotly defaults shared by every widget, and the text alternative each chart carries.
// Charts are drawn through reactChart (or drawChart for charts that grow by extendTraces): they wait for
// Plotly to load (lib/plotly-loader.js), follow the theme (lib/chart-theme.js) and carry pins (lib/pins.js).
import { applyLook, chartLook, INK, onLookChange, resolveInk } from "./chart-theme.js";
import { addPin, clearPinsOf, pinnedTraces } from "./pins.js";
import { askForPlotly, loadedPlotly, loadPlotly, nextTask, whenPlotly } from "./plotly-loader.js";

// Readable on the light page, the dark page and the projector's black (≥ 3:1 against each, as lines and bars).
export const COLORS = {
  reference: "#9aa5b1",
  accent: "#d9480f",
  ce: "#1c7ed6",
  kd: "#d9480f",
  total: INK,   // the theme's text colour: near-black on paper, near-white in the dark
  good: "#2b8a3e",
};

/** The layout every chart starts from; the theme's colours and type are applied when it is drawn. */
export function baseLayout(overrides = {}) {
  const { demo, fontSize: size } = chartLook();
  return {
    // Room for the usual tick labels and axis titles from the start: automargin only ever widens a
    // margin, and each widening costs Plotly a second full drawing pass.
    margin: { l: Math.round(4.5 * size), r: Math.round(1.5 * size), t: Math.round(2.2 * size), b: Math.round(3.8 * size) },
    font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    // Above the plot: it pushes the margin instead of covering the x axis's title. On a projector, in two
    // columns, so four long names take two lines of the chart's height, not four.
    legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", bgcolor: "rgba(0,0,0,0)",
              ...(demo && { entrywidth: 0.5, entrywidthmode: "fraction" }) },
    dragmode: false,
    xaxis: {},
    yaxis: {},
    ...overrides,
  };
}

// No toolbar: axes are fixed (no zoom or pan to undo), and on a phone it covered the labels.
export const PLOT_CONFIG = { displaylogo: false, responsive: true, displayModeBar: false, scrollZoom: false,
                             doubleClick: false, showTips: false, showAxisDragHandles: false };

/** Replace a <table>'s header with one row of column headers. */
export function fillTableHead(table, headers) {
  const row = document.createElement("tr");
  for (const h of headers) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = h;
    row.append(th);
  }
  (table.tHead || table.createTHead()).replaceChildren(row);
}

/** Fill a <table> with a header row and data rows (text only: never HTML). */
export function fillTable(table, headers, rows) {
  fillTableHead(table, headers);
  const tbody = table.tBodies[0] || table.createTBody();
  tbody.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement("tr");
    cells.forEach((cell, i) => {
      const td = document.createElement(i === 0 ? "th" : "td");
      if (i === 0) td.scope = "row";
      td.textContent = cell;
      tr.append(td);
    });
    return tr;
  }));
}

export function formatPercent(p, digits = 1) {
  return `${(100 * p).toFixed(digits)}%`;
}

/**
 * Like fillTable, but only while its <details> is open: a closed table is filled when it is opened.
 * Building dozens of rows on every slider move costs time the chart needs, for a table nobody sees.
 */
export function fillTableWhenShown(table, headers, makeRows) {
  const details = table.closest("details");
  table.pendingFill = () => fillTable(table, headers, makeRows());
  if (!details || details.open) {
    table.pendingFill();
    table.pendingFill = null;
    return;
  }
  if (details.dataset.lazyTables) return;
  details.dataset.lazyTables = "true";
  details.addEventListener("toggle", () => {
    if (!details.open) return;
    for (const t of details.querySelectorAll("table")) {
      if (t.pendingFill) { t.pendingFill(); t.pendingFill = null; }
    }
  });
}

function sameNumbers(a, b) {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  return a.every((v, i) => v === b[i] || (Array.isArray(v) && sameNumbers(v, b[i])));
}

/** The trace list as drawn now: arrays whose numbers are unchanged are the very arrays Plotly already has. */
function keepDrawnArrays(el, traces) {
  const drawn = el.data || [];
  return traces.map((trace, i) => {
    const old = drawn[i];
    if (!old || old.type !== trace.type) return trace;
    const next = { ...trace };
    for (const key of ["x", "y", "z"]) if (key in next && sameNumbers(old[key], next[key])) next[key] = old[key];
    return next;
  });
}

// Plotly's `responsive` follows the window only; a chart whose box changes on its own (the projector's
// strip, +/−, a phone turned, printing) is resized here, once per frame at most.
const resizer = "ResizeObserver" in window ? new ResizeObserver((entries) => {
  for (const { target, contentRect } of entries) {
    const drawn = target.drawnSize;     // the box Plotly last drew in; the first report is usually that box
    if (target.resizeFrame || !drawn || chartLook().print || (Math.abs(contentRect.width - drawn.width) < 1 &&
                                         Math.abs(contentRect.height - drawn.height) < 1)) continue;
    target.resizeFrame = requestAnimationFrame(() => {
      target.resizeFrame = 0;
      if (!window.Plotly) return;
      window.Plotly.Plots.resize(target).then(() => {
        target.drawnSize = { width: target.clientWidth, height: target.clientHeight };
      });
    });
  }
}) : null;

// On paper (A4 or Letter within print.css's margins: 640 CSS px wide), a chart alone takes the width;
// two side by side take half each. Fixed sizes, since the page's print layout is not known beforehand.
const PRINT_SIZE = { alone: { width: 640, height: 230 }, paired: { width: 310, height: 210 } };

/** The box a chart is drawn in: its own on screen, a fixed one on paper. */
export function chartBox(el) {
  if (chartLook().print) return PRINT_SIZE[el.closest(".explorer-grid, .lab-charts") ? "paired" : "alone"];
  return { width: el.clientWidth, height: el.clientHeight };
}

function react(P, el, traces, layout) {
  if (resizer && !el.sizeWatched) {
    el.sizeWatched = true;
    resizer.observe(el);
  }
  const onPaper = chartLook().print ? { autosize: false, ...chartBox(el) } : { autosize: true, width: undefined, height: undefined };
  return P.react(el, traces, { ...layout, ...onPaper }, PLOT_CONFIG).then((drawn) => {
    el.drawnSize = { width: el.clientWidth, height: el.clientHeight };
    return drawn;
  });
}

function drawLive(P, el) {
  const look = chartLook();
  const { traces, layout } = el.liveDraw;
  const live = resolveInk(traces, look.ink);
  const pins = pinnedTraces(el, live);
  let drawnLayout = applyLook(layout, look);
  if (pins.length && drawnLayout.showlegend === false) {
    // The chart's own legend is HTML beside it; the pins are named in Plotly's.
    drawnLayout = { ...drawnLayout, showlegend: true };
    live.forEach((t) => { t.showlegend = false; });
  }
  return react(P, el, keepDrawnArrays(el, [...live, ...pins]), drawnLayout);
}

/**
 * Plotly.react once Plotly has loaded, handing back the arrays already drawn wherever the numbers are
 * unchanged: Plotly treats a new array as new data and recomputes that trace (≈ 4× the cost on a slider
 * move); an unchanged curve, e.g. the alpha sweep while only alpha moves, then costs almost nothing.
 * Before Plotly has loaded only the latest call is drawn.
 */
export function reactChart(el, traces, layout) {
  el.liveDraw = { traces, layout };   // pins and theme changes redraw from it
  return plotlyFor(el).then((P) => (el.liveDraw.traces === traces ? drawLive(P, el) : undefined));
}

/** Plotly.react in the current look, without pins, for charts that then grow by extendTraces (the lab's). */
export function drawChart(el, traces, layout) {
  return plotlyFor(el).then((P) => react(P, el, resolveInk(traces, chartLook().ink), applyLook(layout)));
}

/** Plotly, once loaded; a chart's first draw waits for a task of its own (see nextTask). */
async function plotlyFor(el) {
  const P = loadedPlotly() || await whenPlotly();
  if (!el.layout) await nextTask();
  return P;
}

/** Plotly itself, for code that only ever touches a chart already drawn (so Plotly has loaded). */
export function plotly() {
  const P = loadedPlotly();
  if (!P) throw new Error("Plotly.js has not loaded yet: draw the chart with reactChart first.");
  return P;
}

/** Freeze what every chart of an explorer shows now, under `label`; returns how many charts took a pin. */
export function pinCharts(root, label) {
  const charts = [...root.querySelectorAll(".chart")].filter((el) => el.liveDraw);
  charts.forEach((el) => {
    if (el.fastChart) el.fastChart.sync();   // its traces brought up to what its shapes show (lib/fast-chart.js)
    addPin(el, label, resolveInk(el.liveDraw.traces, chartLook().ink));
    // Pins are Plotly's to draw: a chart still showing its first frame (lib/first-frame.js) is handed to
    // Plotly, pins and all, as soon as it has loaded.
    if (el.fastChart && el.fastChart.frame) askForPlotly();
    else loadPlotly().then((P) => drawLive(P, el));
  });
  return charts.length;
}

export function clearPins(root) {
  root.querySelectorAll(".chart").forEach((el) => {
    if (!el.pins || !el.pins.length) return;
    clearPinsOf(el);
    if (el.data) drawLive(plotly(), el);   // (a first frame never shows pins)
  });
}

// A new theme or type size: charts drawn by reactChart redraw from what they were asked to draw; the
// others (their data grown by extendTraces) keep their data and take the new look.
onLookChange((el) => {
  const P = window.Plotly;   // loaded, or onLookChange would not call: redraw now, before printing lays out pages
  if (el.liveDraw) drawLive(P, el);
  else react(P, el, el.data, applyLook(el.layout));
});

/**
 * The smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k) that is ≥ |x|: an axis bound
 * that stays put while the numbers drift below it, and wastes at most a third of the chart. A fixed
 * range both spares Plotly its autorange pass on every slider move and keeps one scale across moves,
 * so bars and curves can be compared as they change.
 */
export function niceCeil(x, floor = 1e-3) {
  if (!Number.isFinite(x)) return 1;   // no numbers to bound (an empty Math.max is −Infinity)
  const v = Math.max(Math.abs(x), floor);
  const decade = 10 ** Math.floor(Math.log10(v));
  const step = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((m) => m * decade >= v * (1 - 1e-9));
  return step * decade;
}

/**
 * A dot of `size` pixels at data point (x, y), drawn as a layout shape. Moving a marker by a shape
 * redraws only the shapes; moving it as a trace makes Plotly recompute and redraw the whole chart.
 * A path (four Bézier quarters), not a "circle": on log axes Plotly drops a circle's negative pixel offsets.
 */
export function dotShape(x, y, color, size = 12) {
  const r = size / 2;
  const k = 0.5523 * r;   // control-point distance that makes four cubic Béziers a circle
  const path = `M ${r},0 C ${r},${k} ${k},${r} 0,${r} C ${-k},${r} ${-r},${k} ${-r},0 ` +
               `C ${-r},${-k} ${-k},${-r} 0,${-r} C ${k},${-r} ${r},${-k} ${r},0 Z`;
  return { type: "path", path, xsizemode: "pixel", ysizemode: "pixel", xanchor: x, yanchor: y,
           fillcolor: color, line: { color: "#fff", width: 1 }, layer: "above" };
}
