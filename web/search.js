/**
 * Search across my workspaces (issue 24): the crypto worker indexes, in its memory only, what it
 * decrypts for the page (pycrypto_wasm/service/search.py); the first search of a sign-in has it
 * read every workspace once (its dossiers, file names and committee log) so that the index
 * covers them all, then every keystroke asks the worker (`search.query`). Nothing is stored.
 */

import { cryptoClient } from './crypto-client.js';
import { loadLog } from './log.js';
import { listWorkspaces, loadDossiers, loadFileListing } from './workspaces.js';

let indexing = null;

/** Has the worker read (and so index) every workspace of mine once per sign-in. */
export function indexAllWorkspaces() {
  indexing ??= (async () => {
    const workspaces = (await listWorkspaces()).filter((workspace) => !workspace.problem);
    await Promise.all(workspaces.map((workspace) => Promise.all([
      loadDossiers(workspace.workspace_id), loadFileListing(workspace.workspace_id),
      loadLog(workspace.workspace_id)]).catch(() => null)));
  })().catch((error) => {
    indexing = null;
    throw error;
  });
  return indexing;
}

/** Forgets that the workspaces were read (the worker forgets its index with the keys). */
export function forgetIndexing() {
  indexing = null;
}

/** {query, total, indexed, results: [{kind, workspace_id, workspace_name, id, dossier_id,
 * title, snippet}]} */
export function search(query) {
  return cryptoClient().call('search.query', { query, limit: 12 });
}
