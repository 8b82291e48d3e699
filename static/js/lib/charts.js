// Plotly defaults shared by every widget, and the text alternative each chart carries.

export const COLORS = {
  reference: "#9aa5b1",
  accent: "#d9480f",
  ce: "#1c7ed6",
  kd: "#d9480f",
  total: "#212529",
  good: "#2b8a3e",
};

/** Plotly.js is loaded with `defer` before the widget modules, so it is there when they run. */
export function plotly() {
  if (!window.Plotly) throw new Error("Plotly.js did not load, so charts cannot be drawn.");
  return window.Plotly;
}

export function baseLayout(overrides = {}) {
  const demo = document.body.classList.contains("demo-mode");
  const fontSize = demo ? 20 : 13;
  return {
    margin: demo ? { l: 96, r: 24, t: 28, b: 64 } : { l: 56, r: 16, t: 24, b: 48 },
    font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: fontSize,
            color: demo ? "#f8f9fa" : "#212529" },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    legend: { orientation: "h", y: -0.2 },
    hoverlabel: { font: { size: fontSize } },
    ...overrides,
  };
}

export const PLOT_CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"] };

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

/**
 * Plotly.react, handing back the array objects already drawn wherever the numbers are unchanged.
 * Plotly treats a new array as new data and recomputes that trace (≈ 4× the cost on a slider move);
 * an unchanged curve, e.g. the alpha sweep while only alpha moves, then costs almost nothing.
 */
export function reactChart(el, traces, layout) {
  const drawn = el.data || [];
  const kept = traces.map((trace, i) => {
    const old = drawn[i];
    if (!old || old.type !== trace.type) return trace;
    const next = { ...trace };
    for (const key of ["x", "y", "z"]) if (key in next && sameNumbers(old[key], next[key])) next[key] = old[key];
    return next;
  });
  return plotly().react(el, kept, layout, PLOT_CONFIG);
}

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
