/**
 * The app's left navigation, drawn once the keys are unlocked: Home, what waits for me, my
 * workspaces (with their unread notifications), partner sites and the organisation (people,
 * invitations and the views other parts register) for admins, security and settings. The link of the page
 * shown carries aria-current="page", kept up to date on every route change.
 */

import { fill, h } from './dom.js';
import { t } from './i18n/i18n.js';
import { notificationBadge } from './notifications.js';
import { onWorkspaceChanged } from './realtime.js';
import { session } from './session.js';
import { listWorkspaces } from './workspaces.js';

/** Admin-only entries of the Organisation group: [route, i18n key, id]. Views registered by
 * other parts of the app are added here once they exist. */
const ORGANISATION = [
  ['#/people', 'nav.people', 'nav-people'],
  ['#/invitations', 'nav.invitations', 'nav-invitations'],
  ['#/policy', 'policy.title', 'nav-policies'],
];

/** The route a link stands for: '#/w/<id>' for anything inside a workspace, else its first
 * segment. */
function routeOf(hash) {
  const [first = '', second = ''] = hash.replace(/^#\/?/, '').split('?')[0].split('/');
  return first === 'w' ? `#/w/${second}` : `#/${first}`;
}

function markCurrent(nav) {
  const current = routeOf(location.hash || '#/');
  nav.querySelectorAll('a[href]').forEach((link) => {
    if (routeOf(link.getAttribute('href')) === current) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  });
}

function link(href, label, id = null) {
  return h('li', {}, h('a', { href, id }, label));
}

function group(id, title, ...items) {
  return h('li', { class: 'nav-group' },
    h('h2', { id, class: 'nav-group-title' }, title),
    h('ul', { class: 'plain-list', 'aria-labelledby': id }, ...items));
}

/** My workspaces as links, each with its unread notifications; refreshed at every route change
 * and when one of them changes its members or settings. */
function workspaceLinks(nav) {
  const list = h('ul', { class: 'plain-list workspace-nav', id: 'nav-workspaces',
    'aria-labelledby': 'nav-workspaces-title' });
  const refresh = () => listWorkspaces().then((workspaces) => {
    fill(list, workspaces.filter((workspace) => !workspace.problem).map((workspace) => h('li', {},
      h('a', { href: `#/w/${workspace.workspace_id}` }, workspace.name), ' ',
      notificationBadge(workspace.workspace_id))));
    markCurrent(nav);
  }, () => {});
  refresh();
  // A workspace shared with me is heard of by no event of mine: the list is read again at every
  // route change, as Home reads its own.
  const onRoute = () => (list.isConnected ? refresh()
    : window.removeEventListener('hashchange', onRoute));
  window.addEventListener('hashchange', onRoute);
  onWorkspaceChanged((change) => {
    if (change.what === 'members' || change.kind === 'workspace') {
      refresh();
    }
  }, list);
  return h('li', { class: 'nav-group' },
    h('h2', { id: 'nav-workspaces-title', class: 'nav-group-title' }, t('nav.workspaces')), list);
}

/** Draws the navigation in `nav` for the session's user (empty while signed out or locked). */
export function renderSideNav(nav) {
  nav.setAttribute('aria-label', t('nav.main'));
  nav.hidden = !session.identity;
  if (!session.identity) {
    nav.replaceChildren();
    return;
  }
  const admin = session.user.profile === 'admin';
  fill(nav, h('ul', { class: 'plain-list nav-list' },
    link('#/', t('nav.home'), 'nav-home'),
    link('#/notifications', t('nav.waiting'), 'nav-waiting'),
    workspaceLinks(nav),
    admin ? link('#/partners', t('nav.partners'), 'nav-partners') : null,
    session.user.profile !== 'external' ? link('#/board', t('nav.board'), 'nav-board') : null,
    session.user.profile !== 'external'
      ? link('#/send-results', t('nav.sendResults'), 'nav-send-results') : null,
    admin ? group('nav-organisation-title', t('nav.organisation'),
      ...ORGANISATION.map(([href, key, id]) => link(href, t(key), id)))
      : link('#/people', t('nav.people'), 'nav-people'),
    link('#/security', t('nav.security'), 'nav-security'),
    link('#/settings', t('nav.settings'), 'nav-settings')));
  markCurrent(nav);
}

/** Keeps the current page marked in `nav` as the route changes. */
export function followRoute(nav) {
  window.addEventListener('hashchange', () => markCurrent(nav));
}
