/**
 * The workspace's dossiers as a table: decrypted and verified fields, the status, open requests
 * and unread comments replayed from the verified log; searched, sorted and filtered here (by
 * site, status, assignee, urgency and overdue requests). `update(dossiers, log, people)` redraws it.
 */

import { h } from '../dom.js';
import { formatDate } from '../i18n/format.js';
import { t } from '../i18n/i18n.js';
import { unreadCounts, unreadTotal } from '../log.js';
import { session } from '../session.js';
import { fillFilters, filterValue } from './filters.js';
import { SHOWN_STATUSES, shownStatus, statusText } from './status.js';

const FIELDS = ['patient_name', 'birth_date', 'referring_site', 'requested_unit', 'urgency'];
const URGENCIES = ['low', 'normal', 'high'];
// Columns a narrow screen drops first (web/styles.css): the open dossier shows them.
const SECONDARY = new Set(['birth_date']);
const columnClass = (name) => (SECONDARY.has(name) ? 'secondary' : null);

function stateOf(log, dossier) {
  return log.dossiers[dossier.document_id] ?? log.new_dossier;
}

function cell(fields, name) {
  if (name === 'urgency') {
    return t(`dossier.urgency.${fields.urgency ?? 'normal'}`);
  }
  return name === 'birth_date' ? formatDate(fields.birth_date) : fields[name] ?? '';
}

function row(dossier, state, unread, onOpen) {
  if (dossier.problem) {
    return h('tr', { class: 'problem-row', dataset: { documentId: dossier.document_id } },
      h('td', { colspan: FIELDS.length + 5 },
        h('span', { class: 'badge badge-invalid' }, t('dossier.unreadable')), ' ',
        h('span', { lang: 'en' }, dossier.problem)));
  }
  const { fields } = dossier;
  const open = state.requests.filter((request) => !request.fulfilled_by);
  const overdue = open.some((request) => request.overdue);
  return h('tr', { dataset: { documentId: dossier.document_id, status: state.status } },
    h('td', {}, h('button', { type: 'button', class: 'open-dossier', onclick: () => onOpen(dossier),
      'aria-label': t('dossier.openLabel', { name: fields.patient_name ?? '' }) }, t('dossier.openButton'))),
    ...FIELDS.map((name) => h('td', { class: columnClass(name) }, cell(fields, name))),
    h('td', { class: 'status', dataset: { shown: shownStatus(state) } },
      h('span', { class: 'status-badge', dataset: { shown: shownStatus(state) } }, statusText(state))),
    h('td', { class: overdue ? 'requests overdue' : 'requests' },
      open.length ? t(overdue ? 'list.requestsOverdue' : 'list.requests', { count: open.length }) : ''),
    h('td', {}, unread ? h('span', { class: 'badge unread', title: t('list.unreadTitle') },
      t('list.unread', { count: unread })) : ''),
    h('td', { class: 'muted' }, t('dossier.byVersion', { name: dossier.author_name, version: dossier.version }),
      dossier.unconfirmed ? [' ', h('span', { class: 'badge badge-muted unconfirmed', title: dossier.unconfirmed },
        t('activity.unconfirmed'))] : null));
}

/** Returns {element, update(dossiers, log, people)}; `people`: Map of the workspace's verified
 * members (the assignees to filter by). */
export function dossierList(onOpen) {
  const search = h('input', { id: 'dossier-search', type: 'search', placeholder: t('dossier.search') });
  const empty = h('p', { id: 'dossier-empty', class: 'empty', role: 'status' });
  const sort = h('select', { id: 'dossier-sort' },
    ...[...FIELDS, 'status'].map((name) => h('option', { value: name }, t(`dossier.${name}`))));
  const overdueOnly = h('input', { type: 'checkbox', id: 'filter-overdue' });
  const filters = h('div', { class: 'filters' });
  const body = h('tbody');
  const unreadLine = h('p', { id: 'workspace-unread', class: 'muted', 'aria-live': 'polite' });
  let dossiers = [];
  let log = null;
  const value = (id) => filterValue(filters, id);
  const draw = () => {
    const needle = search.value.trim().toLowerCase();
    const [site, status, assignee, urgency] = ['filter-site', 'filter-status', 'filter-assignee', 'filter-urgency'].map(value);
    const unread = unreadCounts(log, session.user.user_id);
    const total = unreadTotal(log, session.user.user_id);
    unreadLine.textContent = total ? t('list.unreadTotal', { count: total }) : '';
    const keyed = dossiers.map((dossier) => ({ dossier, state: stateOf(log, dossier) }));
    const sortKey = ({ dossier, state }) => String(sort.value === 'status'
      ? SHOWN_STATUSES.indexOf(shownStatus(state)) : dossier.fields?.[sort.value] ?? '');
    const rows = keyed
      .filter(({ dossier, state }) => dossier.problem || (
        (!needle || Object.values(dossier.fields).join(' ').toLowerCase().includes(needle))
        && (!site || dossier.fields.referring_site === site)
        && (!status || shownStatus(state) === status)
        && (!assignee || (dossier.fields.reviewers ?? []).includes(assignee))
        && (!urgency || (dossier.fields.urgency ?? 'normal') === urgency)
        && (!overdueOnly.checked || state.requests.some((r) => r.overdue && !r.fulfilled_by))))
      .sort((a, b) => sortKey(a).localeCompare(sortKey(b)))
      .map(({ dossier, state }) => row(dossier, state, unread[dossier.document_id] ?? 0, onOpen));
    body.replaceChildren(...rows);
    table.hidden = rows.length === 0;
    empty.textContent = rows.length ? '' : t(dossiers.length ? 'dossier.noneMatch' : 'dossier.none');
  };
  const update = (nextDossiers, nextLog, people) => {
    dossiers = nextDossiers;
    log = nextLog;
    const sites = [...new Set(dossiers.map((d) => d.fields?.referring_site).filter(Boolean))].sort();
    fillFilters(filters, [
      { id: 'filter-site', label: t('list.site'), options: sites.map((s) => [s, s]) },
      { id: 'filter-status', label: t('dossier.status'),
        options: SHOWN_STATUSES.map((s) => [s, t(`dossier.status.${s}`)]) },
      { id: 'filter-assignee', label: t('list.assignee'),
        options: [...people.values()].map((p) => [p.user_id, p.display_name]) },
      { id: 'filter-urgency', label: t('dossier.urgency'),
        options: URGENCIES.map((u) => [u, t(`dossier.urgency.${u}`)]) },
    ], draw);
    draw();
  };
  search.addEventListener('input', draw);
  sort.addEventListener('change', draw);
  overdueOnly.addEventListener('change', draw);
  const table = h('table', { id: 'dossier-table' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('dossier.openButton'))),
        ...[...FIELDS, 'status'].map((name) => h('th', { scope: 'col', class: columnClass(name) }, t(`dossier.${name}`))),
        h('th', { scope: 'col' }, t('list.requestsTitle')), h('th', { scope: 'col' }, t('list.discussion')),
        h('th', { scope: 'col' }, t('dossier.lastEdit')))),
      body);
  const element = h('div', { class: 'dossier-list' },
    unreadLine,
    h('div', { class: 'filter-bar' },
      h('div', { class: 'field' }, h('label', { for: 'dossier-search' }, t('dossier.searchLabel')), search),
      h('div', { class: 'field' }, h('label', { for: 'dossier-sort' }, t('dossier.sortBy')), sort),
      filters,
      h('label', { class: 'check', for: 'filter-overdue' }, overdueOnly, ' ', t('list.overdueOnly'))),
    h('div', { class: 'table-scroll' }, table), empty);
  return { element, update };
}
