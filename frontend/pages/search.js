// Search everything; found words are <mark> nodes around text, never markup.

import { field, onInput } from '../components/form.js';
import { badge, emptyState, item, meta, pageHeader } from '../components/ui.js';
import { h, mount } from '../lib/dom.js';

const KINDS = { contacts: 'Contact', organizations: 'Organization', interviews: 'Interview', note_items: 'Note' };
const href = ({ kind, id }) => `/app/${kind === 'note_items' ? 'notes' : kind}/${id}`;

const hit = (x) =>
  item(
    href(x),
    x.title,
    meta(badge(KINDS[x.kind])),
    h(
      'span',
      { class: 'snippet' },
      x.snippet.map((s) => (s.match ? h('mark', {}, s.text) : s.text)),
    ),
  );

export async function render({ params, query, router, get, navigate }) {
  // /app/notes/:id: a note is on its interview's page.
  if (params.id) {
    navigate(`/app/interviews/${(await get(`/note-items/${params.id}`)).interview_id}`, { replace: true });
    return [];
  }
  const count = h('p', { class: 'count', role: 'status' });
  const results = h('div');
  let latest = 0;
  async function load(q) {
    const mine = ++latest;
    const found = q ? (await get('/search', { q, limit: 50 })).items : [];
    if (mine !== latest) return;
    count.textContent = q ? `${found.length} found` : '';
    mount(results, found.length ? h('ul', { class: 'list' }, found.map(hit)) : q ? emptyState('Nothing found.', 'Try fewer words, or part of a word.') : null);
  }
  const form = h(
    'form',
    { role: 'search', 'aria-label': 'Search everything' },
    field({ name: 'q', label: 'Search', type: 'search', value: query.get('q'), autocomplete: 'off', hint: 'Names, emails, notes, organizations, interviews.' }),
  );
  const update = () => {
    const q = form.elements.q.value.trim();
    router.setQuery({ q });
    load(q).catch((exc) => {
      count.textContent = exc.message;
    });
  };
  onInput(form, update);
  await load(query.get('q')?.trim());
  return [pageHeader('Search'), form, count, results];
}
