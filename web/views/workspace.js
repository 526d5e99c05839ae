/**
 * One workspace: its dossiers (decrypted and verified in the worker), an open dossier's form,
 * committee panel and documents, the workspace's activity from its verified log, and its
 * members with their roles as the workspace's history proves them, sharing and unsharing (and
 * the removal of revoked users, done by the first owner or manager who opens it). Whatever the
 * history refuses (forged entries, a rollback, a break) is shown first, loudly. Changes by other
 * members arrive live and update the open views in place.
 */

import { verifiedDirectory } from '../directory.js';
import { fill, h, show } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { onWorkspaceChanged } from '../realtime.js';
import { session } from '../session.js';
import { loadLog } from '../log.js';
import { viewing } from '../presence.js';
import {
  loadDossiers, loadWorkspace, saveWorkspaceSettings, shareWorkspace, unshareWorkspace,
} from '../workspaces.js';
import { activitySection } from './activity.js';
import { committeeSection } from './committee.js';
import { dossierFilesSection } from './dossier-files.js';
import { dossierForm } from './dossier-form.js';
import { dossierList } from './dossier-list.js';
import { workflowSettings } from './workflow-settings.js';
import { workspaceNav } from './workspace-list.js';
import { attempt, errorBox, loadOrExplain, showError } from './feedback.js';

const ROLES = ['reader', 'contributor', 'manager', 'owner'];

function membersSection(workspace, directory, reload) {
  const box = errorBox();
  const canManage = ['owner', 'manager'].includes(workspace.role);
  const memberIds = new Set(workspace.members.map((member) => member.user_id));
  const removeButton = (member) => {
    const button = h('button', { type: 'button', class: 'danger' }, t('workspace.remove'));
    button.addEventListener('click', () => attempt(button, box, async () => {
      await unshareWorkspace(workspace.workspace_id, member.user_id);
      await reload();
    }));
    return button;
  };
  const rows = workspace.members.map((member) => h('li', { class: 'member', dataset: { userId: member.user_id } },
    h('span', {}, member.display_name),
    member.revoked ? h('span', { class: 'badge badge-muted' }, t('workspace.revokedMember'))
      : h('span', { class: 'badge badge-verified' }, t(`role.${member.role}`)),
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
  h('label', { for: 'share-role' }, t('workspace.role')), role, submit) : null;
  return h('section', { class: 'panel', 'aria-labelledby': 'members-title' },
    h('h2', { id: 'members-title' }, t('workspace.members')),
    h('ul', { id: 'member-list', class: 'plain-list' }, ...rows), form, box);
}

/** The workspace's name, which managers and owners may rename; `refresh` after a rename. */
function workspaceTitle(workspace, box) {
  const element = h('div', { class: 'title-row' });
  let { name, version, workflow } = workspace;
  const draw = () => {
    const rename = h('button', { type: 'button', id: 'workspace-rename', onclick: () => {
      const input = h('input', { id: 'workspace-new-name', value: name, required: true,
        'aria-label': t('workspace.newName') });
      const save = h('button', { type: 'submit', class: 'primary', id: 'workspace-rename-save' },
        t('workspace.renameSave'));
      element.replaceChildren(h('form', { class: 'inline-form', onsubmit: async (event) => {
        event.preventDefault();
        await attempt(save, box, async () => {
          await saveWorkspaceSettings(workspace.workspace_id, input.value.trim(), workflow);
          await refresh();
        });
      } }, input, save, h('button', { type: 'button', onclick: draw }, t('files.cancel'))));
      input.focus();
    } }, t('workspace.rename'));
    fill(element, h('h1', { id: 'workspace-title' }, name),
      ['owner', 'manager'].includes(workspace.role) ? rename : null);
  };
  const refresh = async () => {
    const latest = await loadWorkspace(workspace.workspace_id);
    ({ name, version, workflow } = latest);
    draw();
    return latest;
  };
  draw();
  return { element, refresh };
}

/**
 * What the workspace's history says cannot be trusted, loudly: where it breaks or was rolled
 * back, and every forged entry (author, what, why). Nothing is shown when it all verifies.
 */
function historyAlerts(workspace) {
  const { chain, problems } = workspace;
  const alerts = [
    ...(chain.verified ? [] : [t('workspace.historyBroken', { problem: chain.problem })]),
    ...chain.forgeries.map((forgery) => t('workspace.forgedEntry', {
      seq: forgery.seq, author: forgery.author_name, kind: forgery.kind, reason: forgery.reason })),
    ...problems,
  ];
  return alerts.length ? h('section', { id: 'history-alerts', class: 'chain-broken', role: 'alert' },
    h('h2', {}, t('workspace.historyAlert')),
    h('ul', {}, ...alerts.map((alert) => h('li', {}, alert)))) : null;
}

/** Owners and managers remove the revoked users the history still lists, which moves everyone
 * who stays to a new key (the revoked user never gets it). */
async function removeRevoked(workspace) {
  if (!['owner', 'manager'].includes(workspace.role) || !workspace.chain.verified) {
    return false;
  }
  for (const userId of workspace.pending_removals) {
    await unshareWorkspace(workspace.workspace_id, userId);
  }
  return workspace.pending_removals.length > 0;
}

/** Everyone the verified directory certifies, by id: past authors (removed or revoked members)
 * keep their names in comments, signatures and the timeline. */
function everyoneIn(directory) {
  return new Map(directory.filter((user) => user.valid).map((user) => [user.user_id, {
    user_id: user.user_id, display_name: user.display_name, site: user.site }]));
}

function peopleOf(workspace, directory) {
  const byId = new Map(directory.map((user) => [user.user_id, user]));
  return new Map(workspace.members.filter((member) => !member.revoked).map((member) => [
    member.user_id, { user_id: member.user_id, display_name: member.display_name ?? member.user_id,
      site: byId.get(member.user_id)?.site ?? '?', role: member.role }]));
}

export async function renderWorkspace(root, workspaceId) {
  const load = async () => {
    const directory = await verifiedDirectory();
    let workspace = await loadWorkspace(workspaceId);
    if (await removeRevoked(workspace)) {
      workspace = await loadWorkspace(workspaceId);
    }
    const [dossiers, log] = await Promise.all([loadDossiers(workspaceId), loadLog(workspaceId)]);
    return { directory, workspace, dossiers, log };
  };
  const data = await loadOrExplain(root, t('workspace.title'), load);
  if (data === null) {
    return;
  }
  const { workspace, directory } = data;
  let { dossiers, log } = data;
  const people = peopleOf(workspace, directory);
  const box = errorBox();
  const editor = h('div', { id: 'dossier-editor', class: 'dossier-editor' });
  const canWrite = workspace.role !== 'reader';
  let openFiles = null;
  let committee = null;
  let openForm = null;
  let opening = 0;
  const dossierName = (id) => dossiers.find((d) => d.document_id === id)?.fields?.patient_name ?? id;
  const activity = activitySection(workspaceId, dossierName);
  const showDossiers = (next) => {
    dossiers = next;
    list.update(dossiers, log);
    const open = dossiers.find((d) => d.document_id === openForm?.documentId);
    openForm?.showLatest(open);
    committee?.setDossier(open);
  };
  const edit = async (dossier, confirmation = '') => {
    // Only the dossier opened last is shown, however long an earlier one took to load.
    opening += 1;
    const mine = opening;
    const onSaved = async (result, created) => {
      showDossiers(await loadDossiers(workspaceId));
      if (created) {
        await edit(dossiers.find((d) => d.document_id === result.saved.document_id), created);
      }
    };
    const form = dossierForm(workspaceId, dossier, onSaved, canWrite, people, confirmation);
    openForm = { ...form, documentId: dossier?.document_id };
    const parts = [form.element];
    committee = dossier ? committeeSection(dossier, {
      workspaceId, people, everyone: everyoneIn(directory), files: [] }) : null;
    openFiles = dossier ? dossierFilesSection(workspaceId, dossier.document_id, canWrite,
      (files) => committee.setFiles(files.filter((file) => !file.deleted && !file.problem))) : null;
    if (dossier) {
      committee.update(log);
      await openFiles.refresh();
      parts.push(committee.element, openFiles.element);
    } else {
      viewing(workspaceId, null, () => {});
    }
    if (mine !== opening) {
      return;
    }
    editor.replaceChildren(...parts);
    editor.querySelector(confirmation ? '#dossier-saved' : 'h2')?.focus();
  };
  const list = dossierList(people, (dossier) => edit(dossier));
  const settings = workflowSettings(workspaceId, workspace.role === 'owner', async () => {
    await onSettingsChanged();
  });
  const refreshLog = async () => {
    log = await loadLog(workspaceId);
    committee?.update(log);
    list.update(dossiers, log);
    activity.update(log);
  };
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
    try {
      if (change.what === 'members') {
        await reload();
      } else if (change.what === 'log') {
        await refreshLog();
      } else if (change.kind === 'file') {
        await openFiles?.refresh();
      } else if (change.kind === 'workspace') {
        await onSettingsChanged();
      } else {
        showDossiers(await loadDossiers(workspaceId));
      }
    } catch (error) {
      showError(box, error);
    }
  });
  const renameHolder = workspaceTitle(workspace, box);
  const onSettingsChanged = async () => {
    settings.update((await renameHolder.refresh()).workflow);
    await refreshLog();
  };
  settings.update(workspace.workflow);
  list.update(dossiers, log);
  activity.update(log);
  viewing(workspaceId, null, () => {});
  editor.append(h('p', { class: 'panel empty', id: 'dossier-none-open' }, t('dossier.noneOpen')));
  // The committee's day on one screen: workspaces, the dossier list and the open dossier side
  // by side (web/styles.css), the workspace's activity and settings below.
  show(root,
    historyAlerts(workspace),
    h('div', { class: 'workspace-layout' },
      workspaceNav(workspaceId),
      h('section', { class: 'panel no-print dossiers-panel', 'aria-labelledby': 'workspace-title' },
        renameHolder.element,
        h('p', { class: 'muted' }, t('workspace.yourRole', { role: t(`role.${workspace.role}`) })),
        canWrite ? null : h('p', { id: 'read-only-notice', class: 'notice', role: 'note' },
          t('workspace.readOnly')),
        canWrite ? h('div', { class: 'inline-form' }, h('button', { type: 'button', id: 'dossier-new',
          onclick: () => edit(null) }, t('dossier.new'))) : null,
        list.element,
        box),
      editor),
    activity.element,
    settings.element,
    h('div', { class: 'no-print' }, membersHolder, h('p', {}, h('a', { href: '#/' }, t('nav.back')))));
}
