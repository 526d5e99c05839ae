/**
 * The depositor's page of a drop link (`#/drop/<link id>/<secret>`): no account, no passkey.
 * The link's secret stays in the URL fragment (never sent); the crypto worker reads the link's
 * sealed info with it, encrypts each file block by block to the space's drop key and signs the
 * deposit with the link's key; this page sends the ciphertext and shows a receipt (names,
 * sizes, SHA-256). A link that is expired, revoked or used up gets a page saying which.
 */

import { api } from '../api.js';
import { cryptoClient } from '../crypto-client.js';
import { field, h, show } from '../dom.js';
import { formatDateTime, formatSize } from '../i18n/format.js';
import { currentLanguage, t } from '../i18n/i18n.js';
import { attempt, errorBox, showError, uiError } from './feedback.js';

const BLOCKS_PER_REQUEST = 8;
const CLOSED = ['link_expired', 'link_revoked', 'link_exhausted'];

function closedPage(view, code) {
  const status = code.replace('link_', '');
  show(view, h('section', { class: 'panel', id: 'drop-closed', dataset: { status } },
    h('h1', {}, t(`drop.closed.${status}`)), h('p', {}, t(`drop.closed.${status}.text`))));
}

/** The blocks of a batch upload: each its raw 32-byte id, its length, its ciphertext. */
function batchBody(blocks) {
  const parts = blocks.flatMap(({ blockId, ciphertext }) => {
    const header = new Uint8Array(36);
    header.set(blockId.match(/../g).map((pair) => parseInt(pair, 16)));
    new DataView(header.buffer).setUint32(32, ciphertext.length);
    return [header, ciphertext];
  });
  return new Blob(parts);
}

async function sendBlocks(url, blocks) {
  const response = await fetch(url, {
    method: 'POST', credentials: 'omit', body: batchBody(blocks),
    headers: { 'Content-Type': 'application/octet-stream' },
  });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    throw data.error ?? { code: 'http_error', message: response.statusText };
  }
}

/** Encrypts and sends one file of the deposit; `onBlock()` after each block sent. */
async function sendFile(crypto, base, depositId, file, onBlock) {
  const added = await crypto.call('dropbox.add_file', {
    deposit_id: depositId, name: file.name, mime: file.type || 'application/octet-stream',
    size: file.size,
  });
  let pending = [];
  for (let block = 0; block < added.block_count; block += 1) {
    const slice = file.slice(block * added.block_size, (block + 1) * added.block_size);
    const data = new Uint8Array(await slice.arrayBuffer());
    const encrypted = await crypto.call('dropbox.encrypt_block', {
      deposit_id: depositId, index: added.index, block, data,
    }, [data.buffer]);
    pending.push({ blockId: encrypted.block_id, ciphertext: encrypted.ciphertext });
    if (pending.length === BLOCKS_PER_REQUEST || block === added.block_count - 1) {
      await sendBlocks(`${base}/deposits/${depositId}/blocks`, pending);
      pending = [];
    }
    onBlock();
  }
}

function receiptSection(receipt, receivedAt) {
  return h('section', { class: 'panel', id: 'drop-receipt', 'aria-labelledby': 'receipt-title' },
    h('h2', { id: 'receipt-title' }, t('drop.receipt.title')),
    h('p', {}, t('drop.receipt.received', { when: formatDateTime(receivedAt) })),
    h('table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('drop.receipt.name')),
        h('th', { scope: 'col' }, t('drop.receipt.size')),
        h('th', { scope: 'col' }, t('drop.receipt.hash')))),
      h('tbody', {}, receipt.map((item) => h('tr', { class: 'receipt-row', dataset: {
        name: item.name, sha256: item.sha256 } },
      h('td', {}, item.name), h('td', {}, formatSize(item.size)),
      h('td', { class: 'hash' }, h('code', {}, item.sha256)))))));
}

/** The e-mail part of the form: the address and, once asked, the mailed code to confirm. */
function emailPart(base, required, state) {
  const [emailField, email] = field(t(required ? 'drop.email.required' : 'drop.email.optional'), {
    name: 'email', type: 'email', autocomplete: 'email', required: required || null });
  const [codeField, code] = field(t('drop.email.code'), { name: 'code', inputmode: 'numeric',
    autocomplete: 'one-time-code' });
  const box = errorBox();
  const status = h('p', { role: 'status', id: 'drop-email-status' });
  codeField.hidden = true;
  const confirm = h('button', { type: 'button', id: 'drop-confirm-code', hidden: true,
    onclick: (event) => attempt(event.target, box, async () => {
      await api('POST', `${base}/email/confirm`, {
        confirmation_id: state.confirmationId, code: code.value.trim() });
      state.confirmedEmail = email.value.trim();
      status.textContent = t('drop.email.confirmed');
    }) }, t('drop.email.confirm'));
  const ask = h('button', { type: 'button', id: 'drop-send-code',
    onclick: (event) => attempt(event.target, box, async () => {
      const sent = await api('POST', `${base}/email`, {
        email: email.value.trim(), language: currentLanguage() });
      state.confirmationId = sent.confirmation_id;
      codeField.hidden = false;
      confirm.hidden = false;
      status.textContent = t('drop.email.sent', { email: email.value.trim() });
    }) }, t('drop.email.send'));
  return { element: h('div', {}, emailField, ask, codeField, confirm, status, box), email };
}

function depositForm(view, crypto, link, info, secret) {
  const base = `/api/drop/${link.link_id}`;
  const place = { link_id: link.link_id, organization_id: link.organization_id,
    workspace_id: link.workspace_id, link_info: link.link_info, secret };
  const state = { confirmationId: null, confirmedEmail: null };
  const [nameField, name] = field(t('drop.name'), { name: 'name', required: true,
    autocomplete: 'name' });
  const emails = emailPart(base, info.email_required, state);
  const [passwordField, password] = field(t('drop.password'), { name: 'password',
    type: 'password', autocomplete: 'off' });
  const remaining = link.max_files - link.files_received;
  const files = h('input', { type: 'file', id: 'drop-files', multiple: true, required: true,
    'aria-describedby': 'drop-files-hint' });
  const progress = h('progress', { id: 'drop-progress', max: 1, value: 0, hidden: true,
    'aria-label': t('drop.progress') });
  const box = errorBox();
  const submit = h('button', { type: 'submit', id: 'drop-send' }, t('drop.send'));
  const receipt = h('div', {});
  const send = async () => {
    const chosen = Array.from(files.files);
    const tooLarge = chosen.find((file) => file.size > info.max_file_bytes);
    if (!chosen.length || chosen.length > remaining || tooLarge) {
      throw uiError(tooLarge
        ? t('drop.tooLarge', { name: tooLarge.name, size: formatSize(info.max_file_bytes) })
        : t('drop.count', { count: remaining }));
    }
    if (info.email_required && state.confirmedEmail !== emails.email.value.trim()) {
      throw uiError(t('drop.email.confirmFirst'));
    }
    const begun = await crypto.call('dropbox.begin_deposit', { ...place,
      password: password.value });
    await api('POST', `${base}/deposits`, { deposit_id: begun.deposit_id, proof: begun.proof,
      files: chosen.length, confirmation_id: state.confirmationId });
    const total = chosen.reduce((sum, file) => sum + Math.max(1, Math.ceil(file.size / 524288)), 0);
    progress.hidden = false;
    progress.max = total;
    progress.value = 0;
    for (const file of chosen) {
      await sendFile(crypto, base, begun.deposit_id, file, () => { progress.value += 1; });
    }
    const finished = await crypto.call('dropbox.finish_deposit', {
      deposit_id: begun.deposit_id, name: name.value.trim(),
      email: emails.email.value.trim() || null });
    const done = await api('POST', `${base}/deposits/${begun.deposit_id}/complete`, {
      sealed: finished.sealed, signature: finished.signature, files: finished.files });
    form.hidden = true;
    show(receipt, receiptSection(finished.receipt, done.received_at));
  };
  const form = h('form', { id: 'drop-form', onsubmit: (event) => {
    event.preventDefault();
    attempt(submit, box, send);
  } }, nameField, emails.element, info.password ? passwordField : null,
  h('div', { class: 'field' }, h('label', { for: 'drop-files' }, t('drop.files')), files,
    h('span', { class: 'hint', id: 'drop-files-hint' }, t('drop.filesHint', {
      count: remaining, size: formatSize(info.max_file_bytes) }))),
  progress, submit, box);
  return [form, receipt];
}

export async function renderDropPage(view, linkId, secret) {
  const crypto = cryptoClient();
  const box = errorBox();
  let link;
  try {
    link = await api('GET', `/api/drop/${encodeURIComponent(linkId ?? '')}`);
  } catch (error) {
    if (CLOSED.includes(error.code)) {
      closedPage(view, error.code);
      return;
    }
    show(view, h('section', { class: 'panel', id: 'drop-unknown' },
      h('h1', {}, t('drop.unknown')), box));
    showError(box, error);
    return;
  }
  let info;
  try {
    info = await crypto.call('dropbox.open_link', { link_id: link.link_id,
      organization_id: link.organization_id, workspace_id: link.workspace_id,
      link_info: link.link_info, secret: secret ?? '' });
  } catch (error) {
    show(view, h('section', { class: 'panel', id: 'drop-unknown' },
      h('h1', {}, t('drop.badLink')), box));
    showError(box, error);
    return;
  }
  show(view, h('section', { class: 'panel', id: 'drop-page' },
    h('h1', {}, t('drop.title', { label: info.label })),
    h('p', {}, t('drop.intro')),
    h('p', { class: 'muted' }, t('drop.until', { when: formatDateTime(link.expires_at) })),
    ...depositForm(view, crypto, link, info, secret)));
}
