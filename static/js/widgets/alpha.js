// Alpha explorer: the loss's two weighted terms across alpha, and the pull (minus the gradient) that
// each term puts on each student logit, all from the server's autograd (POST /api/kd/loss).
import { latestOnly } from "../lib/api.js";
import { liveJSON } from "../lib/live.js";
import { baseLayout, COLORS, dotShape, fillTableWhenShown, niceCeil, reactChart } from "../lib/charts.js";
import { announceChange, Explorer, markDrawn, markPreset, onPresetClick, showWidgetError, startExplorers } from "../lib/explorer.js";
import { LogSlider } from "../lib/log-slider.js";
import { readStudentAndTeacher } from "../lib/logits-field.js";
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
    this.request = latestOnly(
      (s) => liveJSON("/api/kd/loss", { student_logits: [s.student], teacher_logits: [s.teacher], labels: [s.label],
                                        alpha: s.alpha, temperature: s.T, kl_reduction: "seed" }),
      (answer, s) => this.render(answer, s),
      (err) => showWidgetError(root, err.message),
    );
    this.alpha = new LogSlider(this.el("alpha-slider"), this.el("alpha-number"), {
      value: 0.5, label: "alpha = ", onChange: () => this.update() });
    this.T = new LogSlider(this.el("t-slider"), this.el("t-number"), {
      value: 2, label: "T = ", onChange: () => this.update() });
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

  update() {
    const state = this.readState();
    if (!state) return;
    this.request(state);
    announceChange(this.root);
  }

  render(answer, s) {
    showWidgetError(this.root, "");
    const names = this.classNames(s.student.length);
    const set = (role, v) => { this.el(role).textContent = fmt(v); };
    set("ce", answer.ce); set("kd-term", answer.kd_term); set("weighted-ce", answer.weighted_ce);
    set("weighted-kd", answer.weighted_kd); set("loss", answer.loss);
    const key = `${s.alpha.toFixed(2)}|${s.T.toFixed(2)}`;
    markDrawn(this.el("sweep-chart"), key, this.drawSweep(answer, s));
    const pulls = {
      ce: answer.grad.ce[0].map((g) => -g), kd: answer.grad.kd[0].map((g) => -g), total: answer.grad.total[0].map((g) => -g),
    };
    markDrawn(this.el("pull-chart"), key, this.drawPulls(pulls, names, s));
    this.describe(answer, pulls, names, s);
  }

  drawSweep(answer, s) {
    const sw = answer.alpha_sweep;
    const line = (y, name, color, dash) => ({ type: "scatter", mode: "lines", x: sw.alpha, y, name,
      line: { color, width: 3, dash }, hovertemplate: `alpha %{x:.2f}: %{y:.3f}<extra>${name}</extra>` });
    const traces = [
      line(sw.weighted_ce, "alpha·CE", COLORS.ce, "solid"),
      line(sw.weighted_kd, "(1 − alpha)·T²·KL", COLORS.kd, "solid"),
      line(sw.loss, "loss (sum)", COLORS.total, "dot"),
    ];
    // The chosen alpha is a line and three dots drawn as shapes: while only alpha moves the curves are
    // unchanged, and Plotly redraws just the shapes instead of the whole chart.
    const layout = baseLayout({
      xaxis: { title: { text: "alpha" }, range: [0, 1], dtick: 0.2 },
      yaxis: { title: { text: "loss" }, rangemode: "tozero", nticks: 6 },
      showlegend: false,
      shapes: [
        { type: "line", x0: s.alpha, x1: s.alpha, yref: "paper", y0: 0, y1: 1, line: { color: COLORS.reference, dash: "dash" } },
        dotShape(s.alpha, answer.weighted_ce, COLORS.ce),
        dotShape(s.alpha, answer.weighted_kd, COLORS.kd),
        dotShape(s.alpha, answer.loss, COLORS.total),
      ],
      annotations: [{ x: s.alpha, yref: "paper", y: 1, yanchor: "top", xanchor: "left", xshift: 6,
                      text: `alpha = ${s.alpha.toFixed(2)}`, showarrow: false }],
      uirevision: "keep",
    });
    return reactChart(this.el("sweep-chart"), traces, layout);
  }

  drawPulls(pulls, names, s) {
    const x = names.map((n, i) => (i === s.label ? `${n} (gold)` : n));
    const bar = (y, name, color) => ({ type: "bar", x, y, name, marker: { color },
      hovertemplate: `%{x}: %{y:+.3f}<extra>${name}</extra>` });
    const traces = [
      bar(pulls.ce, "pull of the gold label (alpha·CE)", COLORS.ce),
      bar(pulls.kd, "pull toward the teacher ((1 − alpha)·T²·KL)", COLORS.kd),
      { type: "scatter", mode: "markers", x, y: pulls.total, name: "total", marker: { symbol: "diamond", size: 12,
        color: COLORS.total }, hovertemplate: "%{x}: %{y:+.3f}<extra>total</extra>" },
    ];
    // A round bound either side (niceCeil) keeps the scale still while alpha moves, so the bars visibly grow
    // and shrink (and Plotly skips its autorange pass).
    const all = [...pulls.ce, ...pulls.kd, ...pulls.total];
    const range = [-1.1 * niceCeil(-Math.min(0, ...all)), 1.1 * niceCeil(Math.max(0, ...all))];
    const layout = baseLayout({
      barmode: "group", xaxis: { type: "category" },
      yaxis: { title: { text: "pull (−gradient)" }, zeroline: true, nticks: 6, range },
      showlegend: false,
      uirevision: "keep",
    });
    return reactChart(this.el("pull-chart"), traces, layout);
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
    const rows = sw.alpha.map((a, i) => [a.toFixed(2), fmt(sw.weighted_ce[i]), fmt(sw.weighted_kd[i]), fmt(sw.loss[i])])
      .filter((_, i) => i % 10 === 0);
    fillTableWhenShown(this.el("sweep-table"), ["alpha", "alpha·CE", "(1 − alpha)·T²·KL", "loss"], () => rows);
  }
}

startExplorers("alpha", AlphaExplorer);
