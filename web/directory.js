/** The organization's directory, fetched from the server and verified by the crypto worker
 * (which keeps it, to check authors, granters and roles), with the revocations this browser
 * verified before: a server that stops listing a revocation is not believed. */

import { allPages } from './api.js';
import { cryptoClient } from './crypto-client.js';
import { rememberRevocations, rememberedRevocations } from './history-memory.js';
import { session } from './session.js';

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
