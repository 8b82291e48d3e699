// Offline support (served at /sw.js by app/web/offline.py, which writes the app's build id below).
//
// One cache per build holds this build's copy of the site, so offline, old and new files never mix. What
// goes into it:
//  - on install: /offline-manifest.json and the /offline page with its files;
//  - as the reader goes: every page of this build opened, the files it loads, and the slider tables its
//    explorers ask for (POST /api/tables/*, kept under a GET key made from the address and the request body);
//  - the whole course (every page of the manifest and every file they use), copied on request: the page
//    asks for it by itself when the connection is not metered, or the reader asks with "Save the course for
//    offline use" (static/js/lib/offline.js, offline-course.js). Progress goes to every open page.
// Offline, everything comes from this copy; online, pages and unversioned files come from the network
// (fresh), and versioned files (?v=hash, /vendor/) and tables from the copy. Unversioned files and tables
// are kept only when the server says they are of this build (X-Build), pages when their meta tag does. A
// new build is a new worker: it installs its own copy beside the old one (the whole course during install
// when the old copy held it) and takes over when no page uses the old worker any more; then the old copy
// is deleted, old tables with it. Every other API request goes to the network.
const BUILD = "__BUILD__";
const PREFIX = "brewslm-learn-";
const CACHE = `${PREFIX}${BUILD}`;
const MANIFEST = "/offline-manifest.json";
const PAGE_TIMEOUT_MS = 6000;          // a network that hangs: use the copy rather than a blank tab
const MAX_STATEFUL_PAGES = 60;         // demo links with settings, kept as they are opened
const MAX_TABLES = 80;                 // slider tables (a few to ~60 KB each), the oldest dropped first
const COPY_AT_ONCE = 4;                // files fetched in parallel by the course copy
const ASSET_IN_PAGE = /["'](\/(?:static|vendor)\/[^"'\s<>]+)["']/g;

const isOurBuild = (html) => html.includes(`name="brewslm-build" content="${BUILD}"`);
const stampedOurs = (response) => response.headers.get("X-Build") === BUILD;
const decode = (url) => url.replace(/&amp;/g, "&");
const addressOf = (url) => { const u = new URL(url, self.location.origin); return u.pathname + u.search; };

const isApi = (url) => url.pathname.startsWith("/api/") || url.pathname === "/healthz"
  || url.pathname === "/sw.js" || url.pathname === MANIFEST;
const isAsset = (url) => url.pathname.startsWith("/static/") || url.pathname.startsWith("/vendor/");
const isVersioned = (url) => url.searchParams.has("v") || url.pathname.startsWith("/vendor/");
const isTable = (url) => url.pathname.startsWith("/api/tables/");

/** This build's cache for writing. A worker a newer build has replaced must not open it: the new worker has
 * deleted it, and opening would bring an empty copy back. */
async function ownCache() {
  if (self.serviceWorker.state === "redundant") throw new Error("a newer build has taken over");
  return caches.open(CACHE);
}

async function fetchPage(url) {
  const response = await fetch(url, { cache: "reload", credentials: "same-origin" });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const html = await response.clone().text();
  if (!isOurBuild(html)) throw new Error(`${url} is not from build ${BUILD}`);
  return { response, html };
}

const assetsIn = (html) => [...html.matchAll(ASSET_IN_PAGE)].map((match) => decode(match[1]));

async function fetchManifest() {
  const response = await fetch(MANIFEST, { cache: "no-store" });
  if (!response.ok) throw new Error(`the list of the course's files answered ${response.status}`);
  const manifest = await response.json();
  if (manifest.build !== BUILD) throw new Error("the server moved to another build");
  return manifest;
}

/** Fetch a file and keep it if it is of this build: a versioned one from the HTTP cache when it is there
 * (its address is its content), an unversioned one revalidated (a 304 when the browser has it), or with
 * `justLoaded` (the page has just loaded it) from the HTTP cache as it stands: X-Build still says its build. */
async function keepFile(cache, url, { justLoaded = false } = {}) {
  const versioned = isVersioned(new URL(url, self.location.origin));
  const mode = justLoaded ? "force-cache" : versioned ? "default" : "no-cache";
  const response = await fetch(new Request(url, { cache: mode }));
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  if (!versioned && !stampedOurs(response)) throw new Error("the server moved to another build");
  await cache.put(url, response);
}

/** The addresses (path + query) this cache holds. */
async function keptAddresses(cache) {
  return new Set((await cache.keys()).map((request) => addressOf(request.url)));
}

/** The manifest, kept too: offline, it still says what the course is. */
async function keepManifest(cache) {
  const manifest = await fetchManifest();
  await cache.put(MANIFEST, new Response(JSON.stringify(manifest), { headers: { "Content-Type": "application/json" } }));
  return manifest;
}

async function keepEssentials() {
  const cache = await ownCache();
  const manifest = await keepManifest(cache);
  const { response, html } = await fetchPage("/offline");
  await cache.put("/offline", response);
  await Promise.all(assetsIn(html).map((url) => keepFile(cache, url)));
  return manifest;
}

// --- The whole course ------------------------------------------------------------------------------------

/** The files the course uses: the manifest's own and those its pages load. `htmlOf(url)` gives a page's HTML,
 * or null when it is not to hand; {files, pagesRead}. */
async function courseFiles(manifest, htmlOf) {
  const files = new Set(manifest.assets);
  let pagesRead = 0;
  for (const url of manifest.pages) {
    const html = await htmlOf(url);
    if (html === null) continue;
    pagesRead += 1;
    for (const asset of assetsIn(html)) files.add(asset);
  }
  return { files, pagesRead };
}

/** A page's HTML from `cache`, or null. */
const keptHtml = (cache) => async (url) => {
  const page = await cache.match(url);
  return page ? page.text() : null;
};

/** What the copy in `cache` holds of the course: {state: "done" | "none", done, total}. The pages it
 * holds say which files they use; a page missing means the course is not all here. */
async function courseIn(cache, fallbackManifest = null) {
  const kept = await keptAddresses(cache);
  const manifestCopy = await cache.match(MANIFEST);
  const manifest = manifestCopy ? await manifestCopy.json() : fallbackManifest;
  if (!manifest) return { state: "none", done: 0, total: 0 };
  const { files, pagesRead: pagesKept } = await courseFiles(manifest, keptHtml(cache));
  const done = pagesKept + [...files].filter((url) => kept.has(url)).length;
  const total = manifest.pages.length + files.size;
  return { state: pagesKept === manifest.pages.length && done === total ? "done" : "none", done, total };
}

let copying = null;                              // the copy under way (a promise), or null
let course = { state: "unknown" };               // what the pages were last told

async function tellPages(status) {
  course = { type: "course-copy", build: BUILD, ...status };
  for (const client of await self.clients.matchAll({ type: "window", includeUncontrolled: true })) client.postMessage(course);
}

async function copyCourse() {
  await tellPages({ state: "copying", done: 0, total: 0 });        // the total is known once the pages are in
  const cache = await ownCache();
  const manifest = await keepManifest(cache);
  const kept = await keptAddresses(cache);
  const { files } = await courseFiles(manifest, async (url) => {     // every page: the kept one, or fetched and kept
    const html = await keptHtml(cache)(url);
    if (html !== null) return html;
    const fetched = await fetchPage(url);
    await cache.put(url, fetched.response);
    return fetched.html;
  });
  const missing = [...files].filter((url) => !kept.has(url));
  const total = manifest.pages.length + files.size;
  let done = total - missing.length;
  await tellPages({ state: "copying", done, total });
  const queue = [...missing];
  let failure = null;                            // the first file that failed stops the copy
  const fetcher = async () => {
    for (let url = queue.shift(); url && !failure; url = queue.shift()) {
      try {
        await keepFile(cache, url);
      } catch (err) {
        failure ||= err;
        return;
      }
      done += 1;
      if (!failure) await tellPages({ state: "copying", done, total });
    }
  };
  await Promise.all(Array.from({ length: COPY_AT_ONCE }, fetcher));
  if (failure) throw Object.assign(failure, { done, total });
  await tellPages({ state: "done", done: total, total });
}

/** A copy that stopped: the pages say why and offer to try again (the files kept so far stay). */
const tellFailure = (err) => tellPages({ state: "failed", done: err.done || 0, total: err.total || 0,
  error: err instanceof TypeError ? "the server could not be reached" : err.message });

/** Start the copy unless it is under way. */
function startCopy() {
  copying ||= copyCourse().catch(tellFailure).finally(() => { copying = null; });
  return copying;
}

async function courseStatus() {
  if (copying || course.state === "failed") return course;
  return { type: "course-copy", build: BUILD, ...(await courseIn(await ownCache())) };
}

/** A new build copies the whole course during install when the old copy held it (the reader had it). */
async function previousCopyHeldTheCourse(manifest) {
  for (const name of await caches.keys()) {
    if (name.startsWith(PREFIX) && name !== CACHE && (await courseIn(await caches.open(name), manifest)).state === "done") return true;
  }
  return false;
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const manifest = await keepEssentials();
    if (!(await previousCopyHeldTheCourse(manifest))) return;
    copying = copyCourse();
    try {
      await copying;
    } catch (err) {
      await tellFailure(err);
      throw err;                 // a failed install: the old worker and its copy stay, the next visit tries again
    } finally {
      copying = null;
    }
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    await self.clients.claim();   // the first visit's page is looked after from now on, not only after a reload
  })());
});

// --- Pages, files and tables as the reader goes --------------------------------------------------------------

/** Keep at most `max` of the `kept` requests (in the order the cache lists them): the oldest go first. */
async function dropOldest(cache, kept, max) {
  for (const old of kept.slice(0, Math.max(0, kept.length - max))) await cache.delete(old);
}

function withTimeout(promise, ms) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), ms))]);
}

/** Keep a page if it is from this build; pages with settings in their address (demo links) are capped. */
async function keepPage(url, response) {
  const html = await response.clone().text();
  if (!isOurBuild(html)) return;
  const cache = await ownCache();
  await cache.put(url, response);
  if (!new URL(url).search) return;
  const stateful = (await cache.keys()).filter((request) => {
    const kept = new URL(request.url);
    return kept.search && !isAsset(kept) && !isApi(kept);
  });
  await dropOldest(cache, stateful, MAX_STATEFUL_PAGES);
}

async function page(event, url) {
  const cache = await caches.open(CACHE);
  try {
    const response = await withTimeout(fetch(event.request), PAGE_TIMEOUT_MS);
    if (response.ok) event.waitUntil(keepPage(url.href, response.clone()));
    return response;
  } catch (err) {
    const copy = await cache.match(event.request, { ignoreVary: true });
    if (copy) return copy;
    if (event.request.mode !== "navigate") throw err;
    return (await cache.match("/offline", { ignoreVary: true })) || Response.error();
  }
}

async function asset(event, url) {
  const cache = await caches.open(CACHE);
  if (isVersioned(url)) {
    // Versioned: the copy is exactly this version.
    const copy = await cache.match(event.request, { ignoreVary: true });
    if (copy) return copy;
    const response = await fetch(event.request);
    if (response.ok) event.waitUntil(cache.put(event.request, response.clone()));
    return response;
  }
  try {
    const response = await fetch(event.request);
    if (response.ok && stampedOurs(response)) event.waitUntil(cache.put(event.request, response.clone()));
    return response;
  } catch (err) {
    const copy = await cache.match(event.request, { ignoreVary: true });
    if (copy) return copy;
    throw err;
  }
}

/** The GET key a table is kept under: its address and a hash of the request body (the table's inputs). */
async function tableKey(url, body) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${url.pathname}?request=${hex}`;
}

async function keepTable(cache, key, response) {
  await cache.put(key, response);
  await dropOldest(cache, (await cache.keys()).filter((request) => isTable(new URL(request.url))), MAX_TABLES);
}

/** A table the page had from the server before this worker looked after it (a first visit), for its build. */
async function keepHandedTable(data) {
  const url = new URL(data.path, self.location.origin);
  if (data.build !== BUILD || !isTable(url) || typeof data.body !== "string" || typeof data.answer !== "string") return;
  const cache = await ownCache();
  const response = new Response(data.answer, { headers: { "Content-Type": "application/json", "X-Build": BUILD } });
  await keepTable(cache, await tableKey(url, data.body), response);
}

/** A slider table: the same request always has the same answer within a build, so it is asked once. */
async function table(event, url) {
  const cache = await caches.open(CACHE);
  const key = await tableKey(url, await event.request.clone().text());
  const copy = await cache.match(key);
  if (copy) return copy;
  const response = await fetch(event.request);
  if (response.ok && stampedOurs(response)) event.waitUntil(keepTable(cache, key, response.clone()));
  return response;
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin) return;
  // Only a page of this build gets this build's tables (it says which it is; an older page goes to the server).
  if (event.request.method === "POST" && isTable(url) && event.request.headers.get("X-Build") === BUILD) {
    event.respondWith(table(event, url));
    return;
  }
  if (event.request.method !== "GET" || isApi(url)) return;
  event.respondWith(isAsset(url) ? asset(event, url) : page(event, url));
});

// --- Messages from the pages ---------------------------------------------------------------------------------

// A new build waits while any open page is of another build (its files must keep coming from its own
// copy); a page of this build that finds this worker waiting asks it to take over, which it does once
// every open page says it is of this build.
async function everyPageIsOfThisBuild() {
  // A page that does not answer (busy, or closing as it is asked) is asked again, a few times, before this
  // worker gives up until the next page of its build asks it to take over.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const builds = await Promise.all(pages.map((client) => new Promise((resolve) => {
      const channel = new MessageChannel();
      const timer = setTimeout(() => resolve(null), 2000);
      channel.port1.onmessage = (event) => { clearTimeout(timer); resolve(event.data); };
      client.postMessage({ type: "which-build" }, [channel.port2]);
    })));
    if (builds.every((build) => build === BUILD)) return true;
    if (builds.some((build) => build !== null && build !== BUILD)) return false;   // a page of another build is open
  }
  return false;
}

/** A page opened before this worker looked after it (a first visit), or left at a new address (a demo's
 * settings): keep its address and the files it loaded, as far as they are of this build. */
async function keepVisit(data) {
  const cache = await ownCache();
  const address = new URL(data.url, self.location.origin);
  if (address.origin === self.location.origin && !isApi(address) && !isAsset(address)) {
    // The page was just loaded: the browser's HTTP cache has it (the meta tag says its build).
    const response = await fetch(address.href, { credentials: "same-origin", cache: data.assets ? "force-cache" : "default" })
      .catch(() => null);
    if (response?.ok) await keepPage(address.href, response);
  }
  const kept = await keptAddresses(cache);
  const files = (Array.isArray(data.assets) ? data.assets : []).filter((url) => typeof url === "string")
    .map((url) => new URL(url, self.location.origin))
    .filter((url) => url.origin === self.location.origin && isAsset(url) && !kept.has(url.pathname + url.search));
  await Promise.all(files.map((url) => keepFile(cache, url.pathname + url.search, { justLoaded: true })
    .catch(() => { /* not of this build, or gone */ })));
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "take-over" && data.build === BUILD && self.serviceWorker.state === "installed") {
    event.waitUntil(everyPageIsOfThisBuild().then((all) => (all ? self.skipWaiting() : null)));
  } else if (data.type === "keep" && typeof data.url === "string") {
    event.waitUntil(keepVisit(data).catch(() => { /* offline now: nothing to keep */ }));
  } else if (data.type === "keep-table") {
    event.waitUntil(keepHandedTable(data));
  } else if (data.type === "copy-course") {
    event.waitUntil(startCopy());
  } else if (data.type === "course-status" && event.ports[0]) {
    event.waitUntil(courseStatus().catch(() => ({ type: "course-copy", build: BUILD, state: "replaced" }))
      .then((status) => event.ports[0].postMessage(status)));
  }
});
