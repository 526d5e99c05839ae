/** My workspaces (names decrypted in the worker, with their unread comments, refreshed live)
 * and a form to create one. */

import { h } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { loadLog, unreadTotal } from '../log.js';
import { notificationBadge } from '../notifications.js';
import { onWorkspaceChanged } from '../realtime.js';
import { session } from '../session.js';
import { createWorkspace, listWorkspaces } from '../workspaces.js';
import { attempt, errorBox, showError } from './feedback.js';

export function workspaceListSection() {
  const box = errorBox();
  const list = h('ul', { id: 'workspace-list', class: 'plain-list' });
  const empty = h('p', { class: 'empty', id: 'workspaces-empty', hidden: true }, t('workspaces.none'));
  const unreadBadge = (workspace) => {
    const badge = h('span', { class: 'badge unread', hidden: true });
    // No count when the log cannot be read, or the session ended while it loaded.
    loadLog(workspace.workspace_id).then((log) => {
      const count = unreadTotal(log, session.user.user_id);
      badge.textContent = t('list.unread', { count });
      badge.hidden = count === 0;
    }).catch(() => {});
    return badge;
  };
  const refresh = async () => {
    const workspaces = await listWorkspaces();
    empty.hidden = workspaces.length > 0;
    list.replaceChildren(...workspaces.map((workspace) => h('li', {
      dataset: { workspaceId: workspace.workspace_id } },
    workspace.problem
      ? h('span', { class: 'error' }, t('workspaces.unreadable'), ' ',
        h('span', { lang: 'en' }, workspace.problem))
      : [h('a', { href: `#/w/${workspace.workspace_id}` }, workspace.name), ' ', unreadBadge(workspace),
        ' ', notificationBadge(workspace.workspace_id)],
    ' ', h('span', { class: 'muted' }, t(`role.${workspace.role}`)))));
  };
  const name = h('input', { id: 'workspace-name', name: 'name', required: true, maxlength: 200 });
  const submit = h('button', { type: 'submit', id: 'workspace-create' }, t('workspaces.create'));
  const form = h('form', { class: 'inline-form', onsubmit: async (event) => {
    event.preventDefault();
    const created = await attempt(submit, box, () => createWorkspace(name.value));
    if (created) {
      location.hash = `#/w/${created}`;
    }
  } }, h('label', { for: 'workspace-name' }, t('workspaces.name')), name, submit);
  refresh().catch((error) => showError(box, error));
  onWorkspaceChanged(() => refresh().catch((error) => showError(box, error)), list);
  return h('section', { class: 'panel', 'aria-labelledby': 'workspaces-title' },
    h('h2', { id: 'workspaces-title' }, t('workspaces.title')), list, empty, form, box);
}
