// The import preview: what a file would change, lesson by lesson, and the choice between merge and
// replace. Nothing changes until the learner chooses "Load".
import { describeDropped } from "../lib/progress-import.js";

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.append(td);
}

function lessonRow(entry, titles) {
  const row = document.createElement("tr");
  const th = document.createElement("th");
  th.scope = "row";
  th.textContent = titles.get(entry.slug) ?? `${entry.slug} (not in this course)`;
  row.append(th);
  cell(row, String(entry.added));
  const sides = [entry.fileNewer && `${entry.fileNewer} newer in the file`, entry.hereNewer && `${entry.hereNewer} newer here`].filter(Boolean);
  cell(row, entry.differ ? `${entry.differ} (${sides.join(", ")})` : "0");
  cell(row, String(entry.same));
  cell(row, String(entry.predictions));
  cell(row, String(entry.retired));
  return row;
}

/** What "merge" would do, in one sentence, and the message shown once it is done. */
export function mergeWords(plan) {
  const parts = [`${plural(plan.added, "new answer")}`];
  if (plan.fileNewer) parts.push(`${plural(plan.fileNewer, "newer answer")} from the file`);
  if (plan.hereNewer) parts.push(`${plural(plan.hereNewer, "answer")} of yours kept because ${plan.hereNewer === 1 ? "it is" : "they are"} newer`);
  return parts.join(", ");
}

/**
 * Show the preview of `preview` (from store.previewImport) for `fileName`; resolves "merge", "replace" or
 * null (cancelled). `mine`: counts of this browser's progress; `titles`: slug -> lesson title.
 */
export function askHowToImport(preview, fileName, mine, titles) {
  const dialog = document.getElementById("import-dialog");
  const { plan, dropped, counts, exportedAt } = preview;
  const exported = exportedAt ? `, exported on ${new Date(exportedAt).toLocaleString()}` : "";
  dialog.querySelector('[data-role="import-summary"]').textContent =
    `“${fileName}” holds ${plural(counts.answers, "answer")} and ${plural(counts.predictions, "prediction")}${exported}.`;
  dialog.querySelector('[data-role="import-rows"]').replaceChildren(...plan.lessons.map((entry) => lessonRow(entry, titles)));
  const droppedNote = dialog.querySelector('[data-role="import-dropped"]');
  droppedNote.hidden = !dropped.length;
  droppedNote.textContent = dropped.length ? `Left out because they could not be read: ${describeDropped(dropped)}.` : "";
  if (plan.retired) {
    droppedNote.hidden = false;
    droppedNote.textContent += `${dropped.length ? " " : ""}${plural(plan.retired, "answer")} to questions this course no `
      + "longer asks will be kept aside, not counted.";
  }
  dialog.querySelector('[data-role="import-seed"]').hidden = !plan.seedChanges;
  dialog.querySelector('[data-role="merge-detail"]').textContent = `(${mergeWords(plan)}.)`;
  dialog.querySelector('[data-role="replace-detail"]').textContent = mine.answers + mine.predictions
    ? `(Your ${plural(mine.answers, "answer")} and ${plural(mine.predictions, "prediction")} here are removed; a copy is kept and you can undo.)`
    : "(You have no progress here yet.)";
  dialog.querySelector('input[value="merge"]').checked = true;
  dialog.returnValue = "";
  const opener = document.activeElement;
  dialog.showModal();
  dialog.querySelector('input[value="merge"]').focus();   // not the table: the choice is what to decide
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(dialog.returnValue === "apply" ? dialog.querySelector('input[name="mode"]:checked').value : null);
    }, { once: true });
  });
}
