// Names for contact ids.

import { listAll } from '../api.js';

/** id → contact: a few GETs, or one list when there are many. */
export async function contactsById(ids, get) {
  const wanted = [...new Set(ids.filter(Boolean))];
  const found = new Map();
  if (wanted.length > 10) {
    for (const contact of await listAll('/contacts')) found.set(contact.id, contact);
  }
  const missing = wanted.filter((id) => !found.has(id));
  const fetched = await Promise.all(
    missing.map((id) =>
      get(`/contacts/${id}`).catch((exc) => {
        if (exc.status === 404) return null;
        throw exc;
      }),
    ),
  );
  for (const contact of fetched) if (contact) found.set(contact.id, contact);
  return found;
}

export function nameOf(contacts, id) {
  return contacts.get(id)?.full_name ?? 'Unknown contact';
}
