// Who is signed in: the only shared state.

import { api, setCsrfToken } from '../api.js';

const KEY = 'nexthop.user';

class SessionStore extends EventTarget {
  constructor() {
    super();
    this.user = null;
    this.needsSetup = false;
    this.signupMode = 'closed';
  }

  async load() {
    const who = api.get('/auth/session').catch((exc) => exc); // asked alongside: one round trip
    let state;
    try {
      state = await api.get('/setup');
    } catch (exc) {
      // Offline: whoever was signed in here last.
      const kept = exc.network && JSON.parse(localStorage.getItem(KEY) || 'null');
      if (!kept) throw exc;
      this.user = kept;
      this.offline = true;
      return this.user;
    }
    this.offline = false;
    this.needsSetup = state.needs_setup;
    this.signupMode = state.signup_mode;
    if (this.needsSetup) return this.set(null);
    const info = await who;
    if (info instanceof Error && info.status !== 401) throw info;
    return this.set(info instanceof Error ? null : info);
  }

  /** `info`: SessionInfo ({user, csrf_token}), or null. */
  set(info) {
    this.user = info ? info.user : null;
    if (info) this.needsSetup = false;
    setCsrfToken(info ? info.csrf_token : null);
    if (info) localStorage.setItem(KEY, JSON.stringify(info.user));
    else localStorage.removeItem(KEY);
    this.dispatchEvent(new CustomEvent('change'));
    return this.user;
  }
}

export const session = new SessionStore();
