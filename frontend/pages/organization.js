// One organization: people there by degree, warm paths in.

import { api, listAll } from '../api.js';
import { warmPaths } from '../components/paths.js';
import { badge, dangerZone, details, emptyState, externalLink, item, linkButton, meta, pageHeader, section } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { CONTACT_STATUS, label } from '../lib/format.js';
import { interestText } from './organizations.js';

function person(c, ...extra) {
  return item(`/app/contacts/${c.id}`, c.full_name, meta(c.title, badge(label(CONTACT_STATUS, c.status), c.status)), extra);
}

export async function render({ params, navigate, get }) {
  const [o, all, people, paths] = await Promise.all([
    get(`/organizations/${params.id}`),
    listAll('/contacts', { organization_id: params.id }),
    get(`/organizations/${params.id}/people`),
    get(`/organizations/${params.id}/warm-paths`, { limit: 5 }),
  ]);
  const known = new Set([...people.first_degree.map((c) => c.id), ...people.second_degree.map((s) => s.contact.id)]);
  const others = all.filter((c) => !known.has(c.id));
  const list = (items, render) => h('ul', { class: 'list' }, items.map(render));
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
      [
        'Tags',
        o.tags.length
          ? h(
              'span',
              { class: 'tags' },
              o.tags.map((t) => badge(t, 'tag')),
            )
          : null,
      ],
      ['Notes', o.notes ? h('span', { class: 'pre' }, o.notes) : null],
    ]),
    section(
      'People there',
      all.length ? null : emptyState('Nobody yet.', `Who could tell you what working at ${o.name} is really like? Ask your contacts whom they know there.`),
      people.first_degree.length ? [h('h3', {}, '1st degree: you know them'), list(people.first_degree, (c) => person(c))] : null,
      people.second_degree.length
        ? [
            h('h3', {}, '2nd degree: someone you know can introduce you'),
            list(people.second_degree, (s) =>
              person(
                s.contact,
                h(
                  'span',
                  { class: 'tags' },
                  'Through ',
                  s.introducers.map((i, n) => [n ? ', ' : '', h('a', { href: `/app/contacts/${i.contact.id}` }, i.contact.full_name)]),
                ),
              ),
            ),
          ]
        : null,
      others.length ? [h('h3', {}, 'Not connected yet'), list(others, (c) => person(c))] : null,
    ),
    section('Warm paths in', warmPaths(paths, `No chain of introductions reaches anyone at ${o.name} yet.`)),
    dangerZone('Delete organization', 'Really delete', async () => {
      await api.del(`/organizations/${o.id}`, { ifMatch: o.version });
      navigate('/app/organizations', { replace: true });
    }),
  ];
}
