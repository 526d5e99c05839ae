/**
 * Who is signed in on this page, and the flows that sign in, unlock, lock and sign out.
 * The keys themselves stay in the crypto worker; this module only keeps what the UI displays.
 *
 * Locking (the idle lock, Switch user) seals the view's unsent text to the user (unsent.js),
 * locks the server session (every API call then answers 401 `session_locked` and the server
 * closes its sockets on every process; this page keeps its own closed: realtime.js listens to
 * `onLockChange`), then wipes the keys. Unlocking asks the same user's passkey, which the server
 * checks before it resumes the session (api/identity/suspension.py); the PRF unlocks the keys
 * and the unsent text comes back. Switch user locks, signs the first person out and leaves the
 * page to the next one's passkey.
 */

import { api } from './api.js';
import { cryptoClient } from './crypto-client.js';
import { passkeyBlobDone, passkeyBlobRequest } from './freshness.js';
import { usePasskey } from './passkeys.js';
import { dropUnsent, restoreUnsent, sealUnsent } from './unsent.js';

export const session = {
  user: null,
  organization: null,
  identity: null,
  settings: { idle_lock_seconds: 600 },
  pendingUnlock: null,
  endedBecause: null,
  // The server session is locked: only this user's passkey unlocks it.
  locked: false,
};
const listeners = new Set();
const lockListeners = new Set();

export function onSessionChange(listener) {
  listeners.add(listener);
}

/** Calls `listener(locked)` when the server session is locked or no longer is. */
export function onLockChange(listener) {
  lockListeners.add(listener);
}

function setLocked(locked) {
  if (locked !== session.locked) {
    session.locked = locked;
    lockListeners.forEach((listener) => listener(locked));
  }
}

function changed() {
  listeners.forEach((listener) => listener(session));
}

/** Record a server sign-in and the worker's unlocked identity. */
export function signedIn(serverReply, identity) {
  session.user = serverReply.user;
  session.organization = serverReply.organization;
  session.settings = serverReply.settings ?? session.settings;
  session.identity = identity;
  session.pendingUnlock = null;
  session.endedBecause = null;
  setLocked(false);
  changed();
  restoreUnsent(serverReply.user.user_id).catch(() => dropUnsent());
}

async function unlockWithPrf(reply, prfOutput) {
  return cryptoClient().call('identity.unlock_with_passkey', {
    organization_id: reply.organization.organization_id,
    user_id: reply.user.user_id,
    wrapped_bundle: reply.wrapped_bundle,
    prf_output: prfOutput,
  }, [prfOutput.buffer]);
}

/**
 * Signs in with a passkey (`path` /api/login), or unlocks this page's session with it (`path`
 * /api/session/resume). Returns true when the keys are unlocked; false when this passkey
 * cannot unlock them (no PRF support) and the recovery code is needed to finish.
 */
async function withPasskey(path) {
  const options = await api('POST', '/api/login/options');
  // The assertion reads my heads record from the passkey, or writes the one due (freshness.js).
  const blobRequest = await passkeyBlobRequest(session.user?.user_id ?? null);
  let used;
  try {
    used = await usePasskey(options.publicKey, blobRequest);
  } catch (error) {
    if (!blobRequest.write) {
      throw error;
    }
    used = await usePasskey(options.publicKey, { read: true });
  }
  const { credential, prfOutput, largeBlob } = used;
  const reply = await api('POST', path, { challenge_id: options.challenge_id, credential });
  if (!reply.wrapped_bundle || prfOutput === null) {
    session.user = reply.user;
    session.organization = reply.organization;
    session.pendingUnlock = reply;
    changed();
    return false;
  }
  const identity = await unlockWithPrf(reply, prfOutput);
  const written = blobRequest.write && largeBlob?.written !== undefined ? blobRequest : { read: true };
  await passkeyBlobDone(reply.user.user_id, credential.id, written, largeBlob);
  signedIn(reply, identity);
  return true;
}

export function signInWithPasskey() {
  return withPasskey('/api/login');
}

/** Unlocks the locked session with the same user's passkey (another person's is refused:
 * ApiError `other_user`). A session that ended meanwhile (expired, user revoked) leaves the
 * page to the sign-in screen, which says so. */
export async function unlockWithPasskey() {
  try {
    return await withPasskey('/api/session/resume');
  } catch (error) {
    if (error.code !== 'unauthenticated') {
      throw error;
    }
    dropUnsent();
    session.endedBecause = 'unauthenticated';
    await forget();
    return false;
  }
}

/** Finishes a passkey sign-in that could not unlock the keys, with the recovery code. */
export async function finishWithRecoveryCode(code) {
  const reply = session.pendingUnlock;
  const identity = await cryptoClient().call('identity.unlock_with_recovery', {
    organization_id: reply.organization.organization_id,
    user_id: reply.user.user_id,
    wrapped_bundle: reply.recovery_bundle,
    recovery_code: code,
  });
  signedIn(reply, identity);
}

export async function signInWithRecoveryCode(code) {
  const { login_token_digest: digest } = await cryptoClient().call(
    'identity.recovery_login_token', { recovery_code: code });
  const reply = await api('POST', '/api/login/recovery', { login_token_digest: digest });
  const identity = await cryptoClient().call('identity.unlock_with_recovery', {
    organization_id: reply.organization.organization_id,
    user_id: reply.user.user_id,
    wrapped_bundle: reply.wrapped_bundle,
    recovery_code: code,
  });
  signedIn(reply, identity);
}

let locking = false;

/** Seals the unsent text (unless `keepNothing`), locks the server session unless it is already
 * (`suspend`), and wipes the keys: nothing of the user stays readable in the page. */
async function lockPage({ suspend, keepNothing = false }) {
  locking = true;
  try {
    if (session.identity && !keepNothing) {
      // Unsent text that cannot be sealed is not kept: the lock goes on regardless.
      await sealUnsent(session.user.user_id).catch(() => dropUnsent());
    }
    if (suspend) {
      // Unreachable server: the keys are wiped all the same; the session then ends by expiry.
      await api('POST', '/api/session/suspend').catch(() => {});
    }
    setLocked(true);
    // Nothing the person saw outlives the lock outside the view either (toasts, open dialogs).
    document.querySelectorAll('#toasts > *, body > dialog').forEach((element) => element.remove());
    await cryptoClient().call('identity.lock');
    session.identity = null;
    changed();
  } finally {
    locking = false;
  }
}

/** The idle lock: unsent text sealed, the server session locked, the keys wiped. */
export function lock() {
  return lockPage({ suspend: true });
}

/** Locks for the person at the workstation and signs them out, leaving the sign-in screen to
 * the next person (nothing of the first one stays in the page, not even sealed). */
export async function switchUser() {
  dropUnsent();
  if (session.identity) {
    await lockPage({ suspend: true, keepNothing: true });
  }
  await signOut();
}

let signingOut = false;

export async function signOut() {
  signingOut = true;
  try {
    dropUnsent();
    await api('POST', '/api/logout');
    await forget();
  } finally {
    signingOut = false;
  }
}

/** The server ended the session (revoked, signed out in another tab, expired): wipe the keys
 * and say why; this page's own sign-out, which the server announces too, says nothing. Locked
 * (in another tab of this session): this page locks too, its unsent text sealed. */
export async function sessionEnded(reason) {
  if (signingOut || !session.user) {
    return;
  }
  if (reason === 'locked') {
    if (!locking && session.identity) {
      await lockPage({ suspend: false });
    }
    return;
  }
  dropUnsent();
  session.endedBecause = reason === 'revoked' ? 'revoked' : 'unauthenticated';
  await forget();
}

async function forget() {
  await cryptoClient().call('identity.lock');
  session.user = null;
  session.organization = null;
  session.identity = null;
  session.pendingUnlock = null;
  setLocked(false);
  changed();
}

/** On page load: is there a server session (whose keys must be unlocked again)? */
export async function restore() {
  const reply = await api('GET', '/api/session');
  session.user = reply.user;
  session.organization = reply.organization ?? null;
  session.settings = reply.settings ?? session.settings;
  setLocked(Boolean(reply.locked));
}
