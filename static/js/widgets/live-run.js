// The live distillation lab: start real training runs on the server and watch them, a few at once.
//
// It follows the explorer protocol (lib/explorer.js), so a class can follow it (static/js/class/*.js):
// its state is the form (and the preset); the instructor's page also tells the class which runs are on
// its charts (RUNS_EVENT, classRuns()), and a follower's page shows the class's runs, relayed by the
// server without their ids (followRuns), until the learner explores on their own (showClassRuns(false)).
import { LabCharts, RUN_COLORS } from "../lab/lab-charts.js";
import { announceChange, Explorer, markPreset, onPresetClick, RUNS_EVENT, startExplorers } from "../lib/explorer.js";
import { fillCurves, fillResults } from "../lab/lab-tables.js";
import { LiveRun } from "../lab/run-stream.js";
import { readParams } from "../lib/url-state.js";

// What each preset runs; its name and button come from the widget's description (app/widgets/registry.py).
const PRESETS = {
  race: { base: { temperature: 4, student_hidden: 32, steps: 2000, omit_class: null },
          runs: [{ alpha: 1 }, { alpha: 0.5 }] },
  missing3: { base: { temperature: 4, student_hidden: 32, steps: 2000, omit_class: 3 },
              runs: [{ alpha: 1 }, { alpha: 0.5 }] },
};

// The form's fields and the link parameters they are (app/widgets/registry.py names T "T").
const FIELD_PARAMS = { alpha: "alpha", temperature: "T", student_hidden: "student_hidden", steps: "steps", seed: "seed",
                       omit_class: "omit_class" };

export function runLabel(c) {
  const kind = c.alpha === 1 ? "SFT (α=1)" : `KD α=${c.alpha} T=${c.temperature}`;
  const omit = c.omit_class === null ? "" : ` · no ${c.omit_class}s`;
  return `${kind} · 64-${c.student_hidden}-10 · seed ${c.seed}${omit}`;
}

/** A number field moved by the demo keys like a slider: `positions` of its own step, within its limits. */
function fieldStepper(input, onMove) {
  return {
    nudge(positions) {
      const [min, max, step] = [Number(input.min), Number(input.max), Number(input.step)];
      const value = Number(input.value);
      const next = Math.min(max, Math.max(min, (Number.isFinite(value) ? value : min) + positions * step));
      input.value = String(Number(next.toFixed(6)));
      input.removeAttribute("aria-invalid");
      onMove();
    },
  };
}

class LiveRunLab extends Explorer {
  constructor(root) {
    super();
    this.root = root;
    this.name = "live-run";
    this.presetNames = Object.keys(PRESETS);
    this.el = (role) => root.querySelector(`[data-role="${role}"]`);
    this.form = this.el("form");
    this.maxRuns = Number(root.dataset.maxRuns);   // the widget's description (app/widgets/registry.py)
    this.own = [];            // this page's runs
    this.followed = [];       // a class's runs (a follower's page), relayed without their ids
    this.showingClass = false;
    this.made = 0;
    this.charts = new LabCharts(this.el("loss-chart"), this.el("acc-chart"), this.el("run-legend"),
                                (message) => this.showError(message));
    this.charts.reset([]);
    // A run's curves are Plotly's: it starts loading as the reader reaches for the lab's settings, Start or
    // a preset (on a cold cache at 9 Mbps the bundle takes over a second: bench/lab_first_step.py).
    for (const controls of [this.form, root.querySelector(".preset-row")]) {
      controls.addEventListener("pointerenter", () => this.charts.prepare());
      controls.addEventListener("focusin", () => this.charts.prepare());
    }

    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      const config = this.readForm();
      if (config) this.startRuns([config]);
    });
    this.form.addEventListener("input", () => this.markPreset(null));
    // The demo keys (app/widgets/registry.py) move T and alpha by their fields' steps.
    this.sliders = { T: fieldStepper(this.form.elements.temperature, () => this.markPreset(null)),
                     alpha: fieldStepper(this.form.elements.alpha, () => this.markPreset(null)) };
    this.el("cancel").addEventListener("click", () => this.cancelAll());
    this.el("clear").addEventListener("click", () => this.clear());
    this.el("bias-fix").addEventListener("change", () => this.renderTables());
    onPresetClick(root, (name) => this.loadPreset(name));
    this.start(readParams(root));
    this.renderTables();
  }

  /** The runs on the charts: this page's own, or the class's while following it. */
  get runs() {
    return this.showingClass ? this.followed : this.own;
  }

  /** Tell listeners (a class) the form and the runs as they are now. */
  update() {
    announceChange(this.root);
    this.root.dispatchEvent(new CustomEvent(RUNS_EVENT));
  }

  /** This page's runs as a class is told of them: their numbers and ids (only the instructor's page sends them). */
  classRuns() {
    return this.own.filter((r) => r.live.id).map((r) => ({ n: r.n, id: r.live.id }));
  }

  /** After a reload of the instructor's page: follow again the runs the class still shows. */
  adoptRuns(entries) {
    if (this.own.length || !entries.length) return;
    for (const entry of entries) {
      const run = this.makeRun({ omit_class: null, ...entry.config }, entry.n, this.own);
      run.live.adopt(entry.id);
      this.own.push(run);
      this.made = Math.max(this.made, entry.n);
    }
    this.redraw();
  }

  /** A follower's page: the class's runs are now `entries` [{n, tag, config}]; runs already followed go
   *  on, new ones are followed through the class (GET /api/classes/{code}/runs/{n}/events). */
  followRuns(entries, code) {
    const same = (run, entry) => run.n === entry.n && run.tag === entry.tag;
    this.followed.filter((run) => !entries.some((e) => same(run, e))).forEach((run) => run.live.close());
    const kept = this.followed.filter((run) => entries.some((e) => same(run, e)));
    this.followed = entries.map((entry) => {
      const old = kept.find((run) => same(run, entry));
      if (old) return old;
      const run = this.makeRun({ omit_class: null, ...entry.config }, entry.n, kept);
      run.tag = entry.tag;
      kept.push(run);
      run.live.watch(`/api/classes/${encodeURIComponent(code)}/runs/${entry.n}/events`);
      return run;
    });
    if (this.showingClass) this.redraw();
  }

  /** Show the class's runs (following) or this page's own (exploring on one's own). */
  showClassRuns(on) {
    this.showingClass = on;
    this.root.dataset.showing = on ? "class" : "own";
    this.redraw();
  }

  /** Fill the form from link parameters (the lesson's directive, the demo's address, a saved step): each
   *  field's default (rendered from the widget's description), then the preset's settings, then any value
   *  the link gives. The server has already checked the link's values. */
  loadState(params) {
    const f = this.form.elements;
    const preset = PRESETS[params.preset];
    const config = Object.fromEntries(Object.keys(FIELD_PARAMS).map((name) => [name, f[name].dataset.default]));
    if (preset) Object.assign(config, preset.base, preset.runs[preset.runs.length - 1]);
    for (const [name, key] of Object.entries(FIELD_PARAMS)) if (params[key] !== undefined) config[name] = params[key];
    this.fillForm({ ...config, omit_class: config.omit_class === "" ? null : config.omit_class });
    this.markPreset(preset ? params.preset : null);
  }

  /** The preset whose settings the form holds; null once the form is edited. */
  markPreset(name) {
    this.preset = name;
    markPreset(this.root, name);
    announceChange(this.root);
  }

  /** The form as link parameters: "Copy link" and "Open in demo mode" reopen exactly this. */
  queryState() {
    const f = this.form.elements;
    const state = { preset: this.preset || undefined };
    // Numbers as numbers: a class checks the state as JSON (app/widgets/state.py); a link writes them as text.
    for (const [name, key] of Object.entries(FIELD_PARAMS)) {
      const text = f[name].value;
      state[key] = text === "" ? undefined : name === "student_hidden" ? text : Number(text);
    }
    return state;
  }

  describeState() {
    const f = this.form.elements;
    const config = { alpha: Number(f.alpha.value), temperature: Number(f.temperature.value), seed: f.seed.value,
                     student_hidden: f.student_hidden.value, omit_class: f.omit_class.value === "" ? null : f.omit_class.value };
    return `Next run: ${runLabel(config)} · ${f.steps.value} steps`;
  }

  loadPreset(name) { this.runPreset(name); }

  fillForm(c) {
    const f = this.form.elements;
    f.alpha.value = c.alpha;
    f.temperature.value = c.temperature;
    f.steps.value = c.steps;
    f.seed.value = c.seed;
    f.student_hidden.value = String(c.student_hidden);
    f.omit_class.value = c.omit_class === null ? "" : String(c.omit_class);
  }

  /** The form as a run config, or null after marking the fields that are wrong. */
  readForm() {
    const f = this.form.elements;
    const problems = [];
    const config = { experiment: "digits", device: "auto",
                     student_hidden: Number(f.student_hidden.value),
                     omit_class: f.omit_class.value === "" ? null : Number(f.omit_class.value) };
    // Each number field carries its limits (min, max, data-integer) from the widget's description; the
    // server checks again and names the field if it disagrees.
    for (const input of this.form.querySelectorAll('input[type="number"]')) {
      const [name, min, max, integer] = [input.name, Number(input.min), Number(input.max), input.dataset.integer === "true"];
      const value = Number(input.value);
      const ok = input.value.trim() !== "" && Number.isFinite(value) && value >= min && value <= max &&
        (!integer || Number.isInteger(value));
      input.setAttribute("aria-invalid", String(!ok));
      if (!ok) problems.push(`${input.labels[0].textContent} must be ${integer ? "a whole number " : ""}from ${min} to ${max}`);
      config[name] = value;
    }
    if (problems.length) {
      this.showError(`${problems.join("; ")}.`);
      return null;
    }
    return config;
  }

  runPreset(name) {
    const preset = PRESETS[name];
    const seed = Number(this.form.elements.seed.value) || 0;
    const configs = preset.runs.map((r) => ({ experiment: "digits", device: "auto", seed, ...preset.base, ...r }));
    this.fillForm(configs[configs.length - 1]);
    this.markPreset(name);
    if (name === "missing3") this.el("bias-fix").checked = true;
    // A preset is a fresh comparison: finished runs make room for it.
    this.own.filter((r) => !r.live.active).forEach((r) => this.remove(r));
    this.startRuns(configs);
  }

  async startRuns(configs) {
    this.hideError();
    if (this.showingClass) this.showClassRuns(false);     // a learner's own runs show on their own charts
    const finished = this.own.filter((r) => !r.live.active);
    const room = this.maxRuns - this.own.length + finished.length;
    if (configs.length > room) {
      this.showError(`The charts hold ${this.maxRuns} runs and ${this.own.length - finished.length} are still ` +
                     "training: cancel one or wait for it to finish.");
      return;
    }
    for (const config of configs) {
      if (this.own.length >= this.maxRuns) this.remove(this.own.find((r) => !r.live.active));
      this.made += 1;
      const run = this.makeRun(config, this.made, this.own);
      this.own.push(run);
      this.redraw();
      try {
        await run.live.start();
        run.status = run.live.status;
      } catch (err) {
        this.remove(run);
        this.showError(err.status === 429 ? `The server is busy: ${err.message}`
          : err.status === 422 ? `The server refused these settings: ${err.message}` : err.message);
        break;
      }
      this.root.dispatchEvent(new CustomEvent(RUNS_EVENT));   // it has an id now: a class may follow it
      this.refresh();
    }
  }

  /**
   * A run numbered `n`; its events update the page. Its colour is the n-th when none of `others` has it (else
   * the first free one): a follower that hears of the instructor's runs in another order (run 2 may get
   * its id first) still colours them as the projector does.
   */
  makeRun(config, n, others) {
    const free = RUN_COLORS.filter(([, c]) => !others.some((r) => r.color === c));
    const [colorName, color] = free.find((entry) => entry === RUN_COLORS[(n - 1) % RUN_COLORS.length]) || free[0];
    const run = { n, config, label: runLabel(config), color, colorName, records: [], final: null,
                  status: "starting", reason: null };
    run.live = new LiveRun(config, {
      onStep: (record) => {
        run.status = "running";
        run.records.push(record);
        this.charts.push(run, record);     // drawn only while it is on the charts
        this.refresh();
      },
      onDone: (final) => {
        run.status = "done";
        run.final = final;
        this.refresh();
      },
      onEnd: (status, reason) => {
        run.status = status;
        run.reason = reason;
        if (status === "failed" && this.runs.includes(run)) this.showError(`Run ${run.n} failed: ${reason}`);
        this.refresh();
      },
      onConnection: (ok) => {
        if (!ok) this.setStatus("Lost the connection to the server; retrying…");
      },
    });
    return run;
  }

  redraw() {
    this.charts.reset(this.runs);
    this.refresh();
  }

  remove(run) {
    if (!run) return;
    if (run.live.active) run.live.cancel().catch(() => {});
    this.own = this.own.filter((r) => r !== run);
    this.redraw();
    this.root.dispatchEvent(new CustomEvent(RUNS_EVENT));
  }

  /** Cancel this page's runs (never a class's: a follower's page holds no run id). */
  async cancelAll() {
    try {
      await Promise.all(this.own.map((r) => r.live.cancel()));
    } catch (err) {
      this.showError(`Could not cancel: ${err.message}`);
    }
    this.refresh();
  }

  clear() {
    this.own.filter((r) => !r.live.active).forEach((r) => this.remove(r));
    this.hideError();
  }

  refresh() {
    const active = this.runs.filter((r) => r.live.active);
    this.el("cancel").disabled = this.showingClass || active.length === 0;
    this.el("clear").disabled = this.showingClass || this.runs.length === active.length;
    this.root.dataset.state = active.length ? "running" : this.runs.length ? "finished" : "idle";
    const watched = active.length ? active : this.runs;
    const total = watched.reduce((n, r) => n + r.config.steps, 0);
    const done = watched.reduce((n, r) => n + (r.final ? r.config.steps : (r.records.at(-1) || {}).step || 0), 0);
    const percent = total ? Math.round((100 * done) / total) : 0;
    const bar = this.el("progress");
    bar.setAttribute("aria-valuenow", String(percent));
    bar.setAttribute("aria-valuetext", total ? `${done} of ${total} steps` : "No run yet");
    this.el("progress-fill").style.width = `${percent}%`;
    this.setStatus(this.statusText(active));
    this.renderTables();
  }

  statusText(active) {
    if (!this.runs.length) return "No run yet.";
    if (!active.length) return `Finished: ${this.runs.map((r) => `run ${r.n} ${r.status}`).join(", ")}.`;
    return active.map((r) => {
      const last = r.records.at(-1);
      if (!last) return `Run ${r.n}: ${r.status === "queued" ? "waiting for a free slot" : "starting"}`;
      return `Run ${r.n}: step ${last.step} of ${r.config.steps}, test accuracy ${(100 * last.test_acc).toFixed(1)}%`;
    }).join(" · ");
  }

  renderTables() {
    const biasFix = this.el("bias-fix").checked;
    this.el("bias-help").hidden = !biasFix;
    fillResults(this.el("results"), this.runs, { biasFix });
    fillCurves(this.el("curve-table"), this.runs);
    this.charts.describe(this.runs.length ? this.runs.map((r) => {
      const last = r.final || r.records.at(-1);
      return `Run ${r.n}, ${r.colorName}, ${r.label}: ${last ? `test accuracy ${(100 * last.test_acc).toFixed(1)}%` : "no steps yet"}.`;
    }).join(" ") : "No run yet.");
  }

  setStatus(text) {
    this.el("status").textContent = text;
  }

  showError(message) {
    const box = this.el("error");
    box.textContent = message;
    box.hidden = false;
  }

  hideError() {
    this.el("error").hidden = true;
  }
}

startExplorers("live-run", LiveRunLab);
