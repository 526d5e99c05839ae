/**
 * Requests of file transfers: each retried, server errors a few times and a lost connection
 * until it comes back (up to ten minutes), reporting while it waits. Failures are
 * TransferErrors carrying the server's error code.
 */

export const SERVER_RETRIES = 5;
const OFFLINE_LIMIT_MS = 10 * 60_000;

export class TransferError extends Error {
  constructor({ code, message }) {
    super(message);
    this.code = code;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits `ms`, or less if the browser says the connection is back. */
export function pause(ms) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      self.removeEventListener('online', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    self.addEventListener('online', done);
  });
}

/**
 * One request, retried: server errors a few times, a lost connection until it comes back (up to
 * ten minutes), calling `onWaiting(true)` while it is lost and `onWaiting(false)` when it is back.
 */
export async function request(method, url, body, { json = false, onWaiting = () => {} } = {}) {
  let lostSince = null;
  for (let attempt = 0; ; attempt += 1) {
    let response;
    try {
      response = await fetch(url, {
        method, body, credentials: 'same-origin',
        headers: { 'Content-Type': json ? 'application/json' : 'application/octet-stream' },
      });
    } catch (error) {
      lostSince ??= Date.now();
      if (Date.now() - lostSince > OFFLINE_LIMIT_MS) {
        throw new TransferError({ code: 'network', message: `the connection was lost: ${error}` });
      }
      onWaiting(true);
      await pause(Math.min(5000, 250 * 2 ** Math.min(attempt, 5)));
      continue;
    }
    if (lostSince !== null) {
      lostSince = null;
      onWaiting(false);
    }
    if (response.status < 500) {
      if (!response.ok) {
        const data = await response.json().catch(() => ({}));
        throw new TransferError(data.error ?? { code: 'http_error', message: response.statusText });
      }
      return response;
    }
    if (attempt >= SERVER_RETRIES) {
      throw new TransferError({ code: 'server_error', message: `HTTP ${response.status}` });
    }
    await sleep(250 * 2 ** attempt);
  }
}

