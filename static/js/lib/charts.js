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
    margin: { l: 56, r: 16, t: 24, b: 48 },
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

/** Fill a <table> with a header row and data rows (text only: never HTML). */
export function fillTable(table, headers, rows) {
  const thead = table.tHead || table.createTHead();
  const tbody = table.tBodies[0] || table.createTBody();
  const headRow = document.createElement("tr");
  for (const h of headers) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = h;
    headRow.append(th);
  }
  thead.replaceChildren(headRow);
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
