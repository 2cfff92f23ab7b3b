// Add or edit an opportunity.

import { api, listAll, newId } from '../api.js';
import { field, formAlert, onSubmit, saveOrCancel } from '../components/form.js';
import { pageHeader } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { formatDateTime } from '../lib/format.js';
import { KIND, STATUS } from './opportunities.js';

export async function render({ params, query, navigate, get }) {
  const editing = Boolean(params.id);
  const [o, contacts, orgs, interviews] = await Promise.all([
    editing ? get(`/opportunities/${params.id}`) : { kind: 'job', status: 'exploring', contact_id: query.get('contact') },
    listAll('/contacts'),
    listAll('/organizations'),
    listAll('/interviews', { sort: '-scheduled_at' }),
  ]);
  const names = new Map(contacts.map((c) => [c.id, c.full_name]));
  const id = newId();
  const form = h(
    'form',
    { class: 'card' },
    formAlert(),
    field({ name: 'title', label: 'Title', required: true, value: o.title, autocomplete: 'off' }),
    field({ name: 'kind', label: 'Kind', type: 'select', value: o.kind, options: Object.entries(KIND) }),
    field({ name: 'status', label: 'Status', type: 'select', value: o.status, options: Object.entries(STATUS) }),
    field({
      name: 'contact_id',
      label: 'Came through',
      type: 'select',
      value: o.contact_id ?? '',
      options: [['', 'Nobody in particular'], ...contacts.map((c) => [c.id, c.full_name])],
    }),
    field({
      name: 'organization_id',
      label: 'Organization',
      type: 'select',
      value: o.organization_id ?? '',
      options: [['', 'None'], ...orgs.map((g) => [g.id, g.name])],
    }),
    interviews.length
      ? field({
          name: 'interview_ids',
          label: 'Conversations it came out of',
          type: 'select',
          multiple: true,
          value: o.interview_ids,
          options: interviews.map((i) => [i.id, `${names.get(i.contact_id)}${i.scheduled_at ? `, ${formatDateTime(i.scheduled_at)}` : ''}`]),
          hint: 'Pick several with Ctrl or ⌘ on a computer.',
        })
      : null,
    field({ name: 'next_step', label: 'Next step', value: o.next_step }),
    field({ name: 'due_date', label: 'Due', type: 'date', value: o.due_date }),
    field({ name: 'notes', label: 'Notes', type: 'textarea', value: o.notes }),
    saveOrCancel(editing, 'Add opportunity', editing ? `/app/opportunities/${o.id}` : '/app/opportunities'),
  );
  onSubmit(form, async (data) => {
    const saved = editing ? await api.patch(`/opportunities/${o.id}`, data, { ifMatch: o.version }) : await api.post('/opportunities', { ...data, id });
    navigate(`/app/opportunities/${saved.id}`, { replace: editing });
  });
  return [pageHeader(editing ? `Edit ${o.title}` : 'Add an opportunity'), form];
}
