/**
 * The admin's side (greeter) of an invitation: wait for the invitee, run the SAS exchange, then
 * gate on both confirmations in either order (the admin types the invitee's code; the invitee's
 * browser sends its signed confirmation of the admin's code over the channel). Only when the
 * crypto worker says both are in does it sign and file the certificate; the page then shows the
 * new member as this browser verified them.
 *
 * The page follows the invitee: it says when they open their link, when they leave the page
 * (the exchange is dropped, and starts afresh when they come back), and when a code did not
 * match (a fresh exchange with new codes, and the tries left), until the last try cancels.
 */

import { api } from '../api.js';
import { cryptoClient } from '../crypto-client.js';
import { forgetDirectory, verifiedDirectory } from '../directory.js';
import { h, show } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { realtimeSocket } from '../realtime.js';
import { errorBox, loadOrExplain, showError } from './feedback.js';
import { invitationState } from './invitations.js';
import { codeForm, invitationChannel } from './sas-channel.js';

/** What the page says first, from where the invitation stands. */
const WAITING = { waiting: 'sas.waitingInvitee', opened: 'sas.inviteeOpened', codes: 'sas.inviteeAway' };

function newMemberSummary(member) {
  return h('p', { id: 'sas-new-member' },
    h('strong', {}, member.display_name), ` — ${member.site} — ${t(`profile.${member.profile}`)} `,
    h('span', { class: 'badge badge-verified' }, t('directory.verified')), ' ',
    h('code', { class: 'fingerprint' }, member.fingerprint));
}

export async function renderGreet(root, invitationId) {
  const loaded = await loadOrExplain(root, t('sas.greetTitle'),
    () => api('GET', `/api/invitations/${invitationId}`));
  if (loaded === null) {
    return;
  }
  const box = errorBox();
  const { invitation: opened } = loaded;
  const open = ['pending', 'registered'].includes(opened.status);
  const status = h('p', { id: 'sas-status', role: 'status' },
    open ? t(WAITING[invitationState(opened)]) : t(`sas.closed.${opened.status}`));
  const retry = h('p', { id: 'sas-retry', class: 'notice', role: 'alert', hidden: true });
  const area = h('div', { id: 'sas-area' });
  show(root, h('section', { class: 'panel' },
    h('h1', {}, t('sas.greetTitle'), ' — ', opened.display_name), status, retry, area, box,
    h('p', {}, h('a', { href: '#/' }, t('nav.back')))));
  if (!open) {
    return;
  }
  // An exchange runs from the invitee's "ready" to the certificate; it is dropped (and the
  // worker's with it, at the next hello) when the invitee leaves or a code does not match.
  let exchanging = false;
  let certifying = false;
  const dropExchange = (text) => {
    exchanging = false;
    status.textContent = text;
    area.replaceChildren();
  };

  const certify = async () => {
    certifying = true;
    const { invitation } = await api('GET', `/api/invitations/${invitationId}`);
    const { certificate } = await cryptoClient().call('invite.greeter_certify', {
      invitation_id: invitationId, claimer_user_id: invitation.claimer_user_id,
      claimer_verify_key: invitation.claimer_verify_key,
      claimer_public_key: invitation.claimer_public_key,
      display_name: invitation.display_name, email: invitation.email, site: invitation.site,
      profile: invitation.profile,
    }).catch(channel.failWith);
    await api('POST', `/api/invitations/${invitationId}/complete`, { certificate });
    forgetDirectory();
    channel.close();
    retry.hidden = true;
    status.textContent = t('sas.done', { name: invitation.display_name });
    status.id = 'sas-done';
    const member = (await verifiedDirectory()).find((user) => user.user_id === invitation.claimer_user_id);
    area.replaceChildren(member?.valid ? newMemberSummary(member) : h('p', { class: 'error', role: 'alert' },
      member?.problem ?? t('sas.memberMissing')));
  };

  /** Runs one of the two confirmations in the worker; signs once the worker says both are in. */
  const confirmed = async (method, params, waitingText) => {
    const { ready } = await cryptoClient().call(method, { invitation_id: invitationId, ...params })
      .catch(channel.failWith);
    if (ready && !certifying) {
      await certify();
    } else if (!ready) {
      status.textContent = waitingText;
    }
  };

  const typed = async (code) => {
    await confirmed('invite.greeter_confirm', { typed_code: code }, t('sas.waitingInviteeConfirm'));
    area.querySelector('form')?.remove();
  };

  const channel = invitationChannel(realtimeSocket(), { role: 'greeter', invitation_id: invitationId }, {
    onMessage: async (message) => {
      if (message.type === 'ready' && !exchanging) {
        exchanging = true;
        const { hello } = await cryptoClient().call('invite.greeter_hello', { invitation_id: invitationId });
        channel.send({ type: 'hello', hello });
      } else if (message.type === 'hello' && exchanging) {
        const revealed = await cryptoClient().call('invite.greeter_reveal', {
          invitation_id: invitationId, claimer_hello: message.hello,
        });
        channel.send({ type: 'reveal', reveal: revealed.reveal });
        status.textContent = t('sas.readYours');
        area.replaceChildren(h('output', { id: 'my-sas-code', class: 'sas-code' }, revealed.greeter_code),
          codeForm('greeter', typed));
      } else if (message.type === 'confirmed' && exchanging) {
        await confirmed('invite.greeter_accept_confirmation', { confirmation: message.confirmation },
          t('sas.inviteeConfirmed'));
      }
    },
    onOpened: () => {
      if (!exchanging) {
        status.textContent = t('sas.inviteeOpened');
      }
    },
    onRestarted: () => dropExchange(t('sas.inviteeRestarted')),
    onPeerLeft: (role) => {
      if (role === 'claimer' && !certifying) {
        dropExchange(t('sas.inviteeLeft'));
      }
    },
    onRetry: (message) => {
      retry.textContent = message;
      retry.hidden = false;
      dropExchange(t('sas.newCodes'));
    },
    onAborted: (message) => {
      retry.hidden = true;
      status.textContent = t('sas.aborted');
      area.replaceChildren(h('p', { class: 'error', role: 'alert', id: 'sas-aborted' }, message));
    },
    onError: (error) => showError(box, error),
  });
  channel.join().catch((error) => showError(box, error));
}
