/**
 * Toasts: a short confirmation drawn at the bottom of the window, where it is seen whatever part
 * of the page the person is working in, gone after a few seconds. Screen readers already hear
 * the confirmation from the notice box beside the action (role=status), so the toast is a visual
 * echo, hidden from them rather than announced twice.
 */

import { h } from './dom.js';

const SHOWN_MS = 6_000;
const MOST = 3;

function holder() {
  let toasts = document.getElementById('toasts');
  if (!toasts) {
    toasts = h('div', { id: 'toasts', class: 'toasts', 'aria-hidden': 'true' });
    document.body.append(toasts);
  }
  return toasts;
}

/** Shows `text` as a toast; `kind` is 'success' or 'error'. */
export function toast(text, kind = 'success') {
  const toasts = holder();
  if (toasts.lastElementChild?.textContent === text) {
    return;
  }
  const shown = h('p', { class: `toast toast-${kind}` }, text);
  toasts.append(shown);
  while (toasts.childElementCount > MOST) {
    toasts.firstElementChild.remove();
  }
  setTimeout(() => shown.remove(), SHOWN_MS);
}
