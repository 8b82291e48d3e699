// A fast chart's figure drawn as plain SVG, before Plotly.js has loaded (lib/fast-chart.js).
//
// Evaluating Plotly's bundle and a chart's first Plotly drawing are the page's longest tasks on a slow phone
// (0.6–1.1 s at Lighthouse's 4× slowdown, docs/BENCHMARKS.md). A fast chart needs neither to be read or
// driven: its axes are fixed, its moving series are shapes, and most of its traces are invisible hover
// carriers. So until the reader reaches for something only Plotly does (hover labels, pins), the figure
// Plotly would draw is drawn here from the very same trace list and layout: the same ranges, ticks
// (lib/chart-ticks.js, given to Plotly too), margins, colours and type, redrawn on every slider move.
// What is not drawn: hover-only traces (invisible in Plotly too) and Plotly's own legend (fast charts have
// HTML legends). The live lab draws its empty charts here too (lab/lab-charts.js): hidden axes and a
// centred note, as Plotly would.
import { applyLook, chartLook, INVISIBLE, LOOK_EVENT, resolveInk } from "./chart-theme.js";
import { chartBox } from "./charts.js";
import { axisTicks } from "./chart-ticks.js";

const SVG = "http://www.w3.org/2000/svg";
const TICK_GAP = 4;            // px between a tick label and the plot area
const LINE_SPACING = 1.3;      // Plotly's line height in multi-line text, in ems

function node(tag, attrs = {}, text = null) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, v);
  if (text !== null) el.textContent = text;
  return el;
}

/** Plotly's dash patterns (Drawing.dashStyle): scaled with the line's width, at least 3 px. */
function dashArray(dash, width) {
  const d = Math.max(width || 1, 3);
  return { dot: `${d},${d}`, dash: `${3 * d},${3 * d}`, dashdot: `${3 * d},${d},${d},${d}`,
           longdash: `${5 * d},${2 * d}` }[dash] || null;
}

/** Data value → pixel along an axis of `length` px starting at `offset` (a y axis runs upward). */
function scaleFor(axis, offset, length, upward) {
  const [low, high] = axis.range || [0, 1];   // (a hidden axis of an empty chart has none: nothing is placed on it)
  const toUnits = axis.type === "log" ? (v) => (v > 0 ? Math.log10(v) : NaN) : (v) => v;
  return (v) => {
    const f = (toUnits(v) - low) / (high - low);
    return upward ? offset + length * (1 - f) : offset + length * f;
  };
}

/** The plot area and the two axes' scales for a chart of `width` × `height` px. */
export function frameGeometry(layout, width, height) {
  const m = layout.margin;
  const area = { l: m.l, t: m.t, w: Math.max(1, width - m.l - m.r), h: Math.max(1, height - m.t - m.b) };
  const x = scaleFor(layout.xaxis, area.l, area.w, false);
  const y = scaleFor(layout.yaxis, area.t, area.h, true);
  // What FastChart's shape functions read from a drawn Plotly chart (markersPath): the plot area and ranges.
  const fullLayout = { _size: area, xaxis: { range: layout.xaxis.range }, yaxis: { range: layout.yaxis.range } };
  return { area, x, y, fullLayout };
}

/** A shape path (M/L/C/Z, numbers in pairs) with every point mapped through `point(x, y)` → [px, py]. */
function mapPath(path, point) {
  const tokens = path.match(/[MLCZ]|-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?/gi) || [];
  let out = "";
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (/[MLCZ]/i.test(t)) { out += t; continue; }
    const [px, py] = point(Number(t), Number(tokens[++i]));
    out += `${px.toFixed(2)},${py.toFixed(2)} `;
  }
  return out;
}

function shapeStroke(line = {}) {
  const width = line.width === undefined ? 2 : line.width;
  return { stroke: width > 0 ? (line.color || "#444") : "none", "stroke-width": width,
           "stroke-dasharray": dashArray(line.dash, width) };
}

function shapeLabel(shape, box, look, layout) {
  const label = shape.label;
  if (!label || !label.text) return null;
  const pad = label.padding === undefined ? 3 : label.padding;
  const size = (label.font && label.font.size) || look.fontSize;
  const [vertical, horizontal = "center"] = (label.textposition || "middle center").split(" ");
  let x = (box.x0 + box.x1) / 2;
  let anchor = "middle";
  if (shape.type === "line" || horizontal === "left") { x = box.x0 + pad; anchor = "start"; }
  if (shape.type === "line" && label.xanchor === "right") { x = box.x0 - pad; anchor = "end"; }
  if (horizontal === "right" && shape.type !== "line") { x = box.x1 - pad; anchor = "end"; }
  const top = vertical === "top" || vertical === "end";
  return node("text", { x, y: top ? box.y0 + pad + size * 0.8 : box.y1 - pad, "text-anchor": anchor,
                        "font-size": size, fill: (label.font && label.font.color) || layout.font.color }, label.text);
}

function drawShape(shape, geo, look, layout) {
  const g = node("g", { class: "ff-shape" });
  const { area } = geo;
  const xOf = (v, ref) => (ref === "paper" ? area.l + v * area.w : geo.x(v));
  const yOf = (v, ref) => (ref === "paper" ? area.t + area.h * (1 - v) : geo.y(v));
  if (shape.type === "path") {
    const pixel = shape.xsizemode === "pixel";
    const point = pixel ? (px, py) => [geo.x(shape.xanchor) + px, geo.y(shape.yanchor) - py]
      : (px, py) => [xOf(px, shape.xref), yOf(py, shape.yref)];
    g.append(node("path", { d: mapPath(shape.path, point), fill: shape.fillcolor || "none",
                            "fill-rule": "evenodd", ...shapeStroke(shape.line) }));
    return g;
  }
  const x0 = xOf(shape.x0, shape.xref);
  const x1 = xOf(shape.x1, shape.xref);
  const y0 = yOf(shape.y1, shape.yref);   // y1 is the upper edge: smaller in pixels
  const y1 = yOf(shape.y0, shape.yref);
  if (shape.type === "rect") {
    g.append(node("rect", { x: Math.min(x0, x1), y: Math.min(y0, y1), width: Math.abs(x1 - x0),
                            height: Math.abs(y1 - y0), fill: shape.fillcolor || "none", ...shapeStroke(shape.line) }));
  } else if (shape.type === "line") {
    g.append(node("line", { x1: x0, y1: y1, x2: x1, y2: y0, ...shapeStroke(shape.line) }));
  }
  const label = shapeLabel(shape, { x0: Math.min(x0, x1), x1: Math.max(x0, x1), y0: Math.min(y0, y1), y1: Math.max(y0, y1) },
                           look, layout);
  if (label) g.append(label);
  return g;
}

const visible = (color) => color && color !== INVISIBLE;

function drawTrace(trace, geo, layout) {
  const g = node("g", { class: "ff-trace", opacity: trace.opacity });
  if (trace.type === "bar") {
    const color = trace.marker && trace.marker.color;
    if (!visible(color)) return null;
    const categorical = layout.xaxis.type === "category";
    trace.y.forEach((v, i) => {
      const at = categorical ? i : trace.x[i];
      const left = geo.x(at + (trace.offset || -0.4));
      const right = geo.x(at + (trace.offset || -0.4) + (trace.width || 0.8));
      const top = geo.y(Math.max(0, v));
      const bottom = geo.y(Math.min(0, v));
      g.append(node("rect", { x: left, y: top, width: Math.max(0, right - left), height: Math.max(0, bottom - top), fill: color }));
    });
    return g;
  }
  const line = trace.line || {};
  if (!visible(line.color) || (trace.mode && !trace.mode.includes("lines"))) return null;
  let d = "";
  let pen = "M";
  trace.y.forEach((v, i) => {
    const px = geo.x(trace.x[i]);
    const py = geo.y(v);
    if (!Number.isFinite(px) || !Number.isFinite(py) || v === null) { pen = "M"; return; }
    d += `${pen}${px.toFixed(2)},${py.toFixed(2)}`;
    pen = "L";
  });
  g.append(node("path", { d, fill: "none", stroke: line.color, "stroke-width": line.width || 2,
                          "stroke-dasharray": dashArray(line.dash, line.width || 2), "stroke-linejoin": "round" }));
  return g;
}

let measurer = null;
/** A text's width in px at `size` in the charts' font (a canvas measures without laying out the page). */
function textWidth(text, size, family) {
  if (!measurer) measurer = document.createElement("canvas").getContext("2d");
  measurer.font = `${size}px ${family}`;
  return measurer.measureText(text).width;
}

const shown = (axis) => axis.visible !== false;

function ticksOf(axis, traces, key) {
  if (!shown(axis)) return { values: [], texts: [] };
  if (axis.type !== "category") return axis.tickvals ? { values: axis.tickvals, texts: axis.ticktext } : axisTicks(axis);
  const categories = (traces[0] && traces[0][key]) || [];   // every category labelled, as Plotly does
  return { values: categories.map((_, i) => i), texts: categories.map(String) };
}

/**
 * The tick labels, whether the x labels must turn on their side, and the margins grown to hold labels and
 * titles (Plotly's automargin: a margin only ever grows).
 */
function fitAxes(layout, traces, width, look) {
  const size = look.fontSize;
  const titleSize = Math.round(1.2 * size);   // Plotly's axis titles: its "big font", 1.2 × the chart's type
  const measure = (t) => textWidth(t, size, layout.font.family);
  const x = ticksOf(layout.xaxis, traces, "x");
  const y = ticksOf(layout.yaxis, traces, "y");
  const m = layout.margin;
  // Plotly turns category labels that would collide on their side (a quarter turn).
  const widestX = Math.max(0, ...x.texts.map(measure));
  const turned = layout.xaxis.type === "category" && widestX > 0.9 * (width - m.l - m.r) / Math.max(1, x.values.length);
  const widestY = Math.max(0, ...y.texts.map(measure));
  const titled = (axis) => Boolean(shown(axis) && axis.title && axis.title.text);
  const standoff = (axis) => (titled(axis) ? (axis.title.standoff || 0) + 1.2 * titleSize : 0);
  const margin = { ...m,
    l: Math.max(m.l, Math.ceil(TICK_GAP + widestY + standoff(layout.yaxis) + 2)),
    b: Math.max(m.b, Math.ceil(TICK_GAP + (turned ? widestX : 1.2 * size) + standoff(layout.xaxis) + 2)) };
  return { x, y, turned, widestX, widestY, size, titleSize, margin };
}

function drawAxes(svg, layout, geo, fit, look) {
  const { area } = geo;
  const { size, titleSize, turned, widestX, widestY } = fit;
  const text = (attrs, t) => node("text", { fill: layout.font.color, "font-size": size, ...attrs }, t);
  const grid = node("g", { stroke: look.grid, "stroke-width": 1 });
  const labels = node("g");
  const bottom = area.t + area.h;
  const xa = layout.xaxis;
  const xTicks = fit.x;
  xTicks.values.forEach((v, i) => {
    const px = geo.x(v);
    const y0 = bottom + TICK_GAP;
    grid.append(node("line", { class: "ff-xgrid", x1: px, x2: px, y1: area.t, y2: bottom }));
    labels.append(turned
      ? text({ class: "ff-xtick", x: px, y: y0 + size * 0.35, "text-anchor": "start", transform: `rotate(90 ${px} ${y0})` }, xTicks.texts[i])
      : text({ class: "ff-xtick", x: px, y: y0 + size * 0.9, "text-anchor": "middle" }, xTicks.texts[i]));
  });
  const ya = layout.yaxis;
  const yTicks = fit.y;
  yTicks.values.forEach((v, i) => {
    const py = geo.y(v);
    grid.append(node("line", { class: "ff-ygrid", x1: area.l, x2: area.l + area.w, y1: py, y2: py,
                               "stroke-width": v === 0 && ya.type !== "log" ? 1.5 : 1 }));
    labels.append(text({ class: "ff-ytick", x: area.l - TICK_GAP, y: py + size * 0.35, "text-anchor": "end" }, yTicks.texts[i]));
  });
  const title = (axis) => shown(axis) && axis.title && axis.title.text;
  if (title(xa)) {
    const below = bottom + TICK_GAP + (turned ? widestX : 1.2 * size) + (xa.title.standoff || 0) + titleSize;
    labels.append(text({ class: "ff-xtitle", x: area.l + area.w / 2, y: Math.min(below, area.t + area.h + layout.margin.b - 4), "text-anchor": "middle",
                         "font-size": titleSize }, title(xa)));
  }
  if (title(ya)) {
    const cx = Math.max(titleSize, area.l - TICK_GAP - widestY - (ya.title.standoff || 0) - titleSize * 0.3);
    const cy = area.t + area.h / 2;
    labels.append(text({ class: "ff-ytitle", x: cx, y: cy, "text-anchor": "middle", transform: `rotate(-90 ${cx} ${cy})`, "font-size": titleSize },
                       title(ya)));
  }
  svg.append(grid, labels);
}

/** Plotly's "auto" anchor: a note placed in the left third of the chart hangs from its left end, and so on. */
function autoAnchor(anchor, at, [low, middle, high]) {
  if (anchor && anchor !== "auto") return anchor;
  return at < 1 / 3 ? low : at > 2 / 3 ? high : middle;
}

/** Text notes without arrows (layout.annotations), placed and anchored as Plotly places them; <br> breaks a line. */
function drawAnnotations(layout, geo) {
  const { area } = geo;
  const g = node("g", { class: "ff-annotations" });
  for (const note of layout.annotations || []) {
    const paperX = note.xref === "paper";
    const paperY = note.yref === "paper";
    const x = paperX ? area.l + note.x * area.w : geo.x(note.x);
    const y = paperY ? area.t + area.h * (1 - note.y) : geo.y(note.y);
    const size = (note.font && note.font.size) || layout.font.size;
    const lines = String(note.text).split(/<br\s*\/?>/i);
    const height = lines.length * LINE_SPACING * size;
    const xAnchor = autoAnchor(note.xanchor, paperX ? note.x : 0.5, ["left", "center", "right"]);
    const yAnchor = autoAnchor(note.yanchor, paperY ? note.y : 0.5, ["bottom", "middle", "top"]);
    const top = yAnchor === "top" ? y : yAnchor === "bottom" ? y - height : y - height / 2;
    const text = node("text", { class: "ff-annotation", "font-size": size, fill: (note.font && note.font.color) || layout.font.color,
                                "text-anchor": { left: "start", center: "middle", right: "end" }[xAnchor] });
    // Each line centred in its line box (0.35 em from the middle to the baseline, as the tick labels).
    lines.forEach((line, i) => text.append(node("tspan", { x, y: top + (i + 0.5) * LINE_SPACING * size + 0.35 * size }, line)));
    g.append(text);
  }
  return g;
}

/**
 * Draw `traces` and `layout` (shapes as a list, or a function of the drawn plot area) into `el` as SVG, in
 * the chart's box (lib/charts.js chartBox), replacing any earlier first frame. Returns the SVG element, or
 * null when the chart has no box (hidden, like the lab's idle charts): followLook draws it when shown.
 */
export function drawFirstFrame(el, { traces, layout, shapes }) {
  const size = chartBox(el);
  if (!size.width || !size.height) return null;
  const look = chartLook();
  const looked = applyLook(layout, look);
  const live = resolveInk(traces, look.ink);
  const fit = fitAxes(looked, live, size.width, look);
  const drawn = { ...looked, margin: fit.margin };
  const geo = frameGeometry(drawn, size.width, size.height);
  const shapeList = resolveInk((typeof shapes === "function" ? shapes({ _fullLayout: geo.fullLayout }) : shapes)
    .filter((sh) => sh.path !== ""), look.ink);
  const svg = node("svg", { class: "first-frame", width: size.width, height: size.height, "aria-hidden": "true",
                            "font-family": drawn.font.family, viewBox: `0 0 ${size.width} ${size.height}` });
  const clip = node("clipPath", { id: `${el.dataset.role || "chart"}-${Math.random().toString(36).slice(2, 8)}-clip` });
  clip.append(node("rect", { x: geo.area.l, y: geo.area.t, width: geo.area.w, height: geo.area.h }));
  svg.append(clip);
  drawAxes(svg, drawn, geo, fit, look);
  const plot = node("g", { "clip-path": `url(#${clip.id})` });
  const over = node("g");
  const add = (parent, child) => child && parent.append(child);
  shapeList.filter((sh) => sh.layer === "below").forEach((sh) => add(plot, drawShape(sh, geo, look, drawn)));
  live.forEach((t) => add(plot, drawTrace(t, geo, drawn)));
  // Shapes with a label keep it unclipped (Plotly draws labels over the plot area's edge too).
  shapeList.filter((sh) => sh.layer !== "below").forEach((sh) => add(sh.label ? over : plot, drawShape(sh, geo, look, drawn)));
  svg.append(plot, over, drawAnnotations(drawn, geo));
  const old = el.querySelector(":scope > svg.first-frame");
  if (old) old.replaceWith(svg);
  else el.prepend(svg);
  return svg;
}

/** Plotly has drawn the chart: its first frame goes, in the task Plotly drew in (no flash between them). */
export function removeFirstFrame(el) {
  el.querySelector(":scope > svg.first-frame")?.remove();
}

/**
 * Call `redraw()` whenever what a first frame of `el` looks like may have changed: the page's look (theme,
 * the demo's type size), printing and back, and the chart's box (at most once per animation frame).
 */
export function followLook(el, redraw) {
  document.addEventListener(LOOK_EVENT, redraw);
  window.addEventListener("beforeprint", redraw);
  window.addEventListener("afterprint", redraw);
  if (!("ResizeObserver" in window)) return;
  let pending = 0;
  new ResizeObserver(() => {
    if (pending) return;
    pending = requestAnimationFrame(() => { pending = 0; redraw(); });
  }).observe(el);
}
