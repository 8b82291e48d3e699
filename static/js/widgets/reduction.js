// Reduction and masking explorer: the seed's F.kl_div(..., "batchmean") divides by the batch size only,
// so on (batch, seq, vocab) logits it grows with length and counts prompt positions; the token mean
// does neither. Every number comes from POST /api/kd/reduction (torch on the server).
import { latestOnly } from "../lib/api.js";
import { liveJSON } from "../lib/live.js";
import { baseLayout, COLORS, fillTableWhenShown, formatPercent, niceCeil, reactChart } from "../lib/charts.js";
import { announceChange, Explorer, markDrawn, setSliders, showWidgetError, startExplorers } from "../lib/explorer.js";
import { drawHeatGrid, SCALES } from "../lib/heat-grid.js";
import { LogSlider } from "../lib/log-slider.js";
import { readParams } from "../lib/url-state.js";

const TOP_LEGEND = { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" };
const fmt = (x) => (x === null ? "–" : x.toFixed(3));

class ReductionExplorer extends Explorer {
  constructor(root) {
    super();
    this.root = root;
    this.name = "reduction";
    this.presetNames = [];
    this.el = (role) => root.querySelector(`[data-role="${role}"]`);
    this.request = latestOnly(
      (s) => liveJSON("/api/kd/reduction", { batch_size: s.batch, seq_len: s.len, prompt_len: s.prompt, vocab: 16,
                                             temperature: 2.0, seed: 0 }),
      (answer, s) => this.render(answer, s),
      (err) => showWidgetError(root, err.message),
    );
    const slider = (role, label) => new LogSlider(this.el(`${role}-slider`), this.el(`${role}-number`), {
      label, onChange: () => this.update() });
    this.len = slider("len", "length ");
    this.prompt = slider("prompt", "prompt positions: ");
    this.batch = slider("batch", "batch size ");
    this.sliders = { seq_len: this.len, prompt_len: this.prompt, batch_size: this.batch };
    this.start(readParams(root));
  }

  loadState(params) {
    setSliders(this.sliders, params);
    this.update();
  }

  queryState() { return { seq_len: this.len.value, prompt_len: this.prompt.value, batch_size: this.batch.value }; }

  update() {
    // A prompt cannot be longer than the sequence: keep the prompt slider inside it.
    if (this.prompt.value > this.len.value) this.prompt.set(this.len.value, "init");
    this.request({ len: this.len.value, prompt: this.prompt.value, batch: this.batch.value });
    announceChange(this.root);
  }

  render(answer, s) {
    showWidgetError(this.root, "");
    const last = answer.lengths.length - 1;
    const seed = answer.seed_kl[last];
    const tokenMean = answer.token_mean_kl[last];
    this.el("seed").textContent = fmt(seed);
    this.el("token-mean").textContent = fmt(tokenMean);
    this.el("ratio").textContent = tokenMean ? `${(seed / tokenMean).toFixed(1)}×` : "–";
    this.el("masked-share").textContent = formatPercent(answer.masked_share_of_seed_kl);
    const key = `${s.len}|${s.prompt}|${s.batch}`;
    markDrawn(this.el("length-chart"), key, this.drawLengths(answer, s));
    this.drawPositions(answer);
    markDrawn(this.el("position-chart"), key);
    const summary = `With ${s.batch} sequences of ${s.len} positions, ${s.prompt} of them prompt: the seed's batchmean KL is ` +
      `${fmt(seed)} (summed over ${s.batch * s.len} positions, divided by ${s.batch}); the token mean over the ` +
      `${answer.labelled[last]} labelled positions is ${fmt(tokenMean)}. Prompt positions make up ` +
      `${formatPercent(answer.masked_share_of_seed_kl)} of the seed's KL.`;
    this.el("summary").textContent = summary;
    this.el("length-chart").setAttribute("aria-label", `Line chart of both reductions against sequence length. ${summary}`);
    fillTableWhenShown(this.el("table"), ["length", "seed (batchmean)", "token_mean", "labelled positions", "prompt positions counted by seed"], () =>
      answer.lengths.map((n, i) => [String(n), fmt(answer.seed_kl[i]), fmt(answer.token_mean_kl[i]),
                                    String(answer.labelled[i]), String(answer.masked[i])]));
  }

  drawLengths(answer, s) {
    const traces = [
      { type: "scatter", mode: "lines+markers", x: answer.lengths, y: answer.seed_kl, name: "seed: sum / batch size",
        line: { color: COLORS.kd, width: 3 }, hovertemplate: "length %{x}: %{y:.3f}<extra>seed</extra>" },
      { type: "scatter", mode: "lines+markers", x: answer.lengths, y: answer.token_mean_kl, name: "token_mean: labelled positions only",
        line: { color: COLORS.ce, width: 3 }, connectgaps: false, hovertemplate: "length %{x}: %{y:.3f}<extra>token mean</extra>" },
    ];
    // A round bound (niceCeil) holds the scale still across moves (and spares Plotly its autorange pass).
    const top = niceCeil(Math.max(...answer.seed_kl, ...answer.token_mean_kl.filter((v) => v !== null)));
    const layout = baseLayout({
      xaxis: { title: { text: "sequence length" }, range: [0.5, Math.max(2, s.len) + 0.5], nticks: 8 },
      yaxis: { title: { text: "KL term (no T²)" }, nticks: 6, range: [0, 1.05 * top] },
      legend: TOP_LEGEND, margin: { ...baseLayout().margin, t: 64 },
      shapes: s.prompt ? [{ type: "rect", x0: 0.5, x1: s.prompt + 0.5, yref: "paper", y0: 0, y1: 1, line: { width: 0 },
                            fillcolor: "rgba(154,165,177,0.25)", layer: "below" }] : [],
      annotations: s.prompt ? [{ x: 0.5, xanchor: "left", xshift: 4, yref: "paper", y: 1, yanchor: "top", text: "prompt", showarrow: false }] : [],
      uirevision: "keep",
    });
    return reactChart(this.el("length-chart"), traces, layout);
  }

  drawPositions(answer) {
    const zmax = Math.max(...answer.per_position.flat()) || 1;
    const chart = this.el("position-chart");
    drawHeatGrid(chart, {
      rowNames: answer.per_position.map((_, b) => `seq ${b + 1}`),
      columns: answer.per_position[0].length,
      cell: (b, i) => {
        const kl = answer.per_position[b][i];
        const prompt = answer.is_masked[b][i];
        return { color: (prompt ? SCALES.greys : SCALES.oranges)(kl / zmax),
                 label: `seq ${b + 1}, position ${i + 1}${prompt ? " (prompt, label −100)" : ""}: KL ${kl.toFixed(3)}` };
      },
    });
    this.el("position-key").textContent = `Each cell is one position's KL, from 0 (palest) to ${zmax.toFixed(3)} ` +
      "(darkest): orange where the position has a label, grey where it is prompt (−100).";
  }
}

startExplorers("reduction", ReductionExplorer);
