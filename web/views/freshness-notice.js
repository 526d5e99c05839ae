/**
 * The workspace view's freshness notice (web/freshness.js): for a workspace whose head this
 * browser did not remember, it says while the members online are asked, then either nothing
 * more (a member confirmed it: the notice says by whom), that the server withholds entries or
 * forked the history (the history is then untrusted and the view reloads to say so), or, with
 * no answer, that this browser cannot confirm it sees the latest state, offering to ask again
 * or to write anyway. Its `data-state`: asking, confirmed, contradicted, unconfirmed,
 * knowingly.
 */

import { h } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { FRESHNESS_CHECKED, askMembers, freshnessStatus, goOnKnowingly } from '../freshness.js';

/** The notice for the open workspace (`state`, web/state.js), or null if nothing is in doubt. */
export async function freshnessNotice(state) {
  const { workspace } = state.get();
  const workspaceId = workspace.workspace_id;
  const status = await freshnessStatus(workspaceId).catch(() => ({ fresh: true }));
  if (status.fresh || status.knowingly || !workspace.chain.verified) {
    return null;
  }
  const text = h('p', { id: 'freshness-text' });
  const actions = h('p', { class: 'inline-form' });
  const notice = h('section', { id: 'freshness-notice', class: 'notice', role: 'status' },
    h('h2', {}, t('freshness.title', { name: workspace.name })), text, actions);
  const say = (stateName, message, buttons = []) => {
    notice.dataset.state = stateName;
    text.textContent = message;
    actions.replaceChildren(...buttons);
  };
  const contradicted = (problem) => {
    say('contradicted', t('freshness.contradicted', { problem }));
    notice.setAttribute('role', 'alert');
  };
  // A head on this chain confirms it; one ahead of it is read for again: if the server still
  // does not serve it, the history names what it withholds; one off it is a fork.
  const judge = async (verdict) => {
    if (verdict.ahead || !verdict.fresh) {
      await state.reloadWorkspace().catch(() => {});
    }
    const now = await freshnessStatus(workspaceId).catch(() => ({ fresh: false }));
    if (now.fresh) {
      say('confirmed', t('freshness.confirmed', { name: verdict.answerer_name, seq: verdict.seq }));
    } else {
      contradicted(verdict.problem ?? state.get().workspace.chain.problem);
    }
  };
  const ask = async () => {
    say('asking', t('freshness.asking'));
    const verdict = await askMembers(workspaceId);
    if (verdict === null) {
      const again = h('button', { type: 'button', id: 'freshness-ask-again' }, t('freshness.askAgain'));
      again.addEventListener('click', ask);
      const anyway = h('button', { type: 'button', id: 'freshness-write-anyway', class: 'danger' },
        t('freshness.writeAnyway'));
      anyway.addEventListener('click', async () => {
        await goOnKnowingly(workspaceId);
        say('knowingly', t('freshness.knowingly'));
      });
      say('unconfirmed', t('freshness.unconfirmed', { name: workspace.name }), [again, anyway]);
    } else {
      await judge(verdict);
    }
  };
  // A later member's answer may still show what the first one did not.
  const later = ({ detail }) => {
    if (!notice.isConnected && notice.dataset.state !== 'asking') {
      window.removeEventListener(FRESHNESS_CHECKED, later);
    } else if (detail.workspaceId === workspaceId && !detail.verdict.fresh
      && notice.dataset.state === 'confirmed') {
      judge(detail.verdict);
    }
  };
  window.addEventListener(FRESHNESS_CHECKED, later);
  ask();
  return notice;
}
