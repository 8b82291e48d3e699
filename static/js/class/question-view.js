// A class question as the projector and the learners see it: its prompt, the room's answers as a
// histogram (counts only, never who), and after the reveal the server's answer.

/** A parameter's value as people read it, at the rounding its slider uses. */
export function formatValue(value, limits) {
  return limits ? value.toFixed(limits.decimals) : String(value);
}

/** Where `value` sits across [low, high] on the parameter's scale, 0..1 (the histogram's x axis). */
function across(value, low, high, scale) {
  const f = scale === "log" ? Math.log(value / low) / Math.log(high / low) : (value - low) / (high - low);
  return Math.min(1, Math.max(0, f));
}

function binLabel(question, i) {
  if (question.kind === "choice") return question.options[i];
  const [a, b] = [question.edges[i], question.edges[i + 1]];
  if (question.limits.integer && b - a === 1) return String(a + 0.5);
  return `${formatValue(a, question.limits)} to ${formatValue(b, question.limits)}`;
}

const TICKS = 5;   // labelled positions along a value question's axis

/** Labels under the bars: each option of a choice; a few values along a value question's axis. */
function axis(question) {
  const row = document.createElement("div");
  row.className = "histogram-axis";
  row.setAttribute("aria-hidden", "true");
  const edges = question.edges;
  const ticks = question.kind === "choice" ? question.options.map((text, i) => [text, (i + 0.5) / question.options.length])
    : Array.from({ length: TICKS }, (_, k) => {
      const i = Math.round((k * (edges.length - 1)) / (TICKS - 1));
      const integer = question.limits.integer && edges[1] - edges[0] === 1;
      // One bin per whole number: label a bin's middle, not its edge.
      const at = integer ? Math.min(i, edges.length - 2) : i;
      const value = integer ? edges[at] + 0.5 : edges[at];
      return [formatValue(value, question.limits), (integer ? at + 0.5 : at) / (edges.length - 1)];
    });
  for (const [text, f] of ticks) {
    const tick = document.createElement("span");
    tick.className = "histogram-tick";
    tick.textContent = text;
    tick.style.setProperty("left", `${100 * f}%`);
    row.append(tick);
  }
  return row;
}

/** The answer in words: "T = 3.31" or "falls". */
export function answerText(question, answer) {
  if (question.kind === "choice") return `“${question.options[answer]}”`;
  return `${question.param} = ${formatValue(answer, question.limits)}`;
}

/**
 * Draw the histogram of `counts` into `box` (bars, count labels, a table for screen readers). After the
 * reveal, `marks` may place the true answer and the learner's own answer on it.
 */
export function drawHistogram(box, question, counts, marks = {}) {
  const total = counts.reduce((a, b) => a + b, 0);
  const top = Math.max(1, ...counts);
  const chart = document.createElement("div");
  chart.className = `histogram histogram-${question.kind}`;
  chart.setAttribute("role", "img");
  const busiest = counts.indexOf(Math.max(...counts));
  chart.setAttribute("aria-label", total ? `${total} answers; the most (${counts[busiest]}) in ${binLabel(question, busiest)}.`
    : "No answers yet.");
  counts.forEach((count, i) => {
    const bin = document.createElement("div");
    bin.className = "histogram-bin";
    bin.dataset.count = String(count);
    const bar = document.createElement("div");
    bar.className = "histogram-bar";
    bar.style.setProperty("height", `${(100 * count) / top}%`);
    bin.title = `${binLabel(question, i)}: ${count}`;
    const n = document.createElement("span");
    n.className = "histogram-count";
    n.textContent = count ? String(count) : "";
    bin.append(n, bar);
    chart.append(bin);
  });
  for (const [name, value] of Object.entries(marks)) {
    if (value === null || value === undefined) continue;
    const mark = document.createElement("div");
    mark.className = `histogram-mark histogram-mark-${name}`;
    const f = question.kind === "choice" ? (value + 0.5) / question.options.length
      : across(value, question.edges[0], question.edges[question.edges.length - 1], question.limits.scale);
    mark.style.setProperty("left", `${100 * f}%`);
    mark.dataset.value = String(value);
    chart.append(mark);
  }
  const caption = document.createElement("p");
  caption.className = "histogram-total";
  caption.dataset.role = "histogram-total";
  caption.textContent = total === 1 ? "1 answer" : `${total} answers`;
  box.replaceChildren(chart, axis(question), caption);
}

/** How far a learner's answer is from the server's, in words meant only for that learner. */
export function distanceText(question, mine, answer) {
  if (mine === null || mine === undefined) return `You did not answer. The answer is ${answerText(question, answer)}.`;
  if (question.kind === "choice") {
    return mine === answer ? `You chose ${answerText(question, mine)}: right.`
      : `You chose ${answerText(question, mine)}; the answer is ${answerText(question, answer)}.`;
  }
  const { limits } = question;
  const gap = mine - answer;
  const size = formatValue(Math.abs(gap), limits);
  if (Number(size) === 0) return `You said ${formatValue(mine, limits)}: spot on.`;
  let text = `You said ${formatValue(mine, limits)}: ${size} too ${gap > 0 ? "high" : "low"}`;
  if (limits.scale === "log" && mine > 0) {
    const ratio = Math.max(mine / answer, answer / mine);
    text += ` (off by a factor of ${ratio.toFixed(2)})`;
  }
  return `${text}.`;
}
