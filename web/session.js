/**
 * Who is signed in on this page, and the flows that sign in, unlock, lock and sign out.
 * The keys themselves stay in the crypto worker; this module only keeps what the UI displays.
 */

import { api } from './api.js';
import { cryptoClient } from './crypto-client.js';
import { passkeyBlobDone, passkeyBlobRequest } from './freshness.js';
import { usePasskey } from './passkeys.js';

export const session = {
  user: null,
  organization: null,
  identity: null,
  settings: { idle_lock_seconds: 600 },
  pendingUnlock: null,
  endedBecause: null,
};
const listeners = new Set();

export function onSessionChange(listener) {
  listeners.add(listener);
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
  changed();
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
 * Signs in with a passkey. Returns true when the keys are unlocked; false when this passkey
 * cannot unlock them (no PRF support) and the recovery code is needed to finish.
 */
export async function signInWithPasskey() {
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
  const reply = await api('POST', '/api/login', { challenge_id: options.challenge_id, credential });
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

/** Wipes the keys from the worker; the server session stays until it expires. */
export async function lock() {
  await cryptoClient().call('identity.lock');
  session.identity = null;
  changed();
}

let signingOut = false;

export async function signOut() {
  signingOut = true;
  try {
    await api('POST', '/api/logout');
    await forget();
  } finally {
    signingOut = false;
  }
}

/** The server ended the session (revoked, signed out in another tab, expired): wipe the keys
 * and say why; this page's own sign-out, which the server announces too, says nothing. */
export async function sessionEnded(reason) {
  if (signingOut || !session.user) {
    return;
  }
  session.endedBecause = reason === 'revoked' ? 'revoked' : 'unauthenticated';
  await forget();
}

async function forget() {
  await cryptoClient().call('identity.lock');
  session.user = null;
  session.organization = null;
  session.identity = null;
  session.pendingUnlock = null;
  changed();
}

/** On page load: is there a server session (whose keys must be unlocked again)? */
export async function restore() {
  const reply = await api('GET', '/api/session');
  session.user = reply.user;
  session.organization = reply.organization ?? null;
  session.settings = reply.settings ?? session.settings;
}
