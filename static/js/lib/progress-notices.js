// What the learner is told about their progress, on every page: problems when they happen, and after a
// reset or an import a message with "Undo".
import { notify } from "./notices.js";
import { store } from "./store.js";

/** Reverse the latest reset or import and say so (a failed save is reported by the store itself). */
export function undoLastStep() {
  const step = store.lastUndoable;
  if (!step) return;
  store.undo();
  notify(`Undone: ${step.label}.`, "success");
}

export function showProgressNotices() {
  store.onProblem((message, kind) => notify(message, kind));
  store.onStep(({ message, saved }) => {
    const text = saved ? message : `${message} It could not be saved in this browser, so it lasts only while this page is open.`;
    notify(text, saved ? "success" : "warning", { action: { label: "Undo", run: undoLastStep } });
  });
}
