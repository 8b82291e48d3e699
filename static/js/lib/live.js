// The explorers' requests over one WebSocket per page (WS /api/live), falling back to POST.
//
// A fetch() costs the browser about 4 ms of its own per request on a small machine; a message on an open
// WebSocket about 0.6 ms. Slider moves are many and small, so they go over the socket when it is open.
// The server answers with exactly what POST /api/kd/* would (app/web/live.py); while the socket is
// connecting, closed or refused, requests simply take the POST path, so a page never depends on it.
import { ApiError, describeError, postJSON } from "./api.js";

const ANSWER_TIMEOUT_MS = 15000;
const RETRY_AFTER_MS = 3000;
const GIVE_UP_AFTER_FAILURES = 3;   // a server or proxy without WebSockets: stop trying, POST works

let socket = null;
let nextId = 1;
let failures = 0;
let lastAttempt = -Infinity;
const pending = new Map();   // id → { resolve, reject, timer, fallback }

function open() {
  if (socket || failures >= GIVE_UP_AFTER_FAILURES || performance.now() - lastAttempt < RETRY_AFTER_MS) return;
  if (typeof WebSocket === "undefined") return;
  lastAttempt = performance.now();
  const url = new URL("/api/live", window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  let ws;
  try {
    ws = new WebSocket(url);
  } catch {
    failures += 1;
    return;
  }
  socket = ws;
  let opened = false;
  ws.addEventListener("open", () => { opened = true; failures = 0; });
  ws.addEventListener("message", (event) => settle(event.data));
  ws.addEventListener("close", () => {
    if (!opened) failures += 1;
    socket = null;
    // Whatever was asked on this socket is asked again over POST: the server may well still be there.
    for (const [id, request] of pending) {
      clearTimeout(request.timer);
      pending.delete(id);
      request.fallback();
    }
  });
}

function settle(data) {
  let reply;
  try {
    reply = JSON.parse(data);
  } catch {
    return;
  }
  const request = pending.get(reply.id);
  if (!request) return;
  pending.delete(reply.id);
  clearTimeout(request.timer);
  if (reply.status === 200) request.resolve(reply.body);
  else request.reject(new ApiError(describeError(reply.status, reply.body), reply.status));
}

let route = null;   // a class session's own path for requests (static/js/class/*.js), or null

/**
 * Let a class session answer the explorers' requests: `fn(path, payload)` returns a promise of the
 * answer, or null to let the request go its usual way. The instructor's page sends its requests through
 * the class socket (the server computes each once for the whole room); a follower's page takes the
 * answers the instructor's requests already got.
 */
export function routeLiveRequests(fn) {
  route = fn;
}

/** POST `payload` to `path` (an /api/kd endpoint) and return the answer, over the live socket when it is open. */
export function liveJSON(path, payload) {
  const routed = route && route(path, payload);
  if (routed) return routed;
  // Offline, a socket may look open for a long while before it notices; POST fails at once and says why.
  if (navigator.onLine === false) return postJSON(path, payload);
  open();
  if (!socket || socket.readyState !== WebSocket.OPEN) return postJSON(path, payload);
  const ws = socket;
  return new Promise((resolve, reject) => {
    const id = nextId++;
    const fallback = () => postJSON(path, payload).then(resolve, reject);
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new ApiError("The server took too long to answer.", 0));
    }, ANSWER_TIMEOUT_MS);
    pending.set(id, { resolve, reject, timer, fallback });
    try {
      ws.send(JSON.stringify({ id, path, body: payload }));
    } catch {
      clearTimeout(timer);
      pending.delete(id);
      fallback();
    }
  });
}
