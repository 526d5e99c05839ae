/**
 * Sending a batch of laboratory results to partner spaces: read what was picked (a CSV and the
 * result PDFs), check it all in the crypto worker before anything leaves (results.check_batch),
 * then route each result to its site's space as a dossier (patient identifiers and `result`)
 * with its PDF as the dossier's file, several at once, and notify each site's contacts
 * (`results_waiting`: no patient data).
 *
 * Resuming: the batch's id is a hash of the CSV and of every file, and each result's dossier
 * and file ids derive from it in each space (results.plan), so picking the same batch again
 * sends only what the space's verified history does not record yet: a dossier already there is
 * not written again, and one whose file is missing gets its file.
 */

import { api } from './api.js';
import { cryptoClient } from './crypto-client.js';
import { verifiedDirectory } from './directory.js';
import { followingHistory } from './log.js';
import { backoffMs } from './retry.js';
import { listWorkspaces, loadWorkspace } from './workspaces.js';

export const IN_FLIGHT = 6; // results being sent at once
const PDF_MAGIC = '%PDF-';
const MAX_RECIPIENTS = 100;
const PATIENCE_MS = 10 * 60_000;

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function startsAsPdf(file) {
  const head = new Uint8Array(await file.slice(0, PDF_MAGIC.length).arrayBuffer());
  return String.fromCharCode(...head) === PDF_MAGIC;
}

/** The batch's id: SHA-256 of the CSV and of each file (name and content, in name order). */
async function batchIdOf(csvText, files) {
  const parts = [new TextEncoder().encode(csvText)];
  for (const file of [...files.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
    parts.push(new TextEncoder().encode(`\n${file.name}\n${hex(digest)}`));
  }
  const digest = await crypto.subtle.digest('SHA-256', await new Blob(parts).arrayBuffer());
  return `b-${hex(digest).slice(0, 32)}`;
}

/**
 * The partner spaces I can send to, by the names a CSV may use: the space's own name, and
 * (for an administrator) the registered site's name. Each is {name, workspace_id}.
 */
export async function partnerSpaces(isAdmin) {
  const spaces = (await listWorkspaces()).filter((space) => space.partner_site && !space.problem
    && ['contributor', 'manager', 'owner'].includes(space.role));
  const byName = new Map(spaces.map((space) => [space.name, space.workspace_id]));
  if (isAdmin) {
    const { sites } = await api('GET', '/api/partner-sites');
    for (const site of sites) {
      if (spaces.some((space) => space.workspace_id === site.workspace_id)) {
        byName.set(site.name, site.workspace_id);
      }
    }
  }
  return [...byName].map(([name, workspaceId]) => ({ name, workspace_id: workspaceId }));
}

/**
 * Checks a batch: `csvFile` against `pdfFiles` and the partner spaces `spaces`. Resolves with
 * {rows, problems, batch, files} (files by name; rows empty when there are problems).
 */
export async function checkBatch(csvFile, pdfFiles, spaces) {
  const files = new Map(pdfFiles.map((file) => [file.name, file]));
  const picked = await Promise.all(pdfFiles.map(async (file) => ({ name: file.name,
    pdf: await startsAsPdf(file) })));
  const csvText = await csvFile.text();
  const checked = await cryptoClient().call('results.check_batch', {
    csv: csvText, files: picked, sites: spaces.map((space) => space.name),
  });
  const batch = checked.problems.length ? null : await batchIdOf(csvText, files);
  return { ...checked, batch, files };
}

/** The space's results of the batch, each with its ids and what its history records, and the
 * space's verified members. */
async function planSpace(workspaceId, batch, rows) {
  const space = await loadWorkspace(workspaceId);
  const { results } = await cryptoClient().call('results.plan', {
    workspace_id: workspaceId, batch, samples: rows.map((row) => row.sample),
  });
  return { members: space.members,
    results: rows.map((row, index) => ({ row, workspaceId, ...results[index] })) };
}

/** A write that finds its document already stored (a reply lost on the way) is done; one the
 * server refuses for now (`rate_limited`: too many writes this minute) is tried again a little
 * later, for up to ten minutes. */
async function unlessStored(write) {
  const since = Date.now();
  for (let attempt = 0; ; attempt += 1) {
    try {
      await write();
      return;
    } catch (error) {
      if (error.code === 'stale_version') {
        return;
      }
      if (error.code !== 'rate_limited' || Date.now() - since > PATIENCE_MS) {
        throw error;
      }
      await new Promise((resolve) => { setTimeout(resolve, 2 * backoffMs(attempt)); });
    }
  }
}

function sendDossier(result, batch) {
  const { row, workspaceId } = result;
  return unlessStored(() => followingHistory(workspaceId, async () => {
    const sealed = await cryptoClient().call('dossier.save', {
      workspace_id: workspaceId, document_id: result.dossier_id, expected_version: 0,
      fields: { patient_name: row.patient_name, birth_date: row.birth_date,
        result: { sample: row.sample, category: row.category, comment: row.comment, batch } },
    });
    await api('PUT', `/api/workspaces/${workspaceId}/documents/${result.dossier_id}`, {
      kind: 'dossier', expected_version: 0, manifest: sealed.manifest,
      log_entry: sealed.log_entry,
    });
  }));
}

function sendFile(result, file, onBytes) {
  return unlessStored(() => cryptoClient().upload(file, result.workspaceId, result.dossier_id,
    (done) => onBytes(done), result.file_id).promise);
}

/** The site's contacts to notify: the space's members (as its history proves them) other than
 * me whose verified certificate is external. */
function contactsOf(members, external, me) {
  return members.filter((member) => member.user_id !== me && !member.revoked
    && external.has(member.user_id)).map((member) => member.user_id).slice(0, MAX_RECIPIENTS);
}

async function notifySpace(workspaceId, userIds) {
  if (userIds.length) {
    await api('POST', `/api/workspaces/${workspaceId}/notifications`,
      { kind: 'results_waiting', user_ids: userIds });
  }
  return userIds.length;
}

/**
 * Sends a checked batch. `onProgress({done, total, already})` after each result (and as its
 * file's bytes go: `done` counts a result in flight by its fraction). Resolves with
 * {sent, already, total, spaces, notified, startedAt, plannedAt, sentAt, notifiedAt}
 * (performance.now() when sending began, when every space was read and the batch planned, when
 * the last result was stored, when the last notification was queued).
 */
export async function sendBatch({ rows, files, batch, spaces, me, onProgress = () => {} }) {
  const startedAt = performance.now();
  const spaceOf = new Map(spaces.map((space) => [space.name, space.workspace_id]));
  const bySpace = new Map();
  for (const row of rows) {
    const workspaceId = spaceOf.get(row.site);
    bySpace.set(workspaceId, [...(bySpace.get(workspaceId) ?? []), row]);
  }
  const [plans, people] = await Promise.all([Promise.all([...bySpace].map(
    ([workspaceId, spaceRows]) => planSpace(workspaceId, batch, spaceRows))), verifiedDirectory()]);
  const external = new Set(people.filter((person) => person.profile === 'external')
    .map((person) => person.user_id));
  const membersOf = new Map([...bySpace.keys()].map((workspaceId, index) =>
    [workspaceId, plans[index].members]));
  const planned = plans.flatMap((plan) => plan.results);
  const plannedAt = performance.now();
  const pending = planned.filter((result) => !result.dossier_sent || !result.file_sent);
  const already = planned.length - pending.length;
  const inFlight = new Map();
  let finished = already;
  const report = () => onProgress({ total: planned.length, already,
    done: finished + [...inFlight.values()].reduce((sum, part) => sum + part, 0) });
  report();
  let next = 0;
  const sender = async () => {
    while (next < pending.length) {
      const result = pending[next];
      next += 1;
      const file = files.get(result.row.file);
      inFlight.set(result, 0);
      // The dossier and its file go at once: either may be the one a resumed batch completes.
      await Promise.all([
        result.dossier_sent ? null : sendDossier(result, batch),
        result.file_sent ? null : sendFile(result, file, (bytes) => {
          inFlight.set(result, file.size ? 0.9 * (bytes / file.size) : 0);
          report();
        })]);
      inFlight.delete(result);
      finished += 1;
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, pending.length) }, sender));
  const sentAt = performance.now();
  // Sites that got something now; if nothing was missing, every site of the batch (the run
  // that sent it may have stopped before notifying: a notification twice is grouped in one mail).
  const touched = new Set(pending.map((result) => result.workspaceId));
  const toNotify = touched.size ? [...touched] : [...bySpace.keys()];
  const notified = await Promise.all(toNotify.map((workspaceId) => notifySpace(workspaceId,
    contactsOf(membersOf.get(workspaceId), external, me))));
  return { sent: pending.length, already, total: planned.length, spaces: bySpace.size,
    notified: notified.reduce((sum, count) => sum + count, 0), startedAt, plannedAt, sentAt,
    notifiedAt: performance.now() };
}
