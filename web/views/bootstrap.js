/**
 * The one-time bootstrap link: the first admin creates the organization. The worker makes the
 * root key and the admin's keys, certifies the admin with the root key and forgets the root key.
 */

import { api } from '../api.js';
import { cryptoClient } from '../crypto-client.js';
import { field, formValues, h, show } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { createPasskey } from '../passkeys.js';
import { signedIn } from '../session.js';
import { attempt, errorBox, loadOrExplain } from './feedback.js';
import { recoveryCodePanel } from './recovery-code.js';

async function createOrganization(token, values) {
  const options = await api('POST', `/api/bootstrap/${token}/options`, values);
  const { credential, prfOutput } = await createPasskey(options.publicKey);
  const created = await cryptoClient().call('identity.create_organization', {
    organization_id: options.organization_id, user_id: options.user_id, ...values,
    prf_output: prfOutput ?? undefined,
  });
  const reply = await api('POST', `/api/bootstrap/${token}/complete`, {
    challenge_id: options.challenge_id, credential, user_id: options.user_id,
    organization_id: options.organization_id, root_verify_key: created.root_verify_key,
    certificate: created.certificate, wrapped_bundle: created.wrapped_bundle ?? null,
    recovery_token_digest: created.recovery_token_digest,
    recovery_bundle: created.recovery_bundle, passkey_name: t('passkeys.firstName'),
  });
  return { reply, created, hasPrf: prfOutput !== null };
}

export async function renderBootstrap(root, token) {
  const info = await loadOrExplain(root, t('bootstrap.title'),
    () => api('GET', `/api/bootstrap/${token}`));
  if (info === null) {
    return;
  }
  const box = errorBox();
  const [nameField] = field(t('person.name'), { name: 'display_name', required: true, autocomplete: 'name' });
  const [emailField] = field(t('person.email'), { name: 'email', type: 'email', required: true, autocomplete: 'email' });
  const [siteField] = field(t('person.site'), { name: 'site', required: true });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'create-organization' },
    t('bootstrap.create'));
  const form = h('form', { onsubmit: async (event) => {
    event.preventDefault();
    const result = await attempt(submit, box, () => createOrganization(token, formValues(form)));
    if (result) {
      show(root, h('div', {},
        result.hasPrf ? null : h('p', { class: 'warning', role: 'alert' }, t('passkeys.noPrf')),
        recoveryCodePanel(result.created.recovery_code, () => {
          location.hash = '#/';
          signedIn(result.reply, result.created);
        })));
    }
  } }, nameField, emailField, siteField, submit);
  show(root, h('section', { class: 'panel' },
    h('h1', {}, t('bootstrap.title')),
    h('p', {}, t('bootstrap.explain', { organization: info.organization_name })), form, box));
}
