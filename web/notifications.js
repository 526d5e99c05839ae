/**
 * The signed-in user's notifications across workspaces (mentions, document requests addressed
 * to them, decisions awaiting their signature), kept live: the header's bell with its unread
 * count and list, a badge per workspace wherever a view shows `notificationBadge(id)`, and the
 * unread count in the tab's title. Opening a workspace marks its notifications read (in every
 * tab: the server tells them). The server knows only which workspace, which item id, which
 * kind, by whom and when; the names shown here come from the verified directory and the
 * workspaces the worker decrypts. Also: asking the server to notify members (`notifyMembers`),
 * and keeping the mail's language the UI's.
 */

import { api } from './api.js';
import { directoryNames } from './directory.js';
import { fill, h } from './dom.js';
import { formatDateTime } from './i18n/format.js';
import { currentLanguage, t } from './i18n/i18n.js';
import { onServerEvent } from './realtime.js';
import { session } from './session.js';
import { listWorkspaces } from './workspaces.js';

const BELL_SHOWN = 8;
const state = { running: false, notifications: [], unread: { total: 0, workspaces: {} } };
const listeners = new Set();
let names = { workspaces: new Map(), people: new Map() };
let bell = null;

/** Calls `listener(state)` whenever the notifications change; returns how to stop. */
export function onNotificationsChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function notifications() {
  return state.notifications;
}

export function unreadIn(workspaceId) {
  return state.unread.workspaces[workspaceId] ?? 0;
}

/** What a notification says, with the names this browser verified. */
export function describe(notification) {
  return t(`notifications.kind.${notification.kind}`, {
    name: names.people.get(notification.by_user_id) ?? t('notifications.someone'),
    workspace: names.workspaces.get(notification.workspace_id) ?? t('notifications.aWorkspace'),
  });
}

export function notificationLink(notification) {
  return `#/w/${notification.workspace_id}`;
}

function drawBadge(badge) {
  const count = unreadIn(badge.dataset.notificationCount);
  badge.textContent = t('notifications.badge', { count });
  badge.hidden = count === 0;
}

/** A badge with the unread notifications of a workspace, kept up to date. */
export function notificationBadge(workspaceId) {
  const badge = h('span', { class: 'badge notification-count', dataset: { notificationCount: workspaceId } });
  drawBadge(badge);
  return badge;
}

function drawTitle() {
  document.title = state.running && state.unread.total
    ? t('notifications.tabTitle', { count: state.unread.total }) : t('notifications.appTitle');
}

function changed() {
  drawTitle();
  document.querySelectorAll('[data-notification-count]').forEach(drawBadge);
  bell?.draw();
  listeners.forEach((listener) => listener(state));
}

async function refresh() {
  const listing = await api('GET', '/api/notifications');
  if (state.running) {
    state.notifications = listing.notifications;
    state.unread = listing.unread;
    changed();
  }
}

/** Loads the names the list shows: workspaces as the worker decrypts them, the people the
 * notifications name as their verified certificates say (fetched by id, not the whole
 * directory; only once there is something to name: opening every workspace costs the worker). */
let loadingNames = null;

export function loadNames() {
  const named = state.notifications.map((notification) => notification.by_user_id);
  loadingNames ??= Promise.all([listWorkspaces(), directoryNames(named)]).then(([workspaces, people]) => {
    if (state.running) {
      names = {
        workspaces: new Map(workspaces.filter((w) => !w.problem).map((w) => [w.workspace_id, w.name])),
        people,
      };
      changed();
    }
  }).finally(() => { loadingNames = null; });
  return loadingNames;
}

function showingWorkspace(workspaceId) {
  return location.hash === `#/w/${workspaceId}` || location.hash.startsWith(`#/w/${workspaceId}?`);
}

/** Marks my notifications of a workspace read, here at once and on the server. */
export async function markWorkspaceRead(workspaceId) {
  if (!state.running || unreadIn(workspaceId) === 0) {
    return;
  }
  state.notifications = state.notifications.map((notification) => (
    notification.workspace_id === workspaceId ? { ...notification, read: true } : notification));
  state.unread.total -= unreadIn(workspaceId);
  delete state.unread.workspaces[workspaceId];
  changed();
  await api('POST', '/api/notifications/read', { workspace_id: workspaceId });
}

function heard(notification) {
  if (!state.running) {
    return;
  }
  state.notifications = [notification, ...state.notifications];
  state.unread.total += 1;
  state.unread.workspaces[notification.workspace_id] = unreadIn(notification.workspace_id) + 1;
  changed();
  if (!names.workspaces.has(notification.workspace_id) || !names.people.has(notification.by_user_id)) {
    loadNames().catch(() => {});
  }
  if (showingWorkspace(notification.workspace_id) && document.visibilityState === 'visible') {
    markWorkspaceRead(notification.workspace_id).catch(() => {});
  }
}

/** Asks the server to notify `userIds` (members of the workspace) of `kind` about `itemId`;
 * myself and nobody are left out. A failure is not the writer's problem: their entry is in. */
export async function notifyMembers(workspaceId, kind, userIds, itemId = null) {
  const me = session.user?.user_id;
  const recipients = [...new Set(userIds)].filter((id) => id && id !== me);
  if (!recipients.length) {
    return;
  }
  await api('POST', `/api/workspaces/${workspaceId}/notifications`, {
    kind, user_ids: recipients, ...(itemId ? { item_id: itemId } : {}),
  }).catch(() => {});
}

/** Mail in the language the UI speaks now. */
async function keepMailLanguage() {
  const preferences = await api('GET', '/api/notifications/preferences');
  if (preferences.language !== currentLanguage()) {
    await api('PUT', '/api/notifications/preferences', { ...preferences, language: currentLanguage() });
  }
}

function bellControl(holder) {
  const count = h('span', { class: 'badge bell-count', id: 'notification-count' });
  const button = h('button', { type: 'button', id: 'notification-bell', class: 'bell',
    'aria-expanded': 'false', 'aria-controls': 'notification-panel' });
  const list = h('ul', { class: 'plain-list', id: 'notification-list' });
  const heading = h('h2', { id: 'notification-panel-title' });
  const all = h('a', { href: '#/notifications', id: 'notification-all' });
  const panel = h('div', { id: 'notification-panel', class: 'notification-panel', role: 'region',
    'aria-labelledby': 'notification-panel-title', hidden: true }, heading, list, all);
  const close = (focusButton) => {
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (focusButton) {
      button.focus();
    }
  };
  const draw = () => {
    fill(button, h('span', { 'aria-hidden': 'true', class: 'bell-icon' }, '🔔'), ' ',
      t('notifications.bell'), ' ', count);
    count.textContent = String(state.unread.total);
    count.hidden = state.unread.total === 0;
    button.setAttribute('aria-label', t('notifications.bellLabel', { count: state.unread.total }));
    heading.textContent = t('notifications.title');
    all.textContent = t('notifications.all');
    const shown = state.notifications.slice(0, BELL_SHOWN);
    fill(list, shown.length ? shown.map((notification) => h('li', {
      class: notification.read ? 'notification' : 'notification unread' },
    h('a', { href: notificationLink(notification), onclick: () => close(false) }, describe(notification)),
    ' ', h('span', { class: 'muted' }, formatDateTime(notification.created_at))))
      : h('li', { class: 'empty' }, t('notifications.none')));
  };
  button.addEventListener('click', () => {
    const opening = panel.hidden;
    panel.hidden = !opening;
    button.setAttribute('aria-expanded', String(opening));
    if (opening) {
      loadNames().catch(() => {});
    }
  });
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      close(true);
    }
  });
  button.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !panel.hidden) {
      close(true);
    }
  });
  fill(holder, button, panel);
  draw();
  const closeIfOutside = (target) => {
    if (!panel.hidden && !holder.contains(target)) {
      close(false);
    }
  };
  return { draw, closeIfOutside };
}

let wired = false;

function wireOnce() {
  if (wired) {
    return;
  }
  wired = true;
  onServerEvent('notification:new', heard);
  onServerEvent('notification:read', () => state.running && refresh().catch(() => {}));
  onServerEvent('connect', () => state.running && refresh().catch(() => {}));
  document.addEventListener('click', (event) => bell?.closeIfOutside(event.target));
  document.addEventListener('languagechange', () => {
    if (state.running) {
      changed();
      keepMailLanguage().catch(() => {});
    }
  });
  window.addEventListener('hashchange', () => {
    const [, workspaceId] = location.hash.match(/^#\/w\/([^/?]+)/) ?? [];
    if (workspaceId) {
      markWorkspaceRead(workspaceId).catch(() => {});
    }
  });
}

/** Starts following my notifications (keys unlocked: names can be shown), the bell in
 * `holder`. */
export function startNotifications(holder) {
  wireOnce();
  state.running = true;
  bell = bellControl(holder);
  refresh().then(() => {
    const [, workspaceId] = location.hash.match(/^#\/w\/([^/?]+)/) ?? [];
    if (state.notifications.length) {
      loadNames().catch(() => {});
    }
    return workspaceId ? markWorkspaceRead(workspaceId) : null;
  }).catch(() => {});
  keepMailLanguage().catch(() => {});
}

/** Forgets them (locked or signed out): no bell, no count, no names. */
export function stopNotifications(holder) {
  state.running = false;
  state.notifications = [];
  state.unread = { total: 0, workspaces: {} };
  names = { workspaces: new Map(), people: new Map() };
  bell = null;
  holder.replaceChildren();
  changed();
}
