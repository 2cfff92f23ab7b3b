// Interviews by state: a board, stacked on a phone.

import { listAll } from '../api.js';
import { interviewItem } from '../components/interview-item.js';
import { emptyState, hint, linkButton, pageHeader } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { INTERVIEW_STATUS } from '../lib/format.js';
import { contactsById } from '../lib/lookup.js';

const OPEN = ['idea', 'outreach_sent', 'scheduled', 'completed', 'thanked'];
const CLOSED = ['declined', 'cancelled', 'no_show'];
const HINTS = {
  idea: 'People you would like to talk to.',
  outreach_sent: 'Waiting for an answer.',
  scheduled: 'Prepare: agenda, research, questions.',
  completed: 'Send a thank-you within a day.',
  thanked: 'Done. Keep in touch.',
};

function column(status, items, contacts) {
  const id = `col-${status}`;
  return h(
    'section',
    { class: 'column', 'aria-labelledby': id },
    h('h2', { id }, INTERVIEW_STATUS[status], ' ', h('span', { class: 'count-pill' }, String(items.length))),
    HINTS[status] ? hint(HINTS[status]) : null,
    items.length
      ? h(
          'ul',
          { class: 'list' },
          items.map((i) => interviewItem(i, contacts, { showStatus: false })),
        )
      : null,
  );
}

export async function render({ get }) {
  const interviews = await listAll('/interviews', { sort: 'scheduled_at' });
  const contacts = await contactsById(
    interviews.map((i) => i.contact_id),
    get,
  );
  const by = Object.fromEntries([...OPEN, ...CLOSED].map((s) => [s, []]));
  for (const i of interviews) by[i.status]?.push(i);
  const closed = CLOSED.flatMap((s) => by[s]);
  const header = pageHeader('Interviews', linkButton('/app/interviews/new', 'Plan an interview'));
  if (!interviews.length) {
    return [
      header,
      emptyState(
        'No interviews yet.',
        'An informational interview is a short conversation to learn how someone does their work. Pick a contact and plan the first one.',
        linkButton('/app/interviews/new', 'Plan your first interview'),
      ),
    ];
  }
  return [
    header,
    h(
      'div',
      { class: 'board' },
      OPEN.map((s) => column(s, by[s], contacts)),
    ),
    closed.length
      ? h(
          'details',
          { class: 'closed' },
          h('summary', {}, `Declined, cancelled or missed (${closed.length})`),
          h(
            'ul',
            { class: 'list' },
            closed.map((i) => interviewItem(i, contacts)),
          ),
        )
      : null,
  ];
}
