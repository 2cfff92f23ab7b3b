// Small shared pieces: page headers, badges, empty states, the saving/saved line.

import { h, uid } from '../lib/dom.js';

export function pageHeader(title, ...actions) {
  return h(
    'header',
    { class: 'page-header' },
    h('h1', { tabindex: '-1' }, title),
    actions.length ? h('div', { class: 'actions' }, actions) : null,
  );
}

export function badge(text, kind = '') {
  return h('span', { class: ['badge', kind && `badge-${kind}`] }, text);
}

/** An empty list that says what the list is for and how to start it. */
export function emptyState(title, text, action = null) {
  return h('div', { class: 'empty' }, h('p', { class: 'empty-title' }, title), h('p', {}, text), action);
}

export function linkButton(href, text, kind = 'btn-primary') {
  return h('a', { href, class: ['btn', kind] }, text);
}

export function loading() {
  return h('p', { class: 'loading', role: 'status' }, 'Loading…');
}

/** A key/value list of details; empty values are left out. */
export function details(rows) {
  const items = rows.filter(([, value]) => value !== null && value !== undefined && value !== '');
  return h('dl', { class: 'details' }, items.map(([key, value]) => h('div', {}, h('dt', {}, key), h('dd', {}, value))));
}

/**
 * The "Saving… / Saved / Not saved" line, announced politely to screen readers.
 * status.set('saving' | 'saved' | 'error' | 'idle', message?)
 */
export function saveStatus() {
  const el = h('p', { class: 'save-status', role: 'status', 'aria-live': 'polite' });
  const texts = { saving: 'Saving…', saved: 'Saved', error: 'Not saved', idle: '' };
  el.set = (state, message) => {
    el.dataset.state = state;
    el.textContent = message ?? texts[state] ?? '';
  };
  return el;
}

/** "Copy": to the clipboard, or (where that is refused) selects `field` for the keyboard. */
export function copyButton(text, field, status, name = 'Copy') {
  return h('button', {
    type: 'button', class: 'btn btn-secondary',
    onclick: async () => {
      field.select();
      try {
        await navigator.clipboard.writeText(text());
        status.textContent = 'Copied';
      } catch {
        status.textContent = 'Selected: copy it with your keyboard.';
      }
    },
  }, name);
}

export function externalLink(url, text) {
  return h('a', { href: url, rel: 'noopener noreferrer', target: '_blank' }, text ?? url);
}

/**
 * A destructive action in two taps: "Delete" turns into "Really delete?" and "Keep".
 * `onConfirm` may throw an ApiError; its message is shown beside the button.
 */
export function confirmButton({ label: text, confirmLabel, onConfirm }) {
  const wrap = h('span', { class: 'confirm' });
  const message = h('span', { class: 'field-error', role: 'alert', hidden: true });
  const idle = () => {
    wrap.replaceChildren(h('button', { type: 'button', class: 'btn btn-danger-quiet', onclick: ask }, text), message);
  };
  function ask() {
    const yes = h('button', { type: 'button', class: 'btn btn-danger', onclick: run }, confirmLabel);
    wrap.replaceChildren(yes, h('button', { type: 'button', class: 'btn btn-quiet', onclick: idle }, 'Keep'), message);
    yes.focus();
  }
  async function run(event) {
    event.currentTarget.disabled = true;
    try {
      message.hidden = true;
      await onConfirm();
    } catch (exc) {
      if (exc?.name !== 'ApiError') throw exc;
      idle();
      message.textContent = exc.message;
      message.hidden = false;
    }
  }
  idle();
  return wrap;
}

/** The delete button at the foot of a page. */
export function dangerZone(text, confirmLabel, onConfirm) {
  return h('section', { class: 'danger-zone', 'aria-label': 'Delete' }, confirmButton({ label: text, confirmLabel, onConfirm }));
}

/** A titled section, labelled by its h2. */
export function section(title, ...children) {
  const id = uid('sec');
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), children);
}
