// Quality kept (lesson 4.4): POST /api/tinylm/compare trains an SFT and a KD student on the same captured
// orders and scores them and the teacher on held-out orders. Every number drawn is from that answer.
import { postJSON } from "../lib/api.js";
import { baseLayout, COLORS, fillTable, formatPercent, reactChart } from "../lib/charts.js";
import { markDrawn } from "../lib/explorer.js";

const FIELDS = {
  alpha: { min: 0, max: 1, int: false, name: "alpha" },
  temperature: { min: 0.1, max: 20, int: false, name: "T" },
  top_k: { min: 1, max: 31, int: true, name: "top k" },
  examples: { min: 16, max: 2000, int: true, name: "training orders" },
  steps: { min: 10, max: 1000, int: true, name: "steps" },
  seed: { min: 0, max: 10000, int: true, name: "seed" },
};

const fmt = (v, digits = 3) => (v === null || v === undefined ? "–" : v.toFixed(digits));
const pct = (v) => (Number.isFinite(v) ? formatPercent(v) : "–");

class QualityKept {
  constructor(root) {
    this.root = root;
    this.el = (role) => root.querySelector(`[data-role="${role}"]`);
    const d = root.dataset;
    const initial = { alpha: d.alpha, temperature: d.temperature, top_k: d.topK, examples: d.examples,
                      steps: d.steps, seed: d.seed };
    for (const [key, value] of Object.entries(initial)) this.el(key).value = value;
    this.el("form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.run();
    });
    // The defaults' answer is cached on the server, so this is quick after the first visit. With a
    // prediction to make first (root.dataset.predict), the prediction panel starts the first run.
    this.predicting = Boolean(root.dataset.predict);
    this.hasRun = false;
    if (!this.predicting) this.run();
  }

  /** While a prediction is open the students are not trained, so their scores cannot give it away. */
  setPredicting(on) {
    this.predicting = on;
    this.el("run").disabled = on;
    if (!on && !this.hasRun) this.run();
  }

  /** What a prediction's truth is computed for (static/js/predict/panel.js): the form's settings. */
  predictionState() {
    const { body, error } = this.state();
    if (error) throw new Error(error);
    return body;
  }

  state() {
    const body = {};
    for (const [key, f] of Object.entries(FIELDS)) {
      const v = Number(this.el(key).value);
      if (this.el(key).value === "" || !Number.isFinite(v) || v < f.min || v > f.max || (f.int && !Number.isInteger(v))) {
        return { error: `${f.name} must be ${f.int ? "a whole number" : "a number"} from ${f.min} to ${f.max}.` };
      }
      body[key] = v;
    }
    return { body };
  }

  async run() {
    if (this.predicting) return;
    this.hasRun = true;
    const { body, error } = this.state();
    this.el("input-error").textContent = error || "";
    if (error) return;
    const button = this.el("run");
    button.disabled = true;
    this.root.setAttribute("aria-busy", "true");
    this.el("status").textContent = `Training an SFT and a KD student for ${body.steps} steps each…`;
    try {
      const answer = await postJSON("/api/tinylm/compare", body);
      this.render(answer);
      this.el("status").textContent = `Done: both students trained and scored in ${answer.seconds.toFixed(1)} s ` +
        `(seed ${answer.config.seed}).`;
    } catch (err) {
      this.el("status").textContent = "";
      const box = this.el("error");
      box.textContent = err.message;
      box.hidden = false;
    } finally {
      button.disabled = this.predicting;
      this.root.removeAttribute("aria-busy");
    }
  }

  render(a) {
    this.el("error").hidden = true;
    const q = a.quality_kept;
    this.el("ratio-kd").textContent = pct(q.accuracy_ratio.kd);
    this.el("ratio-sft").textContent = pct(q.accuracy_ratio.sft);
    this.el("gap-perplexity").textContent = pct(q.gap_closed.perplexity);
    this.el("gap-kl").textContent = pct(q.gap_closed.kl_to_truth);
    this.el("eval-count").textContent = a.eval_examples.toLocaleString("en");

    const rows = [["teacher", a.teacher], ["SFT student", a.sft], ["KD student", a.kd],
                  ["true distribution", { ...a.truth, kl_to_teacher: null }]];
    fillTable(this.el("results"), ["model", "accuracy", "perplexity", "KL to teacher", "KL to truth"],
      rows.map(([name, m]) => [name, pct(m.accuracy), fmt(m.perplexity), fmt(m.kl_to_teacher), fmt(m.kl_to_truth)]));

    const curve = (c) => ({ x: c.map((r) => r.step), y: c.map((r) => r.kl_to_truth) });
    const sft = curve(a.curves.sft);
    const kd = curve(a.curves.kd);
    const last = Math.max(...sft.x, ...kd.x);
    const drawing = reactChart(this.el("chart"), [
      { type: "scatter", mode: "lines", name: "SFT student", ...sft, line: { color: COLORS.ce } },
      { type: "scatter", mode: "lines", name: "KD student", ...kd, line: { color: COLORS.kd } },
      { type: "scatter", mode: "lines", name: "teacher", x: [0, last], y: [a.teacher.kl_to_truth, a.teacher.kl_to_truth],
        line: { color: COLORS.reference, dash: "dash" } },
    ], baseLayout({ legend: { orientation: "h", x: 0, y: 1.12 }, margin: { l: 56, r: 16, t: 40, b: 48 },
                    xaxis: { title: { text: "training step" } },
                    yaxis: { title: { text: "KL to the truth (nats)" }, rangemode: "tozero" } }));
    this.el("chart").dataset.seed = String(a.config.seed);
    markDrawn(this.el("chart"), Object.values(a.config).join("/"), drawing);
    fillTable(this.el("curve-table"), ["step", "SFT student", "KD student"],
      a.curves.sft.map((r, i) => [String(r.step), fmt(r.kl_to_truth), fmt(a.curves.kd[i] ? a.curves.kd[i].kl_to_truth : null)]));
    this.el("summary").textContent =
      `Held-out KL to the truth: teacher ${fmt(a.teacher.kl_to_truth)}, SFT student ${fmt(a.sft.kl_to_truth)}, ` +
      `KD student ${fmt(a.kd.kl_to_truth)}. The KD student closed ${pct(q.gap_closed.kl_to_truth)} of the gap.`;
  }
}

document.querySelectorAll('[data-widget="quality-kept"]').forEach((root) => { root.explorer = new QualityKept(root); });
