// After a meeting, on a phone: notes one by one, then mark it completed.

import { api } from '../api.js';
import { connectionWarning, noteComposer, noteSections, pasteMany } from '../components/notes.js';
import { actionButton, badge, section } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { formatDateTime, INTERVIEW_STATUS, label } from '../lib/format.js';
import { withSnapshot } from '../lib/outbox.js';

function completeButton(interview, onDone) {
  return h(
    'div',
    { class: 'complete' },
    actionButton(
      'Mark completed',
      async () => {
        onDone(Object.assign(interview, await api.patch(`/interviews/${interview.id}`, { status: 'completed' }, { ifMatch: interview.version })).warnings);
      },
      'btn-secondary btn-big',
    ),
  );
}

// Offline: the copy kept from the last visit; notes wait in the outbox.
export async function render({ params, get }) {
  const { interview, contact, offline } = await withSnapshot(`capture.${params.id}`, async () => {
    const found = await get(`/interviews/${params.id}`);
    return { interview: found, contact: await get(`/contacts/${found.contact_id}`) };
  });
  const i = interview;
  const state = h('div', { class: 'capture-state' });
  const warning = connectionWarning(i);
  const drawState = (warnings) => {
    warning.check(warnings);
    const done = ['completed', 'thanked'].includes(i.status);
    state.replaceChildren(
      h('p', { class: 'subtitle' }, badge(label(INTERVIEW_STATUS, i.status), i.status), i.scheduled_at ? ` ${formatDateTime(i.scheduled_at)}` : null),
      done ? h('p', {}, 'Completed. Next: a short thank-you within a day, mentioning one thing you learned.') : completeButton(i, drawState),
    );
  };
  drawState();
  const sections = noteSections(i.note_items, i.id);
  const onSaved = (note) => {
    sections.add(note);
    i.note_items.push(note);
    warning.check();
  };
  return [
    h('h1', { tabindex: '-1' }, `Notes: ${contact.full_name}`),
    offline ? h('p', { class: 'card warning' }, 'Offline: showing what this phone kept. New notes are sent when you are back online.') : null,
    state,
    warning,
    noteComposer(i.id, { onSaved }),
    pasteMany(i.id, { onSaved }),
    section('So far', sections),
    h('p', {}, h('a', { href: `/app/interviews/${i.id}` }, 'Open the whole interview')),
  ];
}
