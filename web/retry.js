/**
 * How the page and the crypto worker wait for a server whose storage is unavailable or full:
 * the codes that mean "nothing was done, the same request may be sent again", for how long, and
 * the backoff between attempts (0.5 s doubling up to 8 s).
 */

export const STORAGE_CODES = new Set(['storage_unavailable', 'storage_full']);
export const STORAGE_WAIT_MS = 30 * 60_000;

export function backoffMs(attempt) {
  return Math.min(8000, 500 * 2 ** Math.min(attempt, 4));
}
