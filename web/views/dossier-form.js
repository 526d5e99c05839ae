/** Creating or editing a dossier; a save that met someone else's edit merges, and conflicts
 * (both values kept) are shown. */

import { h } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { dossierHistory, saveDossier } from '../workspaces.js';
import { attempt, errorBox, showError } from './feedback.js';

const TEXT_FIELDS = ['patient_name', 'birth_date', 'referring_site', 'requested_unit'];
const URGENCIES = ['low', 'normal', 'high'];

function reviewersField(people, chosen) {
  return h('fieldset', { class: 'field', id: 'dossier-reviewers' },
    h('legend', {}, t('dossier.reviewers')),
    ...[...people.values()].map((person) => h('label', { class: 'participant' },
      h('input', { type: 'checkbox', name: 'reviewers', value: person.user_id,
        checked: chosen.includes(person.user_id) }), ` ${person.display_name} (${person.site})`)));
}

function select(name, values, current) {
  return h('select', { id: `dossier-${name}`, name },
    ...values.map((value) => h('option', { value, selected: value === current },
      t(`dossier.${name}.${value}`))));
}

function historyPanel(workspaceId, base, canWrite, onSaved, box) {
  const list = h('ol', { id: 'dossier-history', class: 'history' });
  const show = async () => {
    const versions = await dossierHistory(workspaceId, base.document_id);
    list.replaceChildren(...versions.map((version) => h('li', {},
      version.problem ? h('span', { class: 'error' }, version.problem) : [
        h('span', {}, t('dossier.historyEntry', {
          version: version.version, name: version.author_name,
          when: new Date(version.written_at * 1000).toLocaleString(),
        })),
        canWrite && version.version !== base.version
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

/** `people`: Map of the workspace's verified members (who may be assigned as reviewers). The
 * status is not edited here: it moves through the committee's log. */
export function dossierForm(workspaceId, base, onSaved, canWrite, people) {
  const box = errorBox();
  const notice = h('div', { id: 'dossier-notice' });
  const fields = base?.fields ?? {};
  const inputs = TEXT_FIELDS.map((name) => h('div', { class: 'field' },
    h('label', { for: `dossier-${name}` }, t(`dossier.${name}`)),
    h('input', { id: `dossier-${name}`, name, value: fields[name] ?? '',
      type: name === 'birth_date' ? 'date' : 'text', required: name === 'patient_name' })));
  const summary = h('textarea', { id: 'dossier-summary', name: 'summary', rows: 4 }, fields.summary ?? '');
  const submit = h('button', { type: 'submit', class: 'primary', id: 'dossier-save' }, t('dossier.save'));
  const form = h('form', { id: 'dossier-form', dataset: { version: base?.version ?? 0 },
    inert: !canWrite, onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const values = { ...Object.fromEntries(data.entries()), reviewers: data.getAll('reviewers') };
    const result = await attempt(submit, box, () => saveDossier(workspaceId, base, values));
    if (result) {
      notice.replaceChildren(...result.conflicts.map((conflict) => h('p', { class: 'warning', role: 'status' },
        t('dossier.conflict', { field: t(`dossier.${conflict.name}`), ours: conflict.ours, theirs: conflict.theirs }))));
      onSaved(result);
    }
  } },
  ...inputs,
  h('div', { class: 'field' }, h('label', { for: 'dossier-urgency' }, t('dossier.urgency')),
    select('urgency', URGENCIES, fields.urgency ?? 'normal')),
  reviewersField(people, fields.reviewers ?? []),
  h('div', { class: 'field' }, h('label', { for: 'dossier-summary' }, t('dossier.summary')), summary),
  canWrite ? submit : null);
  return h('section', { class: 'panel', 'aria-labelledby': 'dossier-form-title' },
    h('h2', { id: 'dossier-form-title' }, t(!base ? 'dossier.new' : canWrite ? 'dossier.edit' : 'dossier.view')),
    form, notice, base ? historyPanel(workspaceId, base, canWrite, onSaved, box) : null, box);
}
