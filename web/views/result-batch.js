/**
 * Send results (#/send-results): a lab user picks (or drops) a folder of result PDFs and the
 * CSV that maps each file to its partner site, sample number, category and patient; the page
 * checks everything in the browser before anything leaves and lists every problem (with its CSV
 * line), shows the batch as a table to confirm, then sends it with one progress bar
 * (web/batch-send.js). Picking the same batch again after an interruption sends only the rest.
 */

import { checkBatch, partnerSpaces, sendBatch } from '../batch-send.js';
import { fill, h, show } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { session } from '../session.js';
import { attempt, errorBox, loadOrExplain, noticeBox, showNotice, uiError } from './feedback.js';

const COLUMNS = ['file', 'site', 'sample', 'category', 'patient_name', 'birth_date'];

function isCsv(file) {
  return /\.csv$/i.test(file.name);
}

function problemItem(problem) {
  const text = t(`batch.problem.${problem.code}`, problem.params);
  return h('li', { dataset: { code: problem.code } },
    problem.line ? `${t('batch.line', { line: problem.line })} ${text}` : text);
}

function confirmTable(rows) {
  const header = ['batch.column.line', 'batch.column.file', 'batch.column.site',
    'batch.column.sample', 'batch.column.category'];
  return h('table', { id: 'batch-table', class: 'batch-table' },
    h('caption', {}, t('batch.tableCaption', { count: rows.length })),
    h('thead', {}, h('tr', {}, ...header.map((key) => h('th', { scope: 'col' }, t(key))))),
    h('tbody', {}, ...rows.map((row) => h('tr', { dataset: { sample: row.sample } },
      h('td', {}, String(row.line)), h('td', {}, row.file), h('td', {}, row.site),
      h('td', {}, row.sample),
      h('td', { class: `category-${row.category}` }, t(`batch.category.${row.category}`))))));
}

/** The pickers: the CSV, the PDFs (by hand or a whole folder) and a drop zone; `onPicked` is
 * called with {csv, pdfs} whenever the choice changes (a CSV among the files counts as the
 * batch's CSV when none was picked on its own). */
function pickers(onPicked) {
  const chosen = { csv: null, files: [] };
  const changed = () => {
    const csvs = chosen.files.filter(isCsv);
    onPicked({ csv: chosen.csv ?? (csvs.length === 1 ? csvs[0] : null),
      pdfs: chosen.files.filter((file) => !isCsv(file)) });
  };
  const csvInput = h('input', { type: 'file', id: 'batch-csv', accept: '.csv,text/csv',
    onchange: () => { chosen.csv = csvInput.files[0] ?? null; changed(); } });
  const filesInput = h('input', { type: 'file', id: 'batch-files', multiple: true,
    onchange: () => { chosen.files = Array.from(filesInput.files); changed(); } });
  const folderInput = h('input', { type: 'file', id: 'batch-folder', webkitdirectory: true,
    onchange: () => { chosen.files = Array.from(folderInput.files); changed(); } });
  const zone = h('div', { class: 'drop-zone', id: 'batch-drop' }, t('batch.drop'));
  zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    chosen.files = Array.from(event.dataTransfer.files);
    changed();
  });
  return [
    h('div', { class: 'field' }, h('label', { for: 'batch-csv' }, t('batch.csv')), csvInput),
    h('div', { class: 'field' }, h('label', { for: 'batch-files' }, t('batch.files')), filesInput),
    h('div', { class: 'field' }, h('label', { for: 'batch-folder' }, t('batch.folder')),
      folderInput),
    zone];
}

export async function renderResultBatch(root) {
  const spaces = await loadOrExplain(root, t('batch.title'),
    () => partnerSpaces(session.user.profile === 'admin'));
  if (!spaces) {
    return;
  }
  const box = errorBox();
  const notice = noticeBox('batch-done');
  const summary = h('p', { id: 'batch-summary', role: 'status' });
  const problems = h('ul', { id: 'batch-problems', class: 'error', hidden: true,
    'aria-labelledby': 'batch-problems-title' });
  const problemsTitle = h('h2', { id: 'batch-problems-title', hidden: true, tabindex: -1 },
    t('batch.problemsTitle'));
  const confirm = h('div', { id: 'batch-confirm' });
  const progress = h('progress', { id: 'batch-progress', max: 1, value: 0, hidden: true,
    'aria-label': t('batch.progress') });
  const progressText = h('p', { id: 'batch-progress-text', 'aria-live': 'polite' });
  let picked = { csv: null, pdfs: [] };
  const check = h('button', { type: 'button', class: 'primary', id: 'batch-check' },
    t('batch.check'));

  const send = (checked, button) => attempt(button, box, async () => {
    progress.hidden = false;
    const outcome = await sendBatch({ ...checked, spaces, me: session.user.user_id,
      onProgress: ({ done, total, already }) => {
        progress.max = total;
        progress.value = done;
        progressText.textContent = t('batch.progressText', { done: Math.floor(done), total })
          + (already ? ` ${t('batch.alreadySent', { count: already })}` : '');
      } });
    progress.dataset.finished = 'true';
    button.hidden = true;
    showNotice(notice, t('batch.done', { count: outcome.sent, spaces: outcome.spaces })
      + (outcome.already ? ` ${t('batch.alreadySent', { count: outcome.already })}` : '')
      + (outcome.notified ? ` ${t('batch.notified', { count: outcome.notified })}` : ''));
    notice.dataset.sent = String(outcome.sent);
    notice.dataset.already = String(outcome.already);
    notice.dataset.notified = String(outcome.notified);
    notice.dataset.sendMs = String(Math.round(outcome.sentAt - outcome.startedAt));
    notice.dataset.planMs = String(Math.round(outcome.plannedAt - outcome.startedAt));
    notice.dataset.mailQueuedMs = String(Math.round(outcome.notifiedAt - outcome.sentAt));
  });

  check.addEventListener('click', () => attempt(check, box, async () => {
    fill(confirm);
    problems.hidden = true;
    problemsTitle.hidden = true;
    if (!picked.csv) {
      throw uiError(t('batch.noCsv'));
    }
    const checked = await checkBatch(picked.csv, picked.pdfs, spaces);
    if (checked.problems.length) {
      fill(problems, ...checked.problems.map(problemItem));
      problems.hidden = false;
      problemsTitle.hidden = false;
      problemsTitle.focus();
      return;
    }
    const sites = new Set(checked.rows.map((row) => row.site)).size;
    const go = h('button', { type: 'button', class: 'primary', id: 'batch-send' },
      t('batch.send', { count: checked.rows.length, sites }));
    go.addEventListener('click', () => send(checked, go));
    fill(confirm, confirmTable(checked.rows), go);
  }));

  show(root, h('section', { class: 'panel', 'aria-labelledby': 'batch-title' },
    h('h1', { id: 'batch-title' }, t('batch.title')),
    h('p', {}, t('batch.explain')),
    h('p', {}, t('batch.columns', { columns: COLUMNS.join(', ') })),
    h('p', { class: 'muted' }, t('batch.resumeExplain')),
    spaces.length ? null : h('p', { class: 'muted', id: 'batch-no-spaces' }, t('batch.noSpaces')),
    ...pickers((choice) => {
      picked = choice;
      fill(summary, choice.csv
        ? t('batch.picked', { csv: choice.csv.name, count: choice.pdfs.length })
        : t('batch.noCsv'));
      fill(confirm);
    }),
    summary, check, box, problemsTitle, problems, confirm, progress, progressText, notice));
}
