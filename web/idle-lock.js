/**
 * The idle lock for shared workstations: after a stretch without keyboard, pointer or touch
 * activity, `onIdle` runs (it seals unsent text, locks the server session, wipes the worker's keys
 * and asks for the passkey again: session.js `lock`).
 *
 * A minute before (half the delay when it is shorter than two minutes) a warning shows a
 * countdown: any key, pointer or touch keeps the session, as does its "Stay signed in" button.
 * The warning is a non-modal dialog that takes no focus, so the key that dismisses it still
 * reaches the field being typed in; its first sentence is announced (role=alert).
 */

import { h } from './dom.js';
import { t } from './i18n/i18n.js';

const ACTIVITY = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'];
export const WARNING_SECONDS = 60;

function countdownText(seconds) {
  const minutes = Math.floor(seconds / 60);
  return t('idle.countdown', { time: `${minutes}:${String(seconds % 60).padStart(2, '0')}` });
}

/** The warning dialog, drawn outside the view (re-renders leave it alone). */
function warningDialog(onStay) {
  const countdown = h('p', { id: 'idle-warning-countdown', class: 'idle-countdown' });
  const dialog = h('dialog', { id: 'idle-warning', class: 'idle-warning',
    'aria-labelledby': 'idle-warning-title', 'aria-describedby': 'idle-warning-text' },
  h('h2', { id: 'idle-warning-title' }, t('idle.title')),
  h('p', { id: 'idle-warning-text', role: 'alert' }, t('idle.explain')),
  countdown,
  h('button', { type: 'button', id: 'idle-stay', class: 'primary', onclick: onStay }, t('idle.stay')));
  return { dialog, countdown };
}

export function startIdleLock(seconds, onIdle) {
  const warnFor = Math.min(WARNING_SECONDS, Math.floor(seconds / 2));
  let lockAt = 0;
  let warnTimer = null;
  let lockTimer = null;
  let ticker = null;
  let warning = null;

  const hideWarning = () => {
    clearInterval(ticker);
    warning?.dialog.remove();
    warning = null;
  };
  const tick = () => {
    const left = Math.max(0, Math.ceil((lockAt - Date.now()) / 1000));
    warning.countdown.textContent = countdownText(left);
  };
  const showWarning = () => {
    warning = warningDialog(() => reset());
    document.body.append(warning.dialog);
    // `open` rather than show(): the dialog must not take focus from the field being typed in.
    warning.dialog.setAttribute('open', '');
    tick();
    ticker = setInterval(tick, 1000);
  };
  const stop = () => {
    clearTimeout(warnTimer);
    clearTimeout(lockTimer);
    hideWarning();
    ACTIVITY.forEach((event) => window.removeEventListener(event, reset, true));
  };
  function reset() {
    clearTimeout(warnTimer);
    clearTimeout(lockTimer);
    hideWarning();
    lockAt = Date.now() + seconds * 1000;
    warnTimer = setTimeout(showWarning, (seconds - warnFor) * 1000);
    lockTimer = setTimeout(() => {
      stop();
      onIdle();
    }, seconds * 1000);
  }
  ACTIVITY.forEach((event) => window.addEventListener(event, reset, { capture: true, passive: true }));
  reset();
  return stop;
}
