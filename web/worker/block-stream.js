/**
 * Reading a file's stored blocks for a download: many blocks per request (the server frames
 * each block by its length, 4 bytes big-endian), because Chromium's cost per request is larger
 * than the cost of decrypting a 512 KiB block. A response cut short (a lost connection, a proxy
 * giving up) is retried from the block it was reading: a few times in a row without progress,
 * and as long as it makes progress. The blocks are only ciphertext: each is checked against the
 * file manifest by whoever decrypts it.
 */

import { ByteReader } from './byte-reader.js';
import { SERVER_RETRIES, TransferError, pause, request } from './requests.js';

const BLOCKS_PER_REQUEST = 64; // 32 MiB: also how much a lost connection may have to re-read
const MAX_FRAME = 1024 * 1024; // larger than any block's ciphertext

/** The blocks framed in a response body, as Uint8Arrays, until the body ends. */
async function* framedBlocks(body) {
  for (let header = await body.read(4); header.length === 4; header = await body.read(4)) {
    const length = new DataView(header.buffer, header.byteOffset, 4).getUint32(0);
    if (length > MAX_FRAME) {
      throw new TransferError({ code: 'malformed_stream',
        message: `the server sent a block of ${length} bytes, larger than any block` });
    }
    const block = await body.read(length);
    if (block.length < length) {
      return;
    }
    yield block;
  }
}

/**
 * The ciphertext of the blocks `blockIds` of a workspace, in order. `onWaiting(true)` while the
 * connection is lost, `onWaiting(false)` when it is back. Rejects with a TransferError when the
 * server refuses, or keeps sending fewer blocks than asked. The next request is sent as soon
 * as one begins to be read, so that the server is never left idle between two. `source`
 * ({url, body}) reads them elsewhere: a download link's blocks, with its ticket.
 */
export async function* storedBlocks(workspaceId, blockIds, onWaiting, source = null) {
  const ask = (from) => {
    const asking = request('POST', source?.url ?? `/api/workspaces/${workspaceId}/blocks/stream`,
      JSON.stringify({ ...source?.body, block_ids: blockIds.slice(from, from + BLOCKS_PER_REQUEST) }),
      { json: true, onWaiting });
    asking.catch(() => {});
    return asking;
  };
  const drop = (asking) => asking?.then((response) => response.body.cancel(), () => {});
  let next = 0;
  let failures = 0;
  let asked = ask(0);
  try {
    while (next < blockIds.length) {
      const response = await asked;
      if (failures > 0) {
        onWaiting(false);
      }
      const first = next;
      const last = Math.min(blockIds.length, first + BLOCKS_PER_REQUEST);
      asked = last < blockIds.length ? ask(last) : null;
      const body = new ByteReader(response.body);
      let broken = 'the response ended early';
      try {
        for await (const block of framedBlocks(body)) {
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
        body.cancel();
      }
      if (next < last) {
        if (failures >= SERVER_RETRIES) {
          throw new TransferError({ code: 'network', message:
            `reading the file's blocks failed ${failures + 1} times in a row: ${broken}` });
        }
        failures += 1;
        onWaiting(true);
        drop(asked);
        await pause(250 * 2 ** failures);
        asked = ask(next);
      }
    }
  } finally {
    drop(asked);
  }
}
