/**
 * A dossier's documents: upload by picker or drag-and-drop (encrypted and sent by the worker,
 * with progress, speed, time left, cancel, and a pause while the connection is lost), streamed
 * download, preview of images and PDFs from memory, per-file history, delete and restore.
 * The section refreshes itself when another member changes a file (`refresh`).
 */

import { confirmAction } from '../confirm.js';
import { cryptoClient } from '../crypto-client.js';
import { h } from '../dom.js';
import { PREVIEW_LIMIT, previewBlob, saveDownload } from '../downloads.js';
import { fileHistory, loadFiles, reviseFile } from '../files.js';
import { formatDateTime, formatSize } from '../i18n/format.js';
import { t } from '../i18n/i18n.js';
import { readWorkspacePolicy } from '../policies.js';
import { session } from '../session.js';
import {
  canStamp, canStampImage, stamped, watermarkText, watermarkedPreview,
} from '../watermark.js';
import { outsideMark } from './dropbox.js';
import { attempt, errorBox, showError, uiError } from './feedback.js';
import { shareLinksSection } from './share-links.js';

const PREVIEWABLE = (mime) => mime.startsWith('image/') || mime === 'application/pdf';

/** A file received through a drop link says so, with where from, wherever it is listed. */
function fromOutside(mark) {
  return mark ? h('span', { class: 'outside-mark' },
    h('span', { class: 'badge outside' }, t('drop.outside')), ' ', outsideMark(mark)) : null;
}

/** Why a transfer is paused, in the user's language: the connection, or the server (its
 * storage, or busy: the code it answered). */
function waitingText(why) {
  return why === 'connection' ? t('files.waiting') : t(`wait.${why}`);
}

function progressRow(name, kind) {
  const bar = h('progress', { max: 1, value: 0 });
  const detail = h('span', { class: 'muted', role: 'status' }, '');
  const cancel = h('button', { type: 'button' }, t('files.cancel'));
  const row = h('li', { class: `transfer ${kind}`, dataset: { name } },
    h('span', {}, t(`files.${kind}ing`, { name })), bar, detail, kind === 'upload' ? cancel : null);
  const started = performance.now();
  const update = (done, total, waiting) => {
    bar.max = total || 1;
    bar.value = done;
    row.classList.toggle('waiting', Boolean(waiting));
    row.dataset.waiting = waiting || '';
    if (waiting) {
      detail.textContent = waitingText(waiting);
      return;
    }
    const speed = done / Math.max((performance.now() - started) / 1000, 0.001);
    const left = speed > 0 ? Math.ceil((total - done) / speed) : 0;
    detail.textContent = t('files.progress', { speed: `${formatSize(speed)}/s`, left });
  };
  return { row, update, cancel };
}

async function download(workspaceId, file, transfers, box) {
  const { row, update } = progressRow(file.name, 'download');
  transfers.append(row);
  try {
    await saveDownload(workspaceId, file.document, update);
  } catch (error) {
    showError(box, error);
  } finally {
    row.remove();
  }
}

async function preview(workspaceId, file, holder, box) {
  if (file.size > PREVIEW_LIMIT) {
    showError(box, uiError(t('files.tooLargeToPreview', { size: formatSize(PREVIEW_LIMIT) })));
    return;
  }
  try {
    const blob = await previewBlob(workspaceId, file.document);
    const url = URL.createObjectURL(blob);
    const close = h('button', { type: 'button', id: 'file-preview-close', onclick: () => {
      URL.revokeObjectURL(url);
      holder.replaceChildren();
    } }, t('files.closePreview'));
    // External contacts see previews under a watermark with their name (web/watermark.js).
    const view = session.user?.profile === 'external'
      ? await watermarkedPreview(blob, file.mime, file.name,
        watermarkText(session.user.display_name))
      : file.mime === 'application/pdf'
        ? h('iframe', { src: url, title: file.name, class: 'preview pdf' })
        : h('img', { src: url, alt: file.name, class: 'preview' });
    holder.replaceChildren(h('figure', {}, view, h('figcaption', {}, file.name, ' ', close)));
  } catch (error) {
    showError(box, error);
  }
}

function historyList(workspaceId, file, canWrite, done, box) {
  const list = h('ol', { class: 'history file-history' });
  fileHistory(workspaceId, file.document_id).then((versions) => {
    list.replaceChildren(...versions.map((version) => h('li', { dataset: { version: version.version } },
      version.problem ? h('span', { class: 'error', lang: 'en' }, version.problem) : [
        h('span', {}, t(version.deleted ? 'files.historyDeleted' : 'files.historyEntry', {
          version: version.version, name: version.author_name, size: formatSize(version.size ?? 0),
          when: formatDateTime(version.written_at),
        })), ' ', fromOutside(version.outside),
        canWrite && version.version !== file.version && !version.deleted
          ? h('button', { type: 'button', class: 'restore', onclick: (event) =>
            attempt(event.target, box, async () => {
              await reviseFile(workspaceId, file, version.document, false);
              done();
            }) }, t('files.restoreVersion'))
          : null])));
  }).catch((error) => showError(box, error));
  return list;
}

/** What kind of file it is, in a word: the format's usual short name (PDF, JPEG, DOCX...). */
function fileType(file) {
  const extension = file.name.includes('.') ? file.name.split('.').pop() : '';
  if (extension && extension.length <= 5) {
    return extension.toUpperCase();
  }
  const subtype = file.mime?.split('/')[1];
  return subtype && subtype.length <= 5 ? subtype.toUpperCase() : t('files.typeOther');
}

/** The actions other than the row's first one, in a menu that closes once one is chosen. */
function actionMenu(file, actions) {
  const menu = h('details', { class: 'menu' },
    h('summary', { 'aria-label': t('files.moreLabel', { name: file.name }) }, t('files.more')),
    h('div', { class: 'menu-items' }, ...actions));
  menu.addEventListener('click', (event) => {
    if (event.target.closest('button')) {
      menu.open = false;
    }
  });
  menu.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && menu.open) {
      menu.open = false;
      menu.querySelector('summary').focus();
    }
  });
  return menu;
}

/** The column heads of a file list, for the eye (each row says the same to a screen reader). */
function fileColumns() {
  return h('div', { class: 'file file-columns', 'aria-hidden': 'true' },
    ...['name', 'type', 'size', 'who', 'when', 'actions'].map((column) =>
      h('span', { class: `file-${column}` }, t(`files.column.${column}`))));
}

/** How an external contact gets this space's files, by its sharing policy ('download',
 * 'download_watermarked', 'preview_only'); members download them as they are. */
async function externalFiles(workspaceId) {
  if (session.user?.profile !== 'external') {
    return 'download';
  }
  return (await readWorkspacePolicy(workspaceId)).effective.external_files;
}

async function downloadStamped(workspaceId, file) {
  const copy = await stamped(await previewBlob(workspaceId, file.document), file.mime,
    watermarkText(session.user.display_name));
  const url = URL.createObjectURL(copy);
  h('a', { href: url, download: canStampImage(file.mime)
    ? `${file.name.replace(/\.[^.]*$/, '')}.png` : file.name }).click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A file's Download button, as the space's policy lets this user download it (if at all). */
function downloadButton(workspaceId, file, { transfers, box, filesRule }) {
  if (filesRule === 'preview_only' || (filesRule === 'download_watermarked'
      && !canStamp(file.mime))) {
    return null;
  }
  return h('button', { type: 'button', class: 'download', onclick: (event) => (
    filesRule === 'download_watermarked'
      ? attempt(event.target, box, () => downloadStamped(workspaceId, file))
      : download(workspaceId, file, transfers, box)) }, t('files.download'));
}

function fileRow(workspaceId, file, context) {
  const { canWrite, transfers, holder, box, refresh } = context;
  if (file.problem) {
    return h('li', { class: 'file problem', dataset: { documentId: file.document_id } },
      h('span', { class: 'badge badge-invalid' }, t('files.unreadable')), ' ',
      h('span', { lang: 'en' }, file.problem));
  }
  const details = h('div', { class: 'file-details' });
  const button = (label, className, action) => h('button', { type: 'button', class: className,
    onclick: (event) => attempt(event.target, box, action) }, t(label));
  const toggleHistory = async () => {
    details.replaceChildren(details.childElementCount ? ''
      : historyList(workspaceId, file, canWrite, refresh, box));
  };
  const history = button('files.history', 'history', toggleHistory);
  const undelete = canWrite ? button('files.undelete', 'undelete', async () => {
    await reviseFile(workspaceId, file, file.document, false);
    await refresh();
  }) : null;
  // A deleted file's two actions stay in view: it is listed to be looked into or restored.
  const actions = file.deleted ? [history, undelete] : [
    downloadButton(workspaceId, file, context),
    actionMenu(file, [
      PREVIEWABLE(file.mime) ? h('button', { type: 'button', class: 'preview',
        onclick: () => preview(workspaceId, file, holder, box) }, t('files.preview')) : null,
      history,
      canWrite ? button('files.delete', 'danger delete', async () => {
        if (await confirmAction(t('files.confirmDelete', { name: file.name }))) {
          await reviseFile(workspaceId, file, file.document, true);
          await refresh();
        }
      }) : null])];
  return h('li', { class: file.deleted ? 'file deleted' : 'file',
    dataset: { name: file.name, documentId: file.document_id } },
    h('span', { class: 'file-name' }, file.name, ' ', fromOutside(file.outside)),
    h('span', { class: 'file-type' }, fileType(file)),
    h('span', { class: 'file-size' }, formatSize(file.size)),
    h('span', { class: 'file-who' }, file.author_name),
    h('span', { class: 'file-when' }, formatDateTime(file.written_at)),
    h('span', { class: 'file-actions' }, ...actions),
    details);
}

function uploader(workspaceId, dossierId, transfers, box, refresh) {
  const send = (chosen) => Array.from(chosen).forEach(async (file) => {
    const limit = session.settings.max_file_bytes;
    if (limit && file.size > limit) {
      showError(box, uiError(t('files.tooLarge', { name: file.name, size: formatSize(limit) })));
      return;
    }
    const { row, update, cancel } = progressRow(file.name, 'upload');
    transfers.append(row);
    const transfer = cryptoClient().upload(file, workspaceId, dossierId, update);
    cancel.addEventListener('click', transfer.cancel);
    try {
      await transfer.promise;
    } catch (error) {
      showError(box, error);
      return;
    } finally {
      row.remove();
    }
    // The finished row goes before the listing is read again: another listing (a member's
    // change, the upload's own notice) may show the file first.
    await refresh();
  });
  const input = h('input', { type: 'file', id: 'file-input', multiple: true, class: 'file-input',
    'aria-describedby': 'file-input-hint', onchange: () => send(input.files) });
  const zone = h('div', { class: 'drop-zone', id: 'drop-zone' }, t('files.drop'));
  zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    send(event.dataTransfer.files);
  });
  // The browser's own button reads "Choose Files" in the browser's language: it is hidden
  // (still focusable) behind a translated label that opens the same picker.
  return [h('div', { class: 'file-picker' }, input,
    h('label', { for: 'file-input', class: 'button' }, t('files.choose')),
    h('span', { class: 'hint', id: 'file-input-hint' }, t('files.chooseHint'))), zone];
}

/** The rows drawn, by document: a listing that finds a file as it was keeps its row, so a menu
 * or a history the user opened stays open when the list is drawn again (after an upload, or
 * another member's change to another file). */
function keptRows() {
  const drawn = new Map();
  return {
    row(file, filesRule, draw) {
      const key = JSON.stringify([file.version, file.deleted, file.name, file.mime, file.size,
        file.author_name, file.written_at, file.outside, file.problem, filesRule]);
      const kept = drawn.get(file.document_id);
      if (kept?.key === key) {
        return kept.element;
      }
      const element = draw();
      drawn.set(file.document_id, { key, element });
      return element;
    },
    show(list, elements) {
      const same = elements.length === list.children.length
        && elements.every((element, index) => list.children[index] === element);
      if (!same) {
        list.replaceChildren(...elements);
      }
    },
    forgetOthers(files) {
      const listed = new Set(files.map((file) => file.document_id));
      [...drawn.keys()].filter((id) => !listed.has(id)).forEach((id) => drawn.delete(id));
    },
  };
}

/** The documents section of dossier `dossierId`; `onFiles(files)` hears of each listing.
 * Returns {element, refresh}. */
export function dossierFilesSection(workspaceId, dossierId, canWrite, onFiles = () => {}) {
  const box = errorBox('files-error');
  const holder = h('div', { id: 'file-preview' });
  const transfers = h('ul', { id: 'transfers', class: 'plain-list' });
  const list = h('ul', { id: 'file-list', class: 'plain-list' });
  const empty = h('p', { class: 'empty', id: 'files-empty', hidden: true }, t('files.none'));
  const columns = fileColumns();
  const removed = h('ul', { id: 'deleted-file-list', class: 'plain-list' });
  const removedPanel = h('details', { id: 'deleted-files', hidden: true },
    h('summary', {}, t('files.deletedTitle')), removed);
  const sharing = canWrite ? shareLinksSection(workspaceId) : null;
  const rows = keptRows();
  const refresh = async () => {
    try {
      const files = (await loadFiles(workspaceId)).filter((file) => file.dossier_id === dossierId
        || (file.problem && !file.dossier_id));
      const filesRule = await externalFiles(workspaceId);
      const context = { canWrite, transfers, holder, box, refresh, filesRule };
      const present = files.filter((file) => !file.deleted);
      const row = (file) => rows.row(file, filesRule, () => fileRow(workspaceId, file, context));
      rows.show(list, present.map(row));
      empty.hidden = present.length > 0;
      columns.hidden = present.length === 0;
      const deleted = files.filter((file) => file.deleted);
      rows.show(removed, deleted.map(row));
      rows.forgetOthers(files);
      removedPanel.hidden = deleted.length === 0;
      sharing?.update(present);
      onFiles(files);
    } catch (error) {
      showError(box, error);
    }
  };
  const element = h('section', { class: 'panel', id: 'files-panel', 'aria-labelledby': 'files-title' },
    h('h2', { id: 'files-title' }, t('files.title')), h('div', { class: 'table-scroll' }, columns, list),
    empty, removedPanel,
    canWrite ? uploader(workspaceId, dossierId, transfers, box, refresh) : null,
    transfers, holder, box, sharing?.element ?? null);
  return { element, refresh };
}
