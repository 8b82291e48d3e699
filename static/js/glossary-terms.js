// Glossary terms in lesson text (links woven in by app/content/weave.py): the definition appears beside
// the term on hover, on keyboard focus, or on a first tap (a second tap follows the link to the glossary).
// It stays while the pointer moves onto it and goes with Esc. Screen readers get the same text through
// each link's aria-describedby, so the visible card is hidden from them.
const definitions = document.querySelector(".term-definitions");
const HIDE_AFTER_MS = 250;

function makeCard() {
  const card = document.createElement("div");
  card.className = "term-card";
  card.setAttribute("aria-hidden", "true");
  card.hidden = true;
  const name = Object.assign(document.createElement("p"), { className: "term-card-name" });
  const text = Object.assign(document.createElement("p"), { className: "term-card-text" });
  const where = Object.assign(document.createElement("p"), { className: "term-card-where" });
  card.append(name, text, where);
  document.body.append(card);
  return card;
}

function start() {
  const card = makeCard();
  let shownFor = null;
  let hideTimer = 0;
  let lastPointer = "mouse";
  let shownAtPointerDown = null;

  function place(link) {
    const box = link.getBoundingClientRect();
    const width = Math.min(22 * 16, document.documentElement.clientWidth - 16);
    card.style.width = `${width}px`;
    const left = Math.max(8, Math.min(box.left, document.documentElement.clientWidth - width - 8));
    const below = box.bottom + 6;
    const above = box.top - 6 - card.offsetHeight;
    const top = below + card.offsetHeight > window.innerHeight && above > 0 ? above : below;
    card.style.left = `${left + window.scrollX}px`;
    card.style.top = `${top + window.scrollY}px`;
  }

  function show(link) {
    clearTimeout(hideTimer);
    const definition = document.getElementById(link.getAttribute("aria-describedby"));
    if (!definition) return;
    card.querySelector(".term-card-name").textContent = definition.dataset.termName;
    card.querySelector(".term-card-text").textContent = definition.textContent.trim();
    const hint = lastPointer === "touch" ? " Tap the term again for its glossary entry." : "";
    card.querySelector(".term-card-where").textContent = `Taught in ${definition.dataset.taught}.${hint}`;
    card.hidden = false;
    card.dataset.term = link.dataset.term;
    shownFor = link;
    place(link);
  }

  function hide() {
    clearTimeout(hideTimer);
    card.hidden = true;
    shownFor = null;
  }

  const hideSoon = () => { clearTimeout(hideTimer); hideTimer = setTimeout(hide, HIDE_AFTER_MS); };
  const termOf = (event) => event.target.closest?.("a.term[aria-describedby]");

  document.addEventListener("pointerover", (event) => { const link = termOf(event); if (link && event.pointerType === "mouse") show(link); });
  document.addEventListener("pointerout", (event) => { if (termOf(event) && event.pointerType === "mouse") hideSoon(); });
  card.addEventListener("pointerenter", () => clearTimeout(hideTimer));
  card.addEventListener("pointerleave", hideSoon);
  document.addEventListener("focusin", (event) => { const link = termOf(event); if (link) show(link); });
  document.addEventListener("focusout", (event) => { if (termOf(event)) hideSoon(); });
  document.addEventListener("pointerdown", (event) => {
    lastPointer = event.pointerType;
    shownAtPointerDown = shownFor;
    if (!termOf(event) && !card.contains(event.target)) hide();
  });
  document.addEventListener("click", (event) => {
    const link = termOf(event);
    // A touch has no hover: the first tap shows the definition (the tap's focus may already have), a
    // second tap on the same term follows the link. Keyboard and mouse clicks always follow it.
    if (link && event.detail > 0 && lastPointer !== "mouse" && shownAtPointerDown !== link) {
      event.preventDefault();
      show(link);
    }
  });
  document.addEventListener("keydown", (event) => {
    lastPointer = "keyboard";
    if (event.key === "Escape" && !card.hidden) hide();
  });
  window.addEventListener("resize", () => { if (shownFor) place(shownFor); });
}

if (definitions) start();
