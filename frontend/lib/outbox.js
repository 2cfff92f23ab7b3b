// Notes typed offline wait in IndexedDB, then go in order; client ids make retries harmless.

import { api } from '../api.js';
import { session } from './store.js';

const STORE = 'outbox';
export const outbox = new EventTarget(); // 'change' {detail: count}, 'sent' {detail: note}
let opened;
let running = null;
let retry;

function run(mode, op) {
  opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open('nexthop', 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return opened.then(
    (db) =>
      new Promise((resolve, reject) => {
        const req = op(db.transaction(STORE, mode).objectStore(STORE));
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      }),
  );
}

export async function pending() {
  const all = await run('readonly', (s) => s.getAll());
  return all.filter((n) => n.owner === session.user?.id);
}

async function changed() {
  const n = (await pending()).length;
  outbox.dispatchEvent(new CustomEvent('change', { detail: n }));
  return n;
}

/** Keeps `note` on the phone and tries to send it. */
export async function queue(note) {
  await run('readwrite', (s) => s.add({ ...note, owner: session.user?.id }));
  await changed();
  return flush();
}

/** Sends what waits; stops at the first failure a retry could fix. */
export function flush() {
  running ??= drain().finally(() => {
    running = null;
  });
  return running;
}

async function drain() {
  if (!session.user) return changed();
  for (;;) {
    const next = (await pending()).find((n) => !n.error);
    if (!next) break;
    const { seq, owner, ...body } = next;
    try {
      const saved = await api.post('/note-items', body);
      await run('readwrite', (s) => s.delete(seq));
      outbox.dispatchEvent(new CustomEvent('sent', { detail: saved }));
    } catch (exc) {
      if (exc?.name !== 'ApiError') throw exc;
      if (exc.network || exc.status === 401 || exc.status === 429 || exc.status >= 500) {
        clearTimeout(retry);
        retry = setTimeout(flush, 20000);
        break;
      }
      // Refused for good: kept with the reason, not retried.
      await run('readwrite', (s) => s.put({ ...next, error: exc.message }));
    }
  }
  return changed();
}

/** The last good copy of `load()`, for a screen opened offline. */
export async function withSnapshot(key, load) {
  const name = `nexthop.snap.${key}`;
  try {
    const data = await load();
    try {
      localStorage.setItem(name, JSON.stringify(data));
    } catch {
      // Storage full: the screen still works online.
    }
    return data;
  } catch (exc) {
    const kept = exc?.network && JSON.parse(localStorage.getItem(name) || 'null');
    if (!kept) throw exc;
    return { ...kept, offline: true };
  }
}

export function forgetSnapshots() {
  for (const key of Object.keys(localStorage)) if (key.startsWith('nexthop.snap.')) localStorage.removeItem(key);
}
