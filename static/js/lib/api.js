// JSON over fetch, with errors people can read: a 422 names the field that was wrong.

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

/** Turn FastAPI's error body into one sentence, e.g. "temperatures → 2: Input should be greater than 0". */
export function describeError(status, body) {
  const detail = body && body.detail;
  if (Array.isArray(detail)) {
    return detail.map((d) => {
      const where = (d.loc || []).filter((p) => p !== "body").join(" → ");
      return where ? `${where}: ${d.msg}` : d.msg;
    }).join("; ");
  }
  if (typeof detail === "string") return detail;
  return `The server answered ${status}.`;
}

/** Why a request never reached the server, in words. */
export function unreachableMessage() {
  return navigator.onLine === false ? "You are offline, so the server cannot be reached."
    : "Could not reach the server: the connection to it is gone.";
}

/** `onResponse(response)`, if given, sees a successful response before its body is read. */
export async function postJSON(url, payload, { signal, headers, onResponse } = {}) {
  return requestJSON(url, { method: "POST", body: JSON.stringify(payload), signal, headers, onResponse });
}

export async function requestJSON(url, { method = "GET", body, signal, headers = {}, onResponse } = {}) {
  let response;
  try {
    response = await fetch(url, {
      method, body, signal,
      headers: { ...(body ? { "Content-Type": "application/json" } : {}), ...headers },
    });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(unreachableMessage(), 0);
  }
  if (response.ok) onResponse?.(response);
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(describeError(response.status, data), response.status);
  return data;
}

/**
 * Keep a widget's chart in step with its controls while they move fast: one request in flight at a
 * time, and only the newest state is ever drawn. An answer for a state the controls have already
 * left is dropped, and the newest state is sent instead, so the chart never shows an older value
 * than the slider and never waits behind a queue of stale requests.
 */
export function latestOnly(fetchFor, render, onError) {
  let wanted = null;      // the newest state asked for
  let inFlight = false;
  let version = 0;        // bumps each time the wanted state changes
  let unreached = false;  // the newest state never reached the server: ask again when the connection is back

  async function pump() {
    if (inFlight || wanted === null) return;
    inFlight = true;
    const state = wanted;
    const asked = version;
    try {
      const answer = await fetchFor(state);
      unreached = false;
      if (asked === version) render(answer, state);
    } catch (err) {
      unreached = err instanceof ApiError && err.status === 0;
      // An explorer's chart stays as it was: say so, and that it catches up by itself.
      const shown = unreached ? new ApiError(`${err.message} The chart keeps the last state it drew and updates `
        + "when the connection is back.", 0) : err;
      if (asked === version) onError(shown, state);
    } finally {
      inFlight = false;
      if (asked !== version) pump();
    }
  }

  window.addEventListener("online", () => { if (unreached) pump(); });

  function request(state) {
    wanted = state;
    version += 1;
    pump();
  }
  /** Forget the state asked for: an answer on its way is dropped (the caller drew the state another way). */
  request.cancel = () => {
    wanted = null;
    version += 1;
  };
  return request;
}
