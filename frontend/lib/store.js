// The little shared state there is: who is signed in. Pages fetch their own data.

import { api, setCsrfToken } from '../api.js';

class SessionStore extends EventTarget {
  constructor() {
    super();
    this.user = null;
    this.needsSetup = false;
    this.signupMode = 'closed';
  }

  /** Asks the server whether it needs set-up and who this browser is signed in as. */
  async load() {
    const state = await api.get('/setup');
    this.needsSetup = state.needs_setup;
    this.signupMode = state.signup_mode;
    if (this.needsSetup) return this.set(null);
    try {
      this.set(await api.get('/auth/session'));
    } catch (exc) {
      if (exc.status !== 401) throw exc;
      this.set(null);
    }
    return this.user;
  }

  /** `info` is the API's SessionInfo ({user, csrf_token}) or null when signed out. */
  set(info) {
    this.user = info ? info.user : null;
    if (info) this.needsSetup = false;
    setCsrfToken(info ? info.csrf_token : null);
    this.dispatchEvent(new CustomEvent('change'));
    return this.user;
  }
}

export const session = new SessionStore();
