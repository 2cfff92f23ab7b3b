// Small shared pieces: page headers, badges, empty states, the saving/saved line.

import { h } from '../lib/dom.js';

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
