// Check yourself: each learner sees the choices in their own order, gets feedback that teaches rather
// than gives the answer away (lib/quiz-feedback.js), and keeps their answers in this browser.
import { showProgress } from "./lib/progress-bar.js";
import { confirmResetLesson } from "./lib/reset-lesson.js";
import { lessonProgress, store } from "./lib/store.js";
import { readNumericAnswer } from "./lib/numbers.js";
import { feedbackFor, fitsQuestion } from "./lib/quiz-feedback.js";
import { choiceOrder } from "./lib/shuffle.js";

const section = document.getElementById("check-yourself");

/** Put the choices in this learner's order (the inputs keep the lesson's own indices as values). */
function shuffleChoices(item, q, slug) {
  const list = item.querySelector(".choices");
  if (!list) return;
  const items = [...list.children];
  list.replaceChildren(...choiceOrder(store.seed, slug, q.id, q.choices.length).map((i) => items[i]));
  list.dataset.order = "shuffled";
}

function readValue(item, q) {
  if (q.type === "numeric") return readNumericAnswer(q, item.querySelector('input[name="answer"]').value);
  const value = [...item.querySelectorAll("input:checked")].map((i) => Number(i.value));
  return value.length ? { value } : { error: "Choose an answer first." };
}

function fillAnswer(item, q, value) {
  if (q.type === "numeric") item.querySelector('input[name="answer"]').value = String(value);
  else item.querySelectorAll("input").forEach((input) => { input.checked = value.includes(Number(input.value)); });
}

function clearNotes(item) {
  item.classList.remove("is-correct", "is-partial", "is-wrong", "is-shown");
  item.querySelector(".quiz-feedback").textContent = "";
  const working = item.querySelector(".quiz-working");
  working.hidden = true;
  working.textContent = "";
  item.querySelectorAll(".choice-explain").forEach((p) => { p.hidden = true; p.textContent = ""; p.classList.remove("is-right"); });
  item.querySelectorAll(".choices li").forEach((li) => li.classList.remove("is-chosen"));
}

function show(item, q, value, options) {
  clearNotes(item);
  const fb = feedbackFor(q, value, options);
  item.classList.add(`is-${fb.verdict}`);
  item.querySelector(".quiz-feedback").textContent = fb.message;
  for (const note of fb.notes) {
    const p = item.querySelector(`.choice-explain[data-choice="${note.index}"]`);
    p.textContent = note.text;
    p.hidden = false;
    p.classList.toggle("is-right", note.right);
  }
  if (Array.isArray(value)) value.forEach((i) => item.querySelector(`input[value="${i}"]`).closest("li").classList.add("is-chosen"));
  if (fb.working) {
    const working = item.querySelector(".quiz-working");
    working.textContent = fb.working;
    working.hidden = false;
  }
}

/** The question as this browser has it saved: the answer and its feedback, or an empty form. */
function drawSaved(item, q, slug) {
  const saved = store.lesson(slug).answers[q.id];
  // A saved answer that no longer fits the question (the lesson changed) is ignored, not shown wrong.
  if (saved && fitsQuestion(q, saved.value)) {
    fillAnswer(item, q, saved.value);
    show(item, q, saved.value, { tries: saved.tries || 1 });
    return;
  }
  clearNotes(item);
  item.querySelectorAll("input").forEach((input) => {
    if (input.type === "text") input.value = ""; else input.checked = false;
  });
}

function refuse(item, message) {
  item.classList.remove("is-correct", "is-partial", "is-wrong", "is-shown");
  item.querySelector(".quiz-feedback").textContent = message;
}

function start() {
  const slug = section.dataset.slug;
  const questions = JSON.parse(document.getElementById("quiz-data").textContent);
  const byId = new Map(questions.map((q) => [q.id, q]));
  const ids = questions.map((q) => q.id);
  const progressBlock = section.querySelector(".quiz-progress");
  const refresh = () => showProgress(progressBlock, lessonProgress(slug, ids));
  const redrawAll = () => {
    for (const item of section.querySelectorAll(".quiz-question")) drawSaved(item, byId.get(item.dataset.qid), slug);
    refresh();
  };

  for (const item of section.querySelectorAll(".quiz-question")) {
    const q = byId.get(item.dataset.qid);
    shuffleChoices(item, q, slug);
    drawSaved(item, q, slug);
    item.querySelector("form").addEventListener("submit", (event) => {
      event.preventDefault();
      const read = readValue(item, q);
      if (read.error) {
        refuse(item, read.error);
        return;
      }
      store.saveAnswer(slug, q.id, read.value, feedbackFor(q, read.value).verdict === "correct");
      const tries = store.lesson(slug).answers[q.id]?.tries || 1;
      show(item, q, read.value, { tries });
      refresh();
    });
    item.querySelector('[data-action="show-answer"]').addEventListener("click", () => {
      const stored = store.lesson(slug).answers[q.id];
      show(item, q, stored && fitsQuestion(q, stored.value) ? stored.value : null, { shown: true });
    });
  }

  section.querySelector('[data-action="reset-quiz"]').addEventListener("click", async () => {
    await confirmResetLesson(slug, document.querySelector("h1").textContent);   // redrawn by onChange below
  });
  // An undo, an import or another tab changed the answers under this page: show what is saved now.
  store.onChange(redrawAll);
  refresh();
}

if (section) start();
