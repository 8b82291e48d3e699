// Runs on every page: say when saved progress needs attention (when it is found, and whenever a save fails).
import { notify } from "./lib/notices.js";
import { store } from "./lib/store.js";
import { startThemeToggle } from "./lib/theme.js";

startThemeToggle();

store.onProblem((message, kind) => notify(message, kind));

// Lessons opened once stay readable offline (see /sw.js); charts still need the server.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch(() => { /* offline support is a bonus, never an error */ });
}
