// A page's one class socket (WS /api/classes/{code}/socket), for leading or following.
//
// The first message says the role ({"type": "lead", "control": …} or {"type": "follow"}): the
// instructor's secret never appears in a URL. After a drop (Wi-Fi, a sleeping phone, a server restart)
// it reconnects with growing, jittered delays, and the server's welcome brings the page the class's
// current state. It stops for good when the class has ended or refused this page.
import { ApiError, describeError } from "../lib/api.js";

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];
const REPLY_TIMEOUT_MS = 15000;
// Closed on purpose: the class ended (1000), this page broke a rule (1008, 1009), or the server refused
// it (4403 forbidden, 4404 no such class, 4422, 4429 too many). Anything else is worth another try.
const FINAL = new Set([1000, 1008, 1009, 4403, 4404, 4422, 4429]);

export class ClassSocket {
  /**
   * hello: the first message. onMessage(message) gets every message but replies; onStatus(status, detail)
   * hears "connecting", "open", "retrying" (detail: seconds), "closed" (detail: why, for people; then the
   * close code).
   */
  constructor(code, hello, { onMessage, onStatus }) {
    this.url = new URL(`/api/classes/${encodeURIComponent(code)}/socket`, window.location.href);
    this.url.protocol = this.url.protocol === "https:" ? "wss:" : "ws:";
    this.hello = hello;
    this.onMessage = onMessage;
    this.onStatus = onStatus;
    this.attempt = 0;
    this.nextId = 1;
    this.pending = new Map();   // id → { resolve, reject, timer, fallback }
    this.stopped = false;
    this.ws = null;
    this.welcomed = false;
  }

  get open() {
    return Boolean(this.ws && this.ws.readyState === WebSocket.OPEN && this.welcomed);
  }

  connect() {
    if (this.stopped) return;
    this.onStatus("connecting");
    const ws = new WebSocket(this.url);
    this.ws = ws;
    this.welcomed = false;
    let lastError = "";
    ws.addEventListener("open", () => ws.send(JSON.stringify(this.hello)));
    ws.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === "welcome") {
        this.welcomed = true;
        this.attempt = 0;
        this.onStatus("open");
      }
      if (message.type === "reply") this.settle(message);
      else if (message.type === "error" && message.final) lastError = message.detail;
      else this.onMessage(message);
    });
    ws.addEventListener("close", (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.welcomed = false;
      for (const [id, request] of this.pending) {   // asked on this socket: ask again the page's usual way
        clearTimeout(request.timer);
        this.pending.delete(id);
        request.fallback();
      }
      if (this.stopped) return;
      if (FINAL.has(event.code)) {
        this.stopped = true;
        this.onStatus("closed", lastError || event.reason || "The class has ended.", event.code);
        return;
      }
      const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
      const delay = base * (0.7 + 0.6 * Math.random());
      this.attempt += 1;
      this.onStatus("retrying", Math.ceil(delay / 1000));
      setTimeout(() => this.connect(), delay);
    });
  }

  send(message) {
    if (!this.open) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  /** Send a message that the server answers with {"type": "reply", id}; `fallback()` runs if the socket drops first. */
  request(message, fallback) {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ApiError("The server took too long to answer.", 0));
      }, REPLY_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer, fallback: () => fallback().then(resolve, reject) });
      if (!this.send({ ...message, id })) {
        clearTimeout(timer);
        this.pending.delete(id);
        fallback().then(resolve, reject);
      }
    });
  }

  settle(reply) {
    const request = this.pending.get(reply.id);
    if (!request) return;
    this.pending.delete(reply.id);
    clearTimeout(request.timer);
    if (reply.status === 200) request.resolve(reply.body);
    else request.reject(new ApiError(describeError(reply.status, reply.body), reply.status));
  }

  /** Stop for good (the page ends the class, or leaves it). */
  close() {
    this.stopped = true;
    if (this.ws) this.ws.close(1000);
  }
}
