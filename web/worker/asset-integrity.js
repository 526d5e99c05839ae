/**
 * Subresource Integrity inside the crypto worker, and a cache of the assets it fetches. Browsers
 * apply SRI to the page's scripts but not to what a worker fetches, so the worker wraps `fetch`:
 * every request for one of our assets (Pyodide's wasm, its standard library, the Python snapshot,
 * the pycrypto_wasm wheel) carries the SHA-384 listed in the page-verified asset manifest, and a
 * request for an unlisted asset is refused.
 *
 * The browser's HTTP cache does not keep the largest of them (the 31 MB snapshot and Pyodide's
 * 9.6 MB wasm were fetched from the server again on every start), so each verified asset is also
 * kept in Cache Storage under its release-specific URL, and served from there on the next start
 * once its bytes match the manifest's hash again; a cached copy that does not is dropped and
 * fetched anew. Assets of other releases are removed. These are public files: no key, no
 * plaintext (the snapshot is taken before any key exists).
 */

const CACHE = 'paravent-assets';

function base64(bytes) {
  return btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(''));
}

async function matchesIntegrity(bytes, sri) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-384', bytes));
  return sri === `sha384-${base64(digest)}`;
}

/** The asset at `url` from Cache Storage if its bytes still match `sri`, else null. */
async function fromCache(cache, url, sri) {
  const cached = await cache.match(url);
  if (cached === undefined) {
    return null;
  }
  const bytes = await cached.arrayBuffer();
  if (!(await matchesIntegrity(bytes, sri))) {
    await cache.delete(url);
    return null;
  }
  return new Response(bytes, { status: 200, headers: cached.headers });
}

async function cachedFetch(nativeFetch, url, sri) {
  const cache = await caches.open(CACHE).catch(() => null);
  const hit = cache && await fromCache(cache, url, sri).catch(() => null);
  if (hit) {
    return hit;
  }
  const response = await nativeFetch(url, { integrity: sri });
  if (cache && response.ok) {
    cache.put(url, response.clone()).catch(() => {});
  }
  return response;
}

async function forgetOtherReleases(manifest, assetBase) {
  const cache = await caches.open(CACHE);
  const listed = (url) => url.startsWith(assetBase)
    && manifest.files[url.slice(assetBase.length)] !== undefined;
  await Promise.all((await cache.keys()).filter((request) => !listed(request.url))
    .map((request) => cache.delete(request)));
}

export function enforceAssetIntegrity(manifest, assetBase) {
  const nativeFetch = globalThis.fetch.bind(globalThis);
  const caching = 'caches' in globalThis;
  if (caching) {
    forgetOtherReleases(manifest, assetBase).catch(() => {});
  }
  globalThis.fetch = (resource, init = {}) => {
    const url = new URL(resource instanceof Request ? resource.url : resource, assetBase);
    if (!url.href.startsWith(assetBase)) {
      return nativeFetch(resource, init);
    }
    const entry = manifest.files[url.href.slice(assetBase.length)];
    if (entry === undefined) {
      return Promise.reject(new TypeError(`${url.pathname} is not a listed asset`));
    }
    if (caching && (init.method ?? 'GET') === 'GET') {
      return cachedFetch(nativeFetch, url.href, entry.sri);
    }
    return nativeFetch(url, { ...init, integrity: entry.sri });
  };
}
