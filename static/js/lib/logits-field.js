// A text field of comma-separated logits: parsed, bounded like the API (|x| ≤ 10⁴), errors said plainly.

export function parseLogits(text, { min = 1, max = 64 } = {}) {
  const parts = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (parts.length < min) return { error: min === 1 ? "Enter at least one logit." : `Enter at least ${min} logits.` };
  if (parts.length > max) return { error: `At most ${max} logits here.` };
  const values = parts.map(Number);
  const bad = parts.find((p, i) => !Number.isFinite(values[i]));
  if (bad !== undefined) return { error: `“${bad}” is not a number.` };
  if (values.some((v) => Math.abs(v) > 1e4)) return { error: "Keep each logit between −10000 and 10000." };
  return { values };
}

/** Parse a logits <input>, mark it invalid or valid, and show the message in its error element. */
export function readLogitsField(input, errorBox, limits) {
  const parsed = parseLogits(input.value, limits);
  errorBox.textContent = parsed.error || "";
  if (parsed.error) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
  return parsed;
}

/**
 * An explorer's student and teacher logits fields (data-roles student, teacher and their -error boxes):
 * both parsed, and of one length. Returns { student, teacher }, or null with the problem shown.
 */
export function readStudentAndTeacher(el, limits = { min: 2, max: 32 }) {
  const student = readLogitsField(el("student"), el("student-error"), limits);
  const teacher = readLogitsField(el("teacher"), el("teacher-error"), limits);
  if (student.error || teacher.error) return null;
  if (teacher.values.length !== student.values.length) {
    el("teacher-error").textContent = `Give as many teacher logits as student logits (${student.values.length}).`;
    el("teacher").setAttribute("aria-invalid", "true");
    return null;
  }
  return { student: student.values, teacher: teacher.values };
}
