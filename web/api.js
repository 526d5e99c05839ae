/** JSON calls to our server, with its errors as ApiError {status, code, message}. */

export class ApiError extends Error {
  constructor(status, { code, message }) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(method, path, body) {
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
