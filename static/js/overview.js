// The track overview, the learner's home: progress per lesson and for the track, where to continue,
// and the tools to export, import, reset and undo.
import { store } from "./lib/store.js";
import { showTrackStatus } from "./overview/track-status.js";
import { refreshTools, startProgressTools } from "./overview/progress-tools.js";

function refresh() {
  showTrackStatus();
  refreshTools();
}

startProgressTools();
store.onChange(refresh);
refresh();
