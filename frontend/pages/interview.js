// One interview: status, scheduling, prep sheet, messages and notes.

import { api } from '../api.js';
import { field, formAlert, onSubmit, submitButton } from '../components/form.js';
import { connectionWarning, noteComposer, noteSections, pasteMany } from '../components/notes.js';
import { prepSheet } from '../components/prep.js';
import { messages, scheduling } from '../components/schedule.js';
import { badge, dangerZone, details, externalLink, linkButton, pageHeader, section } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { formatDateTime, INTERVIEW_STATUS, label } from '../lib/format.js';

/** The server decides what is allowed and says why not (409). */
export function statusForm(interview, { onChanged } = {}) {
  const form = h(
    'form',
    { class: 'status-form' },
    formAlert(),
    field({ name: 'status', label: 'Status', type: 'select', value: interview.status, options: Object.entries(INTERVIEW_STATUS) }),
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

export async function render({ params, navigate, get }) {
  const [i, prep] = await Promise.all([get(`/interviews/${params.id}`), get(`/interviews/${params.id}/prep`)]);
  const who = prep.interviewee;
  const subtitle = h('p', { class: 'subtitle' });
  const when = h('div');
  const warning = connectionWarning(i);
  const status = statusForm(i, { onChanged: (saved) => refresh(saved.warnings) });
  function refresh(warnings) {
    subtitle.replaceChildren(badge(label(INTERVIEW_STATUS, i.status), i.status), i.scheduled_at ? ` ${formatDateTime(i.scheduled_at)}` : ' No time set yet');
    status.elements.status.value = i.status;
    warning.check(warnings);
    when.replaceChildren(
      details([
        ['When', i.scheduled_at ? formatDateTime(i.scheduled_at) : null],
        ['Length', `${i.duration_minutes} minutes`],
        ['Where', i.location],
        ['Link', i.meeting_url ? externalLink(i.meeting_url, 'Join the meeting') : null],
        ['Summary', i.summary ? h('span', { class: 'pre' }, i.summary) : null],
      ]),
    );
  }
  refresh();
  const sections = noteSections(i.note_items, i.id);
  const onSaved = (note) => {
    sections.add(note);
    i.note_items.push(note);
    warning.check();
  };
  return [
    pageHeader(
      h('span', {}, 'Interview with ', h('a', { href: `/app/contacts/${who.id}` }, who.full_name)),
      linkButton(`/app/interviews/${i.id}/capture`, 'Capture notes'),
      linkButton(`/app/interviews/${i.id}/edit`, 'Edit', 'btn-secondary'),
    ),
    subtitle,
    warning,
    status,
    when,
    ['idea', 'outreach_sent', 'scheduled'].includes(i.status) ? scheduling(i, { onChanged: () => refresh() }) : null,
    prepSheet(prep, i),
    messages(i, { onChanged: () => refresh() }),
    section('Notes', noteComposer(i.id, { onSaved }), pasteMany(i.id, { onSaved }), sections),
    dangerZone('Delete interview', 'Delete it and its notes', async () => {
      await api.del(`/interviews/${i.id}`, { query: { cascade: true }, ifMatch: i.version });
      navigate('/app/interviews', { replace: true });
    }),
  ];
}
