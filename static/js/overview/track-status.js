// The overview as the learner's home: per lesson how far it was read, the quiz score and predictions made;
// the track's total; and "Continue where you left off".
import { showProgress } from "../lib/progress-bar.js";
import { lessonProgress, store } from "../lib/store.js";

const TAIL_SECTIONS = 3;   // key idea, key terms, check yourself: reaching them means the text was read
const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function cards() {
  return [...document.querySelectorAll(".lesson-card[data-question-ids]")].map((card) => ({
    card,
    slug: card.dataset.slug,
    title: card.dataset.title,
    questionIds: JSON.parse(card.dataset.questionIds),
    outline: JSON.parse(card.dataset.outline),
  }));
}

/** { text, done } for how far a lesson was read. */
function readingOf(lesson, outline) {
  if (!lesson.read) return { text: "Not opened yet", done: false };
  const body = outline.length - TAIL_SECTIONS;
  const at = outline.findIndex(([anchor]) => anchor === lesson.read.section);
  if (at < 0) return { text: "Opened", done: false };
  if (at >= body) return { text: "Read to the end", done: true };
  return { text: `Up to “${outline[at][1]}” (section ${at + 1} of ${body})`, done: false };
}

function predictionsOf(lesson) {
  const all = Object.values(lesson.predictions);
  if (!all.length) return "None made yet";
  const revealed = all.filter((p) => p.truth !== null).length;
  return `${all.length} made${revealed < all.length ? `, ${revealed} revealed` : ""}`;
}

function when(at) {
  if (!at) return "";
  const minutes = Math.round((Date.now() - at) / 60000);
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  if (Math.abs(minutes) < 60) return `Last visited ${format.format(-minutes, "minute")}`;
  if (Math.abs(minutes) < 48 * 60) return `Last visited ${format.format(-Math.round(minutes / 60), "hour")}`;
  return `Last visited on ${new Date(at).toLocaleDateString(undefined, { day: "numeric", month: "long", year: "numeric" })}`;
}

function showContinue(all) {
  const last = store.last;
  const target = last && all.find((c) => c.slug === last.slug);
  if (!target) return;   // the template's "Start the track" stays
  const box = document.querySelector('[data-role="continue"]');
  const section = target.outline.find(([anchor]) => anchor === last.section);
  box.querySelector('[data-role="continue-label"]').textContent = "Continue where you left off";
  const link = box.querySelector('[data-role="continue-link"]');
  link.href = `/lessons/${target.slug}${section ? `#${encodeURIComponent(section[0])}` : ""}`;
  link.textContent = `${target.title}${section ? `: ${section[1]}` : ""} →`;
  box.querySelector('[data-role="continue-when"]').textContent = when(last.at);
}

export function showTrackStatus() {
  const all = cards();
  let answered = 0; let correct = 0; let total = 0; let read = 0; let predictions = 0;
  for (const { card, slug, questionIds, outline } of all) {
    const lesson = store.lesson(slug);
    const quiz = lessonProgress(slug, questionIds);
    showProgress(card.querySelector('[data-role="progress"]'), quiz);
    const reading = readingOf(lesson, outline);
    card.querySelector('[data-role="read"]').textContent = reading.text;
    card.querySelector('[data-role="predictions"]').textContent = predictionsOf(lesson);
    card.querySelector('[data-action="reset-lesson"]').hidden =
      !lesson.read && !quiz.answered && !Object.keys(lesson.predictions).length && !Object.keys(lesson.answers).length;
    answered += quiz.answered; correct += quiz.correct; total += quiz.total;
    read += reading.done ? 1 : 0;
    predictions += Object.keys(lesson.predictions).length;
  }
  showProgress(document.querySelector('[data-role="track-progress"]'), { answered, correct, total });
  document.querySelector('[data-role="track-summary"]').textContent = [
    `${read} of ${plural(all.length, "lesson")} read`,
    `${correct} of ${plural(total, "question")} correct`,
    predictions ? `${plural(predictions, "prediction")} made` : "no predictions yet",
  ].join(" · ");
  showContinue(all);
}
