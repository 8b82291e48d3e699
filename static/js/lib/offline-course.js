// The whole course for offline use: copied by the service worker (static/sw.js) in the background when the
// connection is not metered, otherwise when the reader asks ("Save the course for offline use" on the
// overview and the offline page). The worker knows what its copy holds and tells every open page how a copy
// is going, so the control shows the same thing after a reload or in another tab.
import { thisBuild } from "./offline.js";

const SLOW = new Set(["slow-2g", "2g", "3g"]);
const STATUS_TIMEOUT_MS = 2000;

/** Data-saver on, a cellular link, or a slow one: copying a megabyte unasked would cost the reader. A browser
 * that does not say (no navigator.connection) is treated as not metered. */
export function connectionIsMetered(connection = navigator.connection) {
  if (!connection) return false;
  return connection.saveData === true || connection.type === "cellular" || SLOW.has(connection.effectiveType);
}

function askStatus(worker) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(null), STATUS_TIMEOUT_MS);
    channel.port1.onmessage = (event) => { clearTimeout(timer); resolve(event.data); };
    worker.postMessage({ type: "course-status" }, [channel.port2]);
  });
}

/** The worker of this page's build (active, waiting or installing) and what its copy holds, or null. */
async function workerOfThisBuild() {
  if (!("serviceWorker" in navigator)) return null;
  const registration = await navigator.serviceWorker.getRegistration();
  if (!registration) return null;
  for (const worker of [registration.active, registration.waiting, registration.installing]) {
    if (!worker) continue;
    const status = await askStatus(worker);
    if (status?.build === thisBuild()) return { worker, status };
  }
  return null;
}

/** On a connection that is not metered, start the copy unless the course is here or on its way. */
export async function copyCourseUnlessMetered() {
  if (connectionIsMetered()) return;
  const found = await workerOfThisBuild();
  if (found?.status.state === "none") found.worker.postMessage({ type: "copy-course" });
}

function describe(status) {
  const { state, done, total, error } = status;
  if (state === "copying") return { live: "Saving the course for offline use…", count: total ? `${done} of ${total} files` : "Listing the files…" };
  if (state === "done") return { live: "Saved: every lesson, demo and the glossary open on this device without a connection.", count: "" };
  if (state === "failed") {
    const kept = total ? ` ${done} of ${total} files are saved; “Try again” fetches the rest.` : "";
    return { live: `The copy stopped: ${error}.${kept}`, count: "" };
  }
  return { live: "", count: connectionIsMetered() ? "On a metered or slow connection the course is not copied by itself." : "" };
}

/** The control in `root` ([data-role=offline-course]): a button, a progress bar, a count and a status line. */
export function startCourseControl(root) {
  if (!root || !("serviceWorker" in navigator)) return;
  const el = (role) => root.querySelector(`[data-role="${role}"]`);
  const button = root.querySelector('[data-action="save-course"]');
  const progress = el("course-progress");

  function show(status) {
    const { state, done, total } = status;
    root.dataset.state = state;
    button.hidden = state === "done";
    button.setAttribute("aria-disabled", String(state === "copying"));   // keeps focus, unlike disabled
    button.textContent = state === "failed" ? "Try again" : state === "copying" ? "Saving the course…"
      : "Save the course for offline use";
    progress.hidden = state !== "copying";
    if (state === "copying" && total) {
      progress.max = total;
      progress.value = done;
    } else {
      progress.removeAttribute("value");      // indeterminate while the files are listed
    }
    const text = describe(status);
    if (el("course-status").textContent !== text.live) el("course-status").textContent = text.live;
    el("course-count").textContent = text.count;
  }

  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.type === "course-copy" && event.data.build === thisBuild()) show(event.data);
  });
  button.addEventListener("click", async () => {
    if (root.dataset.state === "copying") return;
    show({ state: "copying", done: 0, total: 0 });
    const found = await workerOfThisBuild();
    if (found) found.worker.postMessage({ type: "copy-course" });
    else show({ state: "failed", error: "offline support is not ready in this browser yet; reload the page" });
  });
  // Shown once a worker is active: where the browser refuses one, there is nothing to save the course with.
  navigator.serviceWorker.ready.then(() => {
    root.hidden = false;
    if (!root.dataset.state) show({ state: "none" });
    return workerOfThisBuild();
  }).then((found) => {
    if (found && root.dataset.state === "none") show(found.status);
  });
}
