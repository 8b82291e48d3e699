// Forward vs reverse KL: the server searches a family of one-peak students for the best fit to a
// two-peak teacher under each direction (POST /api/kd/kl-direction). Forward covers, reverse seeks.
import { latestOnly } from "../lib/api.js";
import { liveJSON } from "../lib/live.js";
import { baseLayout, COLORS, fillTableWhenShown, niceCeil, reactChart } from "../lib/charts.js";
import { announceChange, Explorer, markDrawn, setSliders, showWidgetError, startExplorers } from "../lib/explorer.js";
import { LogSlider } from "../lib/log-slider.js";
import { readParams } from "../lib/url-state.js";

const describeFit = (f) => `peak ${f.mean.toFixed(2)}, width ${f.width.toFixed(2)} (KL ${f.kl.toFixed(3)})`;

class KLDirectionExplorer extends Explorer {
  constructor(root) {
    super();
    this.root = root;
    this.name = "kl-direction";
    this.presetNames = [];
    this.el = (role) => root.querySelector(`[data-role="${role}"]`);
    this.request = latestOnly(
      (s) => liveJSON("/api/kd/kl-direction", { separation: s.separation, left_weight: s.weight, width: 1.0 }),
      (answer, s) => this.render(answer, s),
      (err) => showWidgetError(root, err.message),
    );
    this.separation = new LogSlider(this.el("sep-slider"), this.el("sep-number"), {
      label: "distance ", onChange: () => this.update() });
    this.weight = new LogSlider(this.el("weight-slider"), this.el("weight-number"), {
      label: "left share ", onChange: () => this.update() });
    this.sliders = { separation: this.separation, left_weight: this.weight };
    this.start(readParams(root));
  }

  loadState(params) {
    setSliders(this.sliders, params);
    this.update();
  }

  queryState() { return { separation: this.separation.value, left_weight: this.weight.value }; }

  update() {
    this.request({ separation: this.separation.value, weight: this.weight.value });
    announceChange(this.root);
  }

  render(answer, s) {
    showWidgetError(this.root, "");
    this.el("forward").textContent = describeFit(answer.forward);
    this.el("reverse").textContent = describeFit(answer.reverse);
    const key = `${s.separation.toFixed(1)}|${s.weight.toFixed(2)}`;
    const fits = [
      // One filled step outline instead of 161 bars: the same picture, a fraction of the SVG to redraw.
      { type: "scatter", mode: "lines", x: answer.x, y: answer.teacher, name: "teacher (two peaks)", fill: "tozeroy",
        line: { color: COLORS.reference, shape: "hvh", width: 1 }, fillcolor: "rgba(154,165,177,0.55)",
        hovertemplate: "x %{x:.1f}: %{y:.4f}<extra>teacher</extra>" },
      { type: "scatter", mode: "lines", x: answer.x, y: answer.forward.probs, name: "best under forward KL (covers)",
        line: { color: COLORS.ce, width: 4 } },
      { type: "scatter", mode: "lines", x: answer.x, y: answer.reverse.probs, name: "best under reverse KL (seeks)",
        line: { color: COLORS.kd, width: 4, dash: "dash" } },
    ];
    // Round axis bounds (niceCeil): the scale holds still while the peaks move, and Plotly skips autorange.
    const xRange = [answer.x[0], answer.x[answer.x.length - 1]];
    const fitTop = niceCeil(Math.max(...answer.teacher, ...answer.forward.probs, ...answer.reverse.probs));
    const fitLayout = baseLayout({ xaxis: { title: { text: "outcome" }, dtick: 2, range: xRange },
                                   yaxis: { title: { text: "probability" }, nticks: 5, range: [0, 1.05 * fitTop] },
                                   showlegend: false, uirevision: "keep" });
    markDrawn(this.el("fit-chart"), key, reactChart(this.el("fit-chart"), fits, fitLayout));
    const landscape = [
      { type: "scatter", mode: "lines", x: answer.means, y: answer.forward_by_mean, name: "forward KL(teacher ‖ student)",
        line: { color: COLORS.ce, width: 3 } },
      { type: "scatter", mode: "lines", x: answer.means, y: answer.reverse_by_mean, name: "reverse KL(student ‖ teacher)",
        line: { color: COLORS.kd, width: 3, dash: "dash" } },
    ];
    const landscapeLayout = baseLayout({
      xaxis: { title: { text: "student's peak (best width at each)" }, dtick: 2,
               range: [answer.means[0], answer.means[answer.means.length - 1]] },
      yaxis: { title: { text: "lowest KL" }, nticks: 6,
               range: [0, 1.05 * niceCeil(Math.max(...answer.forward_by_mean, ...answer.reverse_by_mean))] },
      showlegend: false, uirevision: "keep" });
    markDrawn(this.el("landscape-chart"), key, reactChart(this.el("landscape-chart"), landscape, landscapeLayout));
    const summary = `Teacher peaks ${s.separation.toFixed(1)} apart, ${Math.round(100 * s.weight)}% of the mass on the left. ` +
      `Forward KL's best student: ${describeFit(answer.forward)}, spread over both peaks. ` +
      `Reverse KL's best student: ${describeFit(answer.reverse)}, on one peak.`;
    this.el("summary").textContent = summary;
    this.el("fit-chart").setAttribute("aria-label", `Teacher and best students. ${summary}`);
    fillTableWhenShown(this.el("table"), ["student's peak", "best forward KL", "best reverse KL"], () =>
      answer.means.map((m, i) => [m.toFixed(2), answer.forward_by_mean[i].toFixed(4), answer.reverse_by_mean[i].toFixed(4)])
        .filter((_, i) => i % 4 === 0));
  }
}

startExplorers("kl-direction", KLDirectionExplorer);
