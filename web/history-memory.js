/**
 * Integrity data this browser keeps per user in IndexedDB: the last verified head of each
 * workspace's history ({seq, hash}), so that after a reload a server that serves less history,
 * or another one, is still caught. No key, no content: only positions and hashes.
 */

const DATABASE = 'paravent-integrity';
const HEADS = 'heads';

function database() {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(DATABASE, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(HEADS);
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
}

async function run(mode, action) {
  const db = await database();
  try {
    return await new Promise((resolve, reject) => {
      const request = action(db.transaction(HEADS, mode).objectStore(HEADS));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

/** The head this user's browser last verified for the workspace, or null. */
export async function rememberedHead(userId, workspaceId) {
  return (await run('readonly', (store) => store.get(`${userId}/${workspaceId}`))) ?? null;
}

/** Remembers a verified head; never moves back to a shorter one. */
export async function rememberHead(userId, workspaceId, head) {
  const known = await rememberedHead(userId, workspaceId);
  if (!known || head.seq >= known.seq) {
    await run('readwrite', (store) => store.put(head, `${userId}/${workspaceId}`));
  }
}
