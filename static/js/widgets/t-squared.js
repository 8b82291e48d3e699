// T² explorer: ‖∂KL/∂z‖ falls like 1/T² only at high T, where multiplied by T² it levels off; at the
// T = 1–4 used in practice it does not, and the readouts say by how much. Norms and slopes are autograd
// on the server (POST /api/kd/temperature-gradients); the dashed lines are Hinton's closed-form limit.
import { baseLayout, COLORS, dotShape, fillTableWhenShown } from "../lib/charts.js";
import { announceChange, Explorer, markDrawn, markPreset, onPresetClick, showWidgetError, startExplorers } from "../lib/explorer.js";
import { FastChart } from "../lib/fast-chart.js";
import { LogSlider } from "../lib/log-slider.js";
import { readStudentAndTeacher } from "../lib/logits-field.js";
import { tSquaredT } from "../lib/table-readers.js";
import { ExplorerData } from "../lib/tables.js";
import { listParam, numberParam, readParams } from "../lib/url-state.js";

// 48 temperatures evenly spaced in log T across the slider's range (0.5 .. 50): until the first table
// brings the server's own (app/web/table_answers.py T_SQUARED_CURVE), used from then on.
const gridOver = (low, high) => Array.from({ length: 48 }, (_, i) => low * (high / low) ** (i / 47));

export const PRESETS = {
  digit: { student: [0.2, 2.0, 0.3, 0.5, 0.6, 0.1, -0.4, 5.0, 0.9, 2.5],
           teacher: [0.4, 3.2, 0.1, 1.1, 0.9, 0.3, -0.6, 9.0, 0.7, 4.4], T: 4 },
  close: { student: [2.0, 1.0, 0.0], teacher: [2.2, 0.8, 0.1], T: 2 },
  far: { student: [0, 0, 0, 0], teacher: [8, 0, -2, 1], T: 2 },
  tokens: { student: [4.0, 4.5, 3.0, 3.5, 2.0, 1.0, 2.4, 0.0], teacher: [6.0, 4.9, 4.5, 4.2, 3.6, 3.1, 2.4, 1.0], T: 2 },
};

/** [lowest, highest] whole powers of ten (log10) around the positive values; a decade either side of one value. */
export function decades(values) {
  const logs = values.filter((v) => v > 0 && Number.isFinite(v)).map(Math.log10);
  if (!logs.length) return [-1, 1];
  const [low, high] = [Math.floor(Math.min(...logs)), Math.ceil(Math.max(...logs))];
  return low === high ? [low - 1, high + 1] : [low, high];
}

const sci = (x) => (x === 0 ? "0" : x.toExponential(2));
const slopeText = (s) => (s === null ? "none (no gradient)" : s.toFixed(2));

class TSquaredExplorer extends Explorer {
  constructor(root) {
    super();
    this.root = root;
    this.name = "t-squared";
    this.presetNames = Object.keys(PRESETS);
    this.el = (role) => root.querySelector(`[data-role="${role}"]`);
    this.chart = new FastChart(this.el("chart"));
    // A drag of T is drawn from its table: every marked T the slider reaches, for these logits.
    this.data = new ExplorerData({
      single: { path: "/api/kd/temperature-gradients",
                body: (s) => ({ student_logits: s.student, teacher_logits: s.teacher, temperatures: [...this.grid, s.T] }) },
      sliders: { T: { path: "/api/tables/t-squared/T", value: (s) => s.T, read: tSquaredT,
                      body: (s) => ({ student_logits: s.student, teacher_logits: s.teacher }) } },
      render: (answer, s, table) => this.render(answer, s, table),
      onError: (err) => showWidgetError(root, err.message),
    });
    this.T = new LogSlider(this.el("t-slider"), this.el("t-number"), {
      value: 2, label: "T = ", onChange: () => this.update("T") });
    this.data.watch("T", this.el("t-slider"));
    this.sliders = { T: this.T };
    this.grid = gridOver(this.T.min, this.T.max);
    for (const role of ["student", "teacher"]) this.el(role).addEventListener("input", () => this.update());
    onPresetClick(root, (name) => this.loadPreset(name));
    this.start(readParams(root));
  }

  loadState(params) {
    const base = PRESETS[params.preset] ? params.preset : "digit";
    const p = PRESETS[base];
    this.show(base, { student: listParam(params.student, p.student), teacher: listParam(params.teacher, p.teacher),
                      T: numberParam(params.T, p.T) });
  }

  loadPreset(name) { this.show(name, PRESETS[name]); }

  show(preset, { student, teacher, T }) {
    this.preset = preset;
    markPreset(this.root, preset);
    this.el("student").value = student.join(", ");
    this.el("teacher").value = teacher.join(", ");
    this.T.set(T, "init");
    this.update();
  }

  readState() {
    const logits = readStudentAndTeacher(this.el);
    return logits && { ...logits, T: this.T.value };
  }

  queryState() {
    const s = this.readState() || {};
    return { preset: this.preset, T: this.T.value, student: s.student, teacher: s.teacher };
  }

  update(moved = null) {
    const state = this.readState();
    if (!state) return;
    this.data.update(state, moved);
    announceChange(this.root);
  }

  render(answer, s, table) {
    showWidgetError(this.root, "");
    if (table && table !== this.gridFrom) {
      this.gridFrom = table;
      this.grid = table.const("curve_temperatures");     // an exact T is then asked for on the table's curve
    }
    const [lo, hi] = answer.practical_range;
    const n = answer.temperatures.length - 1;
    const GRID = answer.temperatures.slice(0, n);
    const [tMin, tMax] = [this.T.min, this.T.max];
    const curve = (key) => answer[key].slice(0, n);
    const at = (key) => answer[key][n];            // the marked T was sent last
    const demo = document.body.classList.contains("demo-mode");
    const line = (y, name, color, dash, width = 3) => ({ type: "scatter", mode: "lines", x: GRID, y, name,
      line: { color, dash, width }, hovertemplate: `T %{x:.2f}: %{y:.3e}<extra>${name}</extra>` });
    const limitT2 = curve("logit_matching_limit").map((v, i) => v * GRID[i] ** 2);
    const traces = [
      line(curve("grad_norm"), "‖∂KL/∂z‖ (no T²)", COLORS.ce, "solid"),
      line(curve("grad_norm_t2"), "‖∂(T²·KL)/∂z‖", COLORS.kd, "solid"),
      line(curve("logit_matching_limit"), "Hinton's high-T limit, a formula: ‖z − v‖/(N·T²)", COLORS.reference, "dash", 2),
      line(limitT2, "… times T²: ‖z − v‖/N", COLORS.reference, "dot", 2),
    ];
    // The chosen T is marked with shapes, not a trace: moving T leaves the curves as they are, and
    // Plotly then redraws only the shapes instead of the whole chart (static/js/lib/fast-chart.js).
    const layout = baseLayout({
      // Few ticks on purpose: every tick label is SVG text Plotly measures on each redraw (≈ 10 ms here).
      xaxis: { type: "log", title: { text: "temperature T (log)" }, range: [Math.log10(tMin), Math.log10(tMax)],
               tickvals: [0.5, 1, 2, 5, 10, 20, 50] },
      // Whole decades around every curve: a fixed range, so the first frame and Plotly draw the same scale.
      yaxis: { type: "log", title: { text: "gradient norm (log)" }, range: decades(traces.flatMap((t) => t.y)) },
      showlegend: false,   // named in the HTML legend above the chart
      uirevision: "keep",
    });
    const shapes = [
      // labelled by their own shape labels: an annotation would replot the chart whenever the range moved
      { type: "rect", xref: "x", x0: answer.slope_fit_from, x1: tMax, yref: "paper", y0: 0, y1: 1,
        fillcolor: demo ? "rgba(255,212,59,0.12)" : "rgba(255,212,59,0.18)", line: { width: 0 }, layer: "below",
        // right-aligned: on a phone the band is narrower than its label, which then runs left, not off the chart
        label: { text: "high-T slope", textposition: "top right", padding: 4 } },
      // The temperatures used in practice, where the high-T limit holds only roughly.
      { type: "rect", xref: "x", x0: lo, x1: hi, yref: "paper", y0: 0, y1: 1,
        fillcolor: demo ? "rgba(116,192,252,0.14)" : "rgba(116,192,252,0.2)", line: { width: 0 }, layer: "below",
        label: { text: `T = ${lo}–${hi}`, textposition: "top center", padding: 4 } },
      { type: "line", x0: s.T, x1: s.T, yref: "paper", y0: 0, y1: 1, line: { color: COLORS.reference, dash: "dash" } },
      // A log axis has no place for 0 (a student equal to its teacher has no gradient): no dot then.
      ...[["grad_norm", COLORS.ce], ["grad_norm_t2", COLORS.kd]].filter(([key]) => at(key) > 0)
        .map(([key, color]) => ({ ...dotShape(s.T, at(key), color, 13), line: { color: COLORS.total, width: 1.5 } })),
    ];
    const key = JSON.stringify([GRID, traces.map((t) => t.y)]);
    markDrawn(this.el("chart"), s.T.toFixed(2), this.chart.draw({ key, traces, layout, shapes }));
    this.el("slope").textContent = slopeText(answer.high_t_slope);
    this.el("slope-t2").textContent = slopeText(answer.high_t_slope_t2);
    this.el("slope-low").textContent = slopeText(answer.low_t_slope);
    const [pullLo, pullHi] = answer.practical_t2_ends;
    this.el("pull-change").textContent = answer.practical_t2_ratio === null ? "none (no gradient)"
      : `×${answer.practical_t2_ratio.toFixed(2)} (${pullLo.toFixed(3)} → ${pullHi.toFixed(3)})`;
    this.el("norm-t").textContent = sci(at("grad_norm"));
    this.el("norm-t2-t").textContent = sci(at("grad_norm_t2"));
    this.el("fit-note").textContent = `Slopes: least-squares fits of log norm on log T, over the ${answer.low_t_points} ` +
      `temperatures from ${lo} to ${hi} and the ${answer.slope_fit_points} from ${answer.slope_fit_from.toFixed(1)} to ` +
      `${tMax}. A slope of −2 means the pull falls like 1/T², and only then does T² hold it steady. The solid ` +
      "curves are autograd; the dashed lines are Hinton's closed-form limit, not autograd.";
    const summary = answer.high_t_slope === null
      ? "The student already matches the teacher (up to a shift), so the KL has no gradient at any T."
      : `From T = ${lo} to ${hi} the KL's gradient norm has slope ${slopeText(answer.low_t_slope)} on log-log axes, ` +
        `and with T² the pull changes ×${answer.practical_t2_ratio.toFixed(2)}. At high T the slope is ` +
        `${answer.high_t_slope.toFixed(2)}, and with T² ${answer.high_t_slope_t2.toFixed(2)}. ` +
        `At T = ${s.T.toFixed(2)} the norm is ${sci(at("grad_norm"))} without T² and ${sci(at("grad_norm_t2"))} with it.`;
    this.el("summary").textContent = summary;
    this.el("chart").setAttribute("aria-label", `Log-log chart of the KL gradient norm across T. ${summary}`);
    fillTableWhenShown(this.el("table"), ["T", "‖∂KL/∂z‖", "‖∂(T²·KL)/∂z‖", "Hinton's limit"], () =>
      GRID.map((T, i) => [T.toFixed(2), sci(answer.grad_norm[i]), sci(answer.grad_norm_t2[i]), sci(answer.logit_matching_limit[i])]));
  }
}

startExplorers("t-squared", TSquaredExplorer);
