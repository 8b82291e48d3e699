// The order a learner sees a question's choices in: shuffled once per learner, the same on every visit.
//
// The order follows from the learner's seed (kept with their progress, so it travels with an export),
// the lesson and the question: the same learner sees the same order after a reload or on another
// device they imported into; another learner most likely sees another. Answers are stored by the
// choices' places in the lesson file, never by where they were shown.

/** Four 32-bit words from a string (cyrb128: a fast, well-mixed string hash; not for security). */
function hash128(text) {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** A deterministic generator of numbers in [0, 1) from a string (sfc32 seeded by hash128). */
export function randomFrom(text) {
  let [a, b, c, d] = hash128(text);
  const next = () => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();   // let the state mix before the first number is used
  return next;
}

/** The display order of `n` choices: a permutation of 0..n-1 (Fisher–Yates), fixed by seed, lesson and question. */
export function choiceOrder(seed, slug, qid, n) {
  const random = randomFrom(`${seed}\u0000${slug}\u0000${qid}`);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
