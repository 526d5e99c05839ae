/** The organization's directory, fetched from the server and verified by the crypto worker
 * (which keeps it, to check authors, granters and roles), with the revocations this browser
 * verified before and those the worker found in any history it verified: a server that stops
 * listing a revocation is not believed. A revocation first found in a history is remembered and
 * announced (`REVOCATIONS_LEARNED` on window), so that the directory and share lists shown
 * redraw without that user.
 *
 * One verified directory per view: every caller while a view is shown (Home's list, the
 * workspace list, a workspace's state, the bell) shares one request and one verification. A new
 * view, a member added or a revocation made or learned here asks for the listing again; the
 * worker then checks only the certificates it has not checked (it keeps each one it verified,
 * by signer key and hash, for its sign-in). */

import { allPages } from './api.js';
import { cryptoClient } from './crypto-client.js';
import { rememberRevocations, rememberedRevocations } from './history-memory.js';
import { session } from './session.js';

export const REVOCATIONS_LEARNED = 'paravent:revocations-learned';
// Announced in this page already (so that an IndexedDB that cannot store them never loops).
const announced = new Set();

/** Remembers the signed revocations a verified history carries; announces any news. */
export async function learnRevocations(userId, revocations) {
  const known = await rememberedRevocations(userId).catch(() => ({}));
  const news = Object.keys(revocations ?? {}).filter((user) => !(user in known)
    && !announced.has(`${userId}/${user}`));
  if (news.length) {
    news.forEach((user) => announced.add(`${userId}/${user}`));
    await rememberRevocations(userId, revocations).catch(() => null);
    forgetDirectory();
    window.dispatchEvent(new CustomEvent(REVOCATIONS_LEARNED));
  }
}

// The directory verified for the signed-in user (a promise shared by every caller), or null.
let shared = null;

/** Fetches and verifies the directory again at the next call (it changed, or a new view). */
export function forgetDirectory() {
  shared = null;
}
window.addEventListener('hashchange', forgetDirectory);

export function verifiedDirectory() {
  if (shared?.user !== session.user) {
    const pending = fetchAndVerify();
    shared = { user: session.user, pending };
    pending.catch(() => {
      if (shared?.pending === pending) {
        shared = null;
      }
    });
  }
  return shared.pending;
}

async function fetchAndVerify() {
  const listing = await allPages('/api/directory', 'users');
  const userId = session.user.user_id;
  const remembered = await rememberedRevocations(userId).catch(() => ({}));
  const { users, revocations } = await cryptoClient().call('directory.verify', {
    users: listing.users, remembered_revocations: remembered,
  });
  await rememberRevocations(userId, revocations).catch(() => null);
  return users;
}
