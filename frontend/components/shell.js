// The frame around every signed-in screen: skip link target, navigation, sign-out.

import { h } from '../lib/dom.js';

const NAV = [
  ['/app', 'Today'],
  ['/app/interviews', 'Interviews'],
  ['/app/contacts', 'Contacts'],
  ['/app/organizations', 'Organizations'],
  ['/app/lists', 'Lists'],
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
          h('a', { href: '/app/settings', class: 'nav-link settings-link' }, 'Settings'),
          h('button', { type: 'button', class: 'btn btn-quiet', onclick: onSignOut }, 'Sign out'),
        )
      : null,
  );
  const nav = user ? h('nav', { class: 'site-nav', 'aria-label': 'Main' }, h('ul', {}, links)) : null;
  const main = h('main', { id: 'main', tabindex: '-1' });
  return { root: [header, nav, main], main, nav };
}

/** Marks the nav link of the section `path` is in with aria-current. */
export function markCurrent(nav, path) {
  if (!nav) return;
  for (const link of document.querySelectorAll('.nav-link')) {
    const href = link.getAttribute('href');
    const on = href === '/app' ? path === '/app' || path === '/' : path.startsWith(href);
    if (on) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}
