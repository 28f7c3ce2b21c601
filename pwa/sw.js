// The kiosk's service worker (scope /kiosk/): the reception tablet starts without the network.
//
// - Install: fetch the kiosk page, cache it, every file it names and the language catalogs,
//   then take over at once.
// - A page load (navigation) goes to the relay first, so a new build is picked up as soon as the
//   relay answers; a good answer replaces the cached page and its files are cached in the
//   background (older ones are dropped). Without the relay — no answer within NETWORK_WAIT_MS,
//   or an error page from a proxy in front of it — the cached page answers.
// - Files with a content hash in their name (Trunk's) come from the cache, else the relay (and
//   are kept). Files that keep their name (the manifest, icons, language catalogs) go to the
//   relay first, like the page, and fall back to the cache.
// - Nothing else is touched: /api/*, the WebSocket and the console's own files always go to the
//   relay, so a stale answer can never stand in for data.
"use strict";

const CACHE = "tna-kiosk-shell-v1";
const SCOPE = new URL("./", self.location).pathname; // "/kiosk/"
const PAGE = SCOPE;
// The language catalogs (i18n/<lang>.json): the page does not name them, it asks for the one it
// needs, so they are kept by name.
const CATALOGS = [SCOPE + "i18n/ko.json"];
// How long a request waits for the relay before the cache answers (a dead Wi-Fi often hangs
// instead of failing).
const NETWORK_WAIT_MS = 4000;

// The files a kiosk page names: every "/kiosk/<name>.<ext>" in it, however it is quoted (Trunk
// minifies the page and leaves many attribute values unquoted).
const FILE_IN_PAGE = new RegExp(SCOPE + "[A-Za-z0-9._-]+\\.[A-Za-z0-9]+", "g");
function assetsOf(html) {
  return [...new Set(html.match(FILE_IN_PAGE) || [])].filter((p) => p !== SCOPE + "sw.js");
}

// Whether a file's name carries Trunk's content hash ("name-0123456789abcdef.ext",
// "name-0123456789abcdef_bg.wasm"): such a file never changes.
function hashed(path) {
  return /-[0-9a-f]{16}(_bg)?\.[A-Za-z0-9]+$/.test(path);
}

// One keep() at a time: two page loads of different versions must not interleave, or the one
// that ends last could drop the other's files.
let keeping = Promise.resolve();
function keep(page) {
  keeping = keeping.then(() => keepNow(page)).catch(() => {});
  return keeping;
}

// Caches `page` (a Response for PAGE), the files it names and the catalogs; drops the rest.
async function keepNow(page) {
  const cache = await caches.open(CACHE);
  const html = await page.clone().text();
  const files = assetsOf(html);
  for (const path of files.concat(CATALOGS)) {
    if (hashed(path) && (await cache.match(path))) continue;
    const resp = await fetch(path, { cache: "no-cache" });
    if (resp.ok) {
      await cache.put(path, resp);
    } else if (hashed(path)) {
      throw new Error(`${path}: ${resp.status}`);
    }
  }
  await cache.put(PAGE, page);
  const wanted = new Set([PAGE, ...files, ...CATALOGS]);
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
  let resp;
  try {
    resp = await withTimeout(fetch(event.request, { cache: "no-store" }), NETWORK_WAIT_MS);
  } catch (_) {
    resp = null;
  }
  // Only a kiosk page replaces the cached one; a proxy's error page (the relay behind it is
  // down) does not stand in for the kiosk either.
  const type = (resp && resp.headers.get("content-type")) || "";
  if (resp && resp.ok && type.startsWith("text/html")) {
    event.waitUntil(keep(resp.clone()));
    return resp;
  }
  const cached = await caches.match(PAGE);
  return cached || resp || Response.error();
}

// A hashed file: from the cache, else the relay (and kept).
async function fromCache(request) {
  const cached = await caches.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const resp = await fetch(request);
  if (resp.ok) {
    const cache = await caches.open(CACHE);
    await cache.put(request, resp.clone());
  }
  return resp;
}

// A file that keeps its name: from the relay (and kept), else the cache.
async function fromRelay(request) {
  try {
    const resp = await withTimeout(fetch(request, { cache: "no-cache" }), NETWORK_WAIT_MS);
    if (resp.ok) {
      const cache = await caches.open(CACHE);
      await cache.put(request, resp.clone());
      return resp;
    }
    return (await caches.match(request, { ignoreSearch: true })) || resp;
  } catch (e) {
    const cached = await caches.match(request, { ignoreSearch: true });
    if (cached) return cached;
    throw e;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (url.pathname.startsWith(SCOPE)) event.respondWith(page(event));
    return;
  }
  // Files only (a name with an extension): the page itself, fetched by the kiosk's version
  // check, always goes to the relay.
  if (!url.pathname.startsWith(SCOPE) || !/\.[A-Za-z0-9]+$/.test(url.pathname)
      || url.pathname === SCOPE + "sw.js") {
    return;
  }
  event.respondWith(hashed(url.pathname) ? fromCache(request) : fromRelay(request));
});
