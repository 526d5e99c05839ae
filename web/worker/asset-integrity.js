/**
 * Subresource Integrity inside the crypto worker, and a cache of the assets it fetches. Browsers
 * apply SRI to the page's scripts but not to what a worker fetches, so the worker wraps `fetch`:
 * every request for one of our assets (Pyodide's wasm, its standard library, the Python snapshot,
 * the pycrypto_wasm wheel) carries the SHA-384 listed in the page-verified asset manifest, and a
 * request for an unlisted asset is refused.
 *
 * The browser's HTTP cache does not keep the largest of them (the snapshot and Pyodide's 9.6 MB
 * wasm were fetched from the server again on every start), so each verified asset is also kept
 * in Cache Storage under its release-specific URL, and checked against the manifest's hash again
 * whenever it is read from there. What Pyodide fetches (its wasm, standard library and lock file)
 * streams out of Cache Storage while its hash is computed, so the wasm compiles meanwhile, and
 * the body ends only once the bytes match: an altered copy makes the read fail (nothing of it
 * runs), is dropped, and the start is tried again from the server (crypto-worker.js).
 * The snapshot is read whole (`assetBytes`) and used only once it matches. Assets of other
 * releases are removed. These are public files: no key, no plaintext (the snapshot is taken
 * before any key exists).
 */

const CACHE = 'paravent-assets';

let nativeFetch = null;
let assets = null;
let cacheOpened = Promise.resolve(null);
let waitingForAlteredStream = [];

function base64(bytes) {
  return btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(''));
}

async function matchesIntegrity(bytes, sri) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-384', bytes));
  return sri === `sha384-${base64(digest)}`;
}

function joined(chunks) {
  const whole = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.length;
  }
  return whole;
}

function dropAltered(cache, url) {
  return cache.delete(url).catch(() => {});
}

/** The cached asset as a response whose body errors at its end unless its bytes match `sri`. */
function checkedWhileRead(cache, url, cached, sri) {
  const name = url.split('/').pop();
  const chunks = [];
  const check = new TransformStream({
    transform(chunk, controller) {
      chunks.push(chunk);
      controller.enqueue(chunk);
    },
    async flush(controller) {
      performance.mark(`cache-read ${name}`);
      const matches = await matchesIntegrity(joined(chunks), sri);
      performance.mark(`cache-hashed ${name}`);
      if (!matches) {
        await dropAltered(cache, url);
        controller.error(new TypeError(`the cached ${name} does not match the asset manifest`));
        waitingForAlteredStream.splice(0).forEach((resolve) => resolve(name));
      }
    },
  });
  return new Response(cached.body.pipeThrough(check), { status: 200, headers: cached.headers });
}

/** The bytes of the cached asset at `url` if they match `sri`, else null. */
async function cachedBytes(cache, url, sri) {
  const name = url.split('/').pop();
  const cached = await cache.match(url);
  if (cached === undefined) {
    return null;
  }
  const bytes = new Uint8Array(await cached.arrayBuffer());
  performance.mark(`cache-read ${name}`);
  const matches = await matchesIntegrity(bytes, sri);
  performance.mark(`cache-hashed ${name}`);
  if (!matches) {
    await dropAltered(cache, url);
    return null;
  }
  return bytes;
}

function keep(cache, url, response) {
  cache?.put(url, response).catch(() => {});
}

function listed(resource) {
  const url = new URL(resource instanceof Request ? resource.url : resource, assets.base);
  if (!url.href.startsWith(assets.base)) {
    return { url, entry: null };
  }
  const entry = assets.manifest.files[url.href.slice(assets.base.length)];
  if (entry === undefined) {
    throw new TypeError(`${url.pathname} is not a listed asset`);
  }
  return { url, entry };
}

async function cachedFetch(url, sri) {
  const cache = await cacheOpened;
  performance.mark(`cache-match-start ${url.split('/').pop()}`);
  const cached = cache && await cache.match(url).catch(() => undefined);
  if (cached?.body) {
    return checkedWhileRead(cache, url, cached, sri);
  }
  const response = await nativeFetch(url, { integrity: sri });
  if (response.ok) {
    keep(cache, url, response.clone());
  }
  return response;
}

/** A listed asset's bytes (`path` relative to the release), checked against the manifest. */
export async function assetBytes(path) {
  const { url, entry } = listed(path);
  const cache = await cacheOpened;
  performance.mark(`cache-match-start ${url.pathname.split('/').pop()}`);
  const hit = cache && await cachedBytes(cache, url.href, entry.sri).catch(() => null);
  if (hit) {
    return hit;
  }
  const response = await nativeFetch(url, { integrity: entry.sri });
  if (!response.ok) {
    throw new Error(`the crypto module could not be downloaded (HTTP ${response.status})`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  keep(cache, url.href, new Response(bytes, { headers: response.headers }));
  return bytes;
}

/** Resolves with the asset's name when a cached copy streamed to Pyodide is next found altered
 * (its read failed, it is dropped: Pyodide may then wait forever for its wasm). */
export function nextAlteredStream() {
  return new Promise((resolve) => waitingForAlteredStream.push(resolve));
}

async function forgetOtherReleases(cache) {
  const isListed = (url) => url.startsWith(assets.base)
    && assets.manifest.files[url.slice(assets.base.length)] !== undefined;
  await Promise.all((await cache.keys()).filter((request) => !isListed(request.url))
    .map((request) => cache.delete(request)));
}

export function enforceAssetIntegrity(manifest, assetBase) {
  nativeFetch = globalThis.fetch.bind(globalThis);
  assets = { manifest, base: assetBase };
  if ('caches' in globalThis) {
    cacheOpened = caches.open(CACHE).catch(() => null);
    cacheOpened.then((cache) => cache && forgetOtherReleases(cache)).catch(() => {});
  }
  globalThis.fetch = (resource, init = {}) => {
    let url;
    let entry;
    try {
      ({ url, entry } = listed(resource));
    } catch (error) {
      return Promise.reject(error);
    }
    if (entry === null) {
      return nativeFetch(resource, init);
    }
    if ((init.method ?? 'GET') === 'GET') {
      return cachedFetch(url.href, entry.sri);
    }
    return nativeFetch(url, { ...init, integrity: entry.sri });
  };
}
