/**
 * The file format of the crypto worker's Pyodide memory snapshot: Pyodide's snapshot (a header
 * and the whole WebAssembly memory) without its pages of zeros, about half of it. The worker
 * downloads, keeps in Cache Storage and hashes only the pages that hold something, and lays
 * them back into a zeroed buffer of the memory's size before Pyodide restores it.
 *
 * Layout (little-endian): "PVSP", the format version (1), three zero bytes, the page size, the
 * full length, a bitmap with one bit per page (set: the page is stored), then the stored pages
 * in order (the last page may be shorter).
 */

const MAGIC = [0x50, 0x56, 0x53, 0x50];
const VERSION = 1;
const HEADER = 16;
const PAGE = 4096;

function isZero(bytes) {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
  for (let index = 0; index < words.length; index += 1) {
    if (words[index] !== 0) {
      return false;
    }
  }
  return bytes.subarray(words.length << 2).every((byte) => byte === 0);
}

/** Pyodide's snapshot `full` without its zero pages. */
export function packSnapshot(full) {
  const pages = Math.ceil(full.length / PAGE);
  const bitmapLength = Math.ceil(pages / 8);
  const kept = [];
  const bitmap = new Uint8Array(bitmapLength);
  for (let page = 0; page < pages; page += 1) {
    const bytes = full.subarray(page * PAGE, Math.min((page + 1) * PAGE, full.length));
    if (!isZero(bytes)) {
      bitmap[page >>> 3] |= 1 << (page & 7);
      kept.push(bytes);
    }
  }
  const stored = kept.reduce((sum, bytes) => sum + bytes.length, 0);
  const packed = new Uint8Array(HEADER + bitmapLength + stored);
  const view = new DataView(packed.buffer);
  packed.set(MAGIC, 0);
  packed[4] = VERSION;
  view.setUint32(8, PAGE, true);
  view.setUint32(12, full.length, true);
  packed.set(bitmap, HEADER);
  let offset = HEADER + bitmapLength;
  for (const bytes of kept) {
    packed.set(bytes, offset);
    offset += bytes.length;
  }
  return packed;
}

/** The Pyodide snapshot `packSnapshot` packed; throws on any other input. */
export function unpackSnapshot(packed) {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  if (packed.length < HEADER || MAGIC.some((byte, index) => packed[index] !== byte)) {
    throw new Error('not a Paravent snapshot');
  }
  if (packed[4] !== VERSION) {
    throw new Error(`unknown snapshot format version ${packed[4]}`);
  }
  const pageSize = view.getUint32(8, true);
  const length = view.getUint32(12, true);
  const pages = Math.ceil(length / pageSize);
  const bitmap = packed.subarray(HEADER, HEADER + Math.ceil(pages / 8));
  const full = new Uint8Array(length);
  let offset = HEADER + bitmap.length;
  for (let page = 0; page < pages; page += 1) {
    if (bitmap[page >>> 3] & (1 << (page & 7))) {
      const start = page * pageSize;
      const size = Math.min(pageSize, length - start);
      if (offset + size > packed.length) {
        throw new Error('the snapshot is truncated');
      }
      full.set(packed.subarray(offset, offset + size), start);
      offset += size;
    }
  }
  if (offset !== packed.length) {
    throw new Error('the snapshot has trailing bytes');
  }
  return full;
}
