// Reading a number a learner typed as a quiz answer: the formats people write, and a reason for any refused.

const SPACES = /[\s\u00a0\u2009\u202f]/g;
const PLAIN = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * "3.31", "3,31", " 3.310 ", "−3.31", "3.31e0", "91.1 %" → { value, percent } where `percent` says a "%"
 * was typed; anything else → { error } saying why it was refused. "1,234" is refused as ambiguous
 * (1.234 or 1234?), and so is a number that mixes a comma and a point.
 */
export function parseTypedNumber(text) {
  const raw = String(text);
  let t = raw.replace(SPACES, "").replace(/^[\u2212\u2013]/, "-");
  if (t === "") return { error: "Type a number first." };
  const percent = t.endsWith("%");
  if (percent) t = t.slice(0, -1);
  const commas = (t.match(/,/g) || []).length;
  if (commas && t.includes(".")) {
    return { error: `“${raw.trim()}” has both a comma and a point: write it with one decimal mark, like 3.31 or 3,31.` };
  }
  if (commas > 1) return { error: `“${raw.trim()}” has more than one comma: write it with one decimal mark, like 3,31.` };
  if (commas === 1) {
    const [whole, fraction] = t.split(",");
    if (/^[+-]?[1-9]\d{0,2}$/.test(whole) && /^\d{3}$/.test(fraction)) {
      return { error: `“${raw.trim()}” could mean ${whole}.${fraction} or ${whole}${fraction}: write it with a decimal point.` };
    }
    t = `${whole}.${fraction}`;
  }
  if (!PLAIN.test(t)) return { error: `“${raw.trim()}” is not a number: type digits with one decimal mark, like 3.31.` };
  const value = Number(t);
  if (!Number.isFinite(value)) return { error: `“${raw.trim()}” is too large to be an answer here.` };
  return { value, percent };
}

/**
 * A typed answer for a numeric question: { value } on the question's own scale, or { error }.
 * A question with unit "%" takes "91.1" or "91.1%"; one whose answer is a fraction (no unit, answer in
 * [0, 1]) takes "0.95" or "95%". A number on the wrong scale is refused with the reason, not marked wrong.
 */
export function readNumericAnswer(q, text) {
  const parsed = parseTypedNumber(text);
  if (parsed.error) return parsed;
  const inPercent = q.unit === "%";
  const isFraction = !q.unit && q.answer >= 0 && q.answer <= 1;
  let { value } = parsed;
  if (parsed.percent) {
    if (isFraction) value /= 100;
    else if (!inPercent) return { error: "This answer is not a percentage: type the number itself." };
  }
  if (isFraction && !parsed.percent && value > 1 && value <= 100) {
    return { error: "This answer is a fraction between 0 and 1 (40% is 0.40): type it as a fraction, or add %." };
  }
  if (inPercent && q.answer > 1 && value > 0 && value < 1) {
    return { error: "This answer is in percent (0.4 is 40%): type it as a percentage." };
  }
  return { value };
}
