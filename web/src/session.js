// The signed-in user, shared by the whole app. The session itself lives in an
// HttpOnly cookie; this module keeps what the server told us about it plus
// the CSRF token for state-changing requests.
import { reactive, readonly } from 'vue';
import { api, setCsrfToken, ApiError } from './api.js';

const state = reactive({
  user: null,
  expiresAt: null,
  idleTimeoutS: null,
  // true once we asked the server at least once (successfully or not)
  checked: false,
});

export const session = readonly(state);

function adopt(answer) {
  state.user = answer.user;
  state.expiresAt = answer.expires_at || null;
  state.idleTimeoutS = answer.idle_timeout_s || null;
  state.checked = true;
  setCsrfToken(answer.csrf_token);
}

export function clearSession() {
  state.user = null;
  state.expiresAt = null;
  state.idleTimeoutS = null;
  state.checked = true;
  setCsrfToken('');
}

// Asks the server whether the cookie is still good. Resolves to the user or
// null; other failures (server down) are raised.
export async function loadSession() {
  try {
    const answer = await api.get('/session', { quiet: true, no401: true });
    adopt(answer);
    return state.user;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      clearSession();
      return null;
    }
    throw error;
  }
}

// Errors are raised for the login form to show; nothing is popped up here.
export async function login(username, password) {
  const answer = await api.post('/session', { username, password }, { quiet: true, no401: true });
  adopt(answer);
  return state.user;
}

export async function logout() {
  try {
    await api.del('/session', { quiet: true, no401: true });
  } catch {
    // The session may already be gone; the user is logged out either way.
  } finally {
    clearSession();
  }
}

export function hasRole(role) {
  return !!state.user && Array.isArray(state.user.roles) && state.user.roles.includes(role);
}

export function hasAnyRole(roles) {
  if (!roles || roles.length === 0) return true;
  return roles.some((role) => hasRole(role));
}
