// Slider tables: an explorer's answers at every value a slider can reach, fetched once per state of the
// other inputs (POST /api/tables/{widget}/{param}, app/web/api_tables.py), so a drag is drawn with no
// round trip. A value the slider cannot reach (typed into the exact-value field) still asks the server.
import { latestOnly, postJSON } from "./api.js";
import { nested, unpack } from "./packed.js";

// After the other inputs change (a preset, the logits, another slider), a slider's table is fetched
// again once the explorer has been still this long: typing or dragging elsewhere asks for none.
const REFRESH_AFTER_MS = 300;

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
 *   single(state)          → Promise of the POST /api/kd/* answer for the state
 *   sliders[param].path    → the table's endpoint
 *   sliders[param].body(s) → the table request: the state without that slider
 *   sliders[param].value(s)→ the slider's value in the state
 *   sliders[param].read(table, i, s) → the answer at row i, shaped as single's answer
 *   render(answer, state, table)  (table: the slider table it came from, or null)
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
    this.ask = latestOnly(single, (answer, state) => this.draw(answer, state, null), onError);
    this.asking = {};        // param → the key of the table on its way
    this.fetchers = Object.fromEntries(Object.entries(sliders).map(([param, s]) => [param, latestOnly(
      ({ key, body }) => postJSON(s.path, body).then((answer) => new SliderTable(answer, key)),
      (table) => this.received(param, table),
      // A table that fails costs only round trips: every state can still be asked for on its own.
      () => { this.asking[param] = null; },
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

  /** The answer for `state` from a table, or null when no table holds it. */
  fromTables(state) {
    for (const [param, slider] of Object.entries(this.sliders)) {
      const table = this.tableFor(param, state);
      const i = table ? table.indexOf(slider.value(state)) : -1;
      if (i >= 0) return { answer: slider.read(table, i, state), table };
    }
    return null;
  }

  update(state, moved = null) {
    this.state = state;
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

  /** Fetch `param`'s table for the current state unless it is here or on its way. */
  engage(param) {
    if (!this.state || !this.sliders[param]) return;
    const key = this.keyOf(param, this.state);
    if (this.tableFor(param) || this.asking[param] === key) return;
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
