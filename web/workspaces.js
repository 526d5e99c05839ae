/** Workspace data flows: server listings in, the worker's decrypted view models out. */

import { api } from './api.js';
import { cryptoClient } from './crypto-client.js';

export async function createWorkspace(name) {
  const created = await cryptoClient().call('workspace.create', { name });
  await api('POST', '/api/workspaces', {
    workspace_id: created.workspace_id, manifest: created.manifest,
    key_grant: created.key_grant, role_certificate: created.role_certificate,
  });
  return created.workspace_id;
}

/** Opens one server listing entry in the worker: accepts my key grants, decrypts the name. */
export function openWorkspace(entry) {
  return cryptoClient().call('workspace.open', {
    workspace_id: entry.workspace_id, manifest: entry.manifest,
    manifest_version: entry.manifest_version, grants: entry.grants,
  });
}

export async function listWorkspaces() {
  const { workspaces } = await api('GET', '/api/workspaces');
  return Promise.all(workspaces.map(async (entry) => {
    try {
      return { ...entry, ...(await openWorkspace(entry)) };
    } catch (error) {
      return { ...entry, problem: error.message };
    }
  }));
}

export async function loadWorkspace(workspaceId) {
  const entry = await api('GET', `/api/workspaces/${workspaceId}`);
  const opened = await openWorkspace(entry);
  const first = await api('GET',
    `/api/workspaces/${workspaceId}/documents/${workspaceId}/versions/1`);
  const { members } = await cryptoClient().call('workspace.verify_members', {
    workspace_id: workspaceId, first_manifest: first.manifest, members: entry.members,
  });
  return { ...entry, ...opened, members };
}

export async function loadDossiers(workspaceId) {
  const { documents } = await api('GET', `/api/workspaces/${workspaceId}/documents?kind=dossier`);
  const { dossiers } = await cryptoClient().call('dossier.read', {
    workspace_id: workspaceId, documents,
  });
  return dossiers;
}

/** Every version of a dossier, oldest first, each decrypted and verified. */
export async function dossierHistory(workspaceId, documentId) {
  const { versions } = await api('GET',
    `/api/workspaces/${workspaceId}/documents/${documentId}/versions`);
  const { dossiers } = await cryptoClient().call('dossier.read', {
    workspace_id: workspaceId, documents: versions,
  });
  return dossiers;
}

async function latestDossier(workspaceId, documentId) {
  const { versions } = await api('GET',
    `/api/workspaces/${workspaceId}/documents/${documentId}/versions`);
  const latest = versions[versions.length - 1];
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
    const sealed = await cryptoClient().call('dossier.save', {
      workspace_id: workspaceId, document_id: base?.document_id, expected_version: expected,
      fields: ours,
    });
    try {
      await api('PUT', `/api/workspaces/${workspaceId}/documents/${sealed.document_id}`, {
        kind: 'dossier', expected_version: expected, manifest: sealed.manifest,
      });
      return { saved: { ...sealed, fields: ours }, conflicts };
    } catch (error) {
      if (error.code !== 'stale_version') {
        throw error;
      }
      const theirs = await latestDossier(workspaceId, sealed.document_id);
      const merged = await cryptoClient().call('dossier.merge', {
        base: base.fields, ours, theirs: theirs.fields,
      });
      ours = merged.fields;
      conflicts = conflicts.concat(merged.conflicts);
      expected = theirs.version;
    }
  }
  throw new Error('the dossier keeps changing; reload it and try again');
}

export async function shareWorkspace(workspaceId, userId, role) {
  const shared = await cryptoClient().call('workspace.share', {
    workspace_id: workspaceId, user_id: userId, role,
  });
  await api('POST', `/api/workspaces/${workspaceId}/members`, {
    user_id: userId, role, role_certificate: shared.role_certificate, grants: shared.grants,
  });
}

export async function unshareWorkspace(workspaceId, userId, remaining) {
  const rotated = await cryptoClient().call('workspace.unshare', {
    workspace_id: workspaceId, remaining,
  });
  await api('DELETE', `/api/workspaces/${workspaceId}/members/${userId}`, { grants: rotated.grants });
}

/**
 * Saves the workspace's name and workflow settings: a new version of its manifest (both
 * encrypted and signed in it), the workflow also in clear for the server to enforce.
 */
export async function saveWorkspaceSettings(workspaceId, currentVersion, name, workflow) {
  const sealed = await cryptoClient().call('workspace.save_settings', {
    workspace_id: workspaceId, expected_version: currentVersion, name, workflow,
  });
  await api('PUT', `/api/workspaces/${workspaceId}/documents/${workspaceId}`, {
    kind: 'workspace', expected_version: currentVersion, manifest: sealed.manifest,
    workflow: sealed.workflow,
  });
}
