/**
 * Runs web/worker/block-cipher.js (format-2 file blocks, WebCrypto) in Node.js for the
 * cross-runtime tests. Reads {cases, fresh} on standard input: for each `webcrypto_block` vector
 * case, prints what sealing gives with the case's key and nonce, what opening its expected block
 * gives, and the error codes of opening it altered, at another index, or with another digest; for
 * `fresh`, seals that plaintext under a fresh key and nonce for CPython to open.
 *
 * Usage: node tests/crossruntime/run_block_cipher.mjs < input.json > output.json
 */

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { openBlock, sealBlock } = await import(resolve(root, 'web/worker/block-cipher.js'));

const fromHex = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
const toHex = (bytes) => Buffer.from(bytes).toString('hex');

async function errorCode(promise) {
  try {
    await promise;
    return null;
  } catch (error) {
    return error.code ?? String(error);
  }
}

async function run({ input, expected }) {
  const prefix = fromHex(input.prefix);
  const plaintext = fromHex(input.plaintext);
  const sealed = await sealBlock(plaintext, { prefix, index: input.index,
    paddedSize: input.padded_size, key: fromHex(input.key), nonce: fromHex(input.nonce) });
  const stored = fromHex(expected.stored);
  const reference = { prefix, index: input.index, key: fromHex(input.key),
    digest: fromHex(expected.block_id), size: plaintext.length, paddedSize: input.padded_size,
    where: 'block 3 of file f-vector' };
  const altered = stored.slice();
  altered[altered.length - 1] ^= 1;
  const alteredDigest = new Uint8Array(await crypto.subtle.digest('SHA-256', altered));
  return {
    stored: toHex(sealed.stored),
    block_id: toHex(sealed.digest),
    opened: toHex(await openBlock(stored, reference)),
    errors: {
      altered: await errorCode(openBlock(altered, reference)),
      altered_and_renamed: await errorCode(openBlock(altered, { ...reference,
        digest: alteredDigest })),
      other_index: await errorCode(openBlock(stored, { ...reference, index: input.index + 1 })),
    },
  };
}

const { cases, fresh } = JSON.parse(readFileSync(0, 'utf8'));
const outputs = {};
for (const vector of cases) {
  outputs[vector.name] = await run(vector);
}
const plaintext = fromHex(fresh.plaintext);
const sealed = await sealBlock(plaintext, { prefix: fromHex(fresh.prefix), index: fresh.index,
  paddedSize: fresh.padded_size });
process.stdout.write(JSON.stringify({ outputs, fresh: { stored: toHex(sealed.stored),
  key: toHex(sealed.key), block_id: toHex(sealed.digest) } }));
