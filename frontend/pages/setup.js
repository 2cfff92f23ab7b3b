// First run: the first account, the administrator.

import { api } from '../api.js';
import { field, formAlert, onSubmit, submitButton } from '../components/form.js';
import { h } from '../lib/dom.js';

export function render({ session, navigate }) {
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'setup-title' },
    formAlert(),
    field({ name: 'display_name', label: 'Your name', required: true, autocomplete: 'name' }),
    field({ name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'email' }),
    field({
      name: 'password',
      label: 'Password',
      type: 'password',
      required: true,
      autocomplete: 'new-password',
      hint: 'At least 10 characters; not a common password.',
    }),
    submitButton('Create account'),
  );
  onSubmit(
    form,
    async (data) => {
      session.set(await api.post('/setup', data));
      navigate('/app', { replace: true });
    },
    { busyText: 'Creating…' },
  );
  return [
    h('h1', { id: 'setup-title', tabindex: '-1' }, 'Welcome to Nexthop'),
    h('p', { class: 'lead' }, 'Nexthop has no account yet. Create the first one: it will also be the administrator of this installation.'),
    form,
  ];
}
