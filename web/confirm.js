/**
 * Asking the user to confirm a destructive action inside the page: a modal <dialog> with the
 * question, Cancel and Confirm. Unlike window.confirm it does not freeze the page (live updates
 * and transfers go on), it is translated and styled like the rest, and keyboard users get the
 * same focus handling as any modal dialog (Escape cancels).
 */

import { h } from './dom.js';
import { t } from './i18n/i18n.js';

/** Resolves true if the user confirms `question`, false if they cancel or dismiss it. */
export function confirmAction(question) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { id: 'confirm-dialog', 'aria-label': question },
      h('p', {}, question),
      h('form', { method: 'dialog', class: 'inline-form' },
        h('button', { value: 'cancel', class: 'confirm-cancel' }, t('confirm.cancel')),
        h('button', { value: 'confirm', class: 'confirm-ok danger' }, t('confirm.ok'))));
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'confirm');
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
