// After a meeting, on a phone: add notes one by one (each saved as entered) and mark the
// interview completed.

import { api } from '../api.js';
import { noteComposer, noteSections, pasteMany } from '../components/notes.js';
import { badge } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { formatDateTime, INTERVIEW_STATUS, label } from '../lib/format.js';

function completeButton(interview, onDone) {
  const message = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const button = h('button', { type: 'button', class: 'btn btn-secondary btn-big' }, 'Mark completed');
  button.addEventListener('click', async () => {
    button.disabled = true;
    message.hidden = true;
    try {
      Object.assign(interview, await api.patch(`/interviews/${interview.id}`, { status: 'completed' }, { ifMatch: interview.version }));
      onDone();
    } catch (exc) {
      if (exc?.name !== 'ApiError') throw exc;
      message.textContent = exc.fields.status ?? exc.message;
      message.hidden = false;
      button.disabled = false;
    }
  });
  return h('div', { class: 'complete' }, button, message);
}

export async function render({ params, signal }) {
  const interview = await api.get(`/interviews/${params.id}`, undefined, { signal });
  const contact = await api.get(`/contacts/${interview.contact_id}`, undefined, { signal });
  const i = interview;
  const state = h('div', { class: 'capture-state' });
  const drawState = () => {
    const done = ['completed', 'thanked'].includes(i.status);
    state.replaceChildren(
      h('p', { class: 'subtitle' }, badge(label(INTERVIEW_STATUS, i.status), i.status), i.scheduled_at ? ` ${formatDateTime(i.scheduled_at)}` : null),
      done
        ? h('p', {}, 'Completed. Next: a short thank-you within a day, mentioning one thing you learned.')
        : completeButton(i, drawState),
    );
  };
  drawState();
  const sections = noteSections(i.note_items, { headingLevel: 'h3' });
  return [
    h('h1', { tabindex: '-1' }, `Notes: ${contact.full_name}`),
    state,
    noteComposer(i.id, { onSaved: (note) => sections.add(note) }),
    pasteMany(i.id, { onSaved: (note) => sections.add(note) }),
    h('section', { 'aria-labelledby': 'so-far' }, h('h2', { id: 'so-far' }, 'So far'), sections),
    h('p', {}, h('a', { href: `/app/interviews/${i.id}` }, 'Open the whole interview')),
  ];
}
