/**
 * The workspace's workflow settings: which role may record each kind of log entry, and how
 * many participants must sign a decision. Everyone sees them; an owner changes them (a new
 * signed manifest version; the server enforces its clear copy, every client the signed one).
 */

import { h } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { loadWorkspace, saveWorkspaceSettings } from '../workspaces.js';
import { attempt, errorBox, noticeBox, showNotice } from './feedback.js';

const ROLES = ['contributor', 'manager', 'owner'];

/** Returns {element, update(workflow, isOwner)}, which redraws only when either changed;
 * `onSaved()` after a change. */
export function workflowSettings(workspaceId, onSaved) {
  const box = errorBox();
  const saved = noticeBox('workflow-saved');
  const body = h('div', {});
  // Other changes to the workspace (members, its name) leave settings being edited alone.
  let drawn = '';
  const update = (workflow, isOwner) => {
    if (JSON.stringify([workflow, isOwner]) === drawn) {
      return;
    }
    drawn = JSON.stringify([workflow, isOwner]);
    const selects = Object.entries(workflow.policy).map(([kind, role]) => h('select', {
      id: `policy-${kind}`, dataset: { kind }, disabled: !isOwner },
    ...ROLES.map((value) => h('option', { value, selected: value === role }, t(`role.${value}`)))));
    const quorum = h('input', { id: 'workflow-quorum', type: 'number', min: 1, max: 50,
      value: workflow.quorum, disabled: !isOwner });
    const save = h('button', { type: 'submit', id: 'workflow-save' }, t('workflow.save'));
    body.replaceChildren(h('form', { onsubmit: (event) => {
      event.preventDefault();
      attempt(save, box, async () => {
        const latest = await loadWorkspace(workspaceId);
        const policy = Object.fromEntries(selects.map((select) => [select.dataset.kind, select.value]));
        await saveWorkspaceSettings(workspaceId, latest.name,
          { policy, quorum: Number(quorum.value) }, latest.partner_site);
        await onSaved();
        showNotice(saved, t('workflow.saved', { count: Number(quorum.value) }));
      });
    } },
    h('table', {}, h('tbody', {}, ...selects.map((select) => h('tr', {},
      h('th', { scope: 'row' }, h('label', { for: select.id }, t(`activity.kind.${select.dataset.kind}`))),
      h('td', {}, select))))),
    h('p', {}, h('label', { for: 'workflow-quorum' }, t('workflow.quorum')), ' ', quorum),
    isOwner ? save : h('p', { class: 'muted' }, t('workflow.ownersOnly'))));
  };
  const element = h('details', { class: 'panel no-print', id: 'workflow-settings' },
    h('summary', {}, t('workflow.title')), body, saved, box);
  return { element, update };
}
