// A small matrix of values as a grid of coloured cells, built from plain elements instead of a Plotly
// heatmap. Plotly paints a heatmap to a canvas and encodes it as a PNG on every redraw, which made it the
// slowest part of a slider move; a few hundred cells of CSS grid redraw in about a millisecond.

// Plotly's "Oranges" scale, so the grid reads like the charts beside it.
const ORANGES = [[255, 245, 235], [254, 230, 206], [253, 208, 162], [253, 174, 107], [253, 141, 60],
                 [241, 105, 19], [217, 72, 1], [166, 54, 3], [127, 39, 4]];
const GREYS = [[233, 236, 239], [73, 80, 87]];

/** The colour at t ∈ [0, 1] along an evenly spaced list of RGB stops. */
function colorAt(stops, t) {
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const mix = stops[i].map((c, k) => Math.round(c + f * (stops[i + 1][k] - c)));
  return `rgb(${mix.join(",")})`;
}

export const SCALES = { oranges: (t) => colorAt(ORANGES, t), greys: (t) => colorAt(GREYS, t) };

/**
 * Fill `container` with one row per entry of `values` (rows × columns of numbers).
 * cell(r, c) → { color, label }: the cell's fill and its tooltip. Columns are numbered from 1, with a
 * number under every `tickEvery`-th one. The cells are decoration for sighted users (aria-hidden):
 * the container's label and the explorer's table carry the numbers. A grid of the same shape is
 * repainted in place (a slider move), not rebuilt.
 */
export function drawHeatGrid(container, { rowNames, columns, cell, tickEvery = 8 }) {
  const shape = `${rowNames.length}x${columns}`;
  const current = container.firstElementChild;
  if (current && current.dataset.shape === shape) {
    const boxes = current.querySelectorAll(".heat-grid-cell");
    rowNames.forEach((_, r) => {
      for (let c = 0; c < columns; c++) paint(boxes[r * columns + c], cell(r, c));
    });
    return;
  }
  const grid = document.createElement("div");
  grid.className = "heat-grid";
  grid.dataset.shape = shape;
  grid.setAttribute("aria-hidden", "true");
  grid.style.gridTemplateColumns = `max-content repeat(${columns}, minmax(0, 1fr))`;
  grid.style.gridTemplateRows = `repeat(${rowNames.length}, minmax(0, 1fr)) max-content`;
  const parts = [];
  rowNames.forEach((name, r) => {
    const label = document.createElement("span");
    label.className = "heat-grid-row";
    label.textContent = name;
    parts.push(label);
    for (let c = 0; c < columns; c++) {
      const box = document.createElement("span");
      box.className = "heat-grid-cell";
      paint(box, cell(r, c));
      parts.push(box);
    }
  });
  parts.push(document.createElement("span"));
  for (let c = 1; c <= columns; c++) {
    const tick = document.createElement("span");
    tick.className = "heat-grid-tick";
    if (c === 1 || c % tickEvery === 0) tick.textContent = String(c);
    parts.push(tick);
  }
  grid.replaceChildren(...parts);
  container.replaceChildren(grid);
}

function paint(box, { color, label }) {
  box.style.background = color;
  box.title = label;
}
