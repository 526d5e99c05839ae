/**
 * Boots Python with Paravent's crypto core: Pyodide, libsodium.js bridged in as the JS module
 * `paravent_sodium`, and the pycrypto_wasm wheel. Shared by the browser's crypto worker and the
 * Node.js test runner, so the tests exercise exactly the boot path the browser uses.
 */

import { createSodiumBridge } from './sodium-bridge.js';

/**
 * @param {object} options
 * @param {Function} options.loadPyodide  pyodide.mjs's loadPyodide
 * @param {string} options.indexURL       where pyodide.asm.wasm and python_stdlib.zip are served
 * @param {object} options.sodium         libsodium-wrappers' default export
 * @param {Uint8Array} options.wheel      the pycrypto_wasm wheel's bytes
 */
export async function startPythonRuntime({ loadPyodide, indexURL, sodium, wheel }) {
  const [pyodide] = await Promise.all([
    // JavaScript null arrives in Python as None (not JsNull), as the service expects.
    loadPyodide({ indexURL, fullStdLib: false, convertNullToNone: true }),
    sodium.ready,
  ]);
  pyodide.registerJsModule('paravent_sodium', createSodiumBridge(sodium));
  pyodide.unpackArchive(wheel, 'wheel');
  pyodide.pyimport('pycrypto_wasm.backend');
  return pyodide;
}
