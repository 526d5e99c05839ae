/**
 * The workspace log's data flows: read it (the worker verifies the history, decrypts and
 * replays each dossier's state), append an entry or any write the history records (after the
 * head the worker verified; a stale write is re-read and retried), mark a dossier's discussion
 * read (in my own state, which the worker seals for me alone: the server never sees which
 * dossier I read), and export the log for the verifier.
 */

import { api } from './api.js';
import { cryptoClient } from './crypto-client.js';
import { learnRevocations, takeNamedUsers } from './directory.js';
import { freshnessSettled, headsChanged } from './freshness.js';
import {
  keepCheckpoint, rememberHead, rememberOwnState, rememberedHead,
} from './history-memory.js';
import { session } from './session.js';

function today() {
  const now = new Date();
  const pad = (value) => String(value).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * Has the worker verify a workspace's history as the server serves it (`entries`), against the
 * head this browser remembers; remembers the new head when the history verifies, and the
 * revocations the history carries. Returns what the worker replied to `method`.
 */
export async function verifyHistory(method, workspaceId, entries, request = {}) {
  const userId = session.user.user_id;
  const [remembered] = await Promise.all([
    rememberedHead(userId, workspaceId).catch(() => null),
    takeNamedUsers(workspaceId, entries, request)]);
  const reply = await cryptoClient().call(method, {
    ...request, workspace_id: workspaceId, entries, remembered,
  });
  await learnRevocations(userId, reply.chain.revocations);
  if (reply.chain.verified) {
    await rememberHead(userId, workspaceId, reply.chain.head).catch(() => null);
    headsChanged(userId);
  }
  if (reply.chain.checkpoint) {
    await keepCheckpoint(userId, workspaceId, reply.chain.checkpoint).catch(() => null);
  }
  return reply;
}

/**
 * A workspace's log as the server serves it, after entry `after` (0: whole): page after page
 * (1000 entries each), each read from the last entry of the one before.
 */
export async function readLog(workspaceId, after = 0) {
  const entries = [];
  for (let from = after, more = true; more;) {
    const page = await api('GET', `/api/workspaces/${workspaceId}/log?after=${from}`);
    entries.push(...page.entries);
    more = page.next !== null && page.entries.length > 0;
    from = entries.length ? entries[entries.length - 1].seq : from;
  }
  return { entries };
}

function ownStatePath(workspaceId) {
  return `/api/workspaces/${workspaceId}/my-state`;
}

const ownStateTurns = new Map();

/**
 * Runs `task` after every earlier own-state task of the workspace in this page, so that no
 * state read is older than one the worker already saw here (the worker refuses an older one as
 * a rollback: only the server can then have served it).
 */
function inTurn(workspaceId, task) {
  const next = (ownStateTurns.get(workspaceId) ?? Promise.resolve()).catch(() => {}).then(task);
  ownStateTurns.set(workspaceId, next);
  return next;
}

/**
 * Has the worker open my own state as the server holds it ({version, state}), merged into what
 * it holds (markers only move forward; an older version than it saw is refused as a rollback).
 * Returns {version, read_markers}.
 */
async function openOwnState(workspaceId, stored) {
  const opened = await cryptoClient().call('own_state.open', {
    workspace_id: workspaceId, version: stored.version, state: stored.state,
  });
  await rememberOwnState(session.user.user_id, workspaceId, opened.version).catch(() => null);
  return opened;
}

async function readOwnState(workspaceId) {
  return openOwnState(workspaceId, await api('GET', ownStatePath(workspaceId)));
}

/**
 * {chain, entries, dossiers, readMarkers}: the verified log of a workspace. My own state is
 * opened after the history, which tells the worker the version my signed entries (and this
 * browser) recorded: an older one is refused as a rollback.
 */
export async function loadLog(workspaceId) {
  const listing = await readLog(workspaceId);
  const read = await verifyHistory('log.read', workspaceId, listing.entries, { today: today() });
  const own = await inTurn(workspaceId, () => readOwnState(workspaceId));
  return { ...read, readMarkers: own.read_markers };
}

/**
 * Runs `write` (which seals a write and its log entry after the verified head, and sends it);
 * if someone wrote meanwhile, reads the log again and retries.
 */
export async function followingHistory(workspaceId, write) {
  await freshnessSettled(workspaceId);
  for (let attempt = 0; attempt < 4; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      if (error.code !== 'stale_log') {
        throw error;
      }
      await loadLog(workspaceId);
    }
  }
  throw Object.assign(new Error('the log keeps changing; try again'), { code: 'stale_log' });
}

/** Records an entry of `kind`; returns its position in the log. */
export function appendEntry(workspaceId, kind, content) {
  return followingHistory(workspaceId, async () => {
    const entry = await cryptoClient().call('log.append', { workspace_id: workspaceId, kind, content });
    // The server places the write (log format 4): its position is the server's answer.
    const { seq } = await api('POST', `/api/workspaces/${workspaceId}/log`, entry);
    return seq;
  });
}

/**
 * Moves my read marker of a dossier forward to `seq`: the worker seals the next version of my
 * own state and the server stores it on top of the one before; if another tab or device stored
 * one meanwhile (`stale_state`), the worker opens it and seals again, keeping both's markers.
 */
export function markRead(workspaceId, dossierId, seq) {
  return inTurn(workspaceId, async () => {
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const sealed = await cryptoClient().call('own_state.mark_read', {
        workspace_id: workspaceId, dossier_id: dossierId, seq,
      });
      try {
        await api('PUT', ownStatePath(workspaceId), sealed);
        return await openOwnState(workspaceId, sealed);
      } catch (error) {
        if (error.code !== 'stale_state') {
          throw error;
        }
        await readOwnState(workspaceId);
      }
    }
    throw new Error('your read markers keep changing; try again');
  });
}

/** The log as a file (signed, chained, still encrypted) for `python -m pycrypto_wasm.audit`. */
export async function exportLog(workspaceId) {
  const { entries } = await readLog(workspaceId);
  return cryptoClient().call('log.export', { workspace_id: workspaceId, entries });
}

/** Comments by others after the read marker, per dossier. */
export function unreadCounts(log, me) {
  const counts = {};
  for (const entry of log.entries) {
    const dossierId = entry.content.dossier_id;
    if (entry.kind === 'comment' && entry.author !== me
        && entry.seq > (log.readMarkers[dossierId] ?? 0)) {
      counts[dossierId] = (counts[dossierId] ?? 0) + 1;
    }
  }
  return counts;
}

/** All unread comments of a workspace's log. */
export function unreadTotal(log, me) {
  return Object.values(unreadCounts(log, me)).reduce((sum, count) => sum + count, 0);
}
