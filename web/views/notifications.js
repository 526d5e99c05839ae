/** The Notifications page: every recent notification across my workspaces (live), and how often
 * Paravent may mail me about them (grouped within a few minutes, daily, never). */

import { api } from '../api.js';
import { fill, h, show } from '../dom.js';
import { formatDateTime } from '../i18n/format.js';
import { currentLanguage, t } from '../i18n/i18n.js';
import {
  describe, loadNames, notificationLink, notifications, onNotificationsChange,
} from '../notifications.js';
import { attempt, errorBox, loadOrExplain } from './feedback.js';

const MAIL_MODES = ['grouped', 'daily', 'never'];

function listSection() {
  const list = h('ul', { id: 'notification-page-list', class: 'plain-list' });
  const draw = () => {
    const all = notifications();
    fill(list, all.length ? all.map((notification) => h('li', {
      class: notification.read ? 'notification' : 'notification unread' },
    h('a', { href: notificationLink(notification) }, describe(notification)), ' ',
    h('span', { class: 'muted' }, formatDateTime(notification.created_at)),
    notification.read ? null : [' ', h('span', { class: 'badge unread' }, t('notifications.unread'))]))
      : h('li', { class: 'empty' }, t('notifications.none')));
  };
  draw();
  const stop = onNotificationsChange(() => (list.isConnected ? draw() : stop()));
  return h('section', { class: 'panel', 'aria-labelledby': 'notification-recent-title' },
    h('h2', { id: 'notification-recent-title' }, t('notifications.recent')), list);
}

/** How often Paravent may mail me (also on the Settings page). */
export function preferencesSection(preferences) {
  const box = errorBox();
  const saved = h('p', { class: 'success', id: 'notification-mail-saved', role: 'status' });
  const choices = MAIL_MODES.map((mode) => h('label', { class: 'choice' },
    h('input', { type: 'radio', name: 'mail', value: mode, id: `notification-mail-${mode}`,
      checked: preferences.mail === mode }), ` ${t(`notifications.mail.${mode}`)}`));
  const submit = h('button', { type: 'submit', class: 'primary', id: 'notification-mail-save' },
    t('notifications.save'));
  const form = h('form', { id: 'notification-preferences', onsubmit: async (event) => {
    event.preventDefault();
    saved.textContent = '';
    const mail = form.querySelector('input[name=mail]:checked')?.value ?? 'grouped';
    if (await attempt(submit, box, () => api('PUT', '/api/notifications/preferences',
      { mail, language: currentLanguage() }))) {
      saved.textContent = t('notifications.saved');
    }
  } }, h('fieldset', {}, h('legend', {}, t('notifications.mailLegend')),
    h('p', { class: 'hint' }, t('notifications.mailHint')), ...choices), submit, saved, box);
  return h('section', { class: 'panel', 'aria-labelledby': 'notification-mail-title' },
    h('h2', { id: 'notification-mail-title' }, t('notifications.mailTitle')), form);
}

export async function renderNotifications(root) {
  const preferences = await loadOrExplain(root, t('notifications.title'),
    () => api('GET', '/api/notifications/preferences'));
  if (preferences === null) {
    return;
  }
  show(root, h('h1', { id: 'notifications-title' }, t('notifications.title')),
    listSection(), preferencesSection(preferences));
  loadNames().catch(() => {});
}
