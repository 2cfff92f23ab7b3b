// Your data: imports (previewed), exports, restoring a backup, the calendar feed.

import { api, upload } from '../api.js';
import { field, formAlert, onSubmit, setAlert, submitButton } from '../components/form.js';
import { button, details, hint, item, linkBox, meta, pageHeader, section } from '../components/ui.js';
import { h, mount, uid } from '../lib/dom.js';

const n = (x) => x.toLocaleString();
const counts = (rows) => details(rows.map(([k, v]) => [k, n(v)]));

/** The upload's share, then indeterminate while the server reads; announced. */
function progress() {
  const text = h('span', { id: uid('prog') });
  const bar = h('progress', { max: 100, hidden: true, 'aria-labelledby': text.id });
  const say = (t) => {
    if (t !== text.textContent) text.textContent = t; // each change is announced
  };
  const el = h('p', { class: 'progress', role: 'status' }, bar, text);
  el.run = async (reading, send) => {
    bar.hidden = false;
    try {
      return await send((done, total) => {
        const pct = Math.floor((100 * done) / total);
        if (pct < 100) bar.value = pct;
        else bar.removeAttribute('value');
        say(pct < 100 ? `Uploading… ${pct - (pct % 10)}%` : reading);
      });
    } finally {
      bar.hidden = true;
      say('');
    }
  };
  return el;
}

/** Uploaded for a preview, then again to save; `report(r)` → [view, count, button]. */
function transfer(name, preview, fields, { target, reading, report, done }) {
  const bar = progress();
  const out = h('div');
  const form = h('form', { class: 'card', 'aria-label': name }, formAlert(), fields, h('div', { class: 'form-actions' }, submitButton(preview), bar), out);
  const close = () => {
    mount(out);
    form.elements.file.focus();
  };
  onSubmit(
    form,
    async (data) => {
      mount(out);
      const [path, body, type] = target(data, form);
      const go = (mode, text) => bar.run(text, (onProgress) => upload(path, body, { query: { mode }, type, onProgress }));
      const [view, count, commitText] = report(await go('preview', await reading(form.elements.file.files[0], data)));
      const id = uid('pre');
      const title = h('h3', { id, tabindex: '-1' }, 'Preview: nothing saved yet');
      const actions = h('div', { class: 'form-actions' }, count ? submitButton(commitText) : null, button('Cancel', close, 'btn-quiet'));
      const confirm = h('form', { 'aria-labelledby': id }, title, formAlert(), view, actions);
      onSubmit(
        confirm,
        async () => {
          const result = await go('commit', 'Saving…');
          form.reset();
          mount(out);
          setAlert(form, done(result), { ok: true });
        },
        { busyText: 'Saving…' },
      );
      mount(out, confirm);
      title.focus();
    },
    { busyText: 'Uploading…', aliases: { body: 'file' } },
  );
  return form;
}

function importReport({ summary: s, rows }) {
  const problems = rows.filter((r) => r.status === 'invalid' || r.status === 'skipped');
  const count = s.new + s.matched;
  return [
    [
      counts([
        ['New', s.new],
        ['Matched', s.matched],
        ['Skipped', s.skipped],
        ['Invalid', s.invalid],
      ]),
      h(
        'ul',
        { class: 'list' },
        problems.slice(0, 20).map((r) => item(null, `Row ${r.row}`, meta(r.status, r.full_name, [r.field, r.reason].filter(Boolean).join(' ')))),
      ),
      problems.length > 20 ? hint(`and ${n(problems.length - 20)} more`) : null,
    ],
    count,
    `Import ${n(count)} ${count === 1 ? 'contact' : 'contacts'}`,
  ];
}

const importer = () =>
  transfer(
    'Import contacts',
    'Preview import',
    [
      field({
        name: 'format',
        label: 'Format',
        type: 'select',
        options: [
          ['linkedin', 'LinkedIn (Connections.csv)'],
          ['contacts-csv', 'Contacts CSV'],
          ['vcard', 'vCards (.vcf)'],
        ],
      }),
      field({ name: 'file', label: 'File to import', type: 'file', required: true, accept: '.csv,.vcf,.txt' }),
    ],
    {
      target: (data, form) => [`/imports/${data.format}`, new FormData(form)],
      reading: async (file, { format }) => {
        const text = await file.text();
        return `Reading ${format === 'vcard' ? `${n(text.split(/^BEGIN:VCARD/im).length - 1)} cards` : `${n(text.trimEnd().split('\n').length)} rows`}…`;
      },
      report: importReport,
      done: ({ summary: s }) => `Imported: ${n(s.contacts_created)} new contacts, ${n(s.contacts_updated)} updated.`,
    },
  );

const restorer = () =>
  transfer('Restore a backup', 'Preview restore', field({ name: 'file', label: 'Backup file', type: 'file', required: true, accept: '.json' }), {
    target: (_data, form) => ['/imports/backup', form.elements.file.files[0], 'application/json'],
    reading: () => 'Reading the backup…',
    report: ({ counts: c }) => [
      counts([
        ['Contacts', c.contacts],
        ['Organizations', c.organizations],
        ['Interviews', c.interviews],
        ['Notes', c.note_items],
        ['Opportunities', c.opportunities],
      ]),
      Object.values(c).reduce((a, b) => a + b, 0),
      'Restore everything',
    ],
    done: () => 'Restored: everything in the backup is back.',
  });

const download = (path, text) => h('a', { href: `/api/v1/exports/${path}`, download: true, class: 'btn btn-secondary' }, text);

export async function render({ get }) {
  const feed = await get('/calendar/feed');
  return [
    pageHeader('Your data'),
    section(
      'Import contacts',
      hint('You see what each file would add before anything is saved; people you already have are matched, not duplicated.'),
      importer(),
    ),
    section(
      'Export',
      h(
        'div',
        { class: 'actions' },
        download('contacts.csv', 'Contacts (CSV)'),
        download('contacts.vcf', 'Contacts (vCards)'),
        download('backup', 'Everything (JSON backup)'),
      ),
    ),
    section('Restore a backup', hint('Into an empty account only: nothing is ever overwritten.'), restorer()),
    section(
      'Calendar feed',
      hint(
        'Subscribe to this link in your calendar app (“From URL” or “New calendar subscription”) to see your interviews and due notes there. Anyone with the link can read them: keep it private.',
      ),
      linkBox({
        id: 'feed-url',
        label: 'Calendar link',
        url: feed.url,
        off: 'Turn off the feed',
        text: 'No calendar link yet.',
        create: async () => (await api.post('/calendar/feed')).url,
        remove: () => api.del('/calendar/feed'),
        extra: (url) => h('a', { href: url.replace(/^https?:/, 'webcal:'), class: 'btn btn-quiet' }, 'Open in calendar app'),
      }),
    ),
  ];
}
