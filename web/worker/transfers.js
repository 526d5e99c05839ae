/**
 * File transfers inside the crypto worker, so file bytes never cross back to the page:
 * upload reads slices of the File, has pycrypto_wasm encrypt each block and PUTs several blocks
 * at once (retrying a dropped connection); download GETs blocks in parallel, has each checked
 * and decrypted, and returns a Blob. Progress is reported as {done, total} bytes.
 */

const IN_FLIGHT = 4;
const RETRIES = 5;

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

async function request(method, url, body, { json = false } = {}) {
  for (let attempt = 0; ; attempt += 1) {
    let response;
    try {
      response = await fetch(url, {
        method, body, credentials: 'same-origin',
        headers: json ? { 'Content-Type': 'application/json' } : { 'Content-Type': 'application/octet-stream' },
      });
    } catch (error) {
      response = null;
      if (attempt >= RETRIES) {
        throw new TransferError({ code: 'network', message: String(error) });
      }
    }
    if (response && response.status < 500) {
      if (!response.ok) {
        const data = await response.json().catch(() => ({}));
        throw new TransferError(data.error ?? { code: 'http_error', message: response.statusText });
      }
      return response;
    }
    if (attempt >= RETRIES) {
      throw new TransferError({ code: 'server_error', message: `HTTP ${response?.status}` });
    }
    await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
  }
}

async function inParallel(count, job) {
  let next = 0;
  const runner = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      await job(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count) }, runner));
}

export async function upload({ call, file, workspaceId, dossierId, onProgress, isCancelled }) {
  const begun = ok(call('file.begin_upload', {
    workspace_id: workspaceId, name: file.name, mime: file.type || 'application/octet-stream',
    size: file.size, dossier_id: dossierId ?? null,
  }));
  let done = 0;
  try {
    await inParallel(begun.block_count, async (index) => {
      if (isCancelled()) {
        throw new TransferError({ code: 'cancelled', message: 'the upload was cancelled' });
      }
      const start = index * begun.block_size;
      const data = new Uint8Array(await file.slice(start, start + begun.block_size).arrayBuffer());
      const block = ok(call('file.encrypt_block', { file_id: begun.file_id, index, data }));
      await request('PUT', `/api/workspaces/${workspaceId}/blocks/${block.block_id}`, block.ciphertext);
      done += data.length;
      onProgress(done, file.size);
    });
  } catch (error) {
    call('file.end_transfer', { file_id: begun.file_id });
    throw error;
  }
  const manifest = ok(call('file.finish_upload', { file_id: begun.file_id }));
  await request('PUT', `/api/workspaces/${workspaceId}/documents/${manifest.document_id}`,
    JSON.stringify({ kind: 'file', expected_version: 0, manifest: manifest.manifest }), { json: true });
  return { document_id: manifest.document_id, name: file.name, size: file.size };
}

export async function download({ call, workspaceId, document, onProgress }) {
  const info = ok(call('file.begin_download', {
    workspace_id: workspaceId, document_id: document.document_id, version: document.version,
    manifest: document.manifest,
  }));
  const parts = new Array(info.block_ids.length);
  let done = 0;
  try {
    await inParallel(info.block_ids.length, async (index) => {
      const response = await request('GET',
        `/api/workspaces/${workspaceId}/blocks/${info.block_ids[index]}`);
      const ciphertext = new Uint8Array(await response.arrayBuffer());
      parts[index] = ok(call('file.decrypt_block', { file_id: info.file_id, index, ciphertext })).data;
      done += parts[index].length;
      onProgress(done, info.size);
    });
  } finally {
    call('file.end_transfer', { file_id: info.file_id });
  }
  return { blob: new Blob(parts, { type: info.mime }), name: info.name, mime: info.mime };
}
