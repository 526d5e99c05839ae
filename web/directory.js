/** The organization's directory, fetched from the server and verified by the crypto worker
 * (which keeps it, to check authors, granters and roles), with the revocations this browser
 * verified before and those the worker found in any history it verified: a server that stops
 * listing a revocation is not believed. A revocation first found in a history is remembered and
 * announced (`REVOCATIONS_LEARNED` on window), so that the directory and share lists shown
 * redraw without that user.
 *
 * One listing per view: every caller while a view is shown (Home's list, the workspace list, a
 * workspace's state, the bell) shares one request. A new view, a member added or a revocation
 * made or learned here asks for it again. The worker checks a certificate only when something
 * reads it (Home's page of members, a history's authors, or a caller wanting the whole list),
 * and each one once per sign-in (it keeps each one it verified, by signer key and hash). */

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

// This view's directory for the signed-in user: the server's listing (one request), and the
// promises of it handed to the worker (`loaded`) and of it wholly verified (`verified`).
let shared = null;

/** Fetches and verifies the directory again at the next call (it changed, or a new view). */
export function forgetDirectory() {
  shared = null;
}
window.addEventListener('hashchange', forgetDirectory);

function current() {
  if (shared?.user !== session.user) {
    const listing = allPages('/api/directory', 'users');
    shared = { user: session.user, listing, loaded: null, verified: null };
    listing.catch(() => {
      if (shared?.listing === listing) {
        shared = null;
      }
    });
  }
  return shared;
}

async function handToWorker(method, listing) {
  const userId = session.user.user_id;
  const remembered = await rememberedRevocations(userId).catch(() => ({}));
  const reply = await cryptoClient().call(method, {
    users: (await listing).users, remembered_revocations: remembered,
  });
  await rememberRevocations(userId, reply.revocations).catch(() => null);
  return reply;
}

/** Kept until it fails (then asked again at the next call). */
function once(state, key, make) {
  state[key] ??= make().catch((error) => {
    state[key] = null;
    throw error;
  });
  return state[key];
}

/** The directory handed to the worker, which checks each certificate once something reads it
 * (a history's authors, a page of the member list). */
export function loadDirectory() {
  const state = current();
  return once(state, 'loaded', () => handToWorker('directory.load', state.listing));
}

/** Every user of the directory, each certificate verified. */
export function verifiedDirectory() {
  const state = current();
  return once(state, 'verified',
    async () => (await handToWorker('directory.verify', state.listing)).users);
}

/** `count` verified users from `first` among those matching `query` (name or e-mail), and
 * how many match (`total`). */
export async function directoryPage(query, first, count) {
  await loadDirectory();
  return cryptoClient().call('directory.page', { query, first, count });
}
