// What a quiz question says back, so that it teaches without handing out the answer.
//
// - Right: "Correct.", every choice's explanation and the working.
// - Wrong, first try: only what was picked is explained (or, for a number, which way it is off), and
//   a multi-choice answer whose picks are all true is told that more statements are true.
// - Wrong twice, or "Show me": every choice's explanation and the working.
// Values use the lesson's own choice indices, never the shuffled display positions.

/** Is `value` right for `q`? value: chosen indices (single, multi) or a number (numeric). */
export function isCorrect(q, value) {
  // A hair of slack: 2.61 − 2.59 is 0.0200000000000002 in floating point, and must count as within 0.02.
  if (q.type === "numeric") return Number.isFinite(value) && Math.abs(value - q.answer) <= q.tolerance * (1 + 1e-9);
  const wanted = q.choices.map((c, i) => (c.correct ? i : -1)).filter((i) => i >= 0);
  return value.length === wanted.length && wanted.every((i) => value.includes(i));
}

/** Does a stored value still fit the question (the lesson may have changed since it was saved)? */
export function fitsQuestion(q, value) {
  if (q.type === "numeric") return typeof value === "number" && Number.isFinite(value);
  return Array.isArray(value) && value.length > 0 && value.every((i) => Number.isInteger(i) && i >= 0 && i < q.choices.length)
    && (q.type === "multi" || value.length === 1);
}

function formatAnswer(q) {
  const unit = q.unit ? (q.unit === "%" ? "%" : ` ${q.unit}`) : "";
  return `${q.answer}${unit} (within ${q.tolerance}${unit})`;
}

function noteFor(q, i) {
  const right = q.choices[i].correct;
  const label = q.type === "multi" ? (right ? "True" : "Not true") : (right ? "The answer" : "Not this one");
  return { index: i, right, text: `${label}: ${q.choices[i].explain}` };
}

/**
 * The feedback for `value` (null: nothing answered yet, only "Show me") after `tries` submissions.
 * → { verdict: "correct" | "partial" | "wrong" | "shown", message, notes: [{ index, right, text }], working }
 * ("partial": a multi-choice answer whose picks are all true, with more to find)
 */
export function feedbackFor(q, value, { tries = 1, shown = false } = {}) {
  const answered = value !== null && value !== undefined;
  const correct = answered && isCorrect(q, value);
  const reveal = correct || shown || tries >= 2;
  const allNotes = q.type === "numeric" ? [] : q.choices.map((_, i) => noteFor(q, i));
  const working = reveal ? (q.explain || null) : null;
  if (correct) return { verdict: "correct", message: "Correct.", notes: allNotes, working };
  if (reveal) {
    const message = q.type === "numeric"
      ? `${answered ? "Not quite. " : ""}The answer is ${formatAnswer(q)}.`
      : `${answered ? "Not quite. " : ""}Every choice is explained below.`;
    return { verdict: answered ? "wrong" : "shown", message, notes: allNotes, working };
  }
  if (q.type === "numeric") {
    const way = value > q.answer ? "too high" : "too low";
    return { verdict: "wrong", message: `Not quite: ${value} is ${way}. Try again, or press “Show me”.`, notes: [], working: null };
  }
  const notes = value.map((i) => noteFor(q, i));
  if (q.type === "multi" && notes.every((n) => n.right)) {
    // Not wrong, only incomplete: no red "Not quite" beside picks that are all true.
    return { verdict: "partial", message: "Everything you picked is true, but more statements are true. Try again.",
             notes, working: null };
  }
  const message = q.type === "single"
    ? "Not quite: the note under your choice says why. Try again, or press “Show me”."
    : "Not quite: not everything you picked is true; the notes under your picks say why. Try again.";
  return { verdict: "wrong", message, notes, working: null };
}
