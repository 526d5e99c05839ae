/** The organization's directory, fetched from the server and verified by the crypto worker
 * (which keeps it, to check authors, granters and roles), with the revocations this browser
 * verified before and those the worker found in any history it verified: a server that stops
 * listing a revocation is not believed. A revocation first found in a history is remembered and
 * announced (`REVOCATIONS_LEARNED` on window), so that the directory and share lists shown
 * redraw without that user. */

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
    window.dispatchEvent(new CustomEvent(REVOCATIONS_LEARNED));
  }
}

export async function verifiedDirectory() {
  const listing = await allPages('/api/directory', 'users');
  const userId = session.user.user_id;
  const remembered = await rememberedRevocations(userId).catch(() => ({}));
  const { users, revocations } = await cryptoClient().call('directory.verify', {
    users: listing.users, remembered_revocations: remembered,
  });
  await rememberRevocations(userId, revocations).catch(() => null);
  return users;
}
