// Presenter view (/demo/NAME): keyboard control, the state mirrored in the address bar, copy link,
// full screen and the key list. Works with any explorer that follows lib/explorer.js's protocol,
// so a new demo only needs its widget.
import { CHANGE_EVENT, nudgeParam, presetLabel } from "./lib/explorer.js";
import { replaceQuery } from "./lib/url-state.js";

const stage = document.querySelector("[data-demo-widget]");
// The widget's description (app/widgets/registry.py), rendered by the server: which keys move which slider.
const spec = JSON.parse(document.getElementById("widget-spec").textContent);
const status = document.querySelector('[data-role="demo-status"]');
const dialog = document.querySelector('[data-role="keys-dialog"]');

function say(message) {
  status.textContent = message;
}

function typingInto(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
  return target.tagName === "INPUT" && target.type !== "range" && target.type !== "checkbox" && target.type !== "radio";
}

function toggleKeys() {
  if (dialog.open) dialog.close();
  else dialog.showModal();
}

async function toggleFullscreen() {
  try {
    if (document.fullscreenElement) await document.exitFullscreen();
    else await document.documentElement.requestFullscreen();
  } catch {
    say("This browser refused full screen here; try its own full-screen key (F11).");
  }
}

async function copyLink() {
  const url = window.location.href;
  try {
    await navigator.clipboard.writeText(url);
    say(`Link copied: ${url}`);
  } catch {
    say(`Copy this link: ${url}`);   // clipboard blocked: the link is shown, ready to select
  }
}

const ARROWS = { ArrowRight: ["sideways", 1], ArrowLeft: ["sideways", -1], ArrowUp: ["updown", 1], ArrowDown: ["updown", -1] };

/** The actions a key can trigger on an explorer; null when that explorer has no such control. */
function keyAction(explorer, event) {
  if (ARROWS[event.key]) {
    const [keys, sign] = ARROWS[event.key];
    const binding = spec.keys.find((k) => k.keys === keys);
    const positions = binding && sign * binding.positions * (event.shiftKey ? 5 : 1);
    return binding && (() => nudgeParam(explorer, binding.param, positions));
  }
  if (event.key === "r" || event.key === "R") return () => { explorer.reset(); say("Reset to the starting view."); };
  if (/^[1-9]$/.test(event.key)) {
    const name = explorer.presetNames[Number(event.key) - 1];
    return name && (() => { explorer.loadPreset(name); say(`Preset ${event.key}: ${presetLabel(explorer.root, name)}.`); });
  }
  return null;
}

function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (typingInto(event.target)) return;             // "2" or "?" typed into a field is text, not a command
  if (event.key === "?") { event.preventDefault(); toggleKeys(); return; }
  if (dialog.open) return;
  // A focused slider already moves itself with the arrow keys; don't move it twice.
  if (event.target instanceof HTMLInputElement && event.target.type === "range" && event.key.startsWith("Arrow")) return;
  if (event.key === "f" || event.key === "F") { event.preventDefault(); toggleFullscreen(); return; }
  const explorer = root && root.explorer;
  const action = explorer && keyAction(explorer, event);
  if (action) {
    event.preventDefault();
    action();
  }
}

/** Explorers that follow lib/explorer.js's protocol also get their state mirrored in the address bar. */
function followExplorer() {
  const explorer = root.explorer;
  if (!explorer || !explorer.queryState) return;
  root.addEventListener(CHANGE_EVENT, () => replaceQuery(explorer.queryState()));
  replaceQuery(explorer.queryState());
}

// The presenter tools work for every demo, whether or not its widget follows the explorer protocol.
const root = stage && stage.querySelector("[data-widget]");
document.addEventListener("keydown", onKey);
document.querySelector('[data-demo-action="keys"]').addEventListener("click", toggleKeys);
document.querySelector('[data-demo-action="fullscreen"]').addEventListener("click", toggleFullscreen);
document.querySelector('[data-demo-action="copy-link"]').addEventListener("click", copyLink);
if (root && root.explorer) followExplorer();
else if (root) root.addEventListener("explorer:ready", followExplorer, { once: true });
document.body.dataset.demoReady = "true";
