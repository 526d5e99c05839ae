/**
 * Integrity data this browser keeps per user in IndexedDB, so that a reload still catches a
 * server that goes back on what this browser verified: the last verified head of each
 * workspace's history ({seq, hash}), and the revocations it verified (admin-signed, so a server
 * that stops listing one is not believed). No key, no content: positions, hashes, signatures.
 */

const DATABASE = 'paravent-integrity';
const HEADS = 'heads';
const REVOCATIONS = 'revocations';

function database() {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(DATABASE, 1);
    opening.onupgradeneeded = () => {
      opening.result.createObjectStore(HEADS);
      opening.result.createObjectStore(REVOCATIONS);
    };
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
}

async function run(storeName, mode, action) {
  const db = await database();
  try {
    return await new Promise((resolve, reject) => {
      const request = action(db.transaction(storeName, mode).objectStore(storeName));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

/** The head this user's browser last verified for the workspace, or null. */
export async function rememberedHead(userId, workspaceId) {
  return (await run(HEADS, 'readonly', (store) => store.get(`${userId}/${workspaceId}`))) ?? null;
}

/** Remembers a verified head; never moves back to a shorter one. */
export async function rememberHead(userId, workspaceId, head) {
  const known = await rememberedHead(userId, workspaceId);
  if (!known || head.seq >= known.seq) {
    await run(HEADS, 'readwrite', (store) => store.put(head, `${userId}/${workspaceId}`));
  }
}

/** The signed revocations this user's browser verified before ({user_id: base64url}). */
export async function rememberedRevocations(userId) {
  return (await run(REVOCATIONS, 'readonly', (store) => store.get(userId))) ?? {};
}

export async function rememberRevocations(userId, revocations) {
  const known = await rememberedRevocations(userId);
  await run(REVOCATIONS, 'readwrite', (store) => store.put({ ...known, ...revocations }, userId));
}
