// The prep sheet: who, introduced by whom, agenda, checklist, research.

import { api } from '../api.js';
import { h, mount, uid } from '../lib/dom.js';
import { formatDateTime, INTERVIEW_STATUS, label, REFERRAL_STATUS } from '../lib/format.js';
import { badge, button, details, externalLink, hint, item, meta, saveStatus, section } from './ui.js';

const queues = new WeakMap();

/** One PATCH at a time per interview, each with the last version: quick ticks never conflict. */
export function patchInterview(interview, body, status) {
  const turn = (queues.get(interview) ?? Promise.resolve())
    .catch(() => false)
    .then(async () => {
      status.set('saving');
      try {
        const changes = typeof body === 'function' ? body(interview) : body;
        Object.assign(interview, await api.patch(`/interviews/${interview.id}`, changes, { ifMatch: interview.version }));
        status.set('saved');
        return true;
      } catch (exc) {
        if (exc?.name !== 'ApiError') throw exc;
        const reason = Object.values(exc.fields)[0] ?? exc.message;
        status.set('error', exc.network ? 'Not saved: no connection. Try again.' : `Not saved: ${reason}`);
        return false;
      }
    });
  queues.set(interview, turn);
  return turn;
}

export function addRow(labelText, buttonText, onAdd, attrs = {}) {
  const id = uid('add');
  const input = h('input', { id, autocomplete: 'off', ...attrs });
  const form = h(
    'form',
    { class: 'add-row' },
    h('label', { for: id }, labelText),
    h('div', { class: 'secret-row' }, input, h('button', { type: 'submit', class: 'btn btn-secondary' }, buttonText)),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (input.value.trim() && (await onAdd(input.value.trim()))) input.value = '';
    input.focus();
  });
  return form;
}

const iconButton = (text, name, onclick, disabled = false) => button(text, onclick, 'btn-quiet btn-small', { 'aria-label': name, disabled });

function agendaEditor(interview) {
  const status = saveStatus();
  const list = h('ol', { class: 'agenda-edit' });
  let busy = false; // one change at a time: each starts from the last saved order
  async function commit(next, focus) {
    if (busy) return false;
    busy = true;
    const ok = await patchInterview(interview, { agenda: next }, status);
    busy = false;
    if (ok) draw();
    const el = focus && list.querySelector(focus);
    (el?.disabled ? el.parentElement.querySelector('button:enabled') : el)?.focus();
    return ok;
  }
  function draw() {
    const a = interview.agenda;
    mount(
      list,
      a.map((text, i) =>
        h(
          'li',
          {},
          h('span', { class: 'grow' }, text),
          iconButton('↑', `Move up: ${text}`, () => commit(swap(a, i, i - 1), `li:nth-child(${i}) [aria-label^="Move up"]`), i === 0),
          iconButton('↓', `Move down: ${text}`, () => commit(swap(a, i, i + 1), `li:nth-child(${i + 2}) [aria-label^="Move down"]`), i === a.length - 1),
          iconButton('✕', `Remove: ${text}`, () =>
            commit(
              a.filter((_, j) => j !== i),
              'li [aria-label^="Remove"]',
            ),
          ),
        ),
      ),
    );
    if (!a.length) list.append(h('li', { class: 'note-empty' }, 'No topics yet.'));
  }
  draw();
  return [list, addRow('New topic', 'Add topic', (text) => commit([...interview.agenda, text]), { name: 'topic', maxlength: 200 }), status];
}

function swap(items, i, j) {
  const next = [...items];
  [next[i], next[j]] = [next[j], next[i]];
  return next;
}

function checklist(interview) {
  const status = saveStatus();
  const list = h('ul', { class: 'checklist' });
  const commit = (change) => patchInterview(interview, (i) => ({ checklist: change(i.checklist) }), status);
  function draw() {
    mount(
      list,
      interview.checklist.map((item, index) => {
        const id = uid('check');
        const box = h('input', {
          type: 'checkbox',
          id,
          checked: item.done,
          onchange: async () => {
            const done = box.checked;
            if (!(await commit((items) => items.map((c, i) => (i === index ? { ...c, done } : c))))) box.checked = !done;
          },
        });
        return h('li', { class: 'check' }, box, h('label', { for: id }, item.text));
      }),
    );
    return true;
  }
  draw();
  const confirmId = uid('confirmed');
  const confirmed = h('input', {
    type: 'checkbox',
    id: confirmId,
    checked: interview.time_confirmed,
    onchange: async () => {
      if (!(await patchInterview(interview, { time_confirmed: confirmed.checked }, status))) confirmed.checked = !confirmed.checked;
    },
  });
  return [
    list,
    h('p', { class: 'check' }, confirmed, h('label', { for: confirmId }, 'They confirmed how much time they have')),
    addRow('New checklist item', 'Add item', async (text) => (await commit((items) => [...items, { text, done: false }])) && draw(), { maxlength: 200 }),
    status,
  ];
}

function research(interview) {
  const status = saveStatus();
  const box = h('textarea', { rows: 5, value: interview.research_notes ?? '', 'aria-label': 'Research notes' });
  const form = h('form', {}, box, h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Save research'), status));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    patchInterview(interview, { research_notes: box.value.trim() || null }, status);
  });
  return form;
}

export function prepSheet(prep, interview) {
  const p = prep.interviewee;
  const org = p.organization;
  return [
    section(
      'Who they are',
      details([
        ['Name', h('a', { href: `/app/contacts/${p.id}` }, p.full_name)],
        ['Role', p.title],
        ['Organization', org ? h('a', { href: `/app/organizations/${org.id}` }, org.name, org.industry ? ` (${org.industry})` : '') : null],
        ['Web', p.linkedin_url ? externalLink(p.linkedin_url) : null],
        ['How you met', p.how_we_met],
        ['Notes', p.notes ? h('span', { class: 'pre' }, p.notes) : null],
        [
          'Earlier talks',
          prep.earlier_interviews.length
            ? h(
                'span',
                { class: 'tags' },
                prep.earlier_interviews.map((e) =>
                  h('a', { href: `/app/interviews/${e.id}` }, `${formatDateTime(e.scheduled_at)} (${label(INTERVIEW_STATUS, e.status)})`),
                ),
              )
            : null,
        ],
      ]),
      h('h3', {}, 'Introduced by'),
      prep.introduced_by.length
        ? h(
            'ul',
            { class: 'list' },
            prep.introduced_by.map((r) =>
              item(
                r.contact && `/app/contacts/${r.contact.id}`,
                r.contact?.full_name ?? 'You know them directly',
                meta(r.context, badge(label(REFERRAL_STATUS, r.status), r.status)),
              ),
            ),
          )
        : hint('Nobody: you found them yourself.'),
    ),
    section('Agenda', agendaEditor(interview)),
    section('Preparation', checklist(interview)),
    section('Research', research(interview)),
  ];
}
