/** The Security page: my passkeys (add, rename, remove), a new recovery code, and what a
 * verifier needs: my key's and the organization's root key fingerprints, and the command that
 * checks an exported log offline against that root key. */

import { api } from '../api.js';
import { confirmAction } from '../confirm.js';
import { cryptoClient } from '../crypto-client.js';
import { h, show } from '../dom.js';
import { formatDateTime } from '../i18n/format.js';
import { CATALOGS, t } from '../i18n/i18n.js';
import { createPasskey } from '../passkeys.js';
import { session } from '../session.js';
import { attempt, errorBox, showError } from './feedback.js';
import { recoveryCodePanel } from './recovery-code.js';

async function addPasskey(name) {
  const options = await api('POST', '/api/passkeys/options');
  const { credential, prfOutput } = await createPasskey(options.publicKey);
  const wrapped = prfOutput === null ? null : (await cryptoClient().call(
    'identity.wrap_for_passkey', { prf_output: prfOutput }, [prfOutput.buffer])).wrapped_bundle;
  await api('POST', '/api/passkeys', {
    challenge_id: options.challenge_id, credential, name, wrapped_bundle: wrapped,
  });
  return prfOutput !== null;
}

// The names Paravent gives passkeys itself, in whichever language they were given: the first
// (at the organization's creation, or the server's "Passkey" for an invitee's) and added ones.
const GIVEN_NAMES = new Map([['Passkey', 'passkeys.firstName'],
  ...Object.values(CATALOGS).flatMap((catalog) => ['passkeys.firstName', 'passkeys.newName']
    .map((key) => [catalog[key], key]))]);

/** A passkey's name in the reader's language when Paravent gave it, as typed when a person did. */
function passkeyName(passkey) {
  const given = GIVEN_NAMES.get(passkey.name);
  return given ? t(given) : passkey.name;
}

function passkeyRow(passkey, refresh, box) {
  const shownName = passkeyName(passkey);
  const rename = async () => {
    const name = window.prompt(t('passkeys.renamePrompt'), shownName);
    if (name) {
      await api('PATCH', `/api/passkeys/${passkey.passkey_id}`, { name }).catch((e) => showError(box, e));
      refresh();
    }
  };
  const remove = async () => {
    if (await confirmAction(t('passkeys.confirmRemove', { name: shownName }))) {
      await api('DELETE', `/api/passkeys/${passkey.passkey_id}`).catch((e) => showError(box, e));
      refresh();
    }
  };
  const used = passkey.last_used_at ? formatDateTime(passkey.last_used_at) : '—';
  return h('li', { class: 'passkey' },
    h('span', { class: 'passkey-name' }, shownName),
    h('span', { class: 'muted' }, t('passkeys.lastUsed', { when: used })),
    h('button', { type: 'button', onclick: rename }, t('passkeys.rename')),
    h('button', { type: 'button', class: 'danger', onclick: remove }, t('passkeys.remove')));
}

/** The fingerprints as the offline verifier computes them (`VerifyKey.fingerprint()`), and
 * its command with the root key pinned, ready to copy. */
function keysSection() {
  const { fingerprint, root_fingerprint: rootFingerprint } = session.identity;
  const command = `python -m pycrypto_wasm.audit verify paravent-log-….json --root-key "${rootFingerprint}"`;
  return h('section', { class: 'panel', 'aria-labelledby': 'keys-title' },
    h('h2', { id: 'keys-title' }, t('security.keys')),
    h('p', {}, t('security.rootFingerprint', { organization: session.organization.name }), ' ',
      h('code', { id: 'root-fingerprint', class: 'fingerprint' }, rootFingerprint)),
    h('p', {}, t('security.myFingerprint'), ' ',
      h('code', { id: 'own-fingerprint', class: 'fingerprint' }, fingerprint)),
    h('h3', {}, t('security.verifyTitle')),
    h('p', {}, t('security.verifyExplain')),
    h('pre', {}, h('code', { id: 'verify-command', lang: 'en' }, command)),
    h('p', {}, t('security.verifyResult')));
}

export function renderSecurity(root, query) {
  const box = errorBox();
  const list = h('ul', { id: 'passkey-list', class: 'plain-list' });
  const notice = h('div', { id: 'security-notice' });
  const refresh = async () => {
    const { passkeys } = await api('GET', '/api/passkeys');
    list.replaceChildren(...passkeys.map((passkey) => passkeyRow(passkey, refresh, box)));
  };
  const add = h('button', { type: 'button', id: 'add-passkey', class: 'primary' }, t('passkeys.add'));
  add.addEventListener('click', async () => {
    const withPrf = await attempt(add, box, () => addPasskey(t('passkeys.newName')));
    if (withPrf !== undefined) {
      notice.replaceChildren(h('p', { class: withPrf ? 'success' : 'warning', role: 'status' },
        t(withPrf ? 'passkeys.added' : 'passkeys.noPrf')));
      refresh();
    }
  });
  const regenerate = h('button', { type: 'button', id: 'new-recovery-code' }, t('recovery.regenerate'));
  regenerate.addEventListener('click', async () => {
    if (!(await confirmAction(t('recovery.confirmRegenerate')))) {
      return;
    }
    await attempt(regenerate, box, async () => {
      const material = await cryptoClient().call('identity.new_recovery_code');
      await api('PUT', '/api/recovery', {
        login_token_digest: material.recovery_token_digest,
        recovery_bundle: material.recovery_bundle,
      });
      notice.replaceChildren(recoveryCodePanel(material.recovery_code, () => notice.replaceChildren()));
    });
  });
  show(root, h('section', { class: 'panel', 'aria-labelledby': 'security-title' },
    h('h1', { id: 'security-title' }, t('security.title')),
    query.get('enroll') ? h('p', { class: 'warning', role: 'status' }, t('security.enrollNow')) : null,
    h('h2', {}, t('passkeys.title')), list, h('div', { class: 'actions' }, add, regenerate),
    notice, box), keysSection());
  refresh().catch((error) => showError(box, error));
}
