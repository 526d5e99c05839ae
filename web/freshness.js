/**
 * Freshness for a browser with no memory (the page's half of pycrypto_wasm/service/freshness.py):
 * before it seals anything new in a workspace whose head it does not remember, the page gets
 * evidence the server cannot forge that it sees the latest state, from two sources.
 *
 * - My passkey. Where the authenticator has a large blob (WebAuthn `largeBlob`), it holds my
 *   heads record: the heads this browser remembers (and my own state's versions), sealed and
 *   signed by the worker, at most 1 KiB (the most recently verified ones past that). The worker
 *   seals it a few seconds after the remembered heads change (batched), and the page keeps it in
 *   IndexedDB as due; it is written by the next assertion this page makes (unlocking after the
 *   idle lock or a reload), with the passkey that signed in. A sign-in with nothing due reads
 *   the record and remembers its heads before any workspace opens, so a history cut short is
 *   caught as a rollback.
 * - The members online. Opening a workspace it has no head of, the page asks over Socket.IO
 *   (`freshness:ask`, relayed by the server to the workspace's members); each member's page has
 *   its worker sign the head it remembers for the question's nonce (`freshness:answer`); the
 *   worker checks every answer against the answerer's verified certificate: one on this chain
 *   confirms it, one past it or off it proves the server withholds or forks (the history is then
 *   untrusted). Writes wait for a question in flight (up to `ANSWER_WAIT_MS`).
 * With neither, the workspace view says "This browser cannot confirm it sees the latest state"
 * and lets the user ask again or write anyway (web/views/freshness-notice.js).
 */

import { cryptoClient } from './crypto-client.js';
import { createdPasskeyId } from './passkeys.js';
import {
  keepPasskeyRecord, passkeyRecord, rememberHead, rememberedHead, rememberedHeads,
} from './history-memory.js';

export const ANSWER_WAIT_MS = 6000;
const SEAL_DELAY_MS = 2000;
/** Dispatched on window with {workspaceId, verdict} when an answer was checked. */
export const FRESHNESS_CHECKED = 'paravent:freshness-checked';

const questions = new Map();
let sealing = null;
let socket = null;

function fromBase64Url(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function toBase64Url(bytes) {
  let binary = '';
  new Uint8Array(bytes).forEach((byte) => { binary += String.fromCharCode(byte); });
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** {fresh, knowingly}: whether the worker may seal new content in the workspace. */
export function freshnessStatus(workspaceId) {
  return cryptoClient().call('freshness.status', { workspace_id: workspaceId });
}

/** The user goes on writing knowingly, without evidence of the latest state. */
export function goOnKnowingly(workspaceId) {
  return cryptoClient().call('freshness.proceed', { workspace_id: workspaceId });
}

async function check(workspaceId, answer) {
  let verdict;
  try {
    verdict = await cryptoClient().call('freshness.check', { workspace_id: workspaceId, answer });
  } catch {
    return;  // not an answer this page can believe: the question stays open
  }
  window.dispatchEvent(new CustomEvent(FRESHNESS_CHECKED, { detail: { workspaceId, verdict } }));
  questions.get(workspaceId)?.settle(verdict);
}

/**
 * Asks the members online about the workspace's latest head; resolves with the first answer's
 * verdict ({fresh, withheld, problem, answerer_name, seq}), or null when none came in time.
 */
export function askMembers(workspaceId) {
  let settle;
  const settled = new Promise((resolve) => { settle = resolve; });
  const question = { settle, settled };
  questions.set(workspaceId, question);
  setTimeout(() => settle(null), ANSWER_WAIT_MS);
  cryptoClient().call('freshness.ask', { workspace_id: workspaceId })
    .then(({ nonce }) => socket.emit('freshness:ask',
      { workspace_id: workspaceId, nonce }, () => {}))
    .catch(() => settle(null));
  settled.then(() => {
    if (questions.get(workspaceId) === question) {
      questions.delete(workspaceId);
    }
  });
  return settled;
}

/** Waits for a question about the workspace still in flight (a write needs its answer). */
export async function freshnessSettled(workspaceId) {
  await questions.get(workspaceId)?.settled;
}

/**
 * Answers the members' questions with the head this browser remembers (or verified this
 * session with evidence), and checks the answers to this page's own questions, over the page's
 * Socket.IO connection (`realtime`). `me()` is the signed-in user's id, or null while locked.
 */
export function answerFreshnessQuestions(realtime, me) {
  socket = realtime;
  socket.on('freshness:asked', async ({ workspace_id: workspaceId, nonce, asker }) => {
    const userId = me();
    if (!userId || questions.has(workspaceId)) {
      return;  // locked, or this page's own question
    }
    try {
      const remembered = await rememberedHead(userId, workspaceId).catch(() => null);
      const { answer } = await cryptoClient().call('freshness.answer', {
        workspace_id: workspaceId, nonce, asker, remembered,
      });
      socket.emit('freshness:answer', { workspace_id: workspaceId, asker, answer }, () => {});
    } catch {
      // Nothing this browser could vouch for (or its keys are locked): others may answer.
    }
  });
  socket.on('freshness:answered', ({ workspace_id: workspaceId, answer }) => {
    if (questions.has(workspaceId)) {
      check(workspaceId, answer);
    }
  });
}

/** The remembered heads changed: seal them for my passkey a little later (batched). */
export function headsChanged(userId) {
  clearTimeout(sealing);
  sealing = setTimeout(async () => {
    try {
      const heads = await rememberedHeads(userId);
      const summary = JSON.stringify(Object.entries(heads).sort()
        .map(([workspaceId, head]) => [workspaceId, head.seq, head.hash, head.own_state]));
      const known = await passkeyRecord(userId);
      if (known?.summary === summary) {
        return;
      }
      const { record } = await cryptoClient().call('freshness.seal_heads', { heads });
      await keepPasskeyRecord(userId, {
        record, summary, pending: true, credential_id: known?.credential_id ?? createdPasskeyId(),
      });
    } catch {
      // Locked meanwhile: the next change seals again.
    }
  }, SEAL_DELAY_MS);
}

/**
 * What this sign-in's assertion asks of the passkey's large blob: write the record due for
 * the user this page is unlocking (`userId`, null at a first sign-in), else read.
 */
export async function passkeyBlobRequest(userId) {
  const due = userId ? await passkeyRecord(userId).catch(() => null) : null;
  if (due?.pending && due.record && due.credential_id) {
    return { write: fromBase64Url(due.record), credentialId: fromBase64Url(due.credential_id) };
  }
  return { read: true };
}

/**
 * After the assertion, with the keys unlocked: remember which passkey signed in; a record
 * written is no longer due; the heads of a record read are remembered before any workspace
 * opens (never moving a remembered head back).
 */
export async function passkeyBlobDone(userId, credentialId, request, result) {
  try {
    if (request.write) {
      await keepPasskeyRecord(userId, { credential_id: credentialId, pending: !result?.written });
      return;
    }
    await keepPasskeyRecord(userId, { credential_id: credentialId });
    if (result?.blob && result.blob.byteLength) {
      const { heads } = await cryptoClient().call('freshness.open_heads', {
        record: toBase64Url(result.blob),
      });
      for (const [workspaceId, head] of Object.entries(heads)) {
        await rememberHead(userId, workspaceId, head);
      }
    }
  } catch {
    // Another user's record or none this page can open: the members online are asked instead.
  }
}
