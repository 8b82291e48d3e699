// Teacher capture (lesson 4.2): the tinylm teacher's next-token distribution at one position, the
// coverage curve (mass kept as k grows) and the JSONL line a capture writes. Every number comes from
// POST /api/tinylm/teacher, which runs the cached teacher.
import { latestOnly, postJSON } from "../lib/api.js";
import { baseLayout, COLORS, fillTable, formatPercent, reactChart } from "../lib/charts.js";
import { markDrawn } from "../lib/explorer.js";

const V = 31;
const SHOWN = 12;   // bars drawn: the teacher's most likely tokens (the table lists all of them)

function clampInt(value, lo, hi) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < lo || n > hi) return null;
  return n;
}

class TeacherCapture {
  constructor(root) {
    this.root = root;
    this.el = (role) => root.querySelector(`[data-role="${role}"]`);
    this.request = latestOnly(
      (state) => postJSON("/api/tinylm/teacher", state),
      (answer) => this.render(answer),
      (err) => this.showError(err.message),
    );
    const d = root.dataset;
    this.el("example").value = d.example;
    this.el("position").value = d.position;
    this.el("k-slider").value = d.k;
    this.el("k-number").value = d.k;
    this.el("temperature").value = d.temperature;

    this.el("k-slider").addEventListener("input", () => {
      this.el("k-number").value = this.el("k-slider").value;
      this.update();
    });
    this.el("k-number").addEventListener("change", () => {
      const k = clampInt(this.el("k-number").value, 1, V);
      if (k !== null) this.el("k-slider").value = String(k);
      this.update();
    });
    for (const role of ["example", "position", "temperature"]) {
      this.el(role).addEventListener("change", () => this.update());
    }
    this.update();
  }

  state() {
    const example = clampInt(this.el("example").value, 0, 199);
    if (example === null) return { error: "The order must be a whole number from 0 to 199." };
    const k = clampInt(this.el("k-number").value, 1, V);
    if (k === null) return { error: `k must be a whole number from 1 to ${V}.` };
    const temperature = Number(this.el("temperature").value);
    if (!Number.isFinite(temperature) || temperature < 0.1 || temperature > 20) {
      return { error: "The capture temperature must be between 0.1 and 20." };
    }
    return { example, position: Number(this.el("position").value), k, temperature };
  }

  /** What a prediction's truth is computed for (static/js/predict/panel.js): the view the widget shows. */
  predictionState() {
    const state = this.state();
    if (state.error) throw new Error(state.error);
    return state;
  }

  update() {
    const state = this.state();
    this.el("input-error").textContent = state.error || "";
    if (state.error) return;
    this.request(state);
  }

  showError(message) {
    const box = this.el("error");
    box.textContent = message;
    box.hidden = false;
  }

  render(a) {
    this.el("error").hidden = true;
    this.el("status").textContent = `Teacher ${a.teacher_id}, order ${a.example}, position ${a.position}.`;
    // The order, with the predicted token marked: text only, never HTML.
    const row = this.el("tokens");
    row.replaceChildren(...a.tokens.map((tok, i) => {
      const span = document.createElement(i === a.target_index ? "mark" : "span");
      span.className = i < a.prompt_len ? "token token-prompt" : "token";
      span.textContent = i === a.target_index ? `[${tok}]` : tok;
      return span;
    }));
    row.setAttribute("aria-label", `Order ${a.example}: ${a.tokens.join(" ")}; predicting ${a.target}`);

    const top = a.distribution.slice(0, SHOWN);
    const x = top.map((d) => d.token);
    const distDrawn = reactChart(this.el("dist-chart"), [
      { type: "bar", name: "teacher", x, y: top.map((d) => d.p), marker: { color: x.map((_, i) => (i < a.k ? COLORS.accent : COLORS.reference)) },
        hovertemplate: "%{x}: %{y:.1%}<extra>teacher</extra>" },
      { type: "bar", name: "truth", x, y: top.map((d) => d.truth), marker: { color: COLORS.ce },
        hovertemplate: "%{x}: %{y:.1%}<extra>truth</extra>" },
    ], baseLayout({ barmode: "group", legend: { orientation: "h", x: 0, y: 1.12 }, margin: { l: 56, r: 16, t: 40, b: 64 },
                    xaxis: { type: "category" },
                    yaxis: { title: { text: "probability" }, range: [0, 1], tickformat: ".0%" } }));

    const ks = a.coverage.map((_, i) => i + 1);
    const coverageDrawn = reactChart(this.el("coverage-chart"), [
      { type: "scatter", mode: "lines+markers", name: "mass kept", x: ks, y: a.coverage, line: { color: COLORS.total },
        hovertemplate: "k = %{x}: %{y:.2%}<extra></extra>" },
      { type: "scatter", mode: "markers", name: `k = ${a.k}`, x: [a.k], y: [a.mass_kept],
        marker: { color: COLORS.accent, size: 12 }, hovertemplate: "k = %{x}: %{y:.2%}<extra></extra>" },
    ], baseLayout({ legend: { orientation: "h", x: 0, y: 1.12 }, margin: { l: 56, r: 16, t: 40, b: 48 },
                    xaxis: { title: { text: "k (ids kept)" }, range: [0.5, V + 0.5] },
                    yaxis: { title: { text: "teacher mass kept" }, range: [0, 1.02], tickformat: ".0%" } }));
    this.el("dist-chart").dataset.k = String(a.k);
    this.el("coverage-chart").dataset.k = String(a.k);
    const key = `${a.example}/${a.position}/${a.k}/${a.temperature}`;
    markDrawn(this.el("dist-chart"), key, distDrawn);
    markDrawn(this.el("coverage-chart"), key, coverageDrawn);

    fillTable(this.el("dist-table"), ["token", "teacher", "truth", "kept at this k"],
      a.distribution.map((d, i) => [d.token, formatPercent(d.p, 2), formatPercent(d.truth, 2), i < a.k ? "yes" : "no"]));
    fillTable(this.el("coverage-table"), ["k", "mass kept"], a.coverage.map((c, i) => [String(i + 1), formatPercent(c, 2)]));

    this.el("mass-kept").textContent = formatPercent(a.mass_kept, 2);
    this.el("mass-lost").textContent = formatPercent(Math.max(0, a.mass_lost), 2);
    this.el("top-token").textContent = `${a.distribution[0].token} (${formatPercent(a.distribution[0].p)})`;
    this.el("target").textContent = a.target;
    this.el("jsonl-line").textContent = a.jsonl_line;
    this.el("jsonl-meta").textContent = a.jsonl_meta;
    this.el("summary").textContent =
      `At position ${a.position} of order ${a.example} the teacher puts ${formatPercent(a.distribution[0].p)} on ` +
      `${a.distribution[0].token}; its top ${a.k} keep ${formatPercent(a.mass_kept, 2)} of the mass.`;
  }
}

document.querySelectorAll('[data-widget="teacher-capture"]').forEach((root) => { root.explorer = new TeacherCapture(root); });
