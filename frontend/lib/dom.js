// The only way this app builds DOM: text goes in as text, never as markup.

const FORBIDDEN = new Set(['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'srcdoc', 'style']);
// Live state: set as properties.
const PROPS = new Set(['value', 'checked', 'selected']);
const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction']);

/** Relative, http(s), mailto, tel or webcal; anything else is dropped. */
export function safeUrl(url) {
  const text = String(url ?? '').trim();
  if (text === '') return null;
  if (/^(https?:|mailto:|tel:|webcal:)/i.test(text)) return text;
  if (/^[/?#]/.test(text) && !text.startsWith('//')) return text;
  return null;
}

function append(parent, child) {
  if (Array.isArray(child)) for (const c of child) append(parent, c);
  else if (child != null && typeof child !== 'boolean') parent.append(child instanceof Node ? child : String(child));
}

/** h('a', {href, class, onclick, dataset}, 'text', node, [more]) */
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

export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function debounce(fn, ms = 250) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

let counter = 0;
export function uid(prefix = 'f') {
  counter += 1;
  return `${prefix}-${counter}`;
}
