/**
 * Builds the crypto worker's Pyodide memory snapshot (see web/worker/python-runtime.js) in
 * Node.js, offline, from the vendored Pyodide and libsodium.js and the pycrypto_wasm wheel.
 * Run by `make assets` whenever one of them changes.
 *
 * Usage: node tools/build-snapshot.mjs <wheel.whl> <snapshot.bin>
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vendor = resolve(root, 'static/vendor');
const { loadPyodide } = await import(resolve(vendor, 'pyodide/pyodide.mjs'));
const { default: sodium } = await import(resolve(vendor, 'libsodium/libsodium-wrappers.mjs'));
const { makeRuntimeSnapshot } = await import(resolve(root, 'web/worker/python-runtime.js'));

const [wheelPath, snapshotPath] = process.argv.slice(2);
const snapshot = await makeRuntimeSnapshot({
  loadPyodide, indexURL: `${resolve(vendor, 'pyodide')}/`, sodium,
  wheel: new Uint8Array(readFileSync(wheelPath)),
});
writeFileSync(snapshotPath, snapshot);
