// One organization: why it matters and the people you know there.

import { api, listAll } from '../api.js';
import { badge, confirmButton, details, emptyState, externalLink, linkButton, pageHeader } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { CONTACT_STATUS, label } from '../lib/format.js';
import { interestText } from './organizations.js';

export async function render({ params, navigate, signal }) {
  const [o, people] = await Promise.all([
    api.get(`/organizations/${params.id}`, undefined, { signal }),
    listAll('/contacts', { organization_id: params.id }),
  ]);
  return [
    pageHeader(
      o.name,
      linkButton(`/app/contacts/new?organization=${o.id}`, 'Add someone there'),
      linkButton(`/app/organizations/${o.id}/edit`, 'Edit', 'btn-secondary'),
    ),
    h('p', { class: 'subtitle' }, badge(interestText(o.interest_level), 'interest')),
    details([
      ['Industry', o.industry],
      ['Website', o.website ? externalLink(o.website) : null],
      ['LinkedIn', o.linkedin_url ? externalLink(o.linkedin_url) : null],
      ['Tags', o.tags.length ? h('span', { class: 'tags' }, o.tags.map((t) => badge(t, 'tag'))) : null],
      ['Notes', o.notes ? h('span', { class: 'pre' }, o.notes) : null],
    ]),
    h(
      'section',
      { 'aria-labelledby': 'people-title' },
      h('h2', { id: 'people-title' }, 'People there'),
      people.length
        ? h('ul', { class: 'list' }, people.map((c) => h(
            'li',
            { class: 'item' },
            h('a', { href: `/app/contacts/${c.id}`, class: 'item-main' }, c.full_name),
            h('span', { class: 'item-meta' }, c.title ? h('span', {}, c.title) : null, badge(label(CONTACT_STATUS, c.status), c.status)),
          )))
        : emptyState('Nobody yet.', `Who could tell you what working at ${o.name} is really like? Ask your contacts whom they know there.`),
    ),
    h(
      'section',
      { class: 'danger-zone', 'aria-label': 'Delete' },
      confirmButton({
        label: 'Delete organization',
        confirmLabel: 'Really delete',
        onConfirm: async () => {
          await api.del(`/organizations/${o.id}`, { ifMatch: o.version });
          navigate('/app/organizations', { replace: true });
        },
      }),
    ),
  ];
}
