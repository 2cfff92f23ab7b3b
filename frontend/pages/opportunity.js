// One opportunity and the chain that led to it.

import { api } from '../api.js';
import { interviewItem } from '../components/interview-item.js';
import { badge, dangerZone, details, emptyState, linkButton, pageHeader, section } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { formatDate, formatDateTime, label, REFERRAL_STATUS } from '../lib/format.js';
import { contactsById } from '../lib/lookup.js';
import { KIND, STATUS } from './opportunities.js';

export async function render({ params, navigate, get }) {
  const [o, chain] = await Promise.all([get(`/opportunities/${params.id}`), get(`/opportunities/${params.id}/chain`)]);
  const [org, contacts] = await Promise.all([
    o.organization_id ? get(`/organizations/${o.organization_id}`) : null,
    contactsById([o.contact_id, ...chain.interviews.map((i) => i.contact_id)], get),
  ]);
  const person = (p) => (p.id ? h('a', { href: `/app/contacts/${p.id}` }, p.full_name) : 'You');
  return [
    pageHeader(o.title, linkButton(`/app/opportunities/${o.id}/edit`, 'Edit', 'btn-secondary')),
    h('p', { class: 'subtitle' }, `${label(KIND, o.kind)} `, badge(label(STATUS, o.status), o.status)),
    details([
      ['Came through', o.contact_id ? h('a', { href: `/app/contacts/${o.contact_id}` }, contacts.get(o.contact_id)?.full_name ?? 'Contact') : null],
      ['Organization', org ? h('a', { href: `/app/organizations/${org.id}` }, org.name) : null],
      ['Next step', o.next_step],
      ['By', o.due_date ? formatDate(o.due_date) : null],
      ['Notes', o.notes ? h('span', { class: 'pre' }, o.notes) : null],
    ]),
    section(
      'How you got here',
      chain.steps.length
        ? h(
            'ol',
            { class: 'steps' },
            chain.steps.map((step) =>
              h(
                'li',
                {},
                person(step.introduced_by),
                ' → ',
                person(step.contact),
                ' ',
                badge(label(REFERRAL_STATUS, step.status), step.status),
                step.context ? h('span', { class: 'hint' }, ` ${step.context}`) : null,
                step.offered_in
                  ? [
                      ' · ',
                      h(
                        'a',
                        { href: `/app/interviews/${step.offered_in.id}` },
                        `offered in your conversation ${step.offered_in.scheduled_at ? formatDateTime(step.offered_in.scheduled_at) : ''}`,
                      ),
                    ]
                  : null,
              ),
            ),
          )
        : emptyState('No chain recorded.', 'Set who it came through to see the introductions that led there.'),
      chain.interviews.length
        ? [
            h('h3', {}, 'Conversations it came out of'),
            h(
              'ul',
              { class: 'list' },
              chain.interviews.map((i) => interviewItem(i, contacts)),
            ),
          ]
        : null,
    ),
    dangerZone('Delete opportunity', 'Really delete', async () => {
      await api.del(`/opportunities/${o.id}`, { ifMatch: o.version });
      navigate('/app/opportunities', { replace: true });
    }),
  ];
}
