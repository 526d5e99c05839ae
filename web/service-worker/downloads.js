/**
 * The downloads service worker (scope /downloads/): serves a file's checked plaintext as it is
 * decrypted. The page hands it a ReadableStream under a random id, then opens /downloads/<id>;
 * the response streams straight into the browser's download manager, so a large file never sits
 * whole in memory. Each id is served once; nothing is cached.
 */

const waiting = new Map();

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('message', (event) => {
  const { id, stream, name, mime, size } = event.data;
  waiting.set(id, { stream, name, mime, size });
  event.ports[0].postMessage({ id });
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
  const file = waiting.get(match[1]);
  waiting.delete(match[1]);
  event.respondWith(file
    ? new Response(file.stream, { headers: {
      'Content-Type': file.mime || 'application/octet-stream',
      'Content-Disposition': attachment(file.name),
      'Content-Length': String(file.size),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    } })
    : new Response('This download has already been used or has expired.',
      { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } }));
});
