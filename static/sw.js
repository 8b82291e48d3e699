// Offline support (served at /sw.js by app/web/offline.py, which writes the app's build id below).
//
// One cache per build holds a complete, consistent copy of the site: on install every page listed by
// /offline-manifest.json (overview, lessons, glossary, demos, the offline page) and every file those pages
// and their modules use. Offline, everything comes from that one copy, so old and new files never mix;
// online, pages and unversioned files come from the network (fresh), and versioned files (?v=hash) from the
// copy. A new build is a new worker: it installs its own copy beside the old one and takes over when no
// page uses the old worker any more; then the old copy is deleted. The API is never cached.
const BUILD = "__BUILD__";
const PREFIX = "brewslm-learn-";
const CACHE = `${PREFIX}${BUILD}`;
const PAGE_TIMEOUT_MS = 6000;          // a network that hangs: use the copy rather than a blank tab
const MAX_STATEFUL_PAGES = 60;         // demo links with settings, kept as they are opened
const ASSET_IN_PAGE = /["'](\/(?:static|vendor)\/[^"'\s<>]+)["']/g;

const isOurBuild = (html) => html.includes(`name="brewslm-build" content="${BUILD}"`);
const decode = (url) => url.replace(/&amp;/g, "&");

async function fetchPage(url) {
  const response = await fetch(url, { cache: "reload", credentials: "same-origin" });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const html = await response.clone().text();
  if (!isOurBuild(html)) throw new Error(`${url} is not from build ${BUILD}`);
  return { response, html };
}

async function precache() {
  const manifest = await (await fetch("/offline-manifest.json", { cache: "no-store" })).json();
  if (manifest.build !== BUILD) throw new Error("the server moved to another build while this one installed");
  const cache = await caches.open(CACHE);
  const assets = new Set(manifest.assets);
  for (const url of manifest.pages) {
    const { response, html } = await fetchPage(url);
    for (const match of html.matchAll(ASSET_IN_PAGE)) assets.add(decode(match[1]));
    await cache.put(url, response);
  }
  await cache.addAll([...assets].map((url) => new Request(url, { cache: "reload" })));
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    await self.clients.claim();   // the first visit's page is looked after from now on, not only after a reload
  })());
});

const isApi = (url) => url.pathname.startsWith("/api/") || url.pathname === "/healthz"
  || url.pathname === "/sw.js" || url.pathname === "/offline-manifest.json";
const isAsset = (url) => url.pathname.startsWith("/static/") || url.pathname.startsWith("/vendor/");

function withTimeout(promise, ms) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), ms))]);
}

/** Keep a page with settings in its address (a demo link) once it is opened, if it is from this build. */
async function keepStatefulPage(url, response) {
  const html = await response.clone().text();
  if (!isOurBuild(html)) return;
  const cache = await caches.open(CACHE);
  await cache.put(url, response);
  const stateful = (await cache.keys()).filter((request) => new URL(request.url).search && !isAsset(new URL(request.url)));
  for (const old of stateful.slice(0, Math.max(0, stateful.length - MAX_STATEFUL_PAGES))) await cache.delete(old);
}

async function page(event, url) {
  const cache = await caches.open(CACHE);
  try {
    const response = await withTimeout(fetch(event.request), PAGE_TIMEOUT_MS);
    if (response.ok && url.search) event.waitUntil(keepStatefulPage(url.href, response.clone()));
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
  if (url.searchParams.has("v") || url.pathname.startsWith("/vendor/")) {
    // Versioned: the copy is exactly this version.
    return (await cache.match(event.request, { ignoreVary: true })) || fetch(event.request);
  }
  try {
    return await fetch(event.request);
  } catch (err) {
    const copy = await cache.match(event.request, { ignoreVary: true });
    if (copy) return copy;
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || isApi(url)) return;
  event.respondWith(isAsset(url) ? asset(event, url) : page(event, url));
});

// A new build waits while any open page is of another build (its files must keep coming from its own
// copy); a page of this build that finds this worker waiting asks it to take over, which it does once
// every open page says it is of this build.
async function everyPageIsOfThisBuild() {
  const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const builds = await Promise.all(pages.map((client) => new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(null), 2000);
    channel.port1.onmessage = (event) => { clearTimeout(timer); resolve(event.data); };
    client.postMessage({ type: "which-build" }, [channel.port2]);
  })));
  return builds.every((build) => build === BUILD);
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "take-over" || data.build !== BUILD || self.serviceWorker.state !== "installed") return;
  event.waitUntil(everyPageIsOfThisBuild().then((all) => (all ? self.skipWaiting() : null)));
});

// A page asks to keep its address (the first visit, before this worker controlled it; a demo left in a
// new state): fetch it now and keep it if it has settings.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "keep" || typeof data.url !== "string") return;
  const url = new URL(data.url, self.location.origin);
  if (url.origin !== self.location.origin || !url.search || isApi(url) || isAsset(url)) return;
  event.waitUntil(fetch(url.href, { credentials: "same-origin" })
    .then((response) => (response.ok ? keepStatefulPage(url.href, response) : null))
    .catch(() => { /* offline now: nothing to keep */ }));
});
