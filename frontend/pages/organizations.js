// Organizations, most wanted first.

import { field, onInput } from '../components/form.js';
import { badge, emptyState, item, linkButton, meta, pageHeader } from '../components/ui.js';
import { h, mount } from '../lib/dom.js';

export function interestText(level) {
  return level ? `Interest ${level}/5` : 'Interest not set';
}

export async function render({ query, router, get }) {
  const filters = { q: query.get('q') ?? '', sort: query.get('sort') ?? '-interest_level' };
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter organizations' },
    field({ name: 'q', label: 'Search', type: 'search', value: filters.q, autocomplete: 'off' }),
    field({
      name: 'sort',
      label: 'Order',
      type: 'select',
      value: filters.sort,
      options: [
        ['-interest_level', 'Most wanted first'],
        ['name', 'By name'],
        ['-updated_at', 'Recently changed'],
      ],
    }),
  );
  const count = h('p', { class: 'count', role: 'status' });
  const results = h('div', { class: 'results' });
  let latest = 0;

  async function load() {
    const mine = ++latest;
    const page = await get('/organizations', { ...filters, limit: 200 });
    if (mine !== latest) return;
    count.textContent = `${page.total} ${page.total === 1 ? 'organization' : 'organizations'}`;
    mount(
      results,
      page.items.length
        ? h(
            'ul',
            { class: 'list' },
            page.items.map((o) => item(`/app/organizations/${o.id}`, o.name, meta(o.industry, badge(interestText(o.interest_level), 'interest')))),
          )
        : filters.q
          ? emptyState('No organization matches.', 'Try another spelling.')
          : emptyState(
              'No organizations yet.',
              'List the places whose work interests you, and rate how much. Then find people there to talk to.',
              linkButton('/app/organizations/new', 'Add an organization'),
            ),
    );
  }
  onInput(form, () => {
    filters.q = form.elements.q.value.trim();
    filters.sort = form.elements.sort.value;
    router.setQuery(filters);
    load();
  });
  await load();
  return [pageHeader('Organizations', linkButton('/app/organizations/new', 'Add organization')), form, count, results];
}
