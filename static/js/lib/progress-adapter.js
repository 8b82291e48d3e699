// TEMPORARY ADAPTER — delete after merging progress storage v2 (issue #13, static/js/lib/store.js).
//
// The quiz and the predictions (issue #9) are written against store v2's API (PROGRESS-SCHEMA.md):
// store.seed, store.lesson(slug) → { answers (with tries), predictions }, store.saveAnswer,
// store.savePrediction, store.resetLesson, lessonProgress(slug, questionIds). Until v2 is on main this
// file offers that API over the v1 store, keeping the seed, the tries and the predictions under a key
// of its own. Once v2 has landed, `progress` below IS the v2 store: replace imports of this module by
// `import { store as progress, lessonProgress } from "./store.js"` and delete the file.
import * as v1 from "./store.js";

const SHIM_KEY = "brewslm-learn:lessons-v2-shim";
const isV2 = typeof v1.store.savePrediction === "function";

function newSeed() {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

class V2Shim {
  constructor(store) {
    this.store = store;
    this.extra = this.read();
  }

  read() {
    try {
      const data = JSON.parse(localStorage.getItem(SHIM_KEY));
      if (data && /^[0-9a-f]{16}$/.test(data.seed)) return { tries: {}, predictions: {}, ...data };
    } catch { /* a fresh start below */ }
    const fresh = { seed: newSeed(), tries: {}, predictions: {} };
    this.write(fresh);
    return fresh;
  }

  write(data = this.extra) {
    try {
      localStorage.setItem(SHIM_KEY, JSON.stringify(data));
      return true;
    } catch {
      return false;
    }
  }

  get seed() { return this.extra.seed; }

  lesson(slug) {
    const tries = this.extra.tries[slug] || {};
    const answers = {};
    for (const [qid, a] of Object.entries(this.store.lesson(slug).answers)) answers[qid] = { ...a, tries: tries[qid] || 1 };
    return { answers, predictions: { ...(this.extra.predictions[slug] || {}) } };
  }

  saveAnswer(slug, qid, value, correct) {
    this.store.saveAnswer(slug, qid, value, correct);
    const tries = (this.extra.tries[slug] ||= {});
    tries[qid] = (tries[qid] || 0) + 1;
    return this.write();
  }

  savePrediction(slug, pid, { value, truth = null, off = null }) {
    (this.extra.predictions[slug] ||= {})[pid] = { value, truth, off, at: Date.now() };
    return this.write();
  }

  resetLesson(slug) {
    this.store.resetLesson(slug);
    delete this.extra.tries[slug];
    delete this.extra.predictions[slug];
    this.write();
  }
}

export const progress = isV2 ? v1.store : new V2Shim(v1.store);

/** Counts for a lesson's progress bar, over the questions on the page only. */
export function lessonProgress(slug, questionIds) {
  if (isV2) return v1.lessonProgress(slug, questionIds);
  const answers = progress.lesson(slug).answers;
  const mine = questionIds.filter((qid) => answers[qid]).map((qid) => answers[qid]);
  return { answered: mine.length, correct: mine.filter((a) => a.correct).length, total: questionIds.length };
}
