/** Shows a recovery code once, with copy and print, until the user says it is stored. */

import { h } from '../dom.js';
import { t } from '../i18n/i18n.js';

export function recoveryCodePanel(code, onDone) {
  const stored = h('input', { type: 'checkbox', id: 'recovery-stored' });
  const done = h('button', { type: 'button', id: 'recovery-done', disabled: true, onclick: onDone },
    t('recovery.continue'));
  stored.addEventListener('change', () => { done.disabled = !stored.checked; });
  return h('section', { class: 'panel recovery-panel', 'aria-labelledby': 'recovery-title' },
    h('h2', { id: 'recovery-title' }, t('recovery.title')),
    h('p', {}, t('recovery.explain')),
    h('output', { id: 'recovery-code', class: 'recovery-code' }, code),
    h('div', { class: 'actions no-print' },
      h('button', { type: 'button', onclick: () => navigator.clipboard?.writeText(code) },
        t('recovery.copy')),
      h('button', { type: 'button', onclick: () => window.print() }, t('recovery.print'))),
    h('div', { class: 'field-inline no-print' }, stored,
      h('label', { for: 'recovery-stored' }, t('recovery.stored'))),
    h('div', { class: 'actions no-print' }, done));
}
