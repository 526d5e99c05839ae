/**
 * The crypto worker: holds every unlocked key and runs pycrypto_wasm under Pyodide, off the main
 * thread. Protocol (structured-clone messages):
 *   page -> worker  {type: 'boot', manifest}            once, with the SRI-verified manifest
 *   worker -> page  {type: 'state', state: 'ready'|'error', detail} (when ready, detail.boot
 *                    says whether Python was restored from the 'snapshot' or booted from the 'wheel')
 *   page -> worker  {type: 'call', id, method, params}
 *   worker -> page  {type: 'reply', id, ok, result | error}   (result buffers are transferred)
 *   page -> worker  {type: 'upload', id, file, workspaceId, dossierId, fileId?} |
 *                   {type: 'download', id, workspaceId, document, port?} | {type: 'cancel', id}
 *   worker -> page  {type: 'progress', id, done, total, waiting}, then the reply. A download's
 *                    plaintext goes to `port` (the downloads service worker, block by block:
 *                    download-port.js) or, without one, as a ReadableStream in the reply;
 *                    {type: 'finished', id, ok, error} follows once it has all been read.
 * Replies carry only what the UI displays; keys never leave this worker: the methods that hand
 * block keys to the worker's own WebCrypto (pycrypto_wasm.service.file_blocks.WORKER_ONLY) are
 * refused to the page.
 */

import { loadPyodide } from '../../vendor/pyodide/pyodide.mjs';
import sodium from '../../vendor/libsodium/libsodium-wrappers.mjs';
import { assetBytes, enforceAssetIntegrity, nextAlteredStream } from './asset-integrity.js';
import { sendDownload } from './download-port.js';
import { startPythonRuntime } from './python-runtime.js';
import { download, upload } from './transfers.js';

performance.mark('worker-evaluated');
const assetBase = new URL('../../', import.meta.url).href;
let service = null;
let pyodide = null;
let workerOnly = new Set();
let bootedFrom = null;

const SNAPSHOT = 'snapshots/pyodide-snapshot.bin';

function wheelPath(manifest) {
  const wheels = Object.keys(manifest.files).filter((path) => path.startsWith('wheels/'));
  if (wheels.length !== 1) {
    throw new Error(`expected one pycrypto_wasm wheel in the asset manifest, found ${wheels.length}`);
  }
  return wheels[0];
}

class AlteredAsset extends Error {
  constructor(name) {
    super(`the cached ${name} did not match the asset manifest`);
  }
}

/**
 * Python restored from `snapshot`. A cached asset that Pyodide reads and that turns out altered
 * fails this start (nothing of it ran; Pyodide would wait for its wasm forever): `AlteredAsset`.
 */
function restoreSnapshot(options, snapshot) {
  const altered = nextAlteredStream().then((name) => {
    throw new AlteredAsset(name);
  });
  return Promise.race([startPythonRuntime({ ...options, snapshot }), altered]);
}

/**
 * Python, restored from the release's memory snapshot when it lists one (once more from the
 * server if a cached asset was altered); booted from the wheel when it does not, or when the
 * snapshot, downloaded and checked, does not restore (it is an experimental Pyodide feature:
 * then the worker is only slower to start). A snapshot that fails its integrity check stops the
 * boot, as any altered asset does.
 */
async function startPython(manifest) {
  const options = { loadPyodide, indexURL: `${assetBase}vendor/pyodide/`, sodium };
  if (SNAPSHOT in manifest.files) {
    const snapshot = assetBytes(SNAPSHOT).then((bytes) => {
      performance.mark('snapshot-bytes');
      return bytes;
    });
    try {
      const restored = await restoreSnapshot(options, snapshot).catch((error) => {
        if (!(error instanceof AlteredAsset)) {
          throw error;
        }
        console.warn(`${error.message}; starting again from the server`);
        return restoreSnapshot(options, snapshot);
      });
      bootedFrom = 'snapshot';
      return restored;
    } catch (error) {
      await snapshot;
      console.warn('the Pyodide snapshot did not restore; booting from the wheel', error);
    }
  }
  bootedFrom = 'wheel';
  return startPythonRuntime({ ...options, wheel: await assetBytes(wheelPath(manifest)) });
}

async function boot(manifest) {
  performance.mark('boot-message');
  enforceAssetIntegrity(manifest, assetBase);
  pyodide = await startPython(manifest);
  performance.mark('python-started');
  service = pyodide.pyimport('pycrypto_wasm.service').CryptoService();
  workerOnly = new Set(pyodide.pyimport('pycrypto_wasm.service.file_blocks').WORKER_ONLY.toJs());
  performance.mark('service-made');
  const status = call('selftest', {});
  performance.mark('selftest-done');
  return status;
}

function buffersOf(value, found = []) {
  if (ArrayBuffer.isView(value)) {
    found.push(value.buffer);
  } else if (value !== null && typeof value === 'object') {
    Object.values(value).forEach((item) => buffersOf(item, found));
  }
  return found;
}

function call(method, params) {
  const pyParams = pyodide.toPy(params ?? {});
  let reply;
  try {
    reply = service.handle(method, pyParams);
  } finally {
    pyParams.destroy?.();
  }
  try {
    return reply.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
  } finally {
    reply.destroy();
  }
}

function internalError(error) {
  console.error('crypto worker error', error);
  return { ok: false, error: { code: 'internal_error', message: String(error?.message ?? error) } };
}

const cancelled = new Set();

async function transfer(data) {
  const onProgress = (done, total, waiting) => self.postMessage(
    { type: 'progress', id: data.id, done, total, waiting });
  try {
    if (data.type === 'upload') {
      const result = await upload({ call, file: data.file, workspaceId: data.workspaceId,
        dossierId: data.dossierId, fileId: data.fileId, depositFile: data.depositFile,
        onProgress,
        isCancelled: () => cancelled.has(data.id) });
      self.postMessage({ type: 'reply', id: data.id, ok: true, result });
    } else {
      const onEnd = (error) => self.postMessage({ type: 'finished', id: data.id, ok: !error,
        error: error && { code: error.code ?? 'download_failed', message: String(error.message ?? error) } });
      const { stream, ...about } = download({ call, workspaceId: data.workspaceId,
        document: data.document, onProgress, onEnd });
      if (data.port) {
        sendDownload(stream, about, data.port);
        self.postMessage({ type: 'reply', id: data.id, ok: true, result: about });
      } else {
        self.postMessage({ type: 'reply', id: data.id, ok: true, result: { stream, ...about } },
          [stream]);
      }
    }
  } catch (error) {
    self.postMessage({ type: 'reply', id: data.id, ok: false,
      error: { code: error.code ?? 'internal_error', message: String(error.message ?? error) } });
  } finally {
    cancelled.delete(data.id);
  }
}

self.addEventListener('message', async ({ data, ports }) => {
  if (data.type === 'upload' || data.type === 'download') {
    data.port = ports[0];
    transfer(data);
    return;
  }
  if (data.type === 'cancel') {
    cancelled.add(data.id);
    return;
  }
  if (data.type === 'boot') {
    try {
      const status = await boot(data.manifest);
      self.postMessage({
        type: 'state', state: status.ok ? 'ready' : 'error',
        detail: status.ok ? { ...status.result, boot: bootedFrom } : status.error,
      });
    } catch (error) {
      self.postMessage({ type: 'state', state: 'error', detail: { message: String(error) } });
    }
  } else if (data.type === 'call') {
    let reply;
    try {
      if (service === null) {
        reply = { ok: false, error: { code: 'not_ready', message: 'the crypto worker is not ready' } };
      } else if (workerOnly.has(data.method)) {
        reply = { ok: false, error: { code: 'forbidden_method',
          message: `${data.method} is for the crypto worker only` } };
      } else {
        reply = call(data.method, data.params);
      }
    } catch (error) {
      reply = internalError(error);
    }
    self.postMessage({ type: 'reply', id: data.id, ...reply }, buffersOf(reply.result));
  }
});
