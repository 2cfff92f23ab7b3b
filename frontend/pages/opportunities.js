// Opportunities: where the chains of conversations lead (a role, a project, a partnership).

import { api } from '../api.js';
import { badge, emptyState, linkButton, pageHeader } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { formatDate, label } from '../lib/format.js';

export const KIND = { job: 'Job', consulting: 'Consulting', partnership: 'Partnership', other: 'Other' };
export const STATUS = {
  exploring: 'Exploring', in_discussion: 'In discussion', offered: 'Offered', accepted: 'Accepted', declined: 'Declined', closed: 'Closed',
};

export async function render({ signal }) {
  const page = await api.get('/opportunities', { sort: 'due_date', limit: 200 }, { signal });
  return [
    pageHeader('Opportunities', linkButton('/app/opportunities/new', 'Add opportunity')),
    page.items.length
      ? h('ul', { class: 'list' }, page.items.map((o) => h(
          'li',
          { class: 'item' },
          h('a', { href: `/app/opportunities/${o.id}`, class: 'item-main' }, o.title),
          h(
            'span',
            { class: 'item-meta' },
            h('span', {}, label(KIND, o.kind)),
            o.next_step ? h('span', {}, `Next: ${o.next_step}`) : null,
            o.due_date ? h('span', {}, `by ${formatDate(o.due_date)}`) : null,
            badge(label(STATUS, o.status), o.status),
          ),
        )))
      : emptyState(
          'No opportunities yet.',
          'Conversations lead to openings: a role before it is posted, a project, a partner. Record them here and see the chain of introductions that got you there.',
        ),
  ];
}
