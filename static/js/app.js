// Runs on every page: progress notices (problems when they happen, "Undo" after a reset or an import),
// the offline service worker, and a notice while the connection is gone.
import { startOffline, watchConnection } from "./lib/offline.js";
import { showProgressNotices } from "./lib/progress-notices.js";

showProgressNotices();
startOffline();
watchConnection();
