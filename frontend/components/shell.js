// The frame around every screen: navigation, sign-out.

import { h } from '../lib/dom.js';

const NAV = [
  ['/app', 'Today'],
  ['/app/interviews', 'Interviews'],
  ['/app/contacts', 'Contacts'],
  ['/app/organizations', 'Organizations'],
  ['/app/network', 'Network'],
  ['/app/opportunities', 'Opportunities'],
  ['/app/lists', 'Lists'],
  ['/app/search', 'Search'],
];

export function shell({ user, onSignOut }) {
  const links = NAV.map(([href, text]) => h('li', {}, h('a', { href, class: 'nav-link' }, text)));
  const header = h(
    'header',
    { class: 'site-header' },
    h('a', { href: '/app', class: 'brand' }, 'Nexthop'),
    user
      ? h(
          'div',
          { class: 'account' },
          h('a', { href: '/app/profile', class: 'nav-link settings-link' }, 'Profile'),
          h('a', { href: '/app/settings', class: 'nav-link settings-link' }, 'Settings'),
          h('button', { type: 'button', class: 'btn btn-quiet', onclick: onSignOut }, 'Sign out'),
        )
      : null,
  );
  const nav = user ? h('nav', { class: 'site-nav', 'aria-label': 'Main' }, h('ul', {}, links)) : null;
  const main = h('main', { id: 'main', tabindex: '-1' });
  // Notes waiting on the phone (lib/outbox.js).
  const sync = h('p', { class: 'sync-badge', role: 'status', hidden: true });
  sync.set = (n) => {
    sync.hidden = !n;
    sync.textContent = n ? `${n} waiting to sync` : '';
  };
  return { root: [header, nav, sync, main], main, nav, sync };
}

export function markCurrent(nav, path) {
  if (!nav) return;
  for (const link of document.querySelectorAll('.nav-link')) {
    const href = link.getAttribute('href');
    const on = href === '/app' ? path === '/app' || path === '/' : path.startsWith(href);
    if (on) {
      link.setAttribute('aria-current', 'page');
      link.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
    } else link.removeAttribute('aria-current');
  }
}
