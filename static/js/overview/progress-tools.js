// "Your progress" on the overview: export, import (with its preview), reset of a lesson or of all,
// undo for the rest of the visit, and the backups this browser keeps.
import { confirmAction } from "../lib/confirm.js";
import { notify } from "../lib/notices.js";
import { MAX_IMPORT_CHARS } from "../lib/progress-import.js";
import { undoLastStep } from "../lib/progress-notices.js";
import { confirmResetLesson } from "../lib/reset-lesson.js";
import { store } from "../lib/store.js";
import { askHowToImport, mergeWords } from "./import-dialog.js";

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function download(text, name) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

function lessonTitles() {
  return new Map([...document.querySelectorAll(".lesson-card[data-title]")].map((c) => [c.dataset.slug, c.dataset.title]));
}

async function importFile(file) {
  // Refused before reading: over 4 MB a file cannot be within the 1 M characters an export may have.
  if (file.size > MAX_IMPORT_CHARS * 4) throw new Error("That file is too large to be saved progress (the limit is 1 MB).");
  const preview = store.previewImport(await file.text());
  const mode = await askHowToImport(preview, file.name, store.counts(), lessonTitles());
  if (!mode) return;
  const { plan, counts } = preview;
  const message = mode === "replace"
    ? `Loaded ${plural(counts.answers, "saved answer")} and ${plural(counts.predictions, "prediction")}, in place of your progress here.`
    : `Loaded ${plural(plan.answers, "saved answer")} (${mergeWords(plan)}).`;
  store.applyImport(preview, mode, message);   // app.js says whether it was saved, with "Undo"
}

function showUndo() {
  const button = document.getElementById("undo-step");
  const step = store.lastUndoable;
  button.hidden = !step;
  button.textContent = step ? `Undo ${step.label}` : "";
}

function showBackups() {
  const kept = store.backups();
  const box = document.querySelector('[data-role="backups"]');
  box.hidden = !kept.length;
  box.querySelector('[data-role="backup-count"]').textContent = String(kept.length);
  box.querySelector('[data-role="backup-list"]').replaceChildren(...kept.map((backup) => {
    const item = document.createElement("li");
    const when = new Date(backup.at);
    const label = document.createElement("span");
    label.textContent = `${when.toLocaleString()}: ${backup.reason}`;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary button-small";
    button.textContent = "Download";
    button.setAttribute("aria-label", `Download the copy of ${when.toLocaleString()}`);
    button.addEventListener("click", () => download(backup.text, `brewslm-learn-copy-${when.toISOString().slice(0, 19).replace(/:/g, "-")}.json`));
    item.append(label, button);
    return item;
  }));
}

export function refreshTools() {
  showUndo();
  showBackups();
}

export function startProgressTools() {
  document.getElementById("export-progress").addEventListener("click", () => {
    download(store.exportJSON(), `brewslm-learn-progress-${new Date().toISOString().slice(0, 10)}.json`);
  });

  const input = document.getElementById("import-progress");
  document.getElementById("import-progress-button").addEventListener("click", () => input.click());
  input.addEventListener("change", async () => {
    const file = input.files[0];
    input.value = "";
    if (!file) return;
    try {
      await importFile(file);
    } catch (err) {
      notify(err.message, err.kind ?? "error");
    }
  });

  document.getElementById("reset-all").addEventListener("click", async () => {
    const { answers, predictions } = store.counts();
    const ok = await confirmAction({
      title: "Reset all progress?",
      body: `This removes ${plural(answers, "answer")}, ${plural(predictions, "prediction")} and your reading places `
        + "from this browser. You can undo it until you leave the site, and a copy is kept.",
      confirm: "Reset all progress",
    });
    if (ok) store.resetAll();
  });

  for (const button of document.querySelectorAll('[data-action="reset-lesson"]')) {
    const card = button.closest(".lesson-card");
    button.addEventListener("click", () => confirmResetLesson(card.dataset.slug, card.dataset.title));
  }

  document.getElementById("undo-step").addEventListener("click", undoLastStep);
}
