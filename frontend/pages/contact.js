// One contact: details, conversations, introductions.

import { api } from '../api.js';
import { interviewItem } from '../components/interview-item.js';
import { alignmentView, warmPaths } from '../components/paths.js';
import { badge, dangerZone, details, emptyState, externalLink, hint, item, linkButton, meta, pageHeader, section } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { CONTACT_STATUS, formatDate, label } from '../lib/format.js';
import { contactsById, nameOf } from '../lib/lookup.js';

function referralList(referrals, contacts, end) {
  return h(
    'ul',
    { class: 'list' },
    referrals.map((r) => item(`/app/contacts/${r[end]}`, nameOf(contacts, r[end]), meta(r.context))),
  );
}

export async function render({ params, navigate, get }) {
  const contact = await get(`/contacts/${params.id}`);
  const [org, interviews, referrals, paths, alignment] = await Promise.all([
    contact.organization_id ? get(`/organizations/${contact.organization_id}`) : null,
    get('/interviews', { contact_id: contact.id, sort: '-scheduled_at', limit: 50 }),
    get('/referrals', { contact_id: contact.id, limit: 100 }),
    get(`/contacts/${contact.id}/warm-paths`, { limit: 3 }),
    get(`/contacts/${contact.id}/alignment`),
  ]);
  const introducedBy = referrals.items.filter((r) => r.to_contact_id === contact.id && r.from_contact_id);
  const introduced = referrals.items.filter((r) => r.from_contact_id === contact.id);
  const contacts = await contactsById([...introducedBy.map((r) => r.from_contact_id), ...introduced.map((r) => r.to_contact_id)], get);
  contacts.set(contact.id, contact);

  const c = contact;
  return [
    pageHeader(
      c.full_name,
      linkButton(`/app/interviews/new?contact=${c.id}`, 'Plan an interview'),
      linkButton(`/app/contacts/${c.id}/edit`, 'Edit', 'btn-secondary'),
    ),
    h('p', { class: 'subtitle' }, [c.title, org?.name].filter(Boolean).join(' · ') || null, ' ', badge(label(CONTACT_STATUS, c.status), c.status)),
    details([
      ['Organization', org ? h('a', { href: `/app/organizations/${org.id}` }, org.name) : null],
      ['Email', c.email ? h('a', { href: `mailto:${c.email}` }, c.email) : null],
      ['Phone', c.phone ? h('a', { href: `tel:${c.phone}` }, c.phone) : null],
      ['Web', c.linkedin_url ? externalLink(c.linkedin_url) : null],
      ['Location', c.location],
      [
        'Tags',
        c.tags.length
          ? h(
              'span',
              { class: 'tags' },
              c.tags.map((t) => badge(t, 'tag')),
            )
          : null,
      ],
      ['How you met', c.how_we_met],
      ['Next follow-up', c.next_follow_up ? formatDate(c.next_follow_up) : null],
      ['Notes', c.notes ? h('span', { class: 'pre' }, c.notes) : null],
    ]),
    section('Warm path', warmPaths(paths, 'Nobody links you to them yet. Record who introduced them, or meet them yourself.')),
    section('Alignment', alignmentView(alignment)),
    section(
      'Conversations',
      interviews.items.length
        ? h(
            'ul',
            { class: 'list' },
            interviews.items.map((i) => interviewItem(i, contacts, { byDate: true })),
          )
        : emptyState('No conversation yet.', `Plan an informational interview: twenty minutes of ${c.full_name.split(' ')[0]}'s time and good questions.`),
    ),
    section('Introduced by', introducedBy.length ? referralList(introducedBy, contacts, 'from_contact_id') : hint('Someone you found yourself.')),
    section(
      'Introduced you to',
      introduced.length
        ? referralList(introduced, contacts, 'to_contact_id')
        : hint('No one yet. Ask at the end of your conversation: who else should I talk to?'),
    ),
    dangerZone('Delete contact', 'Delete with their conversations and notes', async () => {
      await api.del(`/contacts/${c.id}`, { query: { cascade: true }, ifMatch: c.version });
      navigate('/app/contacts', { replace: true });
    }),
  ];
}
