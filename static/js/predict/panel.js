// Predict, then see. A panel inside a widget (templates/_partials/prediction.html) asks the learner to
// commit first, by moving the widget's own slider or by choosing; the widget's outputs stay hidden
// (the widget root carries data-predicting) until the prediction is locked. Locking saves the
// prediction, then asks the server for the truth of the widget's current state
// (POST /api/predictions/{slug}/{id}), saves it beside the prediction with how far off it was, and
// shows both. Widgets tell their state through root.explorer.predictionState() (or queryState()).
import { ApiError, postJSON } from "../lib/api.js";
import { store } from "../lib/store.js";

const RETRY_BUSY_MS = 2500;    // the tiny-LM comparison runs one at a time; a busy server answers 429
const MAX_BUSY_RETRIES = 24;

const wait = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

// Stored as the truth when the server says the thing asked about never happens for the widget's state
// (its truth is null): a stored null means "not revealed yet" (PROGRESS-SCHEMA).
export const NEVER = "never";

/** How far a slider prediction is from the truth: { off, relative } (null where there is nothing to score). */
export function scoreSlider(value, truth) {
  if (typeof truth !== "number" || !Number.isFinite(value)) return { off: null, relative: null };
  const off = Math.abs(value - truth);
  return { off, relative: truth !== 0 ? off / Math.abs(truth) : null };
}

class PredictionPanel {
  constructor(panel) {
    this.panel = panel;
    this.root = panel.closest("[data-widget]");
    this.def = JSON.parse(panel.querySelector('[data-role="prediction-data"]').textContent);
    this.slug = document.querySelector("article.lesson[data-slug]").dataset.slug;
    this.el = (role) => panel.querySelector(`[data-role="${role}"]`);
    this.button = (action) => panel.querySelector(`[data-action="${action}"]`);
    this.button("lock-prediction").addEventListener("click", () => this.lock());
    this.button("skip-prediction").addEventListener("click", () => this.reveal(null));
    if (this.def.kind === "slider") this.watchSlider();

    const saved = store.lesson(this.slug).predictions[this.def.id];
    if (saved && saved.truth !== undefined && saved.truth !== null) {
      this.showResult(saved.value, saved.truth, null);
    } else if (saved && saved.value !== undefined && saved.value !== null) {
      // Locked on an earlier visit but never revealed (the server could not be reached): reveal it now.
      this.setPredicting(true);
      this.fillValue(saved.value);
      this.setLocked(true);
      this.panel.dataset.state = "locked";
      this.reveal(saved.value);
    } else {
      this.setPredicting(true);
    }
  }

  sliderInputs() {
    const s = this.def.slider;
    return [this.root.querySelector(`[data-role="${s}-slider"]`), this.root.querySelector(`[data-role="${s}-number"]`)];
  }

  watchSlider() {
    const show = () => { this.el("prediction-value").textContent = `${this.def.unit || this.def.slider} = ${this.sliderInputs()[1].value}`; };
    this.sliderInputs().forEach((input) => input.addEventListener("input", show));
    this.sliderInputs()[1].addEventListener("change", show);
    show();
  }

  /** The learner's current prediction: the slider's exact value, or the chosen option's value (null if none). */
  currentValue() {
    if (this.def.kind === "slider") {
      const v = Number(this.sliderInputs()[1].value);
      return Number.isFinite(v) ? v : null;
    }
    const checked = this.panel.querySelector("input[type=radio]:checked");
    return checked ? checked.value : null;
  }

  fillValue(value) {
    if (this.def.kind === "slider") {
      const number = this.sliderInputs()[1];
      number.value = String(value);
      number.dispatchEvent(new Event("change"));
    } else {
      const input = this.panel.querySelector(`input[type=radio][value="${CSS.escape(value)}"]`);
      if (input) input.checked = true;
    }
  }

  setPredicting(on) {
    if (on) this.root.dataset.predicting = "true";
    else delete this.root.dataset.predicting;
    this.root.explorer?.setPredicting?.(on);
  }

  /** While locked (between the lock and the reveal) nothing that decides the answer can move. */
  setLocked(on) {
    const inputs = this.def.kind === "slider" ? this.sliderInputs() : [...this.panel.querySelectorAll("input[type=radio]")];
    [...inputs, this.button("lock-prediction"), this.button("skip-prediction")].forEach((el) => { el.disabled = on; });
  }

  lock() {
    const value = this.currentValue();
    if (value === null) {
      this.el("prediction-status").textContent = "Choose one answer first.";
      return;
    }
    this.setLocked(true);
    this.panel.dataset.state = "locked";
    store.savePrediction(this.slug, this.def.id, { value, truth: null, off: null });
    this.reveal(value);
  }

  widgetState() {
    const explorer = this.root.explorer;
    if (!explorer) throw new Error("This widget has not started, so there is no state to ask about.");
    return explorer.predictionState ? explorer.predictionState() : explorer.queryState();
  }

  /** Ask the server for the truth of the widget's state; `value` null means the learner skipped. */
  async reveal(value) {
    const status = this.el("prediction-status");
    status.textContent = value === null ? "Asking the server…" : "Locked. Asking the server for the answer…";
    this.setLocked(true);
    let answer;
    try {
      answer = await this.askTruth(status);
    } catch (err) {
      status.textContent = `${err.message} Your prediction is kept; reload the page to try again.`;
      if (value === null) this.setLocked(false);
      return;
    }
    const truth = answer.truth ?? NEVER;
    if (value !== null) {
      const { off } = this.def.kind === "slider" ? scoreSlider(value, truth) : { off: null };
      store.savePrediction(this.slug, this.def.id, { value, truth, off });
    }
    status.textContent = "";
    this.showResult(value, truth, answer.summary);
  }

  async askTruth(status) {
    const state = this.widgetState();
    for (let attempt = 0; ; attempt++) {
      try {
        return await postJSON(`/api/predictions/${this.slug}/${this.def.id}`, { state });
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 429 || attempt >= MAX_BUSY_RETRIES) throw err;
        status.textContent = "The server is busy with another run; trying again in a moment…";
        await wait(RETRY_BUSY_MS);
      }
    }
  }

  describe(value) {
    if (this.def.kind === "slider") return `${this.def.unit || this.def.slider} = ${value}`;
    const choice = this.def.choices.find((c) => c.value === value);
    return choice ? `“${choice.text.replace(/[.!]$/, "")}”` : String(value);
  }

  verdict(value, truth) {
    if (value === null) {
      const answer = truth === NEVER ? "it does not happen for this state" : this.describe(this.rounded(truth));
      return `You skipped the prediction. The answer: ${answer}.`;
    }
    if (this.def.kind === "choice") {
      return value === truth ? `You predicted ${this.describe(value)}. Right.`
        : `You predicted ${this.describe(value)}. The answer: ${this.describe(truth)}.`;
    }
    if (truth === NEVER) return `You predicted ${this.describe(value)}. For this state it never happens, so there is nothing to score.`;
    const { off, relative } = scoreSlider(value, truth);
    const offText = Number.isInteger(truth) ? String(off) : off.toFixed(2);
    const rel = relative === null ? "" : ` (${Math.round(100 * relative)}%)`;
    return `You predicted ${this.describe(value)}. The answer: ${this.describe(this.rounded(truth))}. ` +
      `You were off by ${offText}${rel}.`;
  }

  /** A slider truth as the slider shows values: whole numbers as they are, others to two decimals. */
  rounded(truth) {
    return typeof truth === "number" && !Number.isInteger(truth) ? truth.toFixed(2) : truth;
  }

  showResult(value, truth, summary) {
    this.setLocked(true);
    this.button("lock-prediction").hidden = true;
    this.button("skip-prediction").hidden = true;
    this.panel.dataset.state = "revealed";
    if (value !== null && value !== undefined) this.fillValue(value);
    this.el("prediction-verdict").textContent = this.verdict(value ?? null, truth);
    this.el("prediction-summary").textContent = summary || "";
    this.el("prediction-result").hidden = false;
    // The widget is the learner's again: outputs shown, controls free.
    if (this.def.kind === "slider") this.sliderInputs().forEach((el) => { el.disabled = false; });
    this.setPredicting(false);
    const toTruth = this.button("show-truth");
    if (toTruth && typeof truth === "number") {
      toTruth.hidden = false;
      toTruth.addEventListener("click", () => this.fillValue(this.rounded(truth)));
    }
    this.root.dispatchEvent(new CustomEvent("prediction:revealed", { detail: { value, truth } }));
  }
}

for (const panel of document.querySelectorAll('[data-role="prediction"]')) {
  try {
    panel.prediction = new PredictionPanel(panel);
  } catch (err) {
    panel.querySelector('[data-role="prediction-status"]').textContent = `This prediction could not start: ${err.message}`;
  }
}
