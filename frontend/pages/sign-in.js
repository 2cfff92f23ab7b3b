// Sign in; then back to the screen that asked.

import { api } from '../api.js';
import { field, formAlert, onSubmit, submitButton } from '../components/form.js';
import { h } from '../lib/dom.js';

/** `next` comes from the address bar: only our own screens. */
function safeNext(next) {
  return next && /^\/app(\/|$|\?)/.test(next) && !next.startsWith('//') ? next : '/app';
}

export function render({ session, navigate, query }) {
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'sign-in-title' },
    formAlert(),
    field({ name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'username' }),
    field({ name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' }),
    submitButton('Sign in'),
  );
  onSubmit(
    form,
    async (data) => {
      session.set(await api.post('/auth/login', data));
      navigate(safeNext(query.get('next')), { replace: true });
    },
    { busyText: 'Signing in…' },
  );
  return [h('h1', { id: 'sign-in-title', tabindex: '-1' }, 'Sign in'), form];
}
