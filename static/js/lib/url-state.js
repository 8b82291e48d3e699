// An explorer's state as query-string text, the one format shared by lesson directives
// (`::: widget alpha preset=wrong-teacher`), demo URLs (/demo/alpha?alpha=0.3&T=4) and copied links.
// The server validates demo query strings and lesson parameters against the widget's description
// (app/widgets/registry.py, app/widgets/state.py) before a widget ever sees them.

/** Parameters the server handed to the widget: data-params='{"T": "3.3", ...}' (strings). */
export function readParams(root) {
  try {
    const params = JSON.parse(root.dataset.params || "{}");
    return params && typeof params === "object" ? params : {};
  } catch {
    return {};
  }
}

export function numberParam(text, fallback) {
  const n = Number(text);
  return text !== undefined && text !== "" && Number.isFinite(n) ? n : fallback;
}

export function listParam(text, fallback) {
  if (typeof text !== "string" || text === "") return fallback;
  const values = text.split(",").map(Number);
  return values.every(Number.isFinite) ? values : fallback;
}

/** Short, exact-enough text for a number: 3.31, 0.5, -2 (never 3.3100000000000001). */
export function formatNumber(x) {
  return String(Number(x.toFixed(4)));
}

/** {T: 3.31, logits: [4.6, 0], preset: "peaky"} -> "preset=peaky&T=3.31&logits=4.6,0" */
export function toQuery(state) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(state)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) params.set(key, value.map(formatNumber).join(","));
    else if (typeof value === "number") params.set(key, formatNumber(value));
    else params.set(key, String(value));
  }
  // Commas are safe in a query string and far easier to read in a link than %2C.
  return params.toString().replaceAll("%2C", ",");
}

export function demoHref(widget, state) {
  return `/demo/${widget}?${toQuery(state)}`;
}

/** Keep the address bar equal to the state (and `extra`, more query text), without adding history entries. */
export function replaceQuery(state, extra = "") {
  const url = `${window.location.pathname}?${[toQuery(state), extra].filter(Boolean).join("&")}`;
  if (url !== `${window.location.pathname}${window.location.search}`) window.history.replaceState(null, "", url);
}
