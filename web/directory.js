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
 * reads it (a history's authors, or a caller wanting the whole list), and each one once per
 * sign-in (it keeps each one it verified, by signer key and hash). Home's member list and the
 * bell fetch only what they show (a page of a search, the people named), with the admins who
 * certified them and every revocation the server lists, and the worker adds them to what it
 * holds without dropping any revocation it believes. */

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

/** `count` verified users from `first` among those matching `query` (name or e-mail), and
 * how many match (`total`): the server pages and searches, the worker checks only the users
 * shown (and the admins who certified them), with every revocation it believes. */
export async function directoryPage(query, first, count) {
  const page = await listedPage(query, first, count);
  return handToWorker('directory.page', page, { total: page.total });
}

/** The verified names of `userIds` ({user id: name}), fetched by id: the rest of the
 * directory is neither fetched nor checked. */
export async function directoryNames(userIds) {
  const ids = [...new Set(userIds)].filter(Boolean).slice(0, 1000);
  if (!ids.length) {
    return new Map();
  }
  const search = new URLSearchParams({ ids: ids.join(','), limit: '1000', signers: '1' });
  const { names } = await handToWorker('directory.names', api('GET', `/api/directory?${search}`));
  return new Map(Object.entries(names));
}
