// The track overview, the learner's home: progress per lesson and for the track, where to continue,
// and the tools to export, import, reset and undo.
import { startCourseControl } from "./lib/offline-course.js";
import { store } from "./lib/store.js";
import { showTrackStatus } from "./overview/track-status.js";
import { refreshTools, startProgressTools } from "./overview/progress-tools.js";

function refresh() {
  showTrackStatus();
  refreshTools();
}

startProgressTools();
startCourseControl(document.querySelector('[data-role="offline-course"]'));
store.onChange(refresh);
refresh();
