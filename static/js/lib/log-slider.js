// A range input on a log scale, kept in step with a number field. The range runs 0..1000 in integer
// steps so arrow keys move in even ratios; the number field takes any exact value within bounds.
// data-scale="linear" makes the same control even-stepped (alpha, lengths); data-decimals sets the rounding.
// The limits, scale, rounding and default are what the server rendered from the widget's description
// (templates/_partials/fields.html, app/widgets/registry.py): this file keeps no copy of them.

export class LogSlider {
  constructor(range, number, { value, onChange, label = "" }) {
    this.range = range;
    this.number = number;
    this.min = Number(number.min);
    this.max = Number(number.max);
    this.scale = range.dataset.scale === "linear" ? "linear" : "log";
    this.decimals = Number(range.dataset.decimals || 2);
    this.defaultValue = range.dataset.default === undefined ? this.min : Number(range.dataset.default);
    this.onChange = onChange;
    this.format = (v) => v.toFixed(this.decimals);
    this.label = label;
    this.steps = Number(range.max) || 1000;
    range.addEventListener("input", () => this.set(this.fromPosition(Number(range.value)), "range"));
    number.addEventListener("change", () => this.fromNumberField());
    number.addEventListener("keydown", (e) => { if (e.key === "Enter") this.fromNumberField(); });
    this.set(value === undefined ? this.defaultValue : value, "init");
  }

  toPosition(v) {
    if (this.scale === "linear") return Math.round(((v - this.min) / (this.max - this.min)) * this.steps);
    const t = (Math.log(v) - Math.log(this.min)) / (Math.log(this.max) - Math.log(this.min));
    return Math.round(t * this.steps);
  }

  fromPosition(pos) {
    const t = pos / this.steps;
    if (this.scale === "linear") return this.min + t * (this.max - this.min);
    return Math.exp(Math.log(this.min) + t * (Math.log(this.max) - Math.log(this.min)));
  }

  fromNumberField() {
    const v = Number(this.number.value);
    if (!Number.isFinite(v) || v < this.min || v > this.max) {
      this.number.setAttribute("aria-invalid", "true");
      this.number.value = this.format(this.value);
      return;
    }
    this.number.removeAttribute("aria-invalid");
    // Enter fires both keydown and change: the second sees its own value and asks the server nothing.
    if (Number(v.toFixed(this.decimals)) === this.value) {
      this.number.value = this.format(this.value);
      return;
    }
    this.set(v, "number");
  }

  set(v, source = "api") {
    const clamped = Math.min(this.max, Math.max(this.min, v));
    // Two decimals is what people read and type; the slider keeps the same value the chart shows.
    this.value = Number(clamped.toFixed(this.decimals));
    if (source !== "range") this.range.value = String(this.toPosition(this.value));
    if (source !== "number") this.number.value = this.format(this.value);
    this.range.setAttribute("aria-valuetext", `${this.label}${this.format(this.value)}`);
    if (source !== "init") this.onChange(this.value);
  }

  /** Move by `positions` slider steps (the demo keys use it), staying within bounds. */
  nudge(positions) {
    const pos = Math.min(this.steps, Math.max(0, this.toPosition(this.value) + positions));
    this.set(this.fromPosition(pos), "nudge");
  }
}
