// Notes of every conversation, by category; tickable.

import { tickBox } from '../components/notes.js';
import { button, emptyState, externalLink, pageHeader } from '../components/ui.js';
import { h, mount } from '../lib/dom.js';
import { CATEGORY_LABEL, formatDate, formatDateTime } from '../lib/format.js';

const LISTS = ['to_read', 'to_look_up', 'to_do', 'to_follow_up', 'to_think_about', 'to_connect'];

function listItem(note) {
  return h(
    'li',
    { class: ['note', note.status === 'done' && 'done'] },
    tickBox(note),
    h(
      'div',
      { class: 'note-body' },
      h('span', { class: 'note-text' }, note.text),
      h(
        'span',
        { class: 'item-meta' },
        note.author ? h('span', {}, `by ${note.author}`) : null,
        note.url ? externalLink(note.url, 'link') : null,
        note.due_date ? h('span', {}, `due ${formatDate(note.due_date)}`) : null,
        h(
          'a',
          { href: `/app/interviews/${note.interview_id}` },
          `from ${note.recommended_by ?? note.context.interviewee.full_name}`,
          note.context.scheduled_at ? `, ${formatDateTime(note.context.scheduled_at)}` : '',
        ),
      ),
    ),
  );
}

export async function render({ params, query, get }) {
  const category = LISTS.includes(params.category) ? params.category : 'to_read';
  const status = query.get('status') === 'done' ? 'done' : 'open';
  const results = h('div');
  let cursor = null;
  const items = [];
  async function load() {
    const page = await get(`/lists/${category}`, { status, cursor, limit: 100 });
    items.push(...page.items);
    cursor = page.next_cursor;
    mount(
      results,
      items.length
        ? h('ul', { class: 'notes' }, items.map(listItem))
        : emptyState(
            status === 'open' ? 'Nothing open here.' : 'Nothing done yet.',
            'Notes you take after each conversation gather here, whichever interview they came from.',
          ),
      cursor ? button('Show more', load) : null,
    );
  }
  await load();
  const here = (c, s = status) => `/app/lists/${c}${s === 'done' ? '?status=done' : ''}`;
  return [
    pageHeader('Lists'),
    h(
      'nav',
      { class: 'tabs', 'aria-label': 'Lists' },
      h(
        'ul',
        {},
        LISTS.map((c) => h('li', {}, h('a', { href: here(c), 'aria-current': c === category ? 'page' : null }, CATEGORY_LABEL[c]))),
      ),
    ),
    h(
      'p',
      {},
      status === 'open' ? h('a', { href: here(category, 'done') }, 'Show what is done') : h('a', { href: here(category, 'open') }, 'Show what is still open'),
    ),
    h('h2', {}, `${CATEGORY_LABEL[category]}: ${status === 'open' ? 'open' : 'done'}`),
    results,
  ];
}
