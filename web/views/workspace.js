/**
 * One workspace: its dossiers (decrypted and verified in the worker, searched and sorted here),
 * the dossier form, and its members with their verified roles, sharing and unsharing. Changes
 * by other members arrive live.
 */

import { verifiedDirectory } from '../directory.js';
import { h, show } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { onWorkspaceChanged } from '../realtime.js';
import { session } from '../session.js';
import {
  loadDossiers, loadWorkspace, renameWorkspace, shareWorkspace, unshareWorkspace,
} from '../workspaces.js';
import { dossierFilesSection } from './dossier-files.js';
import { dossierForm } from './dossier-form.js';
import { attempt, errorBox, loadOrExplain, showError } from './feedback.js';

const COLUMNS = ['patient_name', 'birth_date', 'requested_unit', 'urgency', 'status'];
const ROLES = ['reader', 'contributor', 'manager', 'owner'];

function dossierRow(dossier, onOpen, canWrite) {
  if (dossier.problem) {
    return h('tr', { class: 'problem-row' }, h('td', { colspan: COLUMNS.length + 2 },
      h('span', { class: 'badge badge-invalid' }, t('dossier.unreadable')), ' ', dossier.problem));
  }
  const { fields } = dossier;
  return h('tr', { dataset: { documentId: dossier.document_id } },
    ...COLUMNS.map((column) => h('td', {}, ['urgency', 'status'].includes(column)
      ? t(`dossier.${column}.${fields[column]}`) : fields[column] ?? '')),
    h('td', { class: 'muted' }, t('dossier.byVersion', { name: dossier.author_name, version: dossier.version })),
    h('td', {}, h('button', { type: 'button', onclick: () => onOpen(dossier) },
      t(canWrite ? 'dossier.editButton' : 'dossier.openButton'))));
}

function membersSection(workspace, directory, reload) {
  const box = errorBox();
  const canManage = ['owner', 'manager'].includes(workspace.role);
  const memberIds = new Set(workspace.members.map((member) => member.user_id));
  const removeButton = (member) => {
    const button = h('button', { type: 'button', class: 'danger' }, t('workspace.remove'));
    button.addEventListener('click', () => attempt(button, box, async () => {
      const remaining = [...memberIds].filter((id) => id !== member.user_id);
      await unshareWorkspace(workspace.workspace_id, member.user_id, remaining);
      await reload();
    }));
    return button;
  };
  const rows = workspace.members.map((member) => h('li', { class: 'member', dataset: { userId: member.user_id } },
    h('span', {}, member.display_name ?? member.user_id),
    member.role ? h('span', { class: 'badge badge-verified' }, t(`role.${member.role}`))
      : h('span', { class: 'badge badge-invalid', title: member.problem }, t('workspace.invalidRole')),
    canManage && member.user_id !== session.user.user_id ? removeButton(member) : null));
  const candidates = directory.filter((user) => user.active && !memberIds.has(user.user_id));
  const person = h('select', { id: 'share-user' },
    ...candidates.map((user) => h('option', { value: user.user_id }, `${user.display_name} — ${user.site}`)));
  const role = h('select', { id: 'share-role' },
    ...ROLES.map((value) => h('option', { value, selected: value === 'contributor' }, t(`role.${value}`))));
  const submit = h('button', { type: 'submit', id: 'share-submit' }, t('workspace.share'));
  const form = canManage && candidates.length ? h('form', { class: 'inline-form', onsubmit: async (event) => {
    event.preventDefault();
    await attempt(submit, box, async () => {
      await shareWorkspace(workspace.workspace_id, person.value, role.value);
      await reload();
    });
  } }, h('label', { for: 'share-user' }, t('workspace.shareWith')), person,
  h('label', { for: 'share-role' }, t('person.profile')), role, submit) : null;
  return h('section', { class: 'panel', 'aria-labelledby': 'members-title' },
    h('h2', { id: 'members-title' }, t('workspace.members')),
    h('ul', { id: 'member-list', class: 'plain-list' }, ...rows), form, box);
}

/** The workspace's name, which managers and owners may rename; `refresh` after a rename. */
function workspaceTitle(workspace, box) {
  const element = h('div', { class: 'title-row' });
  let { name, version } = workspace;
  const draw = () => {
    const rename = h('button', { type: 'button', id: 'workspace-rename', onclick: () => {
      const input = h('input', { id: 'workspace-new-name', value: name, required: true,
        'aria-label': t('workspace.newName') });
      const save = h('button', { type: 'submit', class: 'primary', id: 'workspace-rename-save' },
        t('workspace.renameSave'));
      element.replaceChildren(h('form', { class: 'inline-form', onsubmit: async (event) => {
        event.preventDefault();
        await attempt(save, box, async () => {
          await renameWorkspace(workspace.workspace_id, version, input.value.trim());
          await refresh();
        });
      } }, input, save, h('button', { type: 'button', onclick: draw }, t('files.cancel'))));
      input.focus();
    } }, t('workspace.rename'));
    element.replaceChildren(h('h1', { id: 'workspace-title' }, name),
      ['owner', 'manager'].includes(workspace.role) ? rename : null);
  };
  const refresh = async () => {
    ({ name, version } = await loadWorkspace(workspace.workspace_id));
    draw();
  };
  draw();
  return { element, refresh };
}

export async function renderWorkspace(root, workspaceId) {
  const load = async () => {
    const directory = await verifiedDirectory();
    const workspace = await loadWorkspace(workspaceId);
    return { directory, workspace, dossiers: await loadDossiers(workspaceId) };
  };
  const data = await loadOrExplain(root, t('workspace.title'), load);
  if (data === null) {
    return;
  }
  const { workspace, directory } = data;
  let { dossiers } = data;
  const box = errorBox();
  const editor = h('div', { id: 'dossier-editor' });
  const search = h('input', { id: 'dossier-search', type: 'search', placeholder: t('dossier.search') });
  const sort = h('select', { id: 'dossier-sort' },
    ...COLUMNS.map((column) => h('option', { value: column }, t(`dossier.${column}`))));
  const body = h('tbody');
  const canWrite = workspace.role !== 'reader';
  let openFiles = null;
  const edit = async (dossier) => {
    const refresh = async () => {
      dossiers = await loadDossiers(workspaceId);
      draw();
    };
    const parts = [dossierForm(workspaceId, dossier, refresh, canWrite)];
    openFiles = dossier ? dossierFilesSection(workspaceId, dossier.document_id, canWrite) : null;
    if (openFiles) {
      await openFiles.refresh();
      parts.push(openFiles.element);
    }
    editor.replaceChildren(...parts);
    editor.querySelector('input')?.focus();
  };
  const draw = () => {
    const needle = search.value.trim().toLowerCase();
    const visible = dossiers
      .filter((d) => d.problem || !needle || Object.values(d.fields).join(' ').toLowerCase().includes(needle))
      .sort((a, b) => String(a.fields?.[sort.value] ?? '').localeCompare(String(b.fields?.[sort.value] ?? '')));
    body.replaceChildren(...visible.map((dossier) => dossierRow(dossier, edit, canWrite)));
  };
  search.addEventListener('input', draw);
  sort.addEventListener('change', draw);
  const membersHolder = h('div', { id: 'members-holder' });
  // Membership changes refresh the members panel only, so an open dossier form keeps its input;
  // a member who was removed gets the refusal in place of the whole view.
  const reload = async () => {
    try {
      const current = await loadWorkspace(workspaceId);
      membersHolder.replaceChildren(membersSection(current, await verifiedDirectory(), reload));
    } catch {
      await renderWorkspace(root, workspaceId);
    }
  };
  membersHolder.append(membersSection(workspace, directory, reload));
  onWorkspaceChanged(async (change) => {
    if (change.workspace_id !== workspaceId || !root.isConnected) {
      return;
    }
    if (change.what === 'members') {
      await reload();
    } else if (change.kind === 'file') {
      await openFiles?.refresh();
    } else if (change.kind === 'workspace') {
      await renameHolder.refresh();
    } else {
      dossiers = await loadDossiers(workspaceId).catch((error) => { showError(box, error); return dossiers; });
      draw();
    }
  });
  const renameHolder = workspaceTitle(workspace, box);
  draw();
  show(root,
    h('section', { class: 'panel', 'aria-labelledby': 'workspace-title' },
      renameHolder.element,
      h('p', { class: 'muted' }, t('workspace.yourRole', { role: t(`role.${workspace.role}`) })),
      canWrite ? null : h('p', { id: 'read-only-notice', class: 'notice', role: 'note' },
        t('workspace.readOnly')),
      h('div', { class: 'inline-form' },
        h('label', { for: 'dossier-search' }, t('dossier.searchLabel')), search,
        h('label', { for: 'dossier-sort' }, t('dossier.sortBy')), sort,
        canWrite ? h('button', { type: 'button', id: 'dossier-new', onclick: () => edit(null) }, t('dossier.new')) : null),
      h('table', { id: 'dossier-table' },
        h('thead', {}, h('tr', {}, ...COLUMNS.map((column) => h('th', { scope: 'col' }, t(`dossier.${column}`))),
          h('th', { scope: 'col' }, t('dossier.lastEdit')), h('th', { scope: 'col' }, ''))),
        body),
      box),
    editor,
    membersHolder,
    h('p', {}, h('a', { href: '#/' }, t('nav.back'))));
}
