/** The organization's directory, fetched from the server and verified by the crypto worker
 * (which keeps it, to check authors, granters and roles). */

import { api } from './api.js';
import { cryptoClient } from './crypto-client.js';

export async function verifiedDirectory() {
  const listing = await api('GET', '/api/directory');
  const { users } = await cryptoClient().call('directory.verify', { users: listing.users });
  return users;
}
