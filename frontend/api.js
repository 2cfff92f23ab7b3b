// The only module that talks to the server: CSRF header; problem+json → ApiError.

const BASE = '/api/v1';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
let csrfToken = null;

/** `unauthorized`: a signed-in request got 401 (the session ended). */
export const events = new EventTarget();

export function setCsrfToken(token) {
  csrfToken = token || null;
}

export class ApiError extends Error {
  constructor({ status = 0, title = '', detail = '', errors = [], problem = null, network = false }) {
    super(detail || title || (network ? 'No connection to the server.' : `Request failed (${status})`));
    this.name = 'ApiError';
    this.status = status;
    this.network = network;
    this.problem = problem;
    // {field: reason}; `tags.2` also as `tags`.
    this.fields = {};
    this.codes = {}; // {fieldName: machine-readable code}, e.g. `string_pattern_mismatch`
    for (const issue of errors || []) {
      if (!issue || issue.location === 'query' || issue.location === 'path') continue;
      const name = String(issue.field || '');
      const top = name.split('.')[0];
      for (const key of top && top !== name ? [name, top] : [name]) {
        this.fields[key] ??= issue.reason;
        this.codes[key] ??= issue.code;
      }
    }
    this.retryAfter = null;
  }
}

function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

const ACCEPT = 'application/json, application/problem+json';

/** The JSON, or an ApiError from the problem+json (a 401 ends the session). */
function settle(path, status, statusText, header, data) {
  if (status >= 200 && status < 300) return data;
  const problem = data || {};
  const error = new ApiError({ status, title: problem.title || statusText, detail: problem.detail, errors: problem.errors, problem });
  error.retryAfter = header('Retry-After');
  if (status === 401 && !path.startsWith('/auth/') && path !== '/setup') events.dispatchEvent(new CustomEvent('unauthorized'));
  throw error;
}

/** request('POST', '/contacts', {body, query, ifMatch, signal}) → JSON or null. */
export async function request(method, path, { body, query, ifMatch, idempotencyKey, signal } = {}) {
  const headers = { Accept: ACCEPT };
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!SAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (ifMatch !== undefined && ifMatch !== null) headers['If-Match'] = `"${ifMatch}"`;
  let response;
  try {
    response = await fetch(withQuery(BASE + path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
  } catch (exc) {
    if (exc && exc.name === 'AbortError') throw exc;
    throw new ApiError({ network: true });
  }
  const type = response.headers.get('Content-Type') || '';
  const data = response.status === 204 || !type.includes('json') ? null : await response.json().catch(() => null);
  return settle(path, response.status, response.statusText, (name) => response.headers.get(name), data);
}

/** POSTs a FormData or Blob with XHR: fetch cannot report upload progress. */
export function upload(path, body, { query, type, onProgress } = {}) {
  const xhr = new XMLHttpRequest();
  return new Promise((resolve, reject) => {
    xhr.open('POST', withQuery(BASE + path, query));
    xhr.responseType = 'json';
    xhr.setRequestHeader('Accept', ACCEPT);
    if (type) xhr.setRequestHeader('Content-Type', type);
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress?.(e.loaded, e.total);
    xhr.upload.onload = () => onProgress?.(1, 1);
    xhr.onload = resolve;
    xhr.onerror = () => reject(new ApiError({ network: true }));
    xhr.send(body);
  }).then(() => settle(path, xhr.status, xhr.statusText, (name) => xhr.getResponseHeader(name), xhr.response));
}

export const api = {
  get: (path, query, opts = {}) => request('GET', path, { ...opts, query }),
  post: (path, body, opts = {}) => request('POST', path, { ...opts, body }),
  patch: (path, body, opts = {}) => request('PATCH', path, { ...opts, body }),
  put: (path, body, opts = {}) => request('PUT', path, { ...opts, body }),
  del: (path, opts = {}) => request('DELETE', path, opts),
};

/** Every page of a list endpoint, up to `max` items. */
export async function listAll(path, query = {}, max = 1000) {
  const items = [];
  let cursor = null;
  do {
    const page = await api.get(path, { ...query, limit: 200, cursor });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

/** A client-made UUID v4: a retried create never makes a duplicate. */
export function newId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  // Plain http on a LAN is no "secure context": no randomUUID.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
