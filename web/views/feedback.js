/**
 * Showing the outcome of an action: errors and confirmations. An error is shown in the UI's
 * language from its `code` (the server's, the crypto worker's typed errors, transfers'); the
 * English detail the code carries is added only where it names the item concerned (a file, a
 * log entry), marked as English. Errors are alerts; confirmations are announced politely.
 */

import { whileServerWaits } from '../api.js';
import { fill, h, show } from '../dom.js';
import { hasMessage, t } from '../i18n/i18n.js';
import { toast } from '../toast.js';
import { markSaved } from '../unsent.js';

/** Codes whose English message names what was affected (which file, which entry). */
const NAMING_ITEM = new Set([
  'tampered_block', 'broken_chain', 'replayed_version', 'bad_signature', 'wrong_context',
  'malformed_stream', 'download_failed', 'unverified_user', 'withheld_version', 'revoked_user',
]);

/** An alert box, hidden until an error is shown in it; `id` names it where a panel holds
 * several (a section's own box beside those of the panels it contains). */
export function errorBox(id) {
  return h('p', { class: 'error', role: 'alert', hidden: true, tabindex: -1, id });
}

/** An error from our own UI code, already in the user's language (no code to translate). */
export function uiError(text) {
  return { text };
}

function errorText(error) {
  if (error?.text) {
    return [error.text];
  }
  const code = error?.code;
  const detail = error?.message ?? String(error);
  if (code && hasMessage(`error.${code}`)) {
    return [t(`error.${code}`, error.values ?? {}), NAMING_ITEM.has(code) && detail
      ? [' ', h('span', { class: 'error-detail', lang: 'en' }, detail)] : null];
  }
  return [t('error.unexpected', { code: code ?? '—' }), ' ',
    h('span', { class: 'error-detail', lang: 'en' }, detail)];
}

/** Shows `error` in `box`; `focus` (after something the person did) moves focus to it. */
export function showError(box, error, { focus = false } = {}) {
  fill(box, ...errorText(error));
  box.hidden = false;
  if (focus) {
    box.focus();
  }
}

/** A box for confirmations ("Dossier … saved"), read out by screen readers when filled. */
export function noticeBox(id) {
  return h('p', { id, class: 'success', role: 'status', tabindex: -1 });
}

/** Shows confirmation `text` in `box`, and as a toast in view wherever the page is scrolled. */
export function showNotice(box, text) {
  box.textContent = text;
  if (text) {
    toast(text);
  }
}

/** Runs `action` with `button` disabled, reporting any failure in `box`, and in the meantime
 * that it waits for the server ("Storage unavailable, retrying…": the request is sent again by
 * itself, nothing the person typed is lost). Once it succeeds, what the button's form holds is
 * saved: no longer unsent text to warn about or keep across the lock. */
export async function attempt(button, box, action) {
  box.hidden = true;
  button.disabled = true;
  const stopListening = whileServerWaits((code) => {
    box.hidden = !code;
    box.dataset.waiting = code ?? '';
    if (code) {
      fill(box, t(`wait.${code}`));
    }
  });
  try {
    const done = await action();
    if (button.form) {
      markSaved(button.form);
    }
    return done;
  } catch (error) {
    showError(box, error, { focus: true });
    return undefined;
  } finally {
    stopListening();
    delete box.dataset.waiting;
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
