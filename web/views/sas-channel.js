/** The invitation channel over Socket.IO (see api/identity/invitation_channel.py), and the form
 * where each person types the code the other reads aloud. */

import { h } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { attempt, errorBox } from './feedback.js';

export function invitationChannel(socket, joinData, handlers) {
  const listeners = {
    'invitation:message': ({ payload }) => handlers.onMessage?.(payload),
    'invitation:peer': ({ role }) => handlers.onPeer?.(role),
    'invitation:registered': () => handlers.onRegistered?.(),
    'invitation:completed': () => handlers.onCompleted?.(),
    'invitation:aborted': ({ reason }) => handlers.onAborted?.(reason),
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
