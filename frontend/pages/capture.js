// After a meeting, on a phone: add notes one by one (each saved as entered) and mark the
// interview completed.

import { api } from '../api.js';
import { connectionWarning, noteComposer, noteSections, pasteMany } from '../components/notes.js';
import { badge, errorLine, section } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { formatDateTime, INTERVIEW_STATUS, label } from '../lib/format.js';
import { withSnapshot } from '../lib/outbox.js';

function completeButton(interview, onDone) {
  const message = errorLine();
  const button = h('button', { type: 'button', class: 'btn btn-secondary btn-big' }, 'Mark completed');
  button.addEventListener('click', async () => {
    button.disabled = true;
    const saved = await message.run(() => api.patch(`/interviews/${interview.id}`, { status: 'completed' }, { ifMatch: interview.version }));
    button.disabled = false;
    if (!saved) return;
    Object.assign(interview, saved);
    onDone(saved.warnings);
  });
  return h('div', { class: 'complete' }, button, message);
}

// Opened on a phone without a connection: the copy kept from the last visit, and the notes
// go to the outbox (lib/outbox.js) until the connection returns.
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
      done
        ? h('p', {}, 'Completed. Next: a short thank-you within a day, mentioning one thing you learned.')
        : completeButton(i, drawState),
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
