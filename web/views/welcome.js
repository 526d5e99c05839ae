/** Signed out: sign in with a passkey, or go to the recovery code. Also finishes a sign-in
 * whose passkey cannot unlock the keys (no PRF), with the recovery code. (Locked: lock.js.) */

import { h, show } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { finishWithRecoveryCode, session, signInWithPasskey } from '../session.js';
import { attempt, errorBox, showError } from './feedback.js';

function needsRecoveryCode(root) {
  const box = errorBox();
  const input = h('textarea', { id: 'unlock-recovery-code', rows: 2, autocomplete: 'off',
    spellcheck: 'false' });
  const submit = h('button', { type: 'submit' }, t('welcome.unlock'));
  const form = h('form', { onsubmit: (event) => {
    event.preventDefault();
    attempt(submit, box, () => finishWithRecoveryCode(input.value));
  } },
  h('label', { for: 'unlock-recovery-code' }, t('recovery.label')), input, submit);
  show(root, h('section', { class: 'panel' },
    h('h1', {}, t('welcome.noPrfTitle')),
    h('p', { id: 'no-prf-explanation' }, t('welcome.noPrf')), form, box));
}

export function renderWelcome(root) {
  if (session.pendingUnlock) {
    needsRecoveryCode(root);
    return;
  }
  const box = errorBox();
  const button = h('button', { type: 'button', id: 'sign-in-passkey', class: 'primary' },
    t('welcome.signIn'));
  button.addEventListener('click', () => attempt(button, box, signInWithPasskey));
  if (session.endedBecause) {
    showError(box, { code: session.endedBecause });
  }
  show(root, h('section', { class: 'panel' },
    h('h1', {}, t('welcome.title')),
    h('p', {}, t('welcome.explain')),
    button, box,
    h('p', {}, h('a', { href: '#/recovery', id: 'go-recovery' }, t('welcome.lostPasskey')))));
}
