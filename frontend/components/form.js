// Labelled fields with a hint and an error slot each, and the glue that puts an API problem's
// reasons next to the fields they concern.

import { h, uid } from '../lib/dom.js';

/**
 * field({name, label, type, value, required, hint, options: [[value, label]], rows, ...attrs})
 * type may be any input type, 'textarea' or 'select'.
 */
export function field({ name, label, type = 'text', value, hint, options, rows = 3, required, ...attrs }) {
  const id = uid(name);
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ');
  const common = { id, name, 'aria-describedby': describedBy, required, ...attrs };
  let control;
  if (type === 'textarea') {
    control = h('textarea', { ...common, rows }, value ?? '');
  } else if (type === 'select') {
    const chosen = [value ?? ''].flat().map(String); // several with `multiple: true`
    control = h('select', common, options.map(([v, text]) => h('option', { value: v, selected: chosen.includes(String(v)) }, text)));
  } else if (type === 'checkbox') {
    control = h('input', { ...common, type, checked: Boolean(value) });
  } else {
    control = h('input', { ...common, type, value: value ?? '' });
  }
  const labelEl = h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
  return h(
    'div',
    { class: ['field', type === 'checkbox' && 'field-check'] },
    type === 'checkbox' ? [control, labelEl] : [labelEl, control],
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: errorId, hidden: true }),
  );
}

/** A form-level message area (errors not tied to one field, or success notes). */
export function formAlert() {
  return h('div', { class: 'form-alert', role: 'alert', hidden: true });
}

export function submitButton(text, attrs = {}) {
  return h('button', { type: 'submit', class: 'btn btn-primary', ...attrs }, text);
}

/** The foot of an add/edit form: "Save changes" (or `addText`) and Cancel, back to `back`. */
export function saveOrCancel(editing, addText, back) {
  return h('div', { class: 'form-actions' }, submitButton(editing ? 'Save changes' : addText), h('a', { href: back, class: 'btn btn-quiet' }, 'Cancel'));
}

/** Reads named controls: checkboxes as booleans, several choices as a list, empty text as null. */
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

/** Puts `reason` under the control named `name`; false when the form has no such control. */
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

// The API's reasons are precise but written for programmers where a pattern failed.
function friendly(control, code, reason) {
  if (code === 'missing') return 'This is required.';
  if (code !== 'string_pattern_mismatch') return reason;
  if (control.type === 'email') return 'Enter an email address, like name@example.com.';
  if (control.type === 'url') return 'Enter a full web address, starting with https://';
  return 'This cannot be blank or contain control characters.';
}

/**
 * Shows an ApiError on `form`: each field reason under its field, the rest in the alert;
 * focuses the first field in error. `aliases` maps API field names to control names.
 */
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

/**
 * Wires submit: validates `required` controls, disables the button while `action(data)` runs,
 * shows any ApiError next to its fields. `action` may return a success message.
 */
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
      if (button && button.isConnected) {
        button.disabled = false;
        button.textContent = idle;
      }
    }
  });
  return form;
}
