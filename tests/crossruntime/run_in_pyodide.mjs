/**
 * Runs a Python file under real Pyodide with libsodium.js in Node.js, through the same boot path
 * as the browser's crypto worker (web/worker/python-runtime.js), with the built wheel and the
 * vendored browser assets, or restored from the worker's memory snapshot as the browser does.
 * The file must define `main(input: str) -> str`; this script feeds it standard input and prints
 * what it returns.
 *
 * Usage: node tests/crossruntime/run_in_pyodide.mjs <file.py> <wheel.whl> [snapshot.bin]
 *        < input > output
 */

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const vendor = resolve(root, 'static/vendor');
const { loadPyodide } = await import(resolve(vendor, 'pyodide/pyodide.mjs'));
const { default: sodium } = await import(resolve(vendor, 'libsodium/libsodium-wrappers.mjs'));
const { startPythonRuntime } = await import(resolve(root, 'web/worker/python-runtime.js'));

const [scriptPath, wheelPath, snapshotPath] = process.argv.slice(2);
const pyodide = await startPythonRuntime({
  loadPyodide,
  indexURL: `${resolve(vendor, 'pyodide')}/`,
  sodium,
  wheel: new Uint8Array(readFileSync(wheelPath)),
  snapshot: snapshotPath && new Uint8Array(readFileSync(snapshotPath)),
});
// Read to the end as a stream: readFileSync(0) fails (EAGAIN) on a pipe still being written
// once the input is larger than the pipe's buffer (64 KiB).
const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const input = Buffer.concat(chunks).toString('utf8');
const namespace = pyodide.globals.get('dict')();
pyodide.runPython(readFileSync(scriptPath, 'utf8'), { globals: namespace });
process.stdout.write(namespace.get('main')(input));
