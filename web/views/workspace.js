/**
 * One workspace, in tabs (web/views/workspace-pages.js): its dossiers (decrypted and verified in
 * the worker), an open dossier as its own page (form, documents, committee panel), the
 * workspace's activity from its verified log, its workflow settings, and its members with
 * their roles as the workspace's history proves them, sharing and unsharing (and
 * the removal of revoked users, done by the first owner or manager who opens it). Whatever the
 * history refuses (forged entries, a rollback, a break) is shown first, loudly. Every panel
 * renders from the workspace's one client-side state (web/state.js), which realtime changes
 * reload: what one panel learns (a new member, a role, a version, a decision) all show at once,
 * open forms keeping what is being typed.
 */

import { confirmAction } from '../confirm.js';
import { fill, h, show } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { onWorkspaceChanged } from '../realtime.js';
import { parseHash } from '../router.js';
import { session } from '../session.js';
import { viewing } from '../presence.js';
import { openWorkspaceState } from '../state.js';
import { REVOCATIONS_LEARNED } from '../directory.js';
import { formatDateTime } from '../i18n/format.js';
import { saveWorkspaceSettings, shareWorkspace, unshareWorkspace } from '../workspaces.js';
import { activitySection } from './activity.js';
import { committeeSection } from './committee.js';
import { dossierFilesSection } from './dossier-files.js';
import { dropBoxSection } from './dropbox.js';
import { dossierForm } from './dossier-form.js';
import { dossierList } from './dossier-list.js';
import { freshnessNotice } from './freshness-notice.js';
import { resultReceiptPanel } from './result-receipt.js';
import { workflowSettings } from './workflow-settings.js';
import { workspacePages } from './workspace-pages.js';
import { attempt, errorBox, loadOrExplain, noticeBox, showError, showNotice } from './feedback.js';

const ROLES = ['reader', 'contributor', 'manager', 'owner'];
// What the server answers a page whose user is no longer a member.
const LOST_ACCESS = new Set(['forbidden', 'not_found']);
const mayManage = (workspace) => ['owner', 'manager'].includes(workspace.role);
// As pycrypto_wasm/workspace/roles.py: an owner grants any role, a manager any role below owner.
const mayGrant = (granter, role) => granter === 'owner'
  || (granter === 'manager' && ROLES.indexOf(role) < ROLES.indexOf('owner'));

/** What each role may do, where a role is chosen (the selects point to it). */
function roleDescriptions() {
  return h('dl', { id: 'role-descriptions', class: 'role-descriptions' },
    ...ROLES.flatMap((role) => [h('dt', {}, t(`role.${role}`)), h('dd', {}, t(`role.about.${role}`))]));
}

/** The roles `workspace`'s user may give `member` (an external user is never manager or
 * owner), or none if they may not change theirs. */
function rolesFor(workspace, member, profile) {
  const mine = workspace.role;
  if (!mayManage(workspace) || member.revoked || member.user_id === session.user.user_id
    || !mayGrant(mine, member.role)) {
    return [];
  }
  return ROLES.filter((role) => mayGrant(mine, role)
    && (profile !== 'external' || ROLES.indexOf(role) < ROLES.indexOf('manager')));
}

/** A member's role, with a select and "Change role" where my role lets me change it. */
function roleControl(member, roles, onChange) {
  if (!roles.length) {
    return h('span', { class: 'badge badge-verified' }, t(`role.${member.role}`));
  }
  const id = `member-role-${member.user_id}`;
  const select = h('select', { id, class: 'member-role', 'aria-describedby': 'role-descriptions' },
    ...roles.map((value) => h('option', { value, selected: value === member.role }, t(`role.${value}`))));
  const change = h('button', { type: 'button', class: 'member-role-change' }, t('workspace.changeRole'));
  change.addEventListener('click', () => onChange(select.value, change));
  return h('span', { class: 'inline-form' },
    h('label', { for: id, class: 'visually-hidden' }, t('workspace.roleOf', { name: member.display_name })),
    h('span', { class: 'badge badge-verified' }, t(`role.${member.role}`)), select, change);
}

/** The members with their verified roles, and the sharing form for owners and managers;
 * redrawn from `state` whenever the workspace or the directory changes. */
function membersSection(state) {
  const box = errorBox();
  const notice = noticeBox('members-notice');
  const holder = h('div', { id: 'members-holder' });
  const draw = ({ workspace, directory }) => {
    const profiles = new Map(directory.map((user) => [user.user_id, user.profile]));
    const changeRole = (member) => (role, button) => attempt(button, box, async () => {
      if (role === member.role) {
        return;
      }
      await shareWorkspace(workspace.workspace_id, member.user_id, role);
      await state.reloadWorkspace();
      showNotice(notice, t('workspace.roleChanged', { name: member.display_name, role: t(`role.${role}`) }));
      notice.focus();
    });
    const memberIds = new Set(workspace.members.map((member) => member.user_id));
    const removeButton = (member) => {
      const button = h('button', { type: 'button', class: 'danger' }, t('workspace.remove'));
      button.addEventListener('click', () => attempt(button, box, async () => {
        if (await confirmAction(t('workspace.confirmRemove', { name: member.display_name }))) {
          await unshareWorkspace(workspace.workspace_id, member.user_id);
          await state.reloadWorkspace();
        }
      }));
      return button;
    };
    const rows = workspace.members.map((member) => h('li', { class: 'member', dataset: { userId: member.user_id } },
      h('span', {}, member.display_name),
      member.revoked ? h('span', { class: 'badge badge-muted' }, member.revoked_at
        ? t('workspace.revokedOn', { date: formatDateTime(member.revoked_at) }) : t('workspace.revokedMember'))
        : roleControl(member, rolesFor(workspace, member, profiles.get(member.user_id)), changeRole(member)),
      mayManage(workspace) && member.user_id !== session.user.user_id ? removeButton(member) : null));
    // Members removed because they were revoked stay listed, as revoked, with the date.
    const revoked = (workspace.revoked_members ?? []).map((member) => h('li',
      { class: 'member member-revoked', dataset: { userId: member.user_id } },
      h('span', {}, member.display_name),
      h('span', { class: 'badge badge-revoked' },
        t('workspace.revokedOn', { date: formatDateTime(member.revoked_at) }))));
    const candidates = directory.filter((user) => user.active && !memberIds.has(user.user_id));
    const person = h('select', { id: 'share-user' },
      ...candidates.map((user) => h('option', { value: user.user_id }, `${user.display_name} — ${user.site}`)));
    const role = h('select', { id: 'share-role', 'aria-describedby': 'role-descriptions' },
      ...ROLES.map((value) => h('option', { value, selected: value === 'contributor' }, t(`role.${value}`))));
    const submit = h('button', { type: 'submit', id: 'share-submit' }, t('workspace.share'));
    const form = mayManage(workspace) && candidates.length ? h('form', { class: 'inline-form', onsubmit: async (event) => {
      event.preventDefault();
      await attempt(submit, box, async () => {
        await shareWorkspace(workspace.workspace_id, person.value, role.value);
        await state.reloadWorkspace();
      });
    } }, h('label', { for: 'share-user' }, t('workspace.shareWith')), person,
    h('label', { for: 'share-role' }, t('workspace.role')), role, submit) : null;
    fill(holder, h('section', { class: 'panel', 'aria-labelledby': 'members-title' },
      h('h2', { id: 'members-title' }, t('workspace.members')),
      h('ul', { id: 'member-list', class: 'plain-list' }, ...rows, ...revoked), form, notice, box,
      h('details', { class: 'role-help', open: mayManage(workspace) },
        h('summary', {}, t('workspace.rolesExplained')), roleDescriptions())));
  };
  draw(state.get());
  state.subscribe((next, changed) => {
    if (changed.has('workspace') || changed.has('directory')) {
      draw(next);
    }
  });
  return holder;
}

/** The workspace's name, which managers and owners may rename, and my role with what it lets
 * me do; redrawn from `state` when the workspace changes (unless a rename is being typed). */
function workspaceHeading(state, box, onNewDossier) {
  const title = h('div', { class: 'title-row' });
  const role = h('div', {});
  let renaming = false;
  const draw = () => {
    const { workspace } = state.get();
    renaming = false;
    const rename = h('button', { type: 'button', id: 'workspace-rename', onclick: () => {
      renaming = true;
      const input = h('input', { id: 'workspace-new-name', value: state.get().workspace.name, required: true,
        'aria-label': t('workspace.newName') });
      const save = h('button', { type: 'submit', class: 'primary', id: 'workspace-rename-save' },
        t('workspace.renameSave'));
      title.replaceChildren(h('form', { class: 'inline-form', onsubmit: async (event) => {
        event.preventDefault();
        await attempt(save, box, async () => {
          await saveWorkspaceSettings(workspace.workspace_id, input.value.trim(),
            state.get().workspace.workflow, state.get().workspace.partner_site);
          await state.reloadWorkspace();
          draw();
        });
      } }, input, save, h('button', { type: 'button', onclick: draw }, t('files.cancel'))));
      input.focus();
    } }, t('workspace.rename'));
    fill(title, h('h1', { id: 'workspace-title' }, workspace.name), mayManage(workspace) ? rename : null);
    const canWrite = workspace.role !== 'reader';
    fill(role,
      h('p', { class: 'muted', id: 'workspace-role' }, t('workspace.yourRole', { role: t(`role.${workspace.role}`) })),
      workspace.partner_site
        ? h('p', { class: 'muted', id: 'partner-space-mark' }, t('workspace.partnerSpace')) : null,
      canWrite ? null : h('p', { id: 'read-only-notice', class: 'notice', role: 'note' }, t('workspace.readOnly')),
      canWrite ? h('div', { class: 'inline-form' }, h('button', { type: 'button', id: 'dossier-new',
        onclick: onNewDossier }, t('dossier.new'))) : null);
  };
  draw();
  state.subscribe((next, changed) => {
    if (changed.has('workspace') && !renaming) {
      draw();
    }
  });
  return [title, role];
}

/**
 * What the workspace's history says cannot be trusted, loudly: where it breaks or was rolled
 * back, and every forged entry (author, what, why). Nothing is shown when it all verifies.
 * Opening the workspace may verify only what is new since this browser's checkpoint, while the
 * committee's log is read whole: a break that read finds is shown here too, as it arrives.
 */
function historyAlerts(state) {
  const holder = h('div', { class: 'history-alerts' });
  const draw = () => {
    const { workspace, log } = state.get();
    const breaks = new Set([workspace.chain, log?.chain]
      .filter((chain) => chain && !chain.verified).map((chain) => chain.problem));
    const alerts = [
      ...[...breaks].map((problem) => t('workspace.historyBroken', { problem })),
      ...workspace.chain.forgeries.map((forgery) => t('workspace.forgedEntry', {
        seq: forgery.seq, author: forgery.author_name, kind: forgery.kind, reason: forgery.reason })),
      ...workspace.problems,
    ];
    holder.replaceChildren(...(alerts.length ? [h('section', { id: 'history-alerts', class: 'chain-broken', role: 'alert' },
      h('h2', {}, t('workspace.historyAlert')),
      h('ul', {}, ...alerts.map((alert) => h('li', {}, alert))))] : []));
  };
  draw();
  state.subscribe((_next, changed) => {
    if (changed.has('workspace') || changed.has('log')) {
      draw();
    }
  });
  return holder;
}

/**
 * Entries by users revoked since, applied, whose place before the revocation nothing confirms
 * (a fresh browser, before any honest write after the revocation): flagged, never silent.
 */
function unconfirmedNotice(workspace) {
  const { unconfirmed } = workspace.chain;
  return unconfirmed.length ? h('section', { id: 'history-unconfirmed', class: 'notice', role: 'alert' },
    h('h2', {}, t('workspace.unconfirmedAlert')),
    h('ul', {}, ...unconfirmed.map((entry) => h('li', { dataset: { seq: entry.seq } },
      t('workspace.unconfirmedEntry', { seq: entry.seq, kind: entry.kind, author: entry.author_name,
        date: formatDateTime(entry.revoked_at) }))))) : null;
}

/** In place of the whole view, for a member who was just removed from the workspace. */
function showRemoved(root) {
  show(root, h('section', { class: 'panel' }, h('h1', {}, t('workspace.title')),
    h('p', { id: 'workspace-removed', class: 'notice', role: 'alert' }, t('workspace.removedYou')),
    h('p', {}, h('a', { href: '#/' }, t('nav.back')))));
}

export async function renderWorkspace(root, workspaceId, dossierId = null) {
  const state = await loadOrExplain(root, t('workspace.title'), () => openWorkspaceState(workspaceId));
  if (state === null) {
    return;
  }
  const box = errorBox();
  const editor = h('div', { id: 'dossier-editor', class: 'dossier-editor' });
  // The address names the open dossier (none once a tab shows), so a reload or an unlock after
  // the idle lock opens it again; while this workspace is still the page shown.
  const showInAddress = (dossier) => {
    if (parseHash(location.hash).segments[1] === workspaceId) {
      history.replaceState(history.state, '',
        `#/w/${workspaceId}${dossier ? `/${dossier.document_id}` : ''}`);
    }
  };
  // Set once the pages are drawn: shows the open dossier's page, with its name in the breadcrumb.
  let showDossierPage = () => {};
  const canWrite = () => state.get().workspace.role !== 'reader';
  let openFiles = null;
  // The open dossier's panels stop following the state once another dossier replaces them.
  let closeOpen = () => {};
  let opening = 0;
  const dossierName = (id) => state.get().dossiers.find((d) => d.document_id === id)?.fields?.patient_name ?? id;
  const activity = activitySection(workspaceId, dossierName);
  const edit = async (dossier, confirmation = '') => {
    // Only the dossier opened last is shown, however long an earlier one took to load.
    opening += 1;
    const mine = opening;
    const onSaved = async (result, created) => {
      await state.reloadDossiers();
      if (created) {
        await edit(state.get().dossiers.find((d) => d.document_id === result.saved.document_id), created);
      }
    };
    const seen = state.get();
    const { people, everyone, log } = seen;
    const form = dossierForm(workspaceId, dossier, onSaved, canWrite(), people, confirmation);
    const parts = [form.element];
    const committee = dossier ? committeeSection(dossier, {
      workspaceId, people, everyone, files: [] }) : null;
    const filesPanel = () => dossierFilesSection(workspaceId, dossier.document_id, canWrite(),
      (files) => committee.setFiles(files.filter((file) => !file.deleted && !file.problem)));
    openFiles = dossier ? filesPanel() : null;
    let filesWrite = canWrite();
    if (dossier) {
      committee.update(log);
      await openFiles.refresh();
      parts.push(openFiles.element, committee.element);
      const dropBox = dropBoxSection(workspaceId, dossier.document_id, canWrite(),
        () => openFiles.refresh());
      dropBox.refresh();
      parts.push(dropBox.element);
      const receipt = resultReceiptPanel(workspaceId, dossier);
      if (receipt) {
        parts.splice(1, 0, receipt);
      }
    } else {
      viewing(workspaceId, null, () => {});
    }
    if (mine !== opening) {
      return;
    }
    showInAddress(dossier);
    closeOpen();
    const follow = (next, changed) => {
      const open = next.dossiers.find((d) => d.document_id === dossier?.document_id);
      if (changed.has('people') || changed.has('workspace')) {
        form.setPeople(next.people, canWrite());
        committee?.setPeople(next.people, next.everyone);
      }
      if (dossier && canWrite() !== filesWrite) {
        // My role changed: the documents panel offers (or stops offering) uploads and deletes.
        filesWrite = canWrite();
        const replaced = filesPanel();
        openFiles.element.replaceWith(replaced.element);
        openFiles = replaced;
        openFiles.refresh().catch((error) => showError(box, error));
      }
      if (changed.has('dossiers')) {
        form.showLatest(open);
        committee?.setDossier(open);
      }
      if (changed.has('log') || changed.has('people')) {
        committee?.update(next.log);
      }
    };
    closeOpen = state.subscribe(follow);
    // What changed while the panels were being drawn.
    const now = state.get();
    const missed = new Set(Object.keys(now).filter((key) => now[key] !== seen[key]));
    if (missed.size) {
      follow(now, missed);
    }
    editor.replaceChildren(...parts);
    showDossierPage(dossier?.fields?.patient_name ?? t('dossier.new'));
    // A new dossier's form takes what is typed at once; an open one starts at its heading.
    const focusFirst = confirmation ? '#dossier-saved' : dossier ? 'h2' : '#dossier-patient_name';
    editor.querySelector(focusFirst)?.focus();
  };
  const list = dossierList((dossier) => edit(dossier));
  const settings = workflowSettings(workspaceId, () => state.reloadWorkspace());
  const drawAll = ({ workspace, dossiers, log, people }, changed) => {
    if (changed.has('dossiers') || changed.has('log') || changed.has('people')) {
      list.update(dossiers, log, people);
    }
    if (changed.has('log')) {
      activity.update(log);
    }
    if (changed.has('workspace')) {
      settings.update(workspace.workflow, workspace.role === 'owner');
    }
  };
  state.subscribe(drawAll);
  // A revocation found in another workspace's history: the members and share list redraw.
  const revocationsLearned = () => {
    if (!root.isConnected) {
      window.removeEventListener(REVOCATIONS_LEARNED, revocationsLearned);
      return;
    }
    state.reloadWorkspace().catch((error) => showError(box, error));
  };
  window.addEventListener(REVOCATIONS_LEARNED, revocationsLearned);
  onWorkspaceChanged(async (change) => {
    if (change.workspace_id !== workspaceId || !root.isConnected) {
      return;
    }
    try {
      if (change.kind === 'file') {
        await openFiles?.refresh();
      } else {
        await state.follow(change);
      }
    } catch (error) {
      if (change.what === 'members' && LOST_ACCESS.has(error.code)) {
        showRemoved(root);
      } else {
        showError(box, error);
      }
    }
  }, editor);
  drawAll(state.get(), new Set(['dossiers', 'log', 'workspace']));
  viewing(workspaceId, null, () => {});
  // Said before the first write: whether this browser can confirm it sees the latest state.
  const freshness = await freshnessNotice(state);
  const pages = workspacePages({
    dossiers: h('section', { class: 'panel dossiers-panel', 'aria-labelledby': 'dossiers-title' },
      h('h2', { id: 'dossiers-title' }, t('workspace.tab.dossiers')), list.element, box),
    activity: activity.element,
    members: membersSection(state),
    settings: h('section', { class: 'panel settings-panel', 'aria-labelledby': 'settings-title' },
      h('h2', { id: 'settings-title' }, t('workspace.tab.settings')), settings.element,
      h('p', {}, h('a', { href: `#/policy/${workspaceId}`, id: 'workspace-policy-link' },
        t('policy.title')))),
  }, editor);
  showDossierPage = pages.showDossier;
  pages.element.addEventListener('click', (event) => {
    if (event.target.closest('.tabs button, #breadcrumb-dossiers')) {
      showInAddress(null);
    }
  });
  show(root,
    historyAlerts(state),
    unconfirmedNotice(state.get().workspace),
    freshness,
    h('div', { class: 'workspace-page' },
      h('header', { class: 'workspace-header no-print' }, ...workspaceHeading(state, box, () => edit(null))),
      pages.element));
  const named = state.get().dossiers.find((dossier) => dossier.document_id === dossierId);
  if (named) {
    edit(named);
  }
}
