/**
 * The downloads service worker (scope /downloads/): serves a file's checked plaintext as it is
 * decrypted. The page announces a download under a random id with a MessagePort, over which the
 * crypto worker sends the file's name, type and size, then its blocks as this worker asks for
 * them (web/worker/download-port.js); the page then opens /downloads/<id>, and the response
 * streams straight into the browser's download manager, so a large file never sits whole in
 * memory. A few blocks are asked for ahead of the one being written, so that decrypting and
 * saving overlap. Each id is served once; nothing is cached.
 */

const AHEAD = 16; // blocks asked for beyond those the download manager has taken

const waiting = new Map();

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

/** The blocks the crypto worker sends over `port`, as a stream that asks for them as it is read. */
function blocksFrom(port) {
  let asked = 0;
  return new ReadableStream({
    start(controller) {
      port.onmessage = ({ data }) => {
        if (data.block) {
          asked -= 1;
          controller.enqueue(data.block);
        } else if (data.done) {
          controller.close();
        } else {
          controller.error(new Error(data.error));
        }
      };
    },
    pull(controller) {
      const more = controller.desiredSize - asked;
      if (more > 0) {
        asked += more;
        port.postMessage({ pull: more });
      }
    },
    cancel() {
      port.postMessage({ cancel: true });
    },
  }, { highWaterMark: AHEAD });
}

self.addEventListener('message', (event) => {
  const { id } = event.data;
  const [fromCryptoWorker, acknowledgement] = event.ports;
  waiting.set(id, new Promise((resolve) => {
    fromCryptoWorker.onmessage = ({ data }) => resolve({ ...data, stream: blocksFrom(fromCryptoWorker) });
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
  event.respondWith(announced ? announced.then((file) => new Response(file.stream, { headers: {
      'Content-Type': file.mime || 'application/octet-stream',
      'Content-Disposition': attachment(file.name),
      'Content-Length': String(file.size),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    } })) : new Response('This download has already been used or has expired.',
      { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } }));
});
