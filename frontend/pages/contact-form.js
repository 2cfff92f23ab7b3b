// Add or edit a contact.

import { api, listAll, newId } from '../api.js';
import { field, formAlert, onSubmit, saveOrCancel } from '../components/form.js';
import { pageHeader } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { CONTACT_STATUS, splitTags } from '../lib/format.js';

export async function render({ params, query, navigate, get }) {
  const editing = Boolean(params.id);
  const [contact, orgs, people] = await Promise.all([
    editing ? get(`/contacts/${params.id}`) : null,
    listAll('/organizations'),
    editing ? [] : listAll('/contacts'),
  ]);
  const c = contact ?? { status: 'identified', tags: [], organization_id: query.get('organization') };
  // A retried "Save" never creates two.
  const id = newId();
  const referralId = newId();

  const form = h(
    'form',
    { class: 'card' },
    formAlert(),
    field({ name: 'full_name', label: 'Name', required: true, value: c.full_name, autocomplete: 'off' }),
    field({
      name: 'organization_id',
      label: 'Organization',
      type: 'select',
      value: c.organization_id ?? '',
      options: [['', 'None'], ...orgs.map((o) => [o.id, o.name])],
    }),
    field({ name: 'title', label: 'Title', value: c.title }),
    field({ name: 'email', label: 'Email', type: 'email', value: c.email, autocomplete: 'off' }),
    field({ name: 'phone', label: 'Phone', type: 'tel', value: c.phone, autocomplete: 'off' }),
    field({ name: 'linkedin_url', label: 'LinkedIn or web page', type: 'url', value: c.linkedin_url, placeholder: 'https://' }),
    field({ name: 'location', label: 'Location', value: c.location }),
    field({ name: 'tags', label: 'Tags', value: c.tags.join(', '), hint: 'Separate tags with commas.' }),
    field({ name: 'status', label: 'Status', type: 'select', value: c.status, options: Object.entries(CONTACT_STATUS) }),
    // The edge that warm paths and the network follow.
    editing
      ? null
      : field({
          name: 'introduced_by',
          label: 'Introduced by',
          type: 'select',
          options: [['', 'Not recorded'], ['me', 'Nobody: you know them yourself'], ...people.map((p) => [p.id, p.full_name])],
        }),
    field({ name: 'how_we_met', label: 'How you met', type: 'textarea', value: c.how_we_met, rows: 2 }),
    field({ name: 'next_follow_up', label: 'Next follow-up', type: 'date', value: c.next_follow_up }),
    field({ name: 'notes', label: 'Notes', type: 'textarea', value: c.notes }),
    saveOrCancel(editing, 'Add contact', editing ? `/app/contacts/${c.id}` : '/app/contacts'),
  );
  onSubmit(form, async ({ introduced_by: by, ...data }) => {
    const body = { ...data, tags: splitTags(data.tags) };
    const saved = editing ? await api.patch(`/contacts/${c.id}`, body, { ifMatch: c.version }) : await api.post('/contacts', { ...body, id });
    if (by) {
      const from = by === 'me' ? null : by;
      await api.post('/referrals', { id: referralId, from_contact_id: from, to_contact_id: saved.id, status: from ? 'introduced' : 'met' });
    }
    navigate(`/app/contacts/${saved.id}`, { replace: editing });
  });
  return [pageHeader(editing ? `Edit ${c.full_name}` : 'Add a contact'), form];
}
