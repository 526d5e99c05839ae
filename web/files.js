/**
 * File documents: listings (server documents of kind "file", described by the worker), per-file
 * history, and deletion or restore as new signed versions (history is kept).
 */

import { allPages, api } from './api.js';
import { cryptoClient } from './crypto-client.js';
import { followingHistory } from './log.js';
import { loadFileListing } from './workspaces.js';

function describe(workspaceId, documents, versionsOf = null) {
  return cryptoClient().call('file.describe', {
    workspace_id: workspaceId, documents, versions_of: versionsOf,
  });
}

export async function loadFiles(workspaceId) {
  const { documents, files } = await loadFileListing(workspaceId);
  const byId = new Map(documents.map((document) => [document.document_id, document]));
  return files.map((file) => ({ ...file, document: byId.get(file.document_id) }));
}

/** Every version of a file, oldest first, each verified (or with the problem found; a recorded
 * version the server does not list is named withheld). */
export async function fileHistory(workspaceId, documentId) {
  const { versions } = await allPages(
    `/api/workspaces/${workspaceId}/documents/${documentId}/versions`, 'versions');
  const { files } = await describe(workspaceId, versions, documentId);
  return files.map((file, index) => ({ ...file, document: versions[index] }));
}

/**
 * Writes the next version of `latest` (a listed file) with the content of `source` (a version
 * of the same file), marked deleted or not: delete, undelete and restore.
 */
export function reviseFile(workspaceId, latest, source, deleted) {
  return followingHistory(workspaceId, async () => {
    const revised = await cryptoClient().call('file.revise', {
      workspace_id: workspaceId, document_id: latest.document_id,
      expected_version: latest.version, source, deleted,
    });
    await api('PUT', `/api/workspaces/${workspaceId}/documents/${latest.document_id}`, {
      kind: 'file', expected_version: latest.version, manifest: revised.manifest,
      block_ids: revised.block_ids, deleted, log_entry: revised.log_entry,
    });
  });
}
