/**
 * How the page and the crypto worker wait for a server that refused a request without doing
 * anything, saying to come back: its storage is unavailable (503 `storage_unavailable`) or full
 * (507 `storage_full`), or it is busy (503 `server_busy`). The codes, for how long, and the
 * backoff between attempts (0.5 s doubling up to 8 s).
 */

export const RETRIED_CODES = new Set(['storage_unavailable', 'storage_full', 'server_busy']);
export const RETRY_FOR_MS = 30 * 60_000;

export function backoffMs(attempt) {
  return Math.min(8000, 500 * 2 ** Math.min(attempt, 4));
}
