/**
 * The workspace log's data flows: read it (the worker verifies the chain, decrypts and replays
 * each dossier's state), append an entry (after the head the worker verified; a stale append is
 * re-read and retried), mark a dossier's discussion read, and export the log for the verifier.
 */

import { api } from './api.js';
import { cryptoClient } from './crypto-client.js';

function today() {
  const now = new Date();
  const pad = (value) => String(value).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** {chain, entries, dossiers, readMarkers}: the verified log of a workspace. */
export async function loadLog(workspaceId) {
  const listing = await api('GET', `/api/workspaces/${workspaceId}/log`);
  const read = await cryptoClient().call('log.read', {
    workspace_id: workspaceId, entries: listing.entries, today: today(),
  });
  return { ...read, readMarkers: listing.read_markers };
}

/** Records an entry of `kind`; returns its position in the log. */
export async function appendEntry(workspaceId, kind, content) {
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const entry = await cryptoClient().call('log.append', { workspace_id: workspaceId, kind, content });
    try {
      await api('POST', `/api/workspaces/${workspaceId}/log`, entry);
      return entry.seq;
    } catch (error) {
      if (error.code !== 'stale_log') {
        throw error;
      }
      await loadLog(workspaceId);
    }
  }
  throw new Error('the log keeps changing; try again');
}

export function markRead(workspaceId, dossierId, seq) {
  return api('PUT', `/api/workspaces/${workspaceId}/read-markers/${dossierId}`, { seq });
}

/** The log as a file (signed, chained, still encrypted) for `python -m pycrypto_wasm.audit`. */
export async function exportLog(workspaceId) {
  const { entries } = await api('GET', `/api/workspaces/${workspaceId}/log`);
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
