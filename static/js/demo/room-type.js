// The demo page's type size for the room: + and − scale it (readouts, labels, charts' text, tables),
// 0 restores it. Remembered in this browser, since it belongs to the room and the projector, not the link.
import { LOOK_EVENT } from "../lib/theme.js";

const KEY = "brewslm-demo-scale";
const MIN = 0.6;
const MAX = 2;
const STEP = 0.1;

let current = 1;

function stored() {
  try {
    const value = Number(window.localStorage.getItem(KEY));
    return value >= MIN && value <= MAX ? value : 1;
  } catch {
    return 1;   // storage blocked: the size still changes, it is just not remembered
  }
}

function apply(scale) {
  document.body.style.setProperty("--scale", String(scale));
  document.body.dataset.typeScale = String(scale);
  document.dispatchEvent(new CustomEvent(LOOK_EVENT));
}

export function startRoomType() {
  current = stored();
  if (current !== 1) apply(current);
}

/** Scale the type one step up (+1) or down (−1), or back to 1 (0); returns the new scale. */
export function scaleRoomType(direction) {
  current = direction === 0 ? 1 : Math.min(MAX, Math.max(MIN, Number((current + direction * STEP).toFixed(1))));
  try {
    window.localStorage.setItem(KEY, String(current));
  } catch { /* not remembered, see stored() */ }
  apply(current);
  return current;
}
