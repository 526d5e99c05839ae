/** The invitation channel over Socket.IO (see api/identity/invitation_channel.py), the form
 * where each person types the code the other reads aloud, and what each page says when the
 * exchange is aborted, or when a code did not match and a fresh exchange starts (a likely
 * mishearing, with the tries left; only the last try is worded as a possible interception). */

import { h } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { attempt, errorBox } from './feedback.js';

/** The worker's refusals that end the invitation: the page aborts it with their code. A code
 * that does not match (`sas_mismatch`) uses one try instead (the server cancels at the last). */
const ENDS_EXCHANGE = new Set(['sas_confirmation', 'sas_commitment', 'substituted_key']);

/** Why the exchange ended (`reason`, from the side `by`), as `role` (greeter or claimer) should
 * read it: a code mismatch names who typed the wrong code; other worker refusals by their
 * message; anything else as sent (the admin's cancel). */
function abortMessage(role, reason, by) {
  if (reason === 'sas_mismatch' && by !== role) {
    return by === 'greeter' ? t('sas.mismatchByAdmin') : t('sas.mismatchByInvitee');
  }
  if (reason === 'sas_mismatch') {
    return t('sas.mismatchTyped');
  }
  const key = `error.${reason}`;
  return t(key) !== key ? t(key) : reason || t('sas.aborted');
}

/** What `role`'s page says when a code typed by `by` did not match and a new exchange starts. */
export function retryMessage(role, by, triesLeft) {
  const who = by === role ? 'sas.retryTyped' : by === 'greeter' ? 'sas.retryByAdmin' : 'sas.retryByInvitee';
  return `${t(who)} ${t('sas.retry', { count: triesLeft })}`;
}

export function invitationChannel(socket, joinData, handlers) {
  const listeners = {
    'invitation:message': ({ payload }) => handlers.onMessage?.(payload),
    'invitation:peer': ({ role }) => handlers.onPeer?.(role),
    'invitation:peer_left': ({ role }) => handlers.onPeerLeft?.(role),
    'invitation:opened': () => handlers.onOpened?.(),
    'invitation:restarted': () => handlers.onRestarted?.(),
    'invitation:resent': () => handlers.onResent?.(),
    'invitation:retry': ({ by, tries_left: triesLeft }) => handlers.onRetry?.(
      retryMessage(joinData.role, by, triesLeft)),
    'invitation:registered': () => handlers.onRegistered?.(),
    'invitation:completed': () => handlers.onCompleted?.(),
    'invitation:aborted': ({ reason, by }) => handlers.onAborted?.(abortMessage(joinData.role, reason, by)),
  };
  const guarded = Object.fromEntries(Object.entries(listeners).map(([event, listener]) => [
    event, (data) => Promise.resolve(listener(data)).catch((error) => handlers.onError?.(error)),
  ]));
  Object.entries(guarded).forEach(([event, listener]) => socket.on(event, listener));
  return {
    join: () => new Promise((resolve, reject) => {
      socket.emit('invitation:join', joinData, (ack) => (ack.ok ? resolve(ack) : reject(ack.error)));
    }),
    send: (payload) => socket.emit('invitation:relay', { payload }),
    abort: (reason) => socket.emit('invitation:abort', { reason }),
    /** Rethrows `error`; if the worker refused the exchange, first ends the invitation and
     * tells both pages why; a code that did not match uses a try (both pages are told). */
    failWith: (error) => {
      if (error?.code === 'sas_mismatch') {
        socket.emit('invitation:mismatch', {});
      } else if (ENDS_EXCHANGE.has(error?.code)) {
        socket.emit('invitation:abort', { reason: error.code });
      }
      throw error;
    },
    close: () => Object.entries(guarded).forEach(([event, listener]) => socket.off(event, listener)),
  };
}

/** "Type the code the other person reads to you"; `check` throws when it does not match. */
export function codeForm(role, check) {
  const box = errorBox();
  const input = h('input', { id: 'sas-typed-code', name: 'code', autocomplete: 'off',
    maxlength: 8, required: true, class: 'sas-input' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'sas-confirm' }, t('sas.confirm'));
  return h('form', { onsubmit: (event) => {
    event.preventDefault();
    attempt(submit, box, () => check(input.value));
  } },
  h('label', { for: 'sas-typed-code' }, t(role === 'greeter' ? 'sas.typeInvitee' : 'sas.typeAdmin')),
  input, submit, box);
}
