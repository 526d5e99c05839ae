/** Lost every passkey: sign in with the recovery code, then enroll a new passkey at once. */

import { h, show } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { signInWithRecoveryCode } from '../session.js';
import { attempt, errorBox } from './feedback.js';

export function renderRecovery(root) {
  const box = errorBox();
  const input = h('textarea', { id: 'recovery-code-input', rows: 2, autocomplete: 'off',
    spellcheck: 'false', required: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('recovery.signIn'));
  const form = h('form', { onsubmit: async (event) => {
    event.preventDefault();
    await attempt(submit, box, async () => {
      await signInWithRecoveryCode(input.value);
      location.hash = '#/security?enroll=1';
    });
  } },
  h('label', { for: 'recovery-code-input' }, t('recovery.label')), input, submit);
  show(root, h('section', { class: 'panel' },
    h('h1', {}, t('recovery.signInTitle')), h('p', {}, t('recovery.signInExplain')), form, box,
    h('p', {}, h('a', { href: '#/' }, t('nav.back')))));
}
