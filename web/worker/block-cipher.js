/**
 * File blocks in format 2 (pycrypto_wasm/workspace/webcrypto_blocks.py owns the layout): the
 * browser's native AES-256-GCM and SHA-256 (WebCrypto) instead of libsodium.js in WebAssembly,
 * which kept transfers to what one thread could encrypt and hash. A stored block is
 * `0x02 || nonce (12) || ciphertext and tag (16)` under a fresh 256-bit key, with associated data
 * `prefix || index (8 bytes, big-endian)` binding it to its organization, workspace, file and
 * position; its id is the SHA-256 of the stored bytes, checked before anything is decrypted.
 * WebCrypto runs off this thread, so several blocks are sealed or opened at once.
 * Used by the crypto worker and, unchanged, by the cross-runtime vector test in Node.js.
 */

export const BLOCK_FORMAT = 2;
const KEY_SIZE = 32;
const NONCE_SIZE = 12;
const INDEX_SIZE = 8;
const HEADER_SIZE = 1 + NONCE_SIZE;
const TAG_SIZE = 16;

/** A stored block that is not the one the file manifest lists. */
export class BlockError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const randomBytes = (size) => crypto.getRandomValues(new Uint8Array(size));

function associatedData(prefix, index) {
  const data = new Uint8Array(prefix.length + INDEX_SIZE);
  data.set(prefix);
  new DataView(data.buffer).setBigUint64(prefix.length, BigInt(index));
  return data;
}

function aesGcm(nonce, prefix, index) {
  return { name: 'AES-GCM', iv: nonce, additionalData: associatedData(prefix, index) };
}

const importKey = (raw, usage) => crypto.subtle.importKey('raw', raw, 'AES-GCM', false, [usage]);

function equal(a, b) {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

/**
 * Block `index` of a file sealed under a fresh key, its plaintext padded with zeros to
 * `paddedSize`: {stored, key, digest}. `key` and `nonce` are for test vectors only.
 */
export async function sealBlock(plaintext, { prefix, index, paddedSize,
  key = randomBytes(KEY_SIZE), nonce = randomBytes(NONCE_SIZE) }) {
  if (paddedSize < plaintext.length) {
    throw new RangeError(`block ${index} is longer than its padded size`);
  }
  let padded = plaintext;
  if (paddedSize > plaintext.length) {
    padded = new Uint8Array(paddedSize);
    padded.set(plaintext);
  }
  const sealed = await crypto.subtle.encrypt(aesGcm(nonce, prefix, index),
    await importKey(key, 'encrypt'), padded);
  const stored = new Uint8Array(HEADER_SIZE + sealed.byteLength);
  stored[0] = BLOCK_FORMAT;
  stored.set(nonce, 1);
  stored.set(new Uint8Array(sealed), HEADER_SIZE);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', stored));
  return { stored, key, digest };
}

/**
 * The plaintext of a stored block, checked first against the `digest` its manifest lists, then
 * authenticated for its place. `where` names the block in errors ("block 3 of file f-…").
 */
export async function openBlock(stored, { prefix, index, key, digest, size, paddedSize, where }) {
  const actual = new Uint8Array(await crypto.subtle.digest('SHA-256', stored));
  if (!equal(actual, digest)) {
    throw new BlockError('tampered_block', `${where} was altered or replaced on the server`);
  }
  if (stored.length < HEADER_SIZE + TAG_SIZE || stored[0] !== BLOCK_FORMAT) {
    throw new BlockError('unsupported_version', `${where} is not a format-${BLOCK_FORMAT} block`);
  }
  let plaintext;
  try {
    plaintext = await crypto.subtle.decrypt(aesGcm(stored.subarray(1, HEADER_SIZE), prefix, index),
      await importKey(key, 'decrypt'), stored.subarray(HEADER_SIZE));
  } catch {
    throw new BlockError('decryption_failed',
      `${where} could not be decrypted: it belongs elsewhere, or the key is wrong`);
  }
  if (plaintext.byteLength !== paddedSize || size > paddedSize) {
    throw new BlockError('tampered_block', `${where} has the wrong size`);
  }
  return new Uint8Array(plaintext, 0, size);
}
