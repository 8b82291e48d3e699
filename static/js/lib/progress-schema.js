// The shape of a learner's saved progress (version 2, docs/PROGRESS.md), the
// migration from version 1, and the check every blob passes before it is used: stored data and imported
// files alike. Nothing here touches storage; store.js does that.

export const VERSION = 2;

const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;             // lesson slugs, question and prediction ids
const SEED = /^[0-9a-f]{16}$/;
const MAX_ID = 80;
const MAX_CHOICES = 64;
const MAX_TIME = 4_102_444_800_000;                  // 2100-01-01: a later time is a broken clock or a made-up file
const MAX_TRIES = 1_000_000;
const MAX_WORD = 40;                                 // a prediction like "up" or "down"
const MAX_SECTION = 200;

export const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
/** A map keyed by strings that came from outside: no prototype, so "constructor" or "__proto__" is just a key. */
export const table = () => Object.create(null);
export const has = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);
export const isId = (s) => typeof s === "string" && s.length <= MAX_ID && ID.test(s);
const isTime = (t) => Number.isSafeInteger(t) && t >= 0 && t <= MAX_TIME;
const isWord = (s) => typeof s === "string" && s.length >= 1 && s.length <= MAX_WORD && ID.test(s);
const isSection = (s) => typeof s === "string" && s.length >= 1 && s.length <= MAX_SECTION && !/[\u0000-\u001f]/.test(s);
const isFiniteNumber = (v) => typeof v === "number" && Number.isFinite(v);

/** 16 random hex characters: the learner's seed for the order of quiz choices. */
export function newSeed() {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function emptyProgress(seed = newSeed()) {
  return { version: VERSION, seed, lessons: table(), retired: table() };
}

export function emptyLesson() {
  return { answers: table(), predictions: table() };
}

// Each check returns null when the thing is sound, or a reason a learner can read.
export function answerProblem(a) {
  if (!isObject(a)) return "not an answer";
  const v = a.value;
  const isChoices = Array.isArray(v) && v.length <= MAX_CHOICES && new Set(v).size === v.length
    && v.every((i) => Number.isInteger(i) && i >= 0 && i < MAX_CHOICES);
  if (!isChoices && !isFiniteNumber(v)) return "its value is neither a list of choices nor a number";
  if (typeof a.correct !== "boolean") return "it does not say whether it was correct";
  if (!isTime(a.at)) return "its time is missing or impossible";
  if (!Number.isSafeInteger(a.tries) || a.tries < 1 || a.tries > MAX_TRIES) return "its number of tries is not a count";
  return null;
}

export function predictionProblem(p) {
  if (!isObject(p)) return "not a prediction";
  if (!isFiniteNumber(p.value) && !isWord(p.value)) return "its value is neither a number nor a word";
  if (p.truth !== null && !isFiniteNumber(p.truth) && !isWord(p.truth)) return "its revealed answer is not readable";
  if (p.off !== null && !(isFiniteNumber(p.off) && p.off >= 0)) return "its distance from the answer is not a number";
  if (!isTime(p.at)) return "its time is missing or impossible";
  return null;
}

const placeProblem = (r) => (isObject(r) && isTime(r.at) && isSection(r.section) ? null : "not a place in a lesson");

const copyAnswer = (a) => ({ value: Array.isArray(a.value) ? [...a.value] : a.value, correct: a.correct, at: a.at, tries: a.tries });
const copyPrediction = (p) => ({ value: p.value, truth: p.truth, off: p.off, at: p.at });

/**
 * Check a version-2 blob and keep what is sound. Returns { data, dropped }: `dropped` lists what was
 * left out and why ({ where, why }), so a page can say it. `data` is always a complete, valid blob.
 */
export function sanitize(raw) {
  const dropped = [];
  const drop = (where, why) => dropped.push({ where, why });
  const data = emptyProgress(isObject(raw) && typeof raw.seed === "string" && SEED.test(raw.seed) ? raw.seed : undefined);
  if (!isObject(raw)) {
    drop("the file", "it is not progress saved by BrewSLM Learn");
    return { data, dropped };
  }
  if (raw.seed !== undefined && data.seed !== raw.seed) drop("the choice-order seed", "it is not 16 hex digits; a new one was made");
  const lessons = isObject(raw.lessons) ? raw.lessons : (drop("lessons", "not a list of lessons"), {});
  for (const [slug, lesson] of Object.entries(lessons)) {
    if (!isId(slug)) { drop(`lesson “${slug.slice(0, MAX_ID)}”`, "not a lesson name"); continue; }
    if (!isObject(lesson)) { drop(`lesson ${slug}`, "not a lesson's progress"); continue; }
    const clean = emptyLesson();
    for (const [kind, check, copy] of [["answers", answerProblem, copyAnswer], ["predictions", predictionProblem, copyPrediction]]) {
      const entries = lesson[kind] === undefined ? {} : lesson[kind];
      if (!isObject(entries)) { drop(`${slug}: ${kind}`, `not a list of ${kind}`); continue; }
      for (const [id, entry] of Object.entries(entries)) {
        const why = isId(id) ? check(entry) : "not a question name";
        if (why) drop(`${slug}: ${kind === "answers" ? "answer" : "prediction"} ${id.slice(0, MAX_ID)}`, why);
        else clean[kind][id] = copy(entry);
      }
    }
    if (lesson.read !== undefined) {
      const why = placeProblem(lesson.read);
      if (why) drop(`${slug}: reading place`, why);
      else clean.read = { at: lesson.read.at, section: lesson.read.section };
    }
    data.lessons[slug] = clean;
  }
  if (raw.retired !== undefined) {
    if (!isObject(raw.retired)) drop("retired answers", "not a list of lessons");
    else {
      for (const [slug, answers] of Object.entries(raw.retired)) {
        if (!isId(slug) || !isObject(answers)) { drop(`retired answers of ${slug.slice(0, MAX_ID)}`, "not a lesson's answers"); continue; }
        for (const [qid, answer] of Object.entries(answers)) {
          const why = isId(qid) ? answerProblem(answer) : "not a question name";
          if (why) drop(`retired answer ${slug}: ${qid.slice(0, MAX_ID)}`, why);
          else (data.retired[slug] ??= table())[qid] = copyAnswer(answer);
        }
      }
    }
  }
  if (raw.last !== undefined) {
    if (placeProblem(raw.last) || !isId(raw.last.slug)) drop("the last place visited", "not a place in a lesson");
    else data.last = { slug: raw.last.slug, section: raw.last.section, at: raw.last.at };
  }
  return { data, dropped };
}

/**
 * Version 1 ({version: 1, lessons: {slug: {answers: {qid: {value, correct}}}}}) to version 2. V1 kept
 * no times: each answer gets at = 0 ("time unknown"), which any dated answer beats in a merge, and tries = 1.
 */
export function migrateV1(raw) {
  const lessons = {};
  if (isObject(raw) && isObject(raw.lessons)) {
    for (const [slug, lesson] of Object.entries(raw.lessons)) {
      const answers = {};
      if (isObject(lesson) && isObject(lesson.answers)) {
        for (const [qid, a] of Object.entries(lesson.answers)) answers[qid] = isObject(a) ? { ...a, at: 0, tries: 1 } : a;
      }
      lessons[slug] = isObject(lesson) ? { answers } : lesson;
    }
  }
  return { version: VERSION, lessons };
}

/**
 * Any blob (stored or imported) to a version-2 blob. Returns { data, dropped, newer }: `newer` is the
 * version number when the blob comes from a later BrewSLM Learn than this one (then data is empty).
 */
export function readProgress(raw) {
  if (isObject(raw) && Number.isInteger(raw.version) && raw.version > VERSION) {
    return { data: emptyProgress(), dropped: [], newer: raw.version };
  }
  if (isObject(raw) && raw.version === 1) return { ...sanitize(migrateV1(raw)), newer: null };
  if (isObject(raw) && raw.version === VERSION) return { ...sanitize(raw), newer: null };
  const why = isObject(raw) && raw.version !== undefined ? `its version (${String(raw.version).slice(0, 20)}) is not one this app knows`
    : "it is not progress saved by BrewSLM Learn";
  return { data: emptyProgress(), dropped: [{ where: "the file", why }], newer: null };
}

/** Every answer and prediction in a blob, counted. */
export function countEntries(data) {
  let answers = 0; let predictions = 0; let retired = 0;
  for (const lesson of Object.values(data.lessons)) {
    answers += Object.keys(lesson.answers).length;
    predictions += Object.keys(lesson.predictions).length;
  }
  for (const answersOf of Object.values(data.retired)) retired += Object.keys(answersOf).length;
  return { answers, predictions, retired };
}

/** A deep copy, keeping the prototype-free tables. */
export function cloneProgress(data) {
  return sanitize(JSON.parse(JSON.stringify(data))).data;
}
