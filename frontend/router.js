// Routes under /app/… (History API); the server answers each with index.html.

export class Router extends EventTarget {
  /** routes: [{path: '/app/x/:id', load, public?}] */
  constructor(routes) {
    super();
    this.routes = routes.map((route) => ({ ...route, ...compile(route.path) }));
    this.current = null;
  }

  start() {
    window.addEventListener('popstate', () => this.resolve());
    document.addEventListener('click', (event) => this.onClick(event));
    return this.resolve();
  }

  onClick(event) {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest('a[href]');
    if (!link || link.target || link.hasAttribute('download')) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || !isAppPath(url.pathname)) return;
    // An in-page anchor (the skip link) is the browser's job.
    if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
    event.preventDefault();
    this.navigate(url.pathname + url.search + url.hash);
  }

  navigate(to, { replace = false } = {}) {
    const here = location.pathname + location.search + location.hash;
    if (to !== here) history[replace ? 'replaceState' : 'pushState'](null, '', to);
    return this.resolve();
  }

  /** The query string, without a new history entry. */
  setQuery(params) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined && value !== null && value !== '') search.set(key, value);
    }
    const text = search.toString();
    history.replaceState(null, '', location.pathname + (text ? `?${text}` : ''));
  }

  match(pathname) {
    const path = pathname === '/' ? '/app' : pathname.replace(/\/+$/, '') || '/app';
    for (const route of this.routes) {
      const found = route.regex.exec(path);
      if (found) {
        const params = {};
        route.keys.forEach((key, i) => {
          params[key] = decodeURIComponent(found[i + 1]);
        });
        return { route, params };
      }
    }
    return null;
  }

  resolve() {
    const matched = this.match(location.pathname);
    const detail = {
      route: matched?.route ?? null,
      params: matched?.params ?? {},
      query: new URLSearchParams(location.search),
      path: location.pathname + location.search,
    };
    this.current = detail;
    this.dispatchEvent(new CustomEvent('route', { detail }));
    return detail;
  }
}

function isAppPath(pathname) {
  return pathname === '/' || pathname === '/app' || pathname.startsWith('/app/');
}

function compile(path) {
  const keys = [];
  const pattern = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_, key) => {
    keys.push(key);
    return '([^/]+)';
  });
  return { regex: new RegExp(`^${pattern}$`), keys };
}
