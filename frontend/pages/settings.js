// Settings: API tokens (shown once), password, sessions.

import { api } from '../api.js';
import { clearErrors, field, formAlert, onSubmit, setFieldError, submitButton } from '../components/form.js';
import { confirmButton, copyField, details, emptyState, item, meta, pageHeader, section } from '../components/ui.js';
import { h, mount } from '../lib/dom.js';
import { formatDate, formatDateTime } from '../lib/format.js';

const SCOPES = [
  ['read_write', 'Read and write'],
  ['read', 'Read only'],
];

function secretBox(created) {
  return h(
    'div',
    { class: 'card secret-card', role: 'region', 'aria-labelledby': 'secret-title' },
    h('h3', { id: 'secret-title' }, `Token "${created.name}" created`),
    h('p', {}, 'Copy it now: this is the only time Nexthop shows it. Scripts send it as ', h('code', {}, 'Authorization: Bearer …'), '.'),
    copyField('new-secret', 'Secret', created.secret),
  );
}

async function tokensSection(get) {
  const list = h('div');
  const created = h('div');
  async function refresh() {
    const tokens = await get('/tokens');
    mount(
      list,
      tokens.length
        ? h(
            'ul',
            { class: 'list tokens' },
            tokens.map((t) =>
              item(
                null,
                t.name,
                meta(
                  h('code', {}, `${t.prefix}…`),
                  t.scope === 'read' ? 'read only' : 'read and write',
                  t.last_used_at ? `used ${formatDateTime(t.last_used_at)}` : 'never used',
                  t.expires_at && `expires ${formatDate(t.expires_at)}`,
                ),
                confirmButton({
                  label: `Revoke ${t.name}`,
                  confirmLabel: 'Revoke now',
                  onConfirm: async () => {
                    await api.del(`/tokens/${t.id}`);
                    mount(created);
                    await refresh();
                  },
                }),
              ),
            ),
          )
        : emptyState('No tokens.', 'A token lets a script or another app use your Nexthop data through the API.'),
    );
  }
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'new-token-title' },
    h('h3', { id: 'new-token-title' }, 'New token'),
    formAlert(),
    field({ name: 'name', label: 'Name', required: true, hint: 'What it is for, e.g. "calendar sync".', autocomplete: 'off' }),
    field({ name: 'scope', label: 'Access', type: 'select', value: 'read_write', options: SCOPES }),
    field({ name: 'expires_on', label: 'Expires on', type: 'date', hint: 'Leave empty for a token that never expires.' }),
    submitButton('Create token'),
  );
  onSubmit(
    form,
    async (data) => {
      const body = { name: data.name, scope: data.scope, expires_at: data.expires_on ? new Date(`${data.expires_on}T23:59:59`).toISOString() : null };
      const token = await api.post('/tokens', body);
      form.reset();
      mount(created, secretBox(token));
      await refresh();
      created.querySelector('input').focus();
    },
    { busyText: 'Creating…', aliases: { expires_at: 'expires_on' } },
  );
  await refresh();
  return { element: section('API tokens', created, list, form), refresh };
}

const revokeBox = () => field({ name: 'revoke_tokens', label: 'Also revoke my API tokens', type: 'checkbox', value: true });

function passwordSection(email, tokens) {
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'password-title' },
    h('h2', { id: 'password-title' }, 'Change password'),
    formAlert(),
    // For password managers.
    h('input', { type: 'email', name: 'username', autocomplete: 'username', value: email, hidden: true, readonly: true }),
    field({ name: 'current_password', label: 'Current password', type: 'password', required: true, autocomplete: 'current-password' }),
    field({
      name: 'new_password',
      label: 'New password',
      type: 'password',
      required: true,
      autocomplete: 'new-password',
      hint: 'At least 10 characters; not a common password.',
    }),
    field({ name: 'confirm_password', label: 'New password again', type: 'password', required: true, autocomplete: 'new-password' }),
    revokeBox(),
    submitButton('Change password'),
  );
  onSubmit(form, async (data) => {
    if (data.new_password !== data.confirm_password) {
      clearErrors(form);
      setFieldError(form, 'confirm_password', 'The two new passwords differ.');
      return undefined;
    }
    const revoke = data.revoke_tokens;
    await api.post('/account/password', { current_password: data.current_password, new_password: data.new_password, revoke_tokens: revoke });
    form.reset();
    form.elements.revoke_tokens.checked = true;
    if (revoke) await tokens.refresh();
    return `Password changed. Your other browsers have been signed out${revoke ? ' and your API tokens revoked' : ''}.`;
  });
  return form;
}

export async function render({ session, navigate, get }) {
  const user = session.user;
  const tokens = await tokensSection(get);
  const revoke = revokeBox();
  return [
    pageHeader('Settings'),
    section(
      'Account',
      details([
        ['Name', user.display_name],
        ['Email', user.email],
        ['Role', user.is_admin ? 'Administrator' : 'Member'],
      ]),
    ),
    section(
      'Your data',
      h(
        'p',
        {},
        'Import contacts, download everything, restore a backup, subscribe to your interviews in a calendar: ',
        h('a', { href: '/app/data' }, 'Your data'),
        '.',
      ),
    ),
    tokens.element,
    passwordSection(user.email, tokens),
    section(
      'Sessions',
      h('p', {}, 'Lost a phone, or signed in on a shared computer? Sign out of every browser at once.'),
      revoke,
      confirmButton({
        label: 'Sign out everywhere',
        confirmLabel: 'Sign out of every browser',
        onConfirm: async () => {
          await api.post('/auth/logout-everywhere', { revoke_tokens: revoke.querySelector('input').checked });
          session.set(null);
          navigate('/app/sign-in', { replace: true });
        },
      }),
    ),
  ];
}
