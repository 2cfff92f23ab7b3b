// One interview: details, its place in the lifecycle, the prep checklist and the notes in
// their six sections.

import { api } from '../api.js';
import { field, formAlert, onSubmit, submitButton } from '../components/form.js';
import { noteComposer, noteSections, pasteMany } from '../components/notes.js';
import { badge, confirmButton, details, externalLink, linkButton, pageHeader } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { formatDateTime, INTERVIEW_STATUS, label } from '../lib/format.js';

/** The lifecycle control: the server decides what is allowed and says why not (409). */
export function statusForm(interview, { onChanged } = {}) {
  const form = h(
    'form',
    { class: 'status-form' },
    formAlert(),
    field({
      name: 'status', label: 'Status', type: 'select', value: interview.status,
      options: Object.entries(INTERVIEW_STATUS),
    }),
    submitButton('Change status', { class: 'btn btn-secondary' }),
  );
  onSubmit(form, async ({ status }) => {
    if (status === interview.status) return '';
    const saved = await api.patch(`/interviews/${interview.id}`, { status }, { ifMatch: interview.version });
    Object.assign(interview, saved);
    onChanged?.(saved);
    return `Status is now ${label(INTERVIEW_STATUS, saved.status)}.`;
  });
  return form;
}

function checklist(interview) {
  if (!interview.checklist.length) return null;
  const status = h('p', { class: 'save-status', role: 'status' });
  const items = interview.checklist.map((item, index) => {
    const id = `check-${index}`;
    const box = h('input', {
      type: 'checkbox', id, checked: item.done,
      onchange: async () => {
        const next = interview.checklist.map((c, i) => (i === index ? { ...c, done: box.checked } : c));
        box.disabled = true;
        status.textContent = 'Saving…';
        try {
          Object.assign(interview, await api.patch(`/interviews/${interview.id}`, { checklist: next }, { ifMatch: interview.version }));
          status.textContent = 'Saved';
        } catch (exc) {
          if (exc?.name !== 'ApiError') throw exc;
          box.checked = !box.checked;
          status.textContent = `Not saved: ${exc.message}`;
        } finally {
          box.disabled = false;
        }
      },
    });
    return h('li', { class: 'check' }, box, h('label', { for: id }, item.text));
  });
  return h('section', { 'aria-labelledby': 'prep-title' }, h('h2', { id: 'prep-title' }, 'Preparation'), h('ul', { class: 'checklist' }, items), status);
}

export async function render({ params, navigate, signal }) {
  const interview = await api.get(`/interviews/${params.id}`, undefined, { signal });
  const contact = await api.get(`/contacts/${interview.contact_id}`, undefined, { signal });
  const i = interview;
  const subtitle = h('p', { class: 'subtitle' });
  const drawSubtitle = () => subtitle.replaceChildren(
    badge(label(INTERVIEW_STATUS, i.status), i.status),
    i.scheduled_at ? ` ${formatDateTime(i.scheduled_at)}` : ' No time set yet',
  );
  drawSubtitle();
  const sections = noteSections(i.note_items);
  return [
    pageHeader(
      h('span', {}, 'Interview with ', h('a', { href: `/app/contacts/${contact.id}` }, contact.full_name)),
      linkButton(`/app/interviews/${i.id}/capture`, 'Capture notes'),
      linkButton(`/app/interviews/${i.id}/edit`, 'Edit', 'btn-secondary'),
    ),
    subtitle,
    statusForm(i, { onChanged: drawSubtitle }),
    details([
      ['When', i.scheduled_at ? formatDateTime(i.scheduled_at) : null],
      ['Length', `${i.duration_minutes} minutes`],
      ['Where', i.location],
      ['Link', i.meeting_url ? externalLink(i.meeting_url, 'Join the meeting') : null],
      ['Summary', i.summary ? h('span', { class: 'pre' }, i.summary) : null],
    ]),
    i.agenda.length
      ? h('section', { 'aria-labelledby': 'agenda-title' }, h('h2', { id: 'agenda-title' }, 'Agenda'), h('ol', { class: 'agenda' }, i.agenda.map((a) => h('li', {}, a))))
      : null,
    i.research_notes
      ? h('section', { 'aria-labelledby': 'research-title' }, h('h2', { id: 'research-title' }, 'Research'), h('p', { class: 'pre' }, i.research_notes))
      : null,
    checklist(i),
    h(
      'section',
      { 'aria-labelledby': 'notes-title' },
      h('h2', { id: 'notes-title' }, 'Notes'),
      noteComposer(i.id, { onSaved: (note) => sections.add(note) }),
      pasteMany(i.id, { onSaved: (note) => sections.add(note) }),
      sections,
    ),
    h(
      'section',
      { class: 'danger-zone', 'aria-label': 'Delete' },
      confirmButton({
        label: 'Delete interview',
        confirmLabel: 'Delete it and its notes',
        onConfirm: async () => {
          await api.del(`/interviews/${i.id}`, { query: { cascade: true }, ifMatch: i.version });
          navigate('/app/interviews', { replace: true });
        },
      }),
    ),
  ];
}
