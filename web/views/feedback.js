/** Showing the outcome of an action: errors (with the server's or worker's reason) and notices. */

import { h, show } from '../dom.js';
import { t } from '../i18n/i18n.js';

export function errorBox() {
  return h('p', { class: 'error', role: 'alert', hidden: true });
}

export function showError(box, error) {
  const key = `error.${error?.code}`;
  const known = t(key) !== key;
  box.textContent = known ? t(key) : t('error.generic', { detail: error?.message ?? String(error) });
  box.hidden = false;
}

/** Runs `action` with `button` disabled, reporting any failure in `box`. */
export async function attempt(button, box, action) {
  box.hidden = true;
  button.disabled = true;
  try {
    return await action();
  } catch (error) {
    showError(box, error);
    return undefined;
  } finally {
    button.disabled = false;
  }
}

/** Loads what a view needs; on failure shows `title` and the reason in `root`, returns null. */
export async function loadOrExplain(root, title, load) {
  try {
    return await load();
  } catch (error) {
    const box = errorBox();
    show(root, h('section', { class: 'panel' }, h('h1', {}, title), box));
    showError(box, error);
    return null;
  }
}
