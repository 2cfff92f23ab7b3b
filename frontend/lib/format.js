// Labels for the API's enums and plain-language dates.

export const CONTACT_STATUS = {
  identified: 'Identified',
  reached_out: 'Reached out',
  scheduled: 'Scheduled',
  met: 'Met',
  keep_in_touch: 'Keep in touch',
  dormant: 'Dormant',
};

export const INTERVIEW_STATUS = {
  idea: 'Idea',
  outreach_sent: 'Outreach sent',
  scheduled: 'Scheduled',
  completed: 'Completed',
  thanked: 'Thanked',
  declined: 'Declined',
  cancelled: 'Cancelled',
  no_show: 'No-show',
};

export const REFERRAL_STATUS = {
  offered: 'Offered',
  introduced: 'Introduced',
  contacted: 'Contacted',
  met: 'Met',
  declined: 'Declined',
};

export const CATEGORIES = [
  ['to_connect', 'To Connect', 'People they suggested you meet'],
  ['to_follow_up', 'To Follow Up', 'What you promised to send or ask again'],
  ['to_read', 'To Read', 'Books, articles, reports they mentioned'],
  ['to_look_up', 'To Look Up', 'Companies, terms, events to research'],
  ['to_do', 'To Do', 'Concrete next actions'],
  ['to_think_about', 'To Think About', 'Ideas and questions to reflect on'],
];
export const CATEGORY_LABEL = Object.fromEntries(CATEGORIES.map(([key, label]) => [key, label]));

export function label(map, key) {
  return map[key] ?? String(key ?? '').replaceAll('_', ' ');
}

const dateTime = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const dateOnly = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });

export function formatDateTime(iso) {
  return iso ? dateTime.format(new Date(iso)) : '';
}

/** YYYY-MM-DD, not shifted through a time zone. */
export function formatDate(iso) {
  if (!iso) return '';
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return dateOnly.format(new Date(y, m - 1, d));
}

/** ISO instant → datetime-local value (local wall time). */
export function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** datetime-local value → ISO instant. */
export function fromLocalInput(value) {
  return value ? new Date(value).toISOString() : null;
}

export function splitTags(text) {
  return String(text || '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}
