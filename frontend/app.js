// Boot: who is signed in, then the screen for the /app/… path.

import { api, events } from './api.js';
import { markCurrent, shell } from './components/shell.js';
import { h, mount } from './lib/dom.js';
import { flush, forgetSnapshots, outbox, pending } from './lib/outbox.js';
import { session } from './lib/store.js';
import { Router } from './router.js';

const page = (name) => () => import(`./pages/${name}.js`);

// First match wins: `new` before `:id`. 'public': no sign-in.
const records = (path, one) => [
  [path, path],
  [`${path}/new`, `${one}-form`],
  [`${path}/:id/edit`, `${one}-form`],
  [`${path}/:id`, one],
];
const routes = [
  ['setup', 'setup', 'public'],
  ['sign-in', 'sign-in', 'public'],
  ['', 'home'],
  ...records('contacts', 'contact'),
  ...records('organizations', 'organization'),
  ...records('interviews', 'interview'),
  ['interviews/:id/capture', 'capture'],
  ...records('opportunities', 'opportunity'),
  ['lists', 'lists'],
  ['lists/:category', 'lists'],
  ['settings', 'settings'],
  ['data', 'data'],
  ['search', 'search'],
  ['notes/:id', 'search'],
  ['profile', 'profile'],
  ['network', 'network'],
].map(([path, name, access]) => ({ path: `/app${path && '/'}${path}`, load: page(name), public: access === 'public' }));

const root = document.getElementById('app');
const router = new Router(routes);
let frame = null;
let frameUser;
let generation = 0;
let controller = null;
let firstRender = true;

function ensureFrame() {
  const userId = session.user?.id ?? null;
  if (frame && frameUser === userId) return frame;
  frame = shell({ user: session.user, onSignOut: signOut });
  frameUser = userId;
  mount(root, frame.root);
  if (userId)
    pending().then(
      (items) => frame.sync.set(items.length),
      () => {},
    );
  return frame;
}

async function signOut() {
  try {
    await api.post('/auth/logout');
  } catch (exc) {
    if (exc.status !== 401) throw exc;
  }
  session.set(null);
  forgetSnapshots();
  router.navigate('/app/sign-in');
}

function guard({ route, path }) {
  const here = route?.path;
  if (session.needsSetup) return here === '/app/setup' ? null : '/app/setup';
  if (here === '/app/setup') return session.user ? '/app' : '/app/sign-in';
  if (session.user && here === '/app/sign-in') return '/app';
  if (!session.user && !route?.public) {
    return path === '/app' || path === '/' ? '/app/sign-in' : `/app/sign-in?next=${encodeURIComponent(path)}`;
  }
  return null;
}

function errorView(exc, retry) {
  if (exc?.status === 404) {
    return [
      h('h1', { tabindex: '-1' }, 'Not found'),
      h('p', {}, 'There is nothing here, or it has been deleted.'),
      h('p', {}, h('a', { href: '/app' }, 'Back to Today')),
    ];
  }
  const text = exc?.network ? 'Could not reach Nexthop. Check your connection and try again.' : exc?.message || 'Something went wrong.';
  return [
    h('h1', { tabindex: '-1' }, 'Something went wrong'),
    h('p', { role: 'alert' }, text),
    h('button', { type: 'button', class: 'btn', onclick: retry }, 'Try again'),
  ];
}

async function render(detail) {
  const redirect = guard(detail);
  if (redirect) {
    router.navigate(redirect, { replace: true });
    return;
  }
  const mine = ++generation;
  controller?.abort();
  controller = new AbortController();
  const { main, nav } = ensureFrame();
  markCurrent(nav, location.pathname);
  main.setAttribute('aria-busy', 'true');
  const ctx = {
    params: detail.params,
    query: detail.query,
    // Dropped when you move on.
    get: (path, query) => api.get(path, query, { signal: controller.signal }),
    router,
    session,
    navigate: (to, options) => router.navigate(to, options),
  };
  let view;
  try {
    const module = detail.route ? await detail.route.load() : null;
    view = module ? await module.render(ctx) : errorView({ status: 404 });
  } catch (exc) {
    if (exc?.name === 'AbortError' || mine !== generation) return; // left meanwhile
    if (exc?.name !== 'ApiError') console.error(exc);
    view = errorView(exc, () => router.resolve());
  }
  if (mine !== generation) return;
  mount(main, view);
  main.removeAttribute('aria-busy');
  const heading = main.querySelector('h1');
  document.title = heading ? `${heading.textContent} · Nexthop` : 'Nexthop';
  if (!firstRender) {
    window.scrollTo(0, 0);
    (heading ?? main).focus({ preventScroll: true });
  }
  firstRender = false;
}

router.addEventListener('route', (event) => {
  render(event.detail);
});

events.addEventListener('unauthorized', () => {
  if (!session.user) return;
  session.set(null);
  router.resolve();
});

outbox.addEventListener('change', (event) => frame?.sync.set(event.detail));

// Back online: maybe a new CSRF token, then what waits is sent.
window.addEventListener('online', async () => {
  try {
    if (session.offline) await session.load();
    await flush();
  } catch {
    // Still unreachable: the outbox's timer retries.
  }
});

async function boot() {
  router
    .match(location.pathname)
    ?.route.load()
    .catch(() => {}); // fetched while we ask who you are
  try {
    await session.load();
  } catch (exc) {
    mount(
      root,
      h(
        'main',
        { id: 'main' },
        errorView(exc, () => location.reload()),
      ),
    );
    return;
  }
  router.start();
  if (session.user && !session.offline) flush().catch(() => {});
  navigator.serviceWorker?.register('/sw.js').catch(() => {});
}

boot();
