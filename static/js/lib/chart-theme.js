// The charts' look follows the page's: text and grid colours from the current theme (light, dark, or
// the projector's), and on a demo page the room-sized type the presenter can scale with + and −.
// Plotly cannot read CSS variables, so the colours are resolved here, and every chart is restyled
// when the look changes (LOOK_EVENT, sent by lib/theme.js and demo.js).
import { loadedPlotly } from "./plotly-loader.js";
import { LOOK_EVENT } from "./theme.js";

export { LOOK_EVENT };
/** A colour that means "the theme's text colour"; lib/charts.js swaps it for the real one when drawing. */
export const INK = "@ink";
/** Fully transparent: what lib/fast-chart.js draws its hover-only traces in (lib/pins.js looks past it). */
export const INVISIBLE = "rgba(0,0,0,0)";

const AXIS_KEY = /^[xy]axis\d*$/;
// Paper: black on white (print.css); lib/charts.js sizes each chart to fit A4 and Letter.
const PRINT_LOOK = { demo: false, print: true, ink: "rgb(0, 0, 0)", grid: "rgb(204, 204, 204)", fontSize: 11 };
let probe = null;
let cachedLook = null;
let printing = false;
// Registered first, so every other listener of LOOK_EVENT already sees the new look.
document.addEventListener(LOOK_EVENT, () => { cachedLook = null; });

/** A CSS colour (var(--x) included, light-dark() included) as the rgb() string the browser resolves it to. */
function resolveColor(css) {
  if (!probe) {
    probe = document.createElement("span");
    probe.hidden = true;
    document.body.append(probe);
  }
  probe.style.color = css;
  return getComputedStyle(probe).color;
}

/** Colours and type for charts as the page looks now (cached until the look changes). */
export function chartLook() {
  if (printing) return PRINT_LOOK;
  if (!cachedLook) cachedLook = computeLook();
  return cachedLook;
}

/** Between beforeprint and afterprint charts take the paper's look. */
export function setPrinting(on) {
  printing = on;
}

function computeLook() {
  const demo = document.body.classList.contains("demo-mode");
  const room = demo ? parseFloat(getComputedStyle(document.querySelector(".demo-stage") || document.body).fontSize) : 0;
  return {
    demo,
    ink: resolveColor("var(--chart-ink, var(--ink))"),
    grid: resolveColor("var(--chart-grid, var(--line))"),
    fontSize: demo ? Math.round(room) : 13,
  };
}

/** Swap INK for the theme's ink anywhere in a trace list or layout; arrays of numbers are kept as they are. */
export function resolveInk(value, ink) {
  if (value === INK) return ink;
  if (Array.isArray(value)) return value.length && typeof value[0] === "number" ? value : value.map((v) => resolveInk(v, ink));
  if (value && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveInk(v, ink);
    return out;
  }
  return value;
}

/**
 * `layout` in the current look: type size and text colour, and on every axis the theme's grid colour, no
 * zoom or pan (a swipe over a chart scrolls the page), and margins that grow to fit tick labels and titles.
 */
export function applyLook(layout, look = chartLook()) {
  const out = { ...layout, font: { ...layout.font, color: look.ink, size: look.fontSize },
                hoverlabel: { ...layout.hoverlabel, font: { size: look.fontSize } } };
  for (const key of Object.keys(out)) {
    if (!AXIS_KEY.test(key)) continue;
    const axis = out[key] || {};
    out[key] = { fixedrange: true, automargin: true, ...axis, gridcolor: look.grid, linecolor: look.grid,
                 zerolinecolor: look.grid, title: { standoff: Math.round(look.fontSize * 0.5), ...axis.title } };
  }
  return resolveInk(out, look.ink);
}

/**
 * Call `redraw(chart)` for every drawn chart whenever the theme or the demo's type size changes, and
 * around printing. Plotly draws SVG synchronously, so the charts are in the paper's look before the
 * browser lays out the pages.
 */
export function onLookChange(redraw) {
  const redrawAll = () => {
    if (!loadedPlotly()) return;   // nothing is drawn yet: the first draw will use the new look
    document.querySelectorAll(".js-plotly-plot").forEach((chart) => redraw(chart));
  };
  document.addEventListener(LOOK_EVENT, redrawAll);
  window.addEventListener("beforeprint", () => { setPrinting(true); redrawAll(); });
  window.addEventListener("afterprint", () => { setPrinting(false); redrawAll(); });
}
