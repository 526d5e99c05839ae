/** Creating or editing a dossier; a save that met someone else's edit merges, and conflicts
 * (both values kept) are shown. A save says what was saved; a new dossier, once saved, is
 * edited from then on (a second click saves a new version, never a second dossier). When
 * another member saves a newer version, each changed field shows their value beside it (and
 * takes it where nothing was typed), so the edit in progress is kept; while it is not saved,
 * reloading or leaving the page asks first. */

import { h } from '../dom.js';
import { formatDate, formatDateTime, formatPerson } from '../i18n/format.js';
import { t } from '../i18n/i18n.js';
import { hasChanges, markSaved as markFormSaved } from '../unsent.js';
import { dossierHistory, saveDossier } from '../workspaces.js';
import { dateField } from './date-field.js';
import { attempt, errorBox, noticeBox, showError, showNotice, uiError } from './feedback.js';

const TEXT_FIELDS = ['patient_name', 'referring_site', 'requested_unit'];
const WATCHED = ['patient_name', 'birth_date', 'referring_site', 'requested_unit', 'urgency', 'summary'];
const URGENCIES = ['low', 'normal', 'high'];
function reviewersField(people, chosen) {
  return h('fieldset', { class: 'field', id: 'dossier-reviewers' },
    h('legend', {}, t('dossier.reviewers')),
    ...[...people.values()].map((person) => h('label', { class: 'participant' },
      h('input', { type: 'checkbox', name: 'reviewers', value: person.user_id,
        checked: chosen.includes(person.user_id) }), ` ${formatPerson(person)}`)));
}

function select(name, values, current) {
  return h('select', { id: `dossier-${name}`, name },
    ...values.map((value) => h('option', { value, selected: value === current },
      t(`dossier.${name}.${value}`))));
}

function historyPanel(workspaceId, base, mayWrite, onSaved, box) {
  const list = h('ol', { id: 'dossier-history', class: 'history' });
  const show = async () => {
    const versions = await dossierHistory(workspaceId, base.document_id);
    list.replaceChildren(...versions.map((version) => h('li', {},
      version.problem ? h('span', { class: 'error', lang: 'en' }, version.problem) : [
        h('span', {}, t('dossier.historyEntry', {
          version: version.version, name: version.author_name, when: formatDateTime(version.written_at),
        })),
        mayWrite() && version.version !== base.version
          ? h('button', { type: 'button', class: 'restore', dataset: { version: version.version },
            onclick: async () => {
              try {
                onSaved(await saveDossier(workspaceId, base, version.fields));
              } catch (error) {
                showError(box, error);
              }
            } }, t('dossier.restore'))
          : null])));
  };
  const button = h('button', { type: 'button', id: 'dossier-history-button' }, t('dossier.history'));
  button.addEventListener('click', () => attempt(button, box, show));
  return h('div', {}, button, list);
}

function shownValue(name, value) {
  if (name === 'birth_date') {
    return formatDate(value);
  }
  return name === 'urgency' ? t(`dossier.urgency.${value}`) : value;
}

/** `people`: Map of the workspace's verified members (who may be assigned as reviewers). The
 * status is not edited here: it moves through the committee's log. `onSaved(result, created)`
 * after each save. `confirmation`: a saved message to show at once. Returns {element,
 * showLatest(dossier), setPeople(people, canWrite)}: `showLatest` with the newest version of
 * this dossier, when it changes; `setPeople` when the members or my role change (the reviewers
 * ticked so far stay ticked, unless they left). */
export function dossierForm(workspaceId, base, onSaved, canWrite, people, confirmation = '') {
  const box = errorBox();
  const notice = h('div', { id: 'dossier-notice' });
  const saved = noticeBox('dossier-saved');
  showNotice(saved, confirmation);
  let current = base;
  const fields = base?.fields ?? {};
  const controls = new Map();
  const notes = new Map();
  const withNote = (name, ...children) => {
    const note = h('p', { class: 'their-value', id: `dossier-${name}-theirs`, 'aria-live': 'polite' });
    notes.set(name, note);
    return h('div', { class: 'field' }, ...children, note);
  };
  const inputs = TEXT_FIELDS.map((name) => {
    const input = h('input', { id: `dossier-${name}`, name, value: fields[name] ?? '', type: 'text',
      required: name === 'patient_name', 'aria-describedby': `dossier-${name}-theirs` });
    controls.set(name, input);
    return withNote(name, h('label', { for: `dossier-${name}` }, t(`dossier.${name}`)), input);
  });
  const birth = dateField({ id: 'dossier-birth_date', label: t('dossier.birth_date'),
    value: fields.birth_date ?? '' });
  const summary = h('textarea', { id: 'dossier-summary', name: 'summary', rows: 4 }, fields.summary ?? '');
  const urgency = select('urgency', URGENCIES, fields.urgency ?? 'normal');
  controls.set('summary', summary);
  controls.set('urgency', urgency);
  const submit = h('button', { type: 'submit', class: 'primary', id: 'dossier-save' }, t('dossier.save'));
  let writes = canWrite;
  const title = h('h2', { id: 'dossier-form-title', tabindex: -1 },
    t(!base ? 'dossier.new' : canWrite ? 'dossier.edit' : 'dossier.view'));
  let reviewers = reviewersField(people, fields.reviewers ?? []);
  const form = h('form', { id: 'dossier-form', dataset: { version: base?.version ?? 0 },
    inert: !canWrite, onsubmit: async (event) => {
    event.preventDefault();
    const date = birth.read();
    if (date.error) {
      showError(box, uiError(date.error), { focus: true });
      return;
    }
    const data = new FormData(form);
    const values = { ...Object.fromEntries(data.entries()), birth_date: date.iso,
      reviewers: data.getAll('reviewers') };
    const created = !current;
    const result = await attempt(submit, box, () => saveDossier(workspaceId, current, values));
    if (result) {
      notice.replaceChildren(...result.conflicts.map((conflict) => h('p', { class: 'warning', role: 'status' },
        t('dossier.conflict', { field: t(`dossier.${conflict.name}`), ours: conflict.ours, theirs: conflict.theirs }))));
      current = { ...current, ...result.saved };
      form.dataset.version = result.saved.version;
      title.textContent = t('dossier.edit');
      notes.forEach((note) => note.replaceChildren());
      const text = t(created ? 'dossier.created' : 'dossier.saved',
        { name: result.saved.fields.patient_name, version: result.saved.version });
      showNotice(saved, text);
      markSaved();
      onSaved(result, created ? text : '');
    }
  } },
  ...inputs.slice(0, 1), withNote('birth_date', birth.element), ...inputs.slice(1),
  withNote('urgency', h('label', { for: 'dossier-urgency' }, t('dossier.urgency')), urgency),
  reviewers,
  withNote('summary', h('label', { for: 'dossier-summary' }, t('dossier.summary')), summary),
  writes ? submit : null, saved);
  // Leaving or reloading the page with edits not saved asks first (web/unsent.js); what others
  // saved, shown in the form, is no edit of mine to warn about.
  const markSaved = () => markFormSaved(form);
  const keepingMyEdits = (change) => {
    const hadEdits = hasChanges(form);
    change();
    if (!hadEdits) {
      markSaved();
    }
  };
  const showLatest = (latest) => keepingMyEdits(() => {
    if (!current || !latest || latest.problem || latest.version <= current.version) {
      return;
    }
    for (const name of WATCHED) {
      const mine = current.fields?.[name] ?? '';
      const theirs = latest.fields?.[name] ?? '';
      const control = controls.get(name);
      if (theirs === mine) {
        continue;
      }
      if (control && control.value === mine) {
        control.value = theirs;
      }
      notes.get(name).textContent = theirs
        ? t('dossier.theirValue', { value: shownValue(name, theirs) }) : t('dossier.theirValueEmpty');
    }
  });
  const setPeople = (nextPeople, nowWrites) => keepingMyEdits(() => {
    const ticked = [...reviewers.querySelectorAll('input:checked')].map((box) => box.value);
    const next = reviewersField(nextPeople, ticked);
    reviewers.replaceWith(next);
    reviewers = next;
    writes = nowWrites;
    form.inert = !writes;
    if (writes) {
      saved.before(submit);
    } else {
      submit.remove();
    }
    if (current) {
      title.textContent = t(nowWrites ? 'dossier.edit' : 'dossier.view');
    }
  });
  const element = h('section', { class: 'panel dossier-form', 'aria-labelledby': 'dossier-form-title' },
    title, form, notice, box, base ? historyPanel(workspaceId, base, () => writes, onSaved, box) : null);
  return { element, showLatest, setPeople };
}
