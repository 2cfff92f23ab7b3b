// Small shared pieces.

import { h, mount, uid } from '../lib/dom.js';

export function pageHeader(title, ...actions) {
  return h('header', { class: 'page-header' }, h('h1', { tabindex: '-1' }, title), actions.length ? h('div', { class: 'actions' }, actions) : null);
}

export const hint = (...text) => h('p', { class: 'hint' }, text);

export function badge(text, kind = '') {
  return h('span', { class: ['badge', kind && `badge-${kind}`] }, text);
}

export function item(href, name, ...rest) {
  return h('li', { class: 'item' }, h(href ? 'a' : 'span', { href, class: 'item-main' }, name), rest);
}

export const meta = (...parts) =>
  h(
    'span',
    { class: 'item-meta' },
    parts.map((x) => (typeof x === 'string' ? h('span', {}, x) : x)),
  );

export const button = (text, onclick, kind = 'btn-secondary', attrs = {}) => h('button', { type: 'button', class: `btn ${kind}`, onclick, ...attrs }, text);

/** `line.run(fn)` shows the reason when `fn` fails with an ApiError (→ false). */
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

/** [button, message]: `fn` runs with the button disabled. */
export function actionButton(text, fn, kind, attrs) {
  const message = errorLine('span');
  const el = button(
    text,
    async () => {
      el.disabled = true;
      await message.run(fn);
      el.disabled = false;
    },
    kind,
    attrs,
  );
  return [el, message];
}

export function emptyState(title, text, action = null) {
  return h('div', { class: 'empty' }, h('p', { class: 'empty-title' }, title), h('p', {}, text), action);
}

export function linkButton(href, text, kind = 'btn-primary') {
  return h('a', { href, class: ['btn', kind] }, text);
}

export function loading() {
  return h('p', { class: 'loading', role: 'status' }, 'Loading…');
}

export function details(rows) {
  const items = rows.filter(([, value]) => value !== null && value !== undefined && value !== '');
  return h(
    'dl',
    { class: 'details' },
    items.map(([key, value]) => h('div', {}, h('dt', {}, key), h('dd', {}, value))),
  );
}

/** Announced politely: status.set('saving' | 'saved' | 'error' | 'idle', message?) */
export function saveStatus() {
  const el = h('p', { class: 'save-status', role: 'status' });
  const texts = { saving: 'Saving…', saved: 'Saved', error: 'Not saved', idle: '' };
  el.set = (state, message) => {
    el.dataset.state = state;
    el.textContent = message ?? texts[state] ?? '';
  };
  return el;
}

/** To the clipboard, or (where refused) selects `field` for the keyboard. */
export function copyButton(text, field, status, name = 'Copy') {
  return button(name, async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(text());
      status.textContent = 'Copied';
    } catch {
      status.textContent = 'Selected: copy it with your keyboard.';
    }
  });
}

export function copyField(id, text, value, name) {
  const input = h('input', { id, type: 'text', readonly: true, value, class: 'secret', spellcheck: 'false' });
  const status = saveStatus();
  return [
    h('label', { for: id }, text),
    h(
      'div',
      { class: 'secret-row' },
      input,
      copyButton(() => value, input, status, name),
    ),
    status,
  ];
}

/** A secret link to copy, replace, turn off; `create()`, `remove()` → url or null. */
export function linkBox({ id, label, url, text, off, create, remove, extra }) {
  const box = h('div');
  const message = errorLine();
  const make = (name) => button(name, () => message.run(async () => draw(await create())));
  function draw(link) {
    mount(
      box,
      link
        ? [
            copyField(id, label, link, 'Copy link'),
            h(
              'div',
              { class: 'form-actions' },
              extra(link),
              make('Replace with a new link'),
              confirmButton({ label: off, confirmLabel: 'Turn it off now', onConfirm: async () => draw(await remove()) }),
            ),
          ]
        : [h('p', {}, text), make(`Create ${label.toLowerCase()}`)],
      message,
    );
  }
  draw(url);
  return box;
}

export function externalLink(url, text) {
  return h('a', { href: url, rel: 'noopener noreferrer', target: '_blank' }, text ?? url);
}

/** A destructive action in two taps; an ApiError shows beside it. */
export function confirmButton({ label: text, confirmLabel, onConfirm }) {
  const wrap = h('span', { class: 'confirm' });
  const message = errorLine('span');
  const idle = () => {
    wrap.replaceChildren(button(text, ask, 'btn-danger-quiet'), message);
  };
  function ask() {
    const yes = button(confirmLabel, run, 'btn-danger');
    wrap.replaceChildren(yes, button('Keep', idle, 'btn-quiet'), message);
    yes.focus();
  }
  async function run(event) {
    event.currentTarget.disabled = true;
    if ((await message.run(onConfirm)) === false) idle();
  }
  idle();
  return wrap;
}

export function dangerZone(text, confirmLabel, onConfirm) {
  return h('section', { class: 'danger-zone', 'aria-label': 'Delete' }, confirmButton({ label: text, confirmLabel, onConfirm }));
}

export function section(title, ...children) {
  const id = uid('sec');
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), children);
}
