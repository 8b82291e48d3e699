// Presenter view (/demo/NAME): keys that mean one thing wherever the focus is (except in a text field,
// which Esc leaves), the state and the saved steps mirrored in the address bar, a status line saying
// what is on screen, pins, room-sized type (+/−), copy link, full screen and the key list. Works with
// any explorer that follows lib/explorer.js's protocol, so a new demo only needs its widget.
import { clearPins, pinCharts } from "./lib/charts.js";
import { CHANGE_EVENT, nudgeParam, presetLabel } from "./lib/explorer.js";
import { formatNumber, replaceQuery } from "./lib/url-state.js";
import { scaleRoomType, startRoomType } from "./demo/room-type.js";
import { Sequence, startStepsDialog } from "./demo/sequence.js";

const stage = document.querySelector("[data-demo-widget]");
// The widget's description (app/widgets/registry.py), rendered by the server: which keys move which slider.
const spec = JSON.parse(document.getElementById("widget-spec").textContent);
const status = document.querySelector('[data-role="demo-status"]');
const keysDialog = document.querySelector('[data-role="keys-dialog"]');
const stepsDialog = document.querySelector('[data-role="steps-dialog"]');
const root = stage && stage.querySelector("[data-widget]");
let sequence = null;
let openSteps = () => say("A sequence needs a demo that follows the explorer protocol.");
let reference = null;   // the preset and lists the status compares against, to say "edited"

function say(message) {
  status.textContent = message;
}

function typingInto(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
  return target.tagName === "INPUT" && !["range", "checkbox", "radio", "button", "submit"].includes(target.type);
}

function toggleKeys() {
  if (keysDialog.open) keysDialog.close();
  else keysDialog.showModal();
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

/**
 * The explorer's values as people read them, ["T = 3.31", "alpha = 0.50"]: what a pin is called and what
 * the status lists. Its sliders say it best (their aria-valuetext); else the numbers of its state.
 */
function valuesOf(explorer) {
  const sliders = [...explorer.root.querySelectorAll('input[type="range"][aria-valuetext]')];
  if (sliders.length) return sliders.map((s) => s.getAttribute("aria-valuetext"));
  return Object.entries(explorer.queryState()).filter(([, v]) => typeof v === "number").map(([k, v]) => `${k} = ${formatNumber(v)}`);
}

function listsOf(state) {
  return JSON.stringify(Object.entries(state).filter(([, v]) => Array.isArray(v)));
}

/** One line for what is on screen now: the preset (and whether its numbers were edited), then the values. */
function describe(explorer) {
  if (explorer.describeState) return explorer.describeState();
  const state = explorer.queryState();
  const parts = valuesOf(explorer);
  if (state.preset) {
    const edited = reference && reference.preset === state.preset && reference.lists !== listsOf(state);
    parts.unshift(`${presetLabel(explorer.root, state.preset)}${edited ? " (edited)" : ""}`);
  }
  return parts.join(" · ");
}

function showStatus() {
  const explorer = root.explorer;
  const step = sequence.current();
  if (!step) {
    say(describe(explorer));
    return;
  }
  const caption = document.createElement("span");
  caption.dataset.role = "step-caption";
  caption.textContent = `Step ${step.number} of ${step.of}${step.caption ? `: ${step.caption}` : ""}`;
  status.replaceChildren(caption, ` · ${describe(explorer)}`);
}

/** Take what is on screen as the view the status compares against (after a preset, a step, a reset). */
function settle() {
  const state = root.explorer.queryState();
  reference = { preset: state.preset, lists: listsOf(state) };
  showStatus();
}

function updateAddress() {
  replaceQuery(root.explorer.queryState(), sequence.query());
}

function step(move) {
  if (!sequence.steps.length) {
    say("No saved sequence yet: open Sequence… to add the views of your talk.");
    return;
  }
  if (!move()) say(`No ${sequence.at <= 0 ? "earlier" : "further"} step: this is step ${sequence.at + 1} of ${sequence.steps.length}.`);
  else settle();
}

function pin() {
  const explorer = root.explorer;
  const label = valuesOf(explorer).join(", ") || "this view";
  say(pinCharts(explorer.root, label) ? `Pinned ${label}: move on, and it stays on the chart. C clears the pins.`
    : "This demo's charts cannot be pinned.");
}

const ARROWS = { ArrowRight: ["sideways", 1], ArrowLeft: ["sideways", -1], ArrowUp: ["updown", 1], ArrowDown: ["updown", -1] };

/** What a key does on this demo; a function to run, or null to let the browser have the key. */
function keyAction(event) {
  const explorer = root && root.explorer;
  switch (event.key) {
    case "?": return toggleKeys;
    case "f": case "F": return toggleFullscreen;
    case "+": case "=": return () => say(`Type size ${scaleRoomType(+1)}×.`);
    case "-": case "−": case "_": return () => say(`Type size ${scaleRoomType(-1)}×.`);
    case "0": return () => say(`Type size ${scaleRoomType(0)}×.`);
    default: break;
  }
  if (!explorer) return null;
  if (ARROWS[event.key]) {
    // Arrows always belong to the demo: a focused slider does not also move itself, the page never
    // scrolls, and an arrow this demo does not use does nothing.
    const [keys, sign] = ARROWS[event.key];
    const binding = spec.keys.find((k) => k.keys === keys);
    return () => binding && nudgeParam(explorer, binding.param, sign * binding.positions * (event.shiftKey ? 5 : 1));
  }
  switch (event.key) {
    case "PageDown": return () => step(() => sequence.next());
    case "PageUp": return () => step(() => sequence.previous());
    case "p": case "P": return pin;
    case "c": case "C": return () => { clearPins(explorer.root); say("Pins cleared."); };
    case "r": case "R": return () => { explorer.reset(); settle(); };
    default: break;
  }
  if (/^[1-9]$/.test(event.key)) {
    const name = explorer.presetNames[Number(event.key) - 1];
    return name ? () => { explorer.loadPreset(name); settle(); } : null;
  }
  return null;
}

function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (stepsDialog.open) return;                          // its own field and buttons; Esc closes it
  if (keysDialog.open) {
    if (event.key === "?") { event.preventDefault(); keysDialog.close(); }
    return;
  }
  if (typingInto(event.target)) {                        // "2" or "?" typed into a field is text, not a command
    if (event.key === "Escape") {
      event.preventDefault();
      event.target.blur();
      say("Left the text field: the keys drive the demo again.");
    }
    return;
  }
  const action = keyAction(event);
  if (action) {
    event.preventDefault();
    action();
  }
}

/** Explorers that follow lib/explorer.js's protocol get the address bar, the status line and the steps. */
function followExplorer() {
  const explorer = root.explorer;
  if (!explorer || !explorer.queryState) return;
  sequence = new Sequence(explorer, JSON.parse(document.getElementById("demo-sequence").textContent));
  root.addEventListener(CHANGE_EVENT, () => {
    if (reference && reference.preset !== explorer.queryState().preset) settle();   // a preset button was pressed
    else showStatus();
    updateAddress();
  });
  openSteps = startStepsDialog(stepsDialog, sequence, { changed: updateAddress, shown: settle });
  updateAddress();
  settle();
}

// The presenter tools work for every demo, whether or not its widget follows the explorer protocol.
startRoomType();
document.addEventListener("keydown", onKey);
const buttons = { keys: toggleKeys, fullscreen: toggleFullscreen, "copy-link": copyLink, steps: () => openSteps(),
                  pin: () => root && root.explorer && pin(), "clear-pins": () => root && clearPins(root) };
for (const [action, run] of Object.entries(buttons)) {
  document.querySelector(`[data-demo-action="${action}"]`).addEventListener("click", run);
}
if (root && root.explorer) followExplorer();
else if (root) root.addEventListener("explorer:ready", followExplorer, { once: true });
document.body.dataset.demoReady = "true";
