/**
 * The invitee's side (claimer), from the invitation link `#/join/<token>/<root verify key>`:
 * create a passkey and keys, keep the recovery code, then run the SAS check with the admin over
 * the invitation channel: once the admin's code typed here matches, the worker's signed
 * confirmation goes to the admin's browser, which signs the certificate only with it (and with
 * the admin's own check of this side's code, in either order). Then sign in with it.
 *
 * An invitee who left before the codes were checked comes back to the same link: their new keys
 * left with the page, so they create their passkey again (the server forgets the earlier one,
 * nothing having been certified) and the check starts afresh. The page says when the admin
 * leaves the check or comes back, and, when a code did not match, that new codes follow.
 */

import { api } from '../api.js';
import { cryptoClient } from '../crypto-client.js';
import { h, show } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { createPasskey } from '../passkeys.js';
import { realtimeSocket } from '../realtime.js';
import { signedIn } from '../session.js';
import { attempt, errorBox, loadOrExplain, showError } from './feedback.js';
import { recoveryCodePanel } from './recovery-code.js';
import { codeForm, invitationChannel } from './sas-channel.js';

async function register(token, rootVerifyKey, info, restart) {
  if (restart) {
    await api('POST', `/api/join/${token}/restart`);
  }
  const options = await api('POST', `/api/join/${token}/options`);
  const { credential, prfOutput } = await createPasskey(options.publicKey);
  const prepared = await cryptoClient().call('invite.claimer_prepare', {
    organization_id: info.organization.organization_id, user_id: options.user_id,
    root_verify_key: rootVerifyKey, prf_output: prfOutput ?? undefined,
  });
  await api('POST', `/api/join/${token}/register`, {
    challenge_id: options.challenge_id, credential, verify_key: prepared.verify_key,
    public_key: prepared.public_key, wrapped_bundle: prepared.wrapped_bundle ?? null,
    recovery_token_digest: prepared.recovery_token_digest,
    recovery_bundle: prepared.recovery_bundle,
  });
  return prepared;
}

function exchange(root, token, box) {
  const status = h('p', { id: 'sas-status', role: 'status' }, t('sas.waitingAdmin'));
  const retry = h('p', { id: 'sas-retry', class: 'notice', role: 'alert', hidden: true });
  const area = h('div', { id: 'sas-area' });
  show(root, h('section', { class: 'panel' }, h('h1', {}, t('sas.title')), status, retry, area, box));
  let certified = false;
  const startAgain = (text) => {
    status.textContent = text;
    area.replaceChildren();
  };
  const channel = invitationChannel(realtimeSocket(), { role: 'claimer', token }, {
    onPeer: () => channel.send({ type: 'ready' }),
    onPeerLeft: (role) => {
      if (role === 'greeter' && !certified) {
        startAgain(t('sas.adminLeft'));
      }
    },
    onRetry: (message) => {
      retry.textContent = message;
      retry.hidden = false;
      startAgain(t('sas.newCodes'));
      channel.send({ type: 'ready' });
    },
    onResent: () => {
      channel.close();
      startAgain(t('sas.aborted'));
      area.replaceChildren(h('p', { class: 'error', role: 'alert', id: 'sas-aborted' }, t('join.resent')));
    },
    onMessage: async (message) => {
      if (message.type === 'hello') {
        const { hello } = await cryptoClient().call('invite.claimer_hello', { greeter_hello: message.hello });
        channel.send({ type: 'hello', hello });
      } else if (message.type === 'reveal') {
        const { claimer_code: code } = await cryptoClient().call('invite.claimer_reveal', { reveal: message.reveal });
        status.textContent = t('sas.readYours');
        area.replaceChildren(h('output', { id: 'my-sas-code', class: 'sas-code' }, code),
          codeForm('claimer', async (typed) => {
            const { confirmation } = await cryptoClient().call('invite.claimer_confirm', { typed_code: typed })
              .catch(channel.failWith);
            channel.send({ type: 'confirmed', confirmation });
            area.querySelector('form')?.remove();
            status.textContent = t('sas.waitingCertificate');
          }));
      }
    },
    onCompleted: async () => {
      certified = true;
      try {
        const reply = await api('POST', `/api/join/${token}/finish`);
        const identity = await cryptoClient().call('invite.claimer_finish', { certificate: reply.certificate });
        channel.close();
        location.hash = '#/';
        signedIn(reply, identity);
      } catch (error) {
        showError(box, error);
      }
    },
    onAborted: (message) => {
      retry.hidden = true;
      status.textContent = t('sas.aborted');
      area.replaceChildren(h('p', { class: 'error', role: 'alert', id: 'sas-aborted' }, message));
    },
    onError: (error) => showError(box, error),
  });
  channel.join().then(() => channel.send({ type: 'ready' })).catch((error) => showError(box, error));
}

export async function renderJoin(root, token, rootVerifyKey) {
  const info = await loadOrExplain(root, t('join.title'), () => api('GET', `/api/join/${token}`));
  if (info === null) {
    return;
  }
  const box = errorBox();
  const { invitation, organization } = info;
  // Registered already: the invitee left before the codes were checked, and comes back.
  const restart = invitation.status === 'registered';
  const start = h('button', { type: 'button', class: 'primary', id: 'join-create-passkey' },
    t(restart ? 'join.createPasskeyAgain' : 'join.createPasskey'));
  start.addEventListener('click', async () => {
    const prepared = await attempt(start, box, () => register(token, rootVerifyKey, info, restart));
    if (prepared) {
      show(root, recoveryCodePanel(prepared.recovery_code, () => exchange(root, token, box)));
    }
  });
  show(root, h('section', { class: 'panel' },
    h('h1', {}, t('join.title')),
    h('p', {}, t('join.explain', { organization: organization.name, name: invitation.display_name,
      profile: t(`profile.${invitation.profile}`) })),
    restart ? h('p', { id: 'join-resume', class: 'notice' }, t('join.resume')) : null,
    ['pending', 'registered'].includes(invitation.status) ? start
      : h('p', { class: 'warning' }, t('join.alreadyRegistered')),
    box));
}
