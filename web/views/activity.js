/**
 * A workspace's activity, from its verified log: the chain's state (verified, or loudly where
 * it breaks), the feed of every entry filterable by member, site and kind (the committee's work,
 * and the workspace's own events: members added, roles changed, members removed or revoked,
 * settings, dossier and file versions), and the export of the log for the offline verifier.
 * `update(log)` redraws it live.
 */

import { h } from '../dom.js';
import { formatDateTime } from '../i18n/format.js';
import { t } from '../i18n/i18n.js';
import { exportLog } from '../log.js';
import { attempt, errorBox } from './feedback.js';
import { fillFilters, filterValue } from './filters.js';

const KINDS = ['review', 'comment', 'comment_edit', 'comment_delete', 'request', 'request_fulfilled',
  'decision', 'endorse', 'close', 'reopen', 'workspace_created', 'member_added', 'role_changed',
  'member_removed', 'member_revoked', 'settings_changed', 'workflow_changed', 'dossier_created',
  'dossier_edited', 'dossier_deleted', 'file_added', 'file_updated', 'file_deleted'];

/** What an entry is about, after its kind: the member (and roles), or the dossier. */
function subject(entry, dossierName) {
  const { content } = entry;
  if (content.member) {
    return t(`activity.about.${entry.kind}`, {
      member: content.member.name,
      role: content.role ? t(`role.${content.role}`) : '',
      previous: content.previous_role ? t(`role.${content.previous_role}`) : '',
      date: content.revoked_at ? formatDateTime(content.revoked_at) : '',
    });
  }
  return content.dossier_id ? dossierName(content.dossier_id) : null;
}

export function chainState(chain) {
  const unconfirmed = chain.unconfirmed?.length ?? 0;
  return chain.verified
    ? h('p', { id: 'chain-state', class: 'badge badge-verified', dataset: { verified: 'true', unconfirmed } },
      t('activity.chainVerified', { count: chain.length }),
      unconfirmed ? ` — ${t('activity.chainUnconfirmed', { count: unconfirmed })}` : null)
    : h('p', { id: 'chain-state', class: 'chain-broken', role: 'alert', dataset: { verified: 'false' } },
      t('activity.chainBroken', { position: chain.broken_at, problem: chain.problem }));
}

async function download(workspaceId) {
  const file = await exportLog(workspaceId);
  const url = URL.createObjectURL(new Blob([file.text], { type: file.mime }));
  h('a', { href: url, download: file.name }).click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** `dossierName(id)` names a dossier for the feed. Returns {element, update(log)}. */
export function activitySection(workspaceId, dossierName) {
  const box = errorBox();
  const state = h('div', {});
  const feed = h('ol', { id: 'activity-feed', class: 'plain-list' });
  const filters = h('div', { class: 'inline-form no-print' });
  const exporter = h('button', { type: 'button', id: 'log-export' }, t('activity.export'));
  exporter.addEventListener('click', () => attempt(exporter, box, () => download(workspaceId)));
  let current = null;
  const value = (id) => filterValue(filters, id);
  const draw = () => {
    const [member, site, kind] = ['activity-member', 'activity-site', 'activity-kind'].map(value);
    feed.replaceChildren(...current.entries
      .filter((entry) => (!member || entry.author === member) && (!site || entry.person.site === site)
        && (!kind || entry.kind === kind))
      .reverse()
      .map((entry) => h('li', { class: 'activity', dataset: { kind: entry.kind, seq: entry.seq } },
        h('span', { class: 'muted' }, `#${entry.seq} ${formatDateTime(entry.content.written_at)} — `),
        h('strong', {}, entry.person.name), ` (${entry.person.site ?? '?'}) — `,
        t(`activity.kind.${entry.kind}`), ...[subject(entry, dossierName)].filter(Boolean)
          .map((about) => h('span', { class: 'activity-subject' }, ' — ', about)),
        entry.forged ? h('span', { class: 'badge badge-invalid', title: entry.forged }, t('activity.roleProblem')) : null,
        entry.unconfirmed ? h('span', { class: 'badge badge-muted unconfirmed', title: entry.unconfirmed },
          t('activity.unconfirmed')) : null)));
  };
  const update = (log) => {
    // The committee's entries and the workspace's own events, in the history's order.
    current = { ...log, entries: [...log.entries, ...(log.workspace_events ?? [])]
      .sort((a, b) => a.seq - b.seq) };
    state.replaceChildren(chainState(log.chain));
    const people = new Map(current.entries.map((entry) => [entry.author, entry.person]));
    fillFilters(filters, [
      { id: 'activity-member', label: t('activity.member'),
        options: [...people.values()].map((person) => [person.user_id, person.name]) },
      { id: 'activity-site', label: t('activity.site'),
        options: [...new Set([...people.values()].map((p) => p.site).filter(Boolean))].map((s) => [s, s]) },
      { id: 'activity-kind', label: t('activity.kind'),
        options: KINDS.map((kind) => [kind, t(`activity.kind.${kind}`)]) },
    ], draw);
    draw();
  };
  const element = h('section', { class: 'panel no-print', id: 'activity', 'aria-labelledby': 'activity-title' },
    h('h2', { id: 'activity-title' }, t('activity.title')), state,
    h('div', { class: 'inline-form' }, exporter), filters, feed, box);
  return { element, update };
}
