// Light or dark. The reader's choice is a cookie, so the server renders each page in it (<html
// data-theme>, templates/base.html): no flash, and no script before the first paint. Without a choice
// the system's setting rules (prefers-color-scheme, through CSS light-dark() in app.css).

/** Sent on document when the page's look changes (theme here, type size on demo pages); charts restyle. */
export const LOOK_EVENT = "brewslm:look";
const COOKIE = "brewslm-theme";
const YEAR_SECONDS = 365 * 24 * 3600;
const systemDark = window.matchMedia("(prefers-color-scheme: dark)");

export function chosenTheme() {
  const match = document.cookie.match(/(?:^|;\s*)brewslm-theme=(light|dark)(?:;|$)/);
  return match ? match[1] : null;
}

export function currentTheme() {
  return chosenTheme() || (systemDark.matches ? "dark" : "light");
}

function markButtons() {
  document.querySelectorAll("[data-theme-toggle]").forEach((button) => {
    button.setAttribute("aria-pressed", String(currentTheme() === "dark"));
  });
}

function announce() {
  markButtons();
  document.dispatchEvent(new CustomEvent(LOOK_EVENT));
}

export function setTheme(theme) {
  document.cookie = `${COOKIE}=${theme}; Max-Age=${YEAR_SECONDS}; Path=/; SameSite=Lax`;
  document.documentElement.dataset.theme = theme;
  announce();
}

/** Wire the header's theme button; keep charts in step when the system's setting changes. */
export function startThemeToggle() {
  const chosen = chosenTheme();
  // A page kept for offline use may have been rendered before the reader chose otherwise.
  if (chosen && document.documentElement.dataset.theme !== chosen) document.documentElement.dataset.theme = chosen;
  document.querySelectorAll("[data-theme-toggle]").forEach((button) => {
    button.addEventListener("click", () => setTheme(currentTheme() === "dark" ? "light" : "dark"));
  });
  systemDark.addEventListener("change", () => { if (!chosenTheme()) announce(); });
  markButtons();   // the page was rendered in its theme: nothing to redraw yet
}
