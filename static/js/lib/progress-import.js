// Reading an exported progress file: the whole file is parsed and checked before anything changes, and
// every refusal says why in words a learner can act on.
import { planImport, reconcile } from "./progress-merge.js";
import { countEntries, readProgress, VERSION } from "./progress-schema.js";

export const MAX_IMPORT_CHARS = 1_000_000;

/** "3 entries: kd-loss: answer x (its time is missing or impossible); …" — the first few, then a count. */
export function describeDropped(dropped, shown = 3) {
  const first = dropped.slice(0, shown).map((d) => `${d.where}: ${d.why}`).join("; ");
  const more = dropped.length > shown ? `; and ${dropped.length - shown} more` : "";
  return `${dropped.length} ${dropped.length === 1 ? "entry" : "entries"}: ${first}${more}`;
}

export class ImportRefused extends Error {
  constructor(message, kind = "error") {
    super(message);
    this.kind = kind;
  }
}

/**
 * Everything the overview needs to ask "merge or replace?": { plan, incoming, dropped, counts, exportedAt }.
 * Throws ImportRefused when the file cannot be used at all.
 */
export function importPreview(mine, text, catalogue) {
  if (typeof text !== "string" || text.length > MAX_IMPORT_CHARS) {
    throw new ImportRefused("That file is too large to be saved progress (the limit is 1 MB).");
  }
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ImportRefused("That file is not JSON. Choose a file saved with “Export progress”.");
  }
  const { data, dropped, newer } = readProgress(parsed);
  if (newer) {
    throw new ImportRefused(`That file was made by a newer BrewSLM Learn (progress version ${newer}); this one reads `
      + `versions 1 to ${VERSION}. Open it with the newer version, or update this one.`);
  }
  const counts = countEntries(data);
  if (counts.answers + counts.predictions + counts.retired === 0) {
    if (dropped.length) throw new ImportRefused(`Nothing in that file could be used: ${describeDropped(dropped)}.`);
    throw new ImportRefused("That file holds no saved answers or predictions, so there is nothing to load.", "info");
  }
  const { data: incoming } = reconcile(data, catalogue);
  const exported = Date.parse(parsed.exportedAt);
  return { plan: planImport(mine, incoming, catalogue), incoming, dropped, counts,
           exportedAt: Number.isFinite(exported) ? exported : null };
}
