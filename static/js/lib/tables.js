// Slider tables: an explorer's answers at every value a slider can reach, fetched once per state of the
// other inputs (POST /api/tables/{widget}/{param}, app/web/table_answers.py), so a drag is drawn with no
// round trip. A value the slider cannot reach (typed into the exact-value field) still asks the server.
import { latestOnly, postJSON } from "./api.js";
import { liveJSON } from "./live.js";
import { handOverTable, thisBuild } from "./offline.js";
import { nested, unpack } from "./packed.js";

// After the other inputs change (a preset, the logits, another slider), a slider's table is fetched
// again once the explorer has been still this long: typing or dragging elsewhere asks for none.
const REFRESH_AFTER_MS = 300;

/** POST a table request with the page's build. One answered before the offline worker looked after this page
 * (a first visit) is handed to it, so that the next visit asks for none. */
function fetchTable(path, body) {
  const unseenByTheWorker = !navigator.serviceWorker?.controller;
  const onResponse = (response) => {
    if (!unseenByTheWorker || response.headers.get("X-Build") !== thisBuild()) return;
    response.clone().text().then((answer) => handOverTable({ path, body: JSON.stringify(body), answer }));
  };
  return postJSON(path, body, { headers: { "X-Build": thisBuild() }, onResponse });
}

export class SliderTable {
  constructor(body, key) {
    this.key = key;
    this.values = unpack(body.values).data;          // ascending; row i answers values[i]
    this.index = new Map();
    this.values.forEach((v, i) => this.index.set(v, i));
    this.rows = Object.fromEntries(Object.entries(body.by_position).map(([k, v]) => [k, unpack(v)]));
    this.fixed = Object.fromEntries(Object.entries(body.fixed).map(([k, v]) => [k, unpack(v)]));
  }

  /** The row of an exact value, or −1 when the slider cannot reach it. */
  indexOf(value) {
    const i = this.index.get(value);
    return i === undefined ? -1 : i;
  }

  /** Row i of a per-position array, as plain (nested) arrays; a number for a per-position scalar. */
  row(name, i) {
    const { data, shape } = this.rows[name];
    const inner = shape.slice(1);
    return nested(data, inner, i * inner.reduce((a, b) => a * b, 1));
  }

  /** A fixed array, as plain (nested) arrays; a number for a scalar. */
  const(name) {
    const { data, shape } = this.fixed[name];
    return nested(data, shape);
  }

  /** The largest value a per-position or fixed array reaches anywhere in the table (for fixed axes). */
  max(name) {
    const { data } = this.rows[name] || this.fixed[name];
    let top = -Infinity;
    for (const v of data) if (v > top) top = v;
    return top;
  }

  min(name) {
    const { data } = this.rows[name] || this.fixed[name];
    let low = Infinity;
    for (const v of data) if (v < low) low = v;
    return low;
  }
}

/**
 * Where an explorer's numbers come from: its slider tables when the state is in one, else the server.
 *
 *   single.path, single.body(s) → the explorer's POST /api/kd/* endpoint and its request for a state
 *   sliders[param].path    → the table's endpoint
 *   sliders[param].body(s) → the table request: the state without that slider
 *   sliders[param].value(s)→ the slider's value in the state
 *   sliders[param].read(table, i, s) → the answer at row i, shaped as single's answer
 *   render(answer, state, table)  (table: a slider table of the state's other inputs, the one it came
 *                                  from if it did, for fixed axes; null when there is none yet)
 *
 * update(state, moved) draws the state (synchronously when a table holds it) and keeps the moved
 * slider's table fresh; engage(param) fetches a slider's table before its first move.
 */
export class ExplorerData {
  constructor({ single, sliders, render, onError }) {
    this.sliders = sliders;
    this.render = render;
    this.tables = {};        // param → SliderTable
    this.state = null;
    this.drawn = null;       // the state last drawn
    this.moved = null;       // the slider that moved last
    this.single = single;
    this.ask = latestOnly((state) => liveJSON(single.path, single.body(state)),
                          (answer, state) => this.draw(answer, state, this.anyTable(state)), onError);
    this.asking = {};        // param → the key of the table on its way
    this.failed = {};        // param → the key of a table the server would not give: not asked again
    this.fetchers = Object.fromEntries(Object.entries(sliders).map(([param, s]) => [param, latestOnly(
      // By POST, not over the live socket: the socket answers one message at a time, so a table (milliseconds
      // to tens of them, in the server's heavy lane) would hold up the answers behind it. The page's build
      // goes with it: the offline worker keeps tables per build and answers only a page of its own (static/sw.js).
      ({ key, body }) => fetchTable(s.path, body).then((answer) => new SliderTable(answer, key)),
      (table) => this.received(param, table),
      // A table that fails costs only round trips: every state can still be asked for on its own. A busy
      // server (429) or a lost connection may give it later; a refusal (4xx) would refuse it again.
      (err) => {
        if (err.status !== 429 && err.status !== 0) this.failed[param] = this.asking[param];
        this.asking[param] = null;
      },
    )]));
    this.refreshTimer = null;
  }

  keyOf(param, state) {
    return JSON.stringify(this.sliders[param].body(state));
  }

  /** A table of the current state's other inputs for `param`, whether or not it holds the value. */
  tableFor(param, state = this.state) {
    const table = this.tables[param];
    return table && state && table.key === this.keyOf(param, state) ? table : null;
  }

  /** The sliders, the one that moved last first: its table keeps the axes still while it is dragged. */
  order() {
    const params = Object.keys(this.sliders);
    return this.moved ? [this.moved, ...params.filter((p) => p !== this.moved)] : params;
  }

  /** The answer for `state` from a table, or null when no table holds it. */
  fromTables(state) {
    for (const param of this.order()) {
      const table = this.tableFor(param, state);
      const i = table ? table.indexOf(this.sliders[param].value(state)) : -1;
      if (i >= 0) return { answer: this.sliders[param].read(table, i, state), table };
    }
    return null;
  }

  /** A table of the state's other inputs (it may not hold the state itself): what fixed axes are sized by. */
  anyTable(state) {
    for (const param of this.order()) {
      const table = this.tableFor(param, state);
      if (table) return table;
    }
    return null;
  }

  /** The one slider whose value alone differs between two states (a drag seen from outside), or null. */
  onlyMoved(before, after) {
    if (!before) return null;
    const moved = Object.keys(this.sliders).filter((param) => this.keyOf(param, before) === this.keyOf(param, after)
      && this.sliders[param].value(before) !== this.sliders[param].value(after));
    return moved.length === 1 ? moved[0] : null;
  }

  update(state, moved = null) {
    // A state set from outside (a class follower's page, a demo key) says no slider, but when one slider's
    // value alone changed it is a drag all the same, and its table makes the next moves free.
    moved = moved || this.onlyMoved(this.state, state);
    this.state = state;
    if (moved && this.sliders[moved]) this.moved = moved;
    const found = this.fromTables(state);
    if (found) {
      this.ask.cancel();
      this.draw(found.answer, state, found.table);
    } else {
      this.ask(state);
    }
    if (moved && this.sliders[moved]) this.engage(moved);
    this.scheduleRefresh(moved);
  }

  /** Fetch `param`'s table as soon as its slider is touched, focused or pressed: before its first move. */
  watch(param, range) {
    for (const type of ["pointerdown", "focus", "keydown"]) range.addEventListener(type, () => this.engage(param));
  }

  /** Fetch `param`'s table for the current state unless it is here or on its way. */
  engage(param) {
    if (!this.state || !this.sliders[param]) return;
    const key = this.keyOf(param, this.state);
    if (this.tableFor(param) || this.asking[param] === key || this.failed[param] === key) return;
    this.asking[param] = key;
    this.fetchers[param]({ key, body: this.sliders[param].body(this.state) });
  }

  /** Once the explorer is still, refresh the other tables this explorer has used (never one it has not). */
  scheduleRefresh(moved) {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      for (const param of Object.keys(this.tables)) if (param !== moved) this.engage(param);
    }, REFRESH_AFTER_MS);
  }

  received(param, table) {
    this.tables[param] = table;
    this.asking[param] = null;
    // The state may be waiting on the server for an answer this table already holds.
    if (this.state && this.drawn !== this.state) {
      const found = this.fromTables(this.state);
      if (found) {
        this.ask.cancel();
        this.draw(found.answer, this.state, found.table);
      }
    }
  }

  draw(answer, state, table) {
    this.drawn = state;
    this.render(answer, state, table);
  }
}
