// Add or edit an organization.

import { api, newId } from '../api.js';
import { field, formAlert, onSubmit, saveOrCancel } from '../components/form.js';
import { pageHeader } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { splitTags } from '../lib/format.js';

const LEVELS = [
  ['', 'Not set'],
  ['1', '1 · curious'],
  ['2', '2'],
  ['3', '3 · interested'],
  ['4', '4'],
  ['5', '5 · top target'],
];

export async function render({ params, navigate, get }) {
  const editing = Boolean(params.id);
  const o = editing ? await get(`/organizations/${params.id}`) : { tags: [] };
  const id = newId();
  const form = h(
    'form',
    { class: 'card' },
    formAlert(),
    field({ name: 'name', label: 'Name', required: true, value: o.name, autocomplete: 'off' }),
    field({ name: 'interest_level', label: 'Interest', type: 'select', value: o.interest_level ?? '', options: LEVELS }),
    field({ name: 'industry', label: 'Industry', value: o.industry }),
    field({ name: 'website', label: 'Website', type: 'url', value: o.website, placeholder: 'https://' }),
    field({ name: 'linkedin_url', label: 'LinkedIn page', type: 'url', value: o.linkedin_url, placeholder: 'https://' }),
    field({ name: 'tags', label: 'Tags', value: o.tags.join(', '), hint: 'Separate tags with commas.' }),
    field({ name: 'notes', label: 'Notes', type: 'textarea', value: o.notes }),
    saveOrCancel(editing, 'Add organization', editing ? `/app/organizations/${o.id}` : '/app/organizations'),
  );
  onSubmit(form, async (data) => {
    const body = { ...data, tags: splitTags(data.tags), interest_level: data.interest_level ? Number(data.interest_level) : null };
    const saved = editing ? await api.patch(`/organizations/${o.id}`, body, { ifMatch: o.version }) : await api.post('/organizations', { ...body, id });
    navigate(`/app/organizations/${saved.id}`, { replace: editing });
  });
  return [pageHeader(editing ? `Edit ${o.name}` : 'Add an organization'), form];
}
