// Notes after a conversation: the six labelled sections, and the composer that adds one note
// at a time with a category picker. Each note is saved as it is entered; a draft survives a
// failed save and a reload (kept in localStorage until the server has it).

import { api, ApiError, newId } from '../api.js';
import { h, mount, uid } from '../lib/dom.js';
import { CATEGORIES, CATEGORY_LABEL } from '../lib/format.js';
import { outbox, pending, queue } from '../lib/outbox.js';
import { badge, saveStatus } from './ui.js';

// The sections on screen (one page at a time): a note the outbox sends later lands there.
let live = null;
outbox.addEventListener('sent', (event) => {
  if (live?.interviewId === event.detail.interview_id) live.add(event.detail);
});

/** Posts a note now, or keeps it in the outbox when offline (or when older ones wait). */
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
    // Storage full or disabled: the text stays in the box, which is the main safeguard.
  }
}

/** The "done" checkbox of a note in a `.note` item. */
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

/** The six sections; `notes.add(item)` and `notes.replace(items)` keep them current. */
export function noteSections(items, { headingLevel = 'h3', interviewId } = {}) {
  const lists = {};
  const root = h(
    'div',
    { class: 'note-sections' },
    CATEGORIES.map(([key, text, help]) => {
      const id = uid(`sec-${key}`);
      lists[key] = h('ul', { class: 'notes', 'aria-labelledby': id });
      return h(
        'section',
        { class: 'note-section', dataset: { category: key } },
        h(headingLevel, { id }, text, ' ', h('span', { class: 'count-pill', 'aria-hidden': 'true' })),
        h('p', { class: 'hint' }, help),
        lists[key],
      );
    }),
  );
  const byCategory = () => Object.fromEntries(CATEGORIES.map(([key]) => [key, []]));
  let current = byCategory();

  function noteItem(note) {
    if (note.pending) {
      return h(
        'li',
        { class: 'note pending', dataset: { id: note.id } },
        h('span', { class: 'note-text' }, note.text),
        badge(note.error ? `Not synced: ${note.error}` : 'waiting to sync', 'pending'),
      );
    }
    return h(
      'li',
      { class: ['note', note.status === 'done' && 'done'], dataset: { id: note.id } },
      tickBox(note),
      h('span', { class: 'note-text' }, note.text),
      note.category === 'to_connect' ? connectAction(note, () => draw()) : null,
    );
  }

  function draw() {
    for (const [key] of CATEGORIES) {
      const notes = current[key];
      mount(lists[key], notes.length ? notes.map(noteItem) : h('li', { class: 'note-empty' }, 'Nothing yet.'));
      const pill = lists[key].parentElement.querySelector('.count-pill');
      pill.textContent = notes.length ? String(notes.length) : '';
    }
  }

  root.replace = (notes) => {
    current = byCategory();
    for (const note of notes) current[note.category]?.push(note);
    draw();
  };
  root.add = (note) => {
    const list = current[note.category];
    if (!list) return;
    const at = list.findIndex((n) => n.id === note.id);
    if (at < 0) list.push(note);
    else list[at] = note;
    draw();
  };
  root.replace(items);
  if (interviewId) {
    root.interviewId = interviewId;
    live = root;
    // A copy from the server (or one sent meanwhile) wins over the waiting one.
    pending().then((waiting) => {
      for (const n of waiting) {
        if (n.interview_id === interviewId && !current[n.category]?.some((x) => x.id === n.id)) root.add({ ...n, pending: true });
      }
    }, () => {});
  }
  return root;
}

/**
 * A To Connect note becomes a contact, the introduction and a planned interview, in place.
 * Once converted it links to the new contact instead.
 */
function connectAction(note, redraw) {
  if (note.contact_id) {
    return h('a', { href: `/app/contacts/${note.contact_id}`, class: 'note-link' }, 'Open contact');
  }
  const message = h('span', { class: 'field-error', role: 'alert', hidden: true });
  const button = h('button', { type: 'button', class: 'btn btn-secondary btn-small' }, 'Add as contact');
  button.setAttribute('aria-label', `Add ${note.text} as a contact`);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const done = await api.post(`/note-items/${note.id}/convert`, {}, { idempotencyKey: `convert-${note.id}` });
      Object.assign(note, done.note_item);
      redraw();
    } catch (exc) {
      if (exc?.name !== 'ApiError') throw exc;
      message.textContent = exc.message;
      message.hidden = false;
      button.disabled = false;
    }
  });
  return h('span', { class: 'note-action' }, button, message);
}

/** The category picker: six radio buttons styled as large chips (thumb-sized on a phone). */
export function categoryPicker(selected, name = 'category') {
  const errorId = uid('cat-error');
  return h(
    'fieldset',
    { class: 'category-picker', 'aria-describedby': errorId },
    h('legend', {}, 'Category'),
    h('div', { class: 'chips' }, CATEGORIES.map(([key, text]) => {
      const id = uid(`cat-${key}`);
      return h(
        'span',
        { class: 'chip' },
        h('input', { type: 'radio', name, id, value: key, checked: key === selected }),
        h('label', { for: id }, text),
      );
    })),
    h('p', { class: 'field-error', id: errorId, hidden: true }),
  );
}

/**
 * Adds notes to one interview. `onSaved(note)` runs after each save.
 * Keeps the same client id for retries of the same note, so a retry never duplicates it.
 */
export function noteComposer(interviewId, { onSaved, autofocus = false } = {}) {
  const saved = loadDraft(draftKey(interviewId));
  let draft = saved ?? { id: newId(), category: 'to_connect', text: '' };
  const textId = uid('note-text');
  const status = saveStatus();
  const text = h('textarea', {
    id: textId, name: 'text', rows: 3, 'aria-describedby': `${textId}-error`,
    value: draft.text, autofocus,
    placeholder: 'One thing per note: a name, a book, a promise…',
  });
  const picker = categoryPicker(draft.category);
  const form = h(
    'form',
    { class: 'composer card', 'aria-label': 'Add a note' },
    picker,
    h(
      'div',
      { class: 'field' },
      h('label', { for: textId }, 'Note'),
      text,
      h('p', { class: 'field-error', id: `${textId}-error`, hidden: true }),
    ),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Add note'), status),
  );
  form.noValidate = true;
  if (saved?.text) status.set('error', 'Unsaved draft kept from before: add it when ready.');

  const remember = () => {
    draft.text = text.value;
    draft.category = form.elements.category.value || draft.category;
    storeDraft(draftKey(interviewId), draft);
  };
  form.addEventListener('input', remember);
  form.addEventListener('change', remember);
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });

  function fieldError(el, message) {
    const slot = el.matches('fieldset') ? el.querySelector('.field-error') : el.parentElement.querySelector('.field-error');
    slot.textContent = message ?? '';
    slot.hidden = !message;
    if (message) el.setAttribute('aria-invalid', 'true');
    else el.removeAttribute('aria-invalid');
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fieldError(text, null);
    fieldError(picker, null);
    remember();
    if (!draft.text.trim()) {
      fieldError(text, 'Write the note first.');
      text.focus();
      return;
    }
    const button = form.querySelector('[type="submit"]');
    button.disabled = true;
    status.set('saving');
    try {
      const { note, kept } = await send({
        id: draft.id, interview_id: interviewId, category: draft.category, text: draft.text.trim(),
      });
      const category = CATEGORY_LABEL[draft.category];
      draft = { id: newId(), category: draft.category, text: '' };
      storeDraft(draftKey(interviewId), null);
      text.value = '';
      status.set('saved', kept ? 'No connection: kept on this phone, it will be sent when the connection is back.' : `Saved in ${category}`);
      text.focus();
      if (note) onSaved?.(note);
    } catch (exc) {
      if (exc?.name !== 'ApiError') throw exc;
      if (exc.network) {
        status.set('error', 'Not saved: no connection. Your note is kept here; press "Add note" again to retry.');
      } else {
        status.set('error', 'Not saved.');
        if (exc.fields.text) fieldError(text, exc.fields.text);
        if (exc.fields.category) fieldError(picker, exc.fields.category);
        if (!exc.fields.text && !exc.fields.category) status.set('error', `Not saved: ${exc.message}`);
      }
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

const PASTE_HINT = 'One note per line, each starting with its category: connect:, follow up:, read:, look up:, todo:, think:. A line without one continues the note above.';

/**
 * The paste-many box: a block of lines, each with a category prefix, saved all at once (or,
 * if one line cannot be read, not at all, with the reason for each line).
 */
export function pasteMany(interviewId, { onSaved } = {}) {
  const key = `${draftKey(interviewId)}.paste`;
  let draft = loadDraft(key) ?? { key: newId(), text: '' };
  const id = uid('paste');
  const status = saveStatus();
  const problems = h('ul', { class: 'field-error', id: `${id}-error`, hidden: true });
  const text = h('textarea', { id, name: 'text', rows: 5, value: draft.text, 'aria-describedby': `${id}-hint ${id}-error` });
  const form = h(
    'form',
    { class: 'paste card' },
    h(
      'div',
      { class: 'field' },
      h('label', { for: id }, 'Paste many notes'),
      h('p', { class: 'hint', id: `${id}-hint` }, PASTE_HINT),
      text,
      problems,
    ),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Add all'), status),
  );
  form.noValidate = true;
  const store = () => storeDraft(key, draft);
  text.addEventListener('input', () => {
    // A different text is a different request: it needs its own idempotency key.
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
      const created = await api.post(
        `/interviews/${interviewId}/note-items/capture`,
        { text: text.value },
        { idempotencyKey: draft.key },
      );
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
        mount(problems, lines.map((l) => h('li', {}, `Line ${l.line}: ${l.reason}`)));
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

/**
 * After a conversation with no To Connect note: the method's nudge (the API's `warnings`, or
 * the same check on load), with a way to say "no one this time" (no_connection_dismissed).
 */
export function connectionWarning(interview, warnings) {
  const el = h('div', { class: 'card warning', role: 'status' });
  const message = h('p', { class: 'field-error', role: 'alert', hidden: true });
  el.check = (list = warnings) => {
    const server = (list ?? []).find((w) => w.code === 'no_connection');
    const done = ['completed', 'thanked'].includes(interview.status);
    const missing = !interview.no_connection_dismissed && done && !interview.note_items?.some((n) => n.category === 'to_connect');
    el.hidden = !(server || missing);
    if (el.hidden) return;
    mount(
      el,
      h('p', {}, h('strong', {}, 'No new connection yet. '), server?.message ?? 'Who else should you talk to? Add a To Connect note with the names they suggested.'),
      h('button', {
        type: 'button', class: 'btn btn-secondary',
        onclick: async (event) => {
          event.currentTarget.disabled = true;
          try {
            Object.assign(interview, await api.patch(`/interviews/${interview.id}`, { no_connection_dismissed: true }, { ifMatch: interview.version }));
            el.hidden = true;
          } catch (exc) {
            if (exc?.name !== 'ApiError') throw exc;
            message.textContent = exc.message;
            message.hidden = false;
          }
        },
      }, 'Dismiss: no one this time'),
      message,
    );
  };
  el.check();
  return el;
}
