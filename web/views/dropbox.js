/**
 * A dossier's drop box, for its members: make a drop link (label, expiry, caps, optional
 * password and required e-mail, within the sharing policy), copy or revoke it, and see what was
 * deposited through it, marked as coming from outside ("received through drop link L, from N,
 * e-mail confirmed / not confirmed"). A deposit the link did not sign is refused by name. Filing
 * a deposit re-encrypts each file into the dossier as a new file whose versions keep the mark.
 * A deposit received while the panel is shown appears at once (`dropbox:deposit`, ids only).
 */

import { api } from '../api.js';
import { cryptoClient } from '../crypto-client.js';
import { field, h } from '../dom.js';
import { formatDateTime, formatSize } from '../i18n/format.js';
import { t } from '../i18n/i18n.js';
import { checkLinkAllowed, DAY_MS, readWorkspacePolicy } from '../policies.js';
import { onServerEvent } from '../realtime.js';
import { attempt, errorBox, noticeBox, showError, showNotice, uiError } from './feedback.js';

const MIB = 1024 * 1024;
const STREAMED_BLOCKS = 128;

// The drop box panel on screen, told live of each deposit in its workspace (one listener for
// the page: panels come and go with the dossier opened).
let shown = null;
let listening = false;

function followDeposits() {
  if (!listening) {
    listening = true;
    onServerEvent('dropbox:deposit', ({ workspace_id: workspaceId }) => {
      if (shown?.workspaceId === workspaceId && shown.element.isConnected) {
        shown.refresh();
      }
    });
  }
}

export function dropUrl(linkId, secret) {
  return `${location.origin}/#/drop/${linkId}/${secret}`;
}

/** What the server lists of the space's links and deposits, opened and verified by the worker. */
async function loadDropBox(workspaceId) {
  const base = `/api/workspaces/${workspaceId}`;
  const [{ links }, { deposits }] = await Promise.all([
    api('GET', `${base}/dropboxes`), api('GET', `${base}/deposits`)]);
  const crypto = cryptoClient();
  const described = (await crypto.call('dropbox.describe_links', {
    workspace_id: workspaceId, links })).links;
  for (const link of described.filter((one) => one.stale_key)) {
    // A rotation superseded the key this link's descriptor is sealed under: seal it again.
    const listed = links.find((one) => one.link_id === link.link_id);
    const resealed = await crypto.call('dropbox.reseal_link', { workspace_id: workspaceId,
      link: listed });
    await api('PUT', `${base}/dropboxes/${link.link_id}`, {
      expected_version: listed.version, descriptor: resealed.descriptor }).catch(() => {});
  }
  const opened = (await crypto.call('dropbox.open_deposits', {
    workspace_id: workspaceId, links, deposits })).deposits;
  const byId = new Map(links.map((link) => [link.link_id, link]));
  return {
    links: described.map((link) => ({ ...byId.get(link.link_id), ...link })),
    deposits: opened,
  };
}

/** The plaintext of deposited file `index`, read block by block through the worker. */
async function readDeposited(workspaceId, depositId, index) {
  const crypto = cryptoClient();
  const begun = await crypto.call('dropbox.begin_read', { workspace_id: workspaceId,
    deposit_id: depositId, index });
  const parts = [];
  try {
    for (let start = 0; start < begun.block_ids.length; start += STREAMED_BLOCKS) {
      const response = await fetch(`/api/workspaces/${workspaceId}/blocks/stream`, {
        method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ block_ids: begun.block_ids.slice(start, start + STREAMED_BLOCKS) }),
      });
      if (!response.ok) {
        throw (await response.json().catch(() => ({}))).error ?? { code: 'download_failed' };
      }
      const body = new Uint8Array(await response.arrayBuffer());
      for (let offset = 0; offset < body.length;) {
        const length = new DataView(body.buffer, offset, 4).getUint32(0);
        const ciphertext = body.slice(offset + 4, offset + 4 + length);
        offset += 4 + length;
        const { data } = await crypto.call('file.decrypt_block', { file_id: begun.file_id,
          index: parts.length, ciphertext }, [ciphertext.buffer]);
        parts.push(data);
      }
    }
  } finally {
    await crypto.call('file.end_transfer', { file_id: begun.file_id });
  }
  return new File(parts, begun.name, { type: begun.mime });
}

/** Files every file of a verified deposit into the dossier, then marks the deposit filed. */
async function fileDeposit(workspaceId, dossierId, deposit) {
  for (const file of deposit.files) {
    const plain = await readDeposited(workspaceId, deposit.deposit_id, file.index);
    await cryptoClient().upload(plain, workspaceId, dossierId, () => {}, null,
      `${deposit.deposit_id}.${file.index}`).promise;
  }
  await api('POST', `/api/workspaces/${workspaceId}/deposits/${deposit.deposit_id}/filed`);
}

export function outsideMark(mark) {
  return t(mark.email ? (mark.email_confirmed ? 'drop.mark.confirmed' : 'drop.mark.unconfirmed')
    : 'drop.mark.noEmail', { label: mark.label, name: mark.name, email: mark.email ?? '' });
}

function depositRow(workspaceId, dossierId, deposit, canWrite, box, refresh) {
  if (deposit.problem) {
    return h('li', { class: 'deposit forged', dataset: { depositId: deposit.deposit_id } },
      h('span', { class: 'badge badge-invalid' }, t('drop.forged')), ' ',
      h('span', { lang: 'en' }, deposit.problem));
  }
  return h('li', { class: 'deposit', dataset: { depositId: deposit.deposit_id } },
    h('span', { class: 'badge outside' }, t('drop.outside')), ' ',
    h('span', { class: 'deposit-mark' }, outsideMark(deposit)), ' ',
    h('span', { class: 'muted' }, formatDateTime(deposit.received_at)),
    h('ul', {}, deposit.files.map((file) => h('li', { class: 'deposit-file',
      dataset: { name: file.name } }, `${file.name} — ${formatSize(file.size)}`))),
    deposit.filed ? h('span', { class: 'muted deposit-filed' }, t('drop.filed'))
      : canWrite && h('button', { type: 'button', class: 'file-deposit',
        onclick: (event) => attempt(event.target, box, async () => {
          await fileDeposit(workspaceId, dossierId, deposit);
          await refresh(true);
        }) }, t('drop.fileIt')));
}

function linkRow(workspaceId, link, canWrite, box, refresh) {
  const url = h('input', { type: 'text', readonly: true, class: 'drop-url',
    value: dropUrl(link.link_id, link.secret), 'aria-label': t('drop.linkUrl') });
  return h('li', { class: 'drop-link', dataset: { linkId: link.link_id, status: link.status } },
    h('strong', {}, link.label), ' ',
    h('span', { class: `badge drop-status-${link.status}` }, t(`drop.status.${link.status}`)), ' ',
    h('span', { class: 'muted' }, t('drop.linkDetails', { received: link.files_received,
      max: link.max_files, when: formatDateTime(link.expires_at) })),
    link.status === 'open' ? url : null,
    canWrite && link.status !== 'revoked' ? h('button', { type: 'button', class: 'danger revoke',
      onclick: (event) => attempt(event.target, box, async () => {
        await api('DELETE', `/api/workspaces/${workspaceId}/dropboxes/${link.link_id}`);
        await refresh();
      }) }, t('drop.revoke')) : null);
}

function createForm(workspaceId, dossierId, box, notice, onCreated) {
  const [labelField, label] = field(t('drop.form.label'), { name: 'label', required: true,
    maxlength: 200 });
  const [daysField, days] = field(t('drop.form.days'), { name: 'days', type: 'number', min: 1,
    value: 7, required: true });
  const [filesField, maxFiles] = field(t('drop.form.maxFiles'), { name: 'max_files',
    type: 'number', min: 1, max: 100, value: 5, required: true });
  const [sizeField, maxSize] = field(t('drop.form.maxMib'), { name: 'max_mib', type: 'number',
    min: 1, value: 64, required: true });
  const [passwordField, password] = field(t('drop.form.password'), { name: 'password',
    type: 'password', autocomplete: 'new-password' });
  const email = h('input', { type: 'checkbox', id: 'drop-email-required' });
  const submit = h('button', { type: 'submit', id: 'drop-create' }, t('drop.form.create'));
  const created = h('div', { id: 'drop-created' });
  const create = async () => {
    const expiresAt = Date.now() + Number(days.value) * DAY_MS;
    const { effective } = await readWorkspacePolicy(workspaceId);
    const refused = checkLinkAllowed(effective, { kind: 'dropbox', expiresAt,
      password: Boolean(password.value), watermark: null });
    if (refused) {
      throw uiError(t(refused.code, { days: refused.days }));
    }
    const made = await cryptoClient().call('dropbox.create_link', {
      workspace_id: workspaceId, dossier_id: dossierId, label: label.value.trim(),
      max_files: Number(maxFiles.value), max_file_bytes: Number(maxSize.value) * MIB,
      password: password.value, email_required: email.checked });
    await api('POST', `/api/workspaces/${workspaceId}/dropboxes`, {
      link_id: made.link_id, verify_key: made.verify_key, link_info: made.link_info,
      descriptor: made.descriptor, expires_at: Math.floor(expiresAt / 1000),
      max_files: Number(maxFiles.value), max_file_bytes: Number(maxSize.value) * MIB,
      password: Boolean(password.value), email_required: email.checked });
    form.reset();
    created.replaceChildren(h('label', { for: 'drop-new-url' }, t('drop.created')),
      h('input', { id: 'drop-new-url', type: 'text', readonly: true,
        value: dropUrl(made.link_id, made.secret) }));
    showNotice(notice, t('drop.createdNotice'));
    await onCreated();
  };
  const form = h('form', { id: 'drop-create-form', onsubmit: (event) => {
    event.preventDefault();
    attempt(submit, box, create);
  } }, labelField, daysField, filesField, sizeField, passwordField,
  h('div', { class: 'field' }, email, h('label', { for: 'drop-email-required' },
    t('drop.form.emailRequired'))), submit);
  return h('details', { id: 'drop-new' }, h('summary', {}, t('drop.form.title')), form, created);
}

/** The drop box section of dossier `dossierId`; `onFiled()` after a deposit is filed.
 * Returns {element, refresh}. */
export function dropBoxSection(workspaceId, dossierId, canWrite, onFiled = async () => {}) {
  const box = errorBox();
  const notice = noticeBox('drop-notice');
  const links = h('ul', { id: 'drop-links', class: 'plain-list' });
  const deposits = h('ul', { id: 'drop-deposits', class: 'plain-list' });
  const empty = h('p', { class: 'empty', id: 'drop-empty' }, t('drop.noDeposits'));
  const refresh = async (filed = false) => {
    try {
      const loaded = await loadDropBox(workspaceId);
      const mine = loaded.links.filter((link) => link.dossier_id === dossierId);
      const ids = new Set(mine.map((link) => link.link_id));
      links.replaceChildren(...mine.map((link) => linkRow(workspaceId, link, canWrite, box,
        refresh)));
      const received = loaded.deposits.filter((deposit) => deposit.dossier_id === dossierId
        || (deposit.problem && (ids.has(deposit.link_id) || !deposit.link_id)));
      deposits.replaceChildren(...received.map((deposit) => depositRow(workspaceId, dossierId,
        deposit, canWrite, box, refresh)));
      empty.hidden = received.length > 0;
      if (filed) {
        showNotice(notice, t('drop.filedNotice'));
        await onFiled();
      }
    } catch (error) {
      showError(box, error);
    }
  };
  const element = h('section', { class: 'panel', id: 'dropbox-panel',
    'aria-labelledby': 'dropbox-title' },
  h('h2', { id: 'dropbox-title' }, t('drop.panelTitle')),
  h('p', { class: 'hint' }, t('drop.panelHint')),
  canWrite ? createForm(workspaceId, dossierId, box, notice, refresh) : null,
  h('h3', {}, t('drop.linksTitle')), links,
  h('h3', {}, t('drop.depositsTitle')), deposits, empty, notice, box);
  shown = { workspaceId, element, refresh: () => refresh() };
  followDeposits();
  return { element, refresh };
}
