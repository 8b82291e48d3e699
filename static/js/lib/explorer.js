// What every explorer shares: start-up with a readable error, the "changed" event, and the lesson's
// "Open in demo mode" link kept equal to the explorer's current state.
//
// An explorer object offers: root, name (its /demo/NAME), queryState() (what a link must carry, keyed by
// the parameter names of the widget's description, app/widgets/registry.py), loadState(params) (show a
// state given as link parameters, text as in a query string: a presenter's saved step, a class's state;
// reset() still returns to the state the page opened with), presetNames (loadPreset(name) when there are
// any), reset(), sliders (parameter name → LogSlider, or anything with nudge(positions)) for the demo keys,
// and optionally describeState() (one line for the demo's status; demo.js builds one otherwise). Charts
// drawn with lib/charts.js reactChart can be pinned.
// One with live runs also offers classRuns(), adoptRuns(runs), followRuns(runs, code) and
// showClassRuns(on) (static/js/widgets/live-run.js), which a class session uses.
import { demoHref, numberParam } from "./url-state.js";

export const CHANGE_EVENT = "explorer:change";
// An explorer whose state includes live runs (the lab) fires this when the runs on its charts change.
export const RUNS_EVENT = "explorer:runs";

/** What every explorer does the same way: open on the link's state, and go back to it on reset. */
export class Explorer {
  start(params) {
    this.initial = params;
    this.loadState(params);
  }

  reset() {
    this.loadState(this.initial);
  }
}

/** Tell listeners (demo link, address bar, demo keys) that the explorer's state moved. */
export function announceChange(root) {
  root.dispatchEvent(new CustomEvent(CHANGE_EVENT));
}

export function showWidgetError(root, message) {
  const box = root.querySelector('[data-role="error"]');
  if (!box) return;
  box.textContent = message;
  box.hidden = !message;
}

/** Call `pick(name)` when one of the widget's preset buttons (data-preset-choice) is pressed. */
export function onPresetClick(root, pick) {
  root.querySelectorAll("[data-preset-choice]").forEach((button) => {
    button.addEventListener("click", () => pick(button.dataset.presetChoice));
  });
}

/** A preset's name as its button reads, without the demo page's key number. */
export function presetLabel(root, name) {
  const button = root.querySelector(`[data-preset-choice="${name}"]`);
  return button ? button.textContent.replace(/^\d\s*/, "").trim() : "";
}

/** Show which preset is loaded (aria-pressed on its button, false on the others). */
export function markPreset(root, name) {
  root.querySelectorAll("[data-preset-choice]").forEach((button) => {
    button.setAttribute("aria-pressed", String(button.dataset.presetChoice === name));
  });
}

/** Set each slider (parameter name → LogSlider) from a link's or lesson's text parameters, else its default. */
export function setSliders(sliders, params) {
  for (const [key, slider] of Object.entries(sliders)) slider.set(numberParam(params[key], slider.defaultValue), "init");
}

/** Move the slider of parameter `param` by `positions` steps; false when the explorer has no such slider. */
export function nudgeParam(explorer, param, positions) {
  const slider = explorer.sliders && explorer.sliders[param];
  if (!slider) return false;
  slider.nudge(positions);
  return true;
}

/** Record on the chart which state it now shows, once Plotly has drawn it (tests and the benchmark wait on it). */
export function markDrawn(chart, key, drawing) {
  Promise.resolve(drawing).then(() => { chart.dataset.drawn = key; });
}

function keepDemoLinkFresh(root, explorer) {
  const link = root.querySelector('[data-role="demo-link"]');
  if (!link) return;
  const refresh = () => { link.href = demoHref(explorer.name, explorer.queryState()); };
  root.addEventListener(CHANGE_EVENT, refresh);
  refresh();
}

/** Start an explorer on every element marked data-widget=NAME; a failure shows in the widget, not the console. */
export function startExplorers(name, Explorer) {
  for (const root of document.querySelectorAll(`[data-widget="${name}"]`)) {
    try {
      root.explorer = new Explorer(root);
      keepDemoLinkFresh(root, root.explorer);
      root.dispatchEvent(new CustomEvent("explorer:ready", { bubbles: true }));
    } catch (err) {
      showWidgetError(root, `This explorer could not start: ${err.message}`);
    }
  }
}
