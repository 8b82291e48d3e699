// Combining two progress blobs (both already checked by progress-schema.js): the preview an import shows,
// merge (newest entry wins, by its `at`), answers set aside when the course no longer asks their
// question, and what an undo keeps. Pure functions: the inputs are never changed.
import { cloneProgress, emptyLesson, has, table } from "./progress-schema.js";

const newer = (a, b) => (b === undefined || a.at > b.at ? a : b);   // on a tie, the one already kept stays
const sameValue = (a, b) => JSON.stringify(a.value) === JSON.stringify(b.value) && a.correct === b.correct;

function mergeTables(target, source) {
  for (const [id, entry] of Object.entries(source)) target[id] = newer(entry, target[id]);
}

/** `base` with every entry of `extra` that is newer than its counterpart (or missing) in `base`. */
export function mergeProgress(base, extra, { seed = "extra" } = {}) {
  const out = cloneProgress(base);
  const add = cloneProgress(extra);
  for (const [slug, lesson] of Object.entries(add.lessons)) {
    const mine = out.lessons[slug] ?? (out.lessons[slug] = emptyLesson());
    mergeTables(mine.answers, lesson.answers);
    mergeTables(mine.predictions, lesson.predictions);
    if (lesson.read) mine.read = mine.read ? newer(lesson.read, mine.read) : lesson.read;
  }
  for (const [slug, answers] of Object.entries(add.retired)) mergeTables(out.retired[slug] ??= table(), answers);
  if (add.last) out.last = out.last ? newer(add.last, out.last) : add.last;
  if (seed === "extra") out.seed = add.seed;
  return out;
}

/** Only the entries changed after `since` (ms): what an undo must not throw away. */
export function changedSince(data, since) {
  const out = cloneProgress(data);
  const keepNew = (entries) => { for (const [id, e] of Object.entries(entries)) if (!(e.at > since)) delete entries[id]; };
  for (const [slug, lesson] of Object.entries(out.lessons)) {
    keepNew(lesson.answers);
    keepNew(lesson.predictions);
    if (lesson.read && !(lesson.read.at > since)) delete lesson.read;
    if (!Object.keys(lesson.answers).length && !Object.keys(lesson.predictions).length && !lesson.read) delete out.lessons[slug];
  }
  for (const [slug, answers] of Object.entries(out.retired)) {
    keepNew(answers);
    if (!Object.keys(answers).length) delete out.retired[slug];
  }
  if (out.last && !(out.last.at > since)) delete out.last;
  return out;
}

/**
 * Answers to questions the course no longer asks move to `retired` (kept, never counted); retired
 * answers whose question is back return. `catalogue`: { slug: [question ids] } of the published lessons.
 * Returns { data, moved } where moved counts answers that changed place.
 */
export function reconcile(data, catalogue) {
  const out = cloneProgress(data);
  let moved = 0;
  for (const [slug, lesson] of Object.entries(out.lessons)) {
    const asked = new Set(has(catalogue, slug) ? catalogue[slug] : []);
    for (const [qid, answer] of Object.entries(lesson.answers)) {
      if (asked.has(qid)) continue;
      const aside = out.retired[slug] ?? (out.retired[slug] = table());
      aside[qid] = newer(answer, aside[qid]);
      delete lesson.answers[qid];
      moved += 1;
    }
  }
  for (const [slug, answers] of Object.entries(out.retired)) {
    const asked = new Set(has(catalogue, slug) ? catalogue[slug] : []);
    for (const [qid, answer] of Object.entries(answers)) {
      if (!asked.has(qid)) continue;
      const lesson = out.lessons[slug] ?? (out.lessons[slug] = emptyLesson());
      lesson.answers[qid] = newer(answer, lesson.answers[qid]);
      delete answers[qid];
      moved += 1;
    }
    if (!Object.keys(answers).length) delete out.retired[slug];
  }
  return { data: out, moved };
}

/**
 * What importing `incoming` over `mine` would change, per lesson: answers the file adds, answers that
 * differ (and which side is newer), answers already the same, predictions the file adds or updates, and
 * answers to questions the course no longer asks (kept aside). Lessons appear in catalogue order first.
 */
export function planImport(mine, incoming, catalogue) {
  const lessons = [];
  const known = Object.keys(catalogue);
  const slugs = [...new Set([...known, ...Object.keys(incoming.lessons), ...Object.keys(incoming.retired)])];
  for (const slug of slugs) {
    const theirs = incoming.lessons[slug] ?? emptyLesson();
    const ours = mine.lessons[slug] ?? emptyLesson();
    const asked = new Set(has(catalogue, slug) ? catalogue[slug] : []);
    const row = { slug, added: 0, differ: 0, fileNewer: 0, hereNewer: 0, same: 0, predictions: 0, retired: 0 };
    for (const [qid, answer] of Object.entries(theirs.answers)) {
      if (!asked.has(qid)) { row.retired += 1; continue; }
      const here = ours.answers[qid];
      if (!here) row.added += 1;
      else if (sameValue(answer, here)) row.same += 1;
      else {
        row.differ += 1;
        if (answer.at > here.at) row.fileNewer += 1; else row.hereNewer += 1;
      }
    }
    for (const [pid, p] of Object.entries(theirs.predictions)) {
      const here = ours.predictions[pid];
      if (!here || p.at > here.at) row.predictions += 1;
    }
    row.retired += Object.keys(incoming.retired[slug] ?? {}).length;
    if (Object.values(row).some((v) => typeof v === "number" && v > 0)) lessons.push(row);
  }
  const total = (key) => lessons.reduce((sum, row) => sum + row[key], 0);
  return {
    lessons,
    answers: total("added") + total("differ") + total("same"),
    added: total("added"), differ: total("differ"), fileNewer: total("fileNewer"), hereNewer: total("hereNewer"),
    predictions: total("predictions"), retired: total("retired"),
    seedChanges: incoming.seed !== mine.seed,
  };
}
