/** The organization's directory, fetched from the server and verified by the crypto worker
 * (which keeps it, to check authors, granters and roles), with the revocations this browser
 * verified before and those the worker found in any history it verified: a server that stops
 * listing a revocation is not believed. A revocation first found in a history is remembered and
 * announced (`REVOCATIONS_LEARNED` on window), so that the directory and share lists shown
 * redraw without that user.
 *
 * Nothing on Home, the workspace list or a history's verification fetches the whole directory:
 * before the worker verifies a history it names the users it lacks (`directory.wanted`: the
 * authors, members, revokers and granters the entries claim, unverified) and the page fetches
 * those by id (`/api/directory?ids=…&signers=1`: with the admins who certified them and every
 * revocation the server lists), each once per view. The People page and the bell fetch only what
 * they show (a page of a search, handed to the worker a screenful at a time; the people named)
 * the same way. The worker checks a
 * certificate only when something reads it, once per sign-in, and adds what it is handed to what
 * it holds without dropping any revocation it believes. Views that still show everyone (a
 * workspace's people, partner sites, greeting) share one verified listing per view. A new view, a
 * member added or a revocation made or learned here asks again. */

import { allPages, api } from './api.js';
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

// This view's directory for the signed-in user: the users handed to the worker by id (each
// asked once, `taken`: id -> the promise of it taken), and, for the views that still show the
// whole list, the promise of the server's listing of everyone, wholly verified.
let shared = null;

/** Fetches and verifies again at the next call (the directory changed, or a new view). */
export function forgetDirectory() {
  shared = null;
}
window.addEventListener('hashchange', forgetDirectory);

function current() {
  if (shared?.user !== session.user) {
    shared = { user: session.user, taken: new Map(), verified: null };
  }
  return shared;
}

async function handToWorker(method, listing, extra = {}) {
  const userId = session.user.user_id;
  const remembered = await rememberedRevocations(userId).catch(() => ({}));
  const { users, signers } = await listing;
  const reply = await cryptoClient().call(method, {
    users, signers, remembered_revocations: remembered, ...extra,
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

// The server names at most this many users by id in one request.
const MAX_IDS = 1000;

/** The server's listing of `ids` (at most MAX_IDS), with what verifying them takes: the admins
 * who certified them and every user with a revocation listed, with theirs. */
function listedById(ids) {
  const search = new URLSearchParams({ ids: ids.join(','), limit: String(MAX_IDS), signers: '1' });
  return api('GET', `/api/directory?${search}`);
}

/** Has the worker take the users `userIds` by id, each fetched once per view (in batches of
 * MAX_IDS), with what verifying them takes; it checks each one once something reads it. */
export async function takeUsers(userIds) {
  const state = current();
  const wanted = [...new Set(userIds)].filter(Boolean);
  const missing = wanted.filter((id) => !state.taken.has(id));
  for (let at = 0; at < missing.length; at += MAX_IDS) {
    const batch = missing.slice(at, at + MAX_IDS);
    const taken = handToWorker('directory.add', listedById(batch));
    batch.forEach((id) => state.taken.set(id, taken));
    taken.catch(() => batch.filter((id) => state.taken.get(id) === taken)
      .forEach((id) => state.taken.delete(id)));
  }
  await Promise.all(wanted.map((id) => state.taken.get(id)));
}

/** Before the worker verifies a workspace's history (`entries`, with the `checkpoint` and
 * key `grants` of `request`), has it take the users that history names and it does not hold
 * yet (authors, members, revokers, granters): never the whole directory. One the server does
 * not serve leaves the entries that need it failing verification, by name. */
export async function takeNamedUsers(workspaceId, entries, request = {}) {
  const { user_ids: wanted } = await cryptoClient().call('directory.wanted', {
    workspace_id: workspaceId, entries, checkpoint: request.checkpoint, grants: request.grants,
  });
  await takeUsers(wanted);
}

/** Once per view, the revocations the server lists (and my own certificate) taken by the
 * worker, before it verifies histories: what they name comes with `takeNamedUsers`. */
export function loadDirectory() {
  return takeUsers([session.user.user_id]);
}

/** Every user of the directory, each certificate verified. */
export function verifiedDirectory() {
  return once(current(), 'verified', async () => (
    await handToWorker('directory.verify', allPages('/api/directory', 'users'))).users);
}

// Where each page of a search starts (the server's cursor), by user, query and first row.
const cursors = new Map();

/** The server's page of `count` users from `first` among those matching `query` (name or
 * e-mail), with what verifying them takes (`signers`) and how many match (`total`). */
async function listedPage(query, first, count) {
  const key = (at) => `${session.user.user_id}\n${query}\n${at}`;
  let at = first;
  while (at > 0 && !cursors.has(key(at))) {
    at = Math.max(0, at - count);
  }
  for (;;) {
    const search = new URLSearchParams({ q: query, limit: String(count), signers: '1' });
    if (at > 0) {
      search.set('cursor', cursors.get(key(at)));
    }
    const page = await api('GET', `/api/directory?${search}`);
    if (page.next) {
      cursors.set(key(at + count), page.next);
    }
    if (at >= first || !page.next) {
      return page;
    }
    at += count;
  }
}

// The users a screen shows of a page: the worker checks a page this many at a time, so that the
// first are drawn while it checks the rest, and calls made meanwhile (a history to verify for
// the navigation) wait for one screenful at most.
const SCREENFUL = 20;

/** `count` verified users from `first` among those matching `query` (name or e-mail), and
 * how many match (`total`): the server pages and searches, the worker checks only the users
 * shown (and the admins who certified them), with every revocation it believes. The page is
 * checked a screenful at a time, in the server's order: `onChecked(users)` gets each one's
 * verified users as soon as they are, before the next is checked (none is when it returns
 * false: the page is no longer wanted); each screenful after the first waits for `beforeMore()`
 * (what the worker should do first). */
export async function directoryPage(query, first, count, onChecked = () => {},
  beforeMore = () => Promise.resolve()) {
  const { users: listed, signers, total } = await listedPage(query, first, count);
  const users = [];
  let at = 0;
  do {
    if (at > 0) {
      await beforeMore();
    }
    const screenful = listed.slice(at, at + SCREENFUL);
    const checked = await handToWorker('directory.page', { users: screenful, signers }, { total });
    users.push(...checked.users);
    if (onChecked(checked.users) === false) {
      break;
    }
    at += SCREENFUL;
  } while (at < listed.length);
  return { users, total };
}

/** The verified names of `userIds` ({user id: name}), fetched by id: the rest of the
 * directory is neither fetched nor checked. */
export async function directoryNames(userIds) {
  const ids = [...new Set(userIds)].filter(Boolean).slice(0, MAX_IDS);
  if (!ids.length) {
    return new Map();
  }
  const { names } = await handToWorker('directory.names', listedById(ids));
  return new Map(Object.entries(names));
}
