// The offline page: which of its links this device holds (the worker's copy, static/sw.js), and the control
// that saves the whole course.
import { startCourseControl } from "./lib/offline-course.js";

async function markWhatIsKept() {
  if (!("caches" in window)) return;
  for (const link of document.querySelectorAll(".offline-list a")) {
    if (await caches.match(link.getAttribute("href"), { ignoreVary: true })) continue;
    const note = document.createElement("span");
    note.className = "not-kept";
    note.textContent = " (not saved on this device)";
    link.after(note);
  }
}

markWhatIsKept();
startCourseControl(document.querySelector('[data-role="offline-course"]'));
