// localStorage as it really behaves: it may be missing or blocked (private mode, site data off), and a
// write may fail at any moment (quota full). Every call here is total: it answers, it never throws.
// Backups of progress that could not be used are kept under their own keys, several of them, newest first.

export const BACKUP_PREFIX = "brewslm-learn:backup:";
export const MAX_BACKUPS = 5;
const MAX_BACKUP_CHARS = 1_000_000;

/** window.localStorage, or null when the browser refuses it (reading the property can itself throw). */
export function browserStorage(name = "localStorage") {
  try {
    const storage = window[name];
    const probe = "brewslm-learn:probe";
    storage.setItem(probe, "1");
    storage.removeItem(probe);
    return storage;
  } catch {
    return null;
  }
}

/** Why a write failed: "full" (quota) or "blocked" (anything else). */
function failureKind(err) {
  const quota = err && (err.name === "QuotaExceededError" || err.name === "NS_ERROR_DOM_QUOTA_REACHED" || err.code === 22);
  return quota ? "full" : "blocked";
}

/** Returns { ok: true } or { ok: false, kind: "full" | "blocked" }. */
export function writeItem(storage, key, text) {
  if (!storage) return { ok: false, kind: "blocked" };
  try {
    storage.setItem(key, text);
    return { ok: true };
  } catch (err) {
    return { ok: false, kind: failureKind(err) };
  }
}

/** Returns { ok: true, text } (text null when absent) or { ok: false }. */
export function readItem(storage, key) {
  if (!storage) return { ok: false };
  try {
    return { ok: true, text: storage.getItem(key) };
  } catch {
    return { ok: false };
  }
}

export function removeItem(storage, key) {
  try {
    storage?.removeItem(key);
  } catch { /* a key that cannot be removed stays; nothing depends on its absence */ }
}

/** Backups kept in this browser, newest first: { key, at, reason, text }. */
export function listBackups(storage) {
  const found = [];
  try {
    for (let i = 0; i < storage.length; i += 1) {
      const key = storage.key(i);
      if (!key || !key.startsWith(BACKUP_PREFIX)) continue;
      try {
        const { at, reason, text } = JSON.parse(storage.getItem(key));
        if (Number.isFinite(at) && typeof reason === "string" && typeof text === "string") found.push({ key, at, reason, text });
      } catch { /* a backup we cannot read is no use to anyone */ }
    }
  } catch {
    return [];
  }
  return found.sort((a, b) => b.at - a.at);
}

/**
 * Keep `text` aside with a reason. Older backups beyond MAX_BACKUPS are removed, oldest first; when
 * storage is full, old backups make room for the new one. Returns true when the backup was written.
 */
export function addBackup(storage, reason, text, at = Date.now()) {
  if (!storage || typeof text !== "string" || text.length > MAX_BACKUP_CHARS) return false;
  const existing = listBackups(storage);
  let key = `${BACKUP_PREFIX}${at}`;
  for (let n = 1; existing.some((b) => b.key === key); n += 1) key = `${BACKUP_PREFIX}${at}-${n}`;
  const record = JSON.stringify({ at, reason, text });
  let written = writeItem(storage, key, record).ok;
  const oldest = [...existing].reverse();
  while (!written && oldest.length) {
    removeItem(storage, oldest.shift().key);
    written = writeItem(storage, key, record).ok;
  }
  for (const old of listBackups(storage).slice(MAX_BACKUPS)) removeItem(storage, old.key);
  return written;
}
