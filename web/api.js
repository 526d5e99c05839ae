/**
 * JSON calls to our server, with its errors as ApiError {status, code, message}.
 *
 * A write the server refused without doing anything because its storage is unavailable or full
 * (503 `storage_unavailable`, 507 `storage_full`) or it is busy (503 `server_busy`) is sent again
 * with backoff until it takes it (up to `RETRY_FOR_MS`), so a save keeps the user's edit and
 * succeeds by itself; meanwhile `whileServerWaits` listeners hear the code, then null.
 * A read (GET) fails at once with the code: the view that loads it says so in its place.
 * Any other server failure (5xx) is an ApiError of code `server_error`, the server's own
 * `internal_error` included: the page never mistakes it for one of its own (the crypto worker's).
 */

import { backoffMs, RETRIED_CODES, RETRY_FOR_MS } from './retry.js';

export class ApiError extends Error {
  constructor(status, { code, message }) {
    super(message);
    this.status = status;
    this.code = status >= 500 && !RETRIED_CODES.has(code) ? 'server_error' : code;
  }
}

const waitListeners = new Set();

/** Calls `listener(code)` while a write waits for the server (see above), `listener(null)`
 * once it no longer waits; returns the function that stops listening. */
export function whileServerWaits(listener) {
  waitListeners.add(listener);
  return () => waitListeners.delete(listener);
}

const tellWaiting = (code) => waitListeners.forEach((listener) => listener(code));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function send(method, path, body) {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError(response.status, data.error ?? { code: 'http_error', message: response.statusText });
  }
  return data;
}

export async function api(method, path, body) {
  const since = Date.now();
  let waited = false;
  try {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await send(method, path, body);
      } catch (error) {
        if (method === 'GET' || !RETRIED_CODES.has(error.code)
            || Date.now() - since > RETRY_FOR_MS) {
          throw error;
        }
        waited = true;
        tellWaiting(error.code);
        await sleep(backoffMs(attempt));
      }
    }
  } finally {
    if (waited) {
      tellWaiting(null);
    }
  }
}

/**
 * A list the server pages (`limit` rows a page, `next` naming the following one, null on the
 * last), read whole: the rows of `field` of every page, after the first page's other fields.
 * `get` reads one page (JSON); the crypto worker passes its own retrying request.
 */
export async function allPages(path, field, get = (url) => api('GET', url)) {
  const first = await get(path);
  const rows = [...first[field]];
  const separator = path.includes('?') ? '&' : '?';
  for (let next = first.next; next;) {
    const page = await get(`${path}${separator}cursor=${encodeURIComponent(next)}`);
    rows.push(...page[field]);
    next = page.next;
  }
  return { ...first, [field]: rows, next: null };
}
