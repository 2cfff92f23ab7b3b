// Your profile, its share link, the message templates.

import { api } from '../api.js';
import { field, formAlert, onSubmit, setAlert, submitButton } from '../components/form.js';
import { confirmButton, linkBox, pageHeader, section } from '../components/ui.js';
import { h, mount } from '../lib/dom.js';
import { splitTags } from '../lib/format.js';

const KINDS = { outreach: 'Outreach', thank_you: 'Thank-you', follow_up: 'Follow-up' };

function profileForm(profile) {
  const p = profile;
  const form = h(
    'form',
    { class: 'card' },
    formAlert(),
    field({
      name: 'focus_areas',
      label: 'Focus areas',
      value: p.focus_areas.join(', '),
      hint: 'Separated by commas; contacts and organizations with the same tags align.',
    }),
    field({ name: 'learn_from', label: 'Who you want to learn from', type: 'textarea', value: p.learn_from }),
    field({ name: 'values', label: 'What matters to you in work', type: 'textarea', value: p.values }),
    field({ name: 'situation', label: 'Your situation', type: 'textarea', value: p.situation }),
    field({ name: 'ask', label: 'Your ask', type: 'textarea', value: p.ask, hint: 'Short enough to forward.' }),
    submitButton('Save profile'),
  );
  onSubmit(form, async (data) => {
    Object.assign(p, await api.patch('/profile', { ...data, focus_areas: splitTags(data.focus_areas) }, { ifMatch: p.version }));
    return 'Profile saved.';
  });
  return form;
}

function shareBox(profile) {
  const then = (fn) => async () => {
    await fn();
    return Object.assign(profile, await api.get('/profile')).share_url;
  };
  return linkBox({
    id: 'share-url',
    label: 'Share link',
    url: profile.share_url,
    off: 'Turn off sharing',
    text: 'Not shared. A link shows your name, ask, situation and focus areas (never your email) to anyone who has it.',
    create: then(() => api.post('/profile/share-link', undefined, { ifMatch: profile.version })),
    remove: then(() => api.del('/profile/share-link', { ifMatch: profile.version })),
    extra: (url) => h('a', { href: url, class: 'btn btn-quiet' }, 'Preview'),
  });
}

function templateForm(template) {
  const t = template;
  const name = KINDS[t.kind];
  const state = h('p', { class: 'hint' });
  const reset = h('span');
  const form = h(
    'form',
    { class: 'card', dataset: { kind: t.kind }, 'aria-label': `${name} template` },
    h('h3', {}, name),
    state,
    formAlert(),
    field({ name: 'subject', label: `${name} subject`, value: t.subject }),
    field({ name: 'body', label: `${name} body`, type: 'textarea', rows: 10, value: t.body }),
    h('div', { class: 'form-actions' }, submitButton(`Save ${name.toLowerCase()} template`), reset),
  );
  function draw() {
    state.textContent = t.is_default ? 'The built-in wording.' : 'Your own wording.';
    form.elements.subject.value = t.subject;
    form.elements.body.value = t.body;
    mount(
      reset,
      t.is_default
        ? null
        : confirmButton({
            label: 'Reset to default',
            confirmLabel: 'Use the built-in wording',
            onConfirm: async () => {
              await api.del(`/message-templates/${t.kind}`, { ifMatch: t.version });
              Object.assign(t, await api.get(`/message-templates/${t.kind}`));
              draw();
              setAlert(form, 'Back to the built-in wording.', { ok: true });
            },
          }),
    );
  }
  draw();
  onSubmit(form, async (data) => {
    Object.assign(t, await api.put(`/message-templates/${t.kind}`, data, { ifMatch: t.version }));
    draw();
    return `${name} template saved.`;
  });
  return form;
}

export async function render({ get }) {
  const [profile, templates, placeholders] = await Promise.all([get('/profile'), get('/message-templates'), get('/message-placeholders')]);
  return [
    pageHeader('Your profile'),
    profileForm(profile),
    section('Share your ask', shareBox(profile)),
    section(
      'Message templates',
      h(
        'details',
        { class: 'card placeholders' },
        h('summary', {}, 'Placeholders you can use'),
        h(
          'p',
          {},
          'Write ',
          h('code', {}, '{{ contact.first_name }}'),
          '; keep a part only when a value exists with ',
          h('code', {}, '{{#if referrer.first_name}}…{{else}}…{{/if}}'),
          '.',
        ),
        h(
          'dl',
          { class: 'details' },
          placeholders.map((p) => h('div', {}, h('dt', {}, h('code', {}, `{{ ${p.name} }}`)), h('dd', {}, p.description))),
        ),
      ),
      templates.map(templateForm),
    ),
  ];
}
