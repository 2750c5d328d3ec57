// The service worker: precaches the page, the engine and its assets in a
// cache named after the build's VERSION, and serves requests from that
// cache first, so the page works offline after the first load. Once it takes
// over, it deletes the caches of older versions.
//
// scripts/build-www.sh writes build-info.js with the asset list and a
// VERSION hashed from their contents, so any change to an asset installs a
// new worker. A new worker waits until the page sends 'skip-waiting', which
// offline.js does only when the user presses Reload, or until no page of the
// old version is open.
//
// The engine with every feature (LAZY_ASSETS), which converts and checks
// every book, is cached after the other files. Its download then does not
// compete with the page's first load, and books convert offline too. The
// page's worker loads it once this worker is ready, from the browser's
// cache, and warms it up.
//
// On activation the worker also claims the open pages that no worker
// controls: a first visit, or a page loaded with a hard reload. Those pages
// came from the server this worker has just cached its files from, so a
// first visit works offline without a reload. Pages that an older worker
// controls are not claimed. They move to this worker when it activates, and
// while any of them is open that happens only after a user presses Reload.

import { ASSETS, LAZY_ASSETS, VERSION } from './build-info.js';

const CACHE_PREFIX = 'quire-';
const CACHE_NAME = `${CACHE_PREFIX}${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(precache());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(Promise.all([deleteOldCaches(), self.clients.claim()]));
});

self.addEventListener('message', (event) => {
  if (event.data?.type === 'skip-waiting') {
    self.skipWaiting();
  }
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  event.respondWith(respond(request));
});

async function precache() {
  const cache = await caches.open(CACHE_NAME);
  // 'no-cache' revalidates every copy in the HTTP cache with the server, so
  // an old copy of an asset never lands in a new version's cache. A file the
  // page has just loaded comes back as a 304 instead of a second download.
  await cache.addAll(ASSETS.map((url) => new Request(url, { cache: 'no-cache' })));
  await cache.addAll(LAZY_ASSETS.map((url) => new Request(url, { cache: 'no-cache' })));
}

async function deleteOldCaches() {
  const names = await caches.keys();
  await Promise.all(
    names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME).map((name) => caches.delete(name)),
  );
}

async function respond(request) {
  const cache = await caches.open(CACHE_NAME);
  // A query string does not change the page, so `/?from=home` is `/`.
  const cached = await cache.match(request, { ignoreSearch: request.mode === 'navigate' });
  return cached ?? fetch(request);
}
