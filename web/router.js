/** Hash routes: `#/path/segments?query` to a view, re-rendered on every change. */

export function parseHash(hash) {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?');
  return { segments: path.split('/').filter(Boolean), query: new URLSearchParams(query) };
}

export function onRouteChange(render) {
  window.addEventListener('hashchange', () => render(parseHash(location.hash)));
  render(parseHash(location.hash));
}
