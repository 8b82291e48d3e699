// A learner's answers and progress, kept only in this browser's localStorage under one versioned key.
// Whatever is stored is checked on read: anything malformed is set aside, never allowed to break a page.

export const STORAGE_KEY = "brewslm-learn:progress:v1";
export const BACKUP_KEY = "brewslm-learn:progress:v1:unreadable";
const VERSION = 1;

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function validAnswer(a) {
  if (!isObject(a) || typeof a.correct !== "boolean") return false;
  const v = a.value;
  const isChoiceList = Array.isArray(v) && v.length <= 64 && v.every((i) => Number.isInteger(i) && i >= 0 && i < 64);
  return isChoiceList || (typeof v === "number" && Number.isFinite(v));
}

/** Keep what is well formed; report whether anything had to be dropped. */
export function sanitize(raw) {
  const clean = { version: VERSION, lessons: {} };
  if (!isObject(raw) || raw.version !== VERSION || !isObject(raw.lessons)) return { data: clean, dropped: true };
  let dropped = false;
  for (const [slug, lesson] of Object.entries(raw.lessons)) {
    if (!/^[a-z0-9-]{1,80}$/.test(slug) || !isObject(lesson) || !isObject(lesson.answers)) { dropped = true; continue; }
    const answers = {};
    for (const [qid, answer] of Object.entries(lesson.answers)) {
      if (/^[a-z0-9-]{1,80}$/.test(qid) && validAnswer(answer)) answers[qid] = { value: answer.value, correct: answer.correct };
      else dropped = true;
    }
    clean.lessons[slug] = { answers };
  }
  return { data: clean, dropped };
}

class ProgressStore {
  constructor(storage) {
    this.storage = storage;
    this.problem = null;     // a sentence for the learner when something could not be read or saved
    this.data = this.read();
  }

  read() {
    let text = null;
    try {
      text = this.storage ? this.storage.getItem(STORAGE_KEY) : null;
    } catch {
      this.problem = "This browser blocks local storage, so answers will last only until you leave the page.";
      return sanitize(null).data;
    }
    if (text === null) return sanitize(null).data;
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const { data, dropped } = sanitize(parsed);
    if (dropped) {
      this.problem = "Some saved progress in this browser could not be read. It was set aside, and the rest was kept.";
      try {
        this.storage.setItem(BACKUP_KEY, text);
      } catch { /* nothing more to save it to */ }
      this.write(data);
    }
    return data;
  }

  write(data = this.data) {
    try {
      this.storage.setItem(STORAGE_KEY, JSON.stringify(data));
    } catch {
      this.problem = "Your answers could not be saved in this browser (storage is full or blocked).";
    }
  }

  lesson(slug) {
    return this.data.lessons[slug] || { answers: {} };
  }

  saveAnswer(slug, qid, value, correct) {
    const lesson = this.data.lessons[slug] || { answers: {} };
    lesson.answers[qid] = { value, correct };
    this.data.lessons[slug] = lesson;
    this.write();
  }

  resetLesson(slug) {
    delete this.data.lessons[slug];
    this.write();
  }

  exportJSON() {
    return JSON.stringify({ ...this.data, exportedAt: new Date().toISOString() }, null, 2);
  }

  /** Merge a previously exported file; answers in the file win. Returns how many answers were loaded. */
  importJSON(text) {
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error("That file is not JSON. Choose a file saved with “Export progress”.");
    }
    const { data, dropped } = sanitize(parsed);
    if (dropped && Object.keys(data.lessons).length === 0) {
      throw new Error("That file does not hold BrewSLM Learn progress.");
    }
    let count = 0;
    for (const [slug, lesson] of Object.entries(data.lessons)) {
      const mine = this.data.lessons[slug] || { answers: {} };
      Object.assign(mine.answers, lesson.answers);
      this.data.lessons[slug] = mine;
      count += Object.keys(lesson.answers).length;
    }
    this.write();
    return count;
  }
}

function browserStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export const store = new ProgressStore(browserStorage());

/** Counts for a lesson's progress bar: answered, correct, total. */
export function lessonProgress(slug, total) {
  const answers = Object.values(store.lesson(slug).answers);
  return { answered: answers.length, correct: answers.filter((a) => a.correct).length, total };
}
