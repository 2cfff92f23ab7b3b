// Opportunities: where the conversations lead.

import { badge, emptyState, item, linkButton, meta, pageHeader } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { formatDate, label } from '../lib/format.js';

export const KIND = { job: 'Job', consulting: 'Consulting', partnership: 'Partnership', other: 'Other' };
export const STATUS = {
  exploring: 'Exploring',
  in_discussion: 'In discussion',
  offered: 'Offered',
  accepted: 'Accepted',
  declined: 'Declined',
  closed: 'Closed',
};

export async function render({ get }) {
  const page = await get('/opportunities', { sort: 'due_date', limit: 200 });
  return [
    pageHeader('Opportunities', linkButton('/app/opportunities/new', 'Add opportunity')),
    page.items.length
      ? h(
          'ul',
          { class: 'list' },
          page.items.map((o) =>
            item(
              `/app/opportunities/${o.id}`,
              o.title,
              meta(
                label(KIND, o.kind),
                o.next_step && `Next: ${o.next_step}`,
                o.due_date && `by ${formatDate(o.due_date)}`,
                badge(label(STATUS, o.status), o.status),
              ),
            ),
          ),
        )
      : emptyState(
          'No opportunities yet.',
          'Conversations lead to openings: a role before it is posted, a project, a partner. Record them here and see the chain of introductions that got you there.',
        ),
  ];
}
