// The only way this app builds DOM: text always goes in as text (textContent / text nodes),
// so anything a user typed can never become markup. There is no innerHTML anywhere.

const FORBIDDEN = new Set(['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'srcdoc', 'style']);
// Properties set as properties (live state), not attributes.
const PROPS = new Set(['value', 'checked', 'selected']);
const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction']);

/** A URL safe to put in href/src: relative, http(s), mailto or tel; anything else is dropped. */
export function safeUrl(url) {
  const text = String(url ?? '').trim();
  if (text === '') return null;
  if (/^(https?:|mailto:|tel:)/i.test(text)) return text;
  if (/^[/?#]/.test(text) && !text.startsWith('//')) return text;
  return null;
}

function append(parent, child) {
  if (Array.isArray(child)) for (const c of child) append(parent, c);
  else if (child != null && typeof child !== 'boolean') parent.append(child instanceof Node ? child : String(child));
}

/**
 * h('a', {href: '/app', class: 'x', onclick: fn, dataset: {id: 1}}, 'text', node, [more])
 * Strings become text nodes; null/false are skipped; `on*` props become listeners.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (FORBIDDEN.has(key)) throw new Error(`h(): "${key}" is not allowed`);
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class') {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (PROPS.has(key)) {
      el[key] = value;
    } else if (URL_ATTRS.has(key)) {
      const url = safeUrl(value);
      if (url !== null) el.setAttribute(key, url);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Replaces every child of `el` with `children`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Runs `fn` at most once per `ms` after the last call. */
export function debounce(fn, ms = 250) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** A fresh unique id for labels and aria-describedby. */
let counter = 0;
export function uid(prefix = 'f') {
  counter += 1;
  return `${prefix}-${counter}`;
}
