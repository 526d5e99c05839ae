/**
 * The client-side state of one open workspace, which the workspace view and all its panels
 * render from: the workspace as the worker verified it (members, my role, its history), the
 * verified directory, the people who may take part (members, by id) and everyone certified (to
 * name past authors), the dossiers and the log. It is fed only by the worker's verified results;
 * a realtime change reloads what it touched, and every subscriber hears of it at once.
 */

import { forgetDirectory, verifiedDirectory } from './directory.js';
import { loadLog } from './log.js';
import { loadDossiers, loadWorkspace, unshareWorkspace } from './workspaces.js';

/** The workspace's members who may take part (not revoked), by id, named from the history. */
function peopleOf(workspace, directory) {
  const byId = new Map(directory.map((user) => [user.user_id, user]));
  return new Map(workspace.members.filter((member) => !member.revoked).map((member) => [
    member.user_id, { user_id: member.user_id, display_name: member.display_name ?? member.user_id,
      site: byId.get(member.user_id)?.site ?? null, role: member.role }]));
}

/** Everyone the verified directory certifies, by id: past authors (removed or revoked members)
 * keep their names in comments, signatures and the timeline. */
function everyoneIn(directory) {
  return new Map(directory.filter((user) => user.valid).map((user) => [user.user_id, {
    user_id: user.user_id, display_name: user.display_name, site: user.site }]));
}

/** Owners and managers remove the revoked users the history still lists, which moves everyone
 * who stays to a new key (the revoked user never gets it). Returns whether anyone was removed. */
async function removeRevoked(workspace) {
  if (!['owner', 'manager'].includes(workspace.role) || !workspace.chain.verified) {
    return false;
  }
  for (const userId of workspace.pending_removals) {
    await unshareWorkspace(workspace.workspace_id, userId);
  }
  return workspace.pending_removals.length > 0;
}

/** The verified workspace and directory, with the people they name. */
async function membership(workspaceId) {
  const directory = await verifiedDirectory();
  let workspace = await loadWorkspace(workspaceId);
  if (await removeRevoked(workspace)) {
    workspace = await loadWorkspace(workspaceId);
  }
  return { directory, workspace, people: peopleOf(workspace, directory), everyone: everyoneIn(directory) };
}

/**
 * Loads workspace `workspaceId` (throws if it cannot be opened, e.g. I am no member) and
 * returns its state: {get(), subscribe(listener), reloadWorkspace(), reloadDossiers(),
 * reloadLog(), follow(change)}. `listener(state, changed)` hears of every change, `changed`
 * being the set of keys that moved ('workspace', 'directory', 'people', 'everyone', 'dossiers',
 * 'log'); `subscribe` returns the function that stops it.
 */
export async function openWorkspaceState(workspaceId) {
  // The worker reads dossiers and the log with the keys that opening the workspace gave it.
  const members = await membership(workspaceId);
  const [dossiers, log] = await Promise.all([loadDossiers(workspaceId), loadLog(workspaceId)]);
  let state = { ...members, dossiers, log };
  const listeners = new Set();
  const set = (patch) => {
    const changed = new Set(Object.keys(patch));
    if (changed.size === 0) {
      return;
    }
    state = { ...state, ...patch };
    [...listeners].forEach((listener) => listener(state, changed));
  };
  // Reloads of one part may overlap (my own write and the realtime event it caused) and finish
  // in either order: only the one started last is applied, so older data never replaces newer.
  const started = new Map();
  const ticket = (part) => {
    started.set(part, (started.get(part) ?? 0) + 1);
    return started.get(part);
  };
  const newest = (part, number, patch) => (started.get(part) === number ? patch : {});
  const reloadLog = async () => {
    const number = ticket('log');
    set(newest('log', number, { log: await loadLog(workspaceId) }));
  };
  const reloadDossiers = async () => {
    const number = ticket('dossiers');
    set(newest('dossiers', number, { dossiers: await loadDossiers(workspaceId) }));
  };
  // The workspace's name, settings, members and roles; they also move the permissions and
  // people the log carries.
  const reloadWorkspace = async () => {
    const [number, logNumber] = [ticket('workspace'), ticket('log')];
    const next = await membership(workspaceId);
    const log = await loadLog(workspaceId);
    set({ ...newest('workspace', number, next), ...newest('log', logNumber, { log }) });
  };
  const follow = async (change) => {
    if (change.what === 'members') {
      forgetDirectory(); // a member may have been certified since this view fetched it
    }
    if (change.what === 'members' || change.kind === 'workspace') {
      await reloadWorkspace();
    } else if (change.what === 'log') {
      await reloadLog();
    } else if (change.kind === 'dossier') {
      await reloadDossiers();
    }
  };
  return {
    get: () => state,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reloadWorkspace, reloadDossiers, reloadLog, follow,
  };
}
