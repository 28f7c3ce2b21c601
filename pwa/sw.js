// The kiosk's service worker (scope /kiosk/): the reception tablet starts without the network.
//
// - Install: fetch the kiosk page, cache it and every asset it names (Trunk gives each asset a
//   content hash, so a cached asset never goes stale), then take over at once.
// - A page load (navigation) goes to the network first, so a new build is picked up as soon as
//   the relay answers; the answer replaces the cached page and its assets are cached in the
//   background (older ones are dropped). Without the network the cached page answers.
// - Assets under /kiosk/ come from the cache, else the network (and are kept).
// - Nothing else is touched: /api/*, the WebSocket and the console's own files always go to the
//   relay, so a stale answer can never stand in for data.
"use strict";

const CACHE = "tna-kiosk-shell-v1";
const SCOPE = new URL("./", self.location).pathname; // "/kiosk/"
const PAGE = SCOPE;
// How long a page load waits for the relay before the cached page answers (a dead Wi-Fi
// often hangs instead of failing).
const NETWORK_WAIT_MS = 4000;

// The files a kiosk page names: every "/kiosk/<name>.<ext>" in it, however it is quoted (Trunk
// minifies the page and leaves many attribute values unquoted).
const FILE_IN_PAGE = new RegExp(SCOPE + "[A-Za-z0-9._-]+\\.[A-Za-z0-9]+", "g");
function assetsOf(html) {
  return [...new Set(html.match(FILE_IN_PAGE) || [])].filter((p) => p !== SCOPE + "sw.js");
}

// Caches `page` (a Response for PAGE) and the assets it names; drops what it no longer names.
async function keep(page) {
  const cache = await caches.open(CACHE);
  const html = await page.clone().text();
  const assets = assetsOf(html);
  for (const path of assets) {
    if (!(await cache.match(path))) {
      const resp = await fetch(path);
      if (!resp.ok) throw new Error(`${path}: ${resp.status}`);
      await cache.put(path, resp);
    }
  }
  await cache.put(PAGE, page);
  const wanted = new Set([PAGE, ...assets]);
  for (const req of await cache.keys()) {
    if (!wanted.has(new URL(req.url).pathname)) await cache.delete(req);
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const page = await fetch(PAGE, { cache: "no-store" });
    if (page.ok) await keep(page);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((v) => { clearTimeout(timer); resolve(v); },
                 (e) => { clearTimeout(timer); reject(e); });
  });
}

async function page(event) {
  try {
    const resp = await withTimeout(fetch(event.request, { cache: "no-store" }), NETWORK_WAIT_MS);
    // Only a kiosk page replaces the cached one (not an error page of a proxy).
    const type = resp.headers.get("content-type") || "";
    if (resp.ok && type.startsWith("text/html")) {
      event.waitUntil(keep(resp.clone()).catch(() => {}));
    }
    return resp;
  } catch (_) {
    const cached = await caches.match(PAGE);
    return cached || Response.error();
  }
}

async function asset(request) {
  const cached = await caches.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const resp = await fetch(request);
  if (resp.ok) {
    const cache = await caches.open(CACHE);
    await cache.put(request, resp.clone());
  }
  return resp;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (url.pathname === SCOPE || url.pathname.startsWith(SCOPE)) event.respondWith(page(event));
    return;
  }
  // Files only (a name with an extension): the page itself, fetched by the kiosk's version
  // check, always goes to the relay.
  if (url.pathname.startsWith(SCOPE) && /\.[A-Za-z0-9]+$/.test(url.pathname)
      && url.pathname !== SCOPE + "sw.js") {
    event.respondWith(asset(request));
  }
});
