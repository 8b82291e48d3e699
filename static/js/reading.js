// Where the learner is in a lesson: `last` (the section in view, for "Continue where you left off") and
// `read` (the furthest section reached), saved a moment after the page settles and when it is left.
import { store } from "./lib/store.js";

const article = document.querySelector("article.lesson[data-slug]");
const SAVE_AFTER_MS = 1500;

function start() {
  const slug = article.dataset.slug;
  // The contents list gives the sections in reading order (templates/lesson.html).
  const anchors = [...article.querySelectorAll('.toc a[href^="#"]')].map((a) => decodeURIComponent(a.hash.slice(1)));
  const targets = anchors.map((id) => document.getElementById(id)).filter(Boolean);
  if (!targets.length) return;
  const order = new Map(targets.map((el, i) => [el.id, i]));
  const rank = (id) => (order.has(id) ? order.get(id) : -1);
  let furthest = store.lesson(slug).read?.section ?? null;   // as saved
  let reached = null;                                        // furthest seen since the last save
  let pending = null;                                        // the section in view, not yet saved
  let timer = 0;

  // The section in view: the last one whose top has passed a line a third of the way down the window;
  // at the very bottom of the page, the last section.
  function current() {
    if (window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2) return targets.at(-1).id;
    const line = window.innerHeight / 3;
    let found = targets[0];
    for (const el of targets) if (el.getBoundingClientRect().top <= line) found = el;
    return found.id;
  }

  function save() {
    clearTimeout(timer);
    timer = 0;
    if (pending === null) return;
    const further = reached !== null && rank(reached) > rank(furthest) ? reached : null;
    store.saveVisit(slug, pending, further);
    if (further) furthest = further;
    pending = null;
    reached = null;
  }

  function note() {
    pending = current();
    if (reached === null || rank(pending) > rank(reached)) reached = pending;
    if (!timer) timer = setTimeout(save, SAVE_AFTER_MS);
  }

  let ticking = false;
  window.addEventListener("scroll", () => {
    if (ticking) return;
    ticking = true;
    requestAnimationFrame(() => { ticking = false; note(); });
  }, { passive: true });
  window.addEventListener("hashchange", note);
  window.addEventListener("pagehide", save);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") save(); });
  note();
}

if (article) start();
