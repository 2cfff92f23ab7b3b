// Keeps the app shell for offline use, network first; never the API.

const CACHE = 'nexthop-shell-v1';
const MODULES = `api app router lib/dom lib/format lib/lookup lib/outbox lib/store
components/form components/interview-item components/notes components/paths components/prep
components/schedule components/shell components/ui
pages/capture pages/contact pages/contact-form pages/contacts pages/data pages/home pages/interview
pages/interview-form pages/interviews pages/lists pages/network pages/opportunities
pages/opportunity pages/opportunity-form pages/organization pages/organization-form
pages/organizations pages/profile pages/search pages/settings pages/setup pages/sign-in`;
const SHELL = ['/', '/manifest.webmanifest', '/static/styles/app.css', '/static/icon.svg', ...MODULES.split(/\s+/).map((name) => `/static/${name}.js`)];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  const page = request.mode === 'navigate';
  if (request.method !== 'GET' || url.origin !== location.origin) return;
  if (page ? !/^\/(app)?(\/|$)/.test(url.pathname) : !SHELL.includes(url.pathname)) return;
  // Every screen is the same index.html, kept under /.
  const key = page ? '/' : request;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)));
        }
        return response;
      })
      .catch(() => caches.match(key).then((hit) => hit ?? Response.error())),
  );
});
