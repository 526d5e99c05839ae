/**
 * The page's entry point: renders the shell at once, starts the realtime connection (the crypto
 * worker was started by crypto-start.js, the page's first module), reflects the worker's state
 * on <html data-crypto-state>, and routes to the views.
 */

import { cryptoClient } from './crypto-client.js';
import { answerFreshnessQuestions } from './freshness.js';
import { fill, h } from './dom.js';
import { openStores } from './history-memory.js';
import { initI18n, t, translate } from './i18n/i18n.js';
import { startIdleLock } from './idle-lock.js';
import { followRoute, renderSideNav } from './nav.js';
import { startNotifications, stopNotifications } from './notifications.js';
import { stopViewing } from './presence.js';
import { connectRealtime, onSessionEnded, reconnectRealtime } from './realtime.js';
import { onRouteChange, parseHash } from './router.js';
import {
  lock, onSessionChange, restore, session, sessionEnded, signOut, switchUser,
} from './session.js';
import { renderBootstrap } from './views/bootstrap.js';
import { renderDropPage } from './views/dropbox-deposit.js';
import { renderGreet } from './views/greet.js';
import { renderHome, renderInvitations, renderPeople } from './views/home.js';
import { renderJoin } from './views/join.js';
import { renderNotifications } from './views/notifications.js';
import { renderSettings } from './views/settings.js';
import { renderDeliveryBoard } from './views/delivery-board.js';
import { renderPartnerSites } from './views/partner-sites.js';
import { renderPolicies } from './views/policies.js';
import { renderRecovery } from './views/recovery.js';
import { renderResultBatch } from './views/result-batch.js';
import { startSearch, stopSearch } from './views/search-box.js';
import { renderSecurity } from './views/security.js';
import { renderShareLinkRecipient } from './views/share-link-open.js';
import { renderWorkspace } from './views/workspace.js';
import { renderLocked } from './views/lock.js';
import { renderWelcome } from './views/welcome.js';
import { warnBeforeLeaving } from './unsent.js';

const root = document.documentElement;
const view = document.getElementById('view');
let stopIdleLock = null;
// Why the keys are locked: 'idle' after the idle lock, 'reloaded' when the page was reloaded
// (the worker starts without keys) while the server session goes on.
let lockedBecause = 'reloaded';

function showCryptoState(state, detail) {
  root.dataset.cryptoState = state;
  const message = document.getElementById('crypto-message');
  const error = document.getElementById('crypto-error');
  const panel = document.getElementById('crypto-status');
  message.dataset.i18n = `crypto.${state}`;
  error.hidden = state !== 'error';
  error.textContent = state === 'error' ? t('crypto.errorDetail', { detail: detail?.message }) : '';
  panel.hidden = state === 'ready';
  translate(panel);
}

/** The header's account part (who is signed in, sign out) and the left navigation. */
function renderNav() {
  const account = document.getElementById('account');
  renderSideNav(document.getElementById('user-nav'));
  fill(account, session.identity ? [
    h('span', { id: 'signed-in-as', class: 'muted' }, session.user.display_name),
    h('button', { type: 'button', id: 'switch-user', onclick: () => switchUser() }, t('nav.switchUser')),
    h('button', { type: 'button', id: 'sign-out', onclick: () => signOut() }, t('nav.signOut')),
  ] : null);
}

/** The sign-in and unlock screens: drawn before the crypto worker is ready, so the passkey
 * ceremony can run while it starts. */
function isPasskeyScreen({ segments: [first] }) {
  return !session.identity && !['bootstrap', 'join', 'recovery'].includes(first);
}

let waitingForCrypto = false;

function render(route) {
  // Each render gets a fresh container: a slow view still loading from an earlier route
  // then writes into a detached element and cannot overwrite the current one.
  const container = h('div');
  view.replaceChildren(container);
  stopViewing();
  waitingForCrypto = root.dataset.cryptoState !== 'ready' && !isPasskeyScreen(route);
  if (!waitingForCrypto) {
    renderRoute(container, route);
  }
}

function renderRoute(view, { segments, query }) {
  const [first, ...rest] = segments;
  if (first === 'bootstrap') {
    renderBootstrap(view, rest[0]);
  } else if (first === 'join') {
    renderJoin(view, rest[0], rest[1]);
  } else if (first === 'drop') {
    renderDropPage(view, rest[0], rest[1]);
  } else if (first === 's') {
    renderShareLinkRecipient(view, rest[0], rest[1]);
  } else if (first === 'recovery' && !session.identity) {
    renderRecovery(view);
  } else if (!session.identity) {
    if (session.user && !session.pendingUnlock) {
      renderLocked(view, lockedBecause, () => signOut());
    } else {
      renderWelcome(view);
    }
  } else if (first === 'security') {
    renderSecurity(view, query);
  } else if (first === 'policy') {
    renderPolicies(view, rest[0]);
  } else if (first === 'notifications') {
    renderNotifications(view);
  } else if (first === 'settings') {
    renderSettings(view);
  } else if (first === 'w' && rest[0]) {
    renderWorkspace(view, rest[0], rest[1]);
  } else if (first === 'send-results' && session.user.profile !== 'external') {
    renderResultBatch(view);
  } else if (first === 'board' && session.user.profile !== 'external') {
    renderDeliveryBoard(view);
  } else if (first === 'partners' && session.user.profile === 'admin') {
    renderPartnerSites(view);
  } else if (first === 'people') {
    renderPeople(view);
  } else if (first === 'invitations' && session.user.profile === 'admin') {
    renderInvitations(view);
  } else if (first === 'greet' && session.user.profile === 'admin') {
    renderGreet(view, rest[0]);
  } else {
    renderHome(view);
  }
}

function rerender() {
  renderNav();
  render(parseHash(location.hash));
}

initI18n(document.getElementById('language-select'));
warnBeforeLeaving();
const crypto = cryptoClient();
document.addEventListener('languagechange', () => {
  showCryptoState(crypto.state, crypto.detail);
  rerender();
});
const status = document.getElementById('connection-status');
answerFreshnessQuestions(connectRealtime(status),
  () => (session.identity ? session.user?.user_id : null));
onSessionEnded((reason) => sessionEnded(reason));
status.addEventListener('statechange', () => translate(status.parentElement));

let wasUnlocked = false;
let routing = false;
onSessionChange(() => {
  const unlocked = Boolean(session.identity);
  if (unlocked !== wasUnlocked) {
    reconnectRealtime();
    const bellHolder = document.getElementById('notifications-holder');
    const searchHolder = document.getElementById('search-holder');
    if (unlocked) {
      startNotifications(bellHolder);
      startSearch(searchHolder);
    } else {
      stopNotifications(bellHolder);
      stopSearch(searchHolder);
    }
    stopIdleLock?.();
    stopIdleLock = unlocked ? startIdleLock(session.settings.idle_lock_seconds, () => {
      lockedBecause = 'idle';
      lock();
    }) : null;
    wasUnlocked = unlocked;
  }
  if (routing) {
    rerender();
  }
});
crypto.onStateChange((state, detail) => {
  showCryptoState(state, detail);
  if (state === 'ready' && waitingForCrypto) {
    render(parseHash(location.hash));
  }
});
restore().finally(() => {
  routing = true;
  renderNav();
  followRoute(document.getElementById('user-nav'));
  onRouteChange(render, view);
  // Once the first screen is drawn: a sign-in then reads IndexedDB without opening it first.
  openStores();
});
