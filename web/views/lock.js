/**
 * The lock screen: the server session goes on (locked by the idle lock, or only without keys
 * after a reload) but the keys are not in this page. Its user unlocks with their passkey (the
 * page they were on and their unsent text come back); the next person at a shared workstation
 * uses Switch user (the first one is signed out); or the user signs out.
 */

import { h, show } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { session, switchUser, unlockWithPasskey } from '../session.js';
import { attempt, errorBox } from './feedback.js';

/** `reason`: 'idle' (the idle lock wiped the keys) or 'reloaded' (a reloaded page never has
 * them); a session the server holds locked was locked, whatever this page saw. */
export function renderLocked(root, reason, onSignOut) {
  const box = errorBox();
  const unlock = h('button', { type: 'button', id: 'unlock-passkey', class: 'primary' },
    t('lock.unlock'));
  unlock.addEventListener('click', () => attempt(unlock, box, unlockWithPasskey));
  const switchButton = h('button', { type: 'button', id: 'lock-switch-user' }, t('lock.switchUser'));
  switchButton.addEventListener('click', () => attempt(switchButton, box, switchUser));
  const signOut = h('button', { type: 'button', id: 'lock-sign-out', onclick: onSignOut },
    t('nav.signOut'));
  const why = session.locked || reason === 'idle' ? 'lock.idle' : 'lock.reloaded';
  show(root, h('section', { class: 'panel', id: 'lock-screen' },
    h('h1', {}, t('lock.title')),
    h('p', { id: 'lock-reason' }, t(why, { name: session.user?.display_name ?? '' })),
    h('div', { class: 'actions' }, unlock, switchButton, signOut),
    h('p', { class: 'hint', id: 'lock-switch-hint' }, t('lock.switchHint')),
    box));
}
