// The only module that calls fetch. Same-origin session cookie; unsafe requests carry the
// CSRF token from sign-in; problem+json answers become an ApiError with per-field reasons.

const BASE = '/api/v1';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
let csrfToken = null;

/** Dispatches `unauthorized` when a signed-in request is answered 401 (session ended). */
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
    // {fieldName: reason}: `contact_id`, `tags.2` → also indexed by its first segment.
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

/**
 * request('POST', '/contacts', {body, query, ifMatch, signal}) → parsed JSON (or null on 204).
 */
export async function request(method, path, { body, query, ifMatch, idempotencyKey, signal } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
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
  if (!response.ok) {
    const problem = data || {};
    const error = new ApiError({
      status: response.status,
      title: problem.title || response.statusText,
      detail: problem.detail || '',
      errors: problem.errors,
      problem,
    });
    error.retryAfter = response.headers.get('Retry-After');
    if (response.status === 401 && !path.startsWith('/auth/') && path !== '/setup') {
      events.dispatchEvent(new CustomEvent('unauthorized'));
    }
    throw error;
  }
  return data;
}

export const api = {
  get: (path, query, opts = {}) => request('GET', path, { ...opts, query }),
  post: (path, body, opts = {}) => request('POST', path, { ...opts, body }),
  patch: (path, body, opts = {}) => request('PATCH', path, { ...opts, body }),
  put: (path, body, opts = {}) => request('PUT', path, { ...opts, body }),
  del: (path, opts = {}) => request('DELETE', path, opts),
};

/** Every page of a list endpoint, up to `max` items (small personal data sets). */
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

/** A client-made id (UUID v4) so a retried create never makes a duplicate. */
export function newId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  // Plain-http deployments on a LAN are not a "secure context": no randomUUID there.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
