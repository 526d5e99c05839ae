/**
 * Integrity data this browser keeps per user in IndexedDB, so that a reload still catches a
 * server that goes back on what this browser verified: the last verified head of each
 * workspace's history ({seq, hash, revoked, own_state}: with, for each revocation it knew then,
 * the entry after which that user's entries are refused whatever their date, and the version of
 * my own state, so that a rollback of it across sign-ins is caught), and the revocations it
 * verified (admin-signed, so a server that stops listing one is not believed), and the heads
 * record due to my passkey (sealed and signed by the worker), and my checkpoint of each
 * workspace's history ({seq, sealed}: what the worker proved up to that head, sealed by it under
 * a key only my key bundle derives, pycrypto_wasm/workspace/checkpoint.py; a database of their
 * own), so that the next open verifies only the entries after it, and beside them the categories
 * of each partner space's unopened results the board read (sealed the same way,
 * pycrypto_wasm/workspace/result_categories.py). No key, no content in clear: positions, hashes,
 * signatures and sealed records.
 */

const HEADS = 'heads';
const REVOCATIONS = 'revocations';
const CHECKPOINTS = 'checkpoints';
const CATEGORIES = 'result-categories';
// Each object store, in its database.
const DATABASES = { [HEADS]: 'paravent-integrity', [REVOCATIONS]: 'paravent-integrity',
  [CHECKPOINTS]: 'paravent-checkpoints', [CATEGORIES]: 'paravent-checkpoints' };
// Each database's version: 2 added the result categories to the checkpoints'.
const VERSIONS = { 'paravent-integrity': 1, 'paravent-checkpoints': 2 };

// One open connection per database, kept for the page's life (opening one costs more than most
// reads: a workspace opened reads and writes several records); closed when another page asks
// to upgrade or delete the database, and opened again at the next use.
const connections = new Map();

function database(name) {
  if (!connections.has(name)) {
    const connecting = new Promise((resolve, reject) => {
      const opening = indexedDB.open(name, VERSIONS[name]);
      opening.onupgradeneeded = () => {
        for (const [store, database] of Object.entries(DATABASES)) {
          if (database === name && !opening.result.objectStoreNames.contains(store)) {
            opening.result.createObjectStore(store);
          }
        }
      };
      opening.onsuccess = () => {
        const db = opening.result;
        const forget = () => connections.delete(name);
        db.onversionchange = () => {
          db.close();
          forget();
        };
        db.onclose = forget;
        resolve(db);
      };
      opening.onerror = () => {
        connections.delete(name);
        reject(opening.error);
      };
    });
    connections.set(name, connecting);
  }
  return connections.get(name);
}

/** Opens the page's connections at once, before anything reads them (opening one after a
 * reload costs more than the reads of a sign-in): the first workspaces opened then read their
 * checkpoints straight away. One that fails is opened again at its first use. */
export function openStores() {
  new Set(Object.values(DATABASES)).forEach((name) => database(name).catch(() => null));
}

/** The result of `action` on the store, once its transaction has committed. */
async function run(storeName, mode, action) {
  const db = await database(DATABASES[storeName]);
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(storeName, mode);
    const request = action(transaction.objectStore(storeName));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(transaction.error ?? request.error);
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB aborted'));
  });
}

/** Every record of `storeName` this user's browser keeps, by workspace id (a Map): its keys
 * and records read in one transaction, so that a write between them cannot pair one workspace's
 * key with another's record. */
async function everyWorkspaceOf(storeName, userId) {
  const prefix = `${userId}/`;
  const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
  let keys;
  const records = await run(storeName, 'readonly', (store) => {
    keys = store.getAllKeys(range);
    return store.getAll(range);
  });
  return new Map(keys.result.map((key, index) => [key.slice(prefix.length), records[index]]));
}

/** The head this user's browser last verified for the workspace, or null. */
export async function rememberedHead(userId, workspaceId) {
  return (await run(HEADS, 'readonly', (store) => store.get(`${userId}/${workspaceId}`))) ?? null;
}

/** Remembers a verified head; never moves back to a shorter one, nor a revocation's place
 * later, nor my own state's version lower. A head already remembered as it is is not written
 * again (a listing opens every workspace, most with nothing new). */
export async function rememberHead(userId, workspaceId, head) {
  const known = await rememberedHead(userId, workspaceId);
  if (!known || head.seq >= known.seq) {
    const revoked = { ...(known?.revoked ?? {}) };
    for (const [user, seq] of Object.entries(head.revoked ?? {})) {
      revoked[user] = Math.min(seq, revoked[user] ?? seq);
    }
    const ownState = Math.max(head.own_state ?? 0, known?.own_state ?? 0);
    const remembered = { ...head, revoked, own_state: ownState };
    if (!known || JSON.stringify(remembered) !== JSON.stringify(known)) {
      await run(HEADS, 'readwrite', (store) => store.put(remembered, `${userId}/${workspaceId}`));
    }
  }
}

/** Raises the version of my own state remembered with the workspace's head. */
export async function rememberOwnState(userId, workspaceId, version) {
  const known = await rememberedHead(userId, workspaceId);
  if (known && version > (known.own_state ?? 0)) {
    await run(HEADS, 'readwrite', (store) => store.put({ ...known, own_state: version },
      `${userId}/${workspaceId}`));
  }
}

/** The signed revocations this user's browser verified before ({user_id: base64url}). */
export async function rememberedRevocations(userId) {
  return (await run(REVOCATIONS, 'readonly', (store) => store.get(userId))) ?? {};
}

/** Adds verified revocations to those remembered (written only when one is new or changed). */
export async function rememberRevocations(userId, revocations) {
  const known = await rememberedRevocations(userId);
  if (Object.entries(revocations ?? {}).some(([user, signed]) => known[user] !== signed)) {
    await run(REVOCATIONS, 'readwrite', (store) => store.put({ ...known, ...revocations },
      userId));
  }
}

/** Every head this user's browser remembers, by workspace ({workspace_id: head}). */
export async function rememberedHeads(userId) {
  return Object.fromEntries(await everyWorkspaceOf(HEADS, userId));
}

/** My sealed checkpoint of the workspace's history ({seq, sealed}), or null. */
export async function checkpointOf(userId, workspaceId) {
  return (await run(CHECKPOINTS, 'readonly', (store) => store.get(`${userId}/${workspaceId}`)))
    ?? null;
}

/** Every checkpoint this user's browser keeps, by workspace ({seq, sealed}): one read for a
 * listing that opens them all. */
export function checkpointsOf(userId) {
  return everyWorkspaceOf(CHECKPOINTS, userId);
}

/** The sealed categories of the unopened results of each partner space (a Map by workspace id
 * of bytes), as the board last kept them. */
export function resultCategoriesOf(userId) {
  return everyWorkspaceOf(CATEGORIES, userId);
}

/** Keeps a space's sealed result categories (`sealed` null: drops them). */
export async function keepResultCategories(userId, workspaceId, sealed) {
  const key = `${userId}/${workspaceId}`;
  await run(CATEGORIES, 'readwrite', (store) => (sealed ? store.put(sealed, key)
    : store.delete(key)));
}

/** Keeps a checkpoint the worker sealed (a later one replaces an earlier one), or drops it
 * (`checkpoint` null: the worker could not go on from it). */
export async function keepCheckpoint(userId, workspaceId, checkpoint) {
  const key = `${userId}/${workspaceId}`;
  if (!checkpoint) {
    await run(CHECKPOINTS, 'readwrite', (store) => store.delete(key));
    return;
  }
  const known = await checkpointOf(userId, workspaceId);
  if (!known || checkpoint.seq >= known.seq) {
    await run(CHECKPOINTS, 'readwrite', (store) => store.put(checkpoint, key));
  }
}

const passkeyKey = (userId) => `passkey-record/${userId}`;

/** What this user's passkey should hold ({credential_id, record, pending}: my heads, sealed
 * and signed by the worker; web/freshness.js), or null. */
export async function passkeyRecord(userId) {
  return (await run(HEADS, 'readonly', (store) => store.get(passkeyKey(userId)))) ?? null;
}

export async function keepPasskeyRecord(userId, changes) {
  const known = await passkeyRecord(userId);
  await run(HEADS, 'readwrite', (store) => store.put({ ...known, ...changes }, passkeyKey(userId)));
}
