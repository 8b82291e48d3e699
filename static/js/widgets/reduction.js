// Reduction and masking explorer: the seed's F.kl_div(..., "batchmean") divides by the batch size only,
// so on (batch, seq, vocab) logits it grows with length and counts prompt positions; the token mean
// does neither. Every number comes from POST /api/kd/reduction (torch on the server).
import { baseLayout, COLORS, fillTableWhenShown, formatPercent, niceCeil } from "../lib/charts.js";
import { announceChange, Explorer, markDrawn, setSliders, showWidgetError, startExplorers } from "../lib/explorer.js";
import { FastChart, hoverOnly, linePath, markersPath, pathShape } from "../lib/fast-chart.js";
import { drawHeatGrid, SCALES } from "../lib/heat-grid.js";
import { LogSlider } from "../lib/log-slider.js";
import { reductionBatch, reductionLength, reductionPrompt } from "../lib/table-readers.js";
import { ExplorerData } from "../lib/tables.js";
import { readParams } from "../lib/url-state.js";

const EXAMPLE = { vocab: 16, temperature: 2.0, seed: 0 };
const fmt = (x) => (x === null ? "–" : x.toFixed(3));

class ReductionExplorer extends Explorer {
  constructor(root) {
    super();
    this.root = root;
    this.name = "reduction";
    this.presetNames = [];
    this.el = (role) => root.querySelector(`[data-role="${role}"]`);
    this.lengthChart = new FastChart(this.el("length-chart"));
    // Each slider's drag is drawn from its table (its whole range, the other two fixed).
    this.data = new ExplorerData({
      single: { path: "/api/kd/reduction",
                body: (s) => ({ ...EXAMPLE, batch_size: s.batch, seq_len: s.len, prompt_len: s.prompt }) },
      sliders: {
        // Asked for with the prompt the learner set: at a shorter length the table's answer has the prompt
        // cut to that length, which is what update() shows.
        seq_len: { path: "/api/tables/reduction/seq_len", value: (s) => s.len, read: reductionLength,
                   body: (s) => ({ ...EXAMPLE, batch_size: s.batch, prompt_len: s.promptSet }) },
        prompt_len: { path: "/api/tables/reduction/prompt_len", value: (s) => s.prompt, read: reductionPrompt,
                      body: (s) => ({ ...EXAMPLE, batch_size: s.batch, seq_len: s.len }) },
        batch_size: { path: "/api/tables/reduction/batch_size", value: (s) => s.batch, read: reductionBatch,
                      body: (s) => ({ ...EXAMPLE, seq_len: s.len, prompt_len: s.prompt }) },
      },
      render: (answer, s, table) => this.render(answer, s, table),
      onError: (err) => showWidgetError(root, err.message),
    });
    const slider = (role, param, label) => {
      this.data.watch(param, this.el(`${role}-slider`));
      return new LogSlider(this.el(`${role}-slider`), this.el(`${role}-number`), { label, onChange: () => this.update(param) });
    };
    this.len = slider("len", "seq_len", "length ");
    this.prompt = slider("prompt", "prompt_len", "prompt positions: ");
    this.batch = slider("batch", "batch_size", "batch size ");
    this.sliders = { seq_len: this.len, prompt_len: this.prompt, batch_size: this.batch };
    this.start(readParams(root));
  }

  loadState(params) {
    setSliders(this.sliders, params);
    this.promptSet = this.prompt.value;
    this.update();
  }

  queryState() { return { seq_len: this.len.value, prompt_len: this.prompt.value, batch_size: this.batch.value }; }


  update(moved = null) {
    // A prompt cannot be longer than the sequence: the prompt slider shows the prompt the learner set, cut
    // to the length. A shorter sequence cuts it and a longer one gives it back, so a drag of the length
    // never loses the prompt (nor its table).
    if (moved === "prompt_len") this.promptSet = Math.min(this.prompt.value, this.len.value);
    const prompt = Math.min(this.promptSet, this.len.value);
    if (this.prompt.value !== prompt) this.prompt.set(prompt, "init");
    this.data.update({ len: this.len.value, prompt, batch: this.batch.value, promptSet: this.promptSet }, moved);
    announceChange(this.root);
  }

  render(answer, s, table) {
    showWidgetError(this.root, "");
    const last = answer.lengths.length - 1;
    const seed = answer.seed_kl[last];
    const tokenMean = answer.token_mean_kl[last];
    this.el("seed").textContent = fmt(seed);
    this.el("token-mean").textContent = fmt(tokenMean);
    this.el("ratio").textContent = tokenMean ? `${(seed / tokenMean).toFixed(1)}×` : "–";
    this.el("masked-share").textContent = formatPercent(answer.masked_share_of_seed_kl);
    const key = `${s.len}|${s.prompt}|${s.batch}`;
    markDrawn(this.el("length-chart"), key, this.drawLengths(answer, s, table));
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

  drawLengths(answer, s, table) {
    const series = [[answer.seed_kl, "seed: sum / batch size", "seed", COLORS.kd],
                    [answer.token_mean_kl, "token_mean: labelled positions only", "token mean", COLORS.ce]];
    // Fixed axes: every length the slider reaches, and a round bound (niceCeil) over the whole table when
    // there is one, so a drag moves the lines and never the scale. The lines and their markers are
    // shapes; the traces under them carry the hover (static/js/lib/fast-chart.js).
    const longest = this.len.max;
    const values = (name, rows) => (table ? [table.max(name)] : rows.filter((v) => v !== null));
    const top = 1.05 * niceCeil(Math.max(...values("seed_kl", answer.seed_kl), ...values("token_mean_kl", answer.token_mean_kl)));
    const traces = series.map(([y, name, short, color]) => hoverOnly({ type: "scatter", mode: "lines+markers", x: answer.lengths,
      y, name, connectgaps: false, hovertemplate: `length %{x}: %{y:.3f}<extra>${short}</extra>` }, color));
    const layout = baseLayout({
      xaxis: { title: { text: "sequence length" }, range: [0.5, longest + 0.5], nticks: 8 },
      yaxis: { title: { text: "KL term (no T²)" }, nticks: 6, range: [0, top] },
      showlegend: false,
      uirevision: "keep",
    });
    // Markers are drawn in data units sized from the plot area: a function of the drawn chart.
    const shapes = (chart) => [
      // the prompt's span, labelled by its own shape label (an annotation would replot on every move)
      ...(s.prompt ? [{ type: "rect", x0: 0.5, x1: s.prompt + 0.5, yref: "paper", y0: 0, y1: 1, line: { width: 0 },
                        fillcolor: "rgba(154,165,177,0.25)", layer: "below",
                        label: { text: "prompt", textposition: "top left", padding: 4 } }] : []),
      ...series.map(([y, , , color]) => pathShape(linePath(answer.lengths, y), { color, width: 3 })),
      ...series.map(([y, , , color]) => pathShape(markersPath(chart, answer.lengths, y, 4), { color, width: 1, fill: color })),
    ];
    return this.lengthChart.draw({ key: String(top), traces, layout, shapes });
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
