/**
 * Proof of receipt, data flows: a partner contact's browser signs that it opened a result (and,
 * for abnormal and urgent ones, that its reader acknowledges it) as an entry of the space's
 * history naming the version it showed by hash; the laboratory's browser gathers every result
 * of a partner space with its delivery, replayed by the worker from the verified history (who
 * opened and acknowledged it, when; kept in my checkpoint of it, so a space opened from its
 * checkpoint knows every delivery without reading its whole log), beside what the server says
 * it did (notified, mailed, escalated: not signed, so shown as the server's word); a result's
 * fields are fetched and decrypted only for the rows a page shows.
 */

import { api } from './api.js';
import { cryptoClient } from './crypto-client.js';
import { keepResultCategories } from './history-memory.js';
import { followingHistory, loadLog } from './log.js';
import { session } from './session.js';
import { loadWorkspace } from './workspaces.js';

export const OPENED = 'result_opened';
export const ACKNOWLEDGED = 'result_acknowledged';
export const TO_ACKNOWLEDGE = ['abnormal', 'urgent'];

/** The `result` of a dossier, or null when it is not a result. */
export function resultOf(dossier) {
  const result = dossier?.fields?.result;
  return result && typeof result.sample === 'string' ? result : null;
}

/** Whether this browser signs receipts: a partner's contact (external profile) does. */
export function signsReceipts() {
  return session.user?.profile === 'external';
}

/**
 * Signs my receipt of `kind` for the latest version of a result the space's verified history
 * records, then has the worker verify the history again (so it holds my receipt); returns the
 * receipt's position in the log, or null when I had signed it already.
 */
export async function signReceipt(workspaceId, dossierId, kind) {
  const seq = await followingHistory(workspaceId, async () => {
    const { log_entry: entry } = await cryptoClient().call('receipts.write', {
      workspace_id: workspaceId, dossier_id: dossierId, kind,
    });
    return entry ? (await api('POST', `/api/workspaces/${workspaceId}/log`, entry)).seq : null;
  });
  if (seq !== null) {
    await loadLog(workspaceId);
  }
  return seq;
}

/** {dossier_id: delivery} of a space's results, from the history the worker verified last. */
export async function myDeliveries(workspaceId, dossierIds) {
  const { deliveries } = await cryptoClient().call('receipts.deliveries', {
    workspace_id: workspaceId, dossier_ids: dossierIds,
  });
  return deliveries;
}

/** {dossier id: {notified_at, mailed_at, opened_at, escalated_at}} of the server's listing (one
 * list per field, only the results it did something about). */
function serverWord(columns) {
  const fields = Object.keys(columns).filter((name) => name !== 'dossier_id');
  return new Map(columns.dossier_id.map((dossierId, at) => [dossierId,
    Object.fromEntries(fields.map((name) => [name, columns[name][at]]))]));
}

/**
 * What the board knows of a partner space's results (as listWorkspaces opened the space, from
 * my checkpoint of its history) without decrypting anything: `rows`, newest first, each
 * `[dossierId, sentAt, opened, acknowledged, problems]` (the last three: how many receipts of
 * each kind count, how many do not), and `categories` ({dossier_id: category}) of the results
 * the worker read at their latest version, this session or before (`categories`: the bytes
 * `keepCategories` kept). What the server holds of a result, and says of it, is fetched
 * by id (`fetchResults`), then read (`readResults`), or both at once (`resultsOf`).
 */
export async function spaceResults(workspaceId, categories = null) {
  const reply = await cryptoClient().call('receipts.board', {
    workspace_id: workspaceId, categories });
  return { rows: JSON.parse(reply.rows), categories: reply.categories };
}

/** Keeps (in IndexedDB, sealed for me by the worker) the categories the worker knows of a
 * space's unopened results `dossierIds`, for the board's next visit (`categories` above). */
export async function keepCategories(workspaceId, dossierIds) {
  const { sealed } = await cryptoClient().call('receipts.keep_categories', {
    workspace_id: workspaceId, dossier_ids: dossierIds });
  await keepResultCategories(session.user.user_id, workspaceId, sealed);
}

/** A partner space's escalation delay, in seconds (null: none). */
export async function escalationDelay(workspaceId) {
  return (await api('GET', `/api/workspaces/${workspaceId}/escalation`)).delay_seconds;
}

// Documents the server gives by id in one request (api/workspaces/access.py).
const IDS_PER_REQUEST = 100;

const named = (ids) => `?ids=${ids.map(encodeURIComponent).join(',')}`;

/**
 * What the server holds of a space's dossiers `dossierIds`, fetched by id, nothing decrypted:
 * {documents, server, delaySeconds}, `documents` the latest version of each as the server lists
 * it, `server` what the server says it did with each (a Map by id), `delaySeconds` the space's
 * escalation delay as it said it beside (undefined when nothing was asked).
 */
export async function fetchResults(workspaceId, dossierIds) {
  const fetched = { documents: [], server: new Map(), delaySeconds: undefined };
  for (let first = 0; first < dossierIds.length; first += IDS_PER_REQUEST) {
    const ids = dossierIds.slice(first, first + IDS_PER_REQUEST);
    const [{ documents }, told] = await Promise.all([
      api('GET', `/api/workspaces/${workspaceId}/documents${named(ids)}`),
      api('GET', `/api/workspaces/${workspaceId}/deliveries${named(ids)}`)]);
    fetched.documents.push(...documents);
    serverWord(told.results).forEach((word, dossierId) => fetched.server.set(dossierId, word));
    fetched.delaySeconds = told.delay_seconds;
  }
  return fetched;
}

/**
 * {dossier_id: {dossier, delivery, server}} of the dossiers `dossierIds` of what
 * `fetchResults` fetched: each decrypted and checked against the verified history (one the
 * server withholds or rolled back comes back with its problem), its delivery with every
 * receipt, and what the server says it did with it.
 */
export async function readResults(workspaceId, dossierIds, fetched) {
  const wanted = new Set(dossierIds);
  const documents = fetched.documents.filter((document) => wanted.has(document.document_id));
  const read = () => cryptoClient().call('receipts.results', {
    workspace_id: workspaceId, documents, wanted: dossierIds });
  let reply = await read();
  if (reply.stale) {
    // The server holds versions written after the history this worker verified: read it.
    await loadWorkspace(workspaceId);
    reply = await read();
  }
  return Object.fromEntries(reply.dossiers.map((dossier) => [dossier.document_id, {
    dossier, delivery: reply.deliveries[dossier.document_id],
    server: fetched.server.get(dossier.document_id) ?? {} }]));
}

/** {found, delaySeconds} of a space's dossiers `dossierIds`, fetched (`fetchResults`) and read
 * (`found`, as `readResults` finds them). */
export async function resultsOf(workspaceId, dossierIds) {
  const fetched = await fetchResults(workspaceId, dossierIds);
  return { found: await readResults(workspaceId, dossierIds, fetched),
    delaySeconds: fetched.delaySeconds };
}

/** Sets a partner space's escalation delay (seconds, or null for none). */
export function setEscalationDelay(workspaceId, seconds) {
  return api('PUT', `/api/workspaces/${workspaceId}/escalation`, { delay_seconds: seconds });
}
