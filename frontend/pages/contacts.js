// Contacts: search and filter, kept in the address.

import { listAll } from '../api.js';
import { field, onInput } from '../components/form.js';
import { badge, button, emptyState, item, linkButton, meta, pageHeader } from '../components/ui.js';
import { h, mount } from '../lib/dom.js';
import { CONTACT_STATUS, label } from '../lib/format.js';

const FILTERS = ['q', 'status', 'organization_id', 'tag', 'degree'];
const MET = new Set(['met', 'keep_in_touch', 'dormant']);

// Degrees from the referral graph: 1st met or introduced by you; 2nd via a 1st.
async function degreeFinder(get) {
  const { nodes, edges } = await get('/network/graph');
  const first = new Set(nodes.filter((n) => n.depth === 1 || MET.has(n.status)).map((n) => n.id));
  for (const e of edges) if (e.status === 'met') first.add(e.to);
  const second = new Set(edges.filter((e) => e.status !== 'declined' && first.has(e.from)).map((e) => e.to));
  return (c) => (first.has(c.id) || MET.has(c.status) ? 1 : second.has(c.id) ? 2 : 0);
}

function contactItem(contact, orgs) {
  const org = orgs.get(contact.organization_id)?.name;
  const role = [contact.title, org].filter(Boolean).join(' · ');
  return item(
    `/app/contacts/${contact.id}`,
    contact.full_name,
    meta(role, badge(label(CONTACT_STATUS, contact.status), contact.status)),
    contact.tags.length
      ? h(
          'span',
          { class: 'tags' },
          contact.tags.map((t) => badge(t, 'tag')),
        )
      : null,
  );
}

export async function render({ query, router, get }) {
  const filters = Object.fromEntries(FILTERS.map((key) => [key, query.get(key) ?? '']));
  // Loaded alongside the first page.
  const orgs = new Map();
  const orgList = listAll('/organizations').then((list) => {
    for (const o of list) orgs.set(o.id, o);
    return list;
  });
  const count = h('p', { class: 'count', role: 'status' });
  const results = h('div', { class: 'results' });
  let cursor = null;
  let items = [];
  let latest = 0;
  let degreeOf = null;

  async function load(more = false) {
    const mine = ++latest;
    const { degree, ...rest } = filters;
    let page;
    if (degree) {
      degreeOf ??= await degreeFinder(get);
      const found = (await listAll('/contacts', rest)).filter((c) => degreeOf(c) === Number(degree));
      page = { items: found, total: found.length, next_cursor: null };
    } else {
      page = await get('/contacts', { ...rest, cursor: more ? cursor : null, limit: 50 });
    }
    await orgList;
    if (mine !== latest) return; // a newer search has been sent since
    items = more ? [...items, ...page.items] : page.items;
    cursor = page.next_cursor;
    count.textContent = `${page.total} ${page.total === 1 ? 'contact' : 'contacts'}`;
    const filtered = FILTERS.some((key) => filters[key]);
    mount(
      results,
      items.length
        ? h(
            'ul',
            { class: 'list' },
            items.map((c) => contactItem(c, orgs)),
          )
        : filtered
          ? emptyState('No contact matches.', 'Try fewer filters or another spelling.')
          : emptyState(
              'No contacts yet.',
              'Start with people you already know a little: a former colleague, a friend of a friend. Each conversation will lead to the next.',
              linkButton('/app/contacts/new', 'Add your first contact'),
            ),
      cursor ? button('Show more', () => load(true)) : null,
    );
  }

  const first = load();
  first.catch(() => {}); // awaited below; a failure meanwhile is not "unhandled"
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter contacts' },
    field({ name: 'q', label: 'Search', type: 'search', value: filters.q, placeholder: 'Name, email, title…', autocomplete: 'off' }),
    field({ name: 'status', label: 'Status', type: 'select', value: filters.status, options: [['', 'Any status'], ...Object.entries(CONTACT_STATUS)] }),
    field({
      name: 'organization_id',
      label: 'Organization',
      type: 'select',
      value: filters.organization_id,
      options: [['', 'Any organization'], ...(await orgList).map((o) => [o.id, o.name])],
    }),
    field({ name: 'tag', label: 'Tag', value: filters.tag, autocomplete: 'off' }),
    field({
      name: 'degree',
      label: 'Degree',
      type: 'select',
      value: filters.degree,
      options: [
        ['', 'Any degree'],
        ['1', '1st: you know them'],
        ['2', '2nd: through someone'],
      ],
    }),
  );
  const update = async () => {
    for (const key of FILTERS) filters[key] = form.elements[key].value.trim();
    router.setQuery(filters);
    await load();
  };
  onInput(form, update);

  await first;
  return [pageHeader('Contacts', linkButton('/app/contacts/new', 'Add contact')), form, count, results];
}
