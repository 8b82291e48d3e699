// Runs on every page: progress notices (problems when they happen, "Undo" after a reset or an import),
// the offline service worker, a notice while the connection is gone, and the theme button.
import { startOffline, watchConnection } from "./lib/offline.js";
import { showProgressNotices } from "./lib/progress-notices.js";
import { startThemeToggle } from "./lib/theme.js";

showProgressNotices();
startOffline();
watchConnection();
startThemeToggle();
