// The lab's tables: final results per run, and the logged points behind the charts (their text alternative).
import { fillTableHead, formatPercent } from "../lib/charts.js";

const pct = (v) => (typeof v === "number" ? formatPercent(v) : "–");
const num = (v) => (typeof v === "number" ? v.toPrecision(4) : "–");

function row(cells, headerFirst = true) {
  const tr = document.createElement("tr");
  cells.forEach((cell, i) => {
    const td = document.createElement(i === 0 && headerFirst ? "th" : "td");
    if (i === 0 && headerFirst) td.scope = "row";
    if (cell instanceof Node) td.append(cell);
    else td.textContent = cell;
    tr.append(td);
  });
  return tr;
}

function runName(run) {
  const span = document.createElement("span");
  const swatch = document.createElement("span");
  swatch.className = "lab-swatch";
  swatch.style.background = run.color;
  swatch.setAttribute("aria-hidden", "true");
  span.append(swatch, `Run ${run.n} (${run.colorName}): ${run.label}`);
  return span;
}

const STATUS_TEXT = { starting: "starting", queued: "waiting for a free slot", running: "training",
                      done: "done", cancelled: "cancelled", failed: "failed" };

export function fillResults(table, runs, { biasFix }) {
  const headers = ["Run", "Status", "Test accuracy", "Left-out digit", "Teacher", "Quality kept"];
  if (biasFix) headers.push("Left-out digit, bias fix", "Test accuracy, bias fix", "Bias added");
  fillTableHead(table, headers);
  const body = table.tBodies[0] || table.createTBody();
  body.replaceChildren(...runs.map((run) => {
    const f = run.final;
    const last = run.records[run.records.length - 1] || {};
    const status = run.status === "failed" && run.reason ? `failed: ${run.reason}` : STATUS_TEXT[run.status];
    const leftOut = run.config.omit_class === null ? "none left out"
      : `digit ${run.config.omit_class}: ${pct(f ? f.omitted_class_acc : last.omitted_class_acc)}`;
    const cells = [runName(run), status, pct(f ? f.test_acc : last.test_acc), leftOut,
                   pct(f && f.teacher_test_acc), pct(f && f.quality_kept)];
    if (biasFix) {
      const b = f && f.bias_fix;
      cells.push(pct(b && b.omitted_class_acc), pct(b && b.test_acc), b ? `+${b.bias.toFixed(2)}` : "–");
    }
    return row(cells);
  }));
}

export function fillCurves(table, runs) {
  fillTableHead(table, ["Run", "Step", "Total loss", "α·CE", "(1−α)·T²·KL", "Test accuracy", "Left-out digit"]);
  const rows = [];
  for (const run of runs) {
    run.records.forEach((r, i) => {
      if (i % 10 !== 9 && i !== run.records.length - 1) return;
      rows.push(row([`Run ${run.n}`, String(r.step), num(r.loss), num(r.weighted_ce), num(r.weighted_kd),
                     pct(r.test_acc), pct(r.omitted_class_acc)]));
    });
  }
  (table.tBodies[0] || table.createTBody()).replaceChildren(...rows);
}
