// A learner's progress, kept only in this browser (localStorage, one versioned key; see
// docs/PROGRESS.md). What is stored is checked on every read; a write that fails is
// reported when it fails, and the page keeps working from memory. API used by the lessons:
//   store.seed, store.lesson(slug), store.saveAnswer(...), store.savePrediction(...), store.resetLesson(slug),
//   store.undo(), lessonProgress(slug, questionIds).
import { changedSince, mergeProgress, reconcile } from "./progress-merge.js";
import {
  answerProblem, cloneProgress, countEntries, emptyLesson, emptyProgress, isId, isObject, predictionProblem, readProgress, table,
} from "./progress-schema.js";
import { addBackup, browserStorage, listBackups, readItem, removeItem, writeItem } from "./progress-storage.js";
import { describeDropped, importPreview } from "./progress-import.js";

export const STORAGE_KEY = "brewslm-learn:progress";
export const V1_KEY = "brewslm-learn:progress:v1";
export const V1_BACKUP_KEY = "brewslm-learn:progress:v1:unreadable";
export const UNDO_KEY = "brewslm-learn:undo";
const MAX_UNDO = 5;

const MESSAGES = {
  blocked: "This browser does not let the site keep data (storage is blocked, or this is a private window), "
    + "so your answers last only while this page is open.",
  full: "Not saved: this browser's storage for the site is full. What you just did stays on this page until you "
    + "leave it; free some space (or export your progress) to keep it.",
  failed: "Not saved: this browser refused to store your progress. What you just did stays on this page until you leave it.",
  newer: "The progress in this browser was saved by a newer BrewSLM Learn. This version leaves it untouched, "
    + "so answers you give here last only while this page is open.",
};

export class ProgressStore {
  /**
   * storage: a Storage or null (blocked); session: where undo lives for the rest of the visit;
   * catalogue: { slug: [question ids] } of the published lessons, or null when the page does not know it.
   */
  constructor({ storage, session = null, catalogue = null, now = () => Date.now() }) {
    this.storage = storage;
    this.session = session;
    this.catalogue = catalogue;
    this.now = now;
    this.lastStamp = 0;
    this.persistent = Boolean(storage);   // false: memory only for this page (blocked, or a newer version's data)
    this.problem = null;                  // the latest problem, for pages that look after loading
    this.reported = new Set();            // each message once until a write succeeds again
    this.problemListeners = [];
    this.changeListeners = [];
    this.stepListeners = [];
    this.undoStack = this.readUndo();
    this.data = this.load();
  }

  // --- problems and changes, for the page to show ---------------------------------------------------------

  /** fn(message, kind) for every problem from now on, and at once for one already found while loading. */
  onProblem(fn) {
    this.problemListeners.push(fn);
    if (this.problem) fn(this.problem.message, this.problem.kind);
  }

  /** fn() whenever the progress changes under the page (another tab, an undo, an import). */
  onChange(fn) {
    this.changeListeners.push(fn);
  }

  /** fn({ label, message, saved }) after every undoable step (a reset, an import), so the page can offer "Undo". */
  onStep(fn) {
    this.stepListeners.push(fn);
  }

  report(message, kind = "warning") {
    if (this.reported.has(message)) return;
    this.reported.add(message);
    this.problem = { message, kind };
    for (const fn of this.problemListeners) fn(message, kind);
  }

  changed() {
    for (const fn of this.changeListeners) fn();
  }

  // --- reading -----------------------------------------------------------------------------------------

  load() {
    if (!this.storage) {
      this.report(MESSAGES.blocked);
      return emptyProgress();
    }
    const current = readItem(this.storage, STORAGE_KEY);
    if (!current.ok) {
      this.persistent = false;
      this.report(MESSAGES.blocked);
      return emptyProgress();
    }
    let text = current.text;
    let fromV1 = false;
    if (text === null) {
      text = readItem(this.storage, V1_KEY).text ?? null;
      fromV1 = text !== null;
    }
    if (text === null) return this.settle(emptyProgress(), { fresh: true, quiet: true });

    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const { data, dropped, newer } = readProgress(parsed);
    if (newer) {
      this.persistent = false;       // never overwrite what a newer version wrote
      this.report(MESSAGES.newer);
      return data;
    }
    if (fromV1) this.keepV1Backups(text);
    if (dropped.length) {
      addBackup(this.storage, `Unreadable progress set aside on ${new Date(this.now()).toLocaleString()}`, text, this.now());
      this.report(`Some saved progress in this browser could not be read (${describeDropped(dropped)}). `
        + "A copy of it was kept (see “Your progress” on the overview); the rest is here.");
    }
    return this.settle(data, { fresh: fromV1 || JSON.stringify(data) !== text });
  }

  /** Version 1's text and its old single backup go to the backups; the v1 key goes once v2 is written. */
  keepV1Backups(text) {
    const at = this.now();   // read once: v1's own older backup must sort just below, even if a millisecond passes
    addBackup(this.storage, "Progress as version 1 of the app saved it, before the upgrade to version 2", text, at);
    const old = readItem(this.storage, V1_BACKUP_KEY).text;
    if (old) {
      addBackup(this.storage, "Unreadable progress set aside by version 1 of the app", old, at - 1);
      removeItem(this.storage, V1_BACKUP_KEY);
    }
  }

  /** Set retired answers aside and write when anything changed (a migration, a repair, a new seed). */
  settle(data, { fresh, quiet = false }) {
    let next = data;
    let moved = 0;
    if (this.catalogue) ({ data: next, moved } = reconcile(data, this.catalogue));
    // A first visit's blank progress is written quietly (its seed must last); a failure shows on the first answer.
    if ((fresh || moved) && this.write(next, { quiet }).ok) removeItem(this.storage, V1_KEY);
    return next;
  }

  /** Another tab saved progress: use it, so this tab's next write does not undo that one. */
  reloadFromStorage() {
    if (!this.persistent) return;
    const current = readItem(this.storage, STORAGE_KEY);
    if (!current.ok || current.text === null) return;
    try {
      const { data, dropped, newer } = readProgress(JSON.parse(current.text));
      if (newer || dropped.length) return;      // the tab that wrote it will have said what was wrong
      this.data = this.catalogue ? reconcile(data, this.catalogue).data : data;
      this.changed();
    } catch { /* half-written by the other tab; its next write brings the event again */ }
  }

  // --- writing ---------------------------------------------------------------------------------------------

  write(data = this.data, { quiet = false } = {}) {
    if (!this.persistent) return { ok: false, kind: "memory" };
    const result = writeItem(this.storage, STORAGE_KEY, JSON.stringify(data));
    if (result.ok) this.reported.clear();
    else if (!quiet) this.report(result.kind === "full" ? MESSAGES.full : MESSAGES.failed, "error");
    return result;
  }

  /** Change `this.data` with fn(data) and write it; the change stays in memory even when the write fails. */
  commit(change, { quiet = false } = {}) {
    change(this.data);
    return this.write(this.data, { quiet }).ok;
  }

  /** The time of a change: now, but always after the previous change of this page (so undo knows what came later). */
  stamp() {
    this.lastStamp = Math.max(this.now(), this.lastStamp + 1);
    return this.lastStamp;
  }

  get seed() {
    return this.data.seed;
  }

  /** Where the learner was last ({ slug, section, at }), or null. */
  get last() {
    return this.data.last ? { ...this.data.last } : null;
  }

  /** How many answers, predictions and set-aside answers this browser holds. */
  counts() {
    return countEntries(this.data);
  }

  /** A copy of one lesson's progress: { answers, predictions, read? }, all keys present. */
  lesson(slug) {
    const lesson = this.data.lessons[slug];
    return lesson ? JSON.parse(JSON.stringify(lesson)) : { answers: {}, predictions: {} };
  }

  entry(data, slug) {
    if (!isId(slug)) throw new TypeError(`not a lesson slug: ${String(slug)}`);
    return data.lessons[slug] ?? (data.lessons[slug] = emptyLesson());
  }

  /** Record an answer (canonical choice indices, or a number). Returns true when saved in this browser. */
  saveAnswer(slug, qid, value, correct) {
    const previous = this.data.lessons[slug]?.answers[qid];
    const answer = { value: Array.isArray(value) ? [...value] : value, correct, at: this.stamp(), tries: (previous?.tries ?? 0) + 1 };
    const why = isId(qid) ? answerProblem(answer) : "not a question id";
    if (why) throw new TypeError(`saveAnswer(${slug}, ${qid}): ${why}`);
    return this.commit((data) => { this.entry(data, slug).answers[qid] = answer; });
  }

  /** Record a prediction { value, truth, off } (truth and off null until revealed). Returns true when saved. */
  savePrediction(slug, pid, { value, truth = null, off = null }) {
    const prediction = { value, truth, off, at: this.stamp() };
    const why = isId(pid) ? predictionProblem(prediction) : "not a prediction id";
    if (why) throw new TypeError(`savePrediction(${slug}, ${pid}): ${why}`);
    return this.commit((data) => { this.entry(data, slug).predictions[pid] = prediction; });
  }

  /** Where the learner is: `last` = { slug, section }; `read` set to `furthest` when given (the furthest section reached). */
  saveVisit(slug, section, furthest = null) {
    const at = this.stamp();
    return this.commit((data) => {
      const lesson = this.entry(data, slug);
      if (furthest) lesson.read = { at, section: furthest };
      data.last = { slug, section, at };
    }, { quiet: true });   // a reading place not saved is not worth a notice while scrolling; answers are
  }

  // --- reset, import and undo --------------------------------------------------------------------------

  /**
   * Run `change` as one undoable step. `label` names it for an undo button ("the reset of 4.3");
   * `message` says what happened.
   */
  undoable({ label, message }, change) {
    const before = cloneProgress(this.data);
    const at = this.stamp();
    const saved = this.commit(change);
    this.undoStack = [...this.undoStack, { label, at, before }].slice(-MAX_UNDO);
    this.writeUndo();
    this.changed();
    for (const fn of this.stepListeners) fn({ label, message, saved });
    return saved;
  }

  /** Forget one lesson's answers, predictions and reading place (undoable). `title` names it in messages. */
  resetLesson(slug, { title = slug } = {}) {
    const step = { label: `the reset of “${title}”`, message: `Your progress in “${title}” was reset.` };
    return this.undoable(step, (data) => {
      delete data.lessons[slug];
      if (data.last?.slug === slug) delete data.last;
    });
  }

  resetAll() {
    addBackup(this.storage, "Progress before “Reset all progress”", JSON.stringify(this.data), this.now());
    const step = { label: "the reset of all progress", message: "All your progress in this browser was reset." };
    return this.undoable(step, (data) => {
      data.lessons = table();
      data.retired = table();
      delete data.last;
    });
  }

  /** The step an undo would reverse ({ label, at }), or null. */
  get lastUndoable() {
    const top = this.undoStack.at(-1);
    return top ? { label: top.label, at: top.at } : null;
  }

  /** Reverse the latest reset or import; anything saved since then is kept. Returns true when saved. */
  undo() {
    const step = this.undoStack.pop();
    this.writeUndo();
    if (!step) return false;
    const restored = mergeProgress(step.before, changedSince(this.data, step.at), { seed: "base" });
    this.data = this.catalogue ? reconcile(restored, this.catalogue).data : restored;
    const saved = this.write().ok;
    this.changed();
    return saved;
  }

  readUndo() {
    const { text } = readItem(this.session, UNDO_KEY);
    if (!text) return [];
    try {
      const steps = JSON.parse(text);
      return Array.isArray(steps) ? steps.filter((s) => isObject(s) && typeof s.label === "string" && Number.isFinite(s.at))
        .map((s) => ({ ...s, before: readProgress(s.before).data })) : [];
    } catch {
      return [];
    }
  }

  writeUndo() {
    if (this.undoStack.length) writeItem(this.session, UNDO_KEY, JSON.stringify(this.undoStack));
    else removeItem(this.session, UNDO_KEY);
  }

  exportJSON() {
    return JSON.stringify({ ...this.data, app: "BrewSLM Learn", exportedAt: new Date(this.now()).toISOString() }, null, 2);
  }

  /** Read and check a whole file without changing anything; throws an Error with a message for the learner. */
  previewImport(text) {
    return importPreview(this.data, text, this.catalogue ?? {});
  }

  /**
   * Apply a preview: "merge" (newest entry per question wins) or "replace". `message` says what was
   * loaded. Returns true when saved.
   */
  applyImport(preview, mode, message) {
    if (mode === "replace") addBackup(this.storage, "Progress before it was replaced by an imported file", JSON.stringify(this.data), this.now());
    return this.undoable({ label: "the import", message }, (data) => {
      const next = mode === "replace" ? preview.incoming : mergeProgress(data, preview.incoming);
      const settled = this.catalogue ? reconcile(next, this.catalogue).data : next;
      Object.assign(data, cloneProgress(settled));
      if (!settled.last) delete data.last;
    });
  }

  backups() {
    return this.storage ? listBackups(this.storage) : [];
  }
}

function readCatalogue() {
  const node = typeof document !== "undefined" && document.getElementById("course-catalogue");
  if (!node) return null;
  try {
    const catalogue = JSON.parse(node.textContent);
    return isObject(catalogue) ? catalogue : null;
  } catch {
    return null;
  }
}

export const store = new ProgressStore({
  storage: browserStorage("localStorage"), session: browserStorage("sessionStorage"), catalogue: readCatalogue(),
});
window.addEventListener("storage", (event) => { if (event.key === STORAGE_KEY) store.reloadFromStorage(); });

/** Counts for a lesson's progress bar, over the questions the page asks only (a retired answer never counts). */
export function lessonProgress(slug, questionIds) {
  const answers = store.lesson(slug).answers;
  const present = questionIds.filter((id) => Object.prototype.hasOwnProperty.call(answers, id)).map((id) => answers[id]);
  return { answered: present.length, correct: present.filter((a) => a.correct).length, total: questionIds.length };
}
