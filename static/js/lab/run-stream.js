// One live run: POST /api/runs, then its Server-Sent Events through EventSource. Or a run this page did
// not start: one it started before a reload (`adopt`), or a class's run relayed without its id (`watch`).
// EventSource reconnects by itself after a dropped connection and sends Last-Event-ID, so the server
// resumes after the last event this page saw; we close it ourselves on the run's last event.
import { postJSON, requestJSON } from "../lib/api.js";

export class LiveRun {
  /**
   * handlers: onStep(record), onDone(final), onEnd(status, reason) for cancelled/failed,
   * onConnection(ok) when the stream drops (EventSource retries) and comes back.
   */
  constructor(config, handlers) {
    this.config = config;
    this.handlers = handlers;
    this.id = null;
    this.status = "starting";
    this.source = null;
  }

  /** Throws ApiError (422 naming the field, 429 with the server's reason, 0 when unreachable). */
  async start() {
    const created = await postJSON("/api/runs", this.config);
    this.id = created.id;
    this.status = created.status;
    this.watch(created.events_url);
  }

  /** Follow this page's own run `id` again (after a reload): its events so far, then the live ones. */
  adopt(id) {
    this.id = id;
    this.watch(`/api/runs/${encodeURIComponent(id)}/events`);
  }

  /** Follow the run's events at `url`; a run watched without its id cannot be cancelled from here. */
  watch(url) {
    if (this.status === "starting") this.status = "queued";
    const source = new EventSource(url);
    this.source = source;
    const on = (type, fn) => source.addEventListener(type, (e) => fn(JSON.parse(e.data)));
    source.addEventListener("open", () => this.handlers.onConnection(true));
    on("step", (record) => {
      this.status = "running";
      this.handlers.onStep(record);
    });
    on("done", (final) => this.finish("done", () => this.handlers.onDone(final)));
    on("cancelled", (data) => this.finish("cancelled", () => this.handlers.onEnd("cancelled", data.reason)));
    source.addEventListener("error", (e) => {
      if (e.data) {  // the server's own `event: error`: the run failed, with a reason
        const { reason } = JSON.parse(e.data);
        this.finish("failed", () => this.handlers.onEnd("failed", reason));
      } else if (source.readyState === EventSource.CLOSED) {
        this.finish("failed", () => this.handlers.onEnd("failed",
          "the connection to the server was lost and the run could not be resumed (was the server restarted?)"));
      } else {
        this.handlers.onConnection(false);  // EventSource is already retrying
      }
    });
  }

  /** Stop following (the run goes on on the server). */
  close() {
    if (this.source) this.source.close();
  }

  finish(status, notify) {
    if (this.source) this.source.close();
    if (this.status === "done" || this.status === "cancelled" || this.status === "failed") return;
    this.status = status;
    notify();
  }

  get active() {
    return ["starting", "queued", "running"].includes(this.status);
  }

  /** Ask the server to stop the run; the `cancelled` event then ends the stream. */
  async cancel() {
    if (!this.id || !this.active) return;
    const answer = await requestJSON(`/api/runs/${encodeURIComponent(this.id)}`, { method: "DELETE" });
    if (answer.status === "cancelled") {
      this.finish("cancelled", () => this.handlers.onEnd("cancelled", "cancelled"));
    }
  }
}
