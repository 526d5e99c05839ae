/**
 * The recipient's page of a download link (`#/s/<link id>/<secret>`): no account, no passkey.
 * The secret after the # never leaves the browser. The page asks the server whether the link
 * still holds (an ended link gets its own page, in the recipient's language), asks for the
 * password when it has one, derives the access proof in the crypto worker (Argon2id), and only
 * then gets the link's sealed parts; a wrong password gets nothing. Files are decrypted in the
 * worker and streamed to disk as the app's downloads are; previews carry the watermark (the
 * link's label, the date and time, "Confidential") when the link asks for one.
 */

import { api } from '../api.js';
import { cryptoClient } from '../crypto-client.js';
import { h, show } from '../dom.js';
import { PREVIEW_LIMIT, previewBlob, saveDownload } from '../downloads.js';
import { formatDateTime, formatSize } from '../i18n/format.js';
import { t } from '../i18n/i18n.js';
import {
  canStamp, canStampImage, stamped, watermarkText, watermarkedPreview,
} from '../watermark.js';
import { attempt, errorBox, showError } from './feedback.js';

const ENDED = new Set(['link_expired', 'link_revoked', 'link_exhausted', 'link_not_found',
  'bad_link']);
const PREVIEWABLE = (mime) => mime.startsWith('image/') || mime === 'application/pdf';

function endedPage(view, code) {
  show(view, h('section', { class: 'panel link-ended', id: 'link-ended', dataset: { code } },
    h('h1', {}, t(`recipient.ended.${code}`)),
    h('p', {}, t(`recipient.ended.${code}.text`))));
}

/** Whether `error` ends the page (an ended or unknown link); if so, its page is shown. */
function endedBy(view, error) {
  if (ENDED.has(error?.code)) {
    endedPage(view, error.code);
    return true;
  }
  return false;
}

function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  h('a', { href: url, download: name }).click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** One link opened by its recipient: its proof, its download ticket once taken. */
class OpenedLink {
  constructor(linkId, proof, opened) {
    this.linkId = linkId;
    this.proof = proof;
    this.opened = opened;
    this.ticket = null;
  }

  async document(index) {
    this.ticket ??= (await api('POST', `/api/share-links/${this.linkId}/downloads`,
      { proof: this.proof })).ticket;
    return { link: { linkId: this.linkId, index, ticket: this.ticket } };
  }
}

async function previewFile(link, file, holder, box) {
  if (file.size > PREVIEW_LIMIT) {
    showError(box, { text: t('files.tooLargeToPreview', { size: formatSize(PREVIEW_LIMIT) }) });
    return;
  }
  const blob = await previewBlob(null, await link.document(file.index));
  const text = watermarkText(link.opened.label);
  const shown = link.opened.watermark === 'none'
    ? h(file.mime === 'application/pdf' ? 'iframe' : 'img', {
      src: URL.createObjectURL(blob), title: file.name, alt: file.name,
      class: file.mime === 'application/pdf' ? 'preview pdf' : 'preview' })
    : await watermarkedPreview(blob, file.mime, file.name, text);
  holder.replaceChildren(shown);
}

async function downloadFile(link, file, progress) {
  const document = await link.document(file.index);
  if (link.opened.watermark === 'download_watermarked' && canStamp(file.mime)) {
    const copy = await stamped(await previewBlob(null, document), file.mime,
      watermarkText(link.opened.label));
    saveBlob(copy, canStampImage(file.mime) ? `${file.name.replace(/\.[^.]*$/, '')}.png`
      : file.name);
    return;
  }
  await saveDownload(null, document, (done, total) => {
    progress.max = total || 1;
    progress.value = done;
  });
}

function downloadable(link, file) {
  const mode = link.opened.watermark;
  if (mode === 'preview_only') {
    return false;
  }
  // Watermarked downloads only of what can carry the watermark (images and PDFs).
  return mode !== 'download_watermarked' || canStamp(file.mime);
}

function filesPage(view, link, state) {
  const box = errorBox();
  const holder = h('div', { id: 'link-preview' });
  const rows = link.opened.files.map((file) => {
    const progress = h('progress', { max: 1, value: 0, hidden: true });
    const download = h('button', { type: 'button', class: 'download', onclick: (event) =>
      attempt(event.target, box, async () => {
        progress.hidden = false;
        try {
          await downloadFile(link, file, progress);
        } catch (error) {
          if (!endedBy(view, error)) {
            throw error;
          }
        }
      }) }, t('recipient.download'));
    const preview = h('button', { type: 'button', class: 'preview', onclick: (event) =>
      attempt(event.target, box, () => previewFile(link, file, holder, box)
        .catch((error) => { if (!endedBy(view, error)) throw error; })) },
    t('recipient.preview'));
    return h('li', { class: 'file', dataset: { name: file.name } },
      h('span', { class: 'file-name' }, file.name), ' ',
      h('span', { class: 'file-size muted' }, formatSize(file.size)), ' ',
      downloadable(link, file) ? download : null,
      PREVIEWABLE(file.mime) ? preview : null, progress);
  });
  show(view, h('section', { class: 'panel', id: 'link-files' },
    h('h1', {}, link.opened.label),
    h('p', { class: 'muted' }, t('recipient.privacy')),
    link.opened.watermark === 'preview_only' ? h('p', {}, t('recipient.previewOnly')) : null,
    h('p', { id: 'link-downloads-left' }, t('recipient.downloadsLeft', {
      count: state.downloads_left, until: formatDateTime(state.expires_at) })),
    h('h2', {}, t('recipient.files')),
    h('ul', { id: 'link-file-list', class: 'plain-list' }, ...rows), box, holder));
}

async function openWith(view, linkId, fragment, header, password) {
  const { proof } = await cryptoClient().call('link.prepare', { link_id: linkId, fragment,
    password_header: header, password });
  const state = await api('POST', `/api/share-links/${linkId}/open`, { proof });
  const opened = await cryptoClient().call('link.open', { link_id: linkId,
    key_box: state.key_box, payload: state.payload });
  filesPage(view, new OpenedLink(linkId, proof, opened), state);
}

function passwordPage(view, linkId, fragment, header) {
  const box = errorBox();
  const input = h('input', { id: 'link-password', name: 'password', type: 'password',
    autocomplete: 'off', required: true, 'aria-describedby': 'link-password-hint' });
  const submit = h('button', { type: 'submit', id: 'link-open' }, t('recipient.open'));
  const form = h('form', { id: 'link-password-form', onsubmit: (event) => {
    event.preventDefault();
    attempt(submit, box, () => openWith(view, linkId, fragment, header, input.value)
      .catch((error) => {
        if (!endedBy(view, error)) {
          input.select();
          throw error;
        }
      }));
  } }, h('div', { class: 'field' }, h('label', { for: 'link-password' }, t('recipient.password')),
    input, h('span', { class: 'hint', id: 'link-password-hint' }, t('recipient.passwordHint'))),
  submit);
  show(view, h('section', { class: 'panel', id: 'link-password-page' },
    h('h1', {}, t('recipient.title')), form, box));
  input.focus();
}

/** Renders the recipient's page of link `linkId` whose fragment secret is `fragment`. */
export async function renderShareLinkRecipient(view, linkId, fragment) {
  show(view, h('section', { class: 'panel' }, h('h1', {}, t('recipient.title')),
    h('p', { role: 'status' }, t('recipient.loading'))));
  if (!linkId || !fragment) {
    endedPage(view, 'bad_link');
    return;
  }
  try {
    const state = await api('GET', `/api/share-links/${linkId}`);
    if (state.password_header) {
      passwordPage(view, linkId, fragment, state.password_header);
    } else {
      await openWith(view, linkId, fragment, null, null);
    }
  } catch (error) {
    if (!endedBy(view, error)) {
      const box = errorBox();
      show(view, h('section', { class: 'panel' }, h('h1', {}, t('recipient.title')), box));
      showError(box, error);
    }
  }
}
