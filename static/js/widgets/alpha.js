// Alpha explorer: the loss's two weighted terms across alpha, and the pull (minus the gradient) that
// each term puts on each student logit, all from the server's autograd (POST /api/kd/loss).
import { chartLook } from "../lib/chart-theme.js";
import { baseLayout, COLORS, dotShape, fillTableWhenShown, niceCeil } from "../lib/charts.js";
import { announceChange, Explorer, markDrawn, markPreset, onPresetClick, showWidgetError, startExplorers } from "../lib/explorer.js";
import { barsPath, diamondShape, FastChart, hoverOnly, linePath, pathShape } from "../lib/fast-chart.js";
import { LogSlider } from "../lib/log-slider.js";
import { readStudentAndTeacher } from "../lib/logits-field.js";
import { alphaAlpha, alphaT } from "../lib/table-readers.js";
import { ExplorerData } from "../lib/tables.js";
import { listParam, numberParam, readParams } from "../lib/url-state.js";

const CLASSES = ["cat", "dog", "fox", "wolf", "owl"];
const STUDENT = [1.0, 1.5, 0.2, 0.8, -0.5];
const TEACHER = [1.0, 6.0, 0.0, 4.0, -2.0];

export const PRESETS = {
  agree: { student: STUDENT, teacher: TEACHER, label: 1, alpha: 0.5, T: 2 },
  // The teacher's top class (wolf) is not the gold label (dog): only alpha·CE argues for dog.
  "wrong-teacher": { student: STUDENT, teacher: [1.0, 4.0, 0.0, 6.0, -2.0], label: 1, alpha: 0.5, T: 2 },
  confident: { student: [-1.0, 5.0, -2.0, 0.5, -3.0], teacher: TEACHER, label: 1, alpha: 0.5, T: 2 },
  hot: { student: STUDENT, teacher: TEACHER, label: 1, alpha: 0.5, T: 8 },
};

const fmt = (x) => x.toFixed(3);

class AlphaExplorer extends Explorer {
  constructor(root) {
    super();
    this.root = root;
    this.name = "alpha";
    this.presetNames = Object.keys(PRESETS);
    this.el = (role) => root.querySelector(`[data-role="${role}"]`);
    this.sweepChart = new FastChart(this.el("sweep-chart"));
    this.pullChart = new FastChart(this.el("pull-chart"));
    const inputs = (s) => ({ student_logits: [s.student], teacher_logits: [s.teacher], labels: [s.label], kl_reduction: "seed" });
    // A drag of alpha or of T is drawn from that slider's table (its whole range, the other inputs fixed).
    this.data = new ExplorerData({
      single: { path: "/api/kd/loss", body: (s) => ({ ...inputs(s), alpha: s.alpha, temperature: s.T }) },
      sliders: {
        alpha: { path: "/api/tables/alpha/alpha", body: (s) => ({ ...inputs(s), temperature: s.T }),
                 value: (s) => s.alpha, read: alphaAlpha },
        T: { path: "/api/tables/alpha/T", body: (s) => ({ ...inputs(s), alpha: s.alpha }), value: (s) => s.T, read: alphaT },
      },
      render: (answer, s, table) => this.render(answer, s, table),
      onError: (err) => showWidgetError(root, err.message),
    });
    this.alpha = new LogSlider(this.el("alpha-slider"), this.el("alpha-number"), {
      value: 0.5, label: "alpha = ", onChange: () => this.update("alpha") });
    this.T = new LogSlider(this.el("t-slider"), this.el("t-number"), {
      value: 2, label: "T = ", onChange: () => this.update("T") });
    this.data.watch("alpha", this.el("alpha-slider"));
    this.data.watch("T", this.el("t-slider"));
    this.sliders = { alpha: this.alpha, T: this.T };
    for (const role of ["student", "teacher"]) this.el(role).addEventListener("input", () => this.update());
    this.el("label").addEventListener("change", () => this.update());
    onPresetClick(root, (name) => this.loadPreset(name));
    this.start(readParams(root));
  }

  loadState(params) {
    const base = PRESETS[params.preset] ? params.preset : "agree";
    const p = PRESETS[base];
    this.show(base, {
      student: listParam(params.student, p.student), teacher: listParam(params.teacher, p.teacher),
      label: numberParam(params.label, p.label), alpha: numberParam(params.alpha, p.alpha), T: numberParam(params.T, p.T),
    });
  }

  loadPreset(name) { this.show(name, PRESETS[name]); }

  show(preset, { student, teacher, label, alpha, T }) {
    this.preset = preset;
    markPreset(this.root, preset);
    this.el("student").value = student.join(", ");
    this.el("teacher").value = teacher.join(", ");
    this.fillLabels(student.length, label);
    this.alpha.set(alpha, "init");
    this.T.set(T, "init");
    this.update();
  }

  classNames(n) {
    return n === CLASSES.length ? CLASSES : Array.from({ length: n }, (_, i) => `class ${i}`);
  }

  fillLabels(n, chosen) {
    const select = this.el("label");
    if (select.options.length !== n) {
      select.replaceChildren(...this.classNames(n).map((name, i) => new Option(`${i}: ${name}`, String(i))));
    }
    select.value = String(Math.min(n - 1, Math.max(0, chosen)));
  }

  readState() {
    const logits = readStudentAndTeacher(this.el);
    if (!logits) return null;
    this.fillLabels(logits.student.length, Number(this.el("label").value));
    return { ...logits, label: Number(this.el("label").value), alpha: this.alpha.value, T: this.T.value };
  }

  queryState() {
    const s = this.readState() || {};
    return { preset: this.preset, alpha: this.alpha.value, T: this.T.value, student: s.student, teacher: s.teacher, label: s.label };
  }

  update(moved = null) {
    const state = this.readState();
    if (!state) return;
    this.data.update(state, moved);
    announceChange(this.root);
  }

  render(answer, s, table) {
    showWidgetError(this.root, "");
    const names = this.classNames(s.student.length);
    const set = (role, v) => { this.el(role).textContent = fmt(v); };
    set("ce", answer.ce); set("kd-term", answer.kd_term); set("weighted-ce", answer.weighted_ce);
    set("weighted-kd", answer.weighted_kd); set("loss", answer.loss);
    const key = `${s.alpha.toFixed(2)}|${s.T.toFixed(2)}`;
    markDrawn(this.el("sweep-chart"), key, this.drawSweep(answer, s, table));
    const pulls = {
      ce: answer.grad.ce[0].map((g) => -g), kd: answer.grad.kd[0].map((g) => -g), total: answer.grad.total[0].map((g) => -g),
    };
    markDrawn(this.el("pull-chart"), key, this.drawPulls(pulls, names, s, this.pullRange(pulls, table)));
    this.describe(answer, pulls, names, s);
  }

  drawSweep(answer, s, table) {
    const sw = answer.alpha_sweep;
    const lines = [[sw.weighted_ce, "alpha·CE", COLORS.ce, "solid"], [sw.weighted_kd, "(1 − alpha)·T²·KL", COLORS.kd, "solid"],
                   [sw.loss, "loss (sum)", COLORS.total, "dot"]];
    // The three lines and the chosen alpha (a line and three dots) are shapes; the traces under them only
    // carry the hover (static/js/lib/fast-chart.js).
    const traces = lines.map(([y, name, color]) => hoverOnly({ type: "scatter", mode: "lines", x: sw.alpha, y, name,
      hovertemplate: `alpha %{x:.2f}: %{y:.3f}<extra>${name}</extra>` }, color));
    // The sweep's highest point is the loss at alpha 0 or 1 (T²·KL or CE); over a T table, the highest of all T.
    const top = 1.05 * niceCeil(Math.max(answer.ce, table ? table.max("kd_term") : answer.kd_term));
    const layout = baseLayout({
      xaxis: { title: { text: "alpha" }, range: [0, 1], dtick: 0.2 },
      yaxis: { title: { text: "loss" }, range: [0, top], nticks: 6 },
      showlegend: false,
      uirevision: "keep",
    });
    const shapes = [
      // Each line is straight (its parts are linear in alpha), so it is drawn from its two end values.
      ...lines.map(([y, , color, dash]) => pathShape(linePath([sw.alpha[0], sw.alpha[sw.alpha.length - 1]],
                                                               [y[0], y[y.length - 1]]), { color, width: 3, dash })),
      // its label is the line's own (a shape label redraws with the shape; an annotation would replot)
      { type: "line", x0: s.alpha, x1: s.alpha, yref: "paper", y0: 0, y1: 1, line: { color: COLORS.reference, dash: "dash" },
        // Level, on the side with more room (a projector's type is large against a half-width chart).
        label: { text: `α = ${s.alpha.toFixed(2)}`, textangle: 0, textposition: "end", yanchor: "top", padding: 6,
                 // a step below the chart's type, never under 12 px (a lesson's 13 px type on a phone)
                 xanchor: s.alpha <= 0.5 ? "left" : "right", font: { size: Math.max(12, Math.round(0.8 * chartLook().fontSize)) } } },
      dotShape(s.alpha, answer.weighted_ce, COLORS.ce),
      dotShape(s.alpha, answer.weighted_kd, COLORS.kd),
      dotShape(s.alpha, answer.loss, COLORS.total),
    ];
    return this.sweepChart.draw({ key: String(top), traces, layout, shapes });
  }

  /** A round bound either side (niceCeil) that holds while a slider moves: over its whole table when there is one. */
  pullRange(pulls, table) {
    const grads = ["grad_ce", "grad_kd", "grad_total"];
    const low = table ? -Math.max(...grads.map((g) => table.max(g))) : Math.min(...pulls.ce, ...pulls.kd, ...pulls.total);
    const high = table ? -Math.min(...grads.map((g) => table.min(g))) : Math.max(...pulls.ce, ...pulls.kd, ...pulls.total);
    return [-1.1 * niceCeil(-Math.min(0, low)), 1.1 * niceCeil(Math.max(0, high))];
  }

  drawPulls(pulls, names, s, range) {
    const x = names.map((n, i) => (i === s.label ? `${n} (gold)` : n));
    // Each term's bars are one shape, beside each other in the category (offsets set, not grouped); the
    // totals are diamonds. The invisible traces under them carry the hover.
    const bar = (y, name, color, offset) => hoverOnly({ type: "bar", x, y, name, offset, width: 0.4,
      hovertemplate: `%{x}: %{y:+.3f}<extra>${name}</extra>` }, color);
    const traces = [
      bar(pulls.ce, "pull of the gold label (alpha·CE)", COLORS.ce, -0.4),
      bar(pulls.kd, "pull toward the teacher ((1 − alpha)·T²·KL)", COLORS.kd, 0),
      hoverOnly({ type: "scatter", mode: "markers", x, y: pulls.total, name: "total", marker: { size: 12 },
                  hovertemplate: "%{x}: %{y:+.3f}<extra>total</extra>" }, COLORS.total),
    ];
    const layout = baseLayout({
      barmode: "overlay", xaxis: { type: "category" },
      yaxis: { title: { text: "pull (−gradient)" }, zeroline: true, nticks: 6, range },
      showlegend: false,
      uirevision: "keep",
    });
    const shapes = [
      pathShape(barsPath(pulls.ce, -0.4, 0.4), { color: COLORS.ce, width: 0, fill: COLORS.ce }),
      pathShape(barsPath(pulls.kd, 0, 0.4), { color: COLORS.kd, width: 0, fill: COLORS.kd }),
      ...pulls.total.map((y, i) => diamondShape(i, y, COLORS.total, 12)),
    ];
    return this.pullChart.draw({ key: JSON.stringify([x, range]), traces, layout, shapes });
  }

  describe(answer, pulls, names, s) {
    const strongest = (v) => v.indexOf(Math.max(...v));
    const teacherTop = strongest(pulls.kd);
    const summary = `At alpha ${s.alpha.toFixed(2)} and T ${s.T.toFixed(2)} the loss is ${fmt(answer.loss)}: ` +
      `alpha·CE ${fmt(answer.weighted_ce)} plus (1 − alpha)·T²·KL ${fmt(answer.weighted_kd)}. ` +
      `The gold label pulls ${names[s.label]} up by ${fmt(pulls.ce[s.label])}; ` +
      `the teacher pulls hardest on ${names[teacherTop]} (${fmt(pulls.kd[teacherTop])}).`;
    this.el("summary").textContent = summary;
    this.el("pull-chart").setAttribute("aria-label", `Bar chart of each term's pull on each logit. ${summary}`);
    fillTableWhenShown(this.el("pull-table"), ["class", "pull of the gold label", "pull toward the teacher", "total"], () =>
      names.map((n, i) => [n, fmt(pulls.ce[i]), fmt(pulls.kd[i]), fmt(pulls.total[i])]));
    const sw = answer.alpha_sweep;
    fillTableWhenShown(this.el("sweep-table"), ["alpha", "alpha·CE", "(1 − alpha)·T²·KL", "loss"], () =>
      sw.alpha.map((a, i) => [a.toFixed(2), fmt(sw.weighted_ce[i]), fmt(sw.weighted_kd[i]), fmt(sw.loss[i])])
        .filter((_, i) => i % 10 === 0));
  }
}

startExplorers("alpha", AlphaExplorer);
