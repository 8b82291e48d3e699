// A text field of comma-separated logits: parsed, bounded like the API (|x| ≤ 10⁴), errors said plainly.
// Each field carries its limits (data-min-count, data-max-count, data-bound), rendered from the widget's
// description (templates/_partials/fields.html, app/widgets/registry.py).

function parseLogits(text, { min, max, bound }) {
  const parts = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (parts.length < min) return { error: min === 1 ? "Enter at least one logit." : `Enter at least ${min} logits.` };
  if (parts.length > max) return { error: `At most ${max} logits here.` };
  const values = parts.map(Number);
  const bad = parts.find((p, i) => !Number.isFinite(values[i]));
  if (bad !== undefined) return { error: `“${bad}” is not a number.` };
  if (values.some((v) => Math.abs(v) > bound)) return { error: `Keep each logit between −${bound} and ${bound}.` };
  return { values };
}

/** A logits <input>'s values ({ values }) or the problem with them ({ error }), within its own limits. */
export function parseLogitsField(input) {
  const d = input.dataset;
  return parseLogits(input.value, { min: Number(d.minCount), max: Number(d.maxCount), bound: Number(d.bound) });
}

/** Parse a logits <input>, mark it invalid or valid, and show the message in its error element. */
export function readLogitsField(input, errorBox) {
  const parsed = parseLogitsField(input);
  errorBox.textContent = parsed.error || "";
  if (parsed.error) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
  return parsed;
}

/**
 * An explorer's student and teacher logits fields (data-roles student, teacher and their -error boxes):
 * both parsed, and of one length. Returns { student, teacher }, or null with the problem shown.
 */
export function readStudentAndTeacher(el) {
  const student = readLogitsField(el("student"), el("student-error"));
  const teacher = readLogitsField(el("teacher"), el("teacher-error"));
  if (student.error || teacher.error) return null;
  if (teacher.values.length !== student.values.length) {
    el("teacher-error").textContent = `Give as many teacher logits as student logits (${student.values.length}).`;
    el("teacher").setAttribute("aria-invalid", "true");
    return null;
  }
  return { student: student.values, teacher: teacher.values };
}
