// A presenter's saved sequence of views (T = 1 → 2 → 3.31 → 10, each with a caption), kept in the
// address as repeated `seq` parameters (app/web/demo_sequence.py cleans them) and stepped with
// PageDown / PageUp. Built on the explorer protocol (queryState / loadState), so it works for every demo.
import { toQuery } from "../lib/url-state.js";

const SEQ_KEY = "seq";

/** An explorer's state as link parameters (text), the form a step keeps. */
export function stateParams(explorer) {
  return Object.fromEntries(new URLSearchParams(toQuery(explorer.queryState())));
}

export class Sequence {
  /** steps: [{params: {T: "2", …}, caption: "…"}], as the server cleaned them from the address. */
  constructor(explorer, steps) {
    this.explorer = explorer;
    this.steps = steps;
    this.at = -1;           // the step last shown, −1 before the first
    this.shownState = null; // its state as query text, to tell whether it is still on screen
  }

  /** The sequence as query text for the address. */
  query() {
    const params = new URLSearchParams();
    for (const { params: state, caption } of this.steps) params.append(SEQ_KEY, toQuery({ ...state, caption: caption || undefined }));
    return params.toString().replaceAll("%2C", ",");
  }

  add(caption) {
    this.steps.push({ params: stateParams(this.explorer), caption: caption.trim() });
  }

  remove(index) {
    this.steps.splice(index, 1);
    if (this.at >= index) this.at -= 1;
  }

  clear() {
    this.steps = [];
    this.at = -1;
  }

  /** Show step `index` (over the state the page opened with, so a step may set only T). */
  show(index) {
    if (index < 0 || index >= this.steps.length) return false;
    this.at = index;
    this.explorer.loadState({ ...this.explorer.initial, ...this.steps[index].params });
    this.shownState = toQuery(this.explorer.queryState());
    return true;
  }

  next() { return this.show(this.at + 1); }
  previous() { return this.show(this.at - 1); }

  /** The step on screen now, or null once something has moved since it was shown. */
  current() {
    const onScreen = this.at >= 0 && this.shownState === toQuery(this.explorer.queryState());
    return onScreen ? { number: this.at + 1, of: this.steps.length, caption: this.steps[this.at].caption } : null;
  }
}

/** The Sequence… dialog: the list (show, remove), and "add this view" with a caption. `changed()` after each edit. */
export function startStepsDialog(dialog, sequence, { changed, shown }) {
  const el = (role) => dialog.querySelector(`[data-role="${role}"]`);
  const render = () => {
    el("steps-list").replaceChildren(...sequence.steps.map((step, i) => {
      const item = document.createElement("li");
      if (i === sequence.at) item.setAttribute("aria-current", "step");
      const caption = document.createElement("span");
      caption.textContent = step.caption || "(no caption)";
      const state = document.createElement("span");
      state.className = "step-state";
      state.textContent = toQuery(step.params) || "the view the link opened";
      const show = button("Show", () => { sequence.show(i); shown(); render(); });
      const remove = button("Remove", () => { sequence.remove(i); changed(); render(); });
      show.setAttribute("aria-label", `Show step ${i + 1}`);
      remove.setAttribute("aria-label", `Remove step ${i + 1}`);
      item.append(caption, " ", show, " ", remove, state);
      return item;
    }));
    el("steps-empty").hidden = sequence.steps.length > 0;
  };
  el("step-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sequence.add(el("step-caption").value);
    el("step-caption").value = "";
    changed();
    render();
  });
  el("steps-clear").addEventListener("click", () => { sequence.clear(); changed(); render(); });
  el("steps-close").addEventListener("click", () => dialog.close());
  return () => { render(); dialog.showModal(); el("step-caption").focus(); };
}

function button(text, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "button button-secondary button-small";
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}
