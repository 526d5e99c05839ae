/**
 * Boots Python with Paravent's crypto core: Pyodide, libsodium.js bridged in as the JS module
 * `paravent_sodium`, and every module of the pycrypto_wasm wheel imported. Shared by the
 * browser's crypto worker, the Node.js test runner and the snapshot builder
 * (tools/build-snapshot.mjs), so the tests exercise exactly the boot path the browser uses.
 *
 * Booting from scratch runs Python's start-up and imports our modules: seconds. So the build
 * also takes a Pyodide memory snapshot (experimental in Pyodide: `_makeSnapshot`,
 * `_loadSnapshot`) of a runtime booted this way, and the worker restores it instead: the bridge
 * is the only JavaScript object Python holds, named in the snapshot and handed back on restore.
 * The snapshot is taken before any key exists, from the same wheel the manifest lists.
 */

import { createSodiumBridge } from './sodium-bridge.js';
import { packSnapshot, unpackSnapshot } from './snapshot-pages.js';

const BRIDGE = 'paravent_sodium';

// Every module of the wheel but the CPython backend, imported before the snapshot is taken: the
// restored runtime has no copy of the wheel's files, only the modules already in memory.
const IMPORT_EVERYTHING = `
import importlib, pkgutil, pycrypto_wasm
for module in pkgutil.walk_packages(pycrypto_wasm.__path__, "pycrypto_wasm."):
    if module.name != "pycrypto_wasm.backend.pynacl":
        importlib.import_module(module.name)
`;

// JavaScript null arrives in Python as None (not JsNull), as the service expects.
const OPTIONS = { fullStdLib: false, convertNullToNone: true };

async function bridgeOf(sodium) {
  await sodium.ready;
  return createSodiumBridge(sodium);
}

async function bootFromWheel({ loadPyodide, indexURL, sodium, wheel, makeSnapshot = false }) {
  const [pyodide, bridge] = await Promise.all([
    loadPyodide({ indexURL, ...OPTIONS, _makeSnapshot: makeSnapshot }),
    bridgeOf(sodium),
  ]);
  pyodide.registerJsModule(BRIDGE, bridge);
  pyodide.unpackArchive(wheel, 'wheel');
  pyodide.runPython(IMPORT_EVERYTHING);
  return { pyodide, bridge };
}

/**
 * @param {object} options
 * @param {Function} options.loadPyodide  pyodide.mjs's loadPyodide
 * @param {string} options.indexURL       where pyodide.asm.wasm and python_stdlib.zip are served
 * @param {object} options.sodium         libsodium-wrappers' default export
 * @param {Uint8Array} [options.wheel]    the pycrypto_wasm wheel's bytes
 * @param {Uint8Array|Promise<Uint8Array>} [options.snapshot]  a snapshot from
 *   `makeRuntimeSnapshot` (its zero pages left out: snapshot-pages.js), used instead of the
 *   wheel; while it downloads, Pyodide's WebAssembly and libsodium.js start
 */
export async function startPythonRuntime({ loadPyodide, indexURL, sodium, wheel, snapshot }) {
  if (snapshot === undefined) {
    return (await bootFromWheel({ loadPyodide, indexURL, sodium, wheel })).pyodide;
  }
  let bridge = null;
  const restorable = Promise.all([snapshot, bridgeOf(sodium)]).then(([packed, made]) => {
    bridge = made;
    return unpackSnapshot(packed);
  });
  return loadPyodide({
    indexURL, ...OPTIONS, _loadSnapshot: restorable,
    _snapshotDeserializer: (name) => (name === BRIDGE ? bridge : bridge[name]),
  });
}

/** A memory snapshot of the runtime `startPythonRuntime` boots from `wheel`, without its zero
 * pages. */
export async function makeRuntimeSnapshot({ loadPyodide, indexURL, sodium, wheel }) {
  const { pyodide, bridge } = await bootFromWheel(
    { loadPyodide, indexURL, sodium, wheel, makeSnapshot: true });
  const names = new Map(Object.entries(bridge).map(([name, value]) => [value, name]));
  names.set(bridge, BRIDGE);
  return packSnapshot(pyodide.makeMemorySnapshot({
    serializer: (value) => {
      if (!names.has(value)) {
        throw new Error(`the snapshot would hold an unknown JavaScript object: ${value}`);
      }
      return names.get(value);
    },
  }));
}
