/**
 * Reading a file's stored blocks for a download: many blocks per request (the server frames
 * each block by its length, 4 bytes big-endian), because Chromium's cost per request is larger
 * than the cost of decrypting a 512 KiB block. A response cut short (a lost connection, a proxy
 * giving up) is retried from the block it was reading: a few times in a row without progress,
 * and as long as it makes progress. The blocks are only ciphertext: each is checked against the
 * file manifest by whoever decrypts it.
 */

import { SERVER_RETRIES, TransferError, pause, request } from './requests.js';

const BLOCKS_PER_REQUEST = 64; // 32 MiB: also how much a lost connection may have to re-read
const MAX_FRAME = 1024 * 1024; // larger than any block's ciphertext

/** Fills `target` from `source` ({reader, chunk, offset}); false if the stream ended first. */
async function fill(source, target) {
  let filled = 0;
  while (filled < target.length) {
    if (source.offset === source.chunk.length) {
      const { done, value } = await source.reader.read();
      if (done) {
        return false;
      }
      source.chunk = value;
      source.offset = 0;
    }
    const count = Math.min(target.length - filled, source.chunk.length - source.offset);
    target.set(source.chunk.subarray(source.offset, source.offset + count), filled);
    filled += count;
    source.offset += count;
  }
  return true;
}

/** The blocks framed in a response body, as Uint8Arrays, until the body ends. */
async function* framedBlocks(reader) {
  const source = { reader, chunk: new Uint8Array(0), offset: 0 };
  const header = new Uint8Array(4);
  while (await fill(source, header)) {
    const length = new DataView(header.buffer).getUint32(0);
    if (length > MAX_FRAME) {
      throw new TransferError({ code: 'malformed_stream',
        message: `the server sent a block of ${length} bytes, larger than any block` });
    }
    const block = new Uint8Array(length);
    if (!(await fill(source, block))) {
      return;
    }
    yield block;
  }
}

/**
 * The ciphertext of the blocks `blockIds` of a workspace, in order. `onWaiting(true)` while the
 * connection is lost, `onWaiting(false)` when it is back. Rejects with a TransferError when the
 * server refuses, or keeps sending fewer blocks than asked.
 */
export async function* storedBlocks(workspaceId, blockIds, onWaiting) {
  let next = 0;
  let failures = 0;
  while (next < blockIds.length) {
    const asked = blockIds.slice(next, next + BLOCKS_PER_REQUEST);
    const response = await request('POST', `/api/workspaces/${workspaceId}/blocks/stream`,
      JSON.stringify({ block_ids: asked }), { json: true, onWaiting });
    if (failures > 0) {
      onWaiting(false);
    }
    const reader = response.body.getReader();
    const first = next;
    let broken = 'the response ended early';
    try {
      for await (const block of framedBlocks(reader)) {
        next += 1;
        failures = 0;
        yield block;
      }
    } catch (error) {
      if (error instanceof TransferError) {
        throw error;
      }
      broken = String(error.message ?? error);
    } finally {
      reader.cancel().catch(() => {});
    }
    if (next - first < asked.length) {
      if (failures >= SERVER_RETRIES) {
        throw new TransferError({ code: 'network', message:
          `reading the file's blocks failed ${failures + 1} times in a row: ${broken}` });
      }
      failures += 1;
      onWaiting(true);
      await pause(250 * 2 ** failures);
    }
  }
}
