// Offline support. Pages and unhashed files: network first, so lessons are always fresh, falling back to the copy from
// the last visit. Our assets carry a content hash (?v=) and Plotly a version in its URL, so a cached
// copy is never stale: cache first. The API is never cached: its numbers must come from the server.
const CACHE = "brewslm-learn-v1";

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

function isImmutableAsset(url) {
  return url.pathname.startsWith("/vendor/") || (url.pathname.startsWith("/static/") && url.searchParams.has("v"));
}

function isApi(url) {
  return url.pathname.startsWith("/api/") || url.pathname === "/healthz";
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    // Only query-free URLs are kept: each demo state (/demo/alpha?alpha=…) would otherwise be a new entry.
    if (response.ok && !new URL(request.url).search) cache.put(request, response.clone());
    return response;
  } catch (err) {
    const hit = await cache.match(request);
    if (hit) return hit;
    if (request.mode !== "navigate") throw err;
    return new Response(
      "<!doctype html><meta charset=utf-8><title>Offline</title><h1>You are offline</h1>" +
      "<p>This page has not been opened on this device before. Lessons you have opened are available offline; " +
      "their charts need the server.</p>",
      { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (isImmutableAsset(url)) event.respondWith(cacheFirst(request));
  // Pages, and modules imported without a hash (lib/*.js): fresh when online, the last copy offline.
  else if (!isApi(url)) event.respondWith(networkFirst(request));
});
