// Runs on every page: tell the learner if their saved progress needed attention.
import { notify } from "./lib/notices.js";
import { store } from "./lib/store.js";
import { startThemeToggle } from "./lib/theme.js";

startThemeToggle();

if (store.problem) notify(store.problem, "warning");

// Lessons opened once stay readable offline (see /sw.js); charts still need the server.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch(() => { /* offline support is a bonus, never an error */ });
}
