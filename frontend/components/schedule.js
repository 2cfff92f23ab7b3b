// The times you offer, the one they pick, then the message drafts.

import { api } from '../api.js';
import { h, mount } from '../lib/dom.js';
import { formatDateTime, fromLocalInput } from '../lib/format.js';
import { field, formAlert, onSubmit, submitButton } from './form.js';
import { patchInterview } from './prep.js';
import { button, copyButton, hint, item, loading, meta, saveStatus, section } from './ui.js';

export const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function scheduling(interview, { onChanged }) {
  const status = saveStatus();
  const list = h('ul', { class: 'list' });
  const slots = () => interview.proposed_slots;
  async function pick(index, when) {
    status.set('saving');
    try {
      Object.assign(interview, await api.post(`/interviews/${interview.id}/schedule`, { slot_index: index }, { ifMatch: interview.version }));
      status.set('saved', `Scheduled for ${when}.`);
      onChanged();
      draw();
    } catch (exc) {
      if (exc?.name !== 'ApiError') throw exc;
      status.set('error', `Not scheduled: ${exc.message}`);
    }
  }
  const save = async (next) => (await patchInterview(interview, { proposed_slots: next }, status)) && draw();
  function draw() {
    mount(
      list,
      slots().map((slot, i) => {
        const when = formatDateTime(slot.starts_at);
        const chosen = interview.scheduled_at && Date.parse(interview.scheduled_at) === Date.parse(slot.starts_at);
        return item(
          null,
          [h('time', { datetime: slot.starts_at }, when), chosen ? ' (chosen)' : null],
          meta(slot.duration_minutes ? `${slot.duration_minutes} min` : null, slot.location),
          h(
            'span',
            { class: 'actions' },
            chosen ? null : button('Pick this slot', () => pick(i, when), 'btn-primary btn-small', { 'aria-label': `Pick this slot: ${when}` }),
            button('Remove', () => save(slots().filter((_, j) => j !== i)), 'btn-quiet btn-small', { 'aria-label': `Remove ${when}` }),
          ),
        );
      }),
    );
    if (!slots().length) list.append(h('li', { class: 'note-empty' }, 'Offer two or three times.'));
    return true;
  }
  draw();
  const form = h(
    'form',
    { class: 'slot-form' },
    field({ name: 'starts_at', label: 'Offer a time', type: 'datetime-local', required: true }),
    field({ name: 'minutes', label: 'Minutes', type: 'number', min: 10, max: 240, step: 5, value: interview.duration_minutes, inputmode: 'numeric' }),
    submitButton('Add time', { class: 'btn btn-secondary' }),
  );
  onSubmit(form, async ({ starts_at: at, minutes }) => {
    const slot = { starts_at: fromLocalInput(at), duration_minutes: minutes ? Number(minutes) : null };
    if (await save([...slots(), slot])) form.elements.starts_at.value = '';
  });
  return section('Scheduling', hint(`Times are in your time zone, ${ZONE}.`), list, form, status);
}

const KINDS = [
  ['outreach', 'Outreach', 'outreach_sent_at'],
  ['thank_you', 'Thank-you', 'thank_you_sent_at'],
  ['follow_up', 'Follow-up', 'follow_up_sent_at'],
];

function mailto(to, subject, body) {
  const enc = (text) => encodeURIComponent(text.replace(/\r?\n/g, '\r\n'));
  return `mailto:${to ? encodeURIComponent(to).replace('%40', '@') : ''}?subject=${enc(subject)}&body=${enc(body)}`;
}

function draft(interview, [kind, name, sentKey], onChanged) {
  const sent = h('span', { class: 'hint' });
  const drawSent = () => {
    sent.textContent = interview[sentKey] ? ` · sent ${formatDateTime(interview[sentKey])}` : '';
  };
  drawSent();
  const body = h('div');
  const box = h('details', { class: 'message card', dataset: { kind } }, h('summary', {}, `${name} message`, sent), body);
  let loaded = false;
  box.addEventListener('toggle', async () => {
    if (!box.open || loaded) return;
    loaded = true;
    mount(body, loading());
    try {
      mount(body, editor(await api.get(`/interviews/${interview.id}/messages/${kind}`, { tz: ZONE })));
    } catch (exc) {
      if (exc?.name !== 'ApiError') throw exc;
      loaded = false;
      mount(body, h('p', { class: 'field-error', role: 'alert' }, exc.message));
    }
  });

  function editor(m) {
    const status = saveStatus();
    const mail = h('a', { class: 'btn btn-secondary', href: m.mailto }, 'Open in mail app');
    const form = h(
      'form',
      {},
      formAlert(),
      h('p', {}, 'To: ', m.to ?? 'no email address yet'),
      field({ name: 'subject', label: 'Subject', value: m.subject }),
      field({ name: 'body', label: 'Message', type: 'textarea', rows: 10, value: m.body }),
      h(
        'div',
        { class: 'form-actions' },
        copyButton(() => `${form.elements.subject.value}\n\n${form.elements.body.value}`, { select: () => form.elements.body.select() }, status),
        mail,
        submitButton('Mark sent'),
      ),
      status,
    );
    form.addEventListener('input', () => {
      mail.href = mailto(m.to, form.elements.subject.value, form.elements.body.value);
    });
    onSubmit(
      form,
      async () => {
        Object.assign(interview, await api.post(`/interviews/${interview.id}/messages/${kind}/sent`, undefined, { ifMatch: interview.version }));
        drawSent();
        onChanged();
        return `${name} marked sent.`;
      },
      { busyText: 'Marking…' },
    );
    return form;
  }
  return box;
}

export function messages(interview, { onChanged }) {
  return section(
    'Messages',
    hint('Drafted from the templates on your profile.'),
    KINDS.map((k) => draft(interview, k, onChanged)),
  );
}
