// The track overview: each lesson's progress from this browser, and export/import of all of it.
import { notify } from "./lib/notices.js";
import { showProgress } from "./lib/progress-bar.js";
import { lessonProgress, store } from "./lib/store.js";

function refresh() {
  for (const card of document.querySelectorAll(".lesson-card[data-question-ids]")) {
    const block = card.querySelector('[data-role="progress"]');
    showProgress(block, lessonProgress(card.dataset.slug, JSON.parse(card.dataset.questionIds)));
  }
}

document.getElementById("export-progress").addEventListener("click", () => {
  const blob = new Blob([store.exportJSON()], { type: "application/json" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = `brewslm-learn-progress-${new Date().toISOString().slice(0, 10)}.json`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
});

document.getElementById("import-progress").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  try {
    if (file.size > 1_000_000) throw new Error("That file is too large to be saved progress.");
    const preview = store.previewImport(await file.text());
    const count = preview.plan.answers;
    if (store.applyImport(preview, "merge")) notify(`Loaded ${count} saved answer${count === 1 ? "" : "s"}.`, "success");
    refresh();
  } catch (err) {
    notify(err.message, "error");
  } finally {
    event.target.value = "";
  }
});

refresh();
