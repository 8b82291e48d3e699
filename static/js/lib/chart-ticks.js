// The tick marks of a fast chart's axes, chosen here once and handed to both of its renderers: the SVG first
// frame (lib/first-frame.js) and Plotly (as tickvals/ticktext). The two then label the same values the same
// way by construction, and the chart does not change its scale when Plotly takes over.
//
// An axis here has a fixed range (fast charts never autorange): linear with `dtick` (a step) or `nticks`
// (about how many), log with decades, explicit `tickvals`, or categories (every category, Plotly's own).

const MINUS = "\u2212";   // Plotly writes negative tick labels with a real minus sign
const SUPERSCRIPT = { "-": "\u207b", 0: "\u2070", 1: "\u00b9", 2: "\u00b2", 3: "\u00b3", 4: "\u2074", 5: "\u2075",
                      6: "\u2076", 7: "\u2077", 8: "\u2078", 9: "\u2079" };

/** Plotly's rule for an automatic step: the smallest 2, 5 or 10 × 10^k at least span / nticks. */
export function stepFor(span, nticks) {
  const rough = Math.abs(span) / Math.max(1, nticks);
  const base = 10 ** Math.floor(Math.log10(rough));
  return base * [2, 5, 10].find((m) => m * base >= rough * (1 - 1e-9));
}

function decimalsOf(step) {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/** A tick label as Plotly prints one: no trailing zeros, a real minus sign; ".0%" as a whole percentage. */
export function tickText(value, step, format) {
  if (format === ".0%") return `${Math.round(100 * value)}%`.replace("-", MINUS);
  const digits = decimalsOf(step);
  let text = (Math.abs(value) < step * 1e-6 ? 0 : value).toFixed(digits);
  if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  return text.replace("-", MINUS);
}

function powerText(exponent) {
  return exponent === 0 ? "1" : exponent === 1 ? "10" : `10${String(exponent).replace(/[-\d]/g, (c) => SUPERSCRIPT[c])}`;
}

/** { values, texts } for one axis (its range in the axis's own units: log10 of the data on a log axis). */
export function axisTicks(axis) {
  const [low, high] = axis.range;
  const inside = (v) => v >= low - 1e-9 * Math.abs(high - low) && v <= high + 1e-9 * Math.abs(high - low);
  if (axis.type === "log") {
    if (axis.tickvals) {
      const values = axis.tickvals.filter((v) => inside(Math.log10(v)));
      return { values, texts: values.map((v) => tickText(v, 10 ** Math.floor(Math.log10(v)))) };
    }
    const values = [];
    for (let k = Math.ceil(low - 1e-9); k <= high + 1e-9; k++) values.push(10 ** k);
    return { values, texts: values.map((v) => powerText(Math.round(Math.log10(v)))) };
  }
  const step = axis.dtick || stepFor(high - low, axis.nticks || 6);
  const values = [];
  for (let k = Math.ceil(low / step - 1e-9); k * step <= high + 1e-9 * step; k++) values.push(k * step);
  return { values, texts: values.map((v) => tickText(v, step, axis.tickformat)) };
}

/** Plotly's default range for a category axis of `count` categories. */
export function categoryRange(count) {
  return [-0.5, count - 0.5];
}

/**
 * `layout` with both axes' ticks fixed (tickvals and ticktext from axisTicks), and a category axis's range
 * set to Plotly's default for its categories, so both renderers place everything alike.
 */
export function withFixedTicks(layout, traces) {
  const out = { ...layout };
  for (const key of ["xaxis", "yaxis"]) {
    const axis = out[key] || {};
    if (axis.type === "category") {
      const categories = (traces[0] && traces[0][key[0]]) || [];
      out[key] = { ...axis, range: categoryRange(categories.length) };
      continue;
    }
    if (!axis.range) continue;
    const { values, texts } = axisTicks(axis);
    out[key] = { ...axis, tickmode: "array", tickvals: values, ticktext: texts };
  }
  return out;
}
