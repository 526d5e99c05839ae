/** Showing the outcome of an action: errors (with the server's or worker's reason) and notices. */

import { h } from '../dom.js';
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
