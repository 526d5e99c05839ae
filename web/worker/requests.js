/**
 * Requests of file transfers: each retried, server errors a few times, a lost connection until
 * it comes back (up to ten minutes) and a server whose storage is unavailable or full, or that is
 * busy (503, 507: nothing was done) until it takes it (up to half an hour; web/retry.js),
 * reporting why it waits. Failures are
 * TransferErrors carrying the server's error code.
 */

import { backoffMs, RETRIED_CODES, RETRY_FOR_MS } from '../retry.js';

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
 * One request, retried: server errors a few times, a lost connection and unavailable or full
 * storage or a busy server until they are back, calling `onWaiting(why)` while it waits
 * ('connection', or the server's code: 'storage_unavailable', 'storage_full', 'server_busy') and
 * `onWaiting(false)` when it no longer
 * does.
 */
export async function request(method, url, body, { json = false, onWaiting = () => {} } = {}) {
  let waitingSince = null;
  const wait = (why, limitMs, failure) => {
    waitingSince ??= Date.now();
    if (Date.now() - waitingSince > limitMs) {
      throw new TransferError(failure);
    }
    onWaiting(why);
  };
  for (let attempt = 0; ; attempt += 1) {
    let response;
    try {
      response = await fetch(url, {
        method, body, credentials: 'same-origin',
        headers: { 'Content-Type': json ? 'application/json' : 'application/octet-stream' },
      });
    } catch (error) {
      wait('connection', OFFLINE_LIMIT_MS,
        { code: 'network', message: `the connection was lost: ${error}` });
      await pause(Math.min(5000, 250 * 2 ** Math.min(attempt, 5)));
      continue;
    }
    const failure = response.ok ? null
      : await response.json().then((data) => data.error).catch(() => null);
    if (RETRIED_CODES.has(failure?.code)) {
      wait(failure.code, RETRY_FOR_MS, failure);
      await pause(backoffMs(attempt));
      continue;
    }
    if (waitingSince !== null) {
      waitingSince = null;
      onWaiting(false);
    }
    if (response.status < 500) {
      if (!response.ok) {
        throw new TransferError(failure ?? { code: 'http_error', message: response.statusText });
      }
      return response;
    }
    if (attempt >= SERVER_RETRIES) {
      throw new TransferError({ code: 'server_error', message: `HTTP ${response.status}` });
    }
    await sleep(250 * 2 ** attempt);
  }
}
