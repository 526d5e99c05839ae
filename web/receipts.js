/**
 * Proof of receipt, data flows: a partner contact's browser signs that it opened a result (and,
 * for abnormal and urgent ones, that its reader acknowledges it) as an entry of the space's
 * history naming the version it showed by hash; the laboratory's browser gathers every result
 * of a partner space with its delivery, replayed by the worker from the verified history (who
 * opened and acknowledged it, when), beside what the server says it did (notified, mailed,
 * escalated: not signed, so shown as the server's word).
 */

import { api } from './api.js';
import { cryptoClient } from './crypto-client.js';
import { followingHistory, loadLog } from './log.js';
import { session } from './session.js';
import { loadDossiers } from './workspaces.js';

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

/**
 * Every result of a partner space (`space`: as listWorkspaces opened it) with its delivery:
 * {space, delaySeconds, rows: [{dossier, result, delivery, server}]}.
 */
export async function spaceDeliveries(space) {
  const workspaceId = space.workspace_id;
  await loadLog(workspaceId);
  const [dossiers, told] = await Promise.all([loadDossiers(workspaceId),
    api('GET', `/api/workspaces/${workspaceId}/deliveries`)]);
  const results = dossiers.filter((dossier) => !dossier.problem && resultOf(dossier));
  const deliveries = await myDeliveries(workspaceId, results.map((d) => d.document_id));
  const server = new Map(told.results.map((row) => [row.dossier_id, row]));
  return {
    space,
    delaySeconds: told.delay_seconds,
    rows: results.filter((dossier) => deliveries[dossier.document_id]).map((dossier) => ({
      dossier, result: resultOf(dossier), delivery: deliveries[dossier.document_id],
      server: server.get(dossier.document_id) ?? {},
    })),
  };
}

/** Sets a partner space's escalation delay (seconds, or null for none). */
export function setEscalationDelay(workspaceId, seconds) {
  return api('PUT', `/api/workspaces/${workspaceId}/escalation`, { delay_seconds: seconds });
}
