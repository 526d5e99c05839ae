/**
 * The admin's side (greeter) of an invitation: wait for the invitee, run the SAS exchange, check
 * the code the invitee reads aloud, then sign and file their certificate.
 */

import { api } from '../api.js';
import { cryptoClient } from '../crypto-client.js';
import { h, show } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { realtimeSocket } from '../realtime.js';
import { errorBox, showError } from './feedback.js';
import { codeForm, invitationChannel } from './sas-channel.js';

export function renderGreet(root, invitationId) {
  const box = errorBox();
  const status = h('p', { id: 'sas-status', role: 'status' }, t('sas.waitingInvitee'));
  const area = h('div', { id: 'sas-area' });
  show(root, h('section', { class: 'panel' },
    h('h1', {}, t('sas.greetTitle')), status, area, box,
    h('p', {}, h('a', { href: '#/' }, t('nav.back')))));
  let started = false;

  const certify = async (typed) => {
    const { invitation } = await api('GET', `/api/invitations/${invitationId}`);
    let certificate;
    try {
      ({ certificate } = await cryptoClient().call('invite.greeter_certify', {
        invitation_id: invitationId, typed_code: typed,
        claimer_user_id: invitation.claimer_user_id,
        claimer_verify_key: invitation.claimer_verify_key,
        claimer_public_key: invitation.claimer_public_key,
        display_name: invitation.display_name, email: invitation.email, site: invitation.site,
        profile: invitation.profile,
      }));
    } catch (error) {
      channel.abort(t('sas.mismatch'));
      throw error;
    }
    await api('POST', `/api/invitations/${invitationId}/complete`, { certificate });
    channel.close();
    area.replaceChildren();
    status.textContent = t('sas.done', { name: invitation.display_name });
    status.id = 'sas-done';
  };

  const channel = invitationChannel(realtimeSocket(), { role: 'greeter', invitation_id: invitationId }, {
    onMessage: async (message) => {
      if (message.type === 'ready' && !started) {
        started = true;
        const { hello } = await cryptoClient().call('invite.greeter_hello', { invitation_id: invitationId });
        channel.send({ type: 'hello', hello });
      } else if (message.type === 'hello') {
        const revealed = await cryptoClient().call('invite.greeter_reveal', {
          invitation_id: invitationId, claimer_hello: message.hello,
        });
        channel.send({ type: 'reveal', reveal: revealed.reveal });
        status.textContent = t('sas.readYours');
        area.replaceChildren(h('output', { id: 'my-sas-code', class: 'sas-code' }, revealed.greeter_code),
          codeForm('greeter', certify));
      }
    },
    onAborted: (reason) => {
      status.textContent = t('sas.aborted');
      area.replaceChildren(h('p', { class: 'error', role: 'alert', id: 'sas-aborted' }, reason || t('sas.mismatch')));
    },
    onError: (error) => showError(box, error),
  });
  channel.join().catch((error) => showError(box, error));
}
