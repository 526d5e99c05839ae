/**
 * File transfers inside the crypto worker, so file bytes never cross back to the page unasked:
 * upload reads slices of the File a few blocks ahead, has pycrypto_wasm encrypt each block and
 * PUTs several blocks at once; download fetches blocks ahead of a ReadableStream that has each
 * one checked and decrypted as it is read, so memory stays bounded whatever the file size.
 * A dropped connection pauses the transfer (reported as `waiting`) and it resumes where it was.
 */

// Requests at once. Chromium opens six connections per host (the socket holds one) and queues
// the rest, so a freed connection starts the next block without waiting for this worker: 8
// uploads 256 MiB about 15% faster than 4 on the 2-core CI machine.
const IN_FLIGHT = 8;
const AHEAD = 4; // blocks read and encrypted (or fetched) ahead of the ones being sent (read)
const SERVER_RETRIES = 5;
const OFFLINE_LIMIT_MS = 10 * 60_000;

export class TransferError extends Error {
  constructor({ code, message }) {
    super(message);
    this.code = code;
  }
}

function ok(reply) {
  if (!reply.ok) {
    throw new TransferError(reply.error);
  }
  return reply.result;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits `ms`, or less if the browser says the connection is back. */
function pause(ms) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      self.removeEventListener('online', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    self.addEventListener('online', done);
  });
}

/**
 * One request, retried: server errors a few times, a lost connection until it comes back (up to
 * ten minutes), calling `onWaiting(true)` while it is lost and `onWaiting(false)` when it is back.
 */
async function request(method, url, body, { json = false, onWaiting = () => {} } = {}) {
  let lostSince = null;
  for (let attempt = 0; ; attempt += 1) {
    let response;
    try {
      response = await fetch(url, {
        method, body, credentials: 'same-origin',
        headers: { 'Content-Type': json ? 'application/json' : 'application/octet-stream' },
      });
    } catch (error) {
      lostSince ??= Date.now();
      if (Date.now() - lostSince > OFFLINE_LIMIT_MS) {
        throw new TransferError({ code: 'network', message: `the connection was lost: ${error}` });
      }
      onWaiting(true);
      await pause(Math.min(5000, 250 * 2 ** Math.min(attempt, 5)));
      continue;
    }
    if (lostSince !== null) {
      lostSince = null;
      onWaiting(false);
    }
    if (response.status < 500) {
      if (!response.ok) {
        const data = await response.json().catch(() => ({}));
        throw new TransferError(data.error ?? { code: 'http_error', message: response.statusText });
      }
      return response;
    }
    if (attempt >= SERVER_RETRIES) {
      throw new TransferError({ code: 'server_error', message: `HTTP ${response.status}` });
    }
    await sleep(250 * 2 ** attempt);
  }
}

/**
 * Blocks 0..count-1 prepared at most IN_FLIGHT + AHEAD ahead of the one `take` asks for next:
 * `take(index)` waits for block `index` and lets the next ones start. A failure of a block
 * prepared ahead surfaces when that block is taken.
 */
function readAhead(count, prepare) {
  const started = new Map();
  let next = 0;
  const fill = (taken) => {
    while (next < count && next < taken + IN_FLIGHT + AHEAD) {
      const promise = prepare(next);
      promise.catch(() => {});
      started.set(next, promise);
      next += 1;
    }
  };
  return (index) => {
    fill(index);
    const promise = started.get(index);
    started.delete(index);
    return promise;
  };
}

function uploadUrl(workspaceId, blockId) {
  return `/api/workspaces/${workspaceId}/blocks/${blockId}`;
}

export async function upload({ call, file, workspaceId, dossierId, onProgress, isCancelled }) {
  const begun = ok(call('file.begin_upload', {
    workspace_id: workspaceId, name: file.name, mime: file.type || 'application/octet-stream',
    size: file.size, dossier_id: dossierId ?? null,
  }));
  let done = 0;
  let waiting = false;
  const onWaiting = (now) => {
    waiting = now;
    onProgress(done, file.size, waiting);
  };
  const encrypted = readAhead(begun.block_count, async (index) => {
    const start = index * begun.block_size;
    const data = new Uint8Array(await file.slice(start, start + begun.block_size).arrayBuffer());
    const block = ok(call('file.encrypt_block', { file_id: begun.file_id, index, data }));
    // A Blob body: Chromium sends an ArrayBuffer body many times slower (measured 9x).
    return { blockId: block.block_id, body: new Blob([block.ciphertext]), size: data.length };
  });
  let next = 0;
  const sender = async () => {
    while (next < begun.block_count) {
      if (isCancelled()) {
        throw new TransferError({ code: 'cancelled', message: 'the upload was cancelled' });
      }
      const index = next;
      next += 1;
      const block = await encrypted(index);
      await request('PUT', uploadUrl(workspaceId, block.blockId), block.body, { onWaiting });
      done += block.size;
      onProgress(done, file.size, waiting);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, begun.block_count) }, sender));
  } catch (error) {
    call('file.end_transfer', { file_id: begun.file_id });
    throw error;
  }
  const manifest = ok(call('file.finish_upload', { file_id: begun.file_id }));
  await request('PUT', `/api/workspaces/${workspaceId}/documents/${manifest.document_id}`,
    JSON.stringify({ kind: 'file', expected_version: 0, manifest: manifest.manifest,
      block_ids: manifest.block_ids }),
    { json: true, onWaiting });
  return { document_id: manifest.document_id, name: file.name, size: file.size };
}

/**
 * The file as a ReadableStream of checked plaintext blocks, with its name, type and size. Blocks
 * are fetched a few ahead of the reader; a block that fails its check errors the stream with a
 * TransferError naming it, so nothing after it is delivered. `onEnd(error)` is called once when
 * the stream is done: with null when it was all read, else with why it stopped.
 */
export function download({ call, workspaceId, document, onProgress, onEnd }) {
  const info = ok(call('file.begin_download', {
    workspace_id: workspaceId, document_id: document.document_id, version: document.version,
    manifest: document.manifest,
  }));
  const count = info.block_ids.length;
  let waiting = false;
  let done = 0;
  const onWaiting = (now) => {
    waiting = now;
    onProgress(done, info.size, waiting);
  };
  const fetched = readAhead(count, async (index) => {
    const response = await request('GET', uploadUrl(workspaceId, info.block_ids[index]), undefined,
      { onWaiting });
    return new Uint8Array(await response.arrayBuffer());
  });
  let ended = false;
  const end = (error) => {
    if (!ended) {
      ended = true;
      call('file.end_transfer', { file_id: info.file_id });
      onEnd(error);
    }
  };
  let index = 0;
  const stream = new ReadableStream({
    start(controller) {
      if (count === 0) {
        end(null);
        controller.close();
      }
    },
    async pull(controller) {
      try {
        const ciphertext = await fetched(index);
        const { data } = ok(call('file.decrypt_block', { file_id: info.file_id, index, ciphertext }));
        controller.enqueue(data);
        done += data.length;
        onProgress(done, info.size, waiting);
      } catch (error) {
        end(error);
        throw error;
      }
      index += 1;
      if (index === count) {
        end(null);
        controller.close();
      }
    },
    cancel: () => end(new TransferError({ code: 'cancelled', message: 'the download was cancelled' })),
  }, { highWaterMark: 1 });
  return { stream, name: info.name, mime: info.mime, size: info.size };
}
