/**
 * The members' side of download links, under a dossier's files: share one or several of its
 * files (label, validity, maximum downloads, password, watermark) as the sharing policy allows
 * (checked here with the server's rules, then by the server), show the new link once to copy,
 * and list the workspace's links with their state, counts and access list, with revoke.
 * The crypto worker makes the link (its key goes into the URL after the #) and reads each
 * link's label and file names back from its sealed copy.
 */

import { api } from '../api.js';
import { confirmAction } from '../confirm.js';
import { cryptoClient } from '../crypto-client.js';
import { h } from '../dom.js';
import { formatDateTime } from '../i18n/format.js';
import { t } from '../i18n/i18n.js';
import { DAY_MS, checkLinkAllowed, readWorkspacePolicy } from '../policies.js';
import { attempt, errorBox, noticeBox, showError, showNotice, uiError } from './feedback.js';

const WATERMARKS = ['none', 'preview_only', 'download_watermarked'];

export function linkUrl(linkId, fragment) {
  return `${location.origin}/#/s/${linkId}/${fragment}`;
}

function stateOf(link) {
  return link.ended_reason ?? 'active';
}

function linkRow(workspaceId, link, described, reload, box) {
  const about = described ?? { label: link.link_id, files: [] };
  const accesses = link.accesses.length
    ? h('ul', { class: 'plain-list link-accesses' }, ...link.accesses.map((access) =>
      h('li', { dataset: { event: access.event } },
        t(`share.access.${access.event}`, { when: formatDateTime(access.at) }))))
    : h('p', { class: 'muted' }, t('share.noAccess'));
  const revoke = link.ended_reason === null ? h('button', { type: 'button',
    class: 'danger revoke', onclick: (event) => attempt(event.target, box, async () => {
      if (await confirmAction(t('share.confirmRevoke', { label: about.label }))) {
        await api('DELETE', `/api/workspaces/${workspaceId}/share-links/${link.link_id}`);
        await reload();
      }
    }) }, t('share.revoke')) : null;
  return h('li', { class: 'share-link', dataset: { linkId: link.link_id, state: stateOf(link) } },
    h('strong', {}, t('share.summary', { label: about.label, files: about.files.join(', ') })),
    ' ', h('span', { class: 'badge' }, t(`share.state.${stateOf(link)}`)), ' ',
    h('span', { class: 'muted' }, t('share.counts', { downloads: link.downloads,
      max: link.max_downloads, until: formatDateTime(link.expires_at) })),
    revoke,
    h('details', {}, h('summary', {}, t('share.accesses')), accesses));
}

function choice(name, label, options) {
  const select = h('select', { id: `share-${name}`, name },
    ...options.map(([value, text]) => h('option', { value }, text)));
  return h('div', { class: 'field' }, h('label', { for: `share-${name}` }, label), select);
}

function input(name, label, attributes = {}) {
  return h('div', { class: 'field' }, h('label', { for: `share-${name}` }, label),
    h('input', { id: `share-${name}`, name, ...attributes }));
}

/**
 * The section; `update(files)` gives it the dossier's present files (from the file listing,
 * with their `document` as the worker verified it). Returns {element, update}.
 */
export function shareLinksSection(workspaceId) {
  const box = errorBox();
  const notice = noticeBox('share-notice');
  const created = h('div', { id: 'share-created' });
  const choices = h('div', { class: 'share-choices' });
  const picks = h('fieldset', { id: 'share-files' }, h('legend', {}, t('share.files')), choices);
  const list = h('ul', { id: 'share-link-list', class: 'plain-list' });
  let files = [];
  let policy = null;
  const reload = async () => {
    const { links } = await api('GET', `/api/workspaces/${workspaceId}/share-links`);
    const described = links.length ? (await cryptoClient().call('link.describe',
      { workspace_id: workspaceId, links })).links : [];
    const byId = new Map(described.map((item) => [item.link_id, item]));
    list.replaceChildren(...(links.length ? links.slice().reverse().map((link) =>
      linkRow(workspaceId, link, byId.get(link.link_id), reload, box))
      : [h('li', { class: 'muted' }, t('share.none'))]));
  };
  const form = h('form', { id: 'share-form', onsubmit: (event) => {
    event.preventDefault();
    attempt(form.querySelector('button[type=submit]'), box, () => create(new FormData(form)));
  } }, picks,
  input('label', t('share.label'), { required: true, maxlength: 200 }),
  input('days', t('share.days'), { type: 'number', min: 1, value: 7, required: true }),
  input('max', t('share.maxDownloads'), { type: 'number', min: 1, max: 1000, value: 3,
    required: true }),
  input('password', t('share.password'), { type: 'password', autocomplete: 'new-password' }),
  choice('watermark', t('share.watermark'),
    WATERMARKS.map((mode) => [mode, t(`share.watermark.${mode}`)])),
  h('button', { type: 'submit', id: 'share-create' }, t('share.create')));

  async function create(data) {
    const chosen = files.filter((file) => data.getAll('file').includes(file.document_id));
    if (!chosen.length) {
      throw uiError(t('share.noneSelected'));
    }
    const expiresAt = Date.now() + Number(data.get('days')) * DAY_MS;
    const password = data.get('password') || null;
    const watermark = data.get('watermark');
    policy ??= (await readWorkspacePolicy(workspaceId)).effective;
    const refused = checkLinkAllowed(policy, { kind: 'link', expiresAt, password,
      watermark: watermark !== 'none' });
    if (refused) {
      throw uiError(t(refused.code, refused));
    }
    const made = await cryptoClient().call('link.create', { workspace_id: workspaceId,
      files: chosen.map((file) => file.document), label: data.get('label'), password,
      watermark });
    await api('POST', `/api/workspaces/${workspaceId}/share-links`, { ...made.body,
      expires_at: Math.floor(expiresAt / 1000), max_downloads: Number(data.get('max')) });
    const url = linkUrl(made.link_id, made.fragment);
    const field = h('input', { id: 'share-url', readonly: true, value: url, size: 60 });
    created.replaceChildren(h('label', { for: 'share-url' }, t('share.link')), field,
      h('button', { type: 'button', onclick: () => navigator.clipboard?.writeText(url) },
        t('share.copy')));
    showNotice(notice, t('share.created'));
    form.reset();
    await reload();
  }

  const update = (present) => {
    // A listing refreshed while the member picks files keeps what they ticked.
    const ticked = new Set(Array.from(picks.querySelectorAll('input:checked'),
      (input) => input.value));
    files = present.filter((file) => !file.problem && !file.deleted);
    choices.replaceChildren(...files.map((file) => h('label',
      { class: 'check' }, h('input', { type: 'checkbox', name: 'file', value: file.document_id,
        checked: ticked.has(file.document_id) }), ` ${file.name}`)));
  };
  const element = h('details', { class: 'panel', id: 'share-panel',
    ontoggle: (event) => {
      if (event.target.open) {
        reload().catch((error) => showError(box, error));
      }
    } },
  h('summary', {}, h('h2', { class: 'inline' }, t('share.title'))),
  h('p', { class: 'hint' }, t('share.explain')),
  h('p', {}, h('a', { href: `#/policy/${workspaceId}`, id: 'share-policy-link' },
    t('share.policyLink'))),
  form, notice, created, box,
  h('h3', {}, t('share.listTitle')), list);
  return { element, update };
}
