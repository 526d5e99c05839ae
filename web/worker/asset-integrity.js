/**
 * Subresource Integrity inside the crypto worker. Browsers apply SRI to the page's scripts but
 * not to what a worker fetches, so the worker wraps `fetch`: every request for one of our assets
 * (Pyodide's wasm, its standard library, the pycrypto_wasm wheel) carries the SHA-384 listed in
 * the page-verified asset manifest, and a request for an unlisted asset is refused.
 */

export function enforceAssetIntegrity(manifest, assetBase) {
  const nativeFetch = globalThis.fetch.bind(globalThis);
  globalThis.fetch = (resource, init = {}) => {
    const url = new URL(resource instanceof Request ? resource.url : resource, assetBase);
    if (!url.href.startsWith(assetBase)) {
      return nativeFetch(resource, init);
    }
    const entry = manifest.files[url.href.slice(assetBase.length)];
    if (entry === undefined) {
      return Promise.reject(new TypeError(`${url.pathname} is not a listed asset`));
    }
    return nativeFetch(url, { ...init, integrity: entry.sri });
  };
}
