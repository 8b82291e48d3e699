// Runs on every page: progress notices (problems when they happen, "Undo" after a reset or an import)
// and the offline service worker.
import { showProgressNotices } from "./lib/progress-notices.js";

showProgressNotices();

// Pages opened once stay readable offline (see /sw.js); charts still need the server.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch(() => { /* offline support is a bonus, never an error */ });
}
