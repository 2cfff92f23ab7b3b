// One interview in a list: who, when, where it stands.

import { h } from '../lib/dom.js';
import { formatDateTime, INTERVIEW_STATUS, label } from '../lib/format.js';
import { nameOf } from '../lib/lookup.js';
import { badge, item, meta } from './ui.js';

/** `byDate`: the link names the date (on the person's own page). */
export function interviewItem(interview, contacts, { showStatus = true, byDate = false } = {}) {
  const when = interview.scheduled_at ? formatDateTime(interview.scheduled_at) : 'No time yet';
  return item(
    `/app/interviews/${interview.id}`,
    byDate ? when : nameOf(contacts, interview.contact_id),
    meta(
      byDate ? null : interview.scheduled_at ? h('time', { datetime: interview.scheduled_at }, when) : when,
      showStatus ? badge(label(INTERVIEW_STATUS, interview.status), interview.status) : null,
    ),
  );
}
