// The offline side of every page: the service worker (/sw.js) registered once the page has loaded, so
// its copying never competes with the page itself; on a first visit (opened before the worker looked after
// it) the address and the files it loaded handed to the worker to keep; the whole course copied in the
// background only when the connection is not metered (static/js/lib/offline-course.js, or on request);
// an address with settings kept as it is left; and a notice while the connection is gone.
import { notify } from "./notices.js";
import { copyCourseUnlessMetered } from "./offline-course.js";

export const thisBuild = () => document.querySelector('meta[name="brewslm-build"]')?.content;

// Whether this page was loaded through the worker: if not (a first visit), it hands the worker what it loaded.
const lookedAfterFromTheStart = Boolean(navigator.serviceWorker?.controller);

// Slider tables answered before the worker looked after this page, for it to keep (static/sw.js).
const tablesForTheWorker = [];

/** A table answered by the server for this page's build: the worker keeps it once it looks after the page. */
export function handOverTable(table) {
  const worker = navigator.serviceWorker?.controller;
  if (worker) worker.postMessage({ type: "keep-table", build: thisBuild(), ...table });
  else tablesForTheWorker.push(table);
}

const loadedFiles = () => performance.getEntriesByType("resource").map((entry) => entry.name)
  .filter((url) => /^[/](static|vendor)[/]/.test(new URL(url).pathname));

// The address the page was opened with, and the one it shows now (a demo mirrors its state into it): kept
// when it carries settings. On a first visit the opened address is kept whatever it is, with its files.
function keepAddress({ firstVisit = false } = {}) {
  const worker = navigator.serviceWorker?.controller;
  if (!worker) return;
  const opened = performance.getEntriesByType("navigation")[0]?.name || window.location.href;
  if (firstVisit) {
    worker.postMessage({ type: "keep", url: opened, assets: loadedFiles() });
    for (const table of tablesForTheWorker.splice(0)) handOverTable(table);
  }
  for (const url of new Set([opened, window.location.href])) {
    if (new URL(url).search && !(firstVisit && url === opened)) worker.postMessage({ type: "keep", url });
  }
}

/** A worker of this page's build that is installed and waiting: ask it to take over (see static/sw.js). */
function offerTakeOver(registration) {
  const offer = (worker) => worker.postMessage({ type: "take-over", build: thisBuild() });
  const offerOnceInstalled = (worker) => worker?.addEventListener("statechange", () => {
    if (worker.state === "installed") offer(worker);
  });
  if (registration.waiting) offer(registration.waiting);
  offerOnceInstalled(registration.installing);     // one still installing (a whole course to copy) when this page opened
  registration.addEventListener("updatefound", () => offerOnceInstalled(registration.installing));
}

export function startOffline() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.type === "which-build") event.ports[0]?.postMessage(thisBuild());
  });
  const register = () => navigator.serviceWorker.register("/sw.js")
    .then((registration) => { offerTakeOver(registration); return navigator.serviceWorker.ready; })
    .then(() => {
      // On a first visit the worker takes charge of this page once it is active (maybe before this runs).
      const lookedAfter = () => {
        keepAddress({ firstVisit: !lookedAfterFromTheStart });
        copyCourseUnlessMetered();
      };
      if (navigator.serviceWorker.controller) lookedAfter();
      else navigator.serviceWorker.addEventListener("controllerchange", lookedAfter, { once: true });
    })
    .catch(() => { /* offline support is a bonus: a browser that refuses it still gets every page online */ });
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register, { once: true });
  window.addEventListener("pagehide", () => keepAddress());
}

export function watchConnection() {
  let note = null;
  window.addEventListener("offline", () => {
    note = notify("You are offline. Pages you have opened stay readable; the explorers update when the connection is back.", "warning");
  });
  window.addEventListener("online", () => {
    note?.remove();
    note = null;
  });
}
