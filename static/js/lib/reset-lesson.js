// "Reset this lesson", asked first: used by the overview's lesson cards and the lesson's own quiz.
import { confirmAction } from "./confirm.js";
import { store } from "./store.js";

/** Ask, then reset one lesson's progress (undoable). Resolves true when it was reset. */
export async function confirmResetLesson(slug, title) {
  const ok = await confirmAction({
    title: `Reset “${title}”?`,
    body: "This removes your answers, predictions and reading place for this lesson. You can undo it until you leave the site.",
    confirm: "Reset this lesson",
  });
  if (ok) store.resetLesson(slug, { title });
  return ok;
}
