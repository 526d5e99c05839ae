/**
 * The downloads service worker (scope /downloads/): serves a file's checked plaintext as it is
 * decrypted. The page announces a download under a random id with a MessagePort, over which the
 * crypto worker sends the file's ReadableStream, name, type and size; the page then opens
 * /downloads/<id>, and the response streams straight into the browser's download manager, so a
 * large file never sits whole in memory (at most AHEAD blocks wait here). Each id is served once;
 * nothing is cached.
 */

// Blocks taken from the crypto worker ahead of those the download manager has written, so that
// decrypting and saving overlap (with none ahead, each waited for the other: 10-30% slower).
const AHEAD = 16;

const waiting = new Map();

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('message', (event) => {
  const { id } = event.data;
  const [fromCryptoWorker, acknowledgement] = event.ports;
  waiting.set(id, new Promise((resolve) => {
    fromCryptoWorker.onmessage = ({ data }) => resolve(data);
  }));
  acknowledgement.postMessage({ id });
});

function attachment(name) {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

self.addEventListener('fetch', (event) => {
  const match = new URL(event.request.url).pathname.match(/^\/downloads\/([A-Za-z0-9_-]{16,64})$/);
  if (!match) {
    return;
  }
  const announced = waiting.get(match[1]);
  waiting.delete(match[1]);
  const buffered = (stream) => stream.pipeThrough(new TransformStream({}, { highWaterMark: AHEAD }));
  event.respondWith(announced ? announced.then((file) => new Response(buffered(file.stream), { headers: {
      'Content-Type': file.mime || 'application/octet-stream',
      'Content-Disposition': attachment(file.name),
      'Content-Length': String(file.size),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    } })) : new Response('This download has already been used or has expired.',
      { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } }));
});
