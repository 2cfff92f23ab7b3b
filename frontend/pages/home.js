// Today: the last meeting, reminders, what is coming, open notes.

import { badge, emptyState, hint, item, linkButton, meta, pageHeader, section } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { CATEGORIES, formatDateTime } from '../lib/format.js';

const SOON_MS = 30 * 60 * 1000;

function reminderItem(reminder) {
  const href = reminder.interview_id ? `/app/interviews/${reminder.interview_id}` : reminder.contact ? `/app/contacts/${reminder.contact.id}` : null;
  const row = item(href, reminder.message);
  row.dataset.kind = reminder.kind;
  return row;
}

function upcomingItem(interview) {
  return item(
    `/app/interviews/${interview.id}`,
    interview.interviewee.full_name,
    meta(
      h('time', { datetime: interview.scheduled_at }, formatDateTime(interview.scheduled_at)),
      interview.time_confirmed ? null : badge('time not confirmed'),
    ),
  );
}

export async function render({ session, get }) {
  const soon = new Date(Date.now() + SOON_MS).toISOString();
  const [recent, inbox] = await Promise.all([
    get('/interviews', { status: ['scheduled', 'completed'], scheduled_to: soon, sort: '-scheduled_at', limit: 1 }),
    get('/inbox'),
  ]);
  const last = recent.items[0];
  const lastName = last ? (await get(`/contacts/${last.contact_id}`)).full_name : '';
  const open = CATEGORIES.map(([key, text]) => [key, text, inbox.open_items[key].total]).filter(([, , n]) => n > 0);

  return [
    pageHeader('Today', linkButton('/app/interviews/new', 'Plan an interview')),
    h('p', { class: 'lead' }, `Hello ${session.user.display_name.split(' ')[0]}.`),
    last
      ? h(
          'section',
          { class: 'card capture-cta', 'aria-labelledby': 'after-title' },
          h('h2', { id: 'after-title' }, 'After a meeting'),
          h('p', {}, `Write down what you heard from ${lastName} while it is fresh.`),
          linkButton(`/app/interviews/${last.id}/capture`, `Capture notes: ${lastName}`, 'btn-primary btn-big'),
        )
      : null,
    section(
      'To do next',
      inbox.reminders.length
        ? h('ul', { class: 'list' }, inbox.reminders.map(reminderItem))
        : hint('Nothing is waiting on you. Thank-yous, introductions and follow-ups will show up here when they are due.'),
    ),
    section(
      'Coming up',
      inbox.upcoming.length
        ? h('ul', { class: 'list' }, inbox.upcoming.map(upcomingItem))
        : emptyState(
            'Nothing scheduled.',
            'Each conversation starts with one person you would like to learn from. Add a contact, then plan an interview with them.',
            linkButton('/app/contacts/new', 'Add a contact', 'btn-secondary'),
          ),
    ),
    open.length
      ? section(
          'Open notes',
          h(
            'ul',
            { class: 'counts' },
            open.map(([key, text, n]) => h('li', {}, h('a', { href: `/app/lists/${key}`, class: 'badge badge-tag' }, `${text}: ${n}`))),
          ),
        )
      : null,
  ];
}
