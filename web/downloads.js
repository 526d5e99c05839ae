/**
 * Where a downloaded file's plaintext goes: saving hands its stream to the downloads service
 * worker, which feeds the browser's download manager as blocks are decrypted (memory stays
 * bounded); previews read a file of limited size into an in-memory Blob, never onto the disk.
 */

import { h } from './dom.js';

const SCOPE = '/downloads/';
export const PREVIEW_LIMIT = 64 * 1024 * 1024;

let registration = null;

async function downloadsWorker() {
  registration ??= navigator.serviceWorker.register(`${SCOPE}service-worker.js`, { scope: SCOPE });
  const { active, waiting, installing } = await registration;
  const worker = active ?? waiting ?? installing;
  while (worker.state !== 'activated') {
    if (worker.state === 'redundant') {
      throw new Error('the download helper could not start; reload the page');
    }
    await new Promise((resolve) => worker.addEventListener('statechange', resolve, { once: true }));
  }
  return worker;
}

function randomId() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)),
    (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Saves a downloaded file ({stream, name, mime, size, finished}) through the browser's download
 * manager. The service worker answers a navigation of a hidden frame (a plain link to a
 * download would bypass it), which stays until the file has been read.
 */
export async function saveFile({ stream, name, mime, size, finished }) {
  if (!('serviceWorker' in navigator)) {
    const url = URL.createObjectURL(await new Response(stream).blob());
    h('a', { href: url, download: name }).click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    return;
  }
  const worker = await downloadsWorker();
  const id = randomId();
  const channel = new MessageChannel();
  const accepted = new Promise((resolve) => { channel.port1.onmessage = resolve; });
  worker.postMessage({ id, stream, name, mime, size }, [stream, channel.port2]);
  await accepted;
  const frame = h('iframe', { src: `${SCOPE}${id}`, hidden: true, title: name });
  document.body.append(frame);
  finished.finally(() => setTimeout(() => frame.remove(), 1000)).catch(() => {});
}

/** The whole of a downloaded file as an in-memory Blob, for previews of limited size. */
export function previewBlob({ stream, mime }) {
  return new Response(stream, { headers: { 'Content-Type': mime } }).blob();
}
