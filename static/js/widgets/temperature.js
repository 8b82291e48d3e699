// Temperature explorer: softmax(logits / T) from the server's real torch code, beside the T = 1 bars.
import { baseLayout, COLORS, fillTableWhenShown, formatPercent } from "../lib/charts.js";
import { announceChange, Explorer, markDrawn, markPreset, onPresetClick, showWidgetError, startExplorers } from "../lib/explorer.js";
import { barsPath, FastChart, hoverOnly, pathShape } from "../lib/fast-chart.js";
import { LogSlider } from "../lib/log-slider.js";
import { parseLogitsField, readLogitsField } from "../lib/logits-field.js";
import { temperatureT } from "../lib/table-readers.js";
import { ExplorerData } from "../lib/tables.js";
import { listParam, numberParam, readParams } from "../lib/url-state.js";

// ln 99 = 4.595: softmax([ln 99, 0]) is exactly 99/1 at T = 1.
export const PRESETS = {
  peaky: { logits: [4.595, 0], labels: ["top", "runner-up"], T: 3.31 },
  digit: { logits: [0.4, 3.2, 0.1, 1.1, 0.9, 0.3, -0.6, 9.0, 0.7, 4.4],
           labels: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], T: 4 },
  tokens: { logits: [6.0, 4.9, 4.5, 4.2, 3.6, 3.1, 2.4, 1.0],
            labels: ["mat", "floor", "sofa", "rug", "bed", "chair", "roof", "moon"], T: 2 },
  flat: { logits: [0.4, 0.2, 0.3, 0.1, 0.0], labels: ["A", "B", "C", "D", "E"], T: 1 },
  // Two close favourites and a long tail: the runner-up loses probability from T = 1 on (lesson 4.3).
  favourites: { logits: [5.0, 4.8, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
                labels: ["coffee", "tea", "water", "juice", "milk", "cocoa", "soda", "cider", "lassi", "kefir", "broth", "tonic"],
                T: 4 },
};

/** The class with the second-largest logit (the first of equals), or -1 with fewer than two classes. */
export function runnerUpIndex(logits) {
  if (logits.length < 2) return -1;
  const order = logits.map((z, i) => [z, i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  return order[1][1];
}

class TemperatureExplorer extends Explorer {
  constructor(root) {
    super();
    this.root = root;
    this.name = "temperature";
    this.presetNames = Object.keys(PRESETS);
    this.el = (role) => root.querySelector(`[data-role="${role}"]`);
    this.chart = this.el("chart");
    this.fast = new FastChart(this.chart);
    this.labels = [];
    // A drag of T is drawn from its table (every T the slider reaches, one request per set of logits).
    this.data = new ExplorerData({
      single: { path: "/api/kd/soften", body: (state) => ({ logits: state.logits, temperatures: [1, state.T] }) },
      sliders: { T: { path: "/api/tables/temperature/T", body: (state) => ({ logits: state.logits }),
                      value: (state) => state.T, read: temperatureT } },
      render: (answer, state) => this.render(answer, state),
      onError: (err) => this.showError(err.message),
    });

    this.slider = new LogSlider(this.el("t-slider"), this.el("t-number"), {
      value: 1, label: "T = ", onChange: () => this.update("T"),
    });
    this.data.watch("T", this.el("t-slider"));
    this.sliders = { T: this.slider };
    this.el("logits").addEventListener("input", () => this.update());
    onPresetClick(root, (name) => this.loadPreset(name));
    this.start(readParams(root));
  }

  /** The first view: a preset, then any exact T or logits the lesson or the demo link gives. */
  loadState(params) {
    this.loadPreset(PRESETS[params.preset] ? params.preset : "peaky", { quiet: true });
    const logits = listParam(params.logits, null);
    if (logits) this.el("logits").value = logits.join(", ");
    this.slider.set(numberParam(params.T, this.slider.value), "start");
  }


  queryState() {
    const parsed = parseLogitsField(this.el("logits"));
    return { preset: this.preset, T: this.slider.value, logits: parsed.values };
  }

  loadPreset(name, { quiet = false } = {}) {
    const preset = PRESETS[name];
    this.preset = name;
    markPreset(this.root, name);
    this.presetLabels = preset.labels;
    this.el("logits").value = preset.logits.join(", ");
    if (quiet) this.slider.set(preset.T, "init");
    else this.slider.set(preset.T, "preset");
  }

  update(moved = null) {
    const parsed = readLogitsField(this.el("logits"), this.el("logits-error"));
    if (parsed.error) return;
    this.labels = parsed.values.length === this.presetLabels.length
      ? this.presetLabels : parsed.values.map((_, i) => `class ${i + 1}`);
    this.data.update({ logits: parsed.values, T: this.slider.value }, moved);
    announceChange(this.root);
  }

  showError(message) {
    showWidgetError(this.root, message);
  }

  render(answer, state) {
    this.el("error").hidden = true;
    const [p1, pT] = answer.probs;
    const T = answer.temperatures[1];
    const fmtT = T.toFixed(2);
    const labels = state.logits.length === this.labels.length ? this.labels : state.logits.map((_, i) => `class ${i + 1}`);
    const x = labels.map(String);
    // The T = 1 bars are a trace; the bars at T move with the slider, so they are a shape over an invisible
    // trace that carries their hover (static/js/lib/fast-chart.js). Each bar's place is set, not grouped.
    const traces = [
      { type: "bar", name: "T = 1", x, y: p1, offset: -0.4, width: 0.4, marker: { color: COLORS.reference },
        hovertemplate: "%{x}: %{y:.1%}<extra>T = 1</extra>" },
      hoverOnly({ type: "bar", name: `T = ${fmtT}`, x, y: pT, offset: 0, width: 0.4,
                  hovertemplate: `%{x}: %{y:.1%}<extra>T = ${fmtT}</extra>` }, COLORS.accent),
    ];
    const layout = baseLayout({
      barmode: "overlay", showlegend: false,
      yaxis: { title: { text: "probability" }, range: [0, 1], tickformat: ".0%" },
      xaxis: { type: "category" },
      uirevision: "keep",
    });
    const shapes = [pathShape(barsPath(pT, 0, 0.4), { color: COLORS.accent, width: 0, fill: COLORS.accent })];
    markDrawn(this.chart, fmtT, this.fast.draw({ key: JSON.stringify([x, p1]), traces, layout, shapes }));
    this.el("legend-t").textContent = `T = ${fmtT}`;
    this.chart.dataset.temperature = fmtT;  // lets tests and people see which T is drawn

    this.el("entropy-t").textContent = `${answer.entropy_bits[1].toFixed(3)} bits`;
    this.el("entropy-1").textContent = `${answer.entropy_bits[0].toFixed(3)} bits`;
    this.el("off-top-t").textContent = formatPercent(answer.mass_off_top[1]);
    this.el("off-top-1").textContent = formatPercent(answer.mass_off_top[0]);

    this.showRunnerUp(state.logits, x, p1, pT, answer.mean_logit[1], fmtT);
    const top = pT.indexOf(Math.max(...pT));
    this.el("summary").textContent =
      `At T = ${fmtT} the top class ${x[top]} has ${formatPercent(pT[top])}; ` +
      `${formatPercent(answer.mass_off_top[1])} of the probability is off the top class; ` +
      `entropy ${answer.entropy_bits[1].toFixed(2)} bits.`;
    this.chart.setAttribute("aria-label", `Bar chart: probabilities at T = 1 and at T = ${fmtT}. ${this.el("summary").textContent}`);
    fillTableWhenShown(this.el("table"), ["class", "logit", "p at T = 1", `p at T = ${fmtT}`], () =>
      x.map((label, i) => [label, String(state.logits[i]), formatPercent(p1[i], 2), formatPercent(pT[i], 2)]));
  }

  /**
   * The runner-up at T against T = 1, and which way it is moving: as T rises a class gains exactly while
   * its logit is below the probability-weighted mean logit (the server's mean_logit at this T).
   */
  showRunnerUp(logits, labels, p1, pT, meanLogit, fmtT) {
    const i = runnerUpIndex(logits);
    if (i < 0) {
      this.el("runner-up").textContent = "–";
      this.el("runner-up-trend").textContent = "–";
      return;
    }
    this.el("runner-up").textContent = `${labels[i]} ${formatPercent(pT[i])} (${formatPercent(p1[i])})`;
    const z = logits[i];
    const [trend, sign] = z < meanLogit ? ["gaining", "<"] : z > meanLogit ? ["losing", ">"] : ["level", "="];
    this.el("runner-up-trend").textContent = `${trend}: ${z} ${sign} ${meanLogit.toFixed(2)}`;
    this.el("runner-up-trend").title = `As T rises from ${fmtT}, a class gains probability while its logit is below ` +
      "the probability-weighted mean logit, and loses it while above.";
  }
}

startExplorers("temperature", TemperatureExplorer);
