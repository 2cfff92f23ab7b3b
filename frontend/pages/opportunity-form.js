// Add or edit an opportunity.

import { api, listAll, newId } from '../api.js';
import { field, formAlert, onSubmit, submitButton } from '../components/form.js';
import { pageHeader } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { KIND, STATUS } from './opportunities.js';

export async function render({ params, query, navigate, signal }) {
  const editing = Boolean(params.id);
  const [o, contacts, orgs] = await Promise.all([
    editing ? api.get(`/opportunities/${params.id}`, undefined, { signal }) : { kind: 'job', status: 'exploring', contact_id: query.get('contact') },
    listAll('/contacts'),
    listAll('/organizations'),
  ]);
  const id = newId();
  const form = h(
    'form',
    { class: 'card' },
    formAlert(),
    field({ name: 'title', label: 'Title', required: true, value: o.title, autocomplete: 'off' }),
    field({ name: 'kind', label: 'Kind', type: 'select', value: o.kind, options: Object.entries(KIND) }),
    field({ name: 'status', label: 'Status', type: 'select', value: o.status, options: Object.entries(STATUS) }),
    field({ name: 'contact_id', label: 'Came through', type: 'select', value: o.contact_id ?? '', options: [['', 'Nobody in particular'], ...contacts.map((c) => [c.id, c.full_name])] }),
    field({ name: 'organization_id', label: 'Organization', type: 'select', value: o.organization_id ?? '', options: [['', 'None'], ...orgs.map((g) => [g.id, g.name])] }),
    field({ name: 'next_step', label: 'Next step', value: o.next_step }),
    field({ name: 'due_date', label: 'Due', type: 'date', value: o.due_date }),
    field({ name: 'notes', label: 'Notes', type: 'textarea', value: o.notes }),
    h(
      'div',
      { class: 'form-actions' },
      submitButton(editing ? 'Save changes' : 'Add opportunity'),
      h('a', { href: editing ? `/app/opportunities/${o.id}` : '/app/opportunities', class: 'btn btn-quiet' }, 'Cancel'),
    ),
  );
  onSubmit(form, async (data) => {
    const saved = editing
      ? await api.patch(`/opportunities/${o.id}`, data, { ifMatch: o.version })
      : await api.post('/opportunities', { ...data, id });
    navigate(`/app/opportunities/${saved.id}`, { replace: editing });
  });
  return [pageHeader(editing ? `Edit ${o.title}` : 'Add an opportunity'), form];
}
