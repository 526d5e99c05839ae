/**
 * The laboratory's delivery board (#/board): every result of every partner space I belong to,
 * with its state (sent, notified, opened by whom and when, acknowledged), read from the spaces'
 * verified histories (receipts are signed entries; the server's word, notified and escalated,
 * is shown as such), filters by site, category, state and age, live updates when a receipt
 * arrives, the escalation delay of each space, and a CSV export built in this browser for the
 * lab's quality records. Urgent results nobody opened stand out, first.
 *
 * Paged: each space's history is opened from my checkpoint of it, which holds every result's
 * delivery (sent, receipts), so the board sorts and filters by site, state and age without
 * decrypting anything. What a result says (sample, patient, category) is fetched and decrypted
 * only for the rows shown, `PAGE` at a time. Of every result nobody opened yet the board needs
 * the category (only those can be urgent and unopened, and none may hide on a later page): it is
 * read once, then kept sealed in this browser with the version it was read from (receipts.js
 * `keepCategories`), and such a result is read again only when shown or changed. A category
 * filter and the export read further rows as they need them.
 */

import { directoryNames } from '../directory.js';
import { h, show } from '../dom.js';
import { resultCategoriesOf } from '../history-memory.js';
import { formatDateTime } from '../i18n/format.js';
import { t } from '../i18n/i18n.js';
import { onWorkspaceChanged } from '../realtime.js';
import {
  escalationDelay, fetchResults, keepCategories, readResults, resultOf, resultsOf,
  setEscalationDelay, spaceResults,
} from '../receipts.js';
import { session } from '../session.js';
import { listWorkspaces, loadWorkspace } from '../workspaces.js';
import { attempt, errorBox, loadOrExplain, showError } from './feedback.js';
import { fillFilters, filterValue } from './filters.js';

const CATEGORIES = ['normal', 'abnormal', 'urgent'];
const STATES = ['sent', 'notified', 'opened', 'acknowledged'];
const HOUR = 3600;
// Age filter: [value, lowest age, highest age] in seconds.
const AGES = [['hour', 0, HOUR], ['day', HOUR, 24 * HOUR], ['older', 24 * HOUR, Infinity]];
const MINUTE = 60;

// Rows drawn at first, and added by "Show more".
const PAGE = 50;

/** A row's state: its receipts say whether it was opened; otherwise the server says whether
 * it told the site (known once the row is read, and every unopened row is read at once). */
function stateOf(row) {
  if (row.acknowledged) {
    return 'acknowledged';
  }
  if (row.opened) {
    return 'opened';
  }
  return row.server?.notified_at ? 'notified' : 'sent';
}

function urgentUnopened(row) {
  return row.category === 'urgent' && !row.opened;
}

/** A space's rows (`spaceResults`), each with what is known before decrypting it (its
 * category when the worker knows it). */
function boardRows(space, { rows, categories }) {
  const now = Date.now() / 1000;
  return rows.map(([dossierId, sentAt, opened, acknowledged, problems]) => {
    const row = { dossierId, sentAt, opened, acknowledged, problems, site: space.name,
      workspaceId: space.workspace_id, age: now - sentAt, read: false,
      category: categories[dossierId] ?? null };
    row.state = stateOf(row);
    return row;
  });
}

/** Newest first, the urgent results nobody opened before every other. */
function byUrgencyThenDate(a, b) {
  return (urgentUnopened(b) - urgentUnopened(a)) || (b.sentAt - a.sentAt)
    || (a.dossierId < b.dossierId ? -1 : 1);
}

const idsOf = (rows) => rows.map((row) => row.dossierId);

/** Fills one space's rows `unread` with what `readResults` found of them. */
function fillRows(unread, found) {
  for (const row of unread) {
    const { dossier, delivery, server } = found[row.dossierId] ?? {};
    const readable = dossier && !dossier.problem && delivery;
    const result = readable ? resultOf(dossier) : null;
    Object.assign(row, { read: true, fetched: null, dossier, delivery, server: server ?? {},
      result, category: result?.category ?? null });
    row.state = stateOf(row);
  }
}

/** `rows` grouped by `key(row)` (a Map). */
function groupedBy(rows, key) {
  const groups = new Map();
  for (const row of rows) {
    groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  }
  return groups;
}

/** Decrypts the rows of `rows` not read yet, each space's at once, with the server's word:
 * those whose ciphertext the board fetched while it loaded from it, the others fetched now. */
async function readRows(rows) {
  const bySpace = groupedBy(rows.filter((row) => !row.read), (row) => row.workspaceId);
  await Promise.all([...bySpace].map(async ([workspaceId, unread]) => {
    const missing = unread.filter((row) => !row.fetched);
    if (missing.length) {
      const fetched = await fetchResults(workspaceId, idsOf(missing));
      missing.forEach((row) => { row.fetched = fetched; });
    }
    await Promise.all([...groupedBy(unread, (row) => row.fetched)].map(async ([fetched, some]) => {
      fillRows(some, await readResults(workspaceId, idsOf(some), fetched));
    }));
  }));
}

function csvCell(value) {
  const text = String(value ?? '');
  return /[",;\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function isoTime(seconds) {
  return seconds ? new Date(seconds * 1000).toISOString() : '';
}

/** The CSV of `rows` (what the filters show), one line per result and receipt dates in UTC. */
export function deliveryCsv(rows, names) {
  const who = (receipts) => receipts.map((r) => names.get(r.user_id) ?? r.user_id).join(' | ');
  const when = (receipts) => receipts.map((r) => isoTime(r.at)).join(' | ');
  const lines = [['site', 'sample', 'patient_name', 'category', 'sent_at', 'state',
    'notified_at', 'opened_by', 'opened_at', 'acknowledged_by', 'acknowledged_at',
    'escalated_at', 'problems']];
  for (const row of rows) {
    lines.push([row.site, row.result.sample, row.dossier.fields.patient_name, row.result.category,
      isoTime(row.delivery.sent_at), row.state, isoTime(row.server.notified_at),
      who(row.delivery.opened), when(row.delivery.opened), who(row.delivery.acknowledged),
      when(row.delivery.acknowledged), isoTime(row.server.escalated_at),
      row.delivery.problems.join(' | ')]);
  }
  return `${lines.map((line) => line.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

function download(text, name) {
  const url = URL.createObjectURL(new Blob(['\ufeff', text], { type: 'text/csv;charset=utf-8' }));
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function who(receipts, names) {
  return receipts.map((receipt) => `${names.get(receipt.user_id) ?? receipt.user_id} `
    + `(${formatDateTime(receipt.at)})`).join(', ');
}

function rowElement(row, names) {
  const flagged = urgentUnopened(row);
  return h('tr', { class: flagged ? 'result-row urgent-unopened' : 'result-row',
    dataset: { dossier: row.dossierId, state: row.state,
      category: row.result.category, sample: row.result.sample } },
  h('td', {}, row.site),
  h('th', { scope: 'row' }, row.result.sample),
  h('td', {}, row.dossier.fields.patient_name ?? ''),
  h('td', {}, h('span', { class: `badge category-${row.result.category}` },
    t(`board.category.${row.result.category}`))),
  h('td', {}, formatDateTime(row.sentAt)),
  h('td', { class: 'result-state' }, t(`board.state.${row.state}`),
    flagged ? h('strong', { class: 'badge badge-invalid urgent-flag' }, t('board.urgentUnopened'))
      : null,
    row.server.escalated_at ? h('span', { class: 'escalated muted' },
      t('board.escalated', { date: formatDateTime(row.server.escalated_at) })) : null,
    row.delivery.problems.length ? h('span', { class: 'badge badge-invalid receipt-problem',
      title: row.delivery.problems.join('\n') }, t('board.problems',
      { count: row.delivery.problems.length })) : null),
  h('td', { class: 'opened-by' }, who(row.delivery.opened, names)),
  h('td', { class: 'acknowledged-by' }, who(row.delivery.acknowledged, names)));
}

function delayForm(loaded, box, onSaved) {
  return h('details', { class: 'panel', id: 'board-escalation' },
    h('summary', {}, t('board.escalation')),
    h('p', { class: 'muted' }, t('board.escalationHelp')),
    ...loaded.map(({ space, delaySeconds }) => {
      const id = `delay-${space.workspace_id}`;
      const input = h('input', { id, type: 'number', min: 1, max: 7 * 24 * 60, step: 1,
        value: delaySeconds ? Math.max(1, Math.round(delaySeconds / MINUTE)) : '' });
      const save = h('button', { type: 'submit' }, t('board.saveDelay'));
      return h('form', { class: 'inline-form', dataset: { workspace: space.workspace_id },
        onsubmit: (event) => {
          event.preventDefault();
          attempt(save, box, async () => {
            await setEscalationDelay(space.workspace_id,
              input.value ? Number(input.value) * MINUTE : null);
            await onSaved(space.workspace_id);
          });
        } },
      h('label', { for: id }, t('board.delayOf', { site: space.name })), ' ', input, ' ', save);
    }));
}

/** A space's board ({space, delaySeconds}) and rows, its unopened results' categories known:
 * those the worker knows (read before, `sealed` the ones kept in this browser, or this session)
 * fetched with the server's word, to be read if shown, the others read (fetched while the
 * worker reads other spaces', then kept); the escalation delay comes with them, or alone when
 * every result was opened. */
async function loadSpace(space, sealed = null) {
  const workspaceId = space.workspace_id;
  const rows = boardRows(space, await spaceResults(workspaceId, sealed));
  const unopened = rows.filter((row) => !row.opened);
  if (!unopened.length) {
    return { board: { space, delaySeconds: await escalationDelay(workspaceId) }, rows };
  }
  const known = unopened.filter((row) => row.category);
  const unknown = unopened.filter((row) => !row.category);
  const [read, fetched] = await Promise.all([
    unknown.length ? resultsOf(workspaceId, idsOf(unknown)) : null,
    known.length ? fetchResults(workspaceId, idsOf(known)) : null]);
  if (read) {
    fillRows(unknown, read.found);
    keepCategories(workspaceId, idsOf(unopened)).catch(() => null);  // for the next visit
  }
  for (const row of known) {
    Object.assign(row, { fetched, server: fetched.server.get(row.dossierId) ?? {} });
    row.state = stateOf(row);
  }
  return { board: { space, delaySeconds: (read ?? fetched).delaySeconds }, rows };
}

const isPartnerSpace = (space) => space.partner_site && !space.problem;

/**
 * Loads what the board shows first: every space's rows, and every unopened result's category,
 * each space's as soon as it is opened; with the milliseconds each step took (`steps`: until
 * every space was opened, then until every row and unopened result's category was known).
 */
async function loadBoard() {
  const times = [performance.now()];
  const loading = new Map();
  const kept = resultCategoriesOf(session.user.user_id).catch(() => new Map());
  const load = async (space) => loadSpace(space, (await kept).get(space.workspace_id) ?? null);
  const spaces = (await listWorkspaces((space) => {
    if (isPartnerSpace(space) && !loading.has(space.workspace_id)) {
      const loaded = load(space);
      loaded.catch(() => null);  // awaited below, with every space's
      loading.set(space.workspace_id, loaded);
    }
  })).filter(isPartnerSpace);
  times.push(performance.now());
  const loaded = await Promise.all(spaces.map((space) => loading.get(space.workspace_id)
    ?? load(space)));
  times.push(performance.now());
  return { spaces: loaded.map(({ board }) => board), rows: loaded.flatMap(({ rows }) => rows),
    steps: times.slice(1).map((time, index) => Math.round(time - times[index])).join(' ') };
}

export async function renderDeliveryBoard(root) {
  const started = performance.now();
  // Changes heard while the board loads and draws (an escalation, a receipt) are applied once
  // it listens itself: the rows loaded may predate them.
  const heard = new Set();
  const stopHearing = onWorkspaceChanged((change) => heard.add(change.workspace_id),
    document.documentElement);
  const loaded = await loadOrExplain(root, t('board.title'), loadBoard);
  if (loaded === null) {
    stopHearing();
    return;
  }
  const names = new Map();
  const box = errorBox();
  const filters = h('div', { class: 'filters', id: 'board-filters' });
  const body = h('tbody', { id: 'board-rows' });
  const count = h('p', { id: 'board-count', role: 'status' });
  const more = h('button', { type: 'button', id: 'board-more', hidden: true,
    onclick: () => redraw(shownCount + PAGE) }, t('board.more'));
  let ordered = [];
  let shownCount = 0;
  let drawing = 0;
  // Whether a row passes the filters that need nothing decrypted (site, state, age).
  const known = (row) => {
    const age = AGES.find(([value]) => value === filterValue(filters, 'board-age'));
    return (!filterValue(filters, 'board-site') || row.workspaceId === filterValue(filters, 'board-site'))
      && (!filterValue(filters, 'board-state') || row.state === filterValue(filters, 'board-state'))
      && (!age || (row.age >= age[1] && row.age < age[2]));
  };
  const category = (row) => !filterValue(filters, 'board-category')
    || row.result.category === filterValue(filters, 'board-category');
  /** The first `limit` results the filters show (rows read as needed), and whether more do
   * (without a category filter, any row left is one more: none is read to know it). */
  const collect = async (limit) => {
    const candidates = ordered.filter(known);
    const found = [];
    for (let first = 0; first < candidates.length;) {
      if (found.length === limit && !filterValue(filters, 'board-category')) {
        return { found, more: true };
      }
      const chunk = candidates.slice(first, first + Math.max(PAGE, limit - found.length));
      first += chunk.length;
      await readRows(chunk);
      for (const row of chunk.filter((candidate) => candidate.result && category(candidate))) {
        if (found.length === limit) {
          return { found, more: true };
        }
        found.push(row);
      }
    }
    return { found, more: false };
  };
  const learnNames = async (rows) => {
    const missing = rows.flatMap((row) => [...row.delivery.opened, ...row.delivery.acknowledged])
      .map((receipt) => receipt.user_id).filter((userId) => !names.has(userId));
    for (const [userId, name] of await directoryNames(missing)) {
      names.set(userId, name);
    }
  };
  async function redraw(limit = PAGE) {
    drawing += 1;
    const mine = drawing;
    body.setAttribute('aria-busy', 'true');
    const { found, more: hasMore } = await collect(limit);
    await learnNames(found).catch(() => null);
    if (mine !== drawing) {
      return;
    }
    shownCount = found.length;
    body.replaceChildren(...found.map((row) => rowElement(row, names)));
    body.setAttribute('aria-busy', 'false');
    more.hidden = !hasMore;
    count.textContent = t('board.count', { count: found.length, total: ordered.length });
  }
  const draw = () => {
    ordered = [...loaded.rows].sort(byUrgencyThenDate);
    fillFilters(filters, [
      { id: 'board-site', label: t('board.site'),
        options: loaded.spaces.map(({ space }) => [space.workspace_id, space.name]) },
      { id: 'board-category', label: t('board.categoryLabel'),
        options: CATEGORIES.map((value) => [value, t(`board.category.${value}`)]) },
      { id: 'board-state', label: t('board.stateLabel'),
        options: STATES.map((value) => [value, t(`board.state.${value}`)]) },
      { id: 'board-age', label: t('board.age'),
        options: AGES.map(([value]) => [value, t(`board.age.${value}`)]) },
    ], () => redraw().catch((error) => showError(box, error)));
    return redraw(Math.max(PAGE, shownCount));
  };
  const reload = async (workspaceId) => {
    const index = loaded.spaces.findIndex(({ space }) => space.workspace_id === workspaceId);
    if (index < 0) {
      return;
    }
    const space = { ...loaded.spaces[index].space, ...await loadWorkspace(workspaceId) };
    const { board, rows } = await loadSpace(space);
    loaded.spaces[index] = board;
    loaded.rows = [...loaded.rows.filter((row) => row.workspaceId !== workspaceId), ...rows];
    await draw();
  };
  const exportButton = h('button', { type: 'button', id: 'board-export',
    onclick: () => attempt(exportButton, box, async () => {
      const { found } = await collect(Infinity);
      await learnNames(found);
      download(deliveryCsv(found, names),
        `paravent-deliveries-${new Date().toISOString().slice(0, 10)}.csv`);
    }) }, t('board.export'));
  const section = h('section', { class: 'panel', id: 'delivery-board' },
    h('h1', { id: 'board-title' }, t('board.title')),
    h('p', { class: 'muted' }, t('board.intro')),
    loaded.spaces.length ? null : h('p', { id: 'board-empty' }, t('board.noSpaces')),
    filters, h('div', { class: 'inline-form' }, exportButton), count, box,
    h('div', { class: 'table-scroll' }, h('table', { class: 'board-table' },
      h('caption', { class: 'visually-hidden' }, t('board.title')),
      h('thead', {}, h('tr', {}, ...['site', 'sample', 'patient', 'categoryLabel', 'sent',
        'stateLabel', 'openedBy', 'acknowledgedBy'].map((key) => h('th', { scope: 'col' },
        t(`board.column.${key}`))))),
      body)),
    h('div', { class: 'inline-form' }, more),
    delayForm(loaded.spaces, box, reload));
  show(root, section);
  await draw();
  // How long the first page took to draw, from the view's start, and its steps (the benchmark
  // reads them).
  section.dataset.steps = loaded.steps;
  section.dataset.drawnMs = String(Math.round(performance.now() - started));
  // A receipt (a log entry), a new result or an escalation in one of the spaces: redraw it.
  const pending = new Map();
  const onChange = (change) => {
    if (pending.has(change.workspace_id)) {
      return;
    }
    pending.set(change.workspace_id, setTimeout(() => {
      pending.delete(change.workspace_id);
      reload(change.workspace_id).catch((error) => showError(box, error));
    }, 300));
  };
  onWorkspaceChanged(onChange, body);
  stopHearing();
  heard.forEach((workspaceId) => onChange({ workspace_id: workspaceId }));
}
