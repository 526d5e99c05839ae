/**
 * Hash routes: `#/path/segments?query` to a view, re-rendered on every change; after a change,
 * keyboard focus moves to the new view's main heading, for every view in this one place.
 */

import { mainHeading } from './dom.js';

// How long a route change waits for its view's heading (views may load before drawing it).
const HEADING_WAIT_MS = 30_000;
let stopWaiting = () => {};

export function parseHash(hash) {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?');
  return { segments: path.split('/').filter(Boolean), query: new URLSearchParams(query) };
}

/**
 * Focuses the main heading (h1, else h2) of what `view` shows, as soon as it is drawn, so a
 * keyboard or screen-reader user starts on the page they opened rather than on the link they
 * followed; unless they moved focus themselves meanwhile.
 */
function focusHeadingOnceDrawn(view) {
  stopWaiting();
  const from = document.activeElement;
  const untouched = () => [from, document.body, null].includes(document.activeElement)
    || !document.activeElement.isConnected;
  const focusHeading = () => {
    const heading = mainHeading(view);
    if (!heading) {
      return false;
    }
    if (untouched()) {
      heading.tabIndex = -1;
      heading.focus();
    }
    return true;
  };
  if (focusHeading()) {
    return;
  }
  const observer = new MutationObserver(() => {
    if (focusHeading()) {
      stopWaiting();
    }
  });
  const timer = setTimeout(() => stopWaiting(), HEADING_WAIT_MS);
  stopWaiting = () => {
    observer.disconnect();
    clearTimeout(timer);
    stopWaiting = () => {};
  };
  observer.observe(view, { childList: true, subtree: true });
}

/** Renders the current route now and on every change; `view` is the element views draw in. */
export function onRouteChange(render, view) {
  window.addEventListener('hashchange', () => {
    render(parseHash(location.hash));
    focusHeadingOnceDrawn(view);
  });
  render(parseHash(location.hash));
}
