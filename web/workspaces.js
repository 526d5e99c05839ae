/**
 * Workspace data flows: server listings in, the worker's verified view models out. Every write
 * carries the log entry the worker sealed for it after the verified head of the workspace's
 * history; the worker believes members, keys and versions only from that history.
 */

import { allPages, api } from './api.js';
import { cryptoClient } from './crypto-client.js';
import { loadDirectory } from './directory.js';
import { checkpointOf, checkpointsOf, keepCheckpoint } from './history-memory.js';
import { followingHistory, loadLog, readLog, verifyHistory } from './log.js';
import { session } from './session.js';

/** The settings a manifest seals: the name and, for a partner space, the site it serves. */
function settingsRequest(name, partnerSite) {
  return partnerSite ? { name, partner_site: partnerSite } : { name };
}

export async function createWorkspace(name, partnerSite = null) {
  const created = await cryptoClient().call('workspace.create', settingsRequest(name, partnerSite));
  await api('POST', '/api/workspaces', {
    workspace_id: created.workspace_id, manifest: created.manifest, key_grant: created.key_grant,
    log_entry: { seq: 1, kind: 'workspace_created', entry: created.log_entry },
  });
  return created.workspace_id;
}

/**
 * `workspace.open` of the history from my checkpoint on (the log from the checkpoint's head,
 * whose entry the worker checks is the one it verified), or of the whole log without one. When
 * the worker cannot go on from it (`checkpoint_unusable`), of the whole log with the checkpoint
 * (the history must still reach its head, else it was rolled back or rewritten); it is dropped
 * once the history verifies with none in its place. `stored`: my checkpoint as a listing read
 * it (null: none), else it is read here.
 */
async function openHistory(workspaceId, request, stored = undefined) {
  const userId = session.user.user_id;
  const checkpoint = stored !== undefined ? stored
    : await checkpointOf(userId, workspaceId).catch(() => null);
  if (!checkpoint) {
    const { entries } = await readLog(workspaceId);
    return verifyHistory('workspace.open', workspaceId, entries, request);
  }
  try {
    const { entries } = await readLog(workspaceId, checkpoint.seq - 1);
    return await verifyHistory('workspace.open', workspaceId, entries, { ...request, checkpoint });
  } catch (error) {
    if (error.code !== 'checkpoint_unusable') {
      throw error;
    }
  }
  const { entries } = await readLog(workspaceId);
  const opened = await verifyHistory('workspace.open', workspaceId, entries,
    { ...request, checkpoint, whole: true });
  if (opened.chain.verified && !opened.chain.checkpoint) {
    await keepCheckpoint(userId, workspaceId, null).catch(() => null);
  }
  return opened;
}

/**
 * Opens one server listing entry in the worker: verifies the workspace's history (only what is
 * new since my checkpoint of it, `stored` if the caller read it already), accepts the keys it
 * announced to me, decrypts the name from the manifest version it records.
 */
export async function openWorkspace(entry, stored = undefined) {
  const workspaceId = entry.workspace_id;
  const request = { manifest: entry.manifest, manifest_version: entry.manifest_version,
    grants: entry.grants };
  const opened = await openHistory(workspaceId, request, stored);
  if (opened.wants_manifest === undefined) {
    return opened;
  }
  // A version the history records that the server does not serve is named withheld by the worker.
  const recorded = await api('GET',
    `/api/workspaces/${workspaceId}/documents/${workspaceId}/versions/${opened.wants_manifest}`)
    .catch((error) => {
      if (error.status !== 404) {
        throw error;
      }
      return { manifest: null, version: opened.wants_manifest };
    });
  return openHistory(workspaceId,
    { ...request, manifest: recorded.manifest, manifest_version: recorded.version });
}

async function openedWorkspaces(onOpened) {
  // My checkpoints, all read at once while the server lists the workspaces.
  const [, { workspaces }, checkpoints] = await Promise.all([loadDirectory(),
    api('GET', '/api/workspaces'), checkpointsOf(session.user.user_id).catch(() => new Map())]);
  return Promise.all(workspaces.map(async (entry) => {
    let workspace;
    try {
      workspace = { ...entry,
        ...(await openWorkspace(entry, checkpoints.get(entry.workspace_id) ?? null)) };
    } catch (error) {
      workspace = { ...entry, problem: error.message };
    }
    onOpened(workspace);
    return workspace;
  }));
}

// The listing under way: {done (its promise), opened (the workspaces opened so far), listeners}.
let listing = null;

/**
 * My workspaces, each opened in the worker (after the directory it checks authors against).
 * Callers at the same time (the navigation, the bell and the view of one route) share one
 * listing: each workspace is opened once for all of them; a call after it ends lists anew.
 * `onOpened(workspace)`, if given, is called with each as soon as it is opened (at once with
 * those the listing under way opened already): a view goes on with one while others open.
 */
export function listWorkspaces(onOpened = null) {
  if (listing === null) {
    const started = { opened: [], listeners: new Set() };
    started.done = openedWorkspaces((workspace) => {
      started.opened.push(workspace);
      started.listeners.forEach((listener) => listener(workspace));
    }).finally(() => { listing = null; });
    listing = started;
  }
  if (onOpened) {
    listing.opened.forEach(onOpened);
    listing.listeners.add(onOpened);
  }
  return listing.done;
}

/** Resolves once the workspace listing under way (if any) has ended, however it ended: work
 * that can wait (the rest of a page of members) lets the navigation's go first. */
export function listingSettled() {
  return (listing?.done ?? Promise.resolve()).then(() => {}, () => {});
}

export async function loadWorkspace(workspaceId) {
  const entry = await api('GET', `/api/workspaces/${workspaceId}`);
  return { ...entry, ...(await openWorkspace(entry)) };
}

/** Documents of `kind` as the server lists them, each checked against the history. */
async function readListing(workspaceId, method, kind) {
  const { documents } = await allPages(`/api/workspaces/${workspaceId}/documents?kind=${kind}`,
    'documents');
  const read = () => cryptoClient().call(method, { workspace_id: workspaceId, documents, latest: true });
  let reply = await read();
  if (reply.stale) {
    await loadLog(workspaceId);
    reply = await read();
  }
  return { documents, reply };
}

export async function loadDossiers(workspaceId) {
  return (await readListing(workspaceId, 'dossier.read', 'dossier')).reply.dossiers;
}

export async function loadFileListing(workspaceId) {
  const { documents, reply } = await readListing(workspaceId, 'file.describe', 'file');
  return { documents, files: reply.files };
}

/** Every version of a dossier, oldest first, each decrypted and verified; a recorded version
 * the server does not list is named withheld. */
export async function dossierHistory(workspaceId, documentId) {
  const { versions } = await allPages(
    `/api/workspaces/${workspaceId}/documents/${documentId}/versions`, 'versions');
  const { dossiers } = await cryptoClient().call('dossier.read', {
    workspace_id: workspaceId, documents: versions, versions_of: documentId,
  });
  return dossiers;
}

async function latestDossier(workspaceId, documentId) {
  const { versions } = await allPages(
    `/api/workspaces/${workspaceId}/documents/${documentId}/versions`, 'versions');
  const latest = versions[versions.length - 1];
  await loadLog(workspaceId);
  const { dossiers } = await cryptoClient().call('dossier.read', {
    workspace_id: workspaceId, documents: [latest],
  });
  return dossiers[0];
}

/**
 * Saves a dossier edited from `base` (null for a new one). If someone saved meanwhile, merges
 * their version with ours field by field and saves the merge; returns {saved, conflicts}.
 */
export async function saveDossier(workspaceId, base, fields) {
  let expected = base?.version ?? 0;
  let ours = fields;
  let conflicts = [];
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const sealed = await followingHistory(workspaceId, async () => {
        const sealing = await cryptoClient().call('dossier.save', {
          workspace_id: workspaceId, document_id: base?.document_id, expected_version: expected,
          fields: ours,
        });
        await api('PUT', `/api/workspaces/${workspaceId}/documents/${sealing.document_id}`, {
          kind: 'dossier', expected_version: expected, manifest: sealing.manifest,
          log_entry: sealing.log_entry,
        });
        return sealing;
      });
      return { saved: { ...sealed, fields: ours }, conflicts };
    } catch (error) {
      if (error.code !== 'stale_version') {
        throw error;
      }
      const theirs = await latestDossier(workspaceId, base.document_id);
      const merged = await cryptoClient().call('dossier.merge', {
        base: base.fields, ours, theirs: theirs.fields,
      });
      ours = merged.fields;
      conflicts = conflicts.concat(merged.conflicts);
      expected = theirs.version;
    }
  }
  throw Object.assign(new Error('the dossier keeps changing; reload it and try again'),
    { code: 'stale_version' });
}

export function shareWorkspace(workspaceId, userId, role) {
  return followingHistory(workspaceId, async () => {
    const shared = await cryptoClient().call('workspace.share', {
      workspace_id: workspaceId, user_id: userId, role,
    });
    await api('POST', `/api/workspaces/${workspaceId}/members`, {
      user_id: userId, role, grants: shared.grants, log_entry: shared.log_entry,
    });
  });
}

/** Removes a member (or a revoked user) and moves everyone who stays to a new key. */
export function unshareWorkspace(workspaceId, userId) {
  return followingHistory(workspaceId, async () => {
    const rotated = await cryptoClient().call('workspace.unshare', {
      workspace_id: workspaceId, user_id: userId,
    });
    await api('DELETE', `/api/workspaces/${workspaceId}/members/${userId}`, {
      grants: rotated.grants, log_entry: rotated.log_entry,
    });
  });
}

/**
 * Saves the workspace's name and workflow settings: a new version of its manifest (both
 * encrypted and signed in it), the workflow also in clear for the server to enforce; a partner
 * space keeps the site it serves.
 */
export function saveWorkspaceSettings(workspaceId, name, workflow, partnerSite = null) {
  return followingHistory(workspaceId, async () => {
    const sealed = await cryptoClient().call('workspace.save_settings', {
      workspace_id: workspaceId, ...settingsRequest(name, partnerSite), workflow,
    });
    await api('PUT', `/api/workspaces/${workspaceId}/documents/${workspaceId}`, {
      kind: 'workspace', expected_version: sealed.version - 1, manifest: sealed.manifest,
      workflow: sealed.workflow, log_entry: sealed.log_entry,
    });
  });
}
