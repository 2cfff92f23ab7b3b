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

export const hint = (...text) => h('p', { class: 'hint' }, text);

export function badge(text, kind = '') {
  return h('span', { class: ['badge', kind && `badge-${kind}`] }, text);
}

/** A row of a list: its name (a link when `href` is given), then anything else. */
export function item(href, name, ...rest) {
  return h('li', { class: 'item' }, h(href ? 'a' : 'span', { href, class: 'item-main' }, name), rest);
}

/** The details after a row's name; each text is its own span, spaced like the rest. */
export const meta = (...parts) => h('span', { class: 'item-meta' }, parts.map((x) => (typeof x === 'string' ? h('span', {}, x) : x)));

/** A hidden error line; `line.run(fn)` shows the reason when `fn` fails with an ApiError (→ false). */
export function errorLine(tag = 'p') {
  const line = h(tag, { class: 'field-error', role: 'alert', hidden: true });
  line.run = async (fn) => {
    line.hidden = true;
    try {
      return await fn();
    } catch (exc) {
      if (exc?.name !== 'ApiError') throw exc;
      line.textContent = Object.values(exc.fields)[0] ?? exc.message;
      line.hidden = false;
      return false;
    }
  };
  return line;
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
  const el = h('p', { class: 'save-status', role: 'status' });
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

/** A read-only value to copy (a secret, a link): its label, the field, Copy, and the outcome. */
export function copyField(id, text, value, name) {
  const input = h('input', { id, type: 'text', readonly: true, value, class: 'secret', spellcheck: 'false' });
  const status = saveStatus();
  return [h('label', { for: id }, text), h('div', { class: 'secret-row' }, input, copyButton(() => value, input, status, name)), status];
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
  const message = errorLine('span');
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
    if ((await message.run(onConfirm)) === false) idle();
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
