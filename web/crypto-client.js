/**
 * The page's handle on the crypto worker: starts it, verifies the asset manifest it boots from,
 * tracks its state (loading / ready / error) and turns RPC calls into promises. Calls made while
 * the worker is still loading wait for it (a passkey ceremony can run meanwhile: only its PRF
 * output waits for the worker, not the user).
 */

const BOOT_TIMEOUT_MS = 60_000;

let current = null;

export class CryptoError extends Error {
  constructor({ code, message }) {
    super(message);
    this.code = code;
  }
}

export class CryptoClient {
  #worker;
  #pending = new Map();
  #progress = new Map();
  #finishing = new Map();
  #nextId = 1;
  #listeners = new Set();
  state = 'loading';
  detail = null;

  constructor(worker) {
    this.#worker = worker;
    worker.addEventListener('message', ({ data }) => this.#receive(data));
    worker.addEventListener('error', (event) => {
      this.#setState('error', { message: event.message || 'the crypto worker failed to start' });
    });
  }

  onStateChange(listener) {
    this.#listeners.add(listener);
    listener(this.state, this.detail);
  }

  /** Resolves when the worker is ready; rejects with a CryptoError if it cannot start. */
  whenReady() {
    return new Promise((resolve, reject) => {
      const listener = (state) => {
        if (state !== 'loading') {
          this.#listeners.delete(listener);
          if (state === 'ready') {
            resolve();
          } else {
            reject(new CryptoError({ code: 'not_ready', message: 'encryption is unavailable' }));
          }
        }
      };
      this.onStateChange(listener);
    });
  }

  /** Calls `method` in the worker (once it is ready); resolves with its result or rejects with
   * a CryptoError. */
  async call(method, params = {}, transfer = []) {
    await this.whenReady();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ type: 'call', id, method, params }, transfer);
    });
  }

  /** Encrypts and uploads `file` in the worker; `onProgress(done, total, waiting)` as blocks
   * land (`waiting` says why it is paused: 'connection' while the connection is lost,
   * 'storage_unavailable' or 'storage_full' while the server's storage is; the upload resumes
   * when it is back).
   * `fileId` names the new file (a batch's result), else the worker picks a new id.
   * `depositFile` ('<deposit id>.<index>') files a verified drop-box deposit's file: its
   * manifest then carries the deposit's "from outside" mark (the worker writes it).
   * Returns {promise, cancel}. */
  upload(file, workspaceId, dossierId, onProgress, fileId = null, depositFile = null) {
    const { id, promise, cancel } = this.#transfer(
      { type: 'upload', file, workspaceId, dossierId, fileId, depositFile }, onProgress);
    return { promise: promise.finally(() => this.#progress.delete(id)), cancel };
  }

  /**
   * Downloads a file document through the worker, which checks and decrypts it block by block.
   * Its plaintext stream goes to `port` if given (the downloads service worker), else comes
   * back as `stream`. Resolves with {stream?, name, mime, size, finished}: `finished` settles
   * when the stream has all been read (or rejects naming what failed).
   */
  async download(workspaceId, document, onProgress, port = null) {
    const { id, promise } = this.#transfer({ type: 'download', workspaceId, document },
      onProgress, port ? [port] : []);
    const finished = new Promise((resolve, reject) => this.#finishing.set(id, { resolve, reject }))
      .finally(() => {
        this.#progress.delete(id);
        this.#finishing.delete(id);
      });
    finished.catch(() => {});
    const about = await promise.catch((error) => {
      this.#finishing.get(id)?.resolve();
      throw error;
    });
    return { ...about, finished };
  }

  #transfer(message, onProgress, transfer = []) {
    const id = this.#nextId++;
    this.#progress.set(id, onProgress);
    const promise = new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...message, id }, transfer);
    });
    return { id, promise, cancel: () => this.#worker.postMessage({ type: 'cancel', id }) };
  }

  failBoot(message) {
    if (this.state === 'loading') {
      this.#setState('error', { message });
      this.#worker.terminate();
    }
  }

  #receive(data) {
    if (data.type === 'state') {
      this.#setState(data.state, data.detail);
    } else if (data.type === 'finished') {
      const finishing = this.#finishing.get(data.id);
      if (data.ok) {
        finishing?.resolve();
      } else {
        finishing?.reject(new CryptoError(data.error));
      }
    } else if (data.type === 'progress') {
      this.#progress.get(data.id)?.(data.done, data.total, data.waiting);
    } else if (data.type === 'reply') {
      const pending = this.#pending.get(data.id);
      this.#pending.delete(data.id);
      if (data.ok) {
        pending?.resolve(data.result);
      } else {
        pending?.reject(new CryptoError(data.error));
      }
    }
  }

  #setState(state, detail) {
    this.state = state;
    this.detail = detail;
    this.#listeners.forEach((listener) => listener(state, detail));
  }
}

async function fetchManifest(url, integrity) {
  const response = await fetch(url, { integrity });
  if (!response.ok) {
    throw new Error(`the asset manifest could not be loaded (HTTP ${response.status})`);
  }
  return response.json();
}

/** Starts the worker from the release named on the page; the client is also `cryptoClient()`. */
export function startCryptoWorker({ assetBase, manifestUrl, manifestIntegrity }) {
  const worker = new Worker(new URL('web/worker/crypto-worker.js', assetBase), { type: 'module' });
  const client = new CryptoClient(worker);
  current = client;
  const timer = setTimeout(
    () => client.failBoot('encryption did not start in time; reload the page'), BOOT_TIMEOUT_MS);
  client.onStateChange((state) => { if (state !== 'loading') clearTimeout(timer); });
  fetchManifest(manifestUrl, manifestIntegrity)
    .then((manifest) => worker.postMessage({ type: 'boot', manifest }))
    .catch((error) => client.failBoot(error.message));
  return client;
}

/** The running crypto client, or null before `startCryptoWorker`. */
export function cryptoClient() {
  return current;
}
