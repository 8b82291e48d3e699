// Pins: the presenter freezes what a chart shows now (T = 1, then 4, then 10) and the frozen curves or
// bars stay on the chart, drawn fainter, beside the live ones. Pure data here; lib/charts.js draws them.
import { INVISIBLE } from "./chart-theme.js";

export const MAX_PINS = 4;
// Each pin its own dash (lines) or hatching (bars), in the colour of the series it froze.
const DASHES = ["dot", "dashdot", "longdash", "dash"];
const PATTERNS = ["/", "x", ".", "\\"];

/** Freeze `traces` (what the chart shows now) under `label`; the oldest pin goes when there are too many. */
export function addPin(chart, label, traces) {
  const pins = chart.pins || [];
  chart.pins = [...pins, { label, traces: traces.map((t) => ({ ...t })) }].slice(-MAX_PINS);
}

export function clearPinsOf(chart) {
  chart.pins = [];
}

function sameData(a, b) {
  const same = (x, y) => Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((v, i) => v === y[i]);
  return a.type === b.type && same(a.x, b.x) && same(a.y, b.y);
}

/** The colour a trace stands for; a fast chart's traces are drawn invisible, their hover label in it. */
function seriesColor(t) {
  const drawn = (t.marker && t.marker.color) || (t.line && t.line.color);
  return drawn === INVISIBLE && t.hoverlabel && t.hoverlabel.bgcolor ? t.hoverlabel.bgcolor : drawn;
}

function pinnedName(trace, label) {
  const name = String(trace.name || "");
  return name.includes(label) ? `${name} (pinned)` : `${name} (pinned at ${label})`;
}

/**
 * The chart's pins as extra traces for this draw. A pinned trace equal to a live one (the T = 1 bars,
 * which no slider moves) is left out: it would only hide behind its live twin.
 */
export function pinnedTraces(chart, live) {
  return (chart.pins || []).flatMap((pin, p) => pin.traces
    .filter((t) => !live.some((l) => sameData(l, t)))
    .map((t) => {
      const color = seriesColor(t);
      const common = { ...t, name: pinnedName(t, pin.label), showlegend: true, opacity: 0.7 };
      if (t.type === "bar") {
        return { ...common, marker: { ...t.marker, color: INVISIBLE, line: { color, width: 1.5 },
                                      pattern: { shape: PATTERNS[p], fgcolor: color, solidity: 0.4 } } };
      }
      return { ...common, line: { ...t.line, color, dash: DASHES[p], width: 2 } };
    }));
}
