/**
 * A dossier's documents: upload by picker or drag-and-drop (encrypted and sent by the worker,
 * with progress, speed, time left and cancel), download, and image preview, all without
 * plaintext touching the disk.
 */

import { cryptoClient } from '../crypto-client.js';
import { h } from '../dom.js';
import { formatSize } from '../files.js';
import { t } from '../i18n/i18n.js';
import { errorBox, showError } from './feedback.js';

function progressRow(file) {
  const bar = h('progress', { max: file.size || 1, value: 0 });
  const detail = h('span', { class: 'muted' }, '');
  const cancel = h('button', { type: 'button' }, t('files.cancel'));
  const row = h('li', { class: 'transfer', dataset: { name: file.name } },
    h('span', {}, file.name), bar, detail, cancel);
  const started = performance.now();
  const update = (done, total) => {
    bar.value = done;
    const seconds = (performance.now() - started) / 1000;
    const speed = done / Math.max(seconds, 0.001);
    const left = speed > 0 ? Math.ceil((total - done) / speed) : 0;
    detail.textContent = t('files.progress', { speed: `${formatSize(speed)}/s`, left });
  };
  return { row, update, cancel, detail };
}

async function save(workspaceId, file, box) {
  try {
    const { blob, name } = await cryptoClient().download(workspaceId, file.document);
    const url = URL.createObjectURL(blob);
    const link = h('a', { href: url, download: name });
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (error) {
    showError(box, error);
  }
}

async function preview(workspaceId, file, holder, box) {
  try {
    const { blob } = await cryptoClient().download(workspaceId, file.document);
    const url = URL.createObjectURL(blob);
    holder.replaceChildren(h('img', { src: url, alt: file.name, class: 'preview' }));
  } catch (error) {
    showError(box, error);
  }
}

export function dossierFilesSection(workspaceId, dossierId, files, canWrite, onChanged) {
  const box = errorBox();
  const holder = h('div', { id: 'file-preview' });
  const transfers = h('ul', { id: 'transfers', class: 'plain-list' });
  const list = h('ul', { id: 'file-list', class: 'plain-list' }, ...files.map((file) => h('li', {
    class: 'file', dataset: { name: file.name ?? '' } },
  file.problem
    ? h('span', { class: 'badge badge-invalid', title: file.problem }, t('files.unreadable'))
    : [h('span', { class: 'file-name' }, file.name),
      h('span', { class: 'muted' }, `${formatSize(file.size)} — ${file.author_name}`),
      h('button', { type: 'button', class: 'download', onclick: () => save(workspaceId, file, box) },
        t('files.download')),
      file.mime.startsWith('image/') ? h('button', { type: 'button',
        onclick: () => preview(workspaceId, file, holder, box) }, t('files.preview')) : null])));

  const send = (chosen) => Array.from(chosen).forEach(async (file) => {
    const { row, update, cancel, detail } = progressRow(file);
    transfers.append(row);
    const transfer = cryptoClient().upload(file, workspaceId, dossierId, update);
    cancel.addEventListener('click', transfer.cancel);
    try {
      await transfer.promise;
      row.remove();
      onChanged();
    } catch (error) {
      cancel.remove();
      detail.textContent = '';
      showError(box, error);
    }
  });
  const input = h('input', { type: 'file', id: 'file-input', multiple: true,
    onchange: () => send(input.files) });
  const zone = h('div', { class: 'drop-zone', id: 'drop-zone' }, t('files.drop'));
  zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    send(event.dataTransfer.files);
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'files-title' },
    h('h2', { id: 'files-title' }, t('files.title')), list,
    canWrite ? [h('label', { for: 'file-input' }, t('files.add')), input, zone] : null,
    transfers, holder, box);
}
