// Labelled fields; an API problem's reasons go next to their fields.

import { debounce, h, uid } from '../lib/dom.js';

/** field({name, label, type, value, hint, options: [[value, label]], ...attrs}) */
export function field({ name, label, type = 'text', value, hint, options, rows = 3, required, ...attrs }) {
  const id = uid(name);
  const common = { id, name, 'aria-describedby': `${hint ? `${id}-hint ` : ''}${id}-error`, required, ...attrs };
  const chosen = [value ?? ''].flat().map(String); // several with `multiple: true`
  const control =
    type === 'textarea'
      ? h('textarea', { ...common, rows }, value ?? '')
      : type === 'select'
        ? h(
            'select',
            common,
            options.map(([v, text]) => h('option', { value: v, selected: chosen.includes(String(v)) }, text)),
          )
        : type === 'checkbox'
          ? h('input', { ...common, type, checked: Boolean(value) })
          : h('input', { ...common, type, value: value ?? '' });
  const labelEl = h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
  return h(
    'div',
    { class: ['field', type === 'checkbox' && 'field-check'] },
    type === 'checkbox' ? [control, labelEl] : [labelEl, control],
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    h('p', { class: 'field-error', id: `${id}-error`, hidden: true }),
  );
}

export function formAlert() {
  return h('div', { class: 'form-alert', role: 'alert', hidden: true });
}

export function submitButton(text, attrs = {}) {
  return h('button', { type: 'submit', class: 'btn btn-primary', ...attrs }, text);
}

export function saveOrCancel(editing, addText, back) {
  return h('div', { class: 'form-actions' }, submitButton(editing ? 'Save changes' : addText), h('a', { href: back, class: 'btn btn-quiet' }, 'Cancel'));
}

/** Checkboxes as booleans, multiple choices as a list, empty text as null. */
function readForm(form) {
  const data = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    if (el.type === 'checkbox') data[el.name] = el.checked;
    else if (el.multiple) data[el.name] = [...el.selectedOptions].map((o) => o.value);
    else if (el.type === 'radio') {
      if (el.checked) data[el.name] = el.value;
    } else {
      const value = el.type === 'password' ? el.value : el.value.trim();
      data[el.name] = value === '' ? null : value;
    }
  }
  return data;
}

export function clearErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) {
    el.textContent = '';
    el.hidden = true;
  }
  const alert = form.querySelector('.form-alert');
  if (alert) {
    alert.textContent = '';
    alert.hidden = true;
    alert.classList.remove('ok');
  }
}

export function setFieldError(form, name, reason) {
  const control = form.querySelector(`[name="${CSS.escape(name)}"]`);
  if (!control) return false;
  const slot = control.closest('.field, fieldset')?.querySelector('.field-error');
  if (!slot) return false;
  control.setAttribute('aria-invalid', 'true');
  slot.textContent = reason;
  slot.hidden = false;
  return true;
}

export function setAlert(form, message, { ok = false } = {}) {
  const alert = form.querySelector('.form-alert');
  if (!alert) return;
  alert.textContent = message;
  alert.hidden = !message;
  alert.classList.toggle('ok', ok);
}

// A failed pattern's reason is written for programmers.
function friendly(control, code, reason) {
  if (code === 'missing') return 'This is required.';
  if (code !== 'string_pattern_mismatch') return reason;
  if (control.type === 'email') return 'Enter an email address, like name@example.com.';
  if (control.type === 'url') return 'Enter a full web address, starting with https://';
  return 'This cannot be blank or contain control characters.';
}

/** Reasons under their fields (`aliases`: API name → control), the rest in the alert. */
function showError(form, error, aliases = {}) {
  clearErrors(form);
  const leftover = [];
  let first = null;
  const shown = new Set();
  for (const [apiName, reason] of Object.entries(error.fields || {})) {
    const name = aliases[apiName] ?? apiName;
    if (shown.has(name)) continue;
    const control = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (control && setFieldError(form, name, friendly(control, error.codes?.[apiName], reason))) {
      shown.add(name);
      first ??= control;
    } else if (!apiName.includes('.')) {
      leftover.push(`${apiName}: ${reason}`);
    }
  }
  if (!shown.size || leftover.length) {
    let message = shown.size ? leftover.join(' ') : error.message;
    if (error.network) message = 'Could not reach Nexthop. Check your connection; nothing you typed was lost.';
    else if (error.status === 412) message = 'Someone changed this in the meantime. Reload to see the latest version.';
    else if (error.status === 429 && error.retryAfter) message = `${error.message} Try again in ${error.retryAfter} s.`;
    setAlert(form, message);
  }
  first?.focus();
}

/** `fn` once typing pauses, or on Enter. */
export function onInput(form, fn) {
  form.addEventListener('input', debounce(fn, 250));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    fn();
  });
}

/** Checks `required`, runs `action(data)`, shows its ApiError or success message. */
export function onSubmit(form, action, { busyText = 'Saving…', aliases } = {}) {
  form.noValidate = true;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const missing = [...form.elements].filter((el) => el.required && !el.disabled && !String(el.value).trim());
    if (missing.length) {
      for (const el of missing) setFieldError(form, el.name, 'This is required.');
      missing[0].focus();
      return;
    }
    const button = form.querySelector('[type="submit"]');
    const idle = button?.textContent;
    if (button) {
      button.disabled = true;
      button.textContent = busyText;
    }
    try {
      const message = await action(readForm(form), form);
      if (typeof message === 'string') setAlert(form, message, { ok: true });
    } catch (exc) {
      if (exc?.name !== 'ApiError') throw exc;
      showError(form, exc, aliases);
    } finally {
      if (button?.isConnected) {
        button.disabled = false;
        button.textContent = idle;
      }
    }
  });
  return form;
}
