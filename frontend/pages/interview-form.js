// Plan an interview, or edit its details (status: on its page).

import { api, listAll, newId } from '../api.js';
import { field, formAlert, onSubmit, saveOrCancel } from '../components/form.js';
import { emptyState, linkButton, pageHeader } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { fromLocalInput, INTERVIEW_STATUS, toLocalInput } from '../lib/format.js';

const INITIAL = ['idea', 'outreach_sent', 'scheduled', 'completed'];

function lines(text) {
  return String(text || '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

export async function render({ params, query, navigate, get }) {
  const editing = Boolean(params.id);
  const [i, contacts] = await Promise.all([editing ? get(`/interviews/${params.id}`) : null, listAll('/contacts')]);
  if (!contacts.length) {
    return [
      pageHeader('Plan an interview'),
      emptyState(
        'First, someone to talk to.',
        'An interview is always with a contact. Add one, then come back.',
        linkButton('/app/contacts/new', 'Add a contact'),
      ),
    ];
  }
  const v = i ?? { contact_id: query.get('contact') ?? '', status: 'idea', duration_minutes: 45, agenda: [] };
  const id = newId();
  const form = h(
    'form',
    { class: 'card' },
    formAlert(),
    field({
      name: 'contact_id',
      label: 'With',
      type: 'select',
      required: true,
      value: v.contact_id,
      options: [['', 'Choose a contact…'], ...contacts.map((c) => [c.id, c.full_name])],
    }),
    editing
      ? null
      : field({
          name: 'status',
          label: 'Where it stands',
          type: 'select',
          value: v.status,
          options: INITIAL.map((s) => [s, INTERVIEW_STATUS[s]]),
          hint: 'Scheduled and completed need a time.',
        }),
    field({ name: 'scheduled_at', label: 'When', type: 'datetime-local', value: toLocalInput(v.scheduled_at) }),
    field({ name: 'duration_minutes', label: 'Minutes', type: 'number', value: v.duration_minutes, min: 10, max: 240, step: 5, inputmode: 'numeric' }),
    field({ name: 'location', label: 'Where', value: v.location, hint: 'A café, an office, or "video call".' }),
    field({ name: 'meeting_url', label: 'Meeting link', type: 'url', value: v.meeting_url, placeholder: 'https://' }),
    field({ name: 'agenda', label: 'Agenda', type: 'textarea', value: v.agenda.join('\n'), hint: 'One question or topic per line.', rows: 4 }),
    field({ name: 'research_notes', label: 'Research', type: 'textarea', value: v.research_notes }),
    editing ? field({ name: 'summary', label: 'Summary', type: 'textarea', value: v.summary }) : null,
    saveOrCancel(editing, 'Save interview', editing ? `/app/interviews/${v.id}` : '/app/interviews'),
  );
  onSubmit(form, async (data) => {
    const body = {
      ...data,
      scheduled_at: fromLocalInput(data.scheduled_at),
      duration_minutes: data.duration_minutes ? Number(data.duration_minutes) : 45,
      agenda: lines(data.agenda),
    };
    const saved = editing ? await api.patch(`/interviews/${v.id}`, body, { ifMatch: v.version }) : await api.post('/interviews', { ...body, id });
    navigate(`/app/interviews/${saved.id}`, { replace: editing });
  });
  return [pageHeader(editing ? 'Edit interview' : 'Plan an interview'), form];
}
