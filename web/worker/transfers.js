/**
 * File transfers inside the crypto worker, so file bytes never cross back to the page unasked:
 * upload reads the File's stream a few blocks ahead, encrypts each block with WebCrypto (format
 * 2, web/worker/block-cipher.js) and records its key and digest with pycrypto_wasm for the file
 * manifest, and sends them several blocks per request, a few requests at once; download reads the
 * blocks in streamed responses of many blocks each, behind a ReadableStream that has several
 * checked and decrypted ahead of the one being read (format-1 blocks of older files by
 * pycrypto_wasm). Memory stays bounded whatever the file size. A dropped connection pauses the
 * transfer (reported as `waiting`) and it resumes where it was.
 */

import { allPages } from '../api.js';
import { BLOCK_FORMAT, openBlock, sealBlock } from './block-cipher.js';
import { storedBlocks } from './block-stream.js';
import { blocksOf } from './byte-reader.js';
import { TransferError, request } from './requests.js';

// Blocks per upload request (at most the server's MAX_UPLOADED_BLOCKS): Chromium's cost per
// request is larger than the cost of encrypting a 512 KiB block. On the 2-core CI machine, plain
// Blobs of 4 MiB upload at 100-150 MB/s, of 512 KiB (eight at once) at 56-62; Blob bodies of 16
// blocks cost Chromium 0.2-0.4 ms less CPU per block than of 8 (`python -m bench transfer`'s
// breakdown), and the server a request's overhead less.
const BLOCKS_PER_REQUEST = 16;
const IN_FLIGHT = 2; // upload requests at once: 8 MiB bodies, 16 MiB in flight
const AHEAD = 4; // blocks read and encrypted ahead of those being sent
// Downloaded blocks checked and decrypted ahead of the one being read: with 8, the worker sat
// idle half the time, waiting on WebCrypto's thread.
const DECRYPT_AHEAD = 24;
const BATCH_HEADER_BYTES = 36; // a block's id (32 bytes) and length (4 bytes, big-endian)

function ok(reply) {
  if (!reply.ok) {
    throw new TransferError(reply.error);
  }
  return reply.result;
}

/**
 * Blocks 0..count-1 prepared at most `window` ahead of the one `take` asks for next:
 * `take(index)` waits for block `index` and lets the next ones start. A failure of a block
 * prepared ahead surfaces when that block is taken.
 */
function readAhead(count, window, prepare) {
  const started = new Map();
  let next = 0;
  const fill = (taken) => {
    while (next < count && next < taken + window) {
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

/** The header framing an encrypted block in a batch upload: its id, then its length. */
function frameHeader(blockId, length) {
  const header = new Uint8Array(BATCH_HEADER_BYTES);
  header.set(blockId.match(/../g).map((pair) => parseInt(pair, 16)));
  new DataView(header.buffer).setUint32(32, length);
  return header;
}

export async function upload({ call, file, workspaceId, dossierId, fileId, depositFile,
  onProgress, isCancelled }) {
  const begun = ok(call('file.begin_upload', {
    workspace_id: workspaceId, name: file.name, mime: file.type || 'application/octet-stream',
    size: file.size, dossier_id: dossierId ?? null, file_id: fileId ?? null,
    deposit_file: depositFile ?? null,
  }));
  let done = 0;
  let waiting = false;
  const onWaiting = (now) => {
    waiting = now;
    onProgress(done, file.size, waiting);
  };
  const count = begun.block_count;
  const layout = ok(call('file.upload_layout', { file_id: begun.file_id }));
  const plaintexts = blocksOf(file, begun.block_size);
  const encrypted = readAhead(count, IN_FLIGHT * BLOCKS_PER_REQUEST + AHEAD, async (index) => {
    const { value: data = new Uint8Array(0) } = await plaintexts.next();
    const paddedSize = index === count - 1 ? layout.last_padded_size : data.length;
    const { stored, key, digest } = await sealBlock(data,
      { prefix: layout.prefix, index, paddedSize });
    const { block_id: blockId } = ok(call('file.record_block',
      { file_id: begun.file_id, index, key, digest }));
    return { frame: [frameHeader(blockId, stored.length), stored], size: data.length };
  });
  let next = 0;
  const sender = async () => {
    while (next < count) {
      if (isCancelled()) {
        throw new TransferError({ code: 'cancelled', message: 'the upload was cancelled' });
      }
      const first = next;
      const last = Math.min(count, first + BLOCKS_PER_REQUEST);
      next = last;
      const blocks = [];
      for (let index = first; index < last; index += 1) {
        blocks.push(await encrypted(index));
      }
      // A Blob body: Chromium sends an ArrayBuffer body many times slower (measured 9x).
      await request('POST', `/api/workspaces/${workspaceId}/blocks`,
        new Blob(blocks.flatMap((block) => block.frame)), { onWaiting });
      done += blocks.reduce((sum, block) => sum + block.size, 0);
      onProgress(done, file.size, waiting);
    }
  };
  const requests = Math.ceil(count / BLOCKS_PER_REQUEST);
  try {
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, requests) }, sender));
  } catch (error) {
    plaintexts.return();
    call('file.end_transfer', { file_id: begun.file_id });
    throw error;
  }
  try {
    await recordFile({ call, workspaceId, fileId: begun.file_id, onWaiting });
  } finally {
    call('file.end_transfer', { file_id: begun.file_id });
  }
  return { document_id: begun.file_id, name: file.name, size: file.size };
}

/**
 * Stores the file's manifest with the log entry that records it; if someone wrote to the
 * workspace meanwhile, reads (and verifies) its log again and seals a new entry after it.
 */
async function recordFile({ call, workspaceId, fileId, onWaiting }) {
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const manifest = ok(call('file.finish_upload', { file_id: fileId }));
    try {
      await request('PUT', `/api/workspaces/${workspaceId}/documents/${fileId}`,
        JSON.stringify({ kind: 'file', expected_version: 0, manifest: manifest.manifest,
          block_ids: manifest.block_ids, log_entry: manifest.log_entry }),
        { json: true, onWaiting });
      return;
    } catch (error) {
      if (error.code !== 'stale_log') {
        throw error;
      }
      const { entries } = await allPages(`/api/workspaces/${workspaceId}/log`, 'entries',
        async (url) => (await request('GET', url)).json());
      ok(call('log.read', { workspace_id: workspaceId, entries }));
    }
  }
  throw new TransferError({ code: 'stale_log', message: 'the workspace keeps changing; try again' });
}

/**
 * The file as a ReadableStream of checked plaintext blocks, with its name, type and size. A
 * block that fails its check errors the stream with a TransferError naming it, so nothing after
 * it is delivered. `onEnd(error)` is called once when the stream is done: with null when it was
 * all read, else with why it stopped.
 */
export function download({ call, workspaceId, document, onProgress, onEnd }) {
  // A download link's file ({link: {linkId, index, ticket}}) opens from the link the worker
  // holds and reads the link's blocks with its ticket; any other from the verified history.
  const { link } = document;
  const info = ok(link
    ? call('link.begin_download', { link_id: link.linkId, index: link.index })
    : call('file.begin_download', {
      workspace_id: workspaceId, document_id: document.document_id, version: document.version,
      manifest: document.manifest,
    }));
  const count = info.block_ids.length;
  const keys = ok(call('file.download_keys', { file_id: info.file_id }));
  let waiting = false;
  let done = 0;
  const onWaiting = (now) => {
    waiting = now;
    onProgress(done, info.size, waiting);
  };
  const ciphertexts = storedBlocks(workspaceId, info.block_ids, onWaiting, link && {
    url: `/api/share-links/${link.linkId}/blocks/stream`, body: { ticket: link.ticket } });
  let ended = false;
  const end = (error) => {
    if (!ended) {
      ended = true;
      ciphertexts.return();
      call('file.end_transfer', { file_id: info.file_id });
      onEnd(error);
    }
  };
  const decrypt = async (index, ciphertext) => {
    const block = keys.blocks[index];
    if (block.format !== BLOCK_FORMAT) {
      return ok(call('file.decrypt_block', { file_id: info.file_id, index, ciphertext })).data;
    }
    return openBlock(ciphertext, { prefix: keys.prefix, index, key: block.key,
      digest: block.digest, size: block.size, paddedSize: block.padded_size,
      where: `«${info.name}»: block ${index} of file ${info.file_id}` });
  };
  const decrypted = readAhead(count, DECRYPT_AHEAD, async (index) => {
    const { value: ciphertext } = await ciphertexts.next();
    return decrypt(index, ciphertext);
  });
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
        const data = await decrypted(index);
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
