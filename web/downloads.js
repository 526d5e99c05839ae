/**
 * Where a downloaded file's plaintext goes. Saving: the crypto worker streams it straight to
 * the downloads service worker (a MessageChannel between them, the page only watches), which
 * feeds the browser's download manager as blocks are decrypted, so memory stays bounded.
 * Previews: a file of limited size read into an in-memory Blob, never onto the disk.
 */

import { cryptoClient } from './crypto-client.js';
import { h } from './dom.js';

const SCOPE = '/downloads/';
export const PREVIEW_LIMIT = 64 * 1024 * 1024;

let registration = null;

/**
 * The downloads service worker of this release, activated. The first time in a page, the
 * registration is checked for a newer script (a worker left by an older release may not speak
 * the crypto worker's protocol) and the newest worker is the one used.
 */
async function downloadsWorker() {
  registration ??= navigator.serviceWorker.register(`${SCOPE}service-worker.js`, { scope: SCOPE })
    .then((registered) => registered.update().then(() => registered, () => registered));
  const { active, waiting, installing } = await registration;
  const worker = installing ?? waiting ?? active;
  while (worker.state !== 'activated') {
    if (worker.state === 'redundant') {
      throw Object.assign(new Error('the download helper could not start; reload the page'),
        { code: 'download_helper_failed' });
    }
    await new Promise((resolve) => worker.addEventListener('statechange', resolve, { once: true }));
  }
  return worker;
}

function randomId() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)),
    (byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function saveAsBlob(workspaceId, document, onProgress) {
  const { stream, name, finished } = await cryptoClient().download(workspaceId, document, onProgress);
  const url = URL.createObjectURL(await new Response(stream).blob());
  h('a', { href: url, download: name }).click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return finished;
}

/**
 * Saves a file document through the browser's download manager; resolves once all of it was
 * checked and handed over (rejects naming the block that failed). The service worker answers
 * the navigation of a hidden frame (a plain link to a download would bypass it).
 */
export async function saveDownload(workspaceId, document, onProgress) {
  if (!('serviceWorker' in navigator)) {
    return saveAsBlob(workspaceId, document, onProgress);
  }
  const worker = await downloadsWorker();
  const id = randomId();
  const toServiceWorker = new MessageChannel();
  const acknowledgement = new MessageChannel();
  const expected = new Promise((resolve) => { acknowledgement.port1.onmessage = resolve; });
  worker.postMessage({ id }, [toServiceWorker.port2, acknowledgement.port2]);
  await expected;
  const { name, finished } = await cryptoClient().download(workspaceId, document, onProgress,
    toServiceWorker.port1);
  const frame = h('iframe', { src: `${SCOPE}${id}`, hidden: true, title: name });
  window.document.body.append(frame);
  return finished.finally(() => setTimeout(() => frame.remove(), 1000));
}

/** The whole of a (small) file document as an in-memory Blob, once all of it was checked. */
export async function previewBlob(workspaceId, document) {
  const { stream, mime, finished } = await cryptoClient().download(workspaceId, document, () => {});
  const [blob] = await Promise.all([
    new Response(stream, { headers: { 'Content-Type': mime } }).blob(), finished]);
  return blob;
}
