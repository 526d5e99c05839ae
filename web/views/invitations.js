/**
 * The admin's open invitations: who, when each was created, where it stands (waiting for the
 * invitee, the invitee opened their link, codes to check), with "Check codes" (the code check,
 * findable again whenever the admin comes back), "Resend" (a new link; the old one stops
 * working) and "Cancel" (after a confirmation dialog). Also the panel that shows a link to send,
 * after an invitation is created or resent.
 */

import { allPages, api } from '../api.js';
import { confirmAction } from '../confirm.js';
import { fill, h } from '../dom.js';
import { formatDateTime } from '../i18n/format.js';
import { t } from '../i18n/i18n.js';
import { session } from '../session.js';
import { errorBox, noticeBox, showError, showNotice } from './feedback.js';

const REFRESH_MS = 15_000;

/** Where an open invitation stands, as the admin reads it. */
export function invitationState(invitation) {
  if (invitation.status === 'registered') {
    return 'codes';
  }
  return invitation.opened_at ? 'opened' : 'waiting';
}

/** A place for the link to send (`showInvitationLink`); one link shows at a time. */
export function invitationLinkHolder(id) {
  return h('div', { id, class: 'invitation-link-holder' });
}

/** The link to send to `invitation`'s invitee and the way to the code check; `titleKey` says
 * whether it was just created or resent. Brought into view and focused: it is what comes next. */
export function showInvitationLink(holder, { token, invitation }, titleKey) {
  document.querySelectorAll('.invitation-link-holder').forEach((other) => {
    if (other !== holder) {
      other.replaceChildren();
    }
  });
  const link = `${location.origin}/#/join/${token}/${session.identity.root_verify_key}`;
  const heading = h('h3', { id: 'invitation-created', tabindex: -1 },
    t(titleKey, { name: invitation.display_name }));
  fill(holder,
    heading,
    h('p', {}, t('invite.created', { name: invitation.display_name })),
    h('output', { id: 'invitation-link', class: 'link' }, link),
    h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: () => navigator.clipboard?.writeText(link) },
        t('invite.copy')),
      h('a', { class: 'button', id: 'greet-link', href: `#/greet/${invitation.invitation_id}` },
        t('invite.greet'))));
  holder.scrollIntoView({ block: 'nearest' });
  heading.focus({ preventScroll: true });
}

function actionsOf(invitation, { onResend, onCancel }) {
  const resend = h('button', { type: 'button', class: 'invitation-resend' }, t('invitations.resend'));
  const cancel = h('button', { type: 'button', class: 'danger invitation-cancel' },
    t('invitations.cancel'));
  resend.addEventListener('click', () => onResend(invitation, resend));
  cancel.addEventListener('click', () => onCancel(invitation, cancel));
  return h('div', { class: 'actions' },
    h('a', { class: 'button primary invitation-check', href: `#/greet/${invitation.invitation_id}` },
      t('invitations.checkCodes')),
    resend, cancel);
}

function row(invitation, handlers) {
  const state = invitationState(invitation);
  return h('tr', { dataset: { invitationId: invitation.invitation_id, state } },
    h('th', { scope: 'row' }, invitation.display_name,
      h('div', { class: 'muted' }, `${invitation.email} — ${invitation.site}`)),
    h('td', {}, t(`profile.${invitation.profile}`)),
    h('td', {}, formatDateTime(invitation.created_at)),
    h('td', { class: 'invitation-state' }, h('span', { class: `badge badge-state-${state}` },
      t(`invitations.state.${state}`))),
    h('td', {}, actionsOf(invitation, handlers)));
}

/** The list of open invitations; `refresh()` reads it again (after one is created). */
export function invitationList() {
  const box = errorBox();
  const notice = noticeBox('invitations-notice');
  const linkHolder = invitationLinkHolder('invitation-resent');
  const body = h('tbody');
  const empty = h('p', { id: 'invitations-empty', class: 'muted' }, t('invitations.empty'));
  const table = h('table', { id: 'invitation-list' },
    h('caption', { class: 'visually-hidden' }, t('invitations.title')),
    h('thead', {}, h('tr', {}, ...['person', 'profile', 'created', 'state', 'actions']
      .map((column) => h('th', { scope: 'col' }, t(`invitations.${column}`))))),
    body);
  const scroller = h('div', { class: 'table-scroll' }, table);
  const handlers = {
    onResend: async (invitation, button) => {
      button.disabled = true;
      try {
        const resent = await api('POST', `/api/invitations/${invitation.invitation_id}/resend`);
        await refresh();
        showInvitationLink(linkHolder, resent, 'invitations.resentTitle');
      } catch (error) {
        showError(box, error, { focus: true });
      } finally {
        button.disabled = false;
      }
    },
    onCancel: async (invitation, button) => {
      if (!(await confirmAction(t('invitations.confirmCancel', { name: invitation.display_name })))) {
        button.focus();
        return;
      }
      try {
        await api('DELETE', `/api/invitations/${invitation.invitation_id}`);
        linkHolder.replaceChildren();
        await refresh();
        showNotice(notice, t('invitations.cancelled', { name: invitation.display_name }));
        notice.focus();
      } catch (error) {
        showError(box, error, { focus: true });
      }
    },
  };
  const refresh = async () => {
    const { invitations } = await allPages('/api/invitations?state=open', 'invitations');
    body.replaceChildren(...invitations.map((invitation) => row(invitation, handlers)));
    scroller.hidden = invitations.length === 0;
    empty.hidden = invitations.length > 0;
  };
  const element = h('section', { class: 'panel', id: 'invitations',
    'aria-labelledby': 'invitations-title' },
  h('h2', { id: 'invitations-title' }, t('invitations.title')), empty, scroller, notice, box,
  linkHolder);
  refresh().catch((error) => showError(box, error));
  // Where each invitation stands changes on the invitees' side: read it again now and then
  // while the list is on screen.
  const timer = setInterval(() => {
    if (!element.isConnected) {
      clearInterval(timer);
    } else if (document.visibilityState === 'visible') {
      refresh().catch((error) => showError(box, error));
    }
  }, REFRESH_MS);
  return { element, refresh };
}
