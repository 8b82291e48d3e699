// Check yourself: check answers against the lesson's key, explain every choice, keep answers in this browser.
import { showProgress } from "./lib/progress-bar.js";
import { lessonProgress, store } from "./lib/store.js";

const section = document.getElementById("check-yourself");

/** Is `value` right for question `q`? value: choice indices for single/multi, a number for numeric. */
export function isCorrect(q, value) {
  if (q.type === "numeric") return Number.isFinite(value) && Math.abs(value - q.answer) <= q.tolerance;
  const wanted = q.choices.map((c, i) => (c.correct ? i : -1)).filter((i) => i >= 0);
  return value.length === wanted.length && wanted.every((i) => value.includes(i));
}

function parseNumber(text) {
  const cleaned = text.trim().replace(",", ".");
  return cleaned === "" ? NaN : Number(cleaned);
}

function readAnswer(item, q) {
  if (q.type === "numeric") return parseNumber(item.querySelector('input[name="answer"]').value);
  return [...item.querySelectorAll("input:checked")].map((i) => Number(i.value));
}

function fillAnswer(item, q, value) {
  if (q.type === "numeric") {
    item.querySelector('input[name="answer"]').value = String(value);
    return;
  }
  item.querySelectorAll("input").forEach((input) => { input.checked = value.includes(Number(input.value)); });
}

function showFeedback(item, q, value, correct) {
  item.classList.toggle("is-correct", correct);
  item.classList.toggle("is-wrong", !correct);
  const feedback = item.querySelector(".quiz-feedback");
  if (q.type === "numeric") {
    feedback.textContent = correct
      ? `Correct. ${q.explain}`
      : `Not quite: ${value} is more than ${q.tolerance} away from the answer. Try again, or read on: ${q.explain}`;
    return;
  }
  feedback.textContent = correct ? "Correct." : "Not quite. The notes under the choices say why.";
  item.querySelectorAll(".choice-explain").forEach((p) => {
    const i = Number(p.dataset.choice);
    const choice = q.choices[i];
    const chosen = value.includes(i);
    // Explain what was chosen, and, once answered right, every choice.
    const show = chosen || correct;
    p.hidden = !show;
    p.textContent = show ? `${choice.correct ? "Right choice" : "Wrong choice"}: ${choice.explain}` : "";
    p.classList.toggle("is-right", choice.correct);
    p.closest("li").classList.toggle("is-chosen", chosen);
  });
}

function clearFeedback(item) {
  item.classList.remove("is-correct", "is-wrong");
  item.querySelector(".quiz-feedback").textContent = "";
  item.querySelectorAll(".choice-explain").forEach((p) => { p.hidden = true; p.textContent = ""; });
  item.querySelectorAll("li").forEach((li) => li.classList.remove("is-chosen"));
  item.querySelectorAll("input").forEach((input) => {
    if (input.type === "text") input.value = ""; else input.checked = false;
  });
}

function start() {
  const slug = section.dataset.slug;
  const questions = JSON.parse(document.getElementById("quiz-data").textContent);
  const byId = new Map(questions.map((q) => [q.id, q]));
  const progressBlock = section.querySelector(".quiz-progress");
  const refresh = () => showProgress(progressBlock, lessonProgress(slug, questions.map((q) => q.id)));

  for (const item of section.querySelectorAll(".quiz-question")) {
    const q = byId.get(item.dataset.qid);
    const saved = store.lesson(slug).answers[q.id];
    // A saved answer that no longer fits the question (the lesson changed) is ignored, not shown wrong.
    const fits = saved && (q.type === "numeric" ? typeof saved.value === "number"
      : Array.isArray(saved.value) && saved.value.every((i) => i < q.choices.length));
    if (fits) {
      fillAnswer(item, q, saved.value);
      showFeedback(item, q, saved.value, isCorrect(q, saved.value));
    }
    item.querySelector("form").addEventListener("submit", (event) => {
      event.preventDefault();
      const value = readAnswer(item, q);
      const feedback = item.querySelector(".quiz-feedback");
      if (q.type === "numeric" ? !Number.isFinite(value) : value.length === 0) {
        item.classList.remove("is-correct", "is-wrong");
        feedback.textContent = q.type === "numeric" ? "Type a number first." : "Choose an answer first.";
        return;
      }
      const correct = isCorrect(q, value);
      store.saveAnswer(slug, q.id, value, correct);
      showFeedback(item, q, value, correct);
      refresh();
    });
  }

  section.querySelector('[data-action="reset-quiz"]').addEventListener("click", () => {
    store.resetLesson(slug);
    section.querySelectorAll(".quiz-question").forEach(clearFeedback);
    refresh();
  });
  refresh();
}

if (section) start();
