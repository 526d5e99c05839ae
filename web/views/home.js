/**
 * Signed in and unlocked, three pages: Home (who I am, my workspaces), People (the
 * organization's directory as verified by my own worker, a loud badge where a certificate does
 * not verify, revocation for admins) and, for admins, Invitations (the open ones,
 * web/views/invitations.js, and the invitation form). The member list shows pages of 50, each
 * drawn a screenful at a time as the worker verifies it, with a search by name or e-mail (the
 * server's, each match shown as the worker verified it, never as the server claims).
 */

import { api } from '../api.js';
import { confirmAction } from '../confirm.js';
import { cryptoClient } from '../crypto-client.js';
import { field, formValues, h, show } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { REVOCATIONS_LEARNED, directoryPage, forgetDirectory } from '../directory.js';
import { session } from '../session.js';
import { listingSettled } from '../workspaces.js';
import { attempt, errorBox, showError } from './feedback.js';
import { invitationLinkHolder, invitationList, showInvitationLink } from './invitations.js';
import { workspaceListSection } from './workspace-list.js';

function badge(user) {
  if (!user.valid) {
    return h('span', { class: 'badge badge-invalid', title: user.problem }, t('directory.invalid'));
  }
  if (user.revoked) {
    return h('span', { class: 'badge badge-revoked' }, t('directory.revoked'));
  }
  return h('span', { class: 'badge badge-verified' }, t('directory.verified'));
}

function directoryRow(user, onRevoke) {
  const claims = user.server_claims;
  const canRevoke = session.user.profile === 'admin' && user.active
    && user.user_id !== session.user.user_id;
  return h('tr', { dataset: { userId: user.user_id } },
    h('td', {}, user.valid ? user.display_name : claims.display_name),
    h('td', {}, user.valid ? user.site : claims.site),
    h('td', {}, t(`profile.${user.valid ? user.profile : claims.profile}`)),
    h('td', {}, badge(user), user.valid ? null : h('div', { class: 'problem', lang: 'en' }, user.problem)),
    h('td', { class: 'fingerprint' }, user.fingerprint ?? ''),
    h('td', {}, canRevoke
      ? h('button', { type: 'button', class: 'danger', onclick: () => onRevoke(user) },
        t('directory.revoke'))
      : null));
}

const PAGE_SIZE = 50;

/** The member list: a search field, one page of verified members, and the pages around it. */
function memberList() {
  const box = errorBox();
  const [searchField, search] = field(t('directory.search'),
    { name: 'member-search', type: 'search', autocomplete: 'off' });
  const table = h('table', { id: 'directory', 'aria-busy': 'true' },
    h('thead', {}, h('tr', {}, ...['name', 'site', 'profile', 'status', 'fingerprint', 'actions']
      .map((column) => h('th', { scope: 'col' }, t(`directory.${column}`))))),
    h('tbody'));
  const status = h('p', { id: 'directory-status', role: 'status' }, t('directory.checking'));
  const previous = h('button', { type: 'button', id: 'directory-previous', disabled: true },
    t('directory.previous'));
  const next = h('button', { type: 'button', id: 'directory-next', disabled: true },
    t('directory.next'));
  let first = 0;
  let drawn = 0;

  const revoke = async (user) => {
    if (!(await confirmAction(t('directory.confirmRevoke', { name: user.display_name })))) {
      return;
    }
    try {
      const { revocation } = await cryptoClient().call('directory.sign_revocation',
        { user_id: user.user_id });
      await api('POST', `/api/users/${user.user_id}/revoke`, { revocation });
      forgetDirectory();
      await draw();
    } catch (error) {
      showError(box, error);
    }
  };
  const draw = async () => {
    const query = search.value.trim();
    const asked = ++drawn;
    const rows = table.tBodies[0];
    let shown = 0;
    table.setAttribute('aria-busy', 'true');
    // Each screenful drawn once verified (the first replaces the rows of the page before), as
    // long as no other page or search was asked for since.
    const drawChecked = (users) => {
      if (asked !== drawn) {
        return false;
      }
      const drawnRows = users.map((user) => directoryRow(user, revoke));
      if (shown === 0) {
        rows.replaceChildren(...drawnRows);
      } else {
        rows.append(...drawnRows);
      }
      shown += users.length;
      return true;
    };
    // The rest of the page is checked once the navigation's workspaces are listed.
    const { users, total } = await directoryPage(query, first, PAGE_SIZE, drawChecked,
      listingSettled);
    if (asked !== drawn) {
      return;
    }
    table.setAttribute('aria-busy', 'false');
    status.textContent = total
      ? t('directory.shown', { first: first + 1, last: first + users.length, total })
      : t('directory.noMatch', { query });
    previous.disabled = first === 0;
    next.disabled = first + PAGE_SIZE >= total;
  };
  const reload = () => draw().catch((error) => showError(box, error));
  search.addEventListener('input', () => {
    first = 0;
    reload();
  });
  previous.addEventListener('click', () => {
    first = Math.max(0, first - PAGE_SIZE);
    reload();
  });
  next.addEventListener('click', () => {
    first += PAGE_SIZE;
    reload();
  });
  return {
    element: h('section', { class: 'panel', 'aria-labelledby': 'directory-title' },
      h('h2', { id: 'directory-title' }, t('directory.title')), searchField, status, table,
      h('div', { class: 'pager' }, previous, next), box),
    table,
    reload,
  };
}

function inviteSection(invitations) {
  const box = errorBox();
  const result = invitationLinkHolder('invitation-result');
  const [nameField] = field(t('person.name'), { name: 'display_name', required: true });
  const [emailField] = field(t('person.email'), { name: 'email', type: 'email', required: true });
  const [siteField] = field(t('person.site'), { name: 'site', required: true });
  const profile = h('select', { id: 'field-profile', name: 'profile' },
    ...['member', 'external', 'admin'].map((value) => h('option', { value }, t(`profile.${value}`))));
  const submit = h('button', { type: 'submit', id: 'invite-submit' }, t('invite.create'));
  const form = h('form', { onsubmit: async (event) => {
    event.preventDefault();
    // The link of the invitation before goes: only the new one may be copied from here.
    result.replaceChildren();
    const created = await attempt(submit, box, () => api('POST', '/api/invitations', formValues(form)));
    if (created) {
      form.reset();
      // The list grows by the new invitation first, so the link shown next stays in view.
      await invitations.refresh().catch((error) => showError(box, error));
      showInvitationLink(result, created, 'invite.createdTitle');
    }
  } }, nameField, emailField, siteField,
  h('div', { class: 'field' }, h('label', { for: 'field-profile' }, t('person.profile')), profile),
  submit);
  return h('section', { class: 'panel', 'aria-labelledby': 'invite-title' },
    h('h2', { id: 'invite-title' }, t('invite.title')), form, box, result);
}

/** Keeps `members` (the member list) up to date with revocations found in a workspace's
 * history, as long as it is shown. */
function followRevocations(members) {
  const revocationsLearned = () => {
    if (!members.table.isConnected) {
      window.removeEventListener(REVOCATIONS_LEARNED, revocationsLearned);
      return;
    }
    members.reload();
  };
  window.addEventListener(REVOCATIONS_LEARNED, revocationsLearned);
}

/** Home: who I am and my workspaces; for admins, the way to the organisation's pages. */
export function renderHome(root) {
  const admin = session.user.profile === 'admin';
  show(root,
    h('section', { class: 'panel', 'aria-labelledby': 'me-title' },
      h('h1', { id: 'me-title' }, t('home.title', { name: session.user.display_name })),
      h('p', {}, t('home.organization', { organization: session.organization.name })),
      h('p', {}, t('home.fingerprint'), ' ',
        h('code', { id: 'my-fingerprint' }, session.identity.fingerprint)),
      h('p', { class: 'actions' },
        h('a', { href: '#/notifications', class: 'button' }, t('nav.waiting')),
        h('a', { href: '#/people', class: 'button' }, t('nav.people')),
        admin ? h('a', { href: '#/invitations', class: 'button' }, t('nav.invitations')) : null)),
    workspaceListSection());
}

/** The organisation's people: the directory as my worker verified it, revocation for admins. */
export function renderPeople(root) {
  const members = memberList();
  show(root, h('h1', { id: 'people-title' }, t('nav.people')), members.element);
  members.reload();
  followRevocations(members);
}

/** The admin's invitations: the form that adds one (its link shown below it, in view), beside
 * the open ones. */
export function renderInvitations(root) {
  const invitations = invitationList();
  show(root, h('h1', { id: 'invitations-page-title' }, t('nav.invitations')),
    h('div', { class: 'invitations-page' }, inviteSection(invitations), invitations.element));
}
