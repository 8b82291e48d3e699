// Forward vs reverse KL: the server searches a family of one-peak students for the best fit to a
// two-peak teacher under each direction (POST /api/kd/kl-direction). Forward covers, reverse seeks.
import { baseLayout, COLORS, fillTableWhenShown, niceCeil } from "../lib/charts.js";
import { announceChange, Explorer, markDrawn, setSliders, showWidgetError, startExplorers } from "../lib/explorer.js";
import { FastChart, hoverOnly, linePath, pathShape, stepAreaPath } from "../lib/fast-chart.js";
import { LogSlider } from "../lib/log-slider.js";
import { klDirection } from "../lib/table-readers.js";
import { ExplorerData } from "../lib/tables.js";
import { readParams } from "../lib/url-state.js";

const describeFit = (f) => `peak ${f.mean.toFixed(2)}, width ${f.width.toFixed(2)} (KL ${f.kl.toFixed(3)})`;

class KLDirectionExplorer extends Explorer {
  constructor(root) {
    super();
    this.root = root;
    this.name = "kl-direction";
    this.presetNames = [];
    this.el = (role) => root.querySelector(`[data-role="${role}"]`);
    this.fitChart = new FastChart(this.el("fit-chart"));
    this.landscapeChart = new FastChart(this.el("landscape-chart"));
    // Each slider's drag is drawn from its table: the search at every position, the other slider fixed.
    this.data = new ExplorerData({
      single: { path: "/api/kd/kl-direction", body: (s) => ({ separation: s.separation, left_weight: s.weight, width: 1.0 }) },
      sliders: {
        separation: { path: "/api/tables/kl-direction/separation", value: (s) => s.separation, read: klDirection,
                      body: (s) => ({ left_weight: s.weight, width: 1.0 }) },
        left_weight: { path: "/api/tables/kl-direction/left_weight", value: (s) => s.weight, read: klDirection,
                       body: (s) => ({ separation: s.separation, width: 1.0 }) },
      },
      render: (answer, s, table) => this.render(answer, s, table),
      onError: (err) => showWidgetError(root, err.message),
    });
    this.separation = new LogSlider(this.el("sep-slider"), this.el("sep-number"), {
      label: "distance ", onChange: () => this.update("separation") });
    this.weight = new LogSlider(this.el("weight-slider"), this.el("weight-number"), {
      label: "left share ", onChange: () => this.update("left_weight") });
    this.data.watch("separation", this.el("sep-slider"));
    this.data.watch("left_weight", this.el("weight-slider"));
    this.sliders = { separation: this.separation, left_weight: this.weight };
    this.start(readParams(root));
  }

  loadState(params) {
    setSliders(this.sliders, params);
    this.update();
  }

  queryState() { return { separation: this.separation.value, left_weight: this.weight.value }; }


  update(moved = null) {
    this.data.update({ separation: this.separation.value, weight: this.weight.value }, moved);
    announceChange(this.root);
  }

  render(answer, s, table) {
    showWidgetError(this.root, "");
    this.el("forward").textContent = describeFit(answer.forward);
    this.el("reverse").textContent = describeFit(answer.reverse);
    const key = `${s.separation.toFixed(1)}|${s.weight.toFixed(2)}`;
    markDrawn(this.el("fit-chart"), key, this.drawFits(answer, table));
    markDrawn(this.el("landscape-chart"), key, this.drawLandscape(answer, table));
    const summary = `Teacher peaks ${s.separation.toFixed(1)} apart, ${Math.round(100 * s.weight)}% of the mass on the left. ` +
      `Forward KL's best student: ${describeFit(answer.forward)}, spread over both peaks. ` +
      `Reverse KL's best student: ${describeFit(answer.reverse)}, on one peak.`;
    this.el("summary").textContent = summary;
    this.el("fit-chart").setAttribute("aria-label", `Teacher and best students. ${summary}`);
    fillTableWhenShown(this.el("table"), ["student's peak", "best forward KL", "best reverse KL"], () =>
      answer.means.map((m, i) => [m.toFixed(2), answer.forward_by_mean[i].toFixed(4), answer.reverse_by_mean[i].toFixed(4)])
        .filter((_, i) => i % 4 === 0));
  }

  drawFits(answer, table) {
    // The teacher and both students are shapes; the traces under them carry the hover
    // (static/js/lib/fast-chart.js). Round axis bounds (niceCeil), over the whole table when there is one,
    // hold the scale still while the peaks move.
    const top = table ? Math.max(table.max("teacher"), table.max("forward_probs"), table.max("reverse_probs"))
      : Math.max(...answer.teacher, ...answer.forward.probs, ...answer.reverse.probs);
    const range = [0, 1.05 * niceCeil(top)];
    const x = answer.x;
    const traces = [
      hoverOnly({ type: "scatter", mode: "lines", x, y: answer.teacher, name: "teacher (two peaks)",
                  hovertemplate: "x %{x:.1f}: %{y:.4f}<extra>teacher</extra>" }, COLORS.reference),
      hoverOnly({ type: "scatter", mode: "lines", x, y: answer.forward.probs, name: "best under forward KL (covers)" }, COLORS.ce),
      hoverOnly({ type: "scatter", mode: "lines", x, y: answer.reverse.probs, name: "best under reverse KL (seeks)" }, COLORS.kd),
    ];
    const layout = baseLayout({ xaxis: { title: { text: "outcome" }, dtick: 2, range: [x[0], x[x.length - 1]] },
                                yaxis: { title: { text: "probability" }, nticks: 5, range },
                                showlegend: false, uirevision: "keep" });
    const shapes = [
      // One filled step outline instead of 161 bars: the same picture, a fraction of the SVG to redraw.
      pathShape(stepAreaPath(x, answer.teacher), { color: COLORS.reference, width: 1, fill: "rgba(154,165,177,0.55)" }),
      pathShape(linePath(x, answer.forward.probs), { color: COLORS.ce, width: 4 }),
      pathShape(linePath(x, answer.reverse.probs), { color: COLORS.kd, width: 4, dash: "dash" }),
    ];
    return this.fitChart.draw({ key: JSON.stringify(range), traces, layout, shapes });
  }

  drawLandscape(answer, table) {
    const top = table ? Math.max(table.max("forward_by_mean"), table.max("reverse_by_mean"))
      : Math.max(...answer.forward_by_mean, ...answer.reverse_by_mean);
    const range = [0, 1.05 * niceCeil(top)];
    const m = answer.means;
    const traces = [
      hoverOnly({ type: "scatter", mode: "lines", x: m, y: answer.forward_by_mean, name: "forward KL(teacher ‖ student)" }, COLORS.ce),
      hoverOnly({ type: "scatter", mode: "lines", x: m, y: answer.reverse_by_mean, name: "reverse KL(student ‖ teacher)" }, COLORS.kd),
    ];
    const layout = baseLayout({
      // short titles: at 360 px a longer x title ran past the chart's edge (tests/browser/test_phone.py)
      xaxis: { title: { text: "student's peak" }, dtick: 2, range: [m[0], m[m.length - 1]] },
      yaxis: { title: { text: "lowest KL over widths" }, nticks: 6, range },
      showlegend: false, uirevision: "keep" });
    const shapes = [pathShape(linePath(m, answer.forward_by_mean), { color: COLORS.ce, width: 3 }),
                    pathShape(linePath(m, answer.reverse_by_mean), { color: COLORS.kd, width: 3, dash: "dash" })];
    return this.landscapeChart.draw({ key: JSON.stringify(range), traces, layout, shapes });
  }
}

startExplorers("kl-direction", KLDirectionExplorer);
