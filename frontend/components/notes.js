// Notes in six sections; a draft survives a failed save and a reload.

import { ApiError, api, newId } from '../api.js';
import { h, mount, uid } from '../lib/dom.js';
import { CATEGORIES, CATEGORY_LABEL } from '../lib/format.js';
import { outbox, pending, queue } from '../lib/outbox.js';
import { clearErrors, field, setFieldError, submitButton } from './form.js';
import { actionButton, badge, hint, saveStatus } from './ui.js';

// The sections on screen, where a note the outbox sends later lands.
let live = null;
outbox.addEventListener('sent', (event) => {
  if (live?.interviewId === event.detail.interview_id) live.add(event.detail);
});

/** Posts a note, or queues it when offline (or when older ones wait). */
async function send(body) {
  const waiting = await pending().catch(() => []);
  let failure = null;
  if (!waiting.length && navigator.onLine) {
    try {
      return { note: await api.post('/note-items', body) };
    } catch (exc) {
      if (!exc?.network) throw exc;
      failure = exc;
    }
  }
  try {
    await queue(body);
  } catch (exc) {
    if (exc?.name === 'ApiError') throw exc;
    throw failure ?? new ApiError({ network: true }); // no IndexedDB: the draft stays in the box
  }
  const kept = (await pending()).some((n) => n.id === body.id);
  return kept ? { note: { ...body, pending: true }, kept } : { note: null };
}

const draftKey = (interviewId) => `nexthop.draft.${interviewId}`;

function loadDraft(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

function storeDraft(key, draft) {
  try {
    if (draft?.text) localStorage.setItem(key, JSON.stringify(draft));
    else localStorage.removeItem(key);
  } catch {
    // Storage full or off: the text stays in the box.
  }
}

export function tickBox(note) {
  const box = h('input', {
    type: 'checkbox',
    checked: note.status === 'done',
    'aria-label': `Done: ${note.text}`,
    onchange: async () => {
      box.disabled = true;
      try {
        Object.assign(note, await api.patch(`/note-items/${note.id}`, { status: box.checked ? 'done' : 'open' }, { ifMatch: note.version }));
        box.closest('.note').classList.toggle('done', note.status === 'done');
      } catch (exc) {
        box.checked = note.status === 'done';
        if (exc?.name !== 'ApiError') throw exc;
      } finally {
        box.disabled = false;
      }
    },
  });
  return box;
}

/** The six sections; `sections.add(note)` keeps them current. */
export function noteSections(items, interviewId) {
  const lists = {};
  const current = {};
  const root = h(
    'div',
    { class: 'note-sections' },
    CATEGORIES.map(([key, text, help]) => {
      const id = uid('sec');
      current[key] = [];
      lists[key] = h('ul', { class: 'notes', 'aria-labelledby': id });
      return h(
        'section',
        { class: 'note-section', dataset: { category: key } },
        h('h3', { id }, text, ' ', h('span', { class: 'count-pill', 'aria-hidden': 'true' })),
        hint(help),
        lists[key],
      );
    }),
  );

  const noteItem = (note) =>
    h(
      'li',
      { class: ['note', note.pending && 'pending', note.status === 'done' && 'done'], dataset: { id: note.id } },
      note.pending ? null : tickBox(note),
      h('span', { class: 'note-text' }, note.text),
      note.pending ? badge(note.error ? `Not synced: ${note.error}` : 'waiting to sync', 'pending') : null,
      !note.pending && note.category === 'to_connect' ? connectAction(note, draw) : null,
    );

  function draw() {
    for (const [key] of CATEGORIES) {
      const notes = current[key];
      mount(lists[key], notes.length ? notes.map(noteItem) : h('li', { class: 'note-empty' }, 'Nothing yet.'));
      lists[key].parentElement.querySelector('.count-pill').textContent = notes.length || '';
    }
  }

  root.add = (note, redraw = true) => {
    const list = current[note.category];
    const at = list?.findIndex((n) => n.id === note.id);
    if (at >= 0) list[at] = note;
    else list?.push(note);
    if (redraw) draw();
  };
  for (const note of items) root.add(note, false);
  draw();
  root.interviewId = interviewId;
  live = root;
  // The server's copy wins over the waiting one.
  pending().then(
    (waiting) => {
      for (const n of waiting) {
        if (n.interview_id === interviewId && !current[n.category]?.some((x) => x.id === n.id)) root.add({ ...n, pending: true });
      }
    },
    () => {},
  );
  return root;
}

/** A To Connect note becomes a contact, introduction and planned interview. */
function connectAction(note, redraw) {
  if (note.contact_id) {
    return h('a', { href: `/app/contacts/${note.contact_id}`, class: 'note-link' }, 'Open contact');
  }
  return h(
    'span',
    { class: 'note-action' },
    actionButton(
      'Add as contact',
      async () => {
        Object.assign(note, (await api.post(`/note-items/${note.id}/convert`, {}, { idempotencyKey: `convert-${note.id}` })).note_item);
        redraw();
      },
      'btn-secondary btn-small',
      { 'aria-label': `Add as contact: ${note.text}` },
    ),
  );
}

/** One note at a time; a retry keeps its client id (no second copy). */
export function noteComposer(interviewId, { onSaved } = {}) {
  const key = draftKey(interviewId);
  const saved = loadDraft(key);
  let draft = saved ?? { id: newId(), category: 'to_connect', text: '' };
  const status = saveStatus();
  const form = h(
    'form',
    { class: 'composer card', 'aria-label': 'Add a note', noValidate: true },
    h(
      'fieldset',
      { class: 'category-picker' },
      h('legend', {}, 'Category'),
      h(
        'div',
        { class: 'chips' },
        CATEGORIES.map(([value, text]) => {
          const id = uid('cat');
          return h(
            'span',
            { class: 'chip' },
            h('input', { type: 'radio', name: 'category', id, value, checked: value === draft.category }),
            h('label', { for: id }, text),
          );
        }),
      ),
      h('p', { class: 'field-error', hidden: true }),
    ),
    field({ name: 'text', label: 'Note', type: 'textarea', value: draft.text, placeholder: 'One thing per note: a name, a book, a promise…' }),
    h('div', { class: 'form-actions' }, submitButton('Add note'), status),
  );
  const text = form.elements.text;
  if (saved?.text) status.set('error', 'Unsaved draft kept from before: add it when ready.');

  const remember = () => {
    draft.text = text.value;
    draft.category = form.elements.category.value || draft.category;
    storeDraft(key, draft);
  };
  form.addEventListener('input', remember);
  form.addEventListener('change', remember);
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    remember();
    if (!draft.text.trim()) {
      setFieldError(form, 'text', 'Write the note first.');
      text.focus();
      return;
    }
    const button = form.querySelector('[type="submit"]');
    button.disabled = true;
    status.set('saving');
    try {
      const { note, kept } = await send({
        id: draft.id,
        interview_id: interviewId,
        category: draft.category,
        text: draft.text.trim(),
      });
      const category = CATEGORY_LABEL[draft.category];
      draft = { id: newId(), category: draft.category, text: '' };
      storeDraft(key, null);
      text.value = '';
      status.set('saved', kept ? 'No connection: kept on this phone, it will be sent when the connection is back.' : `Saved in ${category}`);
      text.focus();
      if (note) onSaved?.(note);
    } catch (exc) {
      if (exc?.name !== 'ApiError') throw exc;
      const reasons = ['text', 'category'].filter((name) => exc.fields[name] && setFieldError(form, name, exc.fields[name]));
      status.set(
        'error',
        exc.network
          ? 'Not saved: no connection. Your note is kept here; press "Add note" again to retry.'
          : reasons.length
            ? 'Not saved.'
            : `Not saved: ${exc.message}`,
      );
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

const PASTE_HINT =
  'One note per line, each starting with its category: connect:, follow up:, read:, look up:, todo:, think:. A line without one continues the note above.';

/** Lines with category prefixes: all saved, or none with each reason. */
export function pasteMany(interviewId, { onSaved } = {}) {
  const key = `${draftKey(interviewId)}.paste`;
  let draft = loadDraft(key) ?? { key: newId(), text: '' };
  const id = uid('paste');
  const status = saveStatus();
  const problems = h('ul', { class: 'field-error', id: `${id}-error`, hidden: true });
  const text = h('textarea', { id, name: 'text', rows: 5, value: draft.text, 'aria-describedby': `${id}-hint ${id}-error` });
  const form = h(
    'form',
    { class: 'paste card', noValidate: true },
    h('div', { class: 'field' }, h('label', { for: id }, 'Paste many notes'), h('p', { class: 'hint', id: `${id}-hint` }, PASTE_HINT), text, problems),
    h('div', { class: 'form-actions' }, submitButton('Add all'), status),
  );
  const store = () => storeDraft(key, draft);
  text.addEventListener('input', () => {
    // A different text needs its own idempotency key.
    draft = { key: newId(), text: text.value };
    store();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problems.hidden = true;
    text.removeAttribute('aria-invalid');
    if (!text.value.trim()) return;
    const button = form.querySelector('[type="submit"]');
    button.disabled = true;
    status.set('saving');
    try {
      const created = await api.post(`/interviews/${interviewId}/note-items/capture`, { text: text.value }, { idempotencyKey: draft.key });
      draft = { key: newId(), text: '' };
      store();
      text.value = '';
      const n = created.items.length;
      status.set('saved', `Saved ${n} ${n === 1 ? 'note' : 'notes'}`);
      for (const note of created.items) onSaved?.(note);
    } catch (exc) {
      if (exc?.name !== 'ApiError') throw exc;
      const lines = exc.problem?.lines ?? [];
      status.set('error', exc.network ? 'Not saved: no connection. The text is kept; try again.' : `Not saved: ${exc.message}`);
      if (lines.length) {
        mount(
          problems,
          lines.map((l) => h('li', {}, `Line ${l.line}: ${l.reason}`)),
        );
        problems.hidden = false;
        text.setAttribute('aria-invalid', 'true');
        text.focus();
      }
    } finally {
      button.disabled = false;
    }
  });
  return h('details', { class: 'paste-many' }, h('summary', {}, 'Paste many at once'), form);
}

/** The nudge after a conversation with no To Connect note. */
export function connectionWarning(interview, warnings) {
  const el = h('div', { class: 'card warning', role: 'status' });
  el.check = (list = warnings) => {
    const server = (list ?? []).find((w) => w.code === 'no_connection');
    const done = ['completed', 'thanked'].includes(interview.status);
    const missing = !interview.no_connection_dismissed && done && !interview.note_items?.some((n) => n.category === 'to_connect');
    el.hidden = !(server || missing);
    if (el.hidden) return;
    mount(
      el,
      h(
        'p',
        {},
        h('strong', {}, 'No new connection yet. '),
        server?.message ?? 'Who else should you talk to? Add a To Connect note with the names they suggested.',
      ),
      actionButton('Dismiss: no one this time', async () => {
        Object.assign(interview, await api.patch(`/interviews/${interview.id}`, { no_connection_dismissed: true }, { ifMatch: interview.version }));
        el.hidden = true;
      }),
    );
  };
  el.check();
  return el;
}
